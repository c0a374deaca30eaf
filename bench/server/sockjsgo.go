package main

import (
	"net/http"
	"sync"

	sockjsgo "github.com/igm/sockjs-go/v3/sockjs"
)

// mountSockJSGo serves /echo and /broadcast with igm/sockjs-go v3 and its
// default options, but for the disconnect delay: benchDisconnectDelay
// instead of 5 s.
func mountSockJSGo(mux *http.ServeMux, c *counters) {
	opts := sockjsgo.DefaultOptions
	opts.DisconnectDelay = benchDisconnectDelay
	echo := sockjsgo.NewHandler("/echo", opts, func(s sockjsgo.Session) {
		c.sessions.Add(1)
		defer c.sessions.Add(-1)
		for {
			msg, err := s.RecvCtx(s.Context())
			if err != nil {
				return
			}
			if s.Send(msg) != nil {
				return
			}
		}
	})
	mux.Handle("/echo/", echo)

	var members sockjsGoSet
	broadcast := sockjsgo.NewHandler("/broadcast", opts, func(s sockjsgo.Session) {
		c.sessions.Add(1)
		defer c.sessions.Add(-1)
		members.add(s)
		defer members.remove(s)
		for {
			msg, err := s.RecvCtx(s.Context())
			if err != nil {
				return
			}
			for _, m := range members.snapshot() {
				_ = m.Send(msg)
			}
		}
	})
	mux.Handle("/broadcast/", broadcast)
}

// sockjsGoSet is the members of /broadcast, as sessionSet is for this
// library.
type sockjsGoSet struct {
	mu      sync.Mutex
	members map[sockjsgo.Session]struct{} // a Session wraps a pointer: comparable
	list    []sockjsgo.Session            // nil after a change
}

func (m *sockjsGoSet) add(s sockjsgo.Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.members == nil {
		m.members = make(map[sockjsgo.Session]struct{})
	}
	m.members[s] = struct{}{}
	m.list = nil
}

func (m *sockjsGoSet) remove(s sockjsgo.Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.members, s)
	m.list = nil
}

func (m *sockjsGoSet) snapshot() []sockjsgo.Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.list == nil {
		m.list = make([]sockjsgo.Session, 0, len(m.members))
		for s := range m.members {
			m.list = append(m.list, s)
		}
	}
	return m.list
}
