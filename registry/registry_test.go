package registry_test

import (
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gosockjs/sockjs/registry"
	"github.com/gosockjs/sockjs/session"
)

func newSession() *session.Session {
	return session.New("test", httptest.NewRequest("GET", "/", nil), &session.Config{
		HeartbeatDelay: time.Hour, DisconnectDelay: time.Hour, OutboxSize: 1, InboxSize: 1,
		OnOpen: func(*session.Session) {},
	})
}

func cleanup(t *testing.T, r *registry.Registry) {
	t.Cleanup(func() {
		for _, s := range r.Sessions() {
			s.Shutdown()
			<-s.Done()
		}
		r.Stop()
	})
}

// Get-or-create is one step: many requests for a new id make one session.
func TestGetOrCreateIsAtomic(t *testing.T) {
	r := registry.New(0)
	cleanup(t, r)
	var wg sync.WaitGroup
	got := make(chan *session.Session, 100)
	created := make(chan bool, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, c, err := r.GetOrCreate("id", newSession)
			if err != nil {
				t.Error(err)
			}
			got <- s
			created <- c
		}()
	}
	wg.Wait()
	close(got)
	close(created)
	first := <-got
	for s := range got {
		if s != first {
			t.Fatal("two sessions for one id")
		}
	}
	n := 0
	for c := range created {
		if c {
			n++
		}
	}
	if n != 1 || r.Len() != 1 {
		t.Fatalf("created %d times, %d sessions", n, r.Len())
	}
}

func TestRemoveOnlyTheSameSession(t *testing.T) {
	r := registry.New(0)
	cleanup(t, r)
	old, _, _ := r.GetOrCreate("id", newSession)
	other := newSession()
	t.Cleanup(func() { other.Shutdown(); <-other.Done() })
	r.Remove("id", other) // a stale session must not remove the current one
	if r.Get("id") != old {
		t.Fatal("Remove of another session deleted the entry")
	}
	r.Remove("id", old)
	if r.Get("id") != nil {
		t.Fatal("Remove did not delete")
	}
	old.Shutdown()
	<-old.Done()
}

func TestMaxSessionsAndStop(t *testing.T) {
	r := registry.New(2)
	cleanup(t, r)
	r.GetOrCreate("a", newSession)
	r.Add(newSession)
	if _, _, err := r.GetOrCreate("c", newSession); !errors.Is(err, registry.ErrFull) {
		t.Fatalf("third session: %v", err)
	}
	if _, err := r.Add(newSession); !errors.Is(err, registry.ErrFull) {
		t.Fatalf("third private session: %v", err)
	}
	if len(r.Sessions()) != 2 {
		t.Fatal("Sessions")
	}
}

func TestStoppedRegistry(t *testing.T) {
	r := registry.New(0)
	r.Stop()
	r.Stop() // idempotent
	if _, _, err := r.GetOrCreate("a", newSession); !errors.Is(err, registry.ErrStopped) {
		t.Fatalf("GetOrCreate after Stop: %v", err)
	}
}
