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
	case writeDone:
		// A receiver that is no longer ours, ended by its writer.
		s.released(ev)
	case abort, heartbeatDue:
		// A receiver that is no longer ours, or a heartbeat without one:
		// nothing to do. (Every state handles attach itself.)
	}
}

// queueInbound accepts inbound messages for Recv, or drops them once the session
// is closing, as the protocol says (PROTOCOL.md §6.10).
//
// A reader's delivery (no ack) is always taken: its credit already keeps it
// within the receive buffer. A sending request's delivery is refused when
// it alone exceeds the bounds, or when it would take the messages already
// waiting past them; the sender then answers 413 or 503.
func (s *Session) queueInbound(d delivery) {
	switch {
	case s.cause != nil:
		d.answer(nil)
	case d.ack != nil && (len(d.msgs) > s.cfg.InboxSize || d.bytes > s.cfg.ReceiveBuffer):
		d.answer(ErrPayloadTooLarge)
	case d.ack != nil && s.queued > 0 &&
		(s.queued+len(d.msgs) > s.cfg.InboxSize || s.inBytes+d.bytes > s.cfg.ReceiveBuffer):
		d.answer(ErrInboxFull)
	default:
		s.deliveries = append(s.deliveries, d)
		s.queued += len(d.msgs)
		s.inBytes += d.bytes
		s.account()
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
func (s *Session) inboundC() chan<- inboundMsg {
	if s.queued == 0 || s.cause != nil || s.sendBackedUp() {
		return nil
	}
	return s.inbound
}

// sendBackedUp reports whether the session holds at least half of what it
// may hold for its client, in messages or bytes.
func (s *Session) sendBackedUp() bool {
	return len(s.queue) >= max(1, s.cfg.OutboxSize/2) || s.outBytes() >= s.cfg.SendBuffer/2
}

// outBytes is what the session holds for its client: the queue and the
// frames being written.
func (s *Session) outBytes() int { return s.queueBytes + s.flightBytes }

// refillC returns the channel to a reader waiting for credit when Recv has
// taken some of its messages and the session is not backed up, and nil
// otherwise.
func (s *Session) refillC() chan<- int {
	if s.refund == 0 || s.cause != nil || s.sendBackedUp() {
		return nil
	}
	return s.refill
}

// refilled notes that the reader took the refund.
func (s *Session) refilled() { s.refund = 0 }

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
	n := len(d.msgs[0]) + MessageOverhead
	d.msgs[0] = ""
	d.msgs = d.msgs[1:]
	s.queued--
	s.inBytes -= n
	if d.ack == nil {
		s.refund += n
	}
	if len(d.msgs) == 0 {
		s.deliveries[0] = delivery{}
		s.deliveries = s.deliveries[1:]
		if len(s.deliveries) == 0 {
			s.deliveries = nil // let a long backlog's array go
		}
	}
	s.account()
}

// dropInbound acknowledges every delivery without handing it out.
func (s *Session) dropInbound() {
	s.ackHeld() // taken, but the application will not ask for more now
	for i, d := range s.deliveries {
		d.answer(nil)
		s.deliveries[i] = delivery{}
	}
	s.deliveries = nil
	s.queued = 0
	s.inBytes = 0
	s.account()
}

// closeRequested handles a close from the application or the server. A
// server shutdown is remembered even when the session was already closing,
// so that it stops waiting for its client soon.
func (s *Session) closeRequested(ev closeRequest) {
	if ev.code == CodeGoingAway {
		s.shutdown = true
	}
	s.setCause(ev.code, ev.reason)
	if ev.drop {
		s.dropOutbound()
	}
}

// dropOutbound forgets the messages queued for the client.
func (s *Session) dropOutbound() {
	s.drainOutbox()
	clear(s.queue)
	s.queue = nil
	s.queueBytes = 0
	s.account()
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

// enqueue takes a message from the outbox. It reports false when the
// message would take the session past its send buffer, in messages or
// bytes: the session must close as a slow consumer.
func (s *Session) enqueue(m outMsg) bool {
	if len(s.queue) >= s.cfg.OutboxSize || s.outBytes()+m.size > s.cfg.SendBuffer {
		return false
	}
	s.queue = append(s.queue, m)
	s.queueBytes += m.size
	s.account()
	return true
}

// flush writes the next batch of queued messages as one frame if the
// attached receiver is idle. Messages sent while a write is in flight wait
// and go out together in the next frame.
func (s *Session) flush() {
	if s.recv == nil || len(s.queue) == 0 || s.busy() {
		return
	}
	var bytes int
	s.batch, bytes = s.takeBatch(s.batch[:0])
	s.frames[0] = Frame{Kind: FrameMessages, Messages: s.batch}
	s.writing = true
	s.flightBytes += bytes
	s.batchBytes = bytes
	go s.job(s.recv, s.frames[:1], false, bytes)
}

// takeBatch moves the next batch of queued messages to dst: messages in
// order until their encoded size reaches Config.MaxFrame, at least one. It
// returns the batch and what its messages cost, which moves from the queue
// to the frames in flight.
func (s *Session) takeBatch(dst []Message) ([]Message, int) {
	bytes, n := 0, 0
	for n < len(s.queue) && (n == 0 || bytes+s.queue[n].size <= s.cfg.MaxFrame) {
		dst = append(dst, s.queue[n].m)
		bytes += s.queue[n].size
		n++
	}
	clear(s.queue[:n])
	s.queue = s.queue[n:]
	if len(s.queue) == 0 {
		s.queue = s.queue[:0:0] // let the array go once it is empty
	}
	s.queueBytes -= bytes
	return dst, bytes
}

// keptBatch is the largest batch array the session keeps between writes:
// an idle session holds no memory for a burst it once sent.
const keptBatch = 64

// wroteBatch forgets the batch that the writer has finished with.
func (s *Session) wroteBatch() {
	s.frames[0] = Frame{}
	clear(s.batch)
	if cap(s.batch) > keptBatch {
		s.batch = nil
	}
	s.flightBytes -= s.batchBytes
	s.batchBytes = 0
	s.account()
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

// drainOutbox moves the messages waiting in the outbox to the queue as the
// session closes, as far as the send buffer holds them; the rest were sent
// after the close in effect, and are dropped.
func (s *Session) drainOutbox() {
	for {
		select {
		case m := <-s.outbox:
			if s.outBytes()+m.size <= s.cfg.SendBuffer {
				s.queue = append(s.queue, m)
				s.queueBytes += m.size
			}
		default:
			s.account()
			return
		}
	}
}

// drainFrames returns the queued messages as frames of at most
// Config.MaxFrame bytes, followed by last, and empties the queue. It also
// returns what the messages cost, which the writer reports back when done.
func (s *Session) drainFrames(last Frame) ([]Frame, int) {
	s.drainOutbox()
	var frames []Frame
	total := 0
	for len(s.queue) > 0 {
		msgs, bytes := s.takeBatch(nil)
		frames = append(frames, Frame{Kind: FrameMessages, Messages: msgs})
		total += bytes
	}
	s.flightBytes += total
	return append(frames, last), total
}

// released handles the end of a job that used up a receiver: the bytes of
// its messages are no longer held, and messages it had no room for go back
// to the front of the queue for the next receiver.
func (s *Session) released(ev writeDone) {
	s.flightBytes -= ev.bytes
	if len(ev.unwritten) > 0 && ev.err == nil {
		var back []outMsg
		for _, f := range ev.unwritten {
			for _, m := range f.Messages {
				back = append(back, outMsg{m, messageSize(m)})
			}
		}
		for _, m := range back {
			s.queueBytes += m.size
		}
		s.queue = append(back, s.queue...)
	}
	s.account()
}

// write starts a job that writes f, which carries no messages, to the
// attached receiver.
func (s *Session) write(f Frame) {
	s.frames[0] = f
	s.writing = true
	go s.job(s.recv, s.frames[:1], false, 0)
}

// reject writes frames to a receiver that is not attached and ends it;
// bytes is what their messages cost.
func (s *Session) reject(r Receiver, bytes int, frames ...Frame) {
	go s.job(r, frames, true, bytes)
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
func (s *Session) job(r Receiver, frames []Frame, end bool, bytes int) {
	n, full, err := r.Write(frames)
	if !end && !full && err == nil {
		s.written <- struct{}{} // never blocks: one write at a time, and the actor took the last token
		return
	}
	s.post(writeDone{r: r, err: err, bytes: bytes, unwritten: messageFrames(frames[n:])})
	r.End()
}

// messageFrames returns the message frames among frames.
func messageFrames(frames []Frame) []Frame {
	var out []Frame
	for _, f := range frames {
		if f.Kind == FrameMessages {
			out = append(out, f)
		}
	}
	return out
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
		s.wroteBatch()
		return false
	default:
		return true
	}
}

// writtenC returns the channel of the writer's token while the actor has
// something waiting for the write in flight to finish, and nil otherwise.
// Besides queued messages and a pending close, a large batch waits for it:
// until the token is collected the batch keeps its messages alive and
// counts against the send buffer, which may be holding back the client's
// input (sendBackedUp). A small batch may keep its token until the next
// send, which saves the actor a wakeup per frame.
func (s *Session) writtenC() <-chan struct{} {
	if s.writing && (len(s.queue) > 0 || s.closePending || s.abortPending ||
		s.batchBytes >= MemoryChunk || s.sendBackedUp()) {
		return s.written
	}
	return nil
}

// writerFree goes on with what waited for the write in flight, which has
// finished with the receiver still attached. It returns the next state, or
// nil to stay active.
func (s *Session) writerFree() stateFn {
	s.writing = false
	s.wroteBatch()
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
		s.released(ev)
		return nil
	}
	s.writing = false
	s.wroteBatch()
	ev.bytes = 0 // the batch's bytes, released above
	s.released(ev)
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
	frames, bytes := s.drainFrames(s.closeFrame)
	go s.job(r, frames, true, bytes)
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
// client to collect the close frame when the server shuts down. A live
// client in a foreground page polls again within milliseconds, but
// sockjs-client starts every XHR from a setTimeout, and browsers clamp the
// timers of a background tab to 1 s (Firefox's
// dom.min_background_timeout_value), so a page in a background tab polls
// again about a second after each answer: the grace covers that with room
// for a busy client. The full disconnect delay would hold up the shutdown
// longer for clients that are gone.
const shutdownGrace = 3 * time.Second

// closingDelay is how long a closing session without a receiver waits for
// the next request.
func (s *Session) closingDelay() time.Duration {
	if s.shutdown {
		return min(shutdownGrace, s.cfg.DisconnectDelay)
	}
	return s.cfg.DisconnectDelay
}

// account keeps the session's draw on the service's memory budget in step
// with what it holds, in whole chunks. Every session's first chunk is its
// own: the budget hears of a session only when it holds more than that,
// and again only when it grows or shrinks by a chunk.
func (s *Session) account() {
	if s.cfg.Memory == nil {
		return
	}
	want := 0
	if over := s.queueBytes + s.flightBytes + s.inBytes - MemoryChunk; over > 0 {
		want = (over + MemoryChunk - 1) / MemoryChunk * MemoryChunk
	}
	if want > s.reserved || want+MemoryChunk < s.reserved {
		s.cfg.Memory.Reserve(s, want-s.reserved)
		s.reserved = want
	}
}

// finish runs when the state machine has stopped.
func (s *Session) finish() {
	s.setCause(CodeNormal, ReasonNormal)
	s.dropOutbound()
	s.stopHeartbeat()
	s.expiry.Stop()
	if s.cfg.Memory != nil && s.reserved > 0 {
		s.cfg.Memory.Reserve(s, -s.reserved)
		s.reserved = 0
	}
	if s.cfg.OnEnd != nil {
		s.cfg.OnEnd(s, s.opened)
	}
	close(s.done)
}
