// Command chi mounts a SockJS echo service on a chi router.
//
//	cd examples/chi && go run . -addr 127.0.0.1:8080
//
// chi matches "/echo/*" and hands the request on unchanged, so the handler
// keeps its "/echo" prefix. This example is its own module so that the
// library's users never download chi.
package main

import (
	"flag"
	"log"
	"net/http"
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
	srv := &http.Server{Addr: *addr, Handler: r, ReadHeaderTimeout: 10 * time.Second}
	log.Printf("echo on http://%s/echo", *addr)
	log.Fatal(srv.ListenAndServe())
}
