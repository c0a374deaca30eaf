package session_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosockjs/sockjs/session"
)

// benchMessage is a typical small application message.
const benchMessage = `{"type":"chat","user":"alice","text":"Hello, world!"}`

// countingReceiver is an in-memory session.Receiver that encodes nothing:
// it counts the messages and bytes it is given and returns at once, so a
// benchmark sees only the session's own cost.
type countingReceiver struct {
	msgs  atomic.Int64 // messages written so far
	bytes atomic.Int64 // bytes of message text written so far

	opened chan struct{} // closed when the open frame was written
	ended  chan struct{} // closed by End

	mu      sync.Mutex    // guards target and reached
	target  int64         // message count that closes reached
	reached chan struct{} // closed once msgs >= target; nil when nobody waits
}

func newCountingReceiver() *countingReceiver {
	return &countingReceiver{opened: make(chan struct{}), ended: make(chan struct{})}
}

// Write implements session.Receiver.
func (r *countingReceiver) Write(frames []session.Frame) (int, bool, error) {
	for _, f := range frames {
		switch f.Kind {
		case session.FrameOpen:
			close(r.opened)
		case session.FrameMessages:
			n := 0
			for _, m := range f.Messages {
				n += len(m.Text)
			}
			r.bytes.Add(int64(n))
			r.arrived(r.msgs.Add(int64(len(f.Messages))))
		case session.FrameClose:
			return len(frames), true, nil
		}
	}
	return len(frames), false, nil
}

// End implements session.Receiver.
func (r *countingReceiver) End() { close(r.ended) }

// DelayDisconnect implements session.Receiver like a websocket.
func (r *countingReceiver) DelayDisconnect() bool { return false }

// expect returns a channel that is closed once the receiver has seen n
// messages in total.
func (r *countingReceiver) expect(n int64) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.target, r.reached = n, make(chan struct{})
	if r.msgs.Load() >= n {
		close(r.reached)
		r.reached = nil
		c := make(chan struct{})
		close(c)
		return c
	}
	return r.reached
}

func (r *countingReceiver) arrived(total int64) {
	r.mu.Lock()
	if r.reached != nil && total >= r.target {
		close(r.reached)
		r.reached = nil
	}
	r.mu.Unlock()
}

// benchConfig is a session configuration whose timers never fire during a
// benchmark. outbox bounds the messages queued for the receiver.
func benchConfig(outbox int, onOpen func(*session.Session)) *session.Config {
	if onOpen == nil {
		onOpen = func(*session.Session) {}
	}
	return &session.Config{
		HeartbeatDelay:  time.Hour,
		DisconnectDelay: time.Hour,
		OutboxSize:      outbox,
		InboxSize:       1024,
		OnOpen:          onOpen,
	}
}

// openSession returns a session with r attached and its open frame written.
// The session is closed when the benchmark ends.
func openSession(b *testing.B, r *countingReceiver, cfg *session.Config) *session.Session {
	b.Helper()
	s := session.New("bench", nil, cfg)
	if err := s.Attach(r); err != nil {
		b.Fatalf("Attach: %v", err)
	}
	select {
	case <-r.opened:
	case <-time.After(10 * time.Second):
		b.Fatal("no open frame")
	}
	b.Cleanup(func() {
		_ = s.Close(session.CodeNormal, session.ReasonNormal)
		select {
		case <-s.Done():
		case <-time.After(10 * time.Second):
			b.Error("session did not end")
		}
	})
	return s
}

// waitFor waits until c is closed, failing the benchmark after a generous
// bound or when the session closes first.
func waitFor(b *testing.B, s *session.Session, c <-chan struct{}, what string) {
	b.Helper()
	select {
	case <-c:
	case <-s.Context().Done():
		b.Fatalf("%s: session closed: %v", what, context.Cause(s.Context()))
	case <-time.After(time.Minute):
		b.Fatalf("%s: timed out", what)
	}
}

// reportRate adds a messages/s metric for n messages over the benchmark's
// elapsed time.
func reportRate(b *testing.B, n int) {
	if sec := b.Elapsed().Seconds(); sec > 0 {
		b.ReportMetric(float64(n)/sec, "msgs/s")
	}
}

// BenchmarkSend measures one session's send-to-write path: b.N calls of
// Send (or SendPrepared) from the application, timed until the receiver has
// been handed every message.
//
// "burst" sends without waiting, so the session batches messages that
// arrive while a write is in flight; its outbox bound is raised to b.N so
// that the burst is not a slow consumer. "oneByOne" waits for each message
// to reach the receiver before sending the next, as an echo does: one frame
// and one writer job per message.
func BenchmarkSend(b *testing.B) {
	prepared := session.Prepare(benchMessage)
	b.Run("burst", func(b *testing.B) {
		r := newCountingReceiver()
		s := openSession(b, r, benchConfig(b.N+1024, nil))
		all := r.expect(int64(b.N))
		b.ReportAllocs()
		b.SetBytes(int64(len(benchMessage)))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := s.Send(benchMessage); err != nil {
				b.Fatalf("Send: %v", err)
			}
		}
		waitFor(b, s, all, "burst")
		b.StopTimer()
		reportRate(b, b.N)
	})
	b.Run("burstPrepared", func(b *testing.B) {
		r := newCountingReceiver()
		s := openSession(b, r, benchConfig(b.N+1024, nil))
		all := r.expect(int64(b.N))
		b.ReportAllocs()
		b.SetBytes(int64(len(benchMessage)))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := s.SendPrepared(prepared); err != nil {
				b.Fatalf("SendPrepared: %v", err)
			}
		}
		waitFor(b, s, all, "burstPrepared")
		b.StopTimer()
		reportRate(b, b.N)
	})
	b.Run("oneByOne", func(b *testing.B) {
		r := newCountingReceiver()
		s := openSession(b, r, benchConfig(1024, nil))
		b.ReportAllocs()
		b.SetBytes(int64(len(benchMessage)))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			next := r.expect(int64(i + 1))
			if err := s.Send(benchMessage); err != nil {
				b.Fatalf("Send: %v", err)
			}
			waitFor(b, s, next, "oneByOne")
		}
		b.StopTimer()
		reportRate(b, b.N)
	})
}

