package session

import "time"

// stateFn is one state of the session actor; it returns the next state, or
// nil when the session has ended.
type stateFn func(*Session) stateFn

// run is the actor goroutine.
func (s *Session) run() {
	s.expiry = time.NewTimer(s.cfg.DisconnectDelay)
	for state := stateOpen; state != nil; {
		state = state(s)
	}
	s.finish()
}

// stateOpen: the session was just created and waits for its first receiver,
// which gets the open frame.
func stateOpen(s *Session) stateFn {
	for {
		select {
		case ev := <-s.mailbox:
			switch ev := ev.(type) {
			case attach:
				close(ev.taken)
				s.attachReceiver(ev.r)
				s.write(Frame{Kind: FrameOpen})
				s.opened = true
				s.cfg.OnOpen(s)
				return stateActive
			case closeRequest:
				// Closed before anyone connected: nothing to tell anyone.
				s.closeRequested(ev)
				return nil
			default:
				s.handleCommon(ev)
			}
		case <-s.expiry.C:
			s.setCause(CodeNormal, ReasonTimedOut)
			return nil
		}
	}
}

// stateActive: a receiver is attached; messages and heartbeats are written
// to it as they come, batched while a write is in flight.
func stateActive(s *Session) stateFn {
	for {
		select {
		case ev := <-s.mailbox:
			switch ev := ev.(type) {
			case attach:
				close(ev.taken)
				s.reject(ev.r, 0, Frame{Kind: FrameClose, Code: CodeAnotherConnection, Reason: ReasonAnotherConnection})
			case abort:
				if ev.r != s.recv {
					continue
				}
				if s.busy() {
					s.abortPending = true
					continue
				}
				return s.interrupted()
			case writeDone:
				if next := s.wrote(ev); next != nil {
					return next
				}
			case heartbeatDue:
				s.writeHeartbeat()
			case closeRequest:
				s.closeRequested(ev)
				if next := s.closeActive(); next != nil {
					return next
				}
			default:
				s.handleCommon(ev)
			}
		case m := <-s.outbox:
			if !s.enqueue(m) {
				s.setCause(CodeSlowConsumer, ReasonSlowConsumer)
				if next := s.closeActive(); next != nil {
					return next
				}
				continue
			}
			s.flush()
		case <-s.writtenC():
			if next := s.writerFree(); next != nil {
				return next
			}
		case s.inboundC() <- s.nextInbound():
			s.took()
		case s.refillC() <- s.refund:
			s.refilled()
		}
	}
}

// statePassive: no receiver is attached. Messages wait in the outbox for the
// next receiving request; without one for the disconnect delay, the session
// times out.
func statePassive(s *Session) stateFn {
	for {
		select {
		case ev := <-s.mailbox:
			switch ev := ev.(type) {
			case attach:
				close(ev.taken)
				s.attachReceiver(ev.r)
				s.flush()
				return stateActive
			case closeRequest:
				s.closeRequested(ev)
				s.expiry.Reset(s.closingDelay())
				return stateClosed
			default:
				s.handleCommon(ev)
			}
		case s.inboundC() <- s.nextInbound():
			s.took()
		case s.refillC() <- s.refund:
			s.refilled()
		case m := <-s.outbox:
			if !s.enqueue(m) {
				s.setCause(CodeSlowConsumer, ReasonSlowConsumer)
				s.expiry.Reset(s.closingDelay())
				return stateClosed
			}
		case <-s.expiry.C:
			s.setCause(CodeNormal, ReasonTimedOut)
			return nil
		}
	}
}

// stateClosed: the session is closing. Every receiving request gets the
// messages still queued and the close frame again, until the session has
// had no request for the disconnect delay.
func stateClosed(s *Session) stateFn {
	for {
		select {
		case ev := <-s.mailbox:
			switch ev := ev.(type) {
			case attach:
				close(ev.taken)
				frames, bytes := s.drainFrames(s.closeFrame)
				s.reject(ev.r, bytes, frames...)
				if s.shutdown && len(frames) == 1 {
					return stateEnded // the server is shutting down and has told this client
				}
				s.expiry.Reset(s.closingDelay())
			case closeRequest:
				if s.closeRequested(ev); s.shutdown {
					// The server is shutting down: give the client only a
					// short grace to collect the close frame it has.
					s.expiry.Reset(s.closingDelay())
				}
			case writeDone:
				s.released(ev)
				if ev.r == s.lastWrite {
					return stateEnded // the last close frame is out
				}
			default:
				s.handleCommon(ev)
			}
		case <-s.expiry.C:
			return nil
		}
	}
}

// stateEnded: the session has ended; the actor exits.
func stateEnded(*Session) stateFn { return nil }
