// Package redisbroker is a pubsub.Broker on Redis PUB/SUB, so that the
// SockJS sessions of several nodes share topics: a message published on
// any node reaches the subscribed sessions of every node.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	broker := redisbroker.New(rdb, redisbroker.Options{})
//	hub := pubsub.NewHub(broker)
//	// ... serve; on the way out:
//	hub.Close()
//	broker.Close()
//	rdb.Close()
//
// It lives in a module of its own so that github.com/gosockjs/sockjs does
// not depend on a Redis client. It uses github.com/redis/go-redis/v9.
//
// # How it works
//
// Publish is one PUBLISH command on the client's connection pool. For
// receiving, a Broker holds one Redis connection in subscribed mode (one
// go-redis PubSub) however many topics and subscriptions it serves: it
// sends SUBSCRIBE when a topic gets its first subscription and UNSUBSCRIBE
// when it loses its last one. Messages from that connection go to a
// pubsub.Local, which queues them for each subscription, so a slow
// subscriber holds up no other. Subscribe returns once Redis has confirmed
// the SUBSCRIBE, so a message published afterwards, from any node, is
// delivered.
//
// go-redis pings the subscribed connection when it is idle and, when the
// connection fails, reconnects and subscribes again to every topic.
// Redis PUB/SUB stores nothing: messages published while a node's
// connection is down never reach that node. Redis itself disconnects a
// subscriber that reads too slowly (client-output-buffer-limit pubsub).
//
// One goroutine owns the topic table and runs every operation in order;
// there is no mutex in this package.
package redisbroker

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gosockjs/sockjs/pubsub"
)

// Options configure a Broker. The zero value means the defaults.
type Options struct {
	// Prefix is put before every topic to name its Redis channel, so that
	// applications can share a Redis server: with Prefix "chat:", topic
	// "room" is channel "chat:room". Any Redis client may PUBLISH to that
	// channel. Default "": the topic is the channel.
	Prefix string

	// QueueSize bounds the messages queued for each subscription whose
	// deliver function has not caught up; beyond it the newest messages are
	// dropped for that subscription and logged. Default
	// pubsub.DefaultQueueSize.
	QueueSize int

	// QueueBytes bounds the same queues in bytes, with the same policy.
	// Default pubsub.DefaultQueueBytes (8 MiB).
	QueueBytes int

	// Timeout bounds each SUBSCRIBE and UNSUBSCRIBE command, including the
	// connection it may have to open. Default 5 s.
	Timeout time.Duration

	// Logger receives errors of UNSUBSCRIBE and dropped messages. Default
	// nil: silent.
	Logger *slog.Logger
}

// Broker is a pubsub.Broker on Redis PUB/SUB. Create it with New, close it
// with Close after the Hubs that use it.
type Broker struct {
	client  redis.UniversalClient
	ps      *redis.PubSub // the one subscribed connection
	local   *pubsub.Local // fan-out to this node's subscriptions
	prefix  string
	timeout time.Duration
	log     *slog.Logger

	ops      chan func(channels) // from the methods and the receiver to the actor
	stop     chan struct{}       // closed by Close: the actor returns
	exited   chan struct{}       // closed when the actor has returned
	received chan struct{}       // closed when the receiving goroutine has returned
	ctx      context.Context     // bounds commands; cancelled by Close
	cancel   context.CancelFunc
	closing  sync.Once // runs the shutdown once
	closeErr error     // the PubSub's Close error, set by the shutdown
}

// channels is the topic table owned by the actor goroutine, by Redis
// channel name.
type channels map[string]*channel

// channel is one Redis channel that this node subscribes to.
type channel struct {
	subs      map[*subscription]struct{} // the Subscribe calls that hold it
	confirmed bool                       // Redis has confirmed the SUBSCRIBE
	waiting   []chan<- error             // Subscribe calls waiting for the confirmation
}

// subscription identifies one Subscribe call.
type subscription struct{ name string }

