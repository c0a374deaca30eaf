package session

import "time"

// This file is the session's state diagram (see the package doc): every
// state, and every transition between states, is here. A state serves the
// mailbox until something moves the session on, and returns the next state;
// nil means the session has ended, and nothing else.

// stateFn is one state of the session actor.
type stateFn func(*conn) stateFn

// Frames without messages, shared by every session; writers only read them.
var (
	openFrames      = []Frame{{Kind: FrameOpen}}
	heartbeatFrames = []Frame{{Kind: FrameHeartbeat}}
	conflictFrames  = []Frame{{Kind: FrameClose, Code: CodeAnotherConnection, Reason: ReasonAnotherConnection}}
)

// stateOpen: the session was just created and waits for its first receiver,
// which gets the open frame.
func stateOpen(c *conn) stateFn {
	for {
		switch ev := (<-c.s.mailbox).(type) {
		case attach:
			close(ev.taken)
			c.attachReceiver(ev.r)
			c.write(job{frames: openFrames})
			c.opened = true
			c.cfg.OnOpen(c.s)
			return stateWriting
		case closeRequest:
			c.closeRequested(ev) // closed before anyone connected: nobody to tell
			return nil
		case tick:
			if c.fired() {
				c.setCause(CodeNormal, ReasonTimedOut)
				return nil
			}
		default:
			c.common(ev)
		}
	}
}

// stateActive: a receiver is attached and nothing is being written to it;
// the next message or heartbeat is written at once.
func stateActive(c *conn) stateFn {
	for {
		c.syncLane()
		select {
		case ev := <-c.s.mailbox:
			switch ev := ev.(type) {
			case attach:
				c.conflict(ev)
			case abort:
				if ev.r == c.recv {
					return c.interrupted()
				}
			case tick:
				if c.fired() {
					c.arm(c.cfg.HeartbeatDelay)
					c.write(job{frames: heartbeatFrames})
					return stateWriting
				}
			case closeRequest:
				c.closeRequested(ev)
				return c.closeReceiver()
			default:
				c.common(ev)
			}
		case m := <-c.s.outbox:
			if !c.enqueue(m) {
				c.setCause(CodeSlowConsumer, ReasonSlowConsumer)
				return c.closeReceiver()
			}
			c.write(c.batchJob())
			return stateWriting
		case c.inboundC() <- c.nextInbound():
			c.took()
		case c.refillC() <- c.refund:
			c.refilled()
		}
	}
}

// stateWriting: a job is in flight on the attached receiver, or its lazy
// report has not been collected. Messages sent meanwhile wait and go out
// together, in one frame, when it is done; a heartbeat falling due is
// written only if the writer is done, the write keeps the connection busy.
func stateWriting(c *conn) stateFn {
	for {
		c.syncLane()
		select {
		case ev := <-c.s.mailbox:
			switch ev := ev.(type) {
			case *writer:
				if ev != c.busy {
					c.released(ev)
					continue
				}
				return c.wrote(ev)
			case attach:
				c.conflict(ev)
			case abort:
				if ev.r == c.recv {
					return stateAborting
				}
			case tick:
				if c.fired() {
					c.arm(c.cfg.HeartbeatDelay)
					if w, ok := c.reported(); ok {
						return c.heartbeatAfter(w)
					}
				}
			case closeRequest:
				c.closeRequested(ev)
				return stateClosing
			default:
				c.common(ev)
			}
		case w := <-c.reportsC():
			return c.wrote(w)
		case m := <-c.s.outbox:
			if !c.enqueue(m) {
				c.setCause(CodeSlowConsumer, ReasonSlowConsumer)
				return stateClosing
			}
		case c.inboundC() <- c.nextInbound():
			c.took()
		case c.refillC() <- c.refund:
			c.refilled()
		}
	}
}

// stateClosing: the session is closing while a job is in flight on the
// attached receiver; the queued messages and the close frame follow it.
func stateClosing(c *conn) stateFn {
	for {
		select {
		case w := <-c.reports:
			return c.closeAfter(w)
		case ev := <-c.s.mailbox:
			switch ev := ev.(type) {
			case *writer:
				if ev == c.busy {
					return c.closeAfter(ev)
				}
				c.released(ev)
			case attach:
				c.conflict(ev)
			case abort:
				if ev.r == c.recv {
					return stateAborting
				}
			default:
				c.common(ev)
			}
		}
	}
}

// stateAborting: the client went away while a job was in flight on its
// receiver; the session ends, interrupted, once the writer is done with it.
func stateAborting(c *conn) stateFn {
	for {
		select {
		case w := <-c.reports:
			c.collect(w)
			return c.interrupted()
		case ev := <-c.s.mailbox:
			switch ev := ev.(type) {
			case *writer:
				if ev == c.busy {
					c.collect(ev)
					return c.interrupted()
				}
				c.released(ev)
			case attach:
				c.conflict(ev)
			default:
				c.common(ev)
			}
		}
	}
}

