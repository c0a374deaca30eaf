package session_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gosockjs/sockjs/session"
)

// gatedReceiver records frames and holds every Write until the test lets it
// go, so the test controls when the session sees a write finish.
type gatedReceiver struct {
	frames chan []session.Frame // every Write's frames, in order
	gate   chan struct{}        // one value lets one Write return
	ended  chan struct{}
	delay  bool
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

func (g *gatedReceiver) next(t *testing.T) []session.Frame {
	t.Helper()
	select {
	case f := <-g.frames:
		return f
	case <-time.After(5 * time.Second):
		t.Fatal("no write")
		return nil
	}
}

// mustClose fails the test unless ch is closed within 5 s.
func mustClose(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal(what)
	}
}

func newSession(t *testing.T) (*session.Session, chan *session.Session) {
	opened := make(chan *session.Session, 1)
	cfg := &session.Config{
		HeartbeatDelay:  time.Hour,
		DisconnectDelay: time.Hour,
		OutboxSize:      8,
		InboxSize:       8,
		OnOpen:          func(s *session.Session) { opened <- s },
	}
	s := session.New("test", httptest.NewRequest("GET", "/", nil), cfg)
	t.Cleanup(func() {
		s.Shutdown()
		select {
		case <-s.Done():
		case <-time.After(5 * time.Second):
			t.Error("session did not end")
		}
	})
	return s, opened
}

func texts(f session.Frame) []string {
	var out []string
	for _, m := range f.Messages {
		out = append(out, m.Text)
	}
	return out
}

// Messages sent while a write is in flight go out together, in order, in
// the next frame.
func TestBatchingWhileWriting(t *testing.T) {
	s, _ := newSession(t)
	r := newGated()
	if err := s.Attach(r); err != nil {
		t.Fatal(err)
	}
	if f := r.next(t); f[0].Kind != session.FrameOpen {
		t.Fatalf("first frame %+v", f)
	}
	_ = s.Send("1") // queued behind the open frame
	_ = s.Send("2")
	_ = s.Send("3")
	time.Sleep(50 * time.Millisecond) // let the actor take them all
	r.gate <- struct{}{}              // the open frame is written
	f := r.next(t)
	if len(f) != 1 || f[0].Kind != session.FrameMessages || len(f[0].Messages) != 3 {
		t.Fatalf("want one frame with 3 messages, got %+v", f)
	}
	if got := texts(f[0]); got[0] != "1" || got[1] != "2" || got[2] != "3" {
		t.Fatalf("order: %v", got)
	}
	r.gate <- struct{}{}
}

// A client that falls OutboxSize messages behind is closed as a slow
// consumer, and Send says so.
func TestSlowConsumer(t *testing.T) {
	s, _ := newSession(t)
	r := newGated()
	_ = s.Attach(r)
	r.next(t) // the open frame, never let go: the client is stuck
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		err = s.Send("x")
		time.Sleep(time.Millisecond)
	}
	var ce *session.CloseError
	if !errors.As(err, &ce) || ce.Code != session.CodeSlowConsumer {
		t.Fatalf("Send: %v, want a slow-consumer close", err)
	}
	if cause := context.Cause(s.Context()); !errors.Is(cause, session.ErrSessionClosed) {
		t.Fatalf("context cause %v", cause)
	}
	r.gate <- struct{}{}
	r.gate <- struct{}{}
}

// A second receiver gets the 2010 close frame and the first stays attached.
func TestSecondReceiverGets2010(t *testing.T) {
	s, _ := newSession(t)
	first, second := newGated(), newGated()
	_ = s.Attach(first)
	first.next(t)
	first.gate <- struct{}{}
	_ = s.Attach(second)
	f := second.next(t)
	if len(f) != 1 || f[0].Kind != session.FrameClose || f[0].Code != 2010 {
		t.Fatalf("second receiver got %+v", f)
	}
	second.gate <- struct{}{}
	<-second.ended
	_ = s.Send("still here")
	if f := first.next(t); texts(f[0])[0] != "still here" {
		t.Fatalf("first receiver got %+v", f)
	}
	first.gate <- struct{}{}
}

// Recv hands out messages in order, and a delivery is acknowledged only when
// the application asks for the message after its last one.
func TestDeliverWaitsForTheApplication(t *testing.T) {
	s, opened := newSession(t)
	r := newGated()
	_ = s.Attach(r)
	r.next(t)
	r.gate <- struct{}{}
	<-opened
	acked := make(chan error, 1)
	go func() { acked <- s.Deliver(context.Background(), []string{"a", "b"}) }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, want := range []string{"a", "b"} {
		got, err := s.Recv(ctx)
		if err != nil || got != want {
			t.Fatalf("Recv: %q %v, want %q", got, err, want)
		}
	}
	select {
	case <-acked:
		t.Fatal("delivery acknowledged before the application asked for more")
	case <-time.After(50 * time.Millisecond):
	}
	short, cancelShort := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelShort()
	if _, err := s.Recv(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Recv with nothing to read: %v", err)
	}
	if err := <-acked; err != nil {
		t.Fatalf("Deliver: %v", err)
	}
}

func TestCloseIsIdempotentAndValidatesCodes(t *testing.T) {
	s, _ := newSession(t)
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
}

// Recv with the session's own context reports why the session closed, not
// a bare context.Canceled.
func TestRecvWithSessionContextReturnsCloseError(t *testing.T) {
	for i := 0; i < 50; i++ {
		s, _ := newSession(t)
		got := make(chan error, 1)
		go func() {
			_, err := s.Recv(s.Context())
			got <- err
		}()
		_ = s.Close(3000, "bye")
		var ce *session.CloseError
		if err := <-got; !errors.As(err, &ce) || ce.Code != 3000 {
			t.Fatalf("Recv: %v, want the CloseError", err)
		}
	}
}

