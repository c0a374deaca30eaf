// Package session implements the SockJS session as an actor.
//
// Every session is one goroutine that owns all of the session's mutable
// state, an unexported conn, and runs a state machine of state functions:
//
//	for state := stateOpen; state != nil; { state = state(c) }
//
// The application's Session is a handle that holds only immutable fields
// and the channels into the actor. Transports attach receivers and deliver
// the client's messages through the mailbox; the application sends through
// a small outbox channel that the actor empties into its bounded queue; the
// session's one timer posts a tick to the mailbox (a heartbeat while a
// receiver is attached, the end of a wait otherwise); writers post the
// report of every job there too, except the report of a small frame of
// messages, which waits in a channel of its own until the actor needs the
// writer again.
//
// The states and their transitions, all in states.go:
//
//	state       event                                   next state
//	open        attach: the open frame                  writing
//	open        close, timeout                          end
//	active      message or heartbeat to write           writing
//	active      close                                   closed or last write
//	active      abort                                   end (1002)
//	writing     report, receiver kept, nothing queued   active
//	writing     report, receiver kept, messages queued  writing (next batch)
//	writing     report, receiver used up                passive, closed or end
//	writing     heartbeat due, lazy report in           writing (the heartbeat)
//	writing     close                                   closing
//	writing     abort                                   aborting
//	closing     report                                  closed or last write
//	aborting    report                                  end (1002)
//	passive     attach                                  active or writing
//	passive     close                                   closed
//	passive     timeout                                 end
//	closed      attach: queued messages, close frame    closed, or last write
//	closed      timeout                                 end
//	last write  the close frame written, timeout        end
//
// A second receiving request in a state with a receiver (active, writing,
// closing, aborting) waits up to Config.ConflictWait for that receiver to
// go, and is then served as if it had come after (c[1002] after an abort,
// the session after a poll was answered), or gets
// c[2010,"Another connection still open"] and changes nothing. "end" is
// the nil state: the actor exits.
//
// In words: a session is open until its first receiver attaches, then
// active (a receiver, nothing being written) or writing (a job in flight,
// or its report not collected yet), and passive without a receiver. A
// close while writing waits in closing for the job, then the queued
// messages and the close frame go out; an abort while writing waits in
// aborting. Closed answers every receiving request with the close frame;
// last write waits for the close frame to a client that will not come back
// (a websocket, or any client during a shutdown).
//
// The actor never performs network I/O itself. A writer goroutine per
// receiver writes the frames (writer.go): the actor hands it a job and goes
// on serving its mailbox, and the writer posts one report per job. After a
// frame of messages the writer waits for the next job, so a stream of
// messages costs no goroutine per frame; after an open or heartbeat frame it
// exits, so an idle session has no writer. The report of a frame of at most
// a few KiB that left the receiver attached is not posted to the mailbox
// but left in the reports channel, which the actor reads only when
// messages wait for the writer, a heartbeat is due, the session closes or
// the client aborts: in a request and response exchange, the actor is
// woken once per message by the application's Send and not again by the
// report. So a client that stops reading slows down only its own session,
// and no call of the application API ever waits for the network.
//
// Messages reach Recv over an unbuffered channel from the actor's inbox.
// HTTP sends deliver into it and wait until the application has taken their
// messages (Deliver); a websocket's reader feeds it without waiting (Feed),
// paced by credit: it may hold Config.ReceiveBuffer bytes that the
// application has not taken, and the actor refunds what Recv takes over the
// refill channel. So the reader keeps reading (pongs, a vanished client)
// while the application is busy, and stops, letting TCP push back, when the
// credit is spent. When the inbox is empty and nothing holds input back,
// the actor lends a token (the direct lane, lane.go) with which the
// websocket reader, or a sending request (Deliver), hands a message
// straight to a Recv that is already waiting, without waking the actor.
// Nothing in this package takes a lock.
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
package session
