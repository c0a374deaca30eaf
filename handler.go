package sockjs

import (
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gosockjs/sockjs/internal/frame"
	"github.com/gosockjs/sockjs/registry"
	"github.com/gosockjs/sockjs/session"
	"github.com/gosockjs/sockjs/transport"
)

// Handler serves one SockJS service under a URL prefix. Create it with New;
// mount it so that it sees every path under its prefix, unchanged (see the
// package documentation on routers).
type Handler struct {
	prefix  string
	opts    Options
	serve   func(*Session)
	origins originPolicy
	iframe  iframePage
	tcfg    transport.Config
	scfg    session.Config
	reg     *registry.Registry

	shuttingDown atomic.Bool    // set by Shutdown: new sessions are refused
	handlers     sync.WaitGroup // application handlers still running
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
		iframe:  newIframePage(opts.ClientURL),
		reg:     registry.New(opts.MaxSessions),
	}
	h.tcfg = transport.Config{
		ResponseLimit:  opts.ResponseLimit,
		WriteTimeout:   opts.WriteTimeout,
		MaxBodySize:    opts.MaxBodySize,
		MaxMessageSize: opts.MaxMessageSize,
		Accept:         h.origins.acceptOptions(),
	}
	h.scfg = session.Config{
		HeartbeatDelay:  opts.HeartbeatDelay,
		DisconnectDelay: opts.DisconnectDelay,
		OutboxSize:      opts.OutboxSize,
		InboxSize:       opts.InboxSize,
		OnOpen:          h.startApplication,
	}
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil {
		r.Body = http.NoBody // a server's requests always have one; direct callers may not
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), h.prefix)
	if !ok || (rest != "" && rest[0] != '/') {
		notFound(w)
		return
	}
	switch {
	case rest == "" || rest == "/":
		h.route(w, r, "GET", func() { serveGreeting(w) })
	default:
		h.dispatch(w, r, strings.TrimSuffix(rest[1:], "/"))
	}
}

// dispatch routes the path below the prefix, without its leading slash and
// one optional trailing slash.
func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request, p string) {
	switch {
	case p == "info":
		h.serveInfo(w, r)
	case isIframeName(p) && h.enabled(TransportIframe):
		h.route(w, r, "GET", func() { h.iframe.serve(w, r) })
	case p == "websocket" && h.enabled(TransportRawWebsocket) && h.enabled(TransportWebsocket):
		h.route(w, r, "GET", func() { transport.RawWebsocket(w, r, &h.tcfg, h.create(r)) })
	default:
		server, id, name, ok := splitSessionPath(p)
		if !ok {
			notFound(w)
			return
		}
		_ = server // the server id only helps load balancers (PROTOCOL.md §2.3)
		h.serveSession(w, r, id, name)
	}
}

// route runs serve for a request with the allowed method, or answers 405.
func (h *Handler) route(w http.ResponseWriter, r *http.Request, method string, serve func()) {
	if r.Method != method {
		notAllowed(w, method)
		return
	}
	serve()
}

func (h *Handler) serveInfo(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		if !h.cors(w, r) {
			return
		}
		setNoCache(w)
		serveInfo(w, h.enabled(TransportWebsocket), h.opts.JSessionID)
	case http.MethodOptions:
		if !h.cors(w, r) {
			return
		}
		h.cookie(w, r)
		preflight(w, "OPTIONS, GET")
	default:
		notAllowed(w, "OPTIONS, GET")
	}
}

// cors checks the request's origin and sets the CORS headers. It answers 403
// and returns false for an origin that is not allowed.
func (h *Handler) cors(w http.ResponseWriter, r *http.Request) bool {
	if !h.origins.allows(r, r.Header.Get("Origin")) {
		textError(w, "Origin not allowed.", http.StatusForbidden)
		return false
	}
	setCORS(w, r)
	return true
}

// checkOrigin refuses requests from origins that are not allowed, for
// endpoints that send no CORS headers.
func (h *Handler) checkOrigin(w http.ResponseWriter, r *http.Request) bool {
	if !h.origins.allows(r, r.Header.Get("Origin")) {
		textError(w, "Origin not allowed.", http.StatusForbidden)
		return false
	}
	return true
}

func (h *Handler) cookie(w http.ResponseWriter, r *http.Request) {
	if h.opts.JSessionID {
		setJSessionID(w, r)
	}
}

func (h *Handler) enabled(t Transport) bool { return h.opts.Disabled&t == 0 }

// maxIDLength bounds server and session ids; the client uses 3 and 8
// characters.
const maxIDLength = 64

// splitSessionPath splits "S/I/name" into its segments. Ids are single,
// non-empty segments of at most maxIDLength characters from a safe set
// (letters, digits, '_', '-', '%', '~'); no dots (PROTOCOL.md §2.3).
func splitSessionPath(p string) (server, id, name string, ok bool) {
	server, rest, ok1 := strings.Cut(p, "/")
	id, name, ok2 := strings.Cut(rest, "/")
	if !ok1 || !ok2 || !validID(server) || !validID(id) || strings.Contains(name, "/") {
		return "", "", "", false
	}
	return server, id, name, true
}

func validID(s string) bool {
	if s == "" || len(s) > maxIDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-' || c == '%' || c == '~') {
			return false
		}
	}
	return true
}

// sessionRoute describes one /S/I/name endpoint.
type sessionRoute struct {
	transport Transport
	allow     string // the Allow header of a 405
}

