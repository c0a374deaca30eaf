package pubsub_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gosockjs/sockjs/internal/leak"
	"github.com/gosockjs/sockjs/pubsub"
)

// collector is a deliver function that hands messages to the test.
type collector chan string

func (c collector) deliver(msg string) { c <- msg }

// next returns the next delivered message, failing the test after 5 s.
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

// none checks that nothing is delivered within d.
func (c collector) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case msg := <-c:
		t.Fatalf("unexpected message %q", msg)
	case <-time.After(d):
	}
}

func newLocal(t *testing.T, opts pubsub.LocalOptions) *pubsub.Local {
	t.Helper()
	l := pubsub.NewLocal(opts)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

func subscribe(t *testing.T, b pubsub.Broker, topic string, deliver func(string)) func() {
	t.Helper()
	cancel, err := b.Subscribe(context.Background(), topic, deliver)
	if err != nil {
		t.Fatalf("Subscribe(%q): %v", topic, err)
	}
	return cancel
}

func publish(t *testing.T, b pubsub.Broker, topic, msg string) {
	t.Helper()
	if err := b.Publish(context.Background(), topic, msg); err != nil {
		t.Fatalf("Publish(%q, %q): %v", topic, msg, err)
	}
}

func TestLocalDeliversEveryMessageInOrderToEverySubscription(t *testing.T) {
	leak.Check(t)
	l := newLocal(t, pubsub.LocalOptions{})
	a, b, other := make(collector, 1000), make(collector, 1000), make(collector, 1000)
	subscribe(t, l, "news", a.deliver)
	subscribe(t, l, "news", b.deliver)
	subscribe(t, l, "sports", other.deliver)
	for i := range 500 {
		publish(t, l, "news", fmt.Sprint(i))
	}
	for _, c := range []collector{a, b} {
		for i := range 500 {
			if got, want := c.next(t), fmt.Sprint(i); got != want {
				t.Fatalf("message %d: got %q, want %q", i, got, want)
			}
		}
	}
	other.none(t, 50*time.Millisecond)
}

func TestLocalPublishWithoutSubscribersIsDropped(t *testing.T) {
	leak.Check(t)
	l := newLocal(t, pubsub.LocalOptions{})
	publish(t, l, "news", "before")
	c := make(collector, 10)
	subscribe(t, l, "news", c.deliver)
	publish(t, l, "news", "after")
	if got := c.next(t); got != "after" {
		t.Fatalf("got %q, want only the message published after Subscribe", got)
	}
	c.none(t, 50*time.Millisecond)
}

func TestLocalFullQueueDropsNewestForThatSubscriptionOnly(t *testing.T) {
	leak.Check(t)
	l := newLocal(t, pubsub.LocalOptions{QueueSize: 2})
	release := releaser(t)
	slow := make(collector, 10)
	subscribe(t, l, "t", func(msg string) {
		slow.deliver(msg)
		<-release
	})
	fast := make(collector, 10)
	subscribe(t, l, "t", fast.deliver)
	// publishRead publishes msg and waits for fast to have it, so that only
	// the slow subscriber's queue fills.
	publishRead := func(msg string) error {
		err := l.Publish(context.Background(), "t", msg)
		if got := fast.next(t); got != msg {
			t.Fatalf("fast subscriber: got %q, want %q", got, msg)
		}
		return err
	}

	if err := publishRead("1"); err != nil {
		t.Fatal(err)
	}
	if got := slow.next(t); got != "1" { // the slow deliverer now holds "1"
		t.Fatalf("got %q, want 1", got)
	}
	for _, msg := range []string{"2", "3"} {
		if err := publishRead(msg); err != nil {
			t.Fatalf("Publish(%q): %v", msg, err)
		}
	}
	// The slow queue holds 2 and 3.
	if err := publishRead("4"); !errors.Is(err, pubsub.ErrOverflow) {
		t.Fatalf("Publish into a full queue: got %v, want ErrOverflow", err)
	}
	close(release)
	for _, want := range []string{"2", "3"} {
		if got := slow.next(t); got != want {
			t.Fatalf("slow subscriber: got %q, want %q", got, want)
		}
	}
	slow.none(t, 50*time.Millisecond)
}

// releaser returns a channel that the test closes to let blocked deliver
// functions go on; if the test ends first, it is closed then, before the
// Local's cleanup waits for them.
func releaser(t *testing.T) chan struct{} {
	release := make(chan struct{})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	return release
}

func TestLocalCancelStopsDelivery(t *testing.T) {
	leak.Check(t)
	l := newLocal(t, pubsub.LocalOptions{})
	c := make(collector, 10)
	cancel := subscribe(t, l, "t", c.deliver)
	publish(t, l, "t", "1")
	if got := c.next(t); got != "1" {
		t.Fatalf("got %q, want 1", got)
	}
	cancel()
	cancel() // idempotent
	publish(t, l, "t", "2")
	c.none(t, 50*time.Millisecond)
}

func TestLocalCancelFromDeliverDoesNotDeadlock(t *testing.T) {
	leak.Check(t)
	l := newLocal(t, pubsub.LocalOptions{})
	cancelled := make(chan struct{})
	var cancel func()
	ready := make(chan struct{})
	cancel = subscribe(t, l, "t", func(string) {
		<-ready
		cancel()
		close(cancelled)
	})
	close(ready)
	publish(t, l, "t", "1")
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("cancel from within deliver did not return")
	}
}

