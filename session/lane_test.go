package session

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// The reader's side of the direct lane, with the actor left out: the token
// is put in the channel by hand, and a goroutine waiting on the inbound
// channel stands for Recv.
func TestDirectLane(t *testing.T) {
	waiting := func(s *Session) chan string {
		got := make(chan string, 4)
		go func() { got <- (<-s.inbound).text }()
		synctest.Wait()
		return got
	}
	newReader := func() (*Session, *Credit) {
		s := &Session{inbound: make(chan inboundMsg), lane: make(chan uint64, 1)}
		return s, &Credit{}
	}

	t.Run("fresh token, Recv waiting: handed over, token back", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, in := newReader()
			in.posted = 3
			s.lane <- 3
			got := waiting(s)
			if rest := s.direct(in, []string{"m"}); len(rest) != 0 || <-got != "m" {
				t.Fatalf("not handed over: rest %q", rest)
			}
			if in.token || len(s.lane) != 1 || <-s.lane != 3 {
				t.Fatal("the token did not go back to the lane")
			}
		})
	})
	t.Run("stale token: a delivery is on its way, so the message follows it", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, in := newReader()
			in.posted = 3
			s.lane <- 2 // the actor has received two of the three deliveries
			got := waiting(s)
			if rest := s.direct(in, []string{"m"}); !slices.Equal(rest, []string{"m"}) || !in.token {
				t.Fatalf("rest %q, token %v: the message overtook a delivery", rest, in.token)
			}
			if len(got) != 0 {
				t.Fatal("handed over")
			}
			s.inbound <- inboundMsg{} // let the stand-in go
		})
	})
	t.Run("Recv not waiting: the rest is posted with the token", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, in := newReader()
			s.lane <- 0
			got := waiting(s)
			if rest := s.direct(in, []string{"a", "b"}); !slices.Equal(rest, []string{"b"}) || !in.token || <-got != "a" {
				t.Fatalf("rest %q, token %v", rest, in.token)
			}
		})
	})
	t.Run("no token: nothing handed over", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s, in := newReader()
			got := waiting(s)
			if rest := s.direct(in, []string{"m"}); len(rest) != 1 || in.token {
				t.Fatalf("rest %q, token %v", rest, in.token)
			}
			if len(got) != 0 {
				t.Fatal("handed over")
			}
			s.inbound <- inboundMsg{}
		})
	})
}

// A live session gives its reader the token, and a message fed while Recv
// waits goes straight to it: the reader posts nothing to the actor.
func TestLaneOpensAndIsUsed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := &Config{HeartbeatDelay: time.Hour, DisconnectDelay: time.Hour, OutboxSize: 8, InboxSize: 8, OnOpen: func(*Session) {}}
		s := New("test", nil, cfg)
		defer func() { s.Shutdown(); <-s.Done() }()
		if err := s.Attach(nopReceiver{}); err != nil {
			t.Fatal(err)
		}
		in := s.NewCredit()
		synctest.Wait()
		if len(s.lane) != 1 {
			t.Fatal("the actor did not give the reader the token")
		}
		got := make(chan string, 1)
		go func() { m, _ := s.Recv(context.Background()); got <- m }()
		synctest.Wait()
		if err := s.Feed(context.Background(), in, []string{"m"}); err != nil {
			t.Fatal(err)
		}
		if m := <-got; m != "m" || in.posted != 0 {
			t.Fatalf("Recv %q after %d deliveries to the actor, want a direct hand-over", m, in.posted)
		}
	})
}

// nopReceiver takes every frame at once and stays attached.
type nopReceiver struct{}

func (nopReceiver) Write(f []Frame) (int, bool, error) { return len(f), false, nil }
func (nopReceiver) End()                               {}
func (nopReceiver) DelayDisconnect() bool              { return false }