// statePassive: no receiver is attached. Messages wait in the queue for the
// next receiving request; without one for the disconnect delay, the session
// times out.
func statePassive(c *conn) stateFn {
	for {
		c.syncLane()
		select {
		case ev := <-c.s.mailbox:
			switch ev := ev.(type) {
			case attach:
				close(ev.taken)
				return c.attachPassive(ev.r)
			case tick:
				if c.fired() {
					c.setCause(CodeNormal, ReasonTimedOut)
					return nil
				}
			case closeRequest:
				c.closeRequested(ev)
				c.arm(c.closingDelay())
				return stateClosed
			default:
				c.common(ev)
			}
		case m := <-c.s.outbox:
			if !c.enqueue(m) {
				c.setCause(CodeSlowConsumer, ReasonSlowConsumer)
				c.arm(c.closingDelay())
				return stateClosed
			}
		case c.inboundC() <- c.nextInbound():
			c.took()
		case c.refillC() <- c.refund:
			c.refilled()
		}
	}
}

// stateClosed: the session is closing and no receiver is attached. Every
// receiving request gets the messages still queued and the close frame,
// until none has come for the closing delay.
func stateClosed(c *conn) stateFn {
	for {
		switch ev := (<-c.s.mailbox).(type) {
		case attach:
			close(ev.taken)
			if c.closedAttach(ev.r) {
				return stateLastWrite
			}
		case closeRequest:
			c.closedAgain(ev)
		case tick:
			if c.fired() {
				return nil
			}
		default:
			c.common(ev)
		}
	}
}

// stateLastWrite: the session is closed and its close frame is being
// written to a client that will not come back for it again (a websocket, or
// any client while the server shuts down). The session ends once it is
// written, so that whoever waits for the session knows the client got it.
func stateLastWrite(c *conn) stateFn {
	for {
		switch ev := (<-c.s.mailbox).(type) {
		case *writer:
			c.released(ev)
			if ev == c.last {
				return nil
			}
		case attach:
			close(ev.taken)
			c.closedAttach(ev.r)
		case closeRequest:
			c.closedAgain(ev)
		case tick:
			if c.fired() {
				return nil
			}
		default:
			c.common(ev)
		}
	}
}

// common handles the events that mean the same in every state that does
// not handle them itself.
func (c *conn) common(ev event) {
	switch ev := ev.(type) {
	case *delivery:
		c.queueInbound(ev)
	case closeRequest:
		c.closeRequested(ev)
	case *writer:
		c.released(ev) // the report of a receiver that is no longer attached
	case conflictWaited:
		c.conflictWaited(ev.r)
	case attach, abort, tick:
		// Every state handles attach itself; an abort of a receiver that
		// is no longer attached, and a tick the state has no use for,
		// change nothing.
	}
}

// conflict takes a receiving request that comes while another receiver is
// attached. It is held for up to Config.ConflictWait, in case the attached
// receiver goes: the client may have aborted it and the abort be still on
// its way (the two reach the session in either order). If the attached
// receiver stays, the request gets the 2010 close frame and the session
// goes on (conflictWaited); if it goes, the request is served as if it had
// come just after (served).
func (c *conn) conflict(ev attach) {
	close(ev.taken)
	if len(c.held) >= maxHeld {
		c.reject(ev.r, 0, conflictFrames...)
		return
	}
	c.held = append(c.held, ev.r)
	s, r := c.s, ev.r
	time.AfterFunc(c.cfg.ConflictWait, func() { s.post(conflictWaited{r}) })
}

// maxHeld bounds the receiving requests held at once; more get 2010 at
// once.
const maxHeld = 4

// conflictWaited answers a held request whose wait is over, and the
// attached receiver still there, with the 2010 close frame.
func (c *conn) conflictWaited(r Receiver) {
	for i, h := range c.held {
		if h == r {
			c.held = append(c.held[:i], c.held[i+1:]...)
			c.reject(r, 0, conflictFrames...)
			return
		}
	}
}

// takeHeld returns the held requests and forgets them: the attached
// receiver has gone.
func (c *conn) takeHeld() []Receiver {
	held := c.held
	c.held = nil
	return held
}

// attachPassive attaches r to a session without a receiver; the queued
// messages go out at once.
func (c *conn) attachPassive(r Receiver) stateFn {
	c.attachReceiver(r)
	if len(c.queue) == 0 {
		return stateActive
	}
	c.write(c.batchJob())
	return stateWriting
}

