package main

import (
	"net/http"
	"sync"

	"github.com/gosockjs/sockjs"
)

// benchOptions are the defaults without the session limits: every load
// generator connection comes from 127.0.0.1, one client to the limits,
// which would refuse most of its sessions (429) and measure the refusals.
// The disconnect delay is benchDisconnectDelay instead of 5 s.
var benchOptions = sockjs.Options{
	MaxSessions:          -1,
	MaxSessionsPerClient: -1,
	SessionRate:          -1,
	DisconnectDelay:      benchDisconnectDelay,
}

// mountGoSockJS serves this library's /echo and /broadcast with
// benchOptions.
func mountGoSockJS(mux *http.ServeMux, c *counters) {
	echo := sockjs.New("/echo", benchOptions, func(s *sockjs.Session) {
		c.sessions.Add(1)
		defer c.sessions.Add(-1)
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return
			}
			if s.Send(msg) != nil {
				return
			}
		}
	})
	mux.Handle("/echo/", echo)

	var members sessionSet
	broadcast := sockjs.New("/broadcast", benchOptions, func(s *sockjs.Session) {
		c.sessions.Add(1)
		defer c.sessions.Add(-1)
		members.add(s)
		defer members.remove(s)
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return
			}
			sockjs.Broadcast(msg, members.snapshot())
		}
	})
	mux.Handle("/broadcast/", broadcast)
}

// sessionSet is the members of /broadcast. snapshot returns a slice that is
// rebuilt only after a change, so that broadcasting allocates nothing.
type sessionSet struct {
	mu      sync.Mutex
	members map[*sockjs.Session]struct{}
	list    []*sockjs.Session // nil after a change
}

func (m *sessionSet) add(s *sockjs.Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.members == nil {
		m.members = make(map[*sockjs.Session]struct{})
	}
	m.members[s] = struct{}{}
	m.list = nil
}

func (m *sessionSet) remove(s *sockjs.Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.members, s)
	m.list = nil
}

func (m *sessionSet) snapshot() []*sockjs.Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.list == nil {
		m.list = make([]*sockjs.Session, 0, len(m.members))
		for s := range m.members {
			m.list = append(m.list, s)
		}
	}
	return m.list
}
