package redisbroker_test

import (
	"log"
	"net/http"

	"github.com/redis/go-redis/v9"

	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/pubsub"
	"github.com/gosockjs/sockjs/redisbroker"
)

// One node of a chat cluster: every node runs this program against the
// same Redis server, behind a load balancer that keeps each SockJS
// session on its node. A message sent on any node reaches the sessions of
// every node.
func ExampleNew() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	broker := redisbroker.New(rdb, redisbroker.Options{Prefix: "chat:"})
	defer broker.Close()
	hub := pubsub.NewHub(broker)
	defer hub.Close()

	chat := sockjs.New("/chat", sockjs.Options{JSessionID: true}, func(s *sockjs.Session) {
		if err := hub.Join(s.Context(), "room", s); err != nil {
			_ = s.Close(3000, "Try again later")
			return
		}
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return
			}
			_ = hub.Publish(s.Context(), "room", msg)
		}
	})
	http.Handle("/chat/", chat)
	log.Fatal(http.ListenAndServe("127.0.0.1:8081", nil))
}
