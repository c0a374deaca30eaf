package session

import "time"

// This file holds the actor's helpers. Everything here runs on the actor
// goroutine, except job, which runs on a writer goroutine.

// handleCommon handles the events that mean the same in every state.
func (s *Session) handleCommon(ev event) {
	switch ev := ev.(type) {
	case delivery:
		s.queueInbound(ev)
	case closeRequest:
		s.closeRequested(ev)
	case abort, writeDone, heartbeatDue:
		// A receiver that is no longer ours, or a heartbeat without one:
		// nothing to do. (Every state handles attach itself.)
	}
}

// queueInbound accepts inbound messages for Recv, or drops them once the session
// is closing, as the protocol says (PROTOCOL.md §6.10).
func (s *Session) queueInbound(d delivery) {
	switch {
	case s.cause != nil:
		d.ack <- nil
	case s.queued > 0 && s.queued+len(d.msgs) > s.cfg.InboxSize:
		d.ack <- ErrInboxFull
	default:
		s.deliveries = append(s.deliveries, d)
		s.queued += len(d.msgs)
	}
}

// inboundC returns the channel to Recv when a message is waiting for it, and
// nil (a select case that never fires) otherwise.
//
// Inbound messages are also held back while the outbound queue is half
// full: an application that answers what it reads (echo, request and
// response) would otherwise turn one large burst from the client into more
// replies than the queue holds, and the session would close as a slow
// consumer although the client is keeping up. Held back, the burst waits in
// the client's send request instead, which is the protocol's back-pressure.
func (s *Session) inboundC() chan<- inboundMsg {
	if s.queued == 0 || s.cause != nil || len(s.queue) >= max(1, s.cfg.OutboxSize/2) {
		return nil
	}
	return s.inbound
}

// nextInbound returns the message Recv gets next. The last message of a
// delivery carries the delivery's acknowledgement, which Recv sends when
// the application asks for more: its sender then knows the messages were
// processed, not merely read.
func (s *Session) nextInbound() inboundMsg {
	if s.queued == 0 {
		return inboundMsg{}
	}
	d := &s.deliveries[0]
	m := inboundMsg{text: d.msgs[0]}
	if len(d.msgs) == 1 {
		m.ack = d.ack
	}
	return m
}

// took removes the message Recv just got.
func (s *Session) took() {
	d := &s.deliveries[0]
	d.msgs = d.msgs[1:]
	s.queued--
	if len(d.msgs) == 0 {
		s.deliveries[0] = delivery{}
		s.deliveries = s.deliveries[1:]
	}
}

// dropInbound acknowledges every delivery without handing it out.
func (s *Session) dropInbound() {
	s.ackHeld() // taken, but the application will not ask for more now
	for i, d := range s.deliveries {
		d.ack <- nil
		s.deliveries[i] = delivery{}
	}
	s.deliveries = nil
	s.queued = 0
}

// closeRequested handles a close from the application or the server. A
// server shutdown is remembered even when the session was already closing,
// so that it stops waiting for its client soon.
func (s *Session) closeRequested(ev closeRequest) {
	if ev.code == CodeGoingAway {
		s.shutdown = true
	}
	s.setCause(ev.code, ev.reason)
}

// setCause marks the session as closing for the given reason. Only the first
// call counts.
func (s *Session) setCause(code int, reason string) {
	if s.cause != nil {
		return
	}
	s.cause = &CloseError{Code: code, Reason: reason}
	s.closeFrame = Frame{Kind: FrameClose, Code: code, Reason: reason}
	s.cancel(s.cause)
	s.dropInbound()
}

// enqueue takes a message from the outbox. It reports false when the queue
// overflowed and the session must close as a slow consumer.
func (s *Session) enqueue(m Message) bool {
	if len(s.queue) >= s.cfg.OutboxSize {
		return false
	}
	s.queue = append(s.queue, m)
	return true
}

