package session

import "time"

// conn is the session actor's private state. The actor goroutine (run)
// creates it and is the only goroutine that touches it: the application,
// the transports and the writers reach it only through the Session's
// channels.
type conn struct {
	s   *Session // the handle: immutable fields and the channels into the actor
	cfg *Config  // the same as s.cfg

	// The receiving side.
	recv    Receiver     // attached receiver, or nil
	busy    *writer      // the writer of the job in flight on recv, or nil
	idle    *writer      // a writer of recv waiting for its next job, or nil
	jobs    chan job     // to the idle writer; made for the first writer that may wait
	reports chan *writer // from the busy writer: the report of a lazy job, collected when needed (reportsC)
	last    *writer      // the writer of the close frame the session ends after (stateLastWrite)
	held    []Receiver   // receiving requests that came while recv was attached, waiting for it to go (Config.ConflictWait)
	timer   *time.Timer
	due     time.Time // when the timer's current setting is due; zero while it is stopped

	// The outbound side: messages for the client.
	queue       []outMsg  // messages not handed to a writer yet, at most OutboxSize
	queueBytes  int       // what the messages in queue cost
	flightBytes int       // what the messages of every job not reported yet cost
	batch       []Message // the messages of recv's job in flight; reused after its report
	frames      [1]Frame  // the frame of recv's job in flight; reused after its report

	// The inbound side: messages for Recv.
	inbox   []inboundMsg // inbound messages; those from inHead on are not yet taken by Recv
	inHead  int          // index in inbox of the message Recv gets next
	inBytes int          // what the messages not yet taken cost
	refund  int          // bytes of a reader's messages taken by Recv, not yet returned to it

	// The direct lane from the reader to Recv (lane.go).
	lane     chan uint64 // the same as s.lane
	laneHeld bool        // the actor holds the lane's token
	fedIn    uint64      // deliveries received from the reader

	closeFrame Frame       // the close frame, once the session is closing
	cause      *CloseError // why the session closed, set once
	opened     bool        // the open frame went out and OnOpen ran
	shutdown   bool        // the server is shutting down: closing waits only Config.ShutdownGrace
	reserved   int         // bytes drawn from cfg.Memory
}

// run is the actor goroutine.
func (c *conn) run() {
	c.timer = time.AfterFunc(c.cfg.DisconnectDelay, c.s.tick)
	c.due = time.Now().Add(c.cfg.DisconnectDelay)
	for state := stateOpen; state != nil; {
		state = state(c)
	}
	c.finish()
}

// finish runs when the state machine has stopped.
func (c *conn) finish() {
	c.setCause(CodeNormal, ReasonNormal)
	c.dropOutbound()
	c.timer.Stop()
	if c.cfg.Memory != nil && c.reserved > 0 {
		c.cfg.Memory.Reserve(c.s, -c.reserved)
		c.reserved = 0
	}
	if c.cfg.OnEnd != nil {
		c.cfg.OnEnd(c.s, c.opened)
	}
	close(c.s.done)
}

// arm sets the session's one timer to tick after d. The timer posts to the
// mailbox like everyone else (Session.tick); it never touches the state.
func (c *conn) arm(d time.Duration) {
	c.due = time.Now().Add(d)
	c.timer.Reset(d)
}

// fired reports whether a tick is the timer's current setting come due,
// rather than one posted for an earlier setting just before it was changed.
func (c *conn) fired() bool {
	if c.due.IsZero() || time.Now().Before(c.due) {
		return false
	}
	c.due = time.Time{}
	return true
}

// attachReceiver makes r the session's receiver; the timer now counts to
// its first heartbeat.
func (c *conn) attachReceiver(r Receiver) {
	c.recv = r
	c.arm(c.cfg.HeartbeatDelay)
}

// hand gives j to recv's writer: the one waiting for a job, or a new one.
// It returns the writer, whose report comes back to the mailbox.
func (c *conn) hand(j job) *writer {
	if w := c.idle; w != nil {
		c.idle = nil
		c.jobs <- j // never waits: the writer reported its last job and takes this one next
		return w
	}
	return c.start(c.recv, j)
}

