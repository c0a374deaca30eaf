package sockjs

import (
	"context"
	"sync"
)

// running counts the application's serve functions that have not returned.
// Unlike a sync.WaitGroup, it may be waited on while sessions are still
// opening (a drain waits while sessions created just before it start their
// serve functions), and a wait can give up with its context.
type running struct {
	mu   sync.Mutex
	n    int
	idle chan struct{} // closed while n == 0; replaced when n leaves 0
}

func (r *running) add() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == 0 || r.idle == nil {
		r.idle = make(chan struct{})
	}
	r.n++
}

func (r *running) done() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n--
	if r.n == 0 {
		close(r.idle)
	}
}

// wait returns nil once no serve function is running, or ctx's error.
func (r *running) wait(ctx context.Context) error {
	r.mu.Lock()
	if r.n == 0 {
		r.mu.Unlock()
		return nil
	}
	idle := r.idle
	r.mu.Unlock()
	select {
	case <-idle:
		return r.wait(ctx) // another may have started meanwhile
	case <-ctx.Done():
		return ctx.Err()
	}
}
