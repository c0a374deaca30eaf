package session_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gosockjs/sockjs/session"
)

// The tests run in synctest bubbles: time is fake and advances only when
// every goroutine of the test waits, so timeouts, heartbeats and delays are
// exact and cost no wall time, and synctest.Wait replaces every "give the
// actor a moment".

// gatedReceiver records frames and holds every Write until the test lets it
// go, so the test controls when the session sees a write finish.
type gatedReceiver struct {
	frames chan []session.Frame // every Write's frames, in order
	gate   chan struct{}        // one value lets one Write return; closed: all
	ended  chan struct{}
	delay  bool // DelayDisconnect: an HTTP receiver rather than a websocket
}

func newGated() *gatedReceiver {
	return &gatedReceiver{frames: make(chan []session.Frame, 100), gate: make(chan struct{}, 100), ended: make(chan struct{}), delay: true}
}

func (g *gatedReceiver) Write(frames []session.Frame) (int, bool, error) {
	copied := make([]session.Frame, len(frames))
	for i, f := range frames {
		f.Messages = append([]session.Message(nil), f.Messages...)
		copied[i] = f
	}
	g.frames <- copied
	<-g.gate
	for _, f := range frames {
		if f.Kind == session.FrameClose {
			return len(frames), true, nil
		}
	}
	return len(frames), false, nil
}
func (g *gatedReceiver) End()                  { close(g.ended) }
func (g *gatedReceiver) DelayDisconnect() bool { return g.delay }

// next returns the frames of the next Write, which must have begun by the
// time every goroutine of the test waits.
func (g *gatedReceiver) next(t *testing.T) []session.Frame {
	t.Helper()
	synctest.Wait()
	select {
	case f := <-g.frames:
		return f
	default:
		t.Fatal("no write")
		return nil
	}
}

// none fails the test if a Write began.
func (g *gatedReceiver) none(t *testing.T) {
	t.Helper()
	synctest.Wait()
	select {
	case f := <-g.frames:
		t.Fatalf("unexpected write %+v", f)
	default:
	}
}

// pass lets the Write in progress return.
func (g *gatedReceiver) pass() { g.gate <- struct{}{} }

// release lets every Write return from now on.
func (g *gatedReceiver) release() { close(g.gate) }

// closed reports whether ch is closed once every goroutine waits.
func closed(ch <-chan struct{}) bool {
	synctest.Wait()
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func testConfig() *session.Config {
	return &session.Config{
		HeartbeatDelay:  time.Hour,
		DisconnectDelay: time.Hour,
		OutboxSize:      8,
		InboxSize:       8,
		OnOpen:          func(*session.Session) {},
	}
}

// start creates a session with cfg that the test shuts down and waits for
// at its end, after letting every receiver in rs write.
func start(t *testing.T, cfg *session.Config, rs ...*gatedReceiver) *session.Session {
	s := session.New("test", httptest.NewRequest("GET", "/", nil), cfg)
	t.Cleanup(func() {
		for _, r := range rs {
			r.release()
		}
		s.Shutdown()
		<-s.Done()
	})
	return s
}

// attach attaches r to s and lets the open frame through.
func attach(t *testing.T, s *session.Session, r *gatedReceiver) {
	t.Helper()
	if err := s.Attach(r); err != nil {
		t.Fatal(err)
	}
	if f := r.next(t); f[0].Kind != session.FrameOpen {
		t.Fatalf("first frame %+v", f)
	}
	r.pass()
}

func texts(f session.Frame) []string {
	var out []string
	for _, m := range f.Messages {
		out = append(out, m.Text)
	}
	return out
}

func closeCode(t *testing.T, f []session.Frame) int {
	t.Helper()
	last := f[len(f)-1]
	if last.Kind != session.FrameClose {
		t.Fatalf("frames %+v end without a close frame", f)
	}
	return last.Code
}

func causeCode(s *session.Session) int {
	var ce *session.CloseError
	if errors.As(context.Cause(s.Context()), &ce) {
		return ce.Code
	}
	return 0
}

// Messages sent while a write is in flight go out together, in order, in
// the next frame.
func TestBatchingWhileWriting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGated()
		s := start(t, testConfig(), r)
		_ = s.Attach(r)
		r.next(t) // the open frame, held
		for _, m := range []string{"1", "2", "3"} {
			_ = s.Send(m)
		}
		synctest.Wait()
		r.pass()
		f := r.next(t)
		if got := texts(f[0]); len(f) != 1 || len(got) != 3 || got[0] != "1" || got[1] != "2" || got[2] != "3" {
			t.Fatalf("want one frame [1 2 3], got %+v", f)
		}
	})
}

