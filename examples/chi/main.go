// Command chi mounts a SockJS echo service on a chi router.
//
//	cd examples/chi && go run . -addr 127.0.0.1:8080
//
// chi matches "/echo/*" and hands the request on unchanged, so the handler
// keeps its "/echo" prefix. This example is its own module so that the
// library's users never download chi.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/gosockjs/sockjs"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()

	echo := sockjs.New("/echo", sockjs.Options{}, func(s *sockjs.Session) {
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return
			}
			_ = s.Send(msg)
		}
	})
	r := chi.NewRouter()
	r.Handle("/echo", echo)
	r.Handle("/echo/*", echo)
	srv := newServer(*addr, r)

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
	// Sessions first (their streaming requests end with the close frame
	// 1001), then the HTTP server; main returns once both are done.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := echo.Shutdown(shutdownCtx); err != nil {
		log.Printf("sockjs shutdown: %v", err)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Printf("http shutdown: %v", err)
	}
}

// newServer returns the HTTP server for h with the timeouts that are safe
// for every SockJS transport (see examples/echo and the README's "Running
// in production"): ReadHeaderTimeout and ReadTimeout bound how long a
// client may take to send a request, trickled bodies included, and cut no
// streaming response, long poll or websocket (net/http clears the read
// deadline once the body is read; a hijacked websocket has none);
// IdleTimeout closes keep-alive connections between requests;
// MaxHeaderBytes caps headers. No WriteTimeout: it is one deadline for a
// whole response and would cut streaming responses and long polls; the
// sockjs Handler sets a deadline on each write itself.
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