var sessionRoutes = map[string]sessionRoute{
	"websocket":     {TransportWebsocket, "GET"},
	"xhr":           {TransportXHR, "POST, OPTIONS"},
	"xhr_send":      {TransportXHR, "POST, OPTIONS"},
	"xhr_streaming": {TransportXHRStreaming, "POST, OPTIONS"},
	"eventsource":   {TransportEventSource, "GET"},
	"htmlfile":      {TransportHTMLFile, "GET"},
	"jsonp":         {TransportJSONP, "GET"},
	"jsonp_send":    {TransportJSONP, "POST"},
}

// serveSession serves the endpoints under /S/I/.
func (h *Handler) serveSession(w http.ResponseWriter, r *http.Request, id, name string) {
	route, ok := sessionRoutes[name]
	if !ok || !h.enabled(route.transport) {
		notFound(w)
		return
	}
	method := r.Method
	switch {
	case method == http.MethodOptions && route.allow == "POST, OPTIONS":
		if h.cors(w, r) {
			h.cookie(w, r)
			preflight(w, "OPTIONS, POST")
		}
		return
	case !strings.HasPrefix(route.allow, method) || method == "":
		notAllowed(w, route.allow)
		return
	}
	acquire, lookup := h.acquire(r, id), h.lookup(id)
	switch name {
	case "websocket":
		transport.Websocket(w, r, &h.tcfg, h.create(r))
	case "xhr", "xhr_send", "xhr_streaming", "eventsource":
		if !h.cors(w, r) {
			return
		}
		setNoCache(w)
		h.cookie(w, r)
		switch name {
		case "xhr":
			transport.XHR(w, r, &h.tcfg, acquire)
		case "xhr_send":
			transport.XHRSend(w, r, &h.tcfg, lookup)
		case "xhr_streaming":
			transport.XHRStreaming(w, r, &h.tcfg, acquire)
		default:
			transport.EventSource(w, r, &h.tcfg, acquire)
		}
	default: // htmlfile, jsonp, jsonp_send: no CORS, scripts and forms
		if !h.checkOrigin(w, r) {
			return
		}
		setNoCache(w)
		h.cookie(w, r)
		if name == "jsonp_send" {
			transport.JSONPSend(w, r, &h.tcfg, lookup)
			return
		}
		callback, ok := callbackParam(w, r)
		if !ok {
			return
		}
		if name == "jsonp" {
			transport.JSONP(w, r, &h.tcfg, callback, acquire)
		} else {
			transport.HTMLFile(w, r, &h.tcfg, callback, acquire)
		}
	}
}

// callbackParam returns the validated callback name of a jsonp or htmlfile
// request, or answers 500 as the protocol says (PROTOCOL.md §7.6).
func callbackParam(w http.ResponseWriter, r *http.Request) (string, bool) {
	q := r.URL.Query()
	callback := q.Get("c")
	if callback == "" {
		callback = q.Get("callback")
	}
	switch {
	case callback == "":
		textError(w, `"callback" parameter required`, http.StatusInternalServerError)
		return "", false
	case !frame.ValidCallback(callback):
		textError(w, `invalid "callback" parameter`, http.StatusInternalServerError)
		return "", false
	}
	return callback, true
}

// acquire returns the get-or-create function of a receiving request.
func (h *Handler) acquire(r *http.Request, id string) transport.Acquire {
	return func(name string) (*session.Session, error) {
		if h.shuttingDown.Load() {
			if s := h.reg.Get(id); s != nil {
				return s, nil
			}
			return nil, errShuttingDown
		}
		s, _, err := h.reg.GetOrCreate(id, func() *session.Session {
			return h.newSession(name, r, id)
		})
		return s, err
	}
}

// lookup returns the lookup function of a sending request.
func (h *Handler) lookup(id string) transport.Lookup {
	return func() *session.Session { return h.reg.Get(id) }
}

// create returns the function that makes a websocket's private session.
func (h *Handler) create(r *http.Request) transport.Create {
	return func(name string) (*session.Session, error) {
		if h.shuttingDown.Load() {
			return nil, errShuttingDown
		}
		return h.reg.Add(func() *session.Session { return h.newSession(name, r, "") })
	}
}

// newSession makes a session that removes itself from the registry under
// id when it ends. It runs on the registry goroutine.
func (h *Handler) newSession(name string, r *http.Request, id string) *session.Session {
	cfg := h.scfg
	cfg.OnEnd = func(s *session.Session) { h.reg.Remove(id, s) }
	return session.New(name, r, &cfg)
}

// startApplication runs the application's handler for a session that just
// opened. It runs on the session's actor goroutine, so it must not block.
func (h *Handler) startApplication(s *session.Session) {
	h.handlers.Add(1)
	go func() {
		defer h.handlers.Done()
		defer func() {
			if p := recover(); p != nil {
				h.log().Error("sockjs: session handler panicked", "panic", p)
				_ = s.Close(3500, "Internal error")
				return
			}
			_ = s.Close(session.CodeNormal, session.ReasonNormal)
		}()
		h.serve(s)
	}()
}

func (h *Handler) log() *slog.Logger {
	if h.opts.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.opts.Logger
}

// Prefix returns the URL prefix the handler serves, without a trailing
// slash.
func (h *Handler) Prefix() string { return h.prefix }
