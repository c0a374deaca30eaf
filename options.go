package sockjs

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gosockjs/sockjs/session"
)

// Default values of Options; a zero field means the default.
const (
	DefaultHeartbeatDelay  = 25 * time.Second
	DefaultDisconnectDelay = 5 * time.Second
	DefaultShutdownGrace   = 3 * time.Second
	DefaultResponseLimit   = 128 * 1024
	DefaultWriteTimeout    = 10 * time.Second
	DefaultMaxBodySize     = 1 << 20
	DefaultMaxMessageSize  = 1 << 20
	DefaultOutboxSize      = 1024
	DefaultInboxSize       = 1024
	DefaultSendBuffer      = 2 << 20
	DefaultReceiveBuffer   = 2 << 20
	DefaultMemoryLimit     = 256 << 20
	DefaultClientURL       = "https://cdn.jsdelivr.net/npm/sockjs-client@1.6.1/dist/sockjs.min.js"
)

// DefaultClientIntegrity is the Subresource Integrity value of
// DefaultClientURL: the SHA-384 of dist/sockjs.min.js in the npm package
// sockjs-client 1.6.1, which jsDelivr serves unchanged.
const DefaultClientIntegrity = "sha384-svdnwiXBL+Js+yUneJSRFy24NgGiOfDM/vkQl/vCeVrcbYD6yW8EwPr1FnxTEZsR"

// Default session limits; see Options.MaxSessions, MaxSessionsPerClient,
// SessionRate and SessionBurst.
const (
	DefaultMaxSessions          = 10000
	DefaultMaxSessionsPerClient = 100
	DefaultSessionRate          = 10.0
	DefaultSessionBurst         = 50
)

