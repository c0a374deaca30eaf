package sockjs

import (
	"context"
	"errors"

	"github.com/gosockjs/sockjs/session"
	"github.com/gosockjs/sockjs/transport"
)

// client is who a request comes from, as far as sessions care.
type client struct {
	identity any    // what Options.Authorize returned
	addr     string // Options.ClientAddr of the request
}

// acquire returns the get-or-create function of a receiving request.
func (h *Handler) acquire(q *request) transport.Acquire {
	return func(name string) (*session.Session, error) {
		if h.memory.full() {
			// Existing sessions go on; only new ones wait for memory.
			if s := h.reg.Get(q.id); s != nil {
				return s, h.checkOwner(q, s)
			}
			return nil, h.refusedForMemory(q)
		}
		s, created, err := h.reg.GetOrCreate(q.id, q.client.addr, func() *session.Session {
			return h.newSession(name, q)
		})
		switch {
		case err != nil:
			return nil, h.refused(q, err)
		case !created:
			return s, h.checkOwner(q, s)
		}
		return s, nil
	}
}

// lookup returns the lookup function of a sending request.
func (h *Handler) lookup(q *request) transport.Lookup {
	return func() (*session.Session, error) {
		s := h.reg.Get(q.id)
		if s == nil {
			return nil, nil
		}
		return s, h.checkOwner(q, s)
	}
}

// create returns the function that makes a websocket's private session.
func (h *Handler) create(q *request) transport.Create {
	return func(name string) (*session.Session, error) {
		if h.memory.full() {
			return nil, h.refusedForMemory(q)
		}
		s, err := h.reg.Add(q.client.addr, func() *session.Session { return h.newSession(name, q) })
		if err != nil {
			return nil, h.refused(q, err)
		}
		return s, nil
	}
}

// newSession makes a session that removes itself from the registry under
// the request's id when it ends. It runs on the registry goroutine.
func (h *Handler) newSession(name string, q *request) *session.Session {
	cfg := h.scfg
	cfg.Identity, cfg.ClientAddr = q.client.identity, q.client.addr
	id := q.id
	cfg.OnEnd = func(s *session.Session, opened bool) {
		h.reg.Remove(id, s)
		code := 0
		var ce *CloseError
		if errors.As(context.Cause(s.Context()), &ce) {
			code = ce.Code
		}
		if opened {
			h.metrics.SessionClosed(s.Transport(), code)
		}
		if h.logger != nil {
			h.logger.Debug("sockjs: session ended", "prefix", h.prefix, "session", s.ID(), "transport", s.Transport(), "code", code)
		}
	}
	return session.New(name, keptRequest(q.r), &cfg)
}

// startApplication runs the application's handler for a session that just
// opened. It runs on the session's actor goroutine, so it must not block.
func (h *Handler) startApplication(s *session.Session) {
	h.metrics.SessionOpened(s.Transport())
	if h.logger != nil {
		h.logger.Debug("sockjs: session opened", "prefix", h.prefix, "session", s.ID(), "transport", s.Transport(), "client", s.ClientAddr())
	}
	h.handlers.Add(1)
	go func() {
		defer h.handlers.Done()
		defer func() {
			if p := recover(); p != nil {
				if h.logger != nil {
					h.logger.Error("sockjs: session handler panicked", "prefix", h.prefix, "session", s.ID(), "panic", p)
				}
				_ = s.Close(3500, "Internal error")
				return
			}
			_ = s.Close(session.CodeNormal, session.ReasonNormal)
		}()
		h.serve(s)
	}()
}
