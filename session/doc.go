// Package session implements the SockJS session as an actor.
//
// Every session is one goroutine that owns all of the session's mutable state
// and runs a small state machine of state functions:
//
//	for state := stateOpen; state != nil; { state = state(s) }
//
// Everything else talks to that goroutine through channels: transports attach
// receivers and deliver inbound messages through the mailbox, the application
// sends through a bounded outbox and receives through an unbuffered channel,
// timers are selected on directly. Nothing in this package takes a lock.
//
// The actor never performs network I/O itself. When a frame must be written,
// it hands the frame to a short-lived writer goroutine and goes on serving its
// mailbox; the writer reports back when the write is done. So a client that
// stops reading can slow down only its own session, and no call of the
// application API ever waits for the network.
package session