// New returns a Broker that publishes with client and subscribes on one
// connection of its own, and starts its goroutines. client may be a
// *redis.Client, a *redis.ClusterClient or a failover client; it stays
// the caller's, who closes it after the Broker.
func New(client redis.UniversalClient, opts Options) *Broker {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	b := &Broker{
		client:   client,
		ps:       client.Subscribe(context.Background()),
		local:    pubsub.NewLocal(pubsub.LocalOptions{QueueSize: opts.QueueSize, QueueBytes: opts.QueueBytes}),
		prefix:   opts.Prefix,
		timeout:  opts.Timeout,
		log:      opts.Logger,
		ops:      make(chan func(channels)),
		stop:     make(chan struct{}),
		exited:   make(chan struct{}),
		received: make(chan struct{}),
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	go b.run()
	go b.receive(b.ps.ChannelWithSubscriptions(redis.WithChannelSize(256)))
	return b
}

// Publish sends msg to topic with one PUBLISH command and returns when
// Redis has executed it, bounded by ctx and the client's timeouts. Messages
// published one after the other by one goroutine reach every subscription
// in that order.
func (b *Broker) Publish(ctx context.Context, topic string, msg string) error {
	select {
	case <-b.stop:
		return pubsub.ErrClosed
	default:
	}
	return b.client.Publish(ctx, b.prefix+topic, msg).Err()
}

// Subscribe calls deliver with every message published to topic, by any
// node, after Subscribe returned, until cancel or Close. The first
// subscription of a topic sends SUBSCRIBE and waits for Redis to confirm it
// (bounded by ctx and Options.Timeout); later ones return at once. The
// last subscription of a topic to be cancelled makes the Broker send
// UNSUBSCRIBE. cancel never waits for deliver; it may wait, at most
// Options.Timeout, for a SUBSCRIBE or UNSUBSCRIBE command in progress.
func (b *Broker) Subscribe(ctx context.Context, topic string, deliver func(msg string)) (cancel func(), err error) {
	cancelLocal, err := b.local.Subscribe(ctx, topic, deliver)
	if err != nil {
		return nil, err
	}
	sub := &subscription{name: b.prefix + topic}
	cancel = func() {
		cancelLocal()
		_ = b.post(func(chs channels) { b.remove(chs, sub) })
	}
	reply := make(chan error, 1)
	if err := b.post(func(chs channels) { b.add(chs, sub, reply) }); err != nil {
		cancelLocal()
		return nil, err
	}
	select {
	case err := <-reply:
		if err != nil {
			cancel()
			return nil, err
		}
		return cancel, nil
	case <-ctx.Done():
		cancel()
		return nil, ctx.Err()
	case <-b.exited:
		cancelLocal()
		return nil, pubsub.ErrClosed
	}
}

// Close unsubscribes from everything, closes the subscribed connection and
// waits for the Broker's goroutines. It does not close the client. Later
// calls fail with pubsub.ErrClosed. Close is idempotent.
func (b *Broker) Close() error {
	b.closing.Do(func() {
		close(b.stop)
		b.cancel()
		<-b.exited
		b.closeErr = b.ps.Close()
		<-b.received
		_ = b.local.Close()
	})
	return b.closeErr
}

// run is the actor goroutine.
func (b *Broker) run() {
	defer close(b.exited)
	chs := make(channels)
	for {
		select {
		case op := <-b.ops:
			op(chs)
		case <-b.stop:
			return
		}
	}
}

// post hands op to the actor, or reports pubsub.ErrClosed once it has
// returned. The actor runs every operation it receives.
func (b *Broker) post(op func(channels)) error {
	select {
	case b.ops <- op:
		return nil
	case <-b.exited:
		return pubsub.ErrClosed
	}
}

// receive runs on its own goroutine until the PubSub is closed: it hands
// messages to the local fan-out and confirmations to the actor.
func (b *Broker) receive(in <-chan any) {
	defer close(b.received)
	for m := range in {
		switch m := m.(type) {
		case *redis.Message:
			topic, ok := strings.CutPrefix(m.Channel, b.prefix)
			if !ok {
				continue
			}
			err := b.local.Publish(context.Background(), topic, m.Payload)
			if err != nil && !errors.Is(err, pubsub.ErrClosed) {
				b.log.Warn("redisbroker: message dropped", "channel", m.Channel, "err", err)
			}
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				_ = b.post(func(chs channels) { b.confirmed(chs, m.Channel) })
			}
		}
	}
}

// The methods below run on the actor goroutine. SUBSCRIBE and UNSUBSCRIBE
// are sent from here, in order, so that Redis sees them in the order the
// table changed; each is bounded by Options.Timeout.
//
// A channel is unsubscribed only once its SUBSCRIBE is confirmed, so that
// at most one SUBSCRIBE per channel awaits confirmation and a confirmation
// always answers the current one.

// add registers sub and answers reply once its channel is confirmed.
func (b *Broker) add(chs channels, sub *subscription, reply chan<- error) {
	ch := chs[sub.name]
	if ch == nil {
		if err := b.command(b.ps.Subscribe, sub.name); err != nil {
			// go-redis remembers the channel to subscribe again after a
			// reconnect; make it forget.
			_ = b.command(b.ps.Unsubscribe, sub.name)
			reply <- err
			return
		}
		ch = &channel{subs: make(map[*subscription]struct{})}
		chs[sub.name] = ch
	}
	ch.subs[sub] = struct{}{}
	if ch.confirmed {
		reply <- nil
		return
	}
	ch.waiting = append(ch.waiting, reply)
}

// confirmed handles Redis's confirmation of a SUBSCRIBE, which also comes
// after go-redis reconnected and subscribed again.
func (b *Broker) confirmed(chs channels, name string) {
	ch := chs[name]
	if ch == nil || ch.confirmed {
		return
	}
	ch.confirmed = true
	for _, reply := range ch.waiting {
		reply <- nil
	}
	ch.waiting = nil
	if len(ch.subs) == 0 {
		b.unsubscribe(chs, name)
	}
}

// remove forgets sub, and unsubscribes from its channel if it was the last
// subscription and the SUBSCRIBE is confirmed (else confirmed does it).
func (b *Broker) remove(chs channels, sub *subscription) {
	ch := chs[sub.name]
	if ch == nil {
		return
	}
	if _, ok := ch.subs[sub]; !ok {
		return
	}
	delete(ch.subs, sub)
	if len(ch.subs) == 0 && ch.confirmed {
		b.unsubscribe(chs, sub.name)
	}
}

// unsubscribe sends UNSUBSCRIBE and forgets the channel. On error the
// channel is forgotten all the same: go-redis will not subscribe to it
// again after a reconnect.
func (b *Broker) unsubscribe(chs channels, name string) {
	delete(chs, name)
	if err := b.command(b.ps.Unsubscribe, name); err != nil {
		b.log.Warn("redisbroker: UNSUBSCRIBE failed", "channel", name, "err", err)
	}
}

// command runs SUBSCRIBE or UNSUBSCRIBE for one channel within
// Options.Timeout.
func (b *Broker) command(do func(context.Context, ...string) error, name string) error {
	ctx, cancel := context.WithTimeout(b.ctx, b.timeout)
	defer cancel()
	return do(ctx, name)
}
