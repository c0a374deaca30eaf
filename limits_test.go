package sockjs_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
)

func do(t *testing.T, method, url string, header http.Header, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestOversizedWebsocketMessageClosesConnection(t *testing.T) {
	leak.Check(t)
	_, url := serve(t, sockjs.Options{MaxMessageSize: 1024}, echo)
	c := dialWS(t, url+"/000/big/websocket")
	readWS(t, c)
	writeWS(t, c, `["`+strings.Repeat("x", 2048)+`"]`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := c.Read(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusMessageTooBig {
		t.Fatalf("read after an oversized message: %v (status %d), want close 1009", err, got)
	}
}

func TestOversizedBodyIs413(t *testing.T) {
	_, url := serve(t, sockjs.Options{MaxBodySize: 1024, DisconnectDelay: time.Second}, echo)
	post(t, url+"/000/big/xhr", "")
	big := `["` + strings.Repeat("x", 2048) + `"]`
	for _, path := range []string{"/000/big/xhr_send", "/000/big/jsonp_send"} {
		if code, body := post(t, url+path, big); code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s with a 2 KiB body: %d %q, want 413", path, code, body)
		}
	}
	if code, _ := post(t, url+"/000/big/xhr_send", `["small"]`); code != 204 {
		t.Errorf("session unusable after a refused body: %d", code)
	}
}

func TestMaxSessions(t *testing.T) {
	h, url := serve(t, sockjs.Options{MaxSessions: 2}, echo)
	post(t, url+"/000/a/xhr", "")
	post(t, url+"/000/b/xhr", "")
	if code, _ := post(t, url+"/000/c/xhr", ""); code != http.StatusServiceUnavailable {
		t.Fatalf("third session: %d, want 503", code)
	}
	if n := h.Len(); n != 2 {
		t.Fatalf("Handler.Len() = %d, want 2", n)
	}
	if code, body := post(t, url+"/000/a/xhr_send", `["x"]`); code != 204 {
		t.Fatalf("existing session refused: %d %q", code, body)
	}
}

// A websocket's session gives its place back when it ends: the total and
// per-client caps count open sessions, not every websocket a client ever
// opened. (Private sessions once stayed in the registry, so a client was
// refused for good after its hundredth websocket.)
func TestEndedWebsocketSessionsFreeTheirPlace(t *testing.T) {
	for _, limits := range []struct {
		name string
		opts sockjs.Options
	}{
		{"MaxSessions", sockjs.Options{MaxSessions: 2, SessionRate: -1}},
		{"MaxSessionsPerClient", sockjs.Options{MaxSessionsPerClient: 2, SessionRate: -1}},
	} {
		for _, raw := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/raw=%v", limits.name, raw), func(t *testing.T) {
				_, url := serve(t, limits.opts, echo)
				for i := range 5 {
					path := fmt.Sprintf("/000/w%d/websocket", i)
					if raw {
						path = "/websocket"
					}
					// The previous session ends a moment after its
					// connection closed: the next one may be refused
					// until then, and must open after.
					deadline := time.Now().Add(5 * time.Second)
					for !openedWS(t, url+path, raw) {
						if time.Now().After(deadline) {
							t.Fatalf("websocket %d refused although the %d before it were closed", i+1, i)
						}
						time.Sleep(10 * time.Millisecond)
					}
				}
			})
		}
	}
}

// openedWS dials a websocket, reports whether its session opened (the open
// frame, or a raw websocket's echo), and closes it.
func openedWS(t *testing.T, url string, raw bool) bool {
	t.Helper()
	c := dialWS(t, url)
	defer c.CloseNow() // now, not at the test's end: the session must end
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	want := "o"
	if raw {
		want = "ping"
		if err := c.Write(ctx, websocket.MessageText, []byte(want)); err != nil {
			return false
		}
	}
	_, p, err := c.Read(ctx)
	if websocket.CloseStatus(err) == websocket.StatusTryAgainLater {
		return false
	}
	if err != nil || string(p) != want {
		t.Fatalf("%s: first message %q, %v; want %q", url, p, err, want)
	}
	return true
}

