package sockjs_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
)

// userOf is a test Authorize hook: the identity is the X-User header.
func userOf(r *http.Request) (any, error) {
	if u := r.Header.Get("X-User"); u != "" {
		return u, nil
	}
	return nil, errors.New("no user")
}

func TestAuthorizeRefusesAndBindsIdentity(t *testing.T) {
	idents := make(chan any, 1)
	_, url := serve(t, sockjs.Options{Authorize: userOf}, func(s *sockjs.Session) {
		idents <- s.Identity()
		echo(s)
	})
	as := func(user, method, path, body string) int {
		h := http.Header{}
		if user != "" {
			h.Set("X-User", user)
		}
		return do(t, method, url+path, h, body).StatusCode
	}
	if code := as("", "POST", "/000/a/xhr", ""); code != http.StatusForbidden {
		t.Fatalf("no identity: %d, want 403", code)
	}
	if code := as("alice", "POST", "/000/a/xhr", ""); code != 200 {
		t.Fatalf("alice opens: %d", code)
	}
	if got := <-idents; got != "alice" {
		t.Fatalf("Session.Identity() = %v", got)
	}
	if code := as("mallory", "POST", "/000/a/xhr_send", `["x"]`); code != http.StatusForbidden {
		t.Fatalf("another identity sends to alice's session: %d, want 403", code)
	}
	if code := as("mallory", "POST", "/000/a/xhr", ""); code != http.StatusForbidden {
		t.Fatalf("another identity polls alice's session: %d, want 403", code)
	}
	if code := as("alice", "POST", "/000/a/xhr_send", `["x"]`); code != 204 {
		t.Fatalf("alice sends: %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := websocketDial(ctx, url+"/000/w/websocket", nil); err == nil {
		t.Fatal("websocket without identity was accepted")
	}
}

func TestBindClientAddr(t *testing.T) {
	_, url := serve(t, sockjs.Options{
		BindClientAddr: true,
		ClientAddr:     func(r *http.Request) string { return r.Header.Get("X-Test-Addr") },
	}, echo)
	from := func(addr, path, body string) int {
		return do(t, "POST", url+path, http.Header{"X-Test-Addr": {addr}}, body).StatusCode
	}
	from("10.0.0.1", "/000/b/xhr", "")
	if code := from("10.0.0.2", "/000/b/xhr_send", `["x"]`); code != http.StatusForbidden {
		t.Fatalf("send from another address: %d, want 403", code)
	}
	if code := from("10.0.0.1", "/000/b/xhr_send", `["x"]`); code != 204 {
		t.Fatalf("send from the same address: %d", code)
	}
}

func TestForwardedFor(t *testing.T) {
	clientAddr := sockjs.ForwardedFor(netip.MustParsePrefix("10.0.0.0/8"))
	cases := []struct{ remote, xff, want string }{
		{"192.0.2.1:1234", "198.51.100.7", "192.0.2.1"},                          // untrusted peer: header ignored
		{"10.1.2.3:1234", "198.51.100.7", "198.51.100.7"},                        // trusted proxy
		{"10.1.2.3:1234", "203.0.113.9, 198.51.100.7, 10.9.9.9", "198.51.100.7"}, // rightmost untrusted
		{"10.1.2.3:1234", "", "10.1.2.3"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := clientAddr(r); got != c.want {
			t.Errorf("remote %s, X-Forwarded-For %q: %q, want %q", c.remote, c.xff, got, c.want)
		}
	}
}

func TestCounters(t *testing.T) {
	var counters sockjs.Counters
	_, url := serve(t, sockjs.Options{Metrics: &counters, DisconnectDelay: time.Second}, echo)
	post(t, url+"/000/m/xhr", "")
	post(t, url+"/000/m/xhr_send", `["hello","world"]`)
	post(t, url+"/000/m/xhr", "")
	post(t, url+"/000/m/xhr_send", `["x`)
	post(t, url+"/000/nosuch/xhr_send", `["x"]`)
	do(t, "GET", url+"/nosuch", nil, "")
	snap := counters.Snapshot()
	if snap.SessionsOpened != 1 || snap.SessionsOpen["xhr"] != 1 {
		t.Errorf("sessions: opened %d, open %v", snap.SessionsOpened, snap.SessionsOpen)
	}
	if snap.MessagesIn != 2 || snap.BytesIn != 10 || snap.MessagesOut != 2 {
		t.Errorf("messages: in %d (%d bytes), out %d", snap.MessagesIn, snap.BytesIn, snap.MessagesOut)
	}
	r := snap.RejectedRequests
	if r[sockjs.RejectPayload] != 1 || r[sockjs.RejectUnknownSession] != 1 || r[sockjs.RejectNotFound] != 1 {
		t.Errorf("rejected: %v", r)
	}
	var decoded map[string]any
	if err := json.Unmarshal([]byte(counters.String()), &decoded); err != nil {
		t.Errorf("String is not JSON: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for counters.Snapshot().SessionsClosed != 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if snap := counters.Snapshot(); snap.SessionsClosed != 1 || snap.SessionsOpen["xhr"] != 0 {
		t.Errorf("after expiry: closed %d, open %v", snap.SessionsClosed, snap.SessionsOpen)
	}
}

// The handler works under every usual way of mounting it.
func TestMounting(t *testing.T) {
	h := sockjs.New("/echo", sockjs.Options{ShutdownGrace: testGrace}, echo)
	stripped := sockjs.New("", sockjs.Options{ShutdownGrace: testGrace}, echo)
	defer h.Shutdown(context.Background())
	defer stripped.Shutdown(context.Background())

	mux := http.NewServeMux()
	mux.Handle("/echo", h)
	mux.Handle("/echo/", h)
	pattern := http.NewServeMux()
	pattern.Handle("/echo/{rest...}", h)
	strip := http.NewServeMux()
	strip.Handle("/echo/", http.StripPrefix("/echo", stripped))

	for name, handler := range map[string]http.Handler{"ServeMux": mux, "Go 1.22 pattern": pattern, "StripPrefix": strip} {
		srv := httptest.NewServer(handler)
		for path, want := range map[string]int{"/echo/": 200, "/echo/info": 200, "/echo/iframe.html": 200, "/echo/000/x/xhr": 405} {
			resp, err := testClient.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("%s: GET %s = %d, want %d", name, path, resp.StatusCode, want)
			}
		}
		if code, body := post(t, srv.URL+"/echo/000/"+name[:3]+"/xhr", ""); code != 200 || body != "o\n" {
			t.Errorf("%s: xhr open = %d %q", name, code, body)
		}
		srv.Close()
	}
}

// Session.Transport names each transport with its constant.
func TestTransportNames(t *testing.T) {
	leak.Check(t)
	names := make(chan string, 1)
	_, u := serve(t, sockjs.Options{DisconnectDelay: time.Second}, func(s *sockjs.Session) {
		names <- s.Transport()
		s.Close(3000, "done")
	})
	cases := []struct{ method, path, want string }{
		{"POST", "/000/a/xhr", sockjs.NameXHR},
		{"POST", "/000/b/xhr_streaming", sockjs.NameXHRStreaming},
		{"GET", "/000/c/eventsource", sockjs.NameEventSource},
		{"GET", "/000/d/htmlfile?c=cb", sockjs.NameHTMLFile},
		{"GET", "/000/e/jsonp?c=cb", sockjs.NameJSONP},
	}
	for _, c := range cases {
		do(t, c.method, u+c.path, nil, "")
		if got := <-names; got != c.want {
			t.Errorf("%s: Transport() = %q, want %q", c.path, got, c.want)
		}
	}
	for path, want := range map[string]string{"/000/f/websocket": sockjs.NameWebsocket, "/websocket": sockjs.NameRawWebsocket} {
		dialWS(t, u+path)
		if got := <-names; got != want {
			t.Errorf("%s: Transport() = %q, want %q", path, got, want)
		}
	}
}
