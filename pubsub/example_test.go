package pubsub_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/pubsub"
)

// A chat room: every session joins the topic "room" and publishes what
// its client says. With pubsub.NewHub(nil) the room spans one process;
// with a Broker such as redisbroker's, it spans every node that uses the
// same Broker. Two raw websocket clients stand in for browsers.
func ExampleHub() {
	hub := pubsub.NewHub(nil)
	defer hub.Close()
	room := sockjs.New("/room", sockjs.Options{}, func(s *sockjs.Session) {
		if err := hub.Join(s.Context(), "room", s); err != nil {
			return
		}
		_ = s.Send("welcome")
		// The notice runs after the session stopped being open, when
		// s.Context() is done: it needs a context of its own.
		defer func() {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(s.Context()), time.Second)
			defer cancel()
			_ = hub.Publish(ctx, "room", "someone left")
		}()
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return // closing: the Hub drops s by itself
			}
			_ = hub.Publish(s.Context(), "room", msg)
		}
	})
	srv := httptest.NewServer(room)
	defer srv.Close()
	defer room.Shutdown(context.Background())

	ctx := context.Background()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/room/websocket"
	read := func(c *websocket.Conn) string {
		_, p, err := c.Read(ctx)
		if err != nil {
			return err.Error()
		}
		return string(p)
	}
	alice, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer alice.CloseNow()
	bob, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bob.CloseNow()
	fmt.Println("alice:", read(alice))
	fmt.Println("bob:", read(bob))

	_ = alice.Write(ctx, websocket.MessageText, []byte("hello, room"))
	fmt.Println("bob:", read(bob))
	fmt.Println("alice:", read(alice))
	_ = alice.Close(websocket.StatusNormalClosure, "")
	fmt.Println("bob:", read(bob))
	// Output:
	// alice: welcome
	// bob: welcome
	// bob: hello, room
	// alice: hello, room
	// bob: someone left
}

// Local on its own: a subscription receives what is published to its
// topic after Subscribe returned, in order.
func ExampleLocal() {
	broker := pubsub.NewLocal(pubsub.LocalOptions{})
	defer broker.Close()
	ctx := context.Background()

	got := make(chan string, 2)
	cancel, err := broker.Subscribe(ctx, "news", func(msg string) { got <- msg })
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cancel()
	_ = broker.Publish(ctx, "news", "first")
	_ = broker.Publish(ctx, "sports", "not for us")
	_ = broker.Publish(ctx, "news", "second")
	fmt.Println(<-got)
	fmt.Println(<-got)
	// Output:
	// first
	// second
}
