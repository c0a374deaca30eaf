package sockjs_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
	"github.com/gosockjs/sockjs/session"
)

// client is one receiving connection of any transport, seen from outside.
type client interface {
	// waitFor reads until the received bytes contain s.
	waitFor(t *testing.T, s string)
	// abort drops the connection without a goodbye.
	abort()
}

type httpClient struct {
	cancel context.CancelFunc
	body   *bufio.Reader
	seen   strings.Builder
}

func (c *httpClient) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(c.seen.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("did not receive %q; got %q", s, c.seen.String())
		}
		b, err := c.body.ReadByte()
		if err != nil {
			t.Fatalf("waiting for %q: %v; got %q", s, err, c.seen.String())
		}
		c.seen.WriteByte(b)
	}
}

func (c *httpClient) abort() { c.cancel() }

type wsClient struct{ conn *websocket.Conn }

func (c *wsClient) waitFor(t *testing.T, s string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, p, err := c.conn.Read(ctx)
		cancel()
		if err != nil {
			if s == "closed" {
				return
			}
			t.Fatalf("waiting for %q: %v", s, err)
		}
		if strings.Contains(string(p), s) {
			return
		}
	}
	t.Fatalf("did not receive %q", s)
}

func (c *wsClient) abort() { c.conn.CloseNow() }

// receivingTransports lists each transport with the request that opens a
// receiving connection and the marker of its open frame.
var receivingTransports = []struct {
	name, method, path, open string
}{
	{"websocket", "WS", "/websocket", "o"},
	{"rawwebsocket", "RAW", "", ""},
	{"xhr", "POST", "/xhr", "o\n"},
	{"xhr_streaming", "POST", "/xhr_streaming", "o\n"},
	{"eventsource", "GET", "/eventsource", "data: o\r\n"},
	{"htmlfile", "GET", "/htmlfile?c=cb", `p("o")`},
	{"jsonp", "GET", "/jsonp?c=cb", `cb("o")`},
}

func open(t *testing.T, base, id, method, path string) client {
	t.Helper()
	switch method {
	case "WS", "RAW":
		url := base + "/000/" + id + path
		if method == "RAW" {
			url = base + "/websocket"
		}
		return &wsClient{conn: dialWS(t, url)}
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, method, base+"/000/"+id+path, nil)
	resp, err := testClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	return &httpClient{cancel: cancel, body: bufio.NewReader(resp.Body)}
}

// Every transport, and every way a session can end, leaves no goroutine
// behind once the handler is shut down, and each ending is the one its name
// says: the session's close cause proves it.
func TestNoGoroutineLeaks(t *testing.T) {
	endings := []struct {
		name  string
		cause sockjs.CloseError // what context.Cause of the session must be
	}{
		{"app close", sockjs.CloseError{Code: 3000, Reason: "Go away!"}},
		{"handler returns", sockjs.CloseError{Code: session.CodeNormal, Reason: session.ReasonNormal}},
		{"client abort", sockjs.CloseError{Code: session.CodeInterrupted, Reason: session.ReasonInterrupted}},
		{"timeout", sockjs.CloseError{Code: session.CodeNormal, Reason: session.ReasonTimedOut}},
		{"shutdown", sockjs.CloseError{Code: session.CodeGoingAway, Reason: session.ReasonGoingAway}},
	}
	for _, tr := range receivingTransports {
		for _, ending := range endings {
			if ending.name == "timeout" && (tr.method == "WS" || tr.method == "RAW") {
				continue // websocket sessions end with their connection
			}
			t.Run(tr.name+"/"+ending.name, func(t *testing.T) {
				leak.Check(t)
				opened := make(chan *sockjs.Session, 1)
				opts := sockjs.Options{DisconnectDelay: 100 * time.Millisecond}
				if ending.name == "timeout" {
					// Every response ends after one frame, so that the
					// client has no request open and the session expires.
					opts.ResponseLimit = 1
				}
				h, base := serve(t, opts, func(s *sockjs.Session) {
					opened <- s
					switch ending.name {
					case "app close":
						_ = s.Close(3000, "Go away!")
					case "handler returns":
					default:
						echo(s)
					}
				})
				c := open(t, base, "leak", tr.method, tr.path)
				if tr.open != "" {
					c.waitFor(t, tr.open)
				}
				s := <-opened
				switch ending.name {
				case "client abort":
					if tr.name == "xhr" || tr.name == "jsonp" {
						// A poll is over once it carried "o": abort the
						// next one, pending on the session.
						c = pendingPoll(t, base, "leak", tr.method, tr.path)
					}
					c.abort()
				case "shutdown":
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					if err := h.Shutdown(ctx); err != nil {
						t.Fatal(err)
					}
				}
				select {
				case <-s.Context().Done():
				case <-time.After(5 * time.Second):
					t.Fatalf("session did not end")
				}
				var ce *sockjs.CloseError
				if err := context.Cause(s.Context()); !errors.As(err, &ce) || *ce != ending.cause {
					t.Errorf("session ended with %v, want %v", err, &ending.cause)
				}
				c.abort()
			})
		}
	}
}

// pendingPoll returns a poll of an open polling session that the session
// holds. It sends two polls: the session refuses one of them with 2010,
// and the other is then the one held.
func pendingPoll(t *testing.T, base, id, method, path string) client {
	t.Helper()
	type answer struct {
		poll int
		body string
		err  error
	}
	answers := make(chan answer, 2)
	var cancels [2]context.CancelFunc
	for i := range cancels {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		t.Cleanup(cancel)
		req, _ := http.NewRequestWithContext(ctx, method, base+"/000/"+id+path, nil)
		go func() {
			resp, err := testClient.Do(req)
			if err != nil {
				answers <- answer{i, "", err}
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			answers <- answer{i, string(body), err}
		}()
	}
	select {
	case a := <-answers:
		if a.err != nil || !strings.Contains(a.body, "2010") {
			t.Fatalf("poll %d: %q %v, want the 2010 refusal", a.poll, a.body, a.err)
		}
		return &httpClient{cancel: cancels[1-a.poll]}
	case <-time.After(5 * time.Second):
		t.Fatal("neither poll was refused with 2010")
		return nil
	}
}
