package pubsub

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Defaults of LocalOptions: what a Local subscription holds for a deliver
// function that has not caught up yet, in messages and in bytes.
const (
	DefaultQueueSize  = 1024
	DefaultQueueBytes = 8 << 20
)

// LocalOptions configure a Local. The zero value means the defaults.
type LocalOptions struct {
	// QueueSize bounds the messages queued for each subscription. A
	// subscription whose queue is full when a message is published loses
	// that message; Publish still delivers it to the others and returns an
	// error wrapping ErrOverflow. A larger queue absorbs longer bursts at
	// the price of memory and latency. Default DefaultQueueSize.
	QueueSize int

	// QueueBytes bounds the bytes of the messages queued for each
	// subscription, with the same overflow policy as QueueSize: whichever
	// bound is reached first loses the message. Messages may come from
	// clients, so a count alone would let large ones take QueueSize times
	// their size; a message larger than QueueBytes is never queued.
	// Default DefaultQueueBytes (8 MiB).
	QueueBytes int
}

// Local is a Broker within one process: the default of a Hub, and the
// fan-out inside redisbroker. Publish reaches the subscriptions of this
// process only.
//
// One goroutine owns the subscriptions and runs every operation in order,
// so the messages of one publisher keep their order; each subscription has
// a bounded queue and a goroutine that calls its deliver function, so a slow
// subscriber delays only itself. No method waits for a subscriber.
type Local struct {
	queueSize  int
	queueBytes int64

	ops     chan func(*topics) // from the methods to the actor
	quit    chan struct{}      // closed by Close: the actor and deliverers stop
	exited  chan struct{}      // closed when the actor has returned
	closing sync.Once          // closes quit once
	workers sync.WaitGroup     // deliver goroutines still running
}

// topics is the state owned by the Local's actor goroutine.
type topics map[string]map[*localSubscription]struct{}

// localSubscription is one Subscribe call: its queue and its deliverer.
type localSubscription struct {
	queue   chan string   // from the actor to the deliverer, bounded
	bytes   atomic.Int64  // of the messages in queue: added by the actor, taken by the deliverer
	stop    chan struct{} // closed by the actor when the subscription is cancelled
	deliver func(string)  // called by the deliverer only
}

// NewLocal starts a Local. Close stops it.
func NewLocal(opts LocalOptions) *Local {
	if opts.QueueSize <= 0 {
		opts.QueueSize = DefaultQueueSize
	}
	if opts.QueueBytes <= 0 {
		opts.QueueBytes = DefaultQueueBytes
	}
	l := &Local{
		queueSize:  opts.QueueSize,
		queueBytes: int64(opts.QueueBytes),
		ops:        make(chan func(*topics), 64),
		quit:       make(chan struct{}),
		exited:     make(chan struct{}),
	}
	go l.run()
	return l
}

// run is the actor goroutine.
func (l *Local) run() {
	defer close(l.exited)
	t := make(topics)
	for {
		select {
		case op := <-l.ops:
			op(&t)
		case <-l.quit:
			return
		}
	}
}

// do runs op on the actor and waits for it, or reports ErrClosed. The actor
// never blocks, so the wait is short.
func (l *Local) do(op func(*topics)) error {
	finished := make(chan struct{})
	select {
	case l.ops <- func(t *topics) { op(t); close(finished) }:
	case <-l.quit:
		return ErrClosed
	}
	select {
	case <-finished:
		return nil
	case <-l.exited:
		// Close won the race: op may or may not have run.
		select {
		case <-finished:
			return nil
		default:
			return ErrClosed
		}
	}
}

// Publish queues msg for every subscription of topic in this process and
// returns. It fails with ctx's error if ctx is already done, with ErrClosed
// after Close, and with an error wrapping ErrOverflow when some
// subscriptions' queues were full (they lose msg; the others have it).
func (l *Local) Publish(ctx context.Context, topic string, msg string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dropped := 0
	if err := l.do(func(t *topics) {
		for sub := range (*t)[topic] {
			// Only the actor adds, so a check then an add cannot overshoot.
			if sub.bytes.Load()+int64(len(msg)) > l.queueBytes {
				dropped++
				continue
			}
			select {
			case sub.queue <- msg:
				sub.bytes.Add(int64(len(msg)))
			default:
				dropped++
			}
		}
	}); err != nil {
		return err
	}
	if dropped > 0 {
		return fmt.Errorf("%w: %d subscriptions of %q", ErrOverflow, dropped, topic)
	}
	return nil
}

// Subscribe calls deliver, on a goroutine of its own, with every message
// published to topic from now on, until cancel or Close. It fails with
// ctx's error if ctx is already done and with ErrClosed after Close.
func (l *Local) Subscribe(ctx context.Context, topic string, deliver func(msg string)) (cancel func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sub := &localSubscription{
		queue:   make(chan string, l.queueSize),
		stop:    make(chan struct{}),
		deliver: deliver,
	}
	if err := l.do(func(t *topics) {
		subs := (*t)[topic]
		if subs == nil {
			subs = make(map[*localSubscription]struct{})
			(*t)[topic] = subs
		}
		subs[sub] = struct{}{}
		l.workers.Add(1)
		go l.deliverer(sub)
	}); err != nil {
		return nil, err
	}
	cancel = func() {
		_ = l.do(func(t *topics) {
			subs := (*t)[topic]
			if _, ok := subs[sub]; !ok {
				return // cancelled before
			}
			delete(subs, sub)
			if len(subs) == 0 {
				delete(*t, topic)
			}
			close(sub.stop)
		})
	}
	return cancel, nil
}

// deliverer is the goroutine of one subscription: it hands the queued
// messages to deliver, in order, until the subscription is cancelled or the
// Local closed. Messages still queued then are dropped.
func (l *Local) deliverer(sub *localSubscription) {
	defer l.workers.Done()
	for {
		select {
		case <-sub.stop:
			return
		case <-l.quit:
			return
		case msg := <-sub.queue:
			sub.bytes.Add(-int64(len(msg)))
			select {
			case <-sub.stop:
				return // cancelled while this message waited
			default:
			}
			sub.deliver(msg)
		}
	}
}

// Close stops the Local: later calls fail with ErrClosed, queued messages
// are dropped, and Close waits for deliver calls in progress to return.
// deliver functions must therefore not wait for whoever calls Close. Close
// is idempotent.
func (l *Local) Close() error {
	l.closing.Do(func() { close(l.quit) })
	<-l.exited
	l.workers.Wait()
	return nil
}
