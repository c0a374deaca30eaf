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

	echo := sockjs.New("/echo", sockjs.Options{}, func(s *sockjs.Session) {
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
	mux := http.NewServeMux()
	mux.Handle("/echo", echo)
	mux.Handle("/echo/", echo)
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

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
