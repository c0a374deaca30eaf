package sockjs_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
)

// rpc is an RPC-style service: each message is a call that takes until the
// test releases it, and the answer is "done <msg>". On Draining it finishes
// the call in flight and returns.
func rpc(started chan<- struct{}, release <-chan struct{}) func(*sockjs.Session) {
	return func(s *sockjs.Session) {
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return
			}
			started <- struct{}{}
			select {
			case <-release: // the call runs under its own context, not cut by Drain
			case <-time.After(10 * time.Second):
				return
			}
			_ = s.Send("done " + msg)
			select {
			case <-s.Draining():
				return
			default:
			}
		}
	}
}

// Drain on every transport: a call in flight when the drain starts
// finishes and its answer reaches the client, new sessions are refused
// meanwhile, and then the client gets 1001.
func TestDrainLetsCallsFinishOnEveryTransport(t *testing.T) {
	leak.Check(t)
	transports := []struct {
		name string
		open func(t *testing.T, base string) func() string // returns the next frame reader
	}{
		{"websocket", func(t *testing.T, base string) func() string {
			c := dialWS(t, base+"/websocket")
			readWS(t, c)
			writeWS(t, c, `["call"]`)
			return func() string { return readWS(t, c) }
		}},
		{"xhr_streaming", streamFrames("POST", "xhr_streaming")},
		{"eventsource", streamFrames("GET", "eventsource")},
		{"xhr", func(t *testing.T, base string) func() string {
			post(t, base+"/xhr", "")
			go func() { _, _ = testClient.Post(base+"/xhr_send", "text/plain", strings.NewReader(`["call"]`)) }()
			return func() string {
				_, body := post(t, base+"/xhr", "")
				return strings.TrimSuffix(body, "\n")
			}
		}},
	}
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			started, release := make(chan struct{}, 1), make(chan struct{})
			h := sockjs.New("/s", sockjs.Options{DisconnectDelay: time.Second}, rpc(started, release))
			srv := newServer(t, h)
			next := tr.open(t, srv.URL+"/s/000/"+tr.name)
			<-started // the call is in flight

			drained := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				drained <- h.Drain(ctx)
			}()
			for i := 0; i < 100; i++ { // new sessions are refused once the drain began
				if code, _ := post(t, srv.URL+"/s/000/late/xhr", ""); code == http.StatusServiceUnavailable {
					break
				}
				if i == 99 {
					t.Fatal("new sessions still accepted during the drain")
				}
				time.Sleep(10 * time.Millisecond)
			}
			select {
			case err := <-drained:
				t.Fatalf("Drain returned (%v) while a call was in flight", err)
			default:
			}
			close(release)
			if got := next(); got != `a["done call"]` {
				t.Fatalf("answer of the call in flight: %q", got)
			}
			if got := next(); got != `c[1001,"Server shutting down"]` {
				t.Fatalf("after the answer: %q, want the 1001 close", got)
			}
			if err := <-drained; err != nil {
				t.Fatalf("Drain: %v", err)
			}
		})
	}
}

// streamFrames opens a streaming receiver, sends a call, and returns a
// reader of its frames.
func streamFrames(method, transport string) func(t *testing.T, base string) func() string {
	return func(t *testing.T, base string) func() string {
		req, _ := http.NewRequest(method, base+"/"+transport, nil)
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		sc := bufio.NewScanner(resp.Body)
		next := func() string {
			for sc.Scan() {
				line := strings.TrimPrefix(sc.Text(), "data: ")
				if line == "" || line[0] == 'h' || line == "o" {
					continue
				}
				return line
			}
			return "end of stream: " + errString(sc.Err())
		}
		go func() { _, _ = testClient.Post(base+"/xhr_send", "text/plain", strings.NewReader(`["call"]`)) }()
		return next
	}
}

func errString(err error) string {
	if err == nil {
		return "EOF"
	}
	return err.Error()
}

// newServer serves h on loopback and shuts both down when the test ends.
func newServer(t *testing.T, h *sockjs.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		srv.Close()
	})
	return srv
}
