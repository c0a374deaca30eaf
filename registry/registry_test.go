package registry_test

import (
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
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
	synctest.Test(t, func(t *testing.T) {
		r := registry.New(registry.Limits{})
		cleanup(t, r)
		var wg sync.WaitGroup
		got := make(chan *session.Session, 100)
		created := make(chan bool, 100)
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, c, err := r.GetOrCreate("id", "client", newSession)
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
	})
}

func TestRemoveOnlyTheSameSession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := registry.New(registry.Limits{})
		cleanup(t, r)
		old, _, _ := r.GetOrCreate("id", "client", newSession)
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
	})
}

// A session added with Add is removed whatever id its end names: a
// websocket's URL carries an id, under which the registry keeps nothing.
func TestRemovePrivateWhateverTheID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := registry.New(registry.Limits{})
		cleanup(t, r)
		s, err := r.Add("client", newSession)
		if err != nil {
			t.Fatal(err)
		}
		r.Remove("the-url-id", s)
		if n, c := r.Len(), r.Clients(); n != 0 || c != 0 {
			t.Fatalf("after Remove: %d sessions, %d clients, want none", n, c)
		}
		s.Shutdown()
		<-s.Done()
	})
}

func TestMaxSessionsAndStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := registry.New(registry.Limits{Max: 2})
		cleanup(t, r)
		r.GetOrCreate("a", "client", newSession)
		r.Add("client", newSession)
		if _, _, err := r.GetOrCreate("c", "client", newSession); !errors.Is(err, registry.ErrFull) {
			t.Fatalf("third session: %v", err)
		}
		if _, err := r.Add("client", newSession); !errors.Is(err, registry.ErrFull) {
			t.Fatalf("third private session: %v", err)
		}
		if len(r.Sessions()) != 2 {
			t.Fatal("Sessions")
		}
	})
}

func TestStoppedRegistry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := registry.New(registry.Limits{})
		r.Stop()
		r.Stop() // idempotent
		if _, _, err := r.GetOrCreate("a", "client", newSession); !errors.Is(err, registry.ErrStopped) {
			t.Fatalf("GetOrCreate after Stop: %v", err)
		}
	})
}

// Drain and creation race: whatever a creator managed to create is in the
// snapshot Drain returned, and nothing is created after it.
func TestDrainRacesCreation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iterations := 3000
		if testing.Short() {
			iterations = 300
		}
		for i := 0; i < iterations; i++ {
			r := registry.New(registry.Limits{})
			created := make(chan []*session.Session)
			go func() {
				var mine []*session.Session
				for n := 0; ; n++ {
					var s *session.Session
					var err error
					if n%2 == 0 {
						s, _, err = r.GetOrCreate(string(rune('a'+n%26))+string(rune('a'+n/26%26)), "client", newSession)
					} else {
						s, err = r.Add("client", newSession)
					}
					if errors.Is(err, registry.ErrClosing) {
						break
					}
					if err != nil {
						t.Error(err)
						break
					}
					mine = append(mine, s)
				}
				created <- mine
			}()
			drained := r.Drain()
			in := make(map[*session.Session]bool, len(drained))
			for _, s := range drained {
				in[s] = true
			}
			for _, s := range <-created {
				if !in[s] {
					t.Fatalf("iteration %d: a session created during Drain is missing from its snapshot", i)
				}
			}
			if _, _, err := r.GetOrCreate("late", "client", newSession); !errors.Is(err, registry.ErrClosing) {
				t.Fatalf("GetOrCreate after Drain: %v, want ErrClosing", err)
			}
			if _, err := r.Add("client", newSession); !errors.Is(err, registry.ErrClosing) {
				t.Fatalf("Add after Drain: %v, want ErrClosing", err)
			}
			for _, s := range drained {
				s.Shutdown()
				<-s.Done()
			}
			r.Stop()
		}
	})
}

// After Drain, Get still finds existing sessions so that their clients can
// collect the close frames.
func TestGetAfterDrain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := registry.New(registry.Limits{})
		cleanup(t, r)
		s, _, _ := r.GetOrCreate("id", "client", newSession)
		if got := r.Drain(); len(got) != 1 || got[0] != s {
			t.Fatalf("Drain returned %v", got)
		}
		if r.Get("id") != s {
			t.Fatal("Get after Drain lost the session")
		}
		if got, created, err := r.GetOrCreate("id", "client", newSession); got != s || created || err != nil {
			t.Fatalf("GetOrCreate of an existing id after Drain: %v %v %v", got, created, err)
		}
	})
}
