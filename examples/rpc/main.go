// Command rpc is a request/response service over SockJS: each message is a
// JSON call, {"id": 1, "method": "sum", "params": [1, 2]}, answered by
// {"id": 1, "result": 3} or {"id": 1, "error": "..."}. Calls run
// concurrently, a few per session, so a slow one does not hold up the
// others.
//
//	go run ./examples/rpc -addr 127.0.0.1:8082
//
// It is the template for a service whose work must not be cut short by a
// deployment. On SIGINT/SIGTERM it drains: Handler.Drain refuses new
// sessions and closes every session's Draining channel; each serve function
// stops taking calls, waits for its calls in flight (they run under the
// session's Context, which a drain leaves alone), and returns, so every
// client gets its answers and then 1001 "Server shutting down". A call that
// outlives the drain's 30 s is cut when the sessions are closed.
//
// Methods: "sum" adds numbers; "sleep" waits params[0] milliseconds (at most
// 10 s) and answers "slept", standing for real work (a database query, a
// call to another service).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/gosockjs/sockjs"
)

// Limits of the service: a call's message, the calls a session may have in
// flight, and how long a drain waits for them.
const (
	maxMessage    = 16 << 10
	maxInFlight   = 8
	drainTimeout  = 30 * time.Second
	maxSleep      = 10 * time.Second
	shutdownAfter = 10 * time.Second // after the drain: the HTTP server's own shutdown
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8082", "address to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	h := newHandler()
	log.Printf("rpc on http://%s/rpc", ln.Addr())
	if err := run(ctx, ln, newServer(h), h); err != nil {
		log.Fatal(err)
	}
	log.Print("bye")
}

// newHandler returns the SockJS service at /rpc.
func newHandler() *sockjs.Handler {
	return sockjs.New("/rpc", sockjs.Options{
		MaxMessageSize: maxMessage,
		MaxBodySize:    maxMessage,
		Logger:         slogDefault(),
	}, serve)
}

// newServer returns the HTTP server, with the timeouts that suit every
// SockJS transport (see examples/echo): no WriteTimeout.
func newServer(h *sockjs.Handler) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("/rpc/", h)
	return &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// run serves until ctx ends, then drains the SockJS service and shuts the
// HTTP server down, and returns only when both are done.
func run(ctx context.Context, ln net.Listener, srv *http.Server, h *sockjs.Handler) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	drainCtx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	errDrain := h.Drain(drainCtx)
	httpCtx, cancelHTTP := context.WithTimeout(context.Background(), shutdownAfter)
	defer cancelHTTP()
	errHTTP := srv.Shutdown(httpCtx)
	<-served
	return errors.Join(errDrain, errHTTP)
}

// call and reply are the messages of the protocol.
type call struct {
	ID     int64             `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

type reply struct {
	ID     int64  `json:"id"`
	Result any    `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
}

// serve runs one session: it takes calls until the client leaves or the
// server drains, runs each on its own goroutine, and returns once the calls
// in flight have answered.
func serve(s *sockjs.Session) {
	var calls sync.WaitGroup
	defer calls.Wait() // a drain waits for the answers, then the client gets 1001
	slots := make(chan struct{}, maxInFlight)

	// Recv's context ends at a drain too, so that no new call starts.
	ctx, cancel := context.WithCancel(s.Context())
	defer cancel()
	go func() {
		select {
		case <-s.Draining():
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		msg, err := s.Recv(ctx)
		if err != nil {
			return
		}
		var c call
		if err := json.Unmarshal([]byte(msg), &c); err != nil {
			answer(s, reply{Error: "bad call: " + err.Error()})
			continue
		}
		select {
		case slots <- struct{}{}:
		default:
			answer(s, reply{ID: c.ID, Error: "too many calls in flight"})
			continue
		}
		calls.Add(1)
		go func() {
			defer calls.Done()
			defer func() { <-slots }()
			// The session's Context, not ctx: a drain lets the call finish.
			answer(s, execute(s.Context(), c))
		}()
	}
}

// execute runs one call.
func execute(ctx context.Context, c call) reply {
	switch c.Method {
	case "sum":
		var total float64
		for _, p := range c.Params {
			var x float64
			if err := json.Unmarshal(p, &x); err != nil {
				return reply{ID: c.ID, Error: "sum takes numbers"}
			}
			total += x
		}
		return reply{ID: c.ID, Result: total}
	case "sleep":
		var ms int64
		if len(c.Params) != 1 || json.Unmarshal(c.Params[0], &ms) != nil || ms < 0 {
			return reply{ID: c.ID, Error: "sleep takes milliseconds"}
		}
		select {
		case <-time.After(min(time.Duration(ms)*time.Millisecond, maxSleep)):
			return reply{ID: c.ID, Result: "slept"}
		case <-ctx.Done():
			return reply{ID: c.ID, Error: "cancelled"}
		}
	}
	return reply{ID: c.ID, Error: "no method " + c.Method}
}

// answer sends r; a session that is gone has nobody to tell.
func answer(s *sockjs.Session, r reply) {
	data, _ := json.Marshal(r)
	_ = s.Send(string(data))
}