// A client that falls OutboxSize messages behind is closed as a slow
// consumer, and Send says so.
func TestSlowConsumer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGated()
		s := start(t, testConfig(), r)
		_ = s.Attach(r)
		r.next(t) // the open frame, never let go: the client is stuck
		var err error
		for i := 0; i < 20 && err == nil; i++ {
			err = s.Send("x")
			synctest.Wait()
		}
		var ce *session.CloseError
		if !errors.As(err, &ce) || ce.Code != session.CodeSlowConsumer {
			t.Fatalf("Send: %v, want a slow-consumer close", err)
		}
	})
}

// A second receiver gets the 2010 close frame after the conflict wait, and
// the first stays attached.
func TestSecondReceiverGets2010(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		first, second := newGated(), newGated()
		cfg := testConfig()
		cfg.ConflictWait = 300 * time.Millisecond
		s := start(t, cfg, first, second)
		attach(t, s, first)
		_ = s.Attach(second)
		time.Sleep(cfg.ConflictWait - time.Nanosecond)
		second.none(t)
		time.Sleep(time.Nanosecond)
		if code := closeCode(t, second.next(t)); code != session.CodeAnotherConnection {
			t.Fatalf("second receiver got %d", code)
		}
		second.pass()
		if !closed(second.ended) {
			t.Fatal("the second receiver was not ended")
		}
		_ = s.Send("still here")
		if f := first.next(t); texts(f[0])[0] != "still here" {
			t.Fatalf("first receiver got %+v", f)
		}
	})
}

// Recv hands out messages in order, and a delivery is acknowledged only when
// the application asks for the message after its last one.
func TestDeliverWaitsForTheApplication(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGated()
		s := start(t, testConfig(), r)
		attach(t, s, r)
		acked := make(chan error, 1)
		go func() { acked <- s.Deliver(context.Background(), []string{"a", "b"}) }()
		for _, want := range []string{"a", "b"} {
			got, err := s.Recv(context.Background())
			if err != nil || got != want {
				t.Fatalf("Recv: %q %v, want %q", got, err, want)
			}
		}
		synctest.Wait()
		if len(acked) != 0 {
			t.Fatal("delivery acknowledged before the application asked for more")
		}
		short, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if _, err := s.Recv(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Recv with nothing to read: %v", err)
		}
		if err := <-acked; err != nil {
			t.Fatalf("Deliver: %v", err)
		}
	})
}

func TestCloseIsIdempotentAndValidatesCodes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := start(t, testConfig())
		if err := s.Close(2999, "x"); !errors.Is(err, session.ErrInvalidCloseCode) {
			t.Fatalf("Close(2999): %v", err)
		}
		if err := s.Close(3000, "bye"); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(3001, "again"); err != nil {
			t.Fatal(err)
		}
		var ce *session.CloseError
		if err := s.Send("x"); !errors.As(err, &ce) || ce.Code != 3000 || ce.Reason != "bye" {
			t.Fatalf("Send after Close: %v", err)
		}
	})
}

// Recv with the session's own context reports why the session closed, not
// a bare context.Canceled.
func TestRecvWithSessionContextReturnsCloseError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := start(t, testConfig())
		got := make(chan error, 1)
		go func() {
			_, err := s.Recv(s.Context())
			got <- err
		}()
		synctest.Wait()
		_ = s.Close(3000, "bye")
		var ce *session.CloseError
		if err := <-got; !errors.As(err, &ce) || ce.Code != 3000 {
			t.Fatalf("Recv: %v, want the CloseError", err)
		}
	})
}