func TestOriginPolicy(t *testing.T) {
	cases := []struct {
		allowed []string
		origin  string
		ok      bool
	}{
		{nil, "", true},                     // not a cross-origin browser request
		{nil, "http://evil.example", false}, // default: same origin only
		{nil, "null", false},                // file:// pages are another origin
		{[]string{"*"}, "http://evil.example", true},
		{[]string{"*"}, "null", true},
		{[]string{"https://*.example"}, "https://app.example", true},
		{[]string{"https://*.example"}, "http://app.example", false},
		{[]string{"app.example"}, "https://app.example", true},
		{[]string{"app.example"}, "https://evil.example", false},
	}
	for _, c := range cases {
		_, url := serve(t, sockjs.Options{AllowedOrigins: c.allowed, DisconnectDelay: 100 * time.Millisecond}, echo)
		header := http.Header{}
		if c.origin != "" {
			header.Set("Origin", c.origin)
		}
		for _, path := range []string{"/info", "/000/o/xhr", "/000/o/jsonp_send"} {
			method := "POST"
			if path == "/info" {
				method = "GET"
			}
			resp := do(t, method, url+path, header, "")
			acao := resp.Header.Get("Access-Control-Allow-Origin")
			acac := resp.Header.Get("Access-Control-Allow-Credentials")
			if c.ok {
				if resp.StatusCode == http.StatusForbidden {
					t.Errorf("allowed %v, Origin %q, %s: 403", c.allowed, c.origin, path)
				}
				continue
			}
			if resp.StatusCode != http.StatusForbidden || acao != "" || acac != "" {
				t.Errorf("allowed %v, Origin %q, %s: %d ACAO %q ACAC %q, want 403 without CORS",
					c.allowed, c.origin, path, resp.StatusCode, acao, acac)
			}
		}
		if c.origin != "" && c.origin != "null" {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/000/ws/websocket",
				&websocket.DialOptions{HTTPHeader: header})
			cancel()
			if err == nil {
				conn.CloseNow()
			}
			if (err == nil) != c.ok {
				t.Errorf("allowed %v, Origin %q: websocket dial error %v", c.allowed, c.origin, err)
			}
		}
	}
}

