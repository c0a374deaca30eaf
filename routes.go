package sockjs

import (
	"net/http"
	"strings"

	"github.com/gosockjs/sockjs/transport"
)

// endpoint is one URL below the prefix and everything admission needs to
// know about it, so that each decision is written once (admission.go).
type endpoint struct {
	transports Transport // must all be enabled; 0: always served
	method     string    // the method it serves
	preflight  string    // methods of a CORS preflight answer to OPTIONS; "" when OPTIONS is not served
	allow      string    // the Allow header of a 405
	origin     bool      // checks the Origin header against the policy
	cors       bool      // sets CORS headers (implies origin)
	session    bool      // opens or uses a session: cross-site checks, Authorize
	noCache    bool      // marks the response uncacheable
	cookie     bool      // sets JSESSIONID when Options.JSessionID
	callback   bool      // needs a jsonp/htmlfile callback parameter
	serve      func(h *Handler, q *request)
}

// request is an admitted request on its way to its endpoint.
type request struct {
	w        http.ResponseWriter
	r        *http.Request
	id       string // the SockJS session id; "" outside /S/I/
	client   client
	callback string
}

var (
	greetingRoute = endpoint{method: "GET", allow: "GET",
		serve: func(h *Handler, q *request) { serveGreeting(q.w) }}
	infoRoute = endpoint{method: "GET", preflight: "OPTIONS, GET", allow: "OPTIONS, GET", origin: true, cors: true, noCache: true,
		serve: func(h *Handler, q *request) { serveInfo(q.w, h.enabled(TransportWebsocket), h.opts.JSessionID) }}
	iframeRoute = endpoint{transports: TransportIframe, method: "GET", allow: "GET",
		serve: func(h *Handler, q *request) { h.iframe.serve(q.w, q.r) }}
	rawWebsocketRoute = endpoint{transports: TransportRawWebsocket | TransportWebsocket, method: "GET", allow: "GET", origin: true, session: true,
		serve: func(h *Handler, q *request) { transport.RawWebsocket(q.w, q.r, &h.tcfg, h.create(q)) }}
)

// sessionRoutes are the endpoints under /S/I/.
var sessionRoutes = map[string]*endpoint{
	"websocket": {transports: TransportWebsocket, method: "GET", allow: "GET", origin: true, session: true,
		serve: func(h *Handler, q *request) { transport.Websocket(q.w, q.r, &h.tcfg, h.create(q)) }},
	"xhr": {transports: TransportXHR, method: "POST", preflight: "OPTIONS, POST", allow: "POST, OPTIONS", origin: true, cors: true, session: true, noCache: true, cookie: true,
		serve: func(h *Handler, q *request) { transport.XHR(q.w, q.r, &h.tcfg, h.acquire(q)) }},
	"xhr_send": {transports: TransportXHR, method: "POST", preflight: "OPTIONS, POST", allow: "POST, OPTIONS", origin: true, cors: true, session: true, noCache: true, cookie: true,
		serve: func(h *Handler, q *request) { transport.XHRSend(q.w, q.r, &h.tcfg, h.lookup(q)) }},
	"xhr_streaming": {transports: TransportXHRStreaming, method: "POST", preflight: "OPTIONS, POST", allow: "POST, OPTIONS", origin: true, cors: true, session: true, noCache: true, cookie: true,
		serve: func(h *Handler, q *request) { transport.XHRStreaming(q.w, q.r, &h.tcfg, h.acquire(q)) }},
	"eventsource": {transports: TransportEventSource, method: "GET", allow: "GET", origin: true, cors: true, session: true, noCache: true, cookie: true,
		serve: func(h *Handler, q *request) { transport.EventSource(q.w, q.r, &h.tcfg, h.acquire(q)) }},
	"htmlfile": {transports: TransportHTMLFile, method: "GET", allow: "GET", origin: true, session: true, noCache: true, cookie: true, callback: true,
		serve: func(h *Handler, q *request) { transport.HTMLFile(q.w, q.r, &h.tcfg, q.callback, h.acquire(q)) }},
	"jsonp": {transports: TransportJSONP, method: "GET", allow: "GET", origin: true, session: true, noCache: true, cookie: true, callback: true,
		serve: func(h *Handler, q *request) { transport.JSONP(q.w, q.r, &h.tcfg, q.callback, h.acquire(q)) }},
	"jsonp_send": {transports: TransportJSONP, method: "POST", allow: "POST", origin: true, session: true, noCache: true, cookie: true,
		serve: func(h *Handler, q *request) { transport.JSONPSend(q.w, q.r, &h.tcfg, h.lookup(q)) }},
}

// route finds the endpoint of the path below the prefix ("", or starting
// with a slash) and the session id in it; nil for no endpoint.
func route(rest string) (e *endpoint, id string) {
	if rest == "" || rest == "/" {
		return &greetingRoute, ""
	}
	p := strings.TrimSuffix(rest[1:], "/") // one optional trailing slash
	switch {
	case p == "":
		return nil, ""
	case p == "info":
		return &infoRoute, ""
	case p == "websocket":
		return &rawWebsocketRoute, ""
	case isIframeName(p):
		return &iframeRoute, ""
	}
	// The server id only helps load balancers (docs/protocol.md#server-and-session-ids).
	_, id, name, ok := splitSessionPath(p)
	if !ok {
		return nil, ""
	}
	return sessionRoutes[name], id
}

// maxIDLength bounds server and session ids; the client uses 3 and 8
// characters.
const maxIDLength = 64

// splitSessionPath splits "S/I/name" into its segments. Ids are single,
// non-empty segments of at most maxIDLength characters from a safe set
// (letters, digits, '_', '-', '%', '~'); no dots
// (docs/protocol.md#server-and-session-ids).
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
