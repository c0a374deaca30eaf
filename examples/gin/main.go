// Command gin mounts a SockJS echo service on a gin engine.
//
//	cd examples/gin && go run . -addr 127.0.0.1:8080
//
// gin.WrapH turns the handler into a gin.HandlerFunc; the request reaches
// it unchanged, so it keeps its "/echo" prefix. Any() registers every
// method: the SockJS handler answers wrong methods with the protocol's 405
// itself. This example is its own module so that the library's users never
// download gin.
package main

import (
	"flag"
	"log"

	"github.com/gin-gonic/gin"
	"github.com/gosockjs/sockjs"
)

// newRouter returns a gin engine serving an echo service under /echo.
func newRouter(echo *sockjs.Handler) *gin.Engine {
	r := gin.New()
	r.Any("/echo", gin.WrapH(echo))
	r.Any("/echo/*rest", gin.WrapH(echo))
	return r
}

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
	log.Printf("echo on http://%s/echo", *addr)
	log.Fatal(newRouter(echo).Run(*addr))
}
