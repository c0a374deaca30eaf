package transport

import (
	"sync/atomic"
	"time"
)

// watchdog enforces a deadline on a connection's writes, which happen one
// at a time, with one timer that runs only while writes go on. Arming and
// stopping a timer around every write costs two operations on the runtime's
// timer heap per message; here a write costs a clock read and an atomic
// store, and the timer is re-armed at most once per timeout.
//
// A write that is still going when the timer fires and has taken the
// timeout is cut off, so a write ends between one and two timeouts after it
// began.
type watchdog struct {
	timeout time.Duration
	cut     func() // makes the stuck write fail, typically by closing the connection
	epoch   time.Time
	started atomic.Int64 // when the write in flight began (ns since epoch, never 0); 0 when none
	armed   atomic.Bool  // the timer is set, or its function is running
	timer   *time.Timer  // stopped until the first write
}

func newWatchdog(timeout time.Duration, cut func()) *watchdog {
	w := &watchdog{timeout: timeout, cut: cut, epoch: time.Now()}
	// Created here, not by the first write, so that fire never reads the
	// field while it is being set.
	w.timer = time.AfterFunc(time.Hour, w.fire)
	w.timer.Stop()
	return w
}

// now returns monotonic nanoseconds since the epoch, never 0.
func (w *watchdog) now() int64 { return int64(time.Since(w.epoch)) + 1 }

// begin marks the start of a write.
func (w *watchdog) begin() {
	// Store first: a timer function that has just cleared armed then
	// sees this write and arms again (see fire).
	w.started.Store(w.now())
	if w.armed.CompareAndSwap(false, true) {
		w.timer.Reset(w.timeout)
	}
}

// end marks the end of the write.
func (w *watchdog) end() { w.started.Store(0) }

// fire runs when the timer goes off.
func (w *watchdog) fire() {
	w.armed.Store(false)
	started := w.started.Load()
	if started == 0 {
		return // idle: the next write arms the timer again
	}
	age := time.Duration(w.now() - started)
	if age >= w.timeout {
		w.cut()
		return
	}
	if w.armed.CompareAndSwap(false, true) {
		w.timer.Reset(w.timeout - age)
	}
}

// stop releases the timer once no more writes will come.
func (w *watchdog) stop() { w.timer.Stop() }
