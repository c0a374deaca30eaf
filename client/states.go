package client

import (
	"context"
	"errors"
	"net/http"
	"time"

	sockjsframe "github.com/gosockjs/sockjs/internal/frame"
)

// stateFn is one state of the connection's actor: it waits for one event,
// handles it and returns the next state, or nil once the connection ends.
type stateFn func(*conn) stateFn

// conn is the connection's state, owned by the actor goroutine (run).
type conn struct {
	pub  *Conn   // the application's handle
	opts Options // with defaults

	// Set by Dial.
	client      *http.Client    // makes every request
	ownedClient bool            // the client is the connection's own: close its idle connections at the end
	baseURL     string          // the service's URL, without a final slash or query
	query       string          // the query of the URL dialled, added to every request
	rtt         time.Duration   // of the /info request
	dialCtx     context.Context // bounds opening
	opened      chan<- error    // to Dial: nil when a transport opened, or why none did; nil once told

	// The connection's helpers: goroutines that run requests.
	ctx     context.Context    // ends every helper
	cancel  context.CancelFunc // ends ctx
	helpers int                // running; each one's last act is its event
	frames  chan attemptFrame  // from receiving helpers; the actor takes one only while its receive queue has room
	events  chan attemptEvent  // from helpers: a helper ended, and how; the actor takes them in every state

	// The transport being tried, or in use.
	transports []string           // those still to try
	failures   []error            // why those tried did not open
	name       string             // the transport's name
	t          transport          // the transport
	attempt    int                // the attempt's number; helpers' messages carry it
	actx       context.Context    // ends the attempt's helpers
	acancel    context.CancelFunc // ends actx
	receiving  bool               // a receiving helper runs
	sending    bool               // a sending helper runs
	openTimer  *time.Timer        // the attempt's time to open
	heartbeat  *time.Timer        // fires when the server has been silent for HeartbeatTimeout

	inbox    []string      // received, waiting for Recv
	outbox   []string      // queued by Send, waiting for the send in flight
	closeReq *closeRequest // the application's Close, once it came
	err      error         // why the connection ends
}

// attemptFrame is a frame a receiving helper read.
type attemptFrame struct {
	attempt int   // the attempt of the helper: frames of an abandoned one are dropped
	f       frame // the frame
}

// attemptEvent is a helper's last act: its report that it ended.
type attemptEvent struct {
	attempt int       // the attempt of the helper: reports of an abandoned one are dropped
	kind    eventKind // what the helper did
	err     error     // nil: it ended normally
}

// eventKind is what a helper did.
type eventKind int

const (
	evReceive eventKind = iota // a receiving request, or a websocket's reading
	evSend                     // a send
	evClose                    // the websocket closing handshake
)

// run is the actor: it runs the states, then stops the helpers and hands
// the connection's end to the application.
func (c *conn) run() {
	for state := stateConnect; state != nil; {
		state = state(c)
	}
	c.cancel()
	for c.helpers > 0 {
		<-c.events
		c.helpers--
	}
	if c.ownedClient {
		c.client.CloseIdleConnections()
	}
	if c.opened != nil {
		c.opened <- c.err
	}
	rest := make(chan string, len(c.inbox))
	for _, m := range c.inbox {
		rest <- m
	}
	close(rest)
	c.pub.rest, c.pub.err = rest, c.err
	close(c.pub.done)
}

// stateConnect starts the next transport to try, or fails Dial when none
// is left.
func stateConnect(c *conn) stateFn {
	if len(c.transports) == 0 {
		c.err = &CloseError{Code: CodeAllTransports, Reason: "All transports failed", Err: errors.Join(c.failures...)}
		return nil
	}
	c.name, c.transports = c.transports[0], c.transports[1:]
	sessionURL := c.baseURL + "/" + randomServerID() + "/" + randomSessionID()
	t, err := newTransport(c.name, sessionURL, c.query, c.client, c.opts.Header, c.opts.MaxFrameSize)
	if err != nil {
		c.failures = append(c.failures, err)
		return stateConnect
	}
	c.t, c.attempt = t, c.attempt+1
	c.actx, c.acancel = context.WithCancel(c.ctx)
	c.receiving, c.sending = false, false
	c.startReceive()
	c.openTimer = time.NewTimer(openTimeout(c.rtt, roundTrips, c.opts.OpenTimeout))
	return stateOpening
}

