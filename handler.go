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
// package documentation on routers). It is safe for concurrent use.
type Handler struct {
	prefix  string
	opts    Options
	serve   func(*Session)
	origins originPolicy
	iframe  iframePage
	tcfg    transport.Config
	scfg    session.Config
	reg     *registry.Registry
	metrics Metrics       // never nil
	memory  *memoryBudget // nil without a MemoryLimit
	logger  *slog.Logger  // nil when silent

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
		metrics: opts.Metrics,
		logger:  opts.Logger,
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
		Accept:         h.origins.acceptOptions(),
		Observer:       h.metrics,
	}
	h.scfg = session.Config{
		HeartbeatDelay:  opts.HeartbeatDelay,
		DisconnectDelay: opts.DisconnectDelay,
		OutboxSize:      opts.OutboxSize,
		InboxSize:       opts.InboxSize,
		SendBuffer:      opts.SendBuffer,
		ReceiveBuffer:   opts.ReceiveBuffer,
		MaxFrame:        maxFrame,
		OnOpen:          h.startApplication,
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

// Sessions returns the number of sessions open now.
func (h *Handler) Sessions() int { return h.reg.Len() }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil {
		r.Body = http.NoBody // a server's requests always have one; direct callers may not
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), h.prefix)
	if !ok || (rest != "" && rest[0] != '/') {
		h.notFound(w, r)
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
		h.route(w, r, "GET", func() {
			if c, ok := h.admit(w, r); ok {
				transport.RawWebsocket(w, r, &h.tcfg, h.create(r, c))
			}
		})
	default:
		// The server id only helps load balancers (PROTOCOL.md §2.3).
		_, id, name, ok := splitSessionPath(p)
		if !ok {
			h.notFound(w, r)
			return
		}
		h.serveSession(w, r, id, name)
	}
}

// route runs serve for a request with the allowed method, or answers 405.
func (h *Handler) route(w http.ResponseWriter, r *http.Request, method string, serve func()) {
	if r.Method != method {
		h.notAllowed(w, r, method)
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
		h.notAllowed(w, r, "OPTIONS, GET")
	}
}

// sessionRoute describes one /S/I/name endpoint.
type sessionRoute struct {
	transport Transport
	method    string // the method it serves
	preflight bool   // OPTIONS is a CORS preflight
	allow     string // the Allow header of a 405
	cors      bool   // CORS headers on its responses
}

var sessionRoutes = map[string]sessionRoute{
	"websocket":     {TransportWebsocket, "GET", false, "GET", false},
	"xhr":           {TransportXHR, "POST", true, "POST, OPTIONS", true},
	"xhr_send":      {TransportXHR, "POST", true, "POST, OPTIONS", true},
	"xhr_streaming": {TransportXHRStreaming, "POST", true, "POST, OPTIONS", true},
	"eventsource":   {TransportEventSource, "GET", false, "GET", true},
	"htmlfile":      {TransportHTMLFile, "GET", false, "GET", false},
	"jsonp":         {TransportJSONP, "GET", false, "GET", false},
	"jsonp_send":    {TransportJSONP, "POST", false, "POST", false},
}

// serveSession serves the endpoints under /S/I/.
func (h *Handler) serveSession(w http.ResponseWriter, r *http.Request, id, name string) {
	route, ok := sessionRoutes[name]
	if !ok || !h.enabled(route.transport) {
		h.notFound(w, r)
		return
	}
	if r.Method == http.MethodOptions && route.preflight {
		if h.cors(w, r) {
			h.cookie(w, r)
			preflight(w, "OPTIONS, POST")
		}
		return
	}
	if r.Method != route.method {
		h.notAllowed(w, r, route.allow)
		return
	}
	if name == "websocket" {
		if c, ok := h.admit(w, r); ok {
			transport.Websocket(w, r, &h.tcfg, h.create(r, c))
		}
		return
	}
	if route.cors {
		if !h.cors(w, r) {
			return
		}
	} else if !h.checkOrigin(w, r) {
		return
	}
	setNoCache(w)
	h.cookie(w, r)
	var callback string
	if name == "jsonp" || name == "htmlfile" {
		if callback, ok = h.callbackParam(w, r); !ok {
			return
		}
	}
	c, ok := h.authorize(w, r)
	if !ok {
		return
	}
	switch name {
	case "xhr":
		transport.XHR(w, r, &h.tcfg, h.acquire(r, id, c))
	case "xhr_send":
		transport.XHRSend(w, r, &h.tcfg, h.lookup(id, c))
	case "xhr_streaming":
		transport.XHRStreaming(w, r, &h.tcfg, h.acquire(r, id, c))
	case "eventsource":
		transport.EventSource(w, r, &h.tcfg, h.acquire(r, id, c))
	case "jsonp":
		transport.JSONP(w, r, &h.tcfg, callback, h.acquire(r, id, c))
	case "jsonp_send":
		transport.JSONPSend(w, r, &h.tcfg, h.lookup(id, c))
	case "htmlfile":
		transport.HTMLFile(w, r, &h.tcfg, callback, h.acquire(r, id, c))
	}
}

// admit checks a websocket handshake's origin and authorization; the
// transport checks the rest.
func (h *Handler) admit(w http.ResponseWriter, r *http.Request) (client, bool) {
	if !h.checkOrigin(w, r) {
		return client{}, false
	}
	return h.authorize(w, r)
}

// cors checks the request's origin and sets the CORS headers. It answers 403
// and returns false for an origin that is not allowed.
func (h *Handler) cors(w http.ResponseWriter, r *http.Request) bool {
	if !h.checkOrigin(w, r) {
		return false
	}
	setCORS(w, r)
	return true
}

// checkOrigin refuses requests from origins that are not allowed.
func (h *Handler) checkOrigin(w http.ResponseWriter, r *http.Request) bool {
	if !h.origins.allows(r, r.Header.Get("Origin")) {
		h.rejected(r, RejectOrigin)
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

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.rejected(r, RejectNotFound)
	notFound(w)
}

func (h *Handler) notAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	h.rejected(r, RejectMethod)
	notAllowed(w, allow)
}

// rejected counts and logs a refused request.
func (h *Handler) rejected(r *http.Request, reason string) {
	h.metrics.RequestRejected(reason)
	if h.logger != nil {
		h.logger.Debug("sockjs: request rejected", "reason", reason, "method", r.Method, "path", r.URL.EscapedPath(), "remote", r.RemoteAddr)
	}
}

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

// callbackParam returns the validated callback name of a jsonp or htmlfile
// request, or answers 500 as the protocol says (PROTOCOL.md §7.6).
func (h *Handler) callbackParam(w http.ResponseWriter, r *http.Request) (string, bool) {
	q := r.URL.Query()
	callback := q.Get("c")
	if callback == "" {
		callback = q.Get("callback")
	}
	switch {
	case callback == "":
		h.rejected(r, RejectCallback)
		textError(w, `"callback" parameter required`, http.StatusInternalServerError)
		return "", false
	case !frame.ValidCallback(callback):
		h.rejected(r, RejectCallback)
		textError(w, `invalid "callback" parameter`, http.StatusInternalServerError)
		return "", false
	}
	return callback, true
}