// start starts a writer for r with its first job.
func (c *conn) start(r Receiver, j job) *writer {
	if j.linger && c.jobs == nil {
		// One channel each way serves every writer of the session: only
		// the idle writer waits for a job, and only the busy one reports
		// lazily.
		c.jobs = make(chan job, 1)
		c.reports = make(chan *writer, 1)
	}
	w := &writer{r: r, jobs: c.jobs, mailbox: c.s.mailbox, reports: c.reports, done: c.s.done}
	go w.run(j)
	return w
}

// write hands recv's writer the frames of j and notes the job in flight.
func (c *conn) write(j job) {
	c.busy = c.hand(j)
}

// collect takes the report of the job in flight on recv. It reports whether
// recv is still attached; if not, its writer has ended it.
func (c *conn) collect(w *writer) bool {
	c.busy = nil
	c.released(w)
	if len(w.job.frames) > 0 && &w.job.frames[0] == &c.frames[0] {
		c.wroteBatch()
	}
	if w.ended {
		c.recv = nil
		return false
	}
	if w.job.linger {
		c.idle = w
	}
	return true
}

// released handles the report of a finished job: the bytes of its messages
// are no longer held, and messages the receiver had no room for go back to
// the front of the queue for the next receiver.
func (c *conn) released(w *writer) {
	c.flightBytes -= w.job.bytes
	if w.err == nil {
		var back []outMsg
		for _, f := range w.unwritten() {
			for _, m := range f.Messages {
				back = append(back, outMsg{m, messageSize(m)})
				c.queueBytes += messageSize(m)
			}
		}
		if back != nil {
			c.queue = append(back, c.queue...)
		}
	}
	c.account()
}

// release lets go of recv, which has no job in flight: its writer ends it.
func (c *conn) release() {
	if c.recv != nil {
		c.hand(stopJob)
		c.recv = nil
	}
}

// reject writes frames to a receiver that is not attached and ends it;
// bytes is what their messages cost.
func (c *conn) reject(r Receiver, bytes int, frames ...Frame) *writer {
	return c.start(r, job{frames: frames, bytes: bytes, last: true})
}

// account keeps the session's draw on the service's memory budget in step
// with what it holds, in whole chunks. Every session's first chunk is its
// own: the budget hears of a session only when it holds more than that,
// and again only when it grows or shrinks by a chunk.
func (c *conn) account() {
	if c.cfg.Memory == nil {
		return
	}
	want := 0
	if over := c.queueBytes + c.flightBytes + c.inBytes - MemoryChunk; over > 0 {
		want = (over + MemoryChunk - 1) / MemoryChunk * MemoryChunk
	}
	if want > c.reserved || want+MemoryChunk < c.reserved {
		c.cfg.Memory.Reserve(c.s, want-c.reserved)
		c.reserved = want
	}
}

// closeRequested handles a close from the application or the server. A
// server shutdown is remembered even when the session was already closing,
// so that it stops waiting for its client soon.
func (c *conn) closeRequested(ev closeRequest) {
	if ev.code == CodeGoingAway {
		c.shutdown = true
	}
	c.setCause(ev.code, ev.reason)
	if ev.drop {
		c.dropOutbound()
	}
}

// setCause marks the session as closing for the given reason. Only the first
// call counts.
func (c *conn) setCause(code int, reason string) {
	if c.cause != nil {
		return
	}
	c.cause = &CloseError{Code: code, Reason: reason}
	if c.lane != nil && !c.laneHeld {
		c.takeLane()
	}
	c.closeFrame = Frame{Kind: FrameClose, Code: code, Reason: reason}
	c.s.cancel(c.cause)
	if c.opened && c.cfg.OnClose != nil {
		c.cfg.OnClose(c.s, c.cause)
	}
	c.dropInbound()
}

// closingDelay is how long a closing session without a receiver waits for
// the next request: the disconnect delay, or while the server shuts down
// only the shutdown grace. Live clients poll again within milliseconds; the
// full delay would hold up the shutdown for clients that are gone.
func (c *conn) closingDelay() time.Duration {
	if c.shutdown {
		return min(c.cfg.ShutdownGrace, c.cfg.DisconnectDelay)
	}
	return c.cfg.DisconnectDelay
}
