package session

// This file holds the actor's inbound queue: messages from the client on
// their way to Recv. Everything here runs on the actor goroutine.

// queueInbound accepts inbound messages for Recv, or drops them once the
// session is closing, as the protocol says (docs/protocol.md).
//
// A reader's delivery (no ack) is always taken: its credit already keeps it
// within the receive buffer. A sending request's delivery is refused when
// it alone exceeds the bounds, or when it would take the messages already
// waiting past them; the sender then answers 413 or 503.
//
// The messages are copied into the session's own queue, so the delivery is
// garbage once handled: a reader's delivery costs one allocation, and the
// queue keeps a small array between messages (keptInbox).
func (c *conn) queueInbound(d *delivery) {
	if d.ack == nil {
		c.fedIn++
	}
	c.laneHeld = c.laneHeld || d.token
	queued := c.inboundLen()
	switch {
	case c.cause != nil:
		d.answer(nil)
	case d.ack != nil && !d.token && queued > 0 &&
		(queued+len(d.msgs) > c.cfg.InboxSize || c.inBytes+d.bytes > c.cfg.ReceiveBuffer):
		// A delivery with the token is the rest of one whose first
		// messages went straight to Recv: it cannot be refused any more.
		// It came when the inbox was empty, so it exceeds the bounds by
		// at most what concurrent requests queued meanwhile.
		d.answer(ErrInboxFull)
	default:
		c.compactInbox()
		for i, text := range d.msgs {
			m := inboundMsg{text: text, fed: d.ack == nil}
			if i == len(d.msgs)-1 {
				m.ack = d.ack
			}
			c.inbox = append(c.inbox, m)
		}
		c.inBytes += d.bytes
		c.account()
	}
}

// inboundLen is the number of messages waiting for Recv.
func (c *conn) inboundLen() int { return len(c.inbox) - c.inHead }

// compactInbox moves the waiting messages to the front of the inbox's array
// when it is full, so that the slots Recv emptied are reused before the
// array grows.
func (c *conn) compactInbox() {
	if c.inHead == 0 || len(c.inbox) < cap(c.inbox) {
		return
	}
	n := copy(c.inbox, c.inbox[c.inHead:])
	clear(c.inbox[n:])
	c.inbox = c.inbox[:n]
	c.inHead = 0
}

// answer acknowledges a sending request's delivery; a reader's has nobody
// waiting.
func (d *delivery) answer(err error) {
	if d.ack != nil {
		d.ack <- err
	}
}

// inboundC returns the channel to Recv when a message is waiting for it, and
// nil (a select case that never fires) otherwise.
//
// Inbound messages are also held back while the session holds half of
// what it may for its client (sendBackedUp): an application that answers
// what it reads (echo, request and response) would otherwise turn one large
// burst from the client into more replies than the send buffer holds, and
// the session would close as a slow consumer although the client is keeping
// up. Held back, the burst waits in the client's send request or, on a
// websocket, in the client's TCP window (refillC), which is the protocol's
// back-pressure.
func (c *conn) inboundC() chan<- inboundMsg {
	if c.inboundLen() == 0 || c.cause != nil || c.sendBackedUp() {
		return nil
	}
	return c.s.inbound
}

// refillC returns the channel to a reader waiting for credit when Recv has
// taken some of its messages and the session is not backed up, and nil
// otherwise.
func (c *conn) refillC() chan<- int {
	if c.refund == 0 || c.cause != nil || c.sendBackedUp() {
		return nil
	}
	return c.s.refill
}

// refilled notes that the reader took the refund.
func (c *conn) refilled() { c.refund = 0 }

// nextInbound returns the message Recv gets next. The last message of a
// delivery carries the delivery's acknowledgement, which Recv sends when
// the application asks for more: its sender then knows the messages were
// processed, not merely read.
func (c *conn) nextInbound() inboundMsg {
	if c.inboundLen() == 0 {
		return inboundMsg{}
	}
	return c.inbox[c.inHead]
}

// keptInbox is the largest inbox array the session keeps once it is empty:
// enough for a request and response exchange to allocate nothing, too small
// to hold memory for a burst it once received.
const keptInbox = 8

// took removes the message Recv just got.
func (c *conn) took() {
	m := c.inbox[c.inHead]
	c.inbox[c.inHead] = inboundMsg{}
	c.inHead++
	n := len(m.text) + MessageOverhead
	c.inBytes -= n
	if m.fed {
		c.refund += n
	}
	if c.inboundLen() == 0 {
		c.resetInbox()
	}
	c.account()
}

// resetInbox empties the inbox, keeping a small array for the next message.
func (c *conn) resetInbox() {
	c.inHead = 0
	if cap(c.inbox) > keptInbox {
		c.inbox = nil
		return
	}
	c.inbox = c.inbox[:0]
}

// dropInbound acknowledges every delivery without handing it out.
func (c *conn) dropInbound() {
	c.s.ackHeld() // taken, but the application will not ask for more now
	for _, m := range c.inbox[c.inHead:] {
		if m.ack != nil {
			m.ack <- nil
		}
	}
	clear(c.inbox)
	c.inbox = nil
	c.inHead = 0
	c.inBytes = 0
	c.account()
}
