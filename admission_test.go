package sockjs_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs"
)

// testClient is the HTTP client of the root tests: a hang fails the test
// within its timeout instead of the test binary's.
var testClient = &http.Client{Timeout: 30 * time.Second}

// originTransports open a session on each transport with a given Origin
// header and report whether the server let the request through.
var originTransports = []struct {
	name string
	try  func(t *testing.T, base, id string, header http.Header) bool
}{
	{"xhr", httpAttempt("POST", "/xhr")},
	{"xhr_streaming", httpAttempt("POST", "/xhr_streaming")},
	{"eventsource", httpAttempt("GET", "/eventsource")},
	{"htmlfile", httpAttempt("GET", "/htmlfile?c=cb")},
	{"jsonp", httpAttempt("GET", "/jsonp?c=cb")},
	{"websocket", wsAttempt(false)},
	{"rawwebsocket", wsAttempt(true)},
}

// httpAttempt opens a receiving request and reports whether it got 200;
// it fails the test on any answer other than 200 or 403.
func httpAttempt(method, path string) func(t *testing.T, base, id string, header http.Header) bool {
	return func(t *testing.T, base, id string, header http.Header) bool {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, method, base+"/000/"+id+path, nil)
		req.Header = header.Clone()
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		resp.Body.Close() // streaming responses: the headers are the answer
		switch resp.StatusCode {
		case http.StatusOK:
			return true
		case http.StatusForbidden:
			return false
		}
		t.Fatalf("%s %s: status %d", method, path, resp.StatusCode)
		return false
	}
}

// wsAttempt dials a websocket and reports whether the handshake succeeded;
// it fails the test on any refusal other than 403.
func wsAttempt(raw bool) func(t *testing.T, base, id string, header http.Header) bool {
	return func(t *testing.T, base, id string, header http.Header) bool {
		t.Helper()
		url := base + "/000/" + id + "/websocket"
		if raw {
			url = base + "/websocket"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, resp, err := websocketDial(ctx, url, &websocket.DialOptions{HTTPHeader: header.Clone(), HTTPClient: testClient})
		if err == nil {
			c.CloseNow()
			return true
		}
		if resp != nil && resp.StatusCode == http.StatusForbidden {
			return false
		}
		t.Fatalf("dial %s: %v", url, err)
		return false
	}
}

// Every AllowedOrigins entry means the same on every transport: one origin
// decision serves HTTP and websocket handshakes alike.
func TestOriginPolicyIsTheSameOnEveryTransport(t *testing.T) {
	cases := []struct {
		allowed []string
		origin  string // "self" stands for the server's own origin
		want    bool
	}{
		{nil, "self", true},
		{nil, "http://evil.example", false},
		{nil, "null", false},
		{[]string{"null"}, "null", true},
		{[]string{"null"}, "http://evil.example", false},
		{[]string{"https://*.example.com"}, "https://app.example.com", true},
		{[]string{"https://*.example.com"}, "http://app.example.com", false},
		{[]string{"https://*.example.com"}, "https://example.org", false},
		{[]string{"https://*.example.com"}, "null", false},
		{[]string{"*"}, "http://evil.example", true},
		{[]string{"*"}, "null", true},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%v/%s", c.allowed, c.origin), func(t *testing.T) {
			counters := new(sockjs.Counters)
			_, base := serve(t, sockjs.Options{AllowedOrigins: c.allowed, Metrics: counters, DisconnectDelay: 200 * time.Millisecond}, echo)
			origin := c.origin
			if origin == "self" {
				origin = strings.TrimSuffix(base, "/s")
			}
			refused := 0
			for i, tr := range originTransports {
				got := tr.try(t, base, fmt.Sprintf("o%d", i), http.Header{"Origin": {origin}})
				if got != c.want {
					t.Errorf("%s: allowed=%v, want %v", tr.name, got, c.want)
				}
				if !got {
					refused++
				}
			}
			// Every refusal is counted, websocket handshakes included.
			if n := counters.Snapshot().RejectedRequests[sockjs.RejectOrigin]; n != int64(refused) {
				t.Errorf("origin rejections counted: %d, want %d", n, refused)
			}
		})
	}
}

// A refused session says why, to the client, the metrics and the log: the
// session limit and shutting down are different answers.
func TestRegistryRefusalsCarryTheirReason(t *testing.T) {
	counters := new(sockjs.Counters)
	logs := &syncWriter{w: new(strings.Builder)}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, base := serve(t, sockjs.Options{MaxSessions: 1, Metrics: counters, Logger: logger}, echo)
	if code, _ := post(t, base+"/000/a/xhr", ""); code != 200 {
		t.Fatalf("first session: %d", code)
	}
	if code, body := post(t, base+"/000/b/xhr", ""); code != 503 || body != "Too many sessions." {
		t.Fatalf("over MaxSessions: %d %q", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocketDial(ctx, base+"/000/w/websocket", &websocket.DialOptions{HTTPClient: testClient})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusTryAgainLater || !strings.Contains(err.Error(), "Too many sessions.") {
		t.Fatalf("websocket over MaxSessions: %v", err)
	}
	c.CloseNow()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if code, body := post(t, base+"/000/c/xhr", ""); code != 503 || body != "Server is shutting down." {
		t.Fatalf("after Shutdown: %d %q", code, body)
	}
	snap := counters.Snapshot().RejectedRequests
	if snap[sockjs.RejectSessionLimit] != 2 || snap[sockjs.RejectShuttingDown] != 1 {
		t.Fatalf("rejections counted: %v", snap)
	}
	for _, want := range []string{"reason=session_limit", "reason=shutting_down"} {
		if log := logs.String(); !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

// syncWriter serializes writes of concurrent loggers.
type syncWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (s *syncWriter) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.String()
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