func TestSameOriginIsAllowedByDefault(t *testing.T) {
	_, url := serve(t, sockjs.Options{DisconnectDelay: 100 * time.Millisecond}, echo)
	resp := do(t, "POST", url+"/000/so/xhr", http.Header{"Origin": {strings.TrimSuffix(url, "/s")}}, "")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != strings.TrimSuffix(url, "/s") {
		t.Fatalf("same-origin xhr: %d ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
}

func TestDisabledTransportsAre404(t *testing.T) {
	_, url := serve(t, sockjs.Options{Disabled: sockjs.TransportJSONP | sockjs.TransportHTMLFile | sockjs.TransportIframe | sockjs.TransportWebsocket}, echo)
	for _, p := range []string{"/000/d/jsonp?c=x", "/000/d/htmlfile?c=x", "/iframe.html", "/000/d/websocket", "/websocket"} {
		if resp := do(t, "GET", url+p, nil, ""); resp.StatusCode != 404 {
			t.Errorf("GET %s with the transport disabled: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp := do(t, "POST", url+"/000/d/jsonp_send", nil, "d=[]"); resp.StatusCode != 404 {
		t.Errorf("jsonp_send disabled: %d", resp.StatusCode)
	}
}

// badRequests are requests of every bad shape, each with the status it must
// get.
var badRequests = []struct {
	method, path, contentType, body string
	status                          int
}{
	{"POST", "/000/bad/xhr_send", "text/plain", `["x`, 500},
	{"POST", "/000/bad/xhr_send", "text/plain", ``, 500},
	{"POST", "/000/bad/xhr_send", "text/plain", `{"a":1}`, 500},
	{"POST", "/000/bad/xhr_send", "text/plain", `["a",1]`, 500},
	{"POST", "/000/bad/jsonp_send", "application/x-www-form-urlencoded", `d=%5B%22x`, 500},
	{"POST", "/000/bad/jsonp_send", "application/x-www-form-urlencoded", `p=p`, 500},
	{"POST", "/000/nosuch/xhr_send", "text/plain", `["x"]`, 404},
	{"GET", "/000/bad/jsonp?c=abc(", "", "", 500},
	{"GET", "/000/bad/jsonp", "", "", 500},
	{"GET", "/000/bad/htmlfile?c=" + strings.Repeat("a", 40), "", "", 500},
	{"GET", "/000/bad/htmlfile?c=%3C%2Fscript%3E", "", "", 500},
	{"GET", "/000/" + strings.Repeat("i", 100) + "/xhr", "", "", 404},
	{"POST", "/000/a.b/xhr", "", "", 404},
	{"POST", "/000/a;b/xhr", "", "", 404},
	{"POST", "/000/a$b/xhr", "", "", 404},
	{"GET", "/000/bad/xhr", "", "", 405},
	{"PUT", "/info", "", "", 405},
	{"DELETE", "/000/bad/jsonp_send", "", "", 405},
	{"GET", "/000/bad/nosuch", "", "", 404},
	{"GET", "/000/bad/websocket", "", "", 400},
	{"PO", "/000/bad/xhr", "", "", 405},         // not POST, however it starts
	{"GE", "/000/bad/eventsource", "", "", 405}, // not GET
}

// Thousands of bad requests get their statuses, create no session, and leave
// goroutines and memory as they were.
func TestBadRequestFlood(t *testing.T) {
	leak.Check(t)
	h, url := serve(t, sockjs.Options{DisconnectDelay: time.Minute}, echo)
	post(t, url+"/000/bad/xhr", "")
	_ = h
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const rounds = 500 // each round sends every shape of badRequests
	for i := 0; i < rounds; i++ {
		for _, r := range badRequests {
			req, _ := http.NewRequest(r.method, url+r.path, strings.NewReader(r.body))
			if r.contentType != "" {
				req.Header.Set("Content-Type", r.contentType)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != r.status {
				t.Fatalf("%s %s %q: %d, want %d", r.method, r.path, r.body, resp.StatusCode, r.status)
			}
		}
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 8<<20 {
		t.Errorf("heap grew by %d bytes over %d bad requests", grown, rounds*len(badRequests))
	}
	if code, _ := post(t, url+"/000/bad/xhr_send", `["still fine"]`); code != 204 {
		t.Errorf("the session was harmed by bad requests: %d", code)
	}
	http.DefaultClient.CloseIdleConnections()
}

// A websocket peer that stops answering pings is dropped, and its session
// ends, even though writes into its socket buffer still succeed.
func TestUnresponsiveWebsocketPeerIsDropped(t *testing.T) {
	leak.Check(t)
	opened := make(chan *sockjs.Session, 1)
	_, url := serve(t, sockjs.Options{HeartbeatDelay: 100 * time.Millisecond, WriteTimeout: 300 * time.Millisecond},
		func(s *sockjs.Session) {
			opened <- s
			<-s.Context().Done()
		})
	c := dialWS(t, url+"/000/mute/websocket")
	if got := readWS(t, c); got != "o" {
		t.Fatalf("open frame %q", got)
	}
	s := <-opened
	// The client reads no more, so it answers no ping.
	select {
	case <-s.Context().Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the session of a peer that answers no ping did not end")
	}
}

func TestJSONPIsNosniff(t *testing.T) {
	_, url := serve(t, sockjs.Options{DisconnectDelay: time.Second}, echo)
	resp := do(t, "GET", url+"/000/ns/jsonp?c=cb", nil, "")
	if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Fatalf("jsonp X-Content-Type-Options = %q, want nosniff", got)
	}
}

// InboxSize bounds a single send too: one body of many empty messages
// (about 349,000 fit in 1 MiB) is refused with 413 and costs the session
// nothing; on a websocket such a message closes with 1009.
func TestSingleSendOverInboxSizeIsRefused(t *testing.T) {
	leak.Check(t)
	_, url := serve(t, sockjs.Options{InboxSize: 100, DisconnectDelay: time.Second}, echo)
	post(t, url+"/000/many/xhr", "")
	many := "[" + strings.TrimSuffix(strings.Repeat(`"",`, 101), ",") + "]"
	if code, body := post(t, url+"/000/many/xhr_send", many); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a send of 101 messages with InboxSize 100: %d %q, want 413", code, body)
	}
	if code, _ := post(t, url+"/000/many/xhr_send", `["ok"]`); code != 204 {
		t.Fatalf("session unusable after the refusal: %d", code)
	}

	c := dialWS(t, url+"/000/ws/websocket")
	readWS(t, c)
	writeWS(t, c, many)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, p, err := c.Read(ctx)
		if err != nil {
			if got := websocket.CloseStatus(err); got != websocket.StatusMessageTooBig {
				t.Fatalf("after a websocket message of 101 messages: %v, want close 1009", err)
			}
			return
		}
		if p[0] == 'a' {
			t.Fatalf("the application got messages: %s", p)
		}
	}
}
