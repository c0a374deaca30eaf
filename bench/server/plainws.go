package main

import (
	"context"
	"net/http"
	"sync"

	"github.com/coder/websocket"
)

// mountPlainWS serves the websocket floor: plain coder/websocket
// connections without SockJS framing, sessions or queues. /echo/websocket
// writes every message back from the reading goroutine; a message to
// /broadcast/websocket is written to every connection in turn by the
// goroutine that read it.
func mountPlainWS(mux *http.ServeMux, c *counters) {
	mux.HandleFunc("GET /echo/websocket", func(w http.ResponseWriter, r *http.Request) {
		conn := acceptPlain(w, r)
		if conn == nil {
			return
		}
		defer conn.CloseNow()
		c.sessions.Add(1)
		defer c.sessions.Add(-1)
		ctx := context.Background()
		for {
			typ, p, err := conn.Read(ctx)
			if err != nil {
				return
			}
			if conn.Write(ctx, typ, p) != nil {
				return
			}
		}
	})

	var members connSet
	mux.HandleFunc("GET /broadcast/websocket", func(w http.ResponseWriter, r *http.Request) {
		conn := acceptPlain(w, r)
		if conn == nil {
			return
		}
		defer conn.CloseNow()
		c.sessions.Add(1)
		defer c.sessions.Add(-1)
		members.add(conn)
		defer members.remove(conn)
		ctx := context.Background()
		for {
			typ, p, err := conn.Read(ctx)
			if err != nil {
				return
			}
			for _, m := range members.snapshot() {
				_ = m.Write(ctx, typ, p)
			}
		}
	})
}

func acceptPlain(w http.ResponseWriter, r *http.Request) *websocket.Conn {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return nil
	}
	conn.SetReadLimit(1 << 20) // as the library's default MaxMessageSize
	return conn
}

// connSet is the connections of /broadcast/websocket.
type connSet struct {
	mu      sync.Mutex
	members map[*websocket.Conn]struct{}
	list    []*websocket.Conn // nil after a change
}

func (m *connSet) add(c *websocket.Conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.members == nil {
		m.members = make(map[*websocket.Conn]struct{})
	}
	m.members[c] = struct{}{}
	m.list = nil
}

func (m *connSet) remove(c *websocket.Conn) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.members, c)
	m.list = nil
}

func (m *connSet) snapshot() []*websocket.Conn {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.list == nil {
		m.list = make([]*websocket.Conn, 0, len(m.members))
		for c := range m.members {
			m.list = append(m.list, c)
		}
	}
	return m.list
}
