package pubsub_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
	"github.com/gosockjs/sockjs/pubsub"
)

// node is one SockJS service with a Hub of its own, as one process of a
// cluster would have. Its sessions join topic and publish what they
// receive; "leave" and "join" from a client make its session leave and
// join again.
type node struct {
	hub   *pubsub.Hub
	srv   *httptest.Server
	topic string
}

func newNode(t *testing.T, b pubsub.Broker, topic string) *node {
	t.Helper()
	n := &node{hub: pubsub.NewHub(b), topic: topic}
	h := sockjs.New("/room", sockjs.Options{}, n.serve)
	n.srv = httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		n.srv.Close()
		_ = n.hub.Close()
	})
	return n
}

func (n *node) serve(s *sockjs.Session) {
	if err := n.hub.Join(s.Context(), n.topic, s); err != nil {
		_ = s.Close(3000, err.Error())
		return
	}
	_ = s.Send("joined")
	for {
		msg, err := s.Recv(s.Context())
		if err != nil {
			return
		}
		switch msg {
		case "leave":
			n.hub.Leave(n.topic, s)
			_ = s.Send("left")
		case "join":
			if err := n.hub.Join(s.Context(), n.topic, s); err == nil {
				_ = s.Send("joined")
			}
		default:
			if err := n.hub.Publish(s.Context(), n.topic, msg); err != nil {
				_ = s.Send("publish failed: " + err.Error())
			}
		}
	}
}

// client is a raw websocket client of a node's service.
type client struct {
	conn *websocket.Conn
}

// connect opens a client and waits until its session has joined. Messages
// of the room may come first: they were fanned out between Join and
// "joined".
func (n *node) connect(t *testing.T) *client {
	t.Helper()
	c := &client{conn: dialRaw(t, n.srv)}
	t.Cleanup(func() { _ = c.conn.CloseNow() })
	for range 1000 {
		if c.read(t) == "joined" {
			return c
		}
	}
	t.Fatal("no \"joined\" within 1000 messages")
	return nil
}

func (c *client) send(t *testing.T, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.conn.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("send %q: %v", msg, err)
	}
}

func (c *client) read(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, p, err := c.conn.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(p)
}

