package sockjs

import (
	"net/http"
	"slices"
	"sync"

	"github.com/gosockjs/sockjs/session"
)

// MemoryMetrics is implemented by a Metrics that also wants to hear about
// the Handler's memory budget (Options.MemoryLimit). Counters implements it.
type MemoryMetrics interface {
	// BufferedBytes: the bytes that sessions hold beyond their first
	// 64 KiB changed by delta (in 64 KiB steps).
	BufferedBytes(delta int)
	// SessionEvicted: a session was closed because the Handler's
	// sessions together held more than the limit.
	SessionEvicted()
}

// memoryBudget is a Handler's Options.MemoryLimit: what its sessions hold
// beyond their first chunk, in total and by session. Sessions report to it
// from their actor goroutines, a chunk at a time, so the mutex is taken
// only when a session's buffers grow or shrink by 64 KiB, never per message.
type memoryBudget struct {
	limit   int64
	metrics MemoryMetrics // nil when the Handler's Metrics does not want it

	mu       sync.Mutex
	total    int64                      // bytes reserved by every session
	held     map[*session.Session]int64 // bytes reserved, by session
	evicting map[*session.Session]bool  // closed for memory, not yet released
	evicted  int64                      // bytes held by the sessions in evicting
}

func newMemoryBudget(limit int64, m Metrics) *memoryBudget {
	b := &memoryBudget{
		limit:    limit,
		held:     make(map[*session.Session]int64),
		evicting: make(map[*session.Session]bool),
	}
	b.metrics, _ = m.(MemoryMetrics)
	return b
}

// Reserve implements session.Memory. Past the limit it closes the sessions
// holding the most, so that what the others hold fits.
func (b *memoryBudget) Reserve(s *session.Session, n int) {
	b.mu.Lock()
	b.total += int64(n)
	held := b.held[s] + int64(n)
	if b.evicting[s] {
		b.evicted += int64(n)
	}
	if held <= 0 {
		delete(b.held, s)
		delete(b.evicting, s)
	} else {
		b.held[s] = held
	}
	var victims []*session.Session
	if b.total-b.evicted > b.limit {
		victims = b.chooseVictims()
	}
	b.mu.Unlock()

	if b.metrics != nil {
		b.metrics.BufferedBytes(n)
	}
	for _, v := range victims {
		v.CloseForMemory()
		if b.metrics != nil {
			b.metrics.SessionEvicted()
		}
	}
}

// chooseVictims marks the sessions holding the most as evicting until the
// rest fit under the limit, and returns them. b.mu is held.
func (b *memoryBudget) chooseVictims() []*session.Session {
	type holding struct {
		s     *session.Session
		bytes int64
	}
	var all []holding
	for s, n := range b.held {
		if !b.evicting[s] {
			all = append(all, holding{s, n})
		}
	}
	slices.SortFunc(all, func(a, c holding) int { return int(c.bytes - a.bytes) })
	var victims []*session.Session
	for _, h := range all {
		if b.total-b.evicted <= b.limit {
			break
		}
		b.evicting[h.s] = true
		b.evicted += h.bytes
		victims = append(victims, h.s)
	}
	return victims
}

// full reports whether the sessions hold more than the limit, counting
// those being closed for it until they have let go: new sessions are
// refused meanwhile.
func (b *memoryBudget) full() bool {
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total > b.limit
}

// errMemoryFull refuses a new session while the memory limit is reached.
var errMemoryFull = &statusError{http.StatusServiceUnavailable, RejectMemory, "Server memory full."}

// refusedForMemory counts and logs a new session refused for the memory
// limit, and returns the answer.
func (h *Handler) refusedForMemory(q *request) error {
	h.rejected(q.r, RejectMemory)
	return errMemoryFull
}
