package pubsub

import (
	"context"
	"errors"
)

// Broker carries messages between the nodes of a cluster. Implementations
// are Local (one process) and github.com/gosockjs/sockjs/redisbroker.
//
// Messages are strings, like SockJS messages, so that a Hub hands them to
// sessions without conversion. The interface has two methods and no Close:
// whoever creates a Broker owns it and closes it after the Hubs that use it.
type Broker interface {
	// Publish sends msg to every subscription of topic, on every node. It
	// returns once the broker has taken the message (for Redis: once the
	// server has executed PUBLISH), without waiting for subscribers.
	// Messages published one after the other by one goroutine reach each
	// subscription in that order. An error means the message may not have
	// reached anyone.
	Publish(ctx context.Context, topic string, msg string) error

	// Subscribe calls deliver with every message published to topic after
	// Subscribe returned, in order, one call at a time, on a goroutine of
	// the broker, until cancel is called. deliver should return quickly:
	// the broker queues messages for a subscription that falls behind, up
	// to a bound, and drops the newest ones beyond it.
	//
	// cancel is safe to call several times and from any goroutine. It never
	// waits for deliver to return, so deliver may still be called for a
	// message that was already on its way; it may post to the goroutine that
	// calls cancel without risk of deadlock.
	Subscribe(ctx context.Context, topic string, deliver func(msg string)) (cancel func(), err error)
}

// ErrClosed is returned by the methods of a Local or a Hub that was closed.
var ErrClosed = errors.New("pubsub: closed")

// ErrOverflow is returned (wrapped) by Local.Publish when at least one
// subscription's queue was full: that subscription loses the message, the
// others get it.
var ErrOverflow = errors.New("pubsub: subscription queue full, message dropped")
