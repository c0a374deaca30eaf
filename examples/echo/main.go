// Command echo is a minimal SockJS echo server with default Options. On
// SIGINT or SIGTERM it shuts down gracefully: every open session receives
// its close frame (1001 "Server shutting down") before the process exits.
//
//	go run ./examples/echo -addr 127.0.0.1:8080
//
// The service is at http://127.0.0.1:8080/echo; only pages from that same
// origin may use it (the default origin policy).
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gosockjs/sockjs"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()

	echo := newEcho()
	srv := newServer(*addr, routes(echo))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	log.Printf("echo on http://%s/echo", *addr)

	select {
	case err := <-served:
		log.Fatal(err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Sessions first, so streaming requests end with their close frames;
	// then the HTTP server, which waits for those requests to finish.
	if err := echo.Shutdown(shutdownCtx); err != nil {
		log.Printf("sockjs shutdown: %v", err)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Printf("http shutdown: %v", err)
	}
	log.Print("bye")
}

// newEcho returns the echo service: every message comes back to its sender.
func newEcho() *sockjs.Handler {
	return sockjs.New("/echo", sockjs.Options{}, func(s *sockjs.Session) {
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return
			}
			if err := s.Send(msg); err != nil {
				return
			}
		}
	})
}

// routes mounts echo under /echo.
func routes(echo *sockjs.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/echo", echo)
	mux.Handle("/echo/", echo)
	return mux
}

// newServer returns the HTTP server for h with timeouts that are safe for
// every SockJS transport:
//
//   - ReadHeaderTimeout and ReadTimeout bound how long a client may take to
//     send a request's headers, and its headers and body (an xhr_send or
//     jsonp_send body trickled one byte at a time holds a handler only that
//     long). Neither cuts long-lived responses: net/http clears the read
//     deadline once the body has been read, and a websocket's hijacked
//     connection carries none.
//   - IdleTimeout closes keep-alive connections that wait for their next
//     request; a connection busy with a streaming response, a long poll or
//     a websocket is not idle.
//   - MaxHeaderBytes caps request headers (the default is 1 MiB).
//   - WriteTimeout is left unset on purpose: it is one deadline for a whole
//     response, so it would cut xhr_streaming, eventsource and htmlfile
//     responses and long polls, and cap websockets. The sockjs Handler puts a
//     deadline on each write itself (Options.WriteTimeout).
func newServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}
