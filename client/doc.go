// Package client is a SockJS client: it opens a connection to a SockJS
// server (this library's, sockjs-node, sockjs-go, Spring) over the best
// transport that works, and gives the application one ordered stream of
// messages each way.
//
//	c, err := client.Dial(ctx, "http://localhost:8081/echo", nil)
//	if err != nil {
//		return err
//	}
//	defer c.Close(1000, "")
//	if err := c.Send(ctx, "hello"); err != nil {
//		return err
//	}
//	msg, err := c.Recv(ctx) // "hello" from an echo service
//
// # Transports
//
// Dial behaves as sockjs-client does. It first asks GET /info whether the
// server allows websockets, and times that request to learn the round trip.
// Then it tries the transports in order (Options.Transports; by default
// websocket, xhr-streaming, eventsource, xhr-polling), each on a new
// session, until one delivers the open frame: a transport that fails (a
// proxy that refuses the websocket upgrade) is left at once, one that says
// nothing is left after twice the retransmission timeout derived from the
// round trip (Options.OpenTimeout can lengthen it). The HTTP transports
// send with xhr_send, one request at a time, batching every message queued
// while a request is in flight; the streaming ones open the next response
// when the server ends one at its response limit, and xhr-polling polls
// again as each response ends. The server's heartbeats keep the connection
// alive; one silent for Options.HeartbeatTimeout is taken for gone.
//
// # Closing
//
// Recv returns every message the server sent and then why the connection
// ended: a *CloseError with the server's code and reason (3000 "Go away!"),
// or with CodeConnectionLost when the network or the server failed. Both
// match ErrClosed. Close ends the connection from the client's side.
//
// # Design: an actor
//
// Like the server's sessions, each connection is an actor: one goroutine
// owns all of its state and runs a small state machine (connect, opening,
// active, closing), taking one event at a time from channels: frames read
// by helper goroutines, the end of a request, Send, Recv and Close, timers.
// The actor never touches the network itself; short-lived helpers run the
// requests and post what happened, and the actor waits for every helper
// before the connection ends, so none is left behind. There are no locks.
//
// Every queue is bounded. Send waits while Options.SendQueue messages are
// queued. Received messages wait for Recv in a queue of Options.ReceiveQueue;
// while it is full the actor takes no frame from its helpers, which then
// stop reading, so an application that reads slowly pushes back on the
// server (whose own bounded queue then fills; this library's server closes
// such a session with 1013 "Slow consumer") instead of the client
// buffering without bound. No method waits without a context, except
// Close, which waits at most Options.CloseTimeout for the websocket closing
// handshake.
//
// What it does not do: the browser-only transports (iframe, htmlfile,
// JSONP, XDomainRequest), and reconnecting after a connection ended, which
// SockJS leaves to the application: dial again.
package client