// A close requested while a write is in flight goes out once that write
// has finished, after the messages queued behind it, and ends the
// receiver.
func TestCloseWaitsForTheWriteInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGated()
		s := start(t, testConfig(), r)
		_ = s.Attach(r)
		r.next(t) // the open frame, held
		_ = s.Send("last")
		if err := s.Close(3000, "Go away!"); err != nil {
			t.Fatal(err)
		}
		r.none(t)
		r.pass()
		f := r.next(t)
		if len(f) != 2 || texts(f[0])[0] != "last" || closeCode(t, f) != 3000 {
			t.Fatalf("want the queued message and c[3000], got %+v", f)
		}
		r.pass()
		if !closed(r.ended) {
			t.Fatal("the receiver was not ended after the close frame")
		}
	})
}

// An abort while a write is in flight ends the session once the write has
// finished, with 1002, and ends the receiver.
func TestAbortWaitsForTheWriteInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGated()
		s := start(t, testConfig(), r)
		_ = s.Attach(r)
		r.next(t) // the open frame, held
		s.Abort(r)
		synctest.Wait()
		if s.Context().Err() != nil {
			t.Fatal("the session ended while its write was still in flight")
		}
		r.pass()
		if !closed(s.Done()) || !closed(r.ended) {
			t.Fatal("the session or its receiver did not end after the aborted write")
		}
		if code := causeCode(s); code != session.CodeInterrupted {
			t.Fatalf("cause %v, want 1002", context.Cause(s.Context()))
		}
	})
}

// An abort of an idle receiver ends the session at once.
func TestAbortIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGated()
		s := start(t, testConfig(), r)
		attach(t, s, r)
		_ = s.Send("m")
		r.next(t)
		r.pass() // the writer now waits for another job
		s.Abort(r)
		if !closed(s.Done()) || !closed(r.ended) || causeCode(s) != session.CodeInterrupted {
			t.Fatalf("after the abort: cause %v", context.Cause(s.Context()))
		}
	})
}

// Writes that leave the receiver attached go on, one frame per message
// sent after the last was written.
func TestSequentialWritesAfterIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGated()
		s := start(t, testConfig(), r)
		attach(t, s, r)
		for _, msg := range []string{"a", "b", "c"} {
			synctest.Wait()
			_ = s.Send(msg)
			if got := texts(r.next(t)[0]); len(got) != 1 || got[0] != msg {
				t.Fatalf("frame %v, want [%s]", got, msg)
			}
			r.pass()
		}
	})
}

// An attached receiver gets a heartbeat frame every HeartbeatDelay, again
// and again, counted from the attach.
func TestHeartbeatsRepeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.HeartbeatDelay = 25 * time.Second
		r := newGated()
		s := start(t, cfg, r)
		attach(t, s, r)
		begin := time.Now()
		for i := range 3 {
			time.Sleep(cfg.HeartbeatDelay)
			f := r.next(t)
			if f[0].Kind != session.FrameHeartbeat {
				t.Fatalf("frame %d: %+v, want a heartbeat", i, f)
			}
			if d := time.Since(begin); d != time.Duration(i+1)*cfg.HeartbeatDelay {
				t.Fatalf("heartbeat %d after %v", i, d)
			}
			r.pass()
		}
	})
}

// pollReceiver is a polling response: every write uses it up.
type pollReceiver struct {
	frames chan []session.Frame
	ended  chan struct{}
}

func newPoll() *pollReceiver {
	return &pollReceiver{frames: make(chan []session.Frame, 4), ended: make(chan struct{})}
}

func (p *pollReceiver) Write(frames []session.Frame) (int, bool, error) {
	f := frames[0] // the session reuses the messages' array once Write returns
	f.Messages = append([]session.Message(nil), f.Messages...)
	p.frames <- []session.Frame{f}
	return 1, true, nil
}
func (p *pollReceiver) End()                  { close(p.ended) }
func (p *pollReceiver) DelayDisconnect() bool { return true }

// poll attaches a poll to s and returns the frame it was answered with.
func poll(t *testing.T, s *session.Session) session.Frame {
	t.Helper()
	p := newPoll()
	if err := s.Attach(p); err != nil {
		t.Fatal(err)
	}
	<-p.ended
	return (<-p.frames)[0]
}