// Options configure a Handler. The zero value is the SockJS protocol's
// defaults with a safe origin policy (same origin only).
//
// The limits on new sessions (MaxSessions, MaxSessionsPerClient,
// SessionRate, MemoryLimit) answer an HTTP request with the status each
// names. A websocket's session is made after its handshake, so there the
// refusal is a close with 1013 and the same message as its reason.
type Options struct {
	// HeartbeatDelay is the interval of heartbeat frames while a client is
	// connected. Default 25 s; keep it well below 35 s, after which JSONP
	// clients give up on a poll.
	//
	// On websockets each heartbeat also sends a ping. A client that does
	// not answer it within WriteTimeout, while the server was reading, is
	// taken for dead and its session ends. While the server is not reading
	// (the application has not taken the client's messages and the receive
	// buffer is full) a missing pong proves nothing, and the client is
	// judged by its writes instead: a heartbeat it does not take within
	// WriteTimeout ends the session. A client whose messages wait for the
	// application therefore stays connected as long as it is alive. HTTP clients are judged by their
	// requests: a streaming or polling request that does not take a frame
	// within WriteTimeout, or no receiving request for DisconnectDelay.
	HeartbeatDelay time.Duration

	// DisconnectDelay is how long an HTTP session survives without a
	// receiving request before it ends. Default 5 s. Websocket sessions end
	// with their connection.
	DisconnectDelay time.Duration

	// ShutdownGrace is how long, during Shutdown, a polling session whose
	// client is between requests waits for the next request to deliver its
	// close frame (1001), instead of DisconnectDelay. Default 3 s:
	// sockjs-client starts every request from a timer, and browsers clamp
	// the timers of a background tab to 1 s, so a live page in a background
	// tab polls again about a second after each answer; a shorter grace
	// gives such a page 1006 instead of 1001. A longer one holds up Shutdown
	// for clients that are gone. Capped at DisconnectDelay.
	ShutdownGrace time.Duration

	// ResponseLimit is the number of bytes of frames after which a streaming
	// response (xhr_streaming, eventsource, htmlfile) ends, so that browsers
	// can free its memory; the client opens the next one. Default 128 KiB.
	// 1 turns streaming transports into polling.
	ResponseLimit int

	// JSessionID sets the JSESSIONID cookie on every HTTP transport request
	// and preflight (not on websocket handshakes: a websocket is one
	// connection, which needs no stickiness), for load balancers that need
	// it for sticky sessions, and makes /info report cookie_needed. Default
	// off.
	JSessionID bool

	// ClientURL is the sockjs-client script loaded by the iframe page that
	// iframe-based transports use. It must be the same client version as
	// the page's. Default DefaultClientURL: sockjs-client 1.6.1 on jsDelivr,
	// pinned, and loaded with DefaultClientIntegrity, so that the CDN
	// cannot run other code on the service's origin. Any other URL is
	// loaded without an integrity check unless ClientIntegrity is set.
	ClientURL string

	// Disabled lists transports that this handler does not serve; their
	// URLs answer 404 and /info reports websocket:false when websockets are
	// off. Disabling TransportWebsocket disables the raw websocket
	// (/websocket) too. Default: every transport enabled.
	Disabled Transport

	// AllowedOrigins lists the origins other than the handler's own that may
	// use the service from a browser: exact origins ("https://app.example"),
	// path.Match patterns over scheme://host or host ("https://*.example",
	// "*.example:8080"), "null" for file:// pages, or "*" for every origin.
	// Default: same origin only, which means the same scheme, host and port
	// as the request (see Scheme). A request with an Origin header outside the
	// list is refused with 403 and never gets CORS headers. Requests without
	// Origin (non-browser clients, JSONP script tags) are judged by their
	// Sec-Fetch-Site header instead: "cross-site" passes only with "*", and
	// "same-site" only when the list is not empty (see the package doc).
	AllowedOrigins []string

	// WriteTimeout bounds every write to a client. A client that does not
	// take a frame within it loses its connection: on HTTP at the timeout,
	// on a websocket between one and two timeouts (a watchdog checks once
	// per timeout, for two atomic additions per write). Default 10 s.
	WriteTimeout time.Duration

	// MaxBodySize bounds the body of xhr_send and jsonp_send requests; larger
	// bodies are refused with 413. Default 1 MiB.
	MaxBodySize int64

	// MaxMessageSize bounds one websocket message from a client; a larger
	// message closes the connection with status 1009. Default 1 MiB.
	MaxMessageSize int64

	// OutboxSize is the number of messages a session queues for a client
	// that is not taking them. When Send finds the queue full, the session is
	// closed with code 1013 "Slow consumer": a client that cannot keep up is
	// dropped rather than allowed to grow the server's memory. While the
	// queue is half full, messages from the client's HTTP send requests are
	// held back (Recv waits), so that a burst of requests to an application
	// that answers each one cannot overflow the queue with replies while
	// the client is between two polls. Default 1024.
	OutboxSize int

	// InboxSize is the number of unread messages from a client a session
	// holds. A sending request that would exceed it is refused with 503;
	// well-behaved clients never get there, because every sending request
	// waits until the application has read its messages. It also bounds a
	// single send request or websocket message: one that holds more
	// messages is refused with 413 (a websocket is closed with 1009).
	// Default 1024.
	InboxSize int

	// SendBuffer bounds, in bytes, what a session holds for its client:
	// the messages queued, counted as encoded in frames (escapes included,
	// so a message of invalid UTF-8 counts six bytes per byte) plus 48
	// bytes each, and the frames being written. While a session holds half
	// of it, the client's own messages wait (back-pressure on every
	// transport: a websocket stops reading, HTTP sends are held). A client
	// that still does not take its messages reaches the bound, and the
	// session closes with 1013 "Slow consumer". Send refuses a message that
	// alone exceeds SendBuffer with ErrMessageTooLarge and leaves the
	// session open. Default 2 MiB: a MaxMessageSize message of plain text
	// fits, so an echo of any accepted message works.
	SendBuffer int

	// ReceiveBuffer bounds, in bytes, the client's messages that the
	// application has not taken yet, all sends of a session together (48
	// bytes of overhead each counted). A websocket reader reads ahead into
	// it, so it sees pongs and a vanished client while the application is
	// busy; when it is full the reader stops and TCP pushes back. An HTTP
	// send that would exceed it is refused with 503 while others are
	// pending. It is raised to hold at least one MaxBodySize and one
	// MaxMessageSize of messages. Default 2 MiB.
	ReceiveBuffer int

	// MemoryLimit bounds the bytes that all sessions of the Handler hold
	// together in their send and receive buffers. Each session's first
	// 64 KiB are its own and not counted, so the bound is on what clients
	// make sessions hold beyond ordinary use. Past the limit, the sessions
	// holding the most are closed with 1013 "Server memory full", dropping
	// what they hold, until the rest fits, and new sessions are refused
	// with 503 meanwhile; every other session goes on. Default 256 MiB;
	// negative: no limit.
	MemoryLimit int64

	// MaxSessions caps the number of concurrent sessions; requests that would
	// open another are refused with 503. Default 10,000 (DefaultMaxSessions),
	// sized for a small server: an idle session costs tens of KiB and a
	// few goroutines (the session's actor, the application's handler and,
	// for a websocket, its reader; bench/results.md has measured figures),
	// an active one its queues too. Raise it on bigger machines;
	// negative: no cap. MaxSessionsPerClient keeps one client from filling it.
	MaxSessions int

	// Authorize, if set, sees every request that opens or uses a session
	// (receiving and sending requests, websocket handshakes) before any
	// session work. It returns the client's identity (a user id, a *User
	// from a database lookup, a struct of claims) or an error, which
	// refuses the request with 403 and is logged at Debug. The identity of
	// the request that opened a session is the session's
	// (Session.Identity); a later request of that session must carry an
	// equal identity, or it is refused with 403. Equal means
	// reflect.DeepEqual by default, so a fresh pointer per request to an
	// equal record matches; set SameIdentity when records change between
	// requests (compare their ids). Default nil: no check.
	//
	// A browser client refused here (or anywhere else) sees only the
	// protocol's close 2000 "All transports failed", since HTTP errors are
	// not passed to the page. To tell the user why, accept the session and
	// send a message before closing it, or check credentials before the
	// page connects.
	Authorize func(r *http.Request) (identity any, err error)

	// SameIdentity decides whether a request's identity (from Authorize) is
	// the identity of the session it uses. Default: reflect.DeepEqual. For
	// example, with Authorize returning a *User:
	//
	//	SameIdentity: func(a, b any) bool { return a.(*User).ID == b.(*User).ID },
	SameIdentity func(session, request any) bool

	// BindClientAddr refuses (403) requests of an HTTP session that come
	// from another client address than the one that opened it. Off by
	// default: mobile clients and some proxies change addresses.
	BindClientAddr bool

	// ClientAddr tells the client's address of a request, for
	// Session.ClientAddr and BindClientAddr. Default: the host of
	// r.RemoteAddr. Behind reverse proxies use ForwardedFor.
	ClientAddr func(r *http.Request) string

	// Metrics receives counts of sessions, messages and rejected requests.
	// Default nil: none. Counters is a ready implementation for expvar.
	Metrics Metrics

	// Logger receives the handler's diagnostics: sessions opened and ended,
	// rejected requests (Debug), application panics (Error). Default nil:
	// silent.
	Logger *slog.Logger

	// Scheme tells the scheme ("http" or "https") of a request as the
	// browser sent it, for the same-origin rule of AllowedOrigins: a page's
	// own origin must match the request's scheme, host and port. Default:
	// https on a TLS connection, http otherwise. Behind a proxy that
	// terminates TLS, the server sees http while the pages are https, so
	// their requests count as cross-origin and are refused: set Scheme to
	// ForwardedProto(your proxies), or list the public origin in
	// AllowedOrigins.
	Scheme func(r *http.Request) string

	// MaxSessionsPerClient caps the concurrent sessions of one client, as
	// ClientAddr tells clients apart; a request that would open another is
	// refused with 429. Default 100 (DefaultMaxSessionsPerClient): a browser
	// needs one per open page, so this leaves room for many tabs and for a
	// NAT or office network behind one address. Behind a reverse proxy
	// every request comes from the proxy's address: set ClientAddr to
	// ForwardedFor, or the whole proxy counts as one client. Negative: no
	// cap.
	MaxSessionsPerClient int

	// SessionRate is how many sessions per second one client (ClientAddr)
	// may open on average, after a burst of SessionBurst; faster openings
	// are refused with 429 and Retry-After. It stops a client that opens
	// and drops sessions in a loop, which the cap alone would let through.
	// Default 10 per second (DefaultSessionRate) after a burst of 50
	// (DefaultSessionBurst); polling the same session costs nothing.
	// Negative: no rate limit. The registry keeps rate state for at most
	// 10,000 clients without sessions; past that, some are forgotten and
	// get a fresh burst.
	SessionRate float64
	// SessionBurst is how many sessions one client may open at once before
	// SessionRate paces it. Default 50 (DefaultSessionBurst).
	SessionBurst int

	// ClientIntegrity is the Subresource Integrity value ("sha384-…") of
	// the script at ClientURL; the iframe page then loads it with
	// integrity and crossorigin="anonymous" (the server must answer CORS,
	// as CDNs do), and a browser refuses a script that does not match.
	// Default: DefaultClientIntegrity when ClientURL is left empty, none
	// for a ClientURL you set. The iframe page with an integrity attribute
	// differs from the protocol's page, which the sockjs-protocol suite
	// compares exactly (docs/protocol.md#iframe-page): a conformance test server sets ClientURL.
	ClientIntegrity string
}

