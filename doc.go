// Package sockjs is a SockJS server: it gives browsers a WebSocket-like,
// message-oriented connection that falls back to HTTP streaming and polling
// where WebSockets are blocked.
//
// # The protocol
//
// SockJS 0.3.3 carries a session over one of several transports: a
// WebSocket, XHR streaming or polling, EventSource, a streamed HTML file, or
// JSONP, some of them from inside an iframe to cross origins. The client
// (sockjs-client in the browser) picks the best transport that works and
// always sees the same thing: an open event, messages in order, and a close
// event with a code and reason. Over HTTP a session spans many requests: one
// receiving request at a time carries frames to the client ("o" open, "h"
// heartbeat, a[...] messages, c[code,"reason"] close), and separate sending
// requests carry the client's messages. A Handler serves all of it under one
// URL prefix, and the application sees only sessions and messages.
//
// # Using it
//
// New returns an http.Handler for a prefix and runs the application's
// function once per session, on its own goroutine:
//
//	echo := sockjs.New("/echo", sockjs.Options{}, func(s *sockjs.Session) {
//		for {
//			msg, err := s.Recv(s.Context())
//			if err != nil {
//				return // the session is closing; err says why
//			}
//			s.Send(msg)
//		}
//	})
//	http.Handle("/echo/", echo)
//	http.Handle("/echo", echo)
//
// The session ends when the function returns, when the client goes away or
// stops polling for Options.DisconnectDelay, or when the Handler shuts down.
//
// # Design: actors
//
// Every session is a goroutine (an actor) that owns all of the session's
// state and runs a small state machine: open (waiting for the first
// receiving request), active (a receiving request or websocket is attached;
// messages and heartbeats go to it), passive (no receiver; messages queue)
// and closed (every request gets the close frame until the session
// expires). The session map of a Handler is another actor. A request flows
// like this: the Handler parses the URL and checks origin, method and
// parameters; a receiving request asks the registry actor for the session
// (creating it in the same step), hands the session a Receiver that wraps
// its ResponseWriter or websocket, and waits until the session lets go of
// it; a sending request decodes its body and hands the messages to the
// session, then waits until the application has read them. The actor never
// writes to the network itself: it gives frames to a short-lived writer
// goroutine, so a client that stops reading slows down only its own session.
// There are no locks in the session and registry packages.
//
// # Concurrency
//
// Every Session method is safe for concurrent use and none waits for the
// network. Send queues and returns; Close returns once the session is
// closing; Recv waits for the client's next message, bounded by its
// context; the other methods return at once. A client's sending request is
// answered only once the application has taken its messages and asked for
// the next one (Recv; a message that finds Recv already waiting was asked
// for), so an application that reads slowly pushes back on its own client
// and on no one else; keep calling Recv for as long as the session lives,
// even in a service that only pushes. A client that reads
// slowly fills its session's outbound queue (Options.OutboxSize messages,
// Options.SendBuffer bytes) and is closed with code 1013 "Slow consumer".
//
// # Memory
//
// Every buffer a client can make grow is bounded in bytes as well as in
// messages: per session by SendBuffer and ReceiveBuffer, for the whole
// Handler by MemoryLimit, past which the sessions holding the most are
// closed first. While a session holds half its send buffer, its client's
// input waits (HTTP sends are held, a websocket is not read), so only a
// client that stops reading is ever closed for it. The README gives the
// worst case per session and per Handler as a formula of the Options.
//
// # Operating it
//
// Handler.Sessions lists the open sessions (an admin page: who is here,
// since when, how active; Handler.Session finds one by ID to close it).
// Session.SetValue keeps per-session values, which the session's Context
// carries too. Handler.Drain stops a server gently: new sessions get 503,
// every Session.Draining channel closes, and once the serve functions have
// returned (or the drain's context ends) the remaining sessions get 1001;
// Handler.Shutdown does the last step at once. The close codes a session
// can end with are the Code constants; a panic in serve closes the client
// with CodeInternalError (3500) and is logged once, with its stack, to
// Options.Logger, which also gets every refused request with its reason.
//
// # Routers
//
// The Handler matches the raw URL path (r.URL.EscapedPath) against its
// prefix and answers every path below it, with the 404 and 405 replies the
// protocol wants. Mount it with http.ServeMux under both "/prefix" and
// "/prefix/" (Go 1.22 patterns such as "/prefix/{rest...}" work too), under
// http.StripPrefix with New(""), or with any router that passes the request
// through unchanged. http.ServeMux cleans paths such as "/prefix//x" with a
// redirect before the Handler sees them; real clients never send those, but
// the protocol test suite does, which is why examples/testserver dispatches
// by prefix itself.
//
// # Security
//
// By default only pages of the Handler's own origin (same scheme, host and
// port; see Options.Scheme) may use it (Options.AllowedOrigins): a request
// whose Origin header names another origin is refused with 403, websocket
// handshakes included, and no CORS header ever allows an origin that is not
// on the list. One decision serves every transport, so each entry means the
// same on all of them.
//
// Cookies travel with every browser request, and some requests carry no
// Origin: top-level navigations, iframes, script tags. Those are how the
// eventsource URL (opened as a page), htmlfile (an iframe) and JSONP (a
// script) could be reached from another site to open a session on the
// victim's cookies. Session URLs therefore refuse (403) a request without
// Origin whose Sec-Fetch-Site header says "cross-site", or "same-site" when
// the policy is same origin only, unless AllowedOrigins is "*". Per
// transport:
//
//   - websocket, raw websocket: browsers always send Origin; the policy
//     decides.
//   - xhr, xhr_streaming, xhr_send, eventsource from a page of another
//     origin: the browser sends Origin; the policy decides. The same URLs
//     opened as a page or an iframe from another site: refused.
//   - the iframe transports (iframe-eventsource, iframe-htmlfile,
//     iframe-xhr-polling): they run in the service's own iframe page, so
//     their requests are same-origin and served. The iframe page itself is
//     served to every site, as the protocol needs; it holds no data.
//   - htmlfile and JSONP loaded from another site: refused, unless
//     AllowedOrigins is "*". A script tag sends no Origin, so the handler
//     cannot tell an allowed page from any other: cross-origin JSONP needs
//     "*". jsonp_send is a form post, which carries Origin.
//
// What this does not cover: browsers that send no Sec-Fetch-Site (Safari
// before 16.4, older browsers) get no cross-site check on requests without
// Origin; with AllowedOrigins "*" nothing is cross-site; with a list, pages
// of sibling subdomains (same-site) may open sessions without Origin.
// Non-browser clients send neither header and may always connect, but they
// do not hold the victim's cookies. An application that authenticates
// sessions by cookie should still authenticate with a token too, for
// example in Options.Authorize from a query parameter the page adds, or in
// the first message, or disable the transports it does not need
// (Options.Disabled). Session.Request exposes the cookies of the opening
// request; do not treat them alone as proof of who the client is. It keeps a
// bounded copy of that request (KeptHeaderBytes, KeptQueryBytes), so that a
// client cannot make its session hold megabytes of headers.
//
// Options.Authorize sees every request of a session and binds the session to
// the identity it returned for the first one; Options.BindClientAddr binds
// it to the client's address. The SockJS session id in the URL is a
// transport secret and never reaches the application; Session.ID is a
// separate random id.
package sockjs
