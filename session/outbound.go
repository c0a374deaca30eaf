package session

// This file holds the actor's outbound queue: messages for the client, and
// how they are cut into frames. Everything here runs on the actor goroutine.

// enqueue takes a message from the outbox. It reports false when the
// message would take the session past its send buffer, in messages or
// bytes: the session must close as a slow consumer.
func (c *conn) enqueue(m outMsg) bool {
	if len(c.queue) >= c.cfg.OutboxSize || c.outBytes()+m.size > c.cfg.SendBuffer {
		return false
	}
	c.queue = append(c.queue, m)
	c.queueBytes += m.size
	c.account()
	return true
}

// sendBackedUp reports whether the session holds at least half of what it
// may hold for its client, in messages or bytes.
func (c *conn) sendBackedUp() bool {
	return len(c.queue) >= max(1, c.cfg.OutboxSize/2) || c.outBytes() >= c.cfg.SendBuffer/2
}

// outBytes is what the session holds for its client: the queue and the
// frames being written.
func (c *conn) outBytes() int { return c.queueBytes + c.flightBytes }

// batchJob moves the next batch of queued messages into the session's
// reused frame and returns the job that writes it. Messages sent while a
// write is in flight wait in the queue and go out together in the next
// frame. The writer lingers after it, for the next batch, and reports a
// small batch lazily.
func (c *conn) batchJob() job {
	var bytes int
	c.batch, bytes = c.takeBatch(c.batch[:0])
	c.frames[0] = Frame{Kind: FrameMessages, Messages: c.batch}
	c.flightBytes += bytes
	return job{frames: c.frames[:1], bytes: bytes, linger: true, lazy: bytes <= lazyBytes}
}

// lazyBytes is the largest batch whose report the actor collects only when
// it needs the writer again. Until then the batch's messages stay
// referenced and counted in flight, so a large one reports at once: an
// idle session must not hold a burst, and its write costs far more than
// the wakeup saved.
const lazyBytes = 4 << 10

// reportsC returns the channel of lazy reports when the actor needs the
// busy writer's report (messages wait for it, or the bytes in flight hold
// back the inbound side), and nil otherwise: a report nobody waits for
// stays in the channel without waking the actor.
func (c *conn) reportsC() <-chan *writer {
	if len(c.queue) == 0 && !c.sendBackedUp() {
		return nil
	}
	return c.reports
}

// takeBatch moves the next batch of queued messages to dst: messages in
// order until their encoded size reaches Config.MaxFrame, at least one. It
// returns the batch and what its messages cost, which moves from the queue
// to the frames in flight.
func (c *conn) takeBatch(dst []Message) ([]Message, int) {
	bytes, n := 0, 0
	for n < len(c.queue) && (n == 0 || bytes+c.queue[n].size <= c.cfg.MaxFrame) {
		dst = append(dst, c.queue[n].m)
		bytes += c.queue[n].size
		n++
	}
	clear(c.queue[:n])
	switch {
	case n < len(c.queue):
		c.queue = c.queue[n:]
	case cap(c.queue) <= keptQueue:
		c.queue = c.queue[:0] // the whole queue went: keep its array for the next message
	default:
		c.queue = nil // let a backlog's array go once it is empty
	}
	c.queueBytes -= bytes
	return dst, bytes
}

// keptBatch is the largest batch array the session keeps between writes:
// an idle session holds no memory for a burst it once sent.
const keptBatch = 64

// keptQueue is the largest queue array the session keeps once the queue is
// empty: enough for a request and response exchange to allocate nothing,
// too small to hold memory for a burst.
const keptQueue = 8

// wroteBatch forgets the batch that the writer has finished with.
func (c *conn) wroteBatch() {
	c.frames[0] = Frame{}
	clear(c.batch)
	if cap(c.batch) > keptBatch {
		c.batch = nil
	}
}

// dropOutbound forgets the messages queued for the client.
func (c *conn) dropOutbound() {
	c.drainOutbox()
	clear(c.queue)
	c.queue = nil
	c.queueBytes = 0
	c.account()
}

// drainOutbox moves the messages waiting in the outbox to the queue as the
// session closes, as far as the send buffer holds them; the rest were sent
// after the close in effect, and are dropped.
func (c *conn) drainOutbox() {
	for {
		select {
		case m := <-c.s.outbox:
			if c.outBytes()+m.size <= c.cfg.SendBuffer {
				c.queue = append(c.queue, m)
				c.queueBytes += m.size
			}
		default:
			c.account()
			return
		}
	}
}

// closingJob returns the job that writes the queued messages, as frames
// of at most Config.MaxFrame bytes, followed by the close frame, and ends
// the receiver. It empties the queue.
func (c *conn) closingJob() job {
	c.drainOutbox()
	var frames []Frame
	total := 0
	for len(c.queue) > 0 {
		msgs, bytes := c.takeBatch(nil)
		frames = append(frames, Frame{Kind: FrameMessages, Messages: msgs})
		total += bytes
	}
	c.flightBytes += total
	return job{frames: append(frames, c.closeFrame), bytes: total, last: true}
}