// The names Session.Transport returns: the transport that opened the
// session, as its URL names it (xhr-polling is "xhr", jsonp-polling
// "jsonp"). Counters uses them as keys too.
const (
	NameWebsocket    = "websocket"
	NameRawWebsocket = "rawwebsocket"
	NameXHR          = "xhr"
	NameXHRStreaming = "xhr_streaming"
	NameEventSource  = "eventsource"
	NameHTMLFile     = "htmlfile"
	NameJSONP        = "jsonp"
)

// Transport is a set of SockJS transports, for Options.Disabled.
type Transport uint

// The transports a Handler serves.
const (
	TransportWebsocket    Transport = 1 << iota // /S/I/websocket
	TransportRawWebsocket                       // /websocket, plain websocket without SockJS framing
	TransportXHR                                // xhr polling and xhr_send
	TransportXHRStreaming                       // xhr_streaming
	TransportEventSource                        // eventsource
	TransportHTMLFile                           // htmlfile
	TransportJSONP                              // jsonp polling and jsonp_send
	TransportIframe                             // the iframe page that iframe-* transports load
)

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.HeartbeatDelay <= 0 {
		o.HeartbeatDelay = DefaultHeartbeatDelay
	}
	if o.DisconnectDelay <= 0 {
		o.DisconnectDelay = DefaultDisconnectDelay
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = DefaultShutdownGrace
	}
	if o.ResponseLimit <= 0 {
		o.ResponseLimit = DefaultResponseLimit
	}
	if o.ClientURL == "" {
		o.ClientURL = DefaultClientURL
		if o.ClientIntegrity == "" {
			o.ClientIntegrity = DefaultClientIntegrity
		}
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.MaxBodySize <= 0 {
		o.MaxBodySize = DefaultMaxBodySize
	}
	if o.MaxMessageSize <= 0 {
		o.MaxMessageSize = DefaultMaxMessageSize
	}
	if o.OutboxSize <= 0 {
		o.OutboxSize = DefaultOutboxSize
	}
	if o.InboxSize <= 0 {
		o.InboxSize = DefaultInboxSize
	}
	if o.MaxSessions == 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.MaxSessionsPerClient == 0 {
		o.MaxSessionsPerClient = DefaultMaxSessionsPerClient
	}
	if o.SessionRate == 0 {
		o.SessionRate = DefaultSessionRate
	}
	if o.SessionBurst <= 0 {
		o.SessionBurst = DefaultSessionBurst
	}
	if o.SendBuffer <= 0 {
		o.SendBuffer = DefaultSendBuffer
	}
	if o.ReceiveBuffer <= 0 {
		o.ReceiveBuffer = DefaultReceiveBuffer
	}
	// One whole send request or websocket message must fit, with the
	// overhead of as many messages as InboxSize allows in it.
	o.ReceiveBuffer = max(o.ReceiveBuffer, int(max(o.MaxBodySize, o.MaxMessageSize))+o.InboxSize*session.MessageOverhead)
	if o.MemoryLimit == 0 {
		o.MemoryLimit = DefaultMemoryLimit
	}
	return o
}
