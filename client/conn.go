package client

import "context"

// Conn is an open SockJS connection. Its methods are safe for concurrent
// use; those that may wait take a context, except Close, whose wait is
// bounded by Options.CloseTimeout.
type Conn struct {
	transport string // the transport that opened, set before Dial returns

	// From the application's goroutines to the actor.
	sends  chan string       // Send's messages; taken only while the send queue has room
	closes chan closeRequest // Close's request

	// From the actor to Recv.
	recvs chan string // the next received message, offered while one is queued

	// Written by the actor before it closes done; read only after.
	done chan struct{} // closed when the actor and its helpers have stopped
	err  error         // why the connection ended: a *CloseError or ErrClosed
	rest chan string   // the messages still queued for Recv, closed
}

// closeRequest is Close's request to the actor.
type closeRequest struct {
	code   int    // the close code of the websocket closing handshake
	reason string // its reason
}

// Transport returns the name of the transport in use: Websocket,
// XHRStreaming, EventSource or XHRPolling.
func (c *Conn) Transport() string { return c.transport }

// Send queues msg for the server and returns, or waits while the send queue
// (Options.SendQueue) is full, until ctx ends. Messages arrive in the order
// of the Send calls that returned nil. Once the connection has ended it
// returns the error Recv returns at the end.
func (c *Conn) Send(ctx context.Context, msg string) error {
	select {
	case <-c.done:
		return c.err
	default:
	}
	select {
	case c.sends <- msg:
		return nil
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Recv returns the next message from the server, waiting until one
// arrives or ctx ends. Messages the server sent before closing are all
// returned first; then Recv returns a *CloseError with the server's code and
// reason, or one of CodeConnectionLost if the connection broke, or ErrClosed
// after Close. Both match ErrClosed with errors.Is.
//
// While the application does not call Recv, received messages wait in a
// bounded queue (Options.ReceiveQueue); once it is full the client stops
// reading from the server, whose own queue then fills.
func (c *Conn) Recv(ctx context.Context) (string, error) {
	select {
	case msg := <-c.recvs:
		return msg, nil
	case <-c.done:
		if msg, ok := <-c.rest; ok {
			return msg, nil
		}
		return "", c.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Close closes the connection with code (1000 or 3000–4999) and reason and
// returns once its goroutines have stopped. The server learns the code
// through the websocket closing handshake; the HTTP transports cannot tell
// it, and the server ends the session when the client stops polling.
// Messages still queued either way are dropped, and Recv and Send return
// ErrClosed. Closing a closed connection does nothing.
func (c *Conn) Close(code int, reason string) error {
	if !validCloseCode(code) {
		return ErrInvalidCloseCode
	}
	select {
	case c.closes <- closeRequest{code, reason}:
	case <-c.done:
	}
	<-c.done
	return nil
}

// Done returns a channel that is closed once the connection has ended, for
// whatever reason; Recv then returns what remains and the reason.
func (c *Conn) Done() <-chan struct{} { return c.done }
