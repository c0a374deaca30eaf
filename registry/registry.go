// Package registry keeps the sessions of one SockJS service.
//
// The session map belongs to one goroutine. Every operation is a message
// sent to it over a channel and run in order (a small struct for GetOrCreate
// and Get, a closure for the rest), so get-or-create is a single step: two
// requests for a new id cannot create two sessions. There is no lock.
package registry

import (
	"errors"
	"sync"

	"github.com/gosockjs/sockjs/session"
)

// ErrFull is returned by GetOrCreate and Add when the registry already holds
// its maximum number of sessions.
var ErrFull = errors.New("sockjs: too many sessions")

// ErrStopped is returned by operations on a registry that was stopped.
var ErrStopped = errors.New("sockjs: registry stopped")

// ErrClientFull is returned by GetOrCreate and Add when the client already
// holds Limits.PerClient sessions.
var ErrClientFull = errors.New("sockjs: too many sessions from this client")

// ErrClientRate is returned by GetOrCreate and Add when the client creates
// sessions faster than Limits.Rate allows.
var ErrClientRate = errors.New("sockjs: sessions created too fast by this client")

// ErrClosing is returned by GetOrCreate (for an id it does not hold) and Add
// once Drain was called: the service is shutting down.
var ErrClosing = errors.New("sockjs: shutting down")

// table is the state owned by the registry goroutine.
type table struct {
	byID    map[string]entry            // HTTP sessions by SockJS session id
	private map[*session.Session]string // websocket sessions, which have no shared id, and their clients
	max     int                         // 0 or less means no limit
	clients clients                     // per-client counts and creation rates
	closing bool                        // set by Drain; no session is created any more
}

// entry is an HTTP session and the client key it counts against.
type entry struct {
	s      *session.Session
	client string
}

// admit returns the error that refuses a new session for client, or nil.
func (t *table) admit(client string) error {
	switch {
	case t.closing:
		return ErrClosing
	case t.max > 0 && t.count() >= t.max:
		return ErrFull
	}
	return t.clients.admit(client)
}

func (t *table) count() int { return len(t.byID) + len(t.private) }

// Registry is the session map of one service. Its methods are safe for
// concurrent use; each waits only for the registry goroutine, which never
// blocks on anything else.
//
// It follows the stop protocol of every actor in this module (registry,
// pubsub.Local, pubsub.Hub, redisbroker.Broker): operations go in over ops;
// Stop closes stop once and waits for exited, which the goroutine closes as
// it returns; a caller that finds exited closed gets the actor's "stopped"
// error instead of waiting.
type Registry struct {
	ops      chan request       // from callers to the registry goroutine
	replies  chan chan struct{} // reply channels free for reuse
	stop     chan struct{}      // closed by Stop: the goroutine returns
	stopping sync.Once          // closes stop once
	exited   chan struct{}      // closed when the goroutine has returned
}

// request is an operation for the registry goroutine and the channel on
// which it says the operation ran.
type request struct {
	op    operation
	reply chan<- struct{} // capacity 1: the registry goroutine never waits on it
}

// operation is what the registry goroutine runs for a request. The
// operations on every request's path (GetOrCreate, Get) are small structs
// that carry their arguments and results, one allocation each; the rest
// are closures (opFunc), whose captured variables cost more.
type operation interface{ run(*table) }

// opFunc is a closure as an operation.
type opFunc func(*table)

func (f opFunc) run(t *table) { f(t) }

// keptReplies bounds the reply channels kept for reuse: as many as
// requests that commonly wait at once.
const keptReplies = 64

// New starts a registry with the given limits.
func New(l Limits) *Registry {
	r := &Registry{
		ops:     make(chan request),
		replies: make(chan chan struct{}, keptReplies),
		stop:    make(chan struct{}),
		exited:  make(chan struct{}),
	}
	t := &table{
		byID:    make(map[string]entry),
		private: make(map[*session.Session]string),
		max:     l.Max,
		clients: newClients(l),
	}
	go r.run(t)
	return r
}

// run is the registry goroutine.
func (r *Registry) run(t *table) {
	defer close(r.exited)
	for {
		select {
		case req := <-r.ops:
			req.op.run(t)
			req.reply <- struct{}{}
		case <-r.stop:
			return
		}
	}
}

