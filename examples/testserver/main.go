// Command testserver serves the SockJS protocol test services
// (docs/protocol.md#conformance-test-server) for the official sockjs-protocol suite and for browser
// tests: /echo, /close, /disabled_websocket_echo and /cookie_needed_echo,
// allowing every origin, and for the browser tests /default_echo (zero
// Options) and /big_echo (an 8 MiB response limit).
//
//	go run ./examples/testserver -addr 127.0.0.1:8081
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

	"github.com/gosockjs/sockjs/internal/testserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	clientURL := flag.String("client-url", "", "sockjs-client script for the iframe page (default: jsDelivr)")
	static := flag.String("static", "", "directory served under /static/ (for browser test pages)")
	flag.Parse()

	services := testserver.NewWithClientURL(*clientURL)
	mux := http.NewServeMux()
	if *static != "" {
		mux.Handle("/static/", http.StripPrefix("/static/", http.FileServer(http.Dir(*static))))
	}
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if *static != "" && len(r.URL.Path) >= 8 && r.URL.Path[:8] == "/static/" {
			mux.ServeHTTP(w, r)
			return
		}
		services.ServeHTTP(w, r)
	})
	srv := newServer(*addr, root)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
	log.Printf("sockjs test server on http://%s", *addr)
	select {
	case err := <-served:
		log.Fatal(err)
	case <-ctx.Done():
	}
	// Sessions first (their streaming requests end with the close frame),
	// then the HTTP server; main returns once both are done.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = services.Shutdown(shutdownCtx)
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
