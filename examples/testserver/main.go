// Command testserver serves the SockJS protocol test services
// (PROTOCOL.md §1.1) for the official sockjs-protocol suite and for browser
// tests: /echo, /close, /disabled_websocket_echo, /cookie_needed_echo and
// /default_echo, allowing every origin.
//
//	go run ./examples/testserver -addr 127.0.0.1:8081
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
	srv := &http.Server{Addr: *addr, Handler: root, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = services.Shutdown(shutdownCtx)
		_ = srv.Shutdown(shutdownCtx)
	}()
	log.Printf("sockjs test server on http://%s", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
