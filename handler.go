package sockjs

import (
	"iter"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs/registry"
	"github.com/gosockjs/sockjs/session"
	"github.com/gosockjs/sockjs/transport"
)

// Handler serves one SockJS service under a URL prefix. Create it with New;
// mount it so that it sees every path under its prefix, unchanged (see the
// package documentation on routers). It is safe for concurrent use.
type Handler struct {
	prefix    string
	opts      Options
	serve     func(*Session)
	origins   originPolicy
	iframe    iframePage
	tcfg      transport.Config
	scfg      session.Config
	reg       *registry.Registry
	metrics   Metrics       // never nil
	memory    *memoryBudget // nil without a MemoryLimit
	logger    *slog.Logger  // nil when silent
	logBudget logBudget     // bounds the rejections logged

	handlers running       // application handlers still running
	draining chan struct{} // closed by Drain (or Shutdown): Session.Draining
	drain    sync.Once     // closes draining once
}

// New returns a Handler for the service at prefix (such as "/echo"; "" when
// a router has already stripped the prefix). serve runs once per session,
// on its own goroutine, right after the session opened; the session is
// closed when serve returns.
//
// The Handler owns a registry goroutine until Shutdown.
func New(prefix string, opts Options, serve func(*Session)) *Handler {
	opts = opts.withDefaults()
	h := &Handler{
		prefix:  strings.TrimRight(prefix, "/"),
		opts:    opts,
		serve:   serve,
		origins: newOriginPolicy(opts.AllowedOrigins),
		iframe:  newIframePage(opts.ClientURL, opts.ClientIntegrity),
		reg: registry.New(registry.Limits{
			Max:       opts.MaxSessions,
			PerClient: opts.MaxSessionsPerClient,
			Rate:      opts.SessionRate,
			Burst:     opts.SessionBurst,
		}),
		metrics:  opts.Metrics,
		logger:   opts.Logger,
		draining: make(chan struct{}),
	}
	if h.metrics == nil {
		h.metrics = noMetrics{}
	}
	h.tcfg = transport.Config{
		ResponseLimit:  opts.ResponseLimit,
		WriteTimeout:   opts.WriteTimeout,
		MaxBodySize:    opts.MaxBodySize,
		MaxMessageSize: opts.MaxMessageSize,
		MaxMessages:    opts.InboxSize,
		// checkOrigin has decided before any handshake, for every transport.
		Accept:   &websocket.AcceptOptions{InsecureSkipVerify: true},
		Observer: transportObserver{h},
	}
	h.scfg = session.Config{
		HeartbeatDelay:  opts.HeartbeatDelay,
		DisconnectDelay: opts.DisconnectDelay,
		ShutdownGrace:   opts.ShutdownGrace,
		OutboxSize:      opts.OutboxSize,
		InboxSize:       opts.InboxSize,
		SendBuffer:      opts.SendBuffer,
		ReceiveBuffer:   opts.ReceiveBuffer,
		MaxFrame:        maxFrame,
		OnOpen:          h.startApplication,
		OnClose:         h.sessionClosed,
	}
	if opts.MemoryLimit > 0 {
		h.memory = newMemoryBudget(opts.MemoryLimit, h.metrics)
		h.scfg.Memory = h.memory
	}
	return h
}

// maxFrame is the size, in encoded bytes, at which a session cuts a batch of
// messages into another frame: a frame is written in one piece, so its size
// is memory held during the write, and a streaming response can end at its
// ResponseLimit only between frames.
const maxFrame = 64 << 10

// Prefix returns the URL prefix the handler serves, without a trailing
// slash.
func (h *Handler) Prefix() string { return h.prefix }

// Sessions yields the sessions open now, in no particular order: a
// snapshot taken when the iteration starts, from which sessions that closed
// since are left out. A session that is closing (its close frame sent, its
// Context done) is not open, even while the protocol keeps it a few seconds
// longer to answer its client. It costs one step of the registry's
// goroutine and a slice of all sessions.
//
//	for s := range h.Sessions() {
//		fmt.Println(s.ID(), s.Identity(), s.LastActive())
//	}
func (h *Handler) Sessions() iter.Seq[*Session] {
	return func(yield func(*Session) bool) {
		for _, ss := range h.reg.Sessions() {
			s := appSession(ss)
			if s == nil || ss.Context().Err() != nil {
				continue
			}
			if !yield(s) {
				return
			}
		}
	}
}

// Len returns the number of sessions open now, as Sessions counts them.
func (h *Handler) Len() int {
	n := 0
	for range h.Sessions() {
		n++
	}
	return n
}

// Session returns the open session whose ID is id, or nil. It looks
// through every session, like Sessions: fine for an admin page, not for a
// hot path.
func (h *Handler) Session(id string) *Session {
	for s := range h.Sessions() {
		if s.ID() == id {
			return s
		}
	}
	return nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil {
		r.Body = http.NoBody // a server's requests always have one; direct callers may not
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), h.prefix)
	if !ok || (rest != "" && rest[0] != '/') {
		h.reject(w, r, RejectNotFound, http.StatusNotFound, notFoundBody)
		return
	}
	if e, q, ok := h.admit(w, r, rest); ok {
		e.serve(h, q)
	}
}
