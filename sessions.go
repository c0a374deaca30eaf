package sockjs

import (
	"context"
	"errors"
	"net/http"

	"github.com/gosockjs/sockjs/registry"
	"github.com/gosockjs/sockjs/session"
	"github.com/gosockjs/sockjs/transport"
)

// statusError is a refusal with its HTTP status, for the transports.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string   { return e.msg }
func (e *statusError) HTTPStatus() int { return e.status }

var (
	errShuttingDown = &statusError{http.StatusServiceUnavailable, "Server is shutting down."}
	errTooMany      = &statusError{http.StatusServiceUnavailable, "Too many sessions."}
	errNotYours     = &statusError{http.StatusForbidden, "Session belongs to another client."}
)

// client is who a request comes from, as far as sessions care.
type client struct {
	identity any    // what Options.Authorize returned
	addr     string // Options.ClientAddr of the request
}

// acquire returns the get-or-create function of a receiving request.
func (h *Handler) acquire(r *http.Request, id string, c client) transport.Acquire {
	return func(name string) (*session.Session, error) {
		if h.shuttingDown.Load() {
			if s := h.reg.Get(id); s != nil {
				return s, h.checkOwner(s, c)
			}
			h.metrics.RequestRejected(RejectShuttingDown)
			return nil, errShuttingDown
		}
		if h.refuseForMemory() {
			if s := h.reg.Get(id); s != nil {
				return s, h.checkOwner(s, c)
			}
			return nil, errMemoryFull
		}
		s, created, err := h.reg.GetOrCreate(id, func() *session.Session {
			return h.newSession(name, r, id, c)
		})
		switch {
		case errors.Is(err, registry.ErrFull):
			h.metrics.RequestRejected(RejectSessionLimit)
			return nil, errTooMany
		case err != nil:
			h.metrics.RequestRejected(RejectShuttingDown)
			return nil, errShuttingDown
		case !created:
			return s, h.checkOwner(s, c)
		}
		return s, nil
	}
}

// lookup returns the lookup function of a sending request.
func (h *Handler) lookup(id string, c client) transport.Lookup {
	return func() (*session.Session, error) {
		s := h.reg.Get(id)
		if s == nil {
			return nil, nil
		}
		return s, h.checkOwner(s, c)
	}
}

// create returns the function that makes a websocket's private session.
func (h *Handler) create(r *http.Request, c client) transport.Create {
	return func(name string) (*session.Session, error) {
		if h.shuttingDown.Load() {
			h.metrics.RequestRejected(RejectShuttingDown)
			return nil, errShuttingDown
		}
		if h.refuseForMemory() {
			return nil, errMemoryFull
		}
		s, err := h.reg.Add(func() *session.Session { return h.newSession(name, r, "", c) })
		if err != nil {
			h.metrics.RequestRejected(RejectSessionLimit)
			return nil, errTooMany
		}
		return s, nil
	}
}

// newSession makes a session that removes itself from the registry under
// id when it ends. It runs on the registry goroutine.
func (h *Handler) newSession(name string, r *http.Request, id string, c client) *session.Session {
	cfg := h.scfg
	cfg.Identity, cfg.ClientAddr = c.identity, c.addr
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
	return session.New(name, r, &cfg)
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
