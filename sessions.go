package sockjs

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

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
				return s, h.owned(q, s)
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
			return s, h.owned(q, s)
		}
		return s, nil
	}
}

// owned checks that s belongs to the client of q and, if so, records the
// request as the client's activity.
func (h *Handler) owned(q *request, s *session.Session) error {
	if err := h.checkOwner(q, s); err != nil {
		return err
	}
	if app := appSession(s); app != nil {
		app.touch()
	}
	return nil
}

// lookup returns the lookup function of a sending request.
func (h *Handler) lookup(q *request) transport.Lookup {
	return func() (*session.Session, error) {
		s := h.reg.Get(q.id)
		if s == nil {
			return nil, nil
		}
		return s, h.owned(q, s)
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

// newSession makes a session, with the application's handle, that removes
// itself from the registry when it ends. It runs on the registry goroutine.
func (h *Handler) newSession(name string, q *request) *session.Session {
	app := newAppSession(h)
	cfg := h.scfg
	cfg.Identity, cfg.ClientAddr, cfg.App = q.client.identity, q.client.addr, app
	id := q.id
	cfg.OnEnd = func(s *session.Session, opened bool) {
		h.reg.Remove(id, s)
		if h.logger != nil {
			h.logger.Debug("sockjs: session ended", "prefix", h.prefix, "session", s.ID(), "transport", s.Transport(), "code", closeCode(s.Context()))
		}
	}
	ss := session.New(name, keptRequest(q.r), &cfg)
	app.bind(ss)
	return ss
}

// closeCode returns the close code of a session's Context, or 0 while it
// is open.
func closeCode(ctx context.Context) int {
	var ce *CloseError
	if errors.As(context.Cause(ctx), &ce) {
		return ce.Code
	}
	return 0
}

// startApplication runs the application's handler for a session that just
// opened. It runs on the session's actor goroutine, so it must not block.
func (h *Handler) startApplication(ss *session.Session) {
	s := appSession(ss)
	h.metrics.SessionOpened(s.Transport())
	if h.logger != nil {
		h.logger.Debug("sockjs: session opened", "prefix", h.prefix, "session", s.ID(), "transport", s.Transport(), "client", s.ClientAddr())
	}
	h.handlers.add()
	go h.runApplication(s)
}

// sessionClosed counts a session that stopped being open. It runs on the
// session's actor goroutine as its Context is cancelled: a session counts
// as open until then, not until it has ended (a disconnect delay later),
// so counts agree with Sessions and with what clients see.
func (h *Handler) sessionClosed(ss *session.Session, cause *session.CloseError) {
	h.metrics.SessionClosed(ss.Transport(), cause.Code)
}

// runApplication is the goroutine of one session's application handler.
// When the handler returns, the session closes normally (with
// CodeGoingAway while the Handler drains); when it panics,
// the session closes with CodeInternalError and the panic is logged once,
// with its stack.
func (h *Handler) runApplication(s *Session) {
	defer h.handlers.done()
	defer func() {
		if p := recover(); p != nil {
			if h.logger != nil {
				h.logger.Error("sockjs: session handler panicked", "prefix", h.prefix, "session", s.ID(),
					"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
			_ = s.s.Close(session.CodeInternalError, session.ReasonInternalError)
			return
		}
		select {
		case <-h.draining:
			// serve returned because the server is going away.
			_ = s.s.Close(session.CodeGoingAway, session.ReasonGoingAway)
		default:
			_ = s.s.Close(session.CodeNormal, session.ReasonNormal)
		}
	}()
	h.serve(s)
}