// A session expires after DisconnectDelay without a receiver, counted from
// the last one: polls that keep coming keep it alive, however long it runs.
func TestExpiryCountsFromTheLastReceiver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const delay = 5 * time.Second
		cfg := testConfig()
		cfg.DisconnectDelay = delay
		s := start(t, cfg)
		poll(t, s) // the open frame
		for range 6 {
			time.Sleep(delay - time.Nanosecond)
			if s.Context().Err() != nil {
				t.Fatal("the session expired while polled")
			}
			go func() { time.Sleep(delay / 2); _ = s.Send("m") }()
			if f := poll(t, s); texts(f)[0] != "m" {
				t.Fatalf("poll got %+v", f)
			}
		}
		begin := time.Now()
		<-s.Done()
		if d := time.Since(begin); d != delay {
			t.Fatalf("expired %v after the last poll, want %v", d, delay)
		}
		if ce := context.Cause(s.Context()).(*session.CloseError); ce.Reason != session.ReasonTimedOut {
			t.Fatalf("cause %v, want a timeout", ce)
		}
	})
}

// A closing session gives every receiving request what is still queued and
// then the close frame, again and again, until it has had no request for
// the disconnect delay; a request that comes while the close is being
// written gets 2010.
func TestReattachWhileClosing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.DisconnectDelay = 5 * time.Second
		s := start(t, cfg)
		poll(t, s)
		_ = s.Send("a")
		_ = s.Send("b")
		_ = s.Close(3000, "bye")
		if f := poll(t, s); f.Kind != session.FrameMessages || len(f.Messages) != 2 {
			t.Fatalf("first poll after the close got %+v, want the queued messages", f)
		}
		for range 3 {
			time.Sleep(4 * time.Second)
			if f := poll(t, s); f.Kind != session.FrameClose || f.Code != 3000 {
				t.Fatalf("poll got %+v, want c[3000]", f)
			}
		}
		if closed(s.Done()) {
			t.Fatal("the session ended while polled")
		}
		time.Sleep(5 * time.Second)
		if !closed(s.Done()) {
			t.Fatal("the closed session did not end after the disconnect delay")
		}
	})
}

// A receiving request that comes while the attached receiver is being
// closed waits for it, and then gets the close frame too.
func TestAttachDuringCloseWrite(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, other := newGated(), newGated()
		s := start(t, testConfig(), r, other)
		_ = s.Attach(r)
		r.next(t) // the open frame, held
		_ = s.Close(3000, "bye")
		_ = s.Attach(other)
		other.none(t)
		r.pass()
		if code := closeCode(t, r.next(t)); code != 3000 {
			t.Fatalf("attached receiver got %d", code)
		}
		r.pass()
		if code := closeCode(t, other.next(t)); code != 3000 {
			t.Fatalf("request during the close got %d", code)
		}
	})
}

// A request that conflicts with the attached receiver and is followed,
// within the conflict wait, by that receiver's abort gets c[1002], the
// frame that follows an abort, not 2010: the client aborted and reconnected
// at once, and the session heard of the two in the other order.
func TestAbortWinsOverAConflict(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		first, second := newGated(), newGated()
		s := start(t, testConfig(), first, second)
		attach(t, s, first)
		_ = s.Attach(second)
		second.none(t)
		s.Abort(first)
		if code := closeCode(t, second.next(t)); code != session.CodeInterrupted {
			t.Fatalf("request after the abort got %d", code)
		}
	})
}

// A request that conflicts with a poll that is answered within the
// conflict wait takes the session over: it is the client's next poll.
func TestConflictResolvedByTheAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := start(t, testConfig())
		poll(t, s) // the open frame
		first := newPoll()
		_ = s.Attach(first)
		second := newPoll()
		_ = s.Attach(second)
		_ = s.Send("for the first")
		<-first.ended
		_ = s.Send("for the second")
		<-second.ended
		if f := (<-second.frames)[0]; f.Kind != session.FrameMessages || texts(f)[0] != "for the second" {
			t.Fatalf("second poll got %+v", f)
		}
	})
}

// Deliver refuses messages past the inbox's bounds without queueing them,
// and a delivery larger than the bounds on its own.
func TestInboxFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.InboxSize = 3
		s := start(t, cfg)
		poll(t, s)
		ctx := context.Background()
		if err := s.Deliver(ctx, []string{"1", "2", "3", "4"}); !errors.Is(err, session.ErrPayloadTooLarge) {
			t.Fatalf("4 messages into 3: %v", err)
		}
		go func() { _ = s.Deliver(ctx, []string{"1", "2"}) }()
		synctest.Wait()
		if err := s.Deliver(ctx, []string{"3", "4"}); !errors.Is(err, session.ErrInboxFull) {
			t.Fatalf("4 messages in all: %v", err)
		}
		for _, want := range []string{"1", "2"} {
			if got, _ := s.Recv(ctx); got != want {
				t.Fatalf("Recv %q, want %q: the refused delivery was queued", got, want)
			}
		}
	})
}

