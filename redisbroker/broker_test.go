package redisbroker_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gosockjs/sockjs/internal/leak"
	"github.com/gosockjs/sockjs/pubsub"
	"github.com/gosockjs/sockjs/redisbroker"
)

// startRedis runs a redis-server of its own on a free loopback port for
// the test and returns its address. Without redis-server the test is
// skipped, except under CI, where it fails.
func startRedis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("redis-server is not installed (apt-get install -y redis-server); CI requires it")
		}
		t.Skip("redis-server is not installed (apt-get install -y redis-server): skipping the Redis tests")
	}
	port := freePort(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	admin := redis.NewClient(&redis.Options{Addr: addr})
	defer admin.Close()
	for i := 0; ; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := admin.Ping(ctx).Err()
		cancel()
		if err == nil {
			return addr
		}
		if i == 100 {
			t.Fatalf("redis-server on %s did not answer within 5 s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// newClient returns a go-redis client closed when the test ends.
func newClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// newBroker returns a Broker with a client of its own, as one node would
// have, closed when the test ends.
func newBroker(t *testing.T, addr string, opts redisbroker.Options) *redisbroker.Broker {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	b := redisbroker.New(c, opts)
	t.Cleanup(func() {
		_ = b.Close()
		_ = c.Close()
	})
	return b
}

// collector is a deliver function that hands messages to the test.
type collector chan string

func (c collector) deliver(msg string) { c <- msg }

func (c collector) next(t *testing.T) string {
	t.Helper()
	select {
	case msg := <-c:
		return msg
	case <-time.After(5 * time.Second):
		t.Fatal("no message delivered within 5 s")
		return ""
	}
}

func (c collector) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case msg := <-c:
		t.Fatalf("unexpected message %q", msg)
	case <-time.After(d):
	}
}

func subscribe(t *testing.T, b pubsub.Broker, topic string, deliver func(string)) func() {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stop, err := b.Subscribe(ctx, topic, deliver)
	if err != nil {
		t.Fatalf("Subscribe(%q): %v", topic, err)
	}
	return stop
}

func publish(t *testing.T, b pubsub.Broker, topic, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Publish(ctx, topic, msg); err != nil {
		t.Fatalf("Publish(%q): %v", topic, err)
	}
}

// numsub returns how many connections subscribe to channel in Redis.
func numsub(t *testing.T, admin *redis.Client, channel string) int64 {
	t.Helper()
	n, err := admin.PubSubNumSub(context.Background(), channel).Result()
	if err != nil {
		t.Fatalf("PUBSUB NUMSUB: %v", err)
	}
	return n[channel]
}

// waitNumsub waits until channel has want subscribed connections.
func waitNumsub(t *testing.T, admin *redis.Client, channel string, want int64) {
	t.Helper()
	for i := 0; ; i++ {
		got := numsub(t, admin, channel)
		if got == want {
			return
		}
		if i == 250 {
			t.Fatalf("PUBSUB NUMSUB %s = %d after 5 s, want %d", channel, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestEveryNodeReceivesEveryMessageOnceInOrderPerPublisher(t *testing.T) {
	leak.Check(t)
	addr := startRedis(t)
	nodes := []*redisbroker.Broker{
		newBroker(t, addr, redisbroker.Options{}),
		newBroker(t, addr, redisbroker.Options{}),
		newBroker(t, addr, redisbroker.Options{}),
	}
	var subs []collector
	for _, n := range nodes {
		for range 2 {
			c := make(collector, 1000)
			subscribe(t, n, "chat", c.deliver)
			subs = append(subs, c)
		}
	}
	const perNode = 100
	var wg sync.WaitGroup
	errs := make(chan error, len(nodes))
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range perNode {
				if err := n.Publish(context.Background(), "chat", fmt.Sprintf("%d %d", i, k)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for s, c := range subs {
		next := make([]int, len(nodes))
		for range len(nodes) * perNode {
			var from, seq int
			msg := c.next(t)
			if _, err := fmt.Sscanf(msg, "%d %d", &from, &seq); err != nil {
				t.Fatalf("subscription %d: unexpected %q", s, msg)
			}
			if seq != next[from] {
				t.Fatalf("subscription %d: from node %d got #%d, want #%d", s, from, seq, next[from])
			}
			next[from]++
		}
		c.none(t, 20*time.Millisecond)
	}
}

func TestOneRedisSubscriptionPerNodeAndTopic(t *testing.T) {
	leak.Check(t)
	addr := startRedis(t)
	admin := newClient(t, addr)
	a, b := newBroker(t, addr, redisbroker.Options{}), newBroker(t, addr, redisbroker.Options{})
	var cancels []func()
	for range 3 {
		cancels = append(cancels, subscribe(t, a, "t", func(string) {}))
	}
	cancels = append(cancels, subscribe(t, b, "t", func(string) {}))
	if got := numsub(t, admin, "t"); got != 2 {
		t.Fatalf("PUBSUB NUMSUB t = %d with two nodes, want 2", got)
	}
	clients, err := admin.ClientList(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	if n := countSubscribed(clients); n != 2 {
		t.Fatalf("%d subscribed connections, want one per node (2)\n%s", n, clients)
	}
	cancels[0]()
	cancels[1]()
	cancels[1]() // idempotent
	waitNumsub(t, admin, "t", 2)
	cancels[2]()
	waitNumsub(t, admin, "t", 1)
	cancels[3]()
	waitNumsub(t, admin, "t", 0)
}

// countSubscribed counts the connections of CLIENT LIST that subscribe to
// at least one channel.
func countSubscribed(clientList string) int {
	n := 0
	for _, line := range strings.Split(clientList, "\n") {
		for _, field := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(field, "sub="); ok && v != "0" {
				n++
			}
		}
	}
	return n
}

func TestSubscribeIsActiveWhenItReturns(t *testing.T) {
	leak.Check(t)
	addr := startRedis(t)
	a, b := newBroker(t, addr, redisbroker.Options{}), newBroker(t, addr, redisbroker.Options{})
	c := make(collector, 10)
	for i := range 30 {
		// A new topic each time, and the same topic cancelled and
		// subscribed again at once: both must be live on return.
		fresh := fmt.Sprintf("fresh%d", i)
		cancel := subscribe(t, a, fresh, c.deliver)
		publish(t, b, fresh, fresh)
		if got := c.next(t); got != fresh {
			t.Fatalf("got %q, want %q", got, fresh)
		}
		cancel()
		cancel = subscribe(t, a, fresh, c.deliver)
		publish(t, b, fresh, "again")
		if got := c.next(t); got != "again" {
			t.Fatalf("got %q, want again", got)
		}
		cancel()
	}
	c.none(t, 50*time.Millisecond)
}

func TestCancelledSubscriptionReceivesNothing(t *testing.T) {
	leak.Check(t)
	addr := startRedis(t)
	a := newBroker(t, addr, redisbroker.Options{})
	gone, kept := make(collector, 10), make(collector, 10)
	cancel := subscribe(t, a, "t", gone.deliver)
	subscribe(t, a, "t", kept.deliver)
	cancel()
	publish(t, a, "t", "after")
	if got := kept.next(t); got != "after" {
		t.Fatalf("got %q, want after", got)
	}
	gone.none(t, 50*time.Millisecond)
}

func TestPrefixNamesTheRedisChannel(t *testing.T) {
	leak.Check(t)
	addr := startRedis(t)
	admin := newClient(t, addr)
	a := newBroker(t, addr, redisbroker.Options{Prefix: "app:"})
	c := make(collector, 10)
	subscribe(t, a, "room", c.deliver)
	if got := numsub(t, admin, "app:room"); got != 1 {
		t.Fatalf("PUBSUB NUMSUB app:room = %d, want 1", got)
	}
	// Any Redis client can publish to the channel.
	if err := admin.Publish(context.Background(), "app:room", "from redis-cli").Err(); err != nil {
		t.Fatal(err)
	}
	if err := admin.Publish(context.Background(), "room", "other application").Err(); err != nil {
		t.Fatal(err)
	}
	if got := c.next(t); got != "from redis-cli" {
		t.Fatalf("got %q", got)
	}
	c.none(t, 50*time.Millisecond)
}

func TestSubscriptionsSurviveLossOfTheRedisConnection(t *testing.T) {
	leak.Check(t)
	addr := startRedis(t)
	admin := newClient(t, addr)
	a, b := newBroker(t, addr, redisbroker.Options{}), newBroker(t, addr, redisbroker.Options{})
	c := make(collector, 1000)
	subscribe(t, a, "t", c.deliver)
	if err := admin.ClientKillByFilter(context.Background(), "TYPE", "pubsub").Err(); err != nil {
		t.Fatalf("CLIENT KILL TYPE pubsub: %v", err)
	}
	// Messages published while the connection is down are lost; go-redis
	// reconnects and subscribes again, after which they flow.
	for i := 0; ; i++ {
		publish(t, b, "t", "ping")
		select {
		case <-c:
			waitNumsub(t, admin, "t", 1)
			return
		case <-time.After(100 * time.Millisecond):
		}
		if i == 100 {
			t.Fatal("no message delivered 10 s after the connection was killed")
		}
	}
}

func TestBrokerWithoutRedisFailsWithinItsDeadline(t *testing.T) {
	leak.Check(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t))) // nobody listens
	b := newBroker(t, addr, redisbroker.Options{Timeout: 500 * time.Millisecond})
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := b.Subscribe(ctx, "t", func(string) {}); err == nil {
		t.Fatal("Subscribe without Redis succeeded")
	}
	if err := b.Publish(ctx, "t", "x"); err == nil {
		t.Fatal("Publish without Redis succeeded")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("failing took %v", d)
	}
}

func TestCallsAfterCloseFail(t *testing.T) {
	leak.Check(t)
	addr := startRedis(t)
	client := newClient(t, addr)
	b := redisbroker.New(client, redisbroker.Options{})
	c := make(collector, 10)
	cancel := subscribe(t, b, "t", c.deliver)
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_ = b.Close() // idempotent
	cancel()      // returns
	if err := b.Publish(context.Background(), "t", "x"); !errors.Is(err, pubsub.ErrClosed) {
		t.Fatalf("Publish after Close: got %v, want ErrClosed", err)
	}
	if _, err := b.Subscribe(context.Background(), "t", c.deliver); !errors.Is(err, pubsub.ErrClosed) {
		t.Fatalf("Subscribe after Close: got %v, want ErrClosed", err)
	}
	if err := client.Publish(context.Background(), "t", "x").Err(); err != nil {
		t.Fatalf("the client must stay open: %v", err)
	}
	c.none(t, 50*time.Millisecond)
}
