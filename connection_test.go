package sockjs_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
)

// goAway closes every session at once, so streaming responses end after
// their close frame.
func goAway(s *sockjs.Session) { _ = s.Close(3000, "Go away!") }

// fetch makes one request with client and reads the whole body, reporting
// whether the request reused a connection.
func fetch(t *testing.T, client *http.Client, method, url string) (resp *http.Response, body string, reused bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return resp, string(b), reused
}

// A browser that abandons a keep-alive response may go on reading it for
// seconds to reuse the connection (Chromium drains for up to 5 s), and the
// server learns of the abort only when the socket closes. Streaming
// responses therefore say "Connection: close"; short polling responses
// keep the connection.
func TestStreamingResponsesDoNotKeepTheConnection(t *testing.T) {
	leak.Check(t)
	_, base := serve(t, sockjs.Options{}, goAway)
	client := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()

	streams := []struct{ method, transport string }{
		{"POST", "xhr_streaming"},
		{"GET", "eventsource"},
		{"GET", "htmlfile?c=cb"},
	}
	for i, st := range streams {
		url := base + "/000/stream" + string(rune('a'+i)) + "/" + st.transport
		resp, body, _ := fetch(t, client, st.method, url)
		if resp.ProtoMajor != 1 || !resp.Close {
			t.Errorf("%s: %s response, Connection %q: want HTTP/1.1 with Connection: close", st.transport, resp.Proto, resp.Header.Get("Connection"))
		}
		if !strings.Contains(body, `c[3000,\"Go away!\"]`) && !strings.Contains(body, `c[3000,"Go away!"]`) {
			t.Errorf("%s: body %q lacks the close frame", st.transport, body)
		}
	}

	// Polling: the first request opens a connection, the second reuses it.
	resp, _, _ := fetch(t, client, "POST", base+"/000/polla/xhr")
	if resp.Close {
		t.Errorf("xhr polling: Connection: close, want the connection kept")
	}
	if _, _, reused := fetch(t, client, "POST", base+"/000/polla/xhr"); !reused {
		t.Errorf("xhr polling: the second poll did not reuse the connection")
	}
}

// Over HTTP/2 "Connection: close" would shut down the whole connection,
// with every other session's requests on it, so streaming responses must
// not send it there.
func TestHTTP2StreamingKeepsTheConnection(t *testing.T) {
	leak.Check(t)
	h := sockjs.New("/s", sockjs.Options{ShutdownGrace: testGrace}, goAway)
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	}()
	client := srv.Client()
	defer client.CloseIdleConnections()

	resp, body, _ := fetch(t, client, "POST", srv.URL+"/s/000/h2stream/xhr_streaming")
	if resp.ProtoMajor != 2 {
		t.Fatalf("got %s, want HTTP/2", resp.Proto)
	}
	if !strings.HasSuffix(body, "o\nc[3000,\"Go away!\"]\n") {
		t.Errorf("body ends %q, want the open and close frames", body[max(0, len(body)-40):])
	}
	if _, _, reused := fetch(t, client, "GET", srv.URL+"/s/info"); !reused {
		t.Errorf("the request after a streaming response opened a new connection: the HTTP/2 connection was shut down")
	}
}