// While the session holds half its send buffer for the client, it hands
// the application no more input, so that an echo cannot overflow it. The
// hold-back covers both ways in: the actor's inbox (input before Recv
// asks) and the direct lane (input to a Recv that is already waiting),
// for a sending request (Deliver) and a websocket reader (Feed) alike.
func TestHoldBackWhileBackedUp(t *testing.T) {
	deliver := func(s *session.Session) {
		go func() { _ = s.Deliver(context.Background(), []string{"in"}) }()
	}
	feed := func(s *session.Session) {
		if err := s.Feed(context.Background(), s.NewCredit(), []string{"in"}); err != nil {
			t.Error(err)
		}
	}
	for _, tc := range []struct {
		name      string
		input     func(*session.Session)
		recvWaits bool
	}{
		{"deliver to the inbox", deliver, false},
		{"deliver to a waiting Recv", deliver, true},
		{"feed to the inbox", feed, false},
		{"feed to a waiting Recv", feed, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newGated()
				s := start(t, testConfig(), r) // OutboxSize 8: backed up at 4
				_ = s.Attach(r)
				r.next(t) // the open frame, held: the client is slow
				for range 4 {
					_ = s.Send("out")
				}
				synctest.Wait() // Send returns before the actor holds the message: let it
				got := make(chan string, 1)
				recv := func() { m, _ := s.Recv(context.Background()); got <- m }
				if tc.recvWaits {
					go recv()
					synctest.Wait()
					tc.input(s)
				} else {
					tc.input(s)
					go recv()
				}
				synctest.Wait()
				if len(got) != 0 {
					t.Fatal("the application got input while the session was backed up")
				}
				r.pass() // the open frame is out, the queue goes to the writer
				r.next(t)
				r.pass()
				if m := <-got; m != "in" {
					t.Fatalf("Recv %q", m)
				}
			})
		})
	}
}

// A websocket reader's Feed does not wait for the application within the
// receive buffer, and waits for Recv past it.
func TestFeedCredit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.ReceiveBuffer = 2 * (1 + session.MessageOverhead) // two one-byte messages
		s := start(t, cfg)
		poll(t, s)
		ctx := context.Background()
		credit := s.NewCredit()
		for _, m := range []string{"a", "b"} {
			if err := s.Feed(ctx, credit, []string{m}); err != nil {
				t.Fatal(err)
			}
		}
		fed := make(chan error, 1)
		go func() { fed <- s.Feed(ctx, credit, []string{"c"}) }()
		synctest.Wait()
		if len(fed) != 0 {
			t.Fatal("Feed past the receive buffer did not wait")
		}
		if m, _ := s.Recv(ctx); m != "a" {
			t.Fatalf("Recv %q", m)
		}
		if err := <-fed; err != nil || credit.Waits() != 1 {
			t.Fatalf("Feed: %v after %d waits", err, credit.Waits())
		}
		if err := s.Feed(ctx, credit, []string{"too large for the whole buffer........................................................"}); !errors.Is(err, session.ErrPayloadTooLarge) {
			t.Fatalf("Feed of more than the buffer: %v", err)
		}
	})
}

// A websocket session ends when its close frame has been written, not
// before: whoever waits for it knows the client got it.
func TestEndsAfterTheLastCloseFrame(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGated()
		r.delay = false // a websocket
		s := start(t, testConfig(), r)
		attach(t, s, r)
		_ = s.Close(3000, "bye")
		if code := closeCode(t, r.next(t)); code != 3000 {
			t.Fatalf("close frame %d", code)
		}
		if closed(s.Done()) {
			t.Fatal("the session ended before its close frame was written")
		}
		r.pass()
		if !closed(s.Done()) || !closed(r.ended) {
			t.Fatal("the session did not end after its close frame")
		}
	})
}

