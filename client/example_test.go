package client_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/client"
)

// Testing a handler without a browser: serve it with httptest.Server and
// talk to it with the client.
func Example() {
	h := sockjs.New("/echo", sockjs.Options{}, func(s *sockjs.Session) {
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return
			}
			_ = s.Send("echo: " + msg)
		}
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Shutdown(context.Background())

	ctx := context.Background()
	c, err := client.Dial(ctx, srv.URL+"/echo", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close(1000, "")
	if err := c.Send(ctx, "hello"); err != nil {
		fmt.Println(err)
		return
	}
	msg, err := c.Recv(ctx)
	fmt.Println(c.Transport(), msg, err)
	// Output: websocket echo: hello <nil>
}

// Choosing the transports, for a network where websockets do not pass.
func ExampleDial_transports() {
	h := sockjs.New("/echo", sockjs.Options{}, func(s *sockjs.Session) {
		_ = s.Close(3000, "Go away!")
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Shutdown(context.Background())

	ctx := context.Background()
	c, err := client.Dial(ctx, srv.URL+"/echo", &client.Options{
		Transports: []string{client.XHRStreaming, client.XHRPolling},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Recv(ctx)
	fmt.Println(c.Transport(), err)
	// Output: xhr-streaming sockjs client: closed 3000 Go away!
}