// stateOpening waits for the transport's open frame, and moves on to the
// next transport when it fails or takes too long.
func stateOpening(c *conn) stateFn {
	select {
	case af := <-c.frames:
		if af.attempt != c.attempt {
			return stateOpening
		}
		switch f := af.f; f.kind {
		case 'h':
			return stateOpening
		case 'o':
			c.openTimer.Stop()
			c.pub.transport = c.name
			c.opened <- nil
			c.opened = nil
			c.resetHeartbeat()
			return stateActive
		case 'c':
			if validCloseCode(f.code) {
				c.err = &CloseError{Code: f.code, Reason: f.reason}
				return nil
			}
			return c.failed(&CloseError{Code: f.code, Reason: f.reason})
		default:
			return c.failed(errBadFrame)
		}
	case ev := <-c.events:
		c.helpers--
		if ev.attempt != c.attempt {
			return stateOpening
		}
		err := ev.err
		if err == nil {
			err = errEndedBeforeOpen
		}
		return c.failed(err)
	case <-c.openTimer.C:
		return c.failed(&CloseError{Code: CodeTransportTimeout, Reason: "Transport timed out"})
	case <-c.dialCtx.Done():
		c.err = c.dialCtx.Err()
		return nil
	}
}

// failed records why the transport being tried did not open, abandons it
// and goes on to the next.
func (c *conn) failed(err error) stateFn {
	c.failures = append(c.failures, &transportError{c.name, err})
	c.openTimer.Stop()
	c.acancel()
	return stateConnect
}

// stateActive is the open connection: frames in, messages out to Recv,
// messages from Send out in batches, one receiving and one sending request
// at a time.
func stateActive(c *conn) stateFn {
	var frames chan attemptFrame // nil, so not taken, while the receive queue is full
	if len(c.inbox) < c.opts.ReceiveQueue {
		frames = c.frames
	}
	var recvs chan string // nil while there is nothing to give
	var head string
	if len(c.inbox) > 0 {
		recvs, head = c.pub.recvs, c.inbox[0]
	}
	var sends chan string // nil while the send queue is full
	if len(c.outbox) < c.opts.SendQueue {
		sends = c.pub.sends
	}
	var silence <-chan time.Time
	if c.heartbeat != nil {
		silence = c.heartbeat.C
	}

	select {
	case af := <-frames:
		if af.attempt == c.attempt {
			if next := c.onFrame(af.f); next != nil {
				return next
			}
		}
	case recvs <- head:
		c.inbox[0] = ""
		c.inbox = c.inbox[1:]
	case msg := <-sends:
		c.outbox = append(c.outbox, msg)
	case ev := <-c.events:
		c.helpers--
		if ev.attempt == c.attempt {
			if next := c.onEvent(ev); next != nil {
				return next
			}
		}
	case <-silence:
		if len(c.inbox) >= c.opts.ReceiveQueue {
			// Not reading: the server's silence is the client's doing.
			c.resetHeartbeat()
			break
		}
		c.err = &CloseError{Code: CodeConnectionLost, Reason: "Server heartbeat timeout"}
		return stateClosing
	case req := <-c.pub.closes:
		c.closeReq, c.err, c.inbox = &req, ErrClosed, nil
		return stateClosing
	}
	c.pump()
	return stateActive
}

// onFrame handles a frame of the open connection; it returns the next
// state when the frame ends the connection.
func (c *conn) onFrame(f frame) stateFn {
	c.resetHeartbeat()
	switch f.kind {
	case 'a':
		c.inbox = append(c.inbox, f.msgs...)
	case 'o':
		c.err = &CloseError{Code: CodeConnectionLost, Reason: "Server lost session"}
		return stateClosing
	case 'c':
		c.err = &CloseError{Code: f.code, Reason: f.reason}
		return stateClosing
	}
	return nil
}