// servedPassive serves the held requests after the attached receiver went
// and left the session passive: the first attaches, the others conflict
// with it.
func (c *conn) servedPassive() stateFn {
	held := c.takeHeld()
	if len(held) == 0 {
		return statePassive
	}
	for _, r := range held[1:] {
		c.reject(r, 0, conflictFrames...)
	}
	return c.attachPassive(held[0])
}

// servedClosed serves the held requests after the attached receiver went
// and left the session closed: each gets the close frame. It returns
// next, or stateLastWrite if one of them was the last write.
func (c *conn) servedClosed(next stateFn) stateFn {
	for _, r := range c.takeHeld() {
		if c.closedAttach(r) {
			next = stateLastWrite
		}
	}
	return next
}

// servedEnded answers the held requests of a session that has ended with
// its close frame (c[1002] after an abort).
func (c *conn) servedEnded() {
	for _, r := range c.takeHeld() {
		c.reject(r, 0, c.closeFrame)
	}
}

// wrote goes on after the report of the job in flight on recv: the next
// batch if messages wait, else the receiver is idle (active), or it was
// used up.
func (c *conn) wrote(w *writer) stateFn {
	if !c.collect(w) {
		return c.detached(w)
	}
	if len(c.queue) == 0 {
		return stateActive
	}
	c.write(c.batchJob())
	return stateWriting
}

// reported collects the busy writer's lazy report if it has come.
func (c *conn) reported() (*writer, bool) {
	select {
	case w := <-c.reports:
		return w, true
	default:
		return nil, false
	}
}

// heartbeatAfter goes on after a heartbeat fell due in stateWriting and
// the lazy report w showed the writer done: the next batch if messages
// wait, else the heartbeat.
func (c *conn) heartbeatAfter(w *writer) stateFn {
	if !c.collect(w) {
		return c.detached(w) // not for a lazy report, which keeps its receiver
	}
	if len(c.queue) == 0 {
		c.write(job{frames: heartbeatFrames})
	} else {
		c.write(c.batchJob())
	}
	return stateWriting
}

// closeAfter goes on after the report of the job in flight on recv while
// the session is closing.
func (c *conn) closeAfter(w *writer) stateFn {
	if !c.collect(w) {
		return c.detached(w)
	}
	return c.closeReceiver()
}

// closeReceiver writes the queued messages and the close frame to the
// attached receiver, which has no job in flight, and lets go of it. A
// receiver that nobody will follow (a websocket, or any receiver once the
// server is shutting down and has nothing but the close frame for it) is
// the last one: the session ends when its close frame is written. A poll
// that carries queued messages has no room for the close frame, so the
// client's next poll must still find the session.
func (c *conn) closeReceiver() stateFn {
	r := c.recv
	j := c.closingJob()
	w := c.hand(j)
	c.recv = nil
	c.arm(c.closingDelay())
	if !r.DelayDisconnect() || (c.shutdown && len(j.frames) == 1) {
		c.last = w
		return c.servedClosed(stateLastWrite)
	}
	return c.servedClosed(stateClosed)
}

// closedAttach gives a receiving request of a closed session the queued
// messages and the close frame. It reports whether that was the session's
// last write: the server is shutting down and this client has its close
// frame now.
func (c *conn) closedAttach(r Receiver) bool {
	j := c.closingJob()
	w := c.start(r, j)
	c.arm(c.closingDelay())
	if c.shutdown && len(j.frames) == 1 {
		c.last = w
		return true
	}
	return false
}

// closedAgain handles a close request of a closed session: a server
// shutdown shortens the wait for the client to the shutdown grace.
func (c *conn) closedAgain(ev closeRequest) {
	if c.closeRequested(ev); c.shutdown {
		c.arm(c.closingDelay())
	}
}

// detached goes on after the attached receiver was ended by its writer:
// used up (a poll answered, a streaming response at its limit) or failed.
func (c *conn) detached(w *writer) stateFn {
	switch {
	case w.err != nil:
		return c.interrupted()
	case !w.r.DelayDisconnect():
		c.setCause(CodeNormal, ReasonNormal)
		c.servedEnded()
		return nil
	case c.cause != nil:
		c.arm(c.closingDelay())
		return c.servedClosed(stateClosed)
	}
	c.arm(c.cfg.DisconnectDelay)
	return c.servedPassive()
}

// interrupted ends the session after its receiver was aborted or failed:
// the client's state is unknown, so the session must not wait
// (docs/protocol.md, closing a session).
func (c *conn) interrupted() stateFn {
	c.release()
	c.setCause(CodeInterrupted, ReasonInterrupted)
	c.servedEnded()
	return nil
}