// During a server shutdown a session without a receiver waits for its
// client only the shutdown grace, and one that hands its client the close
// frame ends once it is written.
func TestShutdownGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.ShutdownGrace = 3 * time.Second
		s := start(t, cfg)
		poll(t, s)
		begin := time.Now()
		s.Shutdown()
		<-s.Done()
		if d := time.Since(begin); d != cfg.ShutdownGrace {
			t.Fatalf("ended %v after the shutdown, want the grace %v", d, cfg.ShutdownGrace)
		}

		s = start(t, cfg)
		poll(t, s)
		s.Shutdown()
		if f := poll(t, s); f.Kind != session.FrameClose || f.Code != session.CodeGoingAway {
			t.Fatalf("poll during the shutdown got %+v", f)
		}
		if !closed(s.Done()) {
			t.Fatal("the session did not end once its client had the close frame")
		}
	})
}

// A small frame's writer reports lazily: the actor collects the report
// only when it needs the writer. A heartbeat that falls due after such a
// write, with nothing else happening, is still written.
func TestHeartbeatAfterALazyReport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := testConfig()
		cfg.HeartbeatDelay = 25 * time.Second
		r := newGated()
		s := start(t, cfg, r)
		attach(t, s, r)
		_ = s.Send("m")
		r.next(t)
		r.pass() // reported lazily; nothing asks for the report
		time.Sleep(cfg.HeartbeatDelay)
		if f := r.next(t); f[0].Kind != session.FrameHeartbeat {
			t.Fatalf("frame %+v, want a heartbeat", f)
		}
	})
}

// A close after a lazily reported write collects the report and writes
// the close frame at once.
func TestCloseAfterALazyReport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGated()
		s := start(t, testConfig(), r)
		attach(t, s, r)
		_ = s.Send("m")
		r.next(t)
		r.pass()
		_ = s.Close(3000, "bye")
		if f := r.next(t); closeCode(t, f) != 3000 {
			t.Fatalf("frames %+v, want c[3000]", f)
		}
	})
}

// A reader's messages reach Recv in order whether they go straight to a
// waiting Recv (the direct lane) or through the actor's inbox, however the
// two alternate.
func TestFeedOrderAcrossTheLane(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := start(t, testConfig())
		poll(t, s)
		ctx := context.Background()
		credit := s.NewCredit()
		var want, got []string
		for i := range 60 {
			// Recv waits before every third Feed; the others queue.
			var recvd chan string
			if i%3 == 0 {
				recvd = make(chan string, 1)
				go func() { m, _ := s.Recv(ctx); recvd <- m }()
				synctest.Wait()
			}
			m := string(rune('A' + i))
			want = append(want, m)
			if err := s.Feed(ctx, credit, []string{m}); err != nil {
				t.Fatal(err)
			}
			if recvd != nil {
				got = append(got, <-recvd)
			}
		}
		for len(got) < len(want) {
			m, _ := s.Recv(ctx)
			got = append(got, m)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Recv order %q, want %q", got, want)
		}
	})
}

// A sending request whose messages go straight to a Recv that was waiting
// for them is answered at once: the application had asked for more before
// they came. The messages Recv was not waiting for follow through the
// actor, and the answer waits until the application asks for more again.
func TestDeliverToAWaitingRecv(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := start(t, testConfig())
		poll(t, s)
		ctx := context.Background()
		got := make(chan string, 2)
		recv := func() { m, _ := s.Recv(ctx); got <- m }
		go recv()
		synctest.Wait()
		if err := s.Deliver(ctx, []string{"a"}); err != nil || <-got != "a" {
			t.Fatalf("Deliver to a waiting Recv: %v", err)
		}

		go recv()
		synctest.Wait()
		acked := make(chan error, 1)
		go func() { acked <- s.Deliver(ctx, []string{"b", "c"}) }()
		synctest.Wait()
		if m := <-got; m != "b" || len(acked) != 0 {
			t.Fatalf("Recv %q, acknowledged %v: want b, and c still waiting", m, len(acked) != 0)
		}
		go recv()
		synctest.Wait()
		if m := <-got; m != "c" || len(acked) != 0 {
			t.Fatalf("Recv %q, acknowledged %v: want c, and no answer before the application asks for more", m, len(acked) != 0)
		}
		go recv() // asks for more
		synctest.Wait()
		if len(acked) != 1 || <-acked != nil {
			t.Fatal("the request was not answered when the application asked for more")
		}
	})
}