// flush writes the queued messages as one frame if the attached receiver is
// idle. Messages sent while a write is in flight wait and go out together in
// the next frame.
func (s *Session) flush() {
	if s.recv == nil || len(s.queue) == 0 || s.busy() {
		return
	}
	s.batch, s.queue = s.queue, s.batch[:0]
	s.write(Frame{Kind: FrameMessages, Messages: s.batch})
}

// startHeartbeat arms the heartbeat timer. It is a function timer that
// posts heartbeatDue, not a ticker in the actor's select: a goroutine that
// parks on a timer's channel puts the timer into the runtime's heap and
// takes it out again on every wakeup, which a busy session would pay on
// every message.
func (s *Session) startHeartbeat() {
	if s.heartbeat == nil {
		s.heartbeat = time.AfterFunc(s.cfg.HeartbeatDelay, func() { s.post(heartbeatDue{}) })
		return
	}
	s.heartbeat.Reset(s.cfg.HeartbeatDelay)
}

func (s *Session) stopHeartbeat() {
	if s.heartbeat != nil {
		s.heartbeat.Stop()
	}
}

// writeHeartbeat writes a heartbeat frame unless a write is in flight (which
// keeps the connection busy anyway) and arms the timer for the next one. A
// heartbeatDue that was on its way when the receiver went is ignored.
func (s *Session) writeHeartbeat() {
	if s.recv == nil {
		return
	}
	if !s.busy() {
		s.write(Frame{Kind: FrameHeartbeat})
	}
	s.heartbeat.Reset(s.cfg.HeartbeatDelay)
}

// drainOutbox moves every message waiting in the outbox to the queue, as
// the session closes; the queue's bound no longer matters then.
func (s *Session) drainOutbox() {
	for {
		select {
		case m := <-s.outbox:
			s.queue = append(s.queue, m)
		default:
			return
		}
	}
}

// drainFrames returns the queued messages as one frame, if any, followed by
// last, and empties the queue.
func (s *Session) drainFrames(last Frame) []Frame {
	s.drainOutbox()
	if len(s.queue) == 0 {
		return []Frame{last}
	}
	msgs := s.queue
	s.queue = nil
	return []Frame{{Kind: FrameMessages, Messages: msgs}, last}
}

// write starts a job that writes f to the attached receiver.
func (s *Session) write(f Frame) {
	s.frames[0] = f
	s.writing = true
	go s.job(s.recv, s.frames[:1], false)
}

// reject writes frames to a receiver that is not attached and ends it.
func (s *Session) reject(r Receiver, frames ...Frame) {
	go s.job(r, frames, true)
}

// job runs on a writer goroutine: it writes frames to r and reports back
// to the actor.
//
// A write after which r stays attached leaves a token in s.written and
// wakes nobody: the actor collects the token when it next needs the
// receiver (busy), so a message costs no round trip to the actor after its
// write.
//
// A write that uses r up posts writeDone, and the actor hears of it before
// r ends: once a polling response is complete the client may poll again at
// once, and that request must find the session free, not still attached to
// this one (the mailbox is FIFO, so writeDone is handled before the new
// request's attach).
func (s *Session) job(r Receiver, frames []Frame, end bool) {
	full, err := r.Write(frames)
	if !end && !full && err == nil {
		s.written <- struct{}{} // never blocks: one write at a time, and the actor took the last token
		return
	}
	s.post(writeDone{r: r, err: err})
	r.End()
}

// busy reports whether a write on the attached receiver is in flight,
// collecting the token of one that finished.
func (s *Session) busy() bool {
	if !s.writing {
		return false
	}
	select {
	case <-s.written:
		s.writing = false
		return false
	default:
		return true
	}
}

// writtenC returns the channel of the writer's token while the actor has
// something waiting for the write in flight to finish, and nil otherwise.
func (s *Session) writtenC() <-chan struct{} {
	if s.writing && (len(s.queue) > 0 || s.closePending || s.abortPending) {
		return s.written
	}
	return nil
}

