package sockjs_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gosockjs/sockjs"
)

// Any path and method gets an answer from the protocol's set of statuses,
// never a panic.
func FuzzHandlerPath(f *testing.F) {
	for _, seed := range []string{
		"", "/", "/info", "/iframe.html", "/iframe-1.2.html", "/websocket", "/000/abc/xhr",
		"/000/abc/xhr_send", "/000/abc/jsonp?c=x", "/000/abc/htmlfile?c=%63b", "//xhr",
		"/a./a/xhr", "/000/abc/eventsource", "/%2e%2e/x", "/000/abc/xhr_streaming/",
	} {
		f.Add("GET", seed)
		f.Add("POST", seed)
		f.Add("OPTIONS", seed)
	}
	h := sockjs.New("/s", sockjs.Options{DisconnectDelay: 1}, func(*sockjs.Session) {})
	f.Cleanup(func() { _ = h.Shutdown(context.Background()) })
	ok := map[int]bool{200: true, 204: true, 304: true, 400: true, 403: true, 404: true, 405: true, 429: true, 500: true, 501: true, 503: true}
	f.Fuzz(func(t *testing.T, method, path string) {
		req, err := http.NewRequest(method, "http://127.0.0.1/s"+path, nil)
		if err != nil {
			return // not a request a server can receive
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // receiving requests end at once, as if the client left
		req = req.WithContext(ctx)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if !ok[w.Code] {
			t.Fatalf("%s %q: status %d", method, path, w.Code)
		}
	})
}

// Any body of a sending request gets 2xx, 404, 413 or the protocol's 500,
// never a panic.
func FuzzSendBody(f *testing.F) {
	for _, seed := range []string{`["a"]`, `[]`, `["a`, ``, `d=%5B%22x%22%5D`, `d=`, `p=p`, `"x"`, `[1]`, `{"a":"b"}`, "[\"\\ud800\"]"} {
		f.Add("text/plain", seed)
		f.Add("application/x-www-form-urlencoded", seed)
	}
	h := sockjs.New("/s", sockjs.Options{MaxBodySize: 4096, ShutdownGrace: testGrace}, func(s *sockjs.Session) {
		for {
			if _, err := s.Recv(s.Context()); err != nil {
				return
			}
		}
	})
	srv := httptest.NewServer(h)
	f.Cleanup(func() { _ = h.Shutdown(context.Background()); srv.Close() })
	resp, err := http.Post(srv.URL+"/s/000/fuzz/xhr", "", nil)
	if err != nil {
		f.Fatal(err)
	}
	resp.Body.Close()
	f.Fuzz(func(t *testing.T, contentType, body string) {
		for _, c := range contentType {
			if c < ' ' && c != '\t' || c == 0x7f {
				return // not a header value an HTTP client can send
			}
		}
		for _, endpoint := range []string{"xhr_send", "jsonp_send"} {
			req, _ := http.NewRequest("POST", srv.URL+"/s/000/fuzz/"+endpoint, strings.NewReader(body))
			req.Header.Set("Content-Type", contentType)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			switch resp.StatusCode {
			case 200, 204, 404, 413, 500:
			default:
				t.Fatalf("%s %q %q: status %d", endpoint, contentType, body, resp.StatusCode)
			}
		}
	})
}