// A close requested while a write is in flight goes out once that write
// has finished, after the messages queued behind it, and ends the
// receiver.
func TestCloseWaitsForTheWriteInFlight(t *testing.T) {
	s, _ := newSession(t)
	r := newGated()
	_ = s.Attach(r)
	r.next(t) // the open frame, held
	_ = s.Send("last")
	if err := s.Close(3000, "Go away!"); err != nil {
		t.Fatal(err)
	}
	select {
	case f := <-r.frames:
		t.Fatalf("wrote %+v while the open frame was still being written", f)
	case <-time.After(50 * time.Millisecond):
	}
	r.gate <- struct{}{} // the open frame is written
	f := r.next(t)
	if len(f) != 2 || texts(f[0])[0] != "last" || f[1].Kind != session.FrameClose || f[1].Code != 3000 {
		t.Fatalf("want the queued message and c[3000], got %+v", f)
	}
	r.gate <- struct{}{}
	mustClose(t, r.ended, "the receiver was not ended after the close frame")
}

// An abort while a write is in flight ends the session once the write has
// finished, with 1002, and ends the receiver.
func TestAbortWaitsForTheWriteInFlight(t *testing.T) {
	s, _ := newSession(t)
	r := newGated()
	_ = s.Attach(r)
	r.next(t) // the open frame, held
	s.Abort(r)
	time.Sleep(50 * time.Millisecond)
	if s.Context().Err() != nil {
		t.Fatal("the session ended while its write was still in flight")
	}
	r.gate <- struct{}{}
	mustClose(t, s.Done(), "the session did not end after the aborted write finished")
	var ce *session.CloseError
	if !errors.As(context.Cause(s.Context()), &ce) || ce.Code != session.CodeInterrupted {
		t.Fatalf("cause %v, want 1002", context.Cause(s.Context()))
	}
	mustClose(t, r.ended, "the receiver was not ended")
}

// Writes that leave the receiver attached need no reply to the actor; the
// next message still goes out, each in its own frame.
func TestSequentialWritesAfterIdle(t *testing.T) {
	s, _ := newSession(t)
	r := newGated()
	_ = s.Attach(r)
	r.next(t)
	r.gate <- struct{}{}
	for _, msg := range []string{"a", "b", "c"} {
		time.Sleep(10 * time.Millisecond) // the writer is done and gone
		_ = s.Send(msg)
		f := r.next(t)
		if got := texts(f[0]); len(got) != 1 || got[0] != msg {
			t.Fatalf("frame %v, want [%s]", got, msg)
		}
		r.gate <- struct{}{}
	}
}

// An idle attached receiver gets a heartbeat frame every HeartbeatDelay,
// again and again.
func TestHeartbeatsRepeat(t *testing.T) {
	cfg := &session.Config{HeartbeatDelay: 20 * time.Millisecond, DisconnectDelay: time.Hour, OutboxSize: 8, InboxSize: 8, OnOpen: func(*session.Session) {}}
	s := session.New("test", httptest.NewRequest("GET", "/", nil), cfg)
	defer func() { s.Shutdown(); <-s.Done() }()
	r := newGated()
	for range 10 {
		r.gate <- struct{}{}
	}
	_ = s.Attach(r)
	if f := r.next(t); f[0].Kind != session.FrameOpen {
		t.Fatalf("first frame %+v", f)
	}
	start := time.Now()
	for i := range 3 {
		if f := r.next(t); f[0].Kind != session.FrameHeartbeat {
			t.Fatalf("frame %d: %+v, want a heartbeat", i, f)
		}
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Fatalf("3 heartbeats in %v, want them HeartbeatDelay apart", d)
	}
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
	p.frames <- append([]session.Frame(nil), frames...)
	return len(frames), true, nil
}
func (p *pollReceiver) End()                  { close(p.ended) }
func (p *pollReceiver) DelayDisconnect() bool { return true }

// A session expires after DisconnectDelay without a receiver, counted from
// the last one: polls that keep coming keep it alive, however long it runs.
func TestExpiryCountsFromTheLastReceiver(t *testing.T) {
	const delay = 200 * time.Millisecond
	cfg := &session.Config{HeartbeatDelay: time.Hour, DisconnectDelay: delay, OutboxSize: 8, InboxSize: 8, OnOpen: func(*session.Session) {}}
	s := session.New("test", httptest.NewRequest("GET", "/", nil), cfg)
	defer func() { s.Shutdown(); <-s.Done() }()
	for i := range 6 { // six polls, each 40% of the delay after the last, 3 delays in all
		p := newPoll()
		if err := s.Attach(p); err != nil {
			t.Fatalf("poll %d: %v", i, err)
		}
		if i == 0 {
			<-p.ended // the open frame
		} else {
			time.Sleep(delay / 2) // a long poll, waiting
			_ = s.Send("m")
			<-p.ended
		}
		time.Sleep(delay * 4 / 10)
		if err := s.Context().Err(); err != nil {
			t.Fatalf("after poll %d the session ended: %v", i, context.Cause(s.Context()))
		}
	}
	mustClose(t, s.Done(), "the session did not expire once the polls stopped")
	var ce *session.CloseError
	if !errors.As(context.Cause(s.Context()), &ce) || ce.Reason != session.ReasonTimedOut {
		t.Fatalf("cause %v, want a timeout", context.Cause(s.Context()))
	}
}
