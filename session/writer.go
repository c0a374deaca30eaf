package session

// A writer is the goroutine that writes to one receiver. The actor never
// writes to the network itself: it hands a writer a job and goes on serving
// its mailbox, so Send and Close never wait for a client, and a client that
// stops reading stalls only its own writer.
//
// Every job ends with one report: the writer posts itself, its report
// fields filled in, to the mailbox, or, for a small frame of messages that
// left the receiver attached, to the session's reports channel, which the
// actor reads only when it needs the writer again (conn.reportsC): a
// request and response exchange then wakes the actor once per message
// instead of twice. A writer whose job carried messages then
// waits for the next job (the actor knows it is waiting, conn.idle), so a
// stream of messages costs no goroutine per frame; after any other job (the
// open frame, a heartbeat) it exits, so an idle session keeps no writer.
// A writer that ended its receiver (the job said so, the receiver was used
// up, or a write failed) reports first and then calls End: an HTTP client
// whose response is complete may send its next request at once, and the
// actor must have heard of the end before it sees that request's attach
// (the mailbox is first in, first out).
type writer struct {
	r       Receiver
	jobs    <-chan job      // from the actor: the next job; capacity 1, so the actor never waits
	mailbox chan<- event    // to the actor: the report
	reports chan<- *writer  // to the actor: the report of a lazy job; capacity 1, one job is in flight at most
	done    <-chan struct{} // the session's done channel: nobody reads reports any more

	// The report of the last job. The writer sets these fields before it
	// posts itself; from then on they belong to the actor, and the writer
	// does not touch them again before it receives the next job.
	job   job   // the job reported on
	n     int   // frames of job written
	ended bool  // the writer ended the receiver and exited
	err   error // the write error, if any
}

// job is work for a writer.
type job struct {
	frames []Frame
	bytes  int  // what the messages in frames cost the send buffer, released by the report
	last   bool // end the receiver after the frames
	linger bool // wait for another job after the report instead of exiting
	lazy   bool // report on the reports channel unless the receiver ended
}

// stopJob ends a receiver without writing to it.
var stopJob = job{last: true}

// run writes jobs until one ends the receiver or does not linger.
func (w *writer) run(j job) {
	for {
		w.job, w.n, w.ended, w.err = j, 0, j.last, nil
		if len(j.frames) > 0 {
			var full bool
			w.n, full, w.err = w.r.Write(j.frames)
			w.ended = w.ended || full || w.err != nil
		}
		ended, linger := w.ended, j.linger // the fields are the actor's once posted
		if j.lazy && !ended {
			w.reportLazily()
		} else {
			w.report()
		}
		if ended {
			w.r.End()
			return
		}
		if !linger {
			return
		}
		j = <-w.jobs
	}
}

// report posts the writer to the mailbox, unless the actor has exited. The
// mailbox almost always has room, so the plain send is tried first.
func (w *writer) report() {
	select {
	case w.mailbox <- w:
		return
	default:
	}
	select {
	case w.mailbox <- w:
	case <-w.done:
	}
}

// reportLazily posts the writer to the reports channel. It has room: the
// actor collects each report before it hands out the next job.
func (w *writer) reportLazily() {
	select {
	case w.reports <- w:
	case <-w.done:
	}
}

// unwritten returns the message frames of the reported job that were not
// written: the receiver was used up before them.
func (w *writer) unwritten() []Frame {
	var out []Frame
	for _, f := range w.job.frames[w.n:] {
		if f.Kind == FrameMessages {
			out = append(out, f)
		}
	}
	return out
}
