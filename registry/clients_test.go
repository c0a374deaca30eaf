package registry_test

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gosockjs/sockjs/registry"
	"github.com/gosockjs/sockjs/session"
)

// fakeClock is a clock the test moves by hand. The registry reads it on its
// own goroutine, but only while the test waits for an operation, so the
// channel handoff orders the accesses.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

func TestPerClientCap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := registry.New(registry.Limits{PerClient: 2})
		cleanup(t, r)
		a1, _, _ := r.GetOrCreate("a1", "A", newSession)
		if _, err := r.Add("A", newSession); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.GetOrCreate("a3", "A", newSession); !errors.Is(err, registry.ErrClientFull) {
			t.Fatalf("third session of A: %v, want ErrClientFull", err)
		}
		if _, err := r.Add("A", newSession); !errors.Is(err, registry.ErrClientFull) {
			t.Fatalf("third private session of A: %v, want ErrClientFull", err)
		}
		if _, _, err := r.GetOrCreate("b1", "B", newSession); err != nil {
			t.Fatalf("another client: %v", err)
		}
		if s, created, err := r.GetOrCreate("a1", "A", newSession); s != a1 || created || err != nil {
			t.Fatalf("an existing session of a full client: %v %v %v", s, created, err)
		}
		r.Remove("a1", a1)
		a1.Shutdown()
		<-a1.Done()
		if _, _, err := r.GetOrCreate("a3", "A", newSession); err != nil {
			t.Fatalf("A after one of its sessions ended: %v", err)
		}
	})
}

func TestPerClientRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := &fakeClock{now: time.Unix(1000, 0)}
		r := registry.New(registry.Limits{Rate: 2, Burst: 3, Now: clock.Now})
		cleanup(t, r)
		create := func(client string) error {
			s, err := r.Add(client, newSession)
			if err == nil {
				// Ending at once: only the rate, not a count, can refuse.
				r.Remove("", s)
				s.Shutdown()
				<-s.Done()
			}
			return err
		}
		for i := 0; i < 3; i++ {
			if err := create("A"); err != nil {
				t.Fatalf("burst %d: %v", i, err)
			}
		}
		if err := create("A"); !errors.Is(err, registry.ErrClientRate) {
			t.Fatalf("past the burst: %v, want ErrClientRate", err)
		}
		if err := create("B"); err != nil {
			t.Fatalf("another client: %v", err)
		}
		clock.now = clock.now.Add(500 * time.Millisecond) // one token at 2/s
		if err := create("A"); err != nil {
			t.Fatalf("after a refill: %v", err)
		}
		if err := create("A"); !errors.Is(err, registry.ErrClientRate) {
			t.Fatalf("refill used up: %v, want ErrClientRate", err)
		}
		clock.now = clock.now.Add(10 * time.Second) // full again, no more
		for i := 0; i < 3; i++ {
			if err := create("A"); err != nil {
				t.Fatalf("second burst %d: %v", i, err)
			}
		}
		if err := create("A"); !errors.Is(err, registry.ErrClientRate) {
			t.Fatalf("past the second burst: %v, want ErrClientRate", err)
		}
	})
}

// The rate table stays bounded when many addresses each open and close a
// session: entries for clients without sessions are capped.
func TestIdleClientStateIsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := &fakeClock{now: time.Unix(1000, 0)}
		r := registry.New(registry.Limits{Rate: 1, Burst: 5, MaxIdleClients: 100, Now: clock.Now})
		cleanup(t, r)
		var live []*session.Session
		for i := 0; i < 1000; i++ {
			s, err := r.Add(fmt.Sprint("10.0.", i/256, ".", i%256), newSession)
			if err != nil {
				t.Fatal(err)
			}
			r.Remove("", s)
			live = append(live, s)
		}
		for _, s := range live {
			s.Shutdown()
			<-s.Done()
		}
		if n := r.Clients(); n > 100 {
			t.Fatalf("%d client entries for 1000 clients without sessions, bound 100", n)
		}
	})
}