// onEvent handles the end of a request of the open connection.
func (c *conn) onEvent(ev attemptEvent) stateFn {
	if ev.kind == evSend {
		c.sending = false
		if ev.err != nil {
			c.err = &CloseError{Code: CodeConnectionLost, Reason: "Sending error", Err: ev.err}
			return stateClosing
		}
		return nil
	}
	c.receiving = false
	if ev.err != nil {
		c.err = &CloseError{Code: CodeConnectionLost, Reason: "Connection lost", Err: ev.err}
		return stateClosing
	}
	if c.name == Websocket {
		c.err = &CloseError{Code: CodeConnectionLost, Reason: "Connection lost", Err: errEndedBeforeClose}
		return stateClosing
	}
	return nil
}

// maxBatchBytes bounds a batch of messages, so that it stays within the
// request bodies servers accept (1 MiB by default for this library's, 1 MB
// for sockjs-node's websocket frames); a message larger alone is sent alone.
const maxBatchBytes = 256 << 10

// pump starts the next send when none is in flight and messages wait, and
// the next receiving request of an HTTP transport when the receive queue
// has room.
func (c *conn) pump() {
	if !c.sending && len(c.outbox) > 0 {
		payload := []byte{'['}
		n := 0
		for _, m := range c.outbox {
			if n > 0 && len(payload)+sockjsframe.QuotedLen(m) > maxBatchBytes {
				break
			}
			if n > 0 {
				payload = append(payload, ',')
			}
			payload = sockjsframe.AppendString(payload, m)
			n++
		}
		payload = append(payload, ']')
		c.outbox = append(c.outbox[:0:0], c.outbox[n:]...)
		c.startSend(payload)
	}
	if !c.receiving && len(c.inbox) < c.opts.ReceiveQueue {
		c.startReceive()
	}
}

// stateClosing ends the transport: after the application's Close, the
// websocket closing handshake, bounded by CloseTimeout.
func stateClosing(c *conn) stateFn {
	if c.heartbeat != nil {
		c.heartbeat.Stop()
	}
	if c.closeReq == nil {
		return nil
	}
	t, req := c.t, *c.closeReq
	c.spawn(evClose, func() error {
		t.close(req.code, req.reason)
		return nil
	})
	timer := time.NewTimer(c.opts.CloseTimeout)
	defer timer.Stop()
	for {
		select {
		case ev := <-c.events:
			c.helpers--
			if ev.kind == evClose {
				return nil
			}
		case <-timer.C:
			return nil
		}
	}
}

// resetHeartbeat restarts the wait for the server's next frame.
func (c *conn) resetHeartbeat() {
	if c.opts.HeartbeatTimeout < 0 {
		return
	}
	if c.heartbeat == nil {
		c.heartbeat = time.NewTimer(c.opts.HeartbeatTimeout)
		return
	}
	c.heartbeat.Reset(c.opts.HeartbeatTimeout)
}

// spawn runs f on a helper goroutine of the current attempt, whose last
// act is to post its event; run waits for every helper's.
func (c *conn) spawn(kind eventKind, f func() error) {
	attempt, events := c.attempt, c.events
	c.helpers++
	go func() {
		events <- attemptEvent{attempt: attempt, kind: kind, err: f()}
	}()
}

// startReceive starts the transport's receiving helper: one request of an
// HTTP transport, or the websocket.
func (c *conn) startReceive() {
	t, ctx, attempt, frames := c.t, c.actx, c.attempt, c.frames
	c.receiving = true
	c.spawn(evReceive, func() error {
		return t.receive(ctx, func(f frame) bool {
			select {
			case frames <- attemptFrame{attempt, f}:
				return true
			case <-ctx.Done():
				return false
			}
		})
	})
}

// startSend starts a helper that sends one batch.
func (c *conn) startSend(payload []byte) {
	t, ctx := c.t, c.actx
	c.sending = true
	c.spawn(evSend, func() error { return t.send(ctx, payload) })
}
