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
func (c *conn) queueInbound(d delivery) {
	switch {
	case c.cause != nil:
		d.answer(nil)
	case d.ack != nil && (len(d.msgs) > c.cfg.InboxSize || d.bytes > c.cfg.ReceiveBuffer):
		d.answer(ErrPayloadTooLarge)
	case d.ack != nil && c.queued > 0 &&
		(c.queued+len(d.msgs) > c.cfg.InboxSize || c.inBytes+d.bytes > c.cfg.ReceiveBuffer):
		d.answer(ErrInboxFull)
	default:
		c.deliveries = append(c.deliveries, d)
		c.queued += len(d.msgs)
		c.inBytes += d.bytes
		c.account()
	}
}

// answer acknowledges a sending request's delivery; a reader's has nobody
// waiting.
func (d delivery) answer(err error) {
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
	if c.queued == 0 || c.cause != nil || c.sendBackedUp() {
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
	if c.queued == 0 {
		return inboundMsg{}
	}
	d := &c.deliveries[0]
	m := inboundMsg{text: d.msgs[0]}
	if len(d.msgs) == 1 {
		m.ack = d.ack
	}
	return m
}

// took removes the message Recv just got.
func (c *conn) took() {
	d := &c.deliveries[0]
	n := len(d.msgs[0]) + MessageOverhead
	d.msgs[0] = ""
	d.msgs = d.msgs[1:]
	c.queued--
	c.inBytes -= n
	if d.ack == nil {
		c.refund += n
	}
	if len(d.msgs) == 0 {
		c.deliveries[0] = delivery{}
		c.deliveries = c.deliveries[1:]
		if len(c.deliveries) == 0 {
			c.deliveries = nil // let a long backlog's array go
		}
	}
	c.account()
}

// dropInbound acknowledges every delivery without handing it out.
func (c *conn) dropInbound() {
	c.s.ackHeld() // taken, but the application will not ask for more now
	for i, d := range c.deliveries {
		d.answer(nil)
		c.deliveries[i] = delivery{}
	}
	c.deliveries = nil
	c.queued = 0
	c.inBytes = 0
	c.account()
}
