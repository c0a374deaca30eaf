// Package session implements the SockJS session as an actor.
//
// Every session is one goroutine that owns all of the session's mutable state
// and runs a small state machine of state functions:
//
//	for state := stateOpen; state != nil; { state = state(s) }
//
// Everything else talks to that goroutine through channels: transports attach
// receivers and deliver the messages of HTTP send requests through the
// mailbox, the application sends through a small outbox channel that the
// actor empties into its bounded queue, the heartbeat timer posts to the
// mailbox and the expiry timer is selected on directly.
// Messages reach Recv over an unbuffered channel from the actor's inbox. HTTP
// sends deliver into it and wait until the application has taken their
// messages (Deliver); a websocket's reader feeds it without waiting (Feed),
// paced by credit: it may hold Config.ReceiveBuffer bytes that the
// application has not taken, and the actor refunds what Recv takes over the
// refill channel. So the reader keeps reading (pongs, a vanished client)
// while the application is busy, and stops, letting TCP push back, when the
// credit is spent. Nothing in this package takes a lock.
//
// Every buffer is bounded twice, in messages and in bytes: the outbound
// queue and the frames in flight by Config.OutboxSize and
// Config.SendBuffer, the inbound queue by Config.InboxSize and
// Config.ReceiveBuffer. While the outbound side holds half its bound, the
// inbound side stops handing out messages, so an application that answers
// what it reads cannot turn a client's burst into a slow-consumer close.
// Frames are cut at Config.MaxFrame bytes, and what a session holds beyond
// its first MemoryChunk is reported to a Config.Memory shared by all
// sessions of a service.
//
// The actor never performs network I/O itself. When a frame must be written,
// it hands the frame to a short-lived writer goroutine and goes on serving its
// mailbox. A writer whose receiver stays attached leaves a token in a
// one-slot channel, which the actor collects when it next needs the
// receiver, so a write costs the actor no wakeup; a writer that used its
// receiver up, or failed, posts writeDone. So a client that stops reading
// can slow down only its own session, and no call of the application API
// ever waits for the network.
package session