// BenchmarkDeliverRecv measures the inbound round trip: Deliver of one
// message, which returns once the application has taken it with Recv and
// asked for the next one.
func BenchmarkDeliverRecv(b *testing.B) {
	r := newCountingReceiver()
	s := openSession(b, r, benchConfig(1024, nil))
	ctx, cancel := context.WithCancel(context.Background())
	var taken atomic.Int64
	appDone := make(chan struct{})
	go func() {
		defer close(appDone)
		for {
			if _, err := s.Recv(ctx); err != nil {
				return
			}
			taken.Add(1)
		}
	}()
	msgs := []string{benchMessage}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Deliver(context.Background(), msgs); err != nil {
			b.Fatalf("Deliver: %v", err)
		}
	}
	b.StopTimer()
	cancel()
	<-appDone
	if got := taken.Load(); got != int64(b.N) {
		b.Fatalf("application took %d messages, want %d", got, b.N)
	}
	reportRate(b, b.N)
}

// BenchmarkEcho measures a whole session echo without a network: Deliver
// one message, the application Recvs and Sends it back, and the receiver is
// handed the reply.
func BenchmarkEcho(b *testing.B) {
	r := newCountingReceiver()
	appDone := make(chan struct{})
	echo := func(s *session.Session) {
		go func() {
			defer close(appDone)
			for {
				msg, err := s.Recv(s.Context())
				if err != nil {
					return
				}
				if s.Send(msg) != nil {
					return
				}
			}
		}()
	}
	// Registered first, so it runs after openSession's cleanup closed the
	// session.
	b.Cleanup(func() { <-appDone })
	s := openSession(b, r, benchConfig(1024, echo))
	msgs := []string{benchMessage}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next := r.expect(int64(i + 1))
		if err := s.Deliver(ctx, msgs); err != nil {
			b.Fatalf("Deliver: %v", err)
		}
		waitFor(b, s, next, "echo")
	}
	b.StopTimer()
	reportRate(b, b.N)
}

// BenchmarkOpenClose measures a session's life without traffic: New,
// Attach with its open frame, Close, and the actor's exit.
func BenchmarkOpenClose(b *testing.B) {
	cfg := benchConfig(1024, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := newCountingReceiver()
		s := session.New("bench", nil, cfg)
		if err := s.Attach(r); err != nil {
			b.Fatalf("Attach: %v", err)
		}
		<-r.opened
		_ = s.Close(session.CodeNormal, session.ReasonNormal)
		<-s.Done()
		<-r.ended
	}
}

// benchPoll is a polling response for BenchmarkPoll: every write uses it
// up.
type benchPoll struct{ ended chan struct{} }

func (p *benchPoll) Write(f []session.Frame) (int, bool, error) { return len(f), true, nil }
func (p *benchPoll) End()                                       { close(p.ended) }
func (p *benchPoll) DelayDisconnect() bool                      { return true }

// BenchmarkPoll measures one polling cycle without a network: a poll
// attaches, a message is sent, the session writes it, lets go of the poll
// and waits for the next one (passive, with its expiry armed).
func BenchmarkPoll(b *testing.B) {
	cfg := &session.Config{HeartbeatDelay: time.Hour, DisconnectDelay: time.Minute, OutboxSize: 1024, InboxSize: 1024, OnOpen: func(*session.Session) {}}
	s := session.New("bench", nil, cfg)
	defer func() { s.Shutdown(); <-s.Done() }()
	first := &benchPoll{ended: make(chan struct{})}
	if err := s.Attach(first); err != nil {
		b.Fatal(err)
	}
	<-first.ended // the open frame
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		p := &benchPoll{ended: make(chan struct{})}
		if err := s.Attach(p); err != nil {
			b.Fatal(err)
		}
		if err := s.Send(benchMessage); err != nil {
			b.Fatal(err)
		}
		<-p.ended
	}
	b.StopTimer() // a passive session's shutdown waits a grace period for a poll
}

// BenchmarkFeedEcho measures a websocket-style echo without a network: the
// reader Feeds one message, the application Recvs and Sends it back, and
// the receiver is handed the reply.
func BenchmarkFeedEcho(b *testing.B) {
	r := newCountingReceiver()
	appDone := make(chan struct{})
	echo := func(s *session.Session) {
		go func() {
			defer close(appDone)
			for {
				msg, err := s.Recv(s.Context())
				if err != nil {
					return
				}
				if s.Send(msg) != nil {
					return
				}
			}
		}()
	}
	b.Cleanup(func() { <-appDone })
	s := openSession(b, r, benchConfig(1024, echo))
	credit := s.NewCredit()
	msgs := []string{benchMessage}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next := r.expect(int64(i + 1))
		if err := s.Feed(ctx, credit, msgs); err != nil {
			b.Fatalf("Feed: %v", err)
		}
		waitFor(b, s, next, "echo")
	}
	b.StopTimer()
	reportRate(b, b.N)
}
