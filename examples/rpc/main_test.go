package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// start runs the service with run on a loopback port; stop is what SIGTERM
// does in main.
func start(t *testing.T) (base string, stop context.CancelFunc, result <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := newHandler()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1) // run's result, for the test
	finished := make(chan struct{})
	go func() {
		done <- run(ctx, ln, newServer(h), h)
		close(finished)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(40 * time.Second):
			t.Error("run did not return")
		}
	})
	return "http://" + ln.Addr().String() + "/rpc", cancel, done
}

// rpcClient is a SockJS websocket client of the service.
type rpcClient struct {
	t *testing.T
	c *websocket.Conn
}

func dialRPC(t *testing.T, base, id string) *rpcClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/000/"+id+"/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	r := &rpcClient{t, c}
	if f := r.frame(); f != "o" {
		t.Fatalf("open frame %q", f)
	}
	return r
}

func (r *rpcClient) frame() string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, p, err := r.c.Read(ctx)
	if err != nil {
		r.t.Fatalf("read: %v", err)
	}
	return string(p)
}

func (r *rpcClient) call(msg string) {
	r.t.Helper()
	frame, _ := json.Marshal([]string{msg})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.c.Write(ctx, websocket.MessageText, frame); err != nil {
		r.t.Fatal(err)
	}
}

// replies decodes an a[...] frame.
func (r *rpcClient) replies(frame string) []reply {
	r.t.Helper()
	var msgs []string
	if !strings.HasPrefix(frame, "a") || json.Unmarshal([]byte(frame[1:]), &msgs) != nil {
		r.t.Fatalf("not a message frame: %q", frame)
	}
	var out []reply
	for _, m := range msgs {
		var rep reply
		if err := json.Unmarshal([]byte(m), &rep); err != nil {
			r.t.Fatal(err)
		}
		out = append(out, rep)
	}
	return out
}

func TestCalls(t *testing.T) {
	base, _, _ := start(t)
	c := dialRPC(t, base, "calls")
	c.call(`{"id":1,"method":"sum","params":[1,2,3.5]}`)
	if got := c.replies(c.frame()); len(got) != 1 || got[0].ID != 1 || got[0].Result != 6.5 {
		t.Fatalf("sum: %+v", got)
	}
	c.call(`{"id":2,"method":"nope"}`)
	if got := c.replies(c.frame()); got[0].Error != "no method nope" {
		t.Fatalf("unknown method: %+v", got)
	}
}

// SIGTERM while a call is in flight: the call finishes and its answer
// arrives, new sessions are refused, then the client gets 1001, and run
// returns.
func TestSIGTERMLetsCallsInFlightFinish(t *testing.T) {
	base, stop, result := start(t)
	c := dialRPC(t, base, "busy")
	c.call(`{"id":7,"method":"sleep","params":[500]}`)
	time.Sleep(100 * time.Millisecond) // the call has started
	began := time.Now()
	stop()

	deadline := time.Now().Add(5 * time.Second)
	for { // the drain refuses new sessions
		resp, err := http.Post(base+"/000/late/xhr", "text/plain", nil)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("new sessions still accepted while draining")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := c.replies(c.frame()); len(got) != 1 || got[0].ID != 7 || got[0].Result != "slept" {
		t.Fatalf("the call in flight: %+v, want its result", got)
	}
	if f := c.frame(); f != `c[1001,"Server shutting down"]` {
		t.Fatalf("after the last answer: %q, want 1001", f)
	}
	select {
	case err := <-result:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after the drain")
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("the drain took %v for a 0.5 s call", d)
	}
}