// writerFree goes on with what waited for the write in flight, which has
// finished with the receiver still attached. It returns the next state, or
// nil to stay active.
func (s *Session) writerFree() stateFn {
	s.writing = false
	switch {
	case s.abortPending:
		return s.interrupted()
	case s.closePending:
		s.closePending = false
		return s.closeReceiver()
	}
	s.flush()
	return nil
}

// wrote handles writeDone for the attached receiver: the writer has ended
// it, used up or failed. It returns the next state, or nil to stay active.
func (s *Session) wrote(ev writeDone) stateFn {
	if ev.r != s.recv {
		return nil
	}
	s.writing = false
	if ev.err != nil || s.abortPending {
		s.recv = nil // the writer has ended it already
		return s.interrupted()
	}
	return s.detach()
}

// detach lets go of a receiver that the writer ended normally.
func (s *Session) detach() stateFn {
	r := s.recv
	s.recv = nil
	s.stopHeartbeat()
	if !r.DelayDisconnect() {
		s.setCause(CodeNormal, ReasonNormal)
		return stateEnded
	}
	if s.cause != nil {
		s.expiry.Reset(s.closingDelay())
		return stateClosed
	}
	s.expiry.Reset(s.cfg.DisconnectDelay)
	return statePassive
}

// attachReceiver makes r the session's receiver.
func (s *Session) attachReceiver(r Receiver) {
	s.expiry.Stop()
	s.recv = r
	s.startHeartbeat()
}

// closeActive closes the attached receiver now, or once its write in
// flight is done (it then returns nil: stay active until then).
func (s *Session) closeActive() stateFn {
	if s.busy() {
		s.closePending = true
		return nil
	}
	return s.closeReceiver()
}

// closeReceiver writes the queued messages and the close frame to the
// attached receiver, which is idle, and lets go of it.
func (s *Session) closeReceiver() stateFn {
	r := s.recv
	s.recv = nil
	s.stopHeartbeat()
	frames := s.drainFrames(s.closeFrame)
	go s.job(r, frames, true)
	if !r.DelayDisconnect() || (s.shutdown && len(frames) == 1) {
		// Nobody will come back: a websocket is gone with its close frame,
		// and a server shutting down has told its client. The session ends
		// once that frame is written, so that whoever waits for the session
		// (Shutdown before the process exits) knows the client got it. (A
		// poll that carries queued messages has no room for the close frame:
		// the client's next poll must still find the session.)
		s.lastWrite = r
	}
	s.expiry.Reset(s.closingDelay())
	return stateClosed
}

// interrupted ends the session after its receiver was aborted: the client's
// state is unknown, so the session must not wait (PROTOCOL.md §6.8 (a)).
func (s *Session) interrupted() stateFn {
	if s.recv != nil {
		go s.recv.End()
		s.recv = nil
	}
	s.stopHeartbeat()
	s.setCause(CodeInterrupted, ReasonInterrupted)
	return stateEnded
}

// shutdownGrace is how long a session without a receiver waits for its
// client to collect the close frame when the server shuts down. Live
// clients poll again within milliseconds; the full disconnect delay would
// hold up the shutdown for clients that are gone.
const shutdownGrace = time.Second

// closingDelay is how long a closing session without a receiver waits for
// the next request.
func (s *Session) closingDelay() time.Duration {
	if s.shutdown {
		return min(shutdownGrace, s.cfg.DisconnectDelay)
	}
	return s.cfg.DisconnectDelay
}

// finish runs when the state machine has stopped.
func (s *Session) finish() {
	s.setCause(CodeNormal, ReasonNormal)
	s.stopHeartbeat()
	s.expiry.Stop()
	if s.cfg.OnEnd != nil {
		s.cfg.OnEnd(s, s.opened)
	}
	close(s.done)
}
