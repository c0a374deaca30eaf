// Package pubsub delivers messages to SockJS sessions on every node of a
// cluster.
//
// A SockJS session lives on one node: the process whose Handler created it.
// Load balancers keep each session's requests on that node (see the README's
// "Running on several nodes"), but an application that broadcasts, such as a
// chat room, must reach sessions on every node. This package splits that
// job in two:
//
//   - A Broker carries messages between nodes: Publish sends a message to a
//     topic, Subscribe receives every message published to a topic from now
//     on. Local is the in-process Broker, enough for a single node and the
//     default; github.com/gosockjs/sockjs/redisbroker is a Broker on Redis
//     PUB/SUB, in a module of its own so that this one gains no dependency.
//   - A Hub is the fan-out on one node: sessions join and leave topics, and
//     the Hub holds one Broker subscription per topic with local members,
//     however many sessions joined it. Each message that arrives is encoded
//     once (sockjs.Prepare) and queued for every local member with
//     Session.SendPrepared, so a message costs one encoding per node, not
//     one per session.
//
// A typical node:
//
//	hub := pubsub.NewHub(broker) // nil: a Local of its own
//	chat := sockjs.New("/chat", sockjs.Options{JSessionID: true}, func(s *sockjs.Session) {
//		if err := hub.Join(s.Context(), "chat", s); err != nil {
//			return
//		}
//		for {
//			msg, err := s.Recv(s.Context())
//			if err != nil {
//				return // the Hub forgets s by itself once it is closing
//			}
//			_ = hub.Publish(s.Context(), "chat", msg)
//		}
//	})
//
// # Delivery guarantees
//
// Delivery is at most once and ordered per publisher: messages that one
// goroutine publishes one after the other reach every subscription in that
// order, once each, as long as nothing overflows; messages of different
// publishers interleave. Nothing is stored: a message published while a
// node has no subscription to its topic, or while the node's connection to
// the broker is down, never reaches that node. Queues are bounded and never
// wait for a slow consumer: a Local subscription that falls QueueSize
// messages or QueueBytes bytes behind loses the newest ones (Publish reports
// ErrOverflow), and a session that falls behind is closed by its own
// slow-consumer policy (sockjs.Options.OutboxSize and SendBuffer), holding
// up no one else.
//
// # Design: actors
//
// Local and Hub are each one goroutine that owns their maps and runs
// closures sent over a channel, in order, like the session registry of the
// sockjs package; there is no mutex. Neither goroutine ever waits for the
// network or for another actor that might be waiting for it: a Hub
// subscribes on a helper goroutine, cancels subscriptions on a helper
// goroutine, and a Broker hands messages to the Hub from its own delivery
// goroutine.
package pubsub
