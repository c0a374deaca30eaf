package registry_test

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/gosockjs/sockjs/registry"
	"github.com/gosockjs/sockjs/session"
)

// The registry only keeps session pointers, so these benchmarks register
// bare *session.Session values: no actor goroutines, only the registry's
// own cost.

func newBenchRegistry(b *testing.B) *registry.Registry {
	b.Helper()
	r := registry.New(registry.Limits{})
	b.Cleanup(r.Stop)
	return r
}

// ids returns n distinct session ids shaped like the client's.
func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

func newBare() *session.Session { return new(session.Session) }

// fill registers every id and fails the benchmark on error.
func fill(b *testing.B, r *registry.Registry, all []string) {
	b.Helper()
	for _, id := range all {
		if _, _, err := r.GetOrCreate(id, "client", newBare); err != nil {
			b.Fatalf("GetOrCreate: %v", err)
		}
	}
}

// BenchmarkGetOrCreate measures a polling request's lookup: an id that is
// registered already ("existing"), or a new one that creates a session
// ("new").
func BenchmarkGetOrCreate(b *testing.B) {
	b.Run("existing", func(b *testing.B) {
		r := newBenchRegistry(b)
		known := ids("s", 1024)
		fill(b, r, known)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			_, created, err := r.GetOrCreate(known[i%len(known)], "client", newBare)
			if err != nil || created {
				b.Fatalf("GetOrCreate: created %v, err %v", created, err)
			}
		}
	})
	b.Run("new", func(b *testing.B) {
		r := newBenchRegistry(b)
		fresh := ids("n", b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			_, created, err := r.GetOrCreate(fresh[i], "client", newBare)
			if err != nil || !created {
				b.Fatalf("GetOrCreate: created %v, err %v", created, err)
			}
		}
	})
	b.Run("newRemove", func(b *testing.B) {
		// Steady state: every session created is removed again, as
		// sessions come and go.
		r := newBenchRegistry(b)
		fresh := ids("n", b.N)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			s, _, err := r.GetOrCreate(fresh[i], "client", newBare)
			if err != nil {
				b.Fatalf("GetOrCreate: %v", err)
			}
			r.Remove(fresh[i], s)
		}
	})
}

// BenchmarkAddRemove measures a websocket session's registration.
func BenchmarkAddRemove(b *testing.B) {
	r := newBenchRegistry(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := r.Add("client", newBare)
		if err != nil {
			b.Fatalf("Add: %v", err)
		}
		r.Remove("", s)
	}
}

// BenchmarkGetOrCreateParallel measures the registry under concurrent
// requests (run with -cpu 1,2,4): every goroutine looks up existing ids, or
// creates new ones.
func BenchmarkGetOrCreateParallel(b *testing.B) {
	b.Run("existing", func(b *testing.B) {
		r := newBenchRegistry(b)
		known := ids("s", 1024)
		fill(b, r, known)
		var next atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := int(next.Add(1)) * 7919
			for pb.Next() {
				i++
				if _, _, err := r.GetOrCreate(known[i%len(known)], "client", newBare); err != nil {
					b.Errorf("GetOrCreate: %v", err)
					return
				}
			}
		})
	})
	b.Run("new", func(b *testing.B) {
		r := newBenchRegistry(b)
		fresh := ids("n", b.N)
		var next atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				id := fresh[next.Add(1)-1]
				if _, _, err := r.GetOrCreate(id, "client", newBare); err != nil {
					b.Errorf("GetOrCreate: %v", err)
					return
				}
			}
		})
	})
	b.Run("get", func(b *testing.B) {
		r := newBenchRegistry(b)
		known := ids("s", 1024)
		fill(b, r, known)
		var next atomic.Int64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := int(next.Add(1)) * 7919
			for pb.Next() {
				i++
				if r.Get(known[i%len(known)]) == nil {
					b.Errorf("Get: missing")
					return
				}
			}
		})
	})
}