func (c *client) expect(t *testing.T, want string) {
	t.Helper()
	if got := c.read(t); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// members waits until n has want sessions in its topic.
func (n *node) members(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := n.hub.Members(context.Background(), n.topic)
		if err != nil {
			t.Fatalf("Members: %v", err)
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d members, want %d", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHubDeliversEveryMessageToEveryNodeOnceInOrder(t *testing.T) {
	leak.Check(t)
	broker := pubsub.NewLocal(pubsub.LocalOptions{})
	t.Cleanup(func() { _ = broker.Close() })
	nodes := []*node{newNode(t, broker, "chat"), newNode(t, broker, "chat")}
	var clients []*client
	for i := range 6 {
		clients = append(clients, nodes[i%2].connect(t))
	}
	const perSender = 20
	sent := make(chan error, len(clients))
	for i, c := range clients {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for k := range perSender {
				if err := c.conn.Write(ctx, websocket.MessageText, []byte(fmt.Sprintf("%d %d", i, k))); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
	}
	for range clients {
		if err := <-sent; err != nil {
			t.Fatal(err)
		}
	}
	for r, c := range clients {
		next := make([]int, len(clients)) // next sequence number expected per sender
		for range len(clients) * perSender {
			var sender, seq int
			msg := c.read(t)
			if _, err := fmt.Sscanf(msg, "%d %d", &sender, &seq); err != nil {
				t.Fatalf("client %d: unexpected message %q", r, msg)
			}
			if seq != next[sender] {
				t.Fatalf("client %d: from sender %d got #%d, want #%d", r, sender, seq, next[sender])
			}
			next[sender]++
		}
	}
}

// countingBroker counts the subscriptions that are active per topic.
type countingBroker struct {
	pubsub.Broker
	events chan string // "+topic" on Subscribe, "-topic" on the first cancel
}

func (b *countingBroker) Subscribe(ctx context.Context, topic string, deliver func(string)) (func(), error) {
	cancel, err := b.Broker.Subscribe(ctx, topic, deliver)
	if err != nil {
		return nil, err
	}
	b.events <- "+" + topic
	cancelled := false // cancel is called once by the Hub; the flag checks it
	return func() {
		if !cancelled {
			cancelled = true
			b.events <- "-" + topic
		}
		cancel()
	}, nil
}

func (b *countingBroker) expect(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-b.events:
		if got != want {
			t.Fatalf("broker: got %s, want %s", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("broker: no %s within 5 s", want)
	}
}

func (b *countingBroker) none(t *testing.T) {
	t.Helper()
	select {
	case got := <-b.events:
		t.Fatalf("broker: unexpected %s", got)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestHubSubscribesOncePerTopicWhileItHasMembers(t *testing.T) {
	leak.Check(t)
	local := pubsub.NewLocal(pubsub.LocalOptions{})
	t.Cleanup(func() { _ = local.Close() })
	broker := &countingBroker{Broker: local, events: make(chan string, 10)}
	n := newNode(t, broker, "chat")

	a := n.connect(t)
	broker.expect(t, "+chat")
	b, c := n.connect(t), n.connect(t)
	n.members(t, 3)
	broker.none(t)

	_ = a.conn.CloseNow()
	_ = b.conn.CloseNow()
	n.members(t, 1)
	broker.none(t)
	_ = c.conn.CloseNow()
	n.members(t, 0)
	broker.expect(t, "-chat")

	n.connect(t)
	broker.expect(t, "+chat")
}

func TestHubMemberLeavesWhenItsSessionEnds(t *testing.T) {
	leak.Check(t)
	n := newNode(t, nil, "chat")
	a, b := n.connect(t), n.connect(t)
	n.members(t, 2)
	_ = a.conn.Close(websocket.StatusNormalClosure, "")
	n.members(t, 1)
	b.send(t, "still here")
	b.expect(t, "still here")
}

func TestHubLeaveStopsDeliveryAndJoinResumesIt(t *testing.T) {
	leak.Check(t)
	n := newNode(t, nil, "chat")
	a, b := n.connect(t), n.connect(t)
	a.send(t, "leave")
	a.expect(t, "left")
	n.members(t, 1)
	b.send(t, "while away")
	b.expect(t, "while away") // fanned out: a would have it queued by now
	a.send(t, "join")
	a.expect(t, "joined")
	b.send(t, "welcome back")
	a.expect(t, "welcome back")
}

// failingBroker refuses every subscription.
type failingBroker struct{ pubsub.Broker }

var errRefused = errors.New("refused")

func (failingBroker) Subscribe(context.Context, string, func(string)) (func(), error) {
	return nil, errRefused
}

func TestHubJoinFailsWhenTheBrokerCannotSubscribe(t *testing.T) {
	leak.Check(t)
	hub := pubsub.NewHub(failingBroker{})
	t.Cleanup(func() { _ = hub.Close() })
	got := make(chan error, 1)
	h := sockjs.New("/room", sockjs.Options{}, func(s *sockjs.Session) {
		got <- hub.Join(s.Context(), "chat", s)
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = h.Shutdown(context.Background()) })
	conn := dialRaw(t, srv)
	defer conn.CloseNow()
	if err := <-got; !errors.Is(err, errRefused) {
		t.Fatalf("Join: got %v, want the broker's error", err)
	}
	if m, err := hub.Members(context.Background(), "chat"); err != nil || m != 0 {
		t.Fatalf("Members after a failed Join: %d, %v; want 0", m, err)
	}
}

// stuckBroker never completes a subscription before its context ends.
type stuckBroker struct{ pubsub.Broker }

func (stuckBroker) Subscribe(ctx context.Context, _ string, _ func(string)) (func(), error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// joinOnStuckBroker starts a session whose serve function calls Join with
// ctx on a Hub whose Broker never subscribes, and returns Join's result.
func joinOnStuckBroker(t *testing.T, hub *pubsub.Hub, ctx context.Context) <-chan error {
	t.Helper()
	got := make(chan error, 1)
	h := sockjs.New("/room", sockjs.Options{}, func(s *sockjs.Session) {
		got <- hub.Join(ctx, "chat", s)
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = h.Shutdown(context.Background()) })
	conn := dialRaw(t, srv)
	t.Cleanup(func() { _ = conn.CloseNow() })
	return got
}

func TestHubJoinGivesUpWithItsContext(t *testing.T) {
	leak.Check(t)
	hub := pubsub.NewHub(stuckBroker{})
	t.Cleanup(func() { _ = hub.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := <-joinOnStuckBroker(t, hub, ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Join: got %v, want context.DeadlineExceeded", err)
	}
	if m, err := hub.Members(context.Background(), "chat"); err != nil || m != 0 {
		t.Fatalf("Members after a Join that gave up: %d, %v; want 0", m, err)
	}
}

func TestHubCloseEndsWaitingJoin(t *testing.T) {
	leak.Check(t)
	hub := pubsub.NewHub(stuckBroker{})
	got := joinOnStuckBroker(t, hub, context.Background())
	time.Sleep(50 * time.Millisecond) // let Join wait
	closed := make(chan struct{})
	go func() { _ = hub.Close(); close(closed) }()
	select {
	case err := <-got:
		if !errors.Is(err, pubsub.ErrClosed) {
			t.Fatalf("Join: got %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Join still waiting 5 s after Close")
	}
	<-closed
	if err := hub.Publish(context.Background(), "chat", "x"); !errors.Is(err, pubsub.ErrClosed) {
		t.Fatalf("Publish after Close: got %v, want ErrClosed", err)
	}
	if _, err := hub.Members(context.Background(), "chat"); !errors.Is(err, pubsub.ErrClosed) {
		t.Fatalf("Members after Close: got %v, want ErrClosed", err)
	}
}

func TestHubJoinRefusesClosedSession(t *testing.T) {
	leak.Check(t)
	hub := pubsub.NewHub(nil)
	t.Cleanup(func() { _ = hub.Close() })
	got := make(chan error, 1)
	h := sockjs.New("/room", sockjs.Options{}, func(s *sockjs.Session) {
		_ = s.Close(3000, "bye")
		got <- hub.Join(context.Background(), "chat", s)
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { _ = h.Shutdown(context.Background()) })
	conn := dialRaw(t, srv)
	defer conn.CloseNow()
	if err := <-got; !errors.Is(err, sockjs.ErrSessionClosed) {
		t.Fatalf("Join of a closed session: got %v, want ErrSessionClosed", err)
	}
}

func dialRaw(t *testing.T, srv *httptest.Server) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/room/websocket", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	return conn
}

func TestHubSurvivesChurnWhileMessagesFlow(t *testing.T) {
	leak.Check(t)
	local := pubsub.NewLocal(pubsub.LocalOptions{})
	t.Cleanup(func() { _ = local.Close() })
	broker := &countingBroker{Broker: local, events: make(chan string, 1000)}
	n := newNode(t, broker, "chat")
	talker := n.connect(t)

	stop := make(chan struct{})
	talked := make(chan error, 1)
	go func() { // one member keeps publishing, and reads everything back
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for i := 0; ; i++ {
			select {
			case <-stop:
				talked <- nil
				return
			default:
			}
			if err := talker.conn.Write(ctx, websocket.MessageText, []byte(fmt.Sprint(i))); err != nil {
				talked <- err
				return
			}
			if _, _, err := talker.conn.Read(ctx); err != nil {
				talked <- err
				return
			}
		}
	}()
	for range 5 { // waves of sessions that join and go away at once
		var wave []*client
		for range 8 {
			wave = append(wave, n.connect(t))
		}
		for _, c := range wave {
			_ = c.conn.CloseNow()
		}
	}
	close(stop)
	if err := <-talked; err != nil {
		t.Fatalf("talker: %v", err)
	}
	n.members(t, 1)
	_ = talker.conn.CloseNow()
	n.members(t, 0)
	broker.expect(t, "+chat")
	broker.expect(t, "-chat")
	broker.none(t)
}

func TestHubListsATopicsSessions(t *testing.T) {
	leak.Check(t)
	n := newNode(t, nil, "chat")
	n.connect(t)
	n.connect(t)
	n.members(t, 2)
	all, err := n.hub.Sessions(context.Background(), "chat")
	if err != nil || len(all) != 2 || all[0] == all[1] {
		t.Fatalf("Sessions: %v, %v", all, err)
	}
	for _, s := range all {
		if s.Context().Err() != nil {
			t.Fatalf("a listed session is closed")
		}
	}
	if none, err := n.hub.Sessions(context.Background(), "other"); err != nil || len(none) != 0 {
		t.Fatalf("Sessions of an empty topic: %v, %v", none, err)
	}
}
