package transport

import (
	"sync/atomic"
	"time"
)

// watchdog enforces a deadline on a connection's writes, which happen one
// at a time, with one timer that runs only while writes go on. Arming and
// stopping a timer around every write costs two operations on the runtime's
// timer heap per message, and reading the clock per write is not free on
// every machine either; here a write costs two atomic additions, and the
// timer is re-armed at most once per timeout.
//
// Every time the timer fires it notes which write is in flight; a write
// that is still in flight at the next firing has taken at least the
// timeout, and is cut off. So a stuck write ends between one and two
// timeouts after it began.
type watchdog struct {
	timeout time.Duration
	cut     func() // makes the stuck write fail, typically by closing the connection

	writes atomic.Uint64 // incremented when a write begins and when it ends: odd while one is in flight
	seen   atomic.Uint64 // the writes count at the last firing
	armed  atomic.Bool   // the timer is set, or its function is running
	timer  *time.Timer
}

func newWatchdog(timeout time.Duration, cut func()) *watchdog {
	w := &watchdog{timeout: timeout, cut: cut}
	// Created here, stopped, so that fire never reads the field while the
	// first write sets it.
	w.timer = time.AfterFunc(time.Hour, w.fire)
	w.timer.Stop()
	return w
}

// begin marks the start of a write.
func (w *watchdog) begin() {
	// Count first: a timer function that has just found the connection
	// idle and cleared armed then sees this write and arms again (fire).
	w.writes.Add(1)
	if !w.armed.Load() && w.armed.CompareAndSwap(false, true) {
		w.timer.Reset(w.timeout)
	}
}

// end marks the end of the write.
func (w *watchdog) end() { w.writes.Add(1) }

// fire runs when the timer goes off.
func (w *watchdog) fire() {
	n := w.writes.Load()
	if n%2 == 0 { // idle: stop until the next write
		w.armed.Store(false)
		if w.writes.Load() == n || !w.armed.CompareAndSwap(false, true) {
			return
		}
		n = w.writes.Load() // a write began meanwhile, and its begin did not arm
	} else if n == w.seen.Load() {
		w.cut() // the same write as at the last firing
		return
	}
	w.seen.Store(n)
	w.timer.Reset(w.timeout)
}

// stop releases the timer once no more writes will come.
func (w *watchdog) stop() { w.timer.Stop() }
