package sockjs_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
)

// serve starts a handler under /s with opts and the application serve, and
// shuts both down when the test ends.
// testGrace is the ShutdownGrace of the tests' handlers; see serve.
const testGrace = 50 * time.Millisecond

func serve(t *testing.T, opts sockjs.Options, app func(*sockjs.Session)) (*sockjs.Handler, string) {
	t.Helper()
	if opts.ShutdownGrace == 0 {
		// A test's clients are gone when its cleanup shuts the handler
		// down; waiting the default 3 s for their next poll would only
		// idle the suite. TestShutdownWaitsForABackgroundTabsNextPoll
		// checks the default.
		opts.ShutdownGrace = testGrace
	}
	h := sockjs.New("/s", opts, app)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		srv.Close()
	})
	return h, srv.URL + "/s"
}

func echo(s *sockjs.Session) {
	for {
		msg, err := s.Recv(s.Context())
		if err != nil {
			return
		}
		if s.Send(msg) != nil {
			return
		}
	}
}

func dialWS(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func readWS(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, p, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(p)
}

func writeWS(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := testClient.Post(url, "text/plain", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestWebsocketEchoAndApplicationClose(t *testing.T) {
	leak.Check(t)
	closed := make(chan error, 1)
	_, url := serve(t, sockjs.Options{}, func(s *sockjs.Session) {
		msg, _ := s.Recv(s.Context())
		_ = s.Send("got " + msg)
		_ = s.Close(3001, "bye")
		<-s.Context().Done()
		closed <- context.Cause(s.Context())
	})
	c := dialWS(t, url+"/000/abc/websocket")
	if got := readWS(t, c); got != "o" {
		t.Fatalf("first frame %q, want o", got)
	}
	writeWS(t, c, `["hi"]`)
	if got := readWS(t, c); got != `a["got hi"]` {
		t.Fatalf("echo %q", got)
	}
	if got := readWS(t, c); got != `c[3001,"bye"]` {
		t.Fatalf("close frame %q", got)
	}
	var ce *sockjs.CloseError
	if err := <-closed; !errors.As(err, &ce) || ce.Code != 3001 || !errors.Is(err, sockjs.ErrSessionClosed) {
		t.Fatalf("cause %v", err)
	}
}

func TestXHRSessionLifecycle(t *testing.T) {
	leak.Check(t)
	_, url := serve(t, sockjs.Options{DisconnectDelay: 500 * time.Millisecond}, echo)
	if code, body := post(t, url+"/000/x/xhr", ""); code != 200 || body != "o\n" {
		t.Fatalf("open: %d %q", code, body)
	}
	if code, _ := post(t, url+"/000/x/xhr_send", `["a","b"]`); code != 204 {
		t.Fatalf("send: %d", code)
	}
	if _, body := post(t, url+"/000/x/xhr", ""); body != "a[\"a\",\"b\"]\n" {
		t.Fatalf("poll: %q", body)
	}
	time.Sleep(1500 * time.Millisecond)
	if code, _ := post(t, url+"/000/x/xhr_send", `["a"]`); code != 404 {
		t.Fatalf("send after expiry: %d, want 404", code)
	}
}

// websocketDial dials a SockJS URL (http://...) as a websocket.
func websocketDial(ctx context.Context, url string, opts *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
	return websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), opts)
}
