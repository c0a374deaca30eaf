package redisbroker_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
	"github.com/gosockjs/sockjs/pubsub"
	"github.com/gosockjs/sockjs/redisbroker"
)

// startNode runs one node of a chat cluster: a SockJS service whose
// sessions join "chat" on a Hub over its own Broker, and publish what they
// receive. It returns the node's raw websocket URL.
func startNode(t *testing.T, redisAddr string) string {
	t.Helper()
	hub := pubsub.NewHub(newBroker(t, redisAddr, redisbroker.Options{}))
	h := sockjs.New("/chat", sockjs.Options{}, func(s *sockjs.Session) {
		if err := hub.Join(s.Context(), "chat", s); err != nil {
			_ = s.Close(3000, err.Error())
			return
		}
		_ = s.Send("joined")
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return
			}
			if err := hub.Publish(s.Context(), "chat", msg); err != nil {
				_ = s.Close(3000, err.Error())
				return
			}
		}
	})
	srv := httptest.NewServer(h)
	t.Cleanup(func() { // before the Broker's cleanup, registered earlier
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		srv.Close()
		_ = hub.Close()
	})
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/chat/websocket"
}

func TestHubsOnSeveralNodesShareTopicsThroughRedis(t *testing.T) {
	leak.Check(t)
	addr := startRedis(t)
	admin := newClient(t, addr)
	urls := []string{startNode(t, addr), startNode(t, addr)}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var conns []*websocket.Conn
	for i := range 4 {
		c, _, err := websocket.Dial(ctx, urls[i%2], nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		if _, p, err := c.Read(ctx); err != nil || string(p) != "joined" {
			t.Fatalf("client %d: got %q, %v; want joined", i, p, err)
		}
		conns = append(conns, c)
	}
	if got := numsub(t, admin, "chat"); got != 2 {
		t.Fatalf("PUBSUB NUMSUB chat = %d with four sessions on two nodes, want 2", got)
	}
	const perSender = 25
	for k := range perSender {
		for i, c := range conns {
			if err := c.Write(ctx, websocket.MessageText, []byte(fmt.Sprintf("%d %d", i, k))); err != nil {
				t.Fatal(err)
			}
		}
	}
	for r, c := range conns {
		next := make([]int, len(conns))
		for range len(conns) * perSender {
			_, p, err := c.Read(ctx)
			if err != nil {
				t.Fatalf("client %d: %v", r, err)
			}
			var from, seq int
			if _, err := fmt.Sscanf(string(p), "%d %d", &from, &seq); err != nil {
				t.Fatalf("client %d: unexpected %q", r, p)
			}
			if seq != next[from] {
				t.Fatalf("client %d: from client %d got #%d, want #%d", r, from, seq, next[from])
			}
			next[from]++
		}
	}
}