func TestLocalCallsAfterCloseFail(t *testing.T) {
	leak.Check(t)
	l := pubsub.NewLocal(pubsub.LocalOptions{})
	cancel := subscribe(t, l, "t", func(string) {})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	cancel() // does nothing, returns
	if err := l.Publish(context.Background(), "t", "x"); !errors.Is(err, pubsub.ErrClosed) {
		t.Fatalf("Publish after Close: got %v, want ErrClosed", err)
	}
	if _, err := l.Subscribe(context.Background(), "t", func(string) {}); !errors.Is(err, pubsub.ErrClosed) {
		t.Fatalf("Subscribe after Close: got %v, want ErrClosed", err)
	}
}

func TestLocalCloseWaitsForDeliverInProgress(t *testing.T) {
	leak.Check(t)
	l := pubsub.NewLocal(pubsub.LocalOptions{})
	t.Cleanup(func() { _ = l.Close() })
	release := releaser(t)
	inside, returned := make(chan struct{}), make(chan struct{})
	subscribe(t, l, "t", func(string) {
		close(inside)
		<-release
		close(returned)
	})
	publish(t, l, "t", "x")
	<-inside
	closed := make(chan struct{})
	go func() { _ = l.Close(); close(closed) }()
	select {
	case <-closed:
		t.Fatal("Close returned while deliver was running")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-closed
	select {
	case <-returned:
	default:
		t.Fatal("Close returned before deliver")
	}
}

func TestLocalDoneContextFails(t *testing.T) {
	leak.Check(t)
	l := newLocal(t, pubsub.LocalOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Publish(ctx, "t", "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Publish: got %v, want context.Canceled", err)
	}
	if _, err := l.Subscribe(ctx, "t", func(string) {}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe: got %v, want context.Canceled", err)
	}
}

func TestLocalQueueIsBoundedInBytes(t *testing.T) {
	leak.Check(t)
	l := newLocal(t, pubsub.LocalOptions{QueueBytes: 10})
	release := releaser(t)
	slow := make(collector, 10)
	subscribe(t, l, "t", func(msg string) {
		slow.deliver(msg)
		<-release
	})
	if err := l.Publish(context.Background(), "t", "first"); err != nil {
		t.Fatal(err)
	}
	if got := slow.next(t); got != "first" { // the deliverer holds it: the queue is empty
		t.Fatalf("got %q", got)
	}
	if err := l.Publish(context.Background(), "t", "123456"); err != nil {
		t.Fatalf("6 bytes into an empty 10-byte queue: %v", err)
	}
	if err := l.Publish(context.Background(), "t", "12345"); !errors.Is(err, pubsub.ErrOverflow) {
		t.Fatalf("11 bytes queued with QueueBytes 10: %v, want ErrOverflow", err)
	}
	if err := l.Publish(context.Background(), "t", "1234"); err != nil {
		t.Fatalf("10 bytes queued with QueueBytes 10: %v", err)
	}
	close(release)
	for _, want := range []string{"123456", "1234"} {
		if got := slow.next(t); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	slow.none(t, 50*time.Millisecond)
}