// do runs op on the registry goroutine and waits for it. A request costs
// the allocation of op and nothing else: the reply channel is
// reused, taken from and given back to a free list that is itself a
// channel (no lock).
func (r *Registry) do(op operation) error {
	var reply chan struct{}
	select {
	case reply = <-r.replies:
	default:
		reply = make(chan struct{}, 1)
	}
	select {
	case r.ops <- request{op, reply}:
	case <-r.exited:
		return ErrStopped
	}
	<-reply
	select {
	case r.replies <- reply:
	default:
	}
	return nil
}

// GetOrCreate returns the session with id, creating it with create if there
// is none and the limits let client create one. created reports whether
// create was called. create runs on the registry goroutine and must not
// block.
func (r *Registry) GetOrCreate(id, client string, create func() *session.Session) (s *session.Session, created bool, err error) {
	op := &getOrCreate{id: id, client: client, create: create}
	if err := r.do(op); err != nil {
		return nil, false, err
	}
	return op.s, op.created, op.err
}

// getOrCreate is GetOrCreate's operation: its arguments, then its results.
type getOrCreate struct {
	id, client string
	create     func() *session.Session
	s          *session.Session
	created    bool
	err        error
}

func (op *getOrCreate) run(t *table) {
	if e, ok := t.byID[op.id]; ok {
		op.s = e.s
		return
	}
	if op.err = t.admit(op.client); op.err != nil {
		return
	}
	op.s, op.created = op.create(), true
	t.byID[op.id] = entry{op.s, op.client}
	t.clients.added(op.client)
}

// Get returns the session with id, or nil.
func (r *Registry) Get(id string) *session.Session {
	op := &get{id: id}
	_ = r.do(op)
	return op.s
}

// get is Get's operation.
type get struct {
	id string
	s  *session.Session
}

func (op *get) run(t *table) { op.s = t.byID[op.id].s }

// Add creates a session that has no shared id (a websocket's), if the
// limits let client create one, and keeps it until Remove.
func (r *Registry) Add(client string, create func() *session.Session) (s *session.Session, err error) {
	stopErr := r.do(opFunc(func(t *table) {
		if err = t.admit(client); err != nil {
			return
		}
		s = create()
		t.private[s] = client
		t.clients.added(client)
	}))
	if stopErr != nil {
		return nil, stopErr
	}
	return s, err
}

// Remove forgets s: a session added with Add, whatever id is (a
// websocket's URL carries one, under which the registry keeps nothing), or
// else the session registered under id, if that is still s.
func (r *Registry) Remove(id string, s *session.Session) {
	_ = r.do(opFunc(func(t *table) {
		if client, ok := t.private[s]; ok {
			delete(t.private, s)
			t.clients.removed(client)
			return
		}
		if e := t.byID[id]; e.s == s {
			delete(t.byID, id)
			t.clients.removed(e.client)
		}
	}))
}

// Clients returns the number of client keys the registry keeps state for:
// those with sessions, and those whose creation rate is still limited.
func (r *Registry) Clients() int {
	n := 0
	_ = r.do(opFunc(func(t *table) { n = len(t.clients.byKey) }))
	return n
}

// Len returns the number of sessions.
func (r *Registry) Len() int {
	n := 0
	_ = r.do(opFunc(func(t *table) { n = t.count() }))
	return n
}

// Sessions returns a snapshot of every session.
func (r *Registry) Sessions() []*session.Session {
	var all []*session.Session
	_ = r.do(opFunc(func(t *table) { all = t.snapshot() }))
	return all
}

// Drain starts the shutdown: from now on GetOrCreate and Add create no
// session (ErrClosing), while Get and Remove go on working so that existing
// sessions can hand out their close frames and end. It returns every session
// in the same step, so no session can be missing from the result: one
// created before Drain is in it, and none is created after.
func (r *Registry) Drain() []*session.Session {
	var all []*session.Session
	_ = r.do(opFunc(func(t *table) {
		t.closing = true
		all = t.snapshot()
	}))
	return all
}

func (t *table) snapshot() []*session.Session {
	all := make([]*session.Session, 0, t.count())
	for _, e := range t.byID {
		all = append(all, e.s)
	}
	for s := range t.private {
		all = append(all, s)
	}
	return all
}

// Stop ends the registry goroutine. Later operations return ErrStopped or
// do nothing. Stop is idempotent.
func (r *Registry) Stop() {
	r.stopping.Do(func() { close(r.stop) })
	<-r.exited
}
