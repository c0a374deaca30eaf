package sockjs

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosockjs/sockjs/session"
)

// Session is one SockJS connection with a client, as the application sees
// it: the Handler gives one to the serve function of New for every session
// that opens. All methods are safe for concurrent use; none waits for the
// network.
//
// A session is open until it closes: the application returns from serve
// or calls Close, the client closes or goes away, the server shuts down, or
// a limit closes it (slow consumer, memory). From then on Send and Recv
// fail with a *CloseError and Context is done. What happens to the
// transports underneath (websocket, streaming, polling, reconnecting
// receiving requests) is the library's business: the application sees one
// ordered stream of messages each way.
type Session struct {
	s       *session.Session
	h       *Handler
	ctx     context.Context // s.Context, carrying the values set with SetValue
	started time.Time
	active  atomic.Int64 // UnixNano of the client's last request or websocket message

	mu     sync.Mutex
	values map[any]any // SetValue; read through ctx.Value as well
}

// newAppSession wraps the actor's handle for the application.
func newAppSession(h *Handler) *Session {
	s := &Session{h: h, started: time.Now()}
	s.active.Store(s.started.UnixNano())
	return s
}

// touch records activity of the client now.
func (s *Session) touch() { s.active.Store(time.Now().UnixNano()) }

// bind attaches the actor's handle, once it exists.
func (s *Session) bind(ss *session.Session) {
	s.s = ss
	s.ctx = valuesContext{Context: ss.Context(), s: s}
}

// appSession returns the application's handle of an actor's session.
func appSession(ss *session.Session) *Session {
	s, _ := ss.App().(*Session)
	return s
}

// Recv waits for the next message from the client. It returns a *CloseError
// once the session is closing, or ctx's error when ctx ends first.
//
// Recv is the session's back-pressure: keep calling it for as long as the
// session lives, even in an application that mostly pushes, or the client's
// sends wait. What a client sees while its messages wait for Recv depends
// on the transport:
//
//   - HTTP transports (xhr, jsonp, and the sends of every streaming
//     transport): a send request is answered only after the application has
//     taken every message in it and called Recv again, so the client's next
//     send waits; its receiving request goes on carrying messages and
//     heartbeats, and the client stays connected.
//   - Websockets: the server reads ahead up to Options.ReceiveBuffer bytes,
//     then stops reading and TCP holds the client back. The client stays
//     connected: while the server does not read, it is judged by whether it
//     takes the server's writes, not by its pongs.
func (s *Session) Recv(ctx context.Context) (string, error) { return s.s.Recv(ctx) }

// Send queues msg for the client and returns; it never waits for the
// network. It fails with a *CloseError once the session is closing, and
// with ErrMessageTooLarge, leaving the session as it was, for a message that
// alone encodes to more than Options.SendBuffer.
//
// A client that does not take its messages is a slow consumer: once the
// session holds Options.OutboxSize messages or Options.SendBuffer bytes for
// it, the message that overflowed is dropped, the session closes with
// CodeSlowConsumer, and Send returns that *CloseError.
func (s *Session) Send(msg string) error { return s.s.Send(msg) }

// SendPrepared queues a message encoded once with Prepare, like Send: the
// way to send one message to many sessions.
func (s *Session) SendPrepared(p *Prepared) error { return s.s.SendPrepared(p) }

// Close closes the session with a code and reason that the client receives
// in its close event. Codes must be 1000, 1001 (CodeGoingAway: the server
// sheds this client) or within 3000–4999; others are refused with
// ErrInvalidCloseCode. A reason longer than 123 bytes is cut there, on a
// character boundary, on every transport (a websocket close frame holds no
// more). Close does not wait for the network: when it returns, the session
// is closing (Send and Recv fail, Context is done) and the close frame
// follows the messages queued before it. Closing a session that is already
// closing does nothing and returns nil.
func (s *Session) Close(code int, reason string) error { return s.s.Close(code, reason) }

// Context is done as soon as the session stops being open, with a
// *CloseError as its cause (context.Cause). It carries the values set with
// SetValue.
//
// Work that must outlive the session, such as telling a room that this
// client left, needs a context of its own: the session's is already done
// when serve's deferred calls run. Use context.WithoutCancel(s.Context()),
// which keeps the values, with a timeout.
func (s *Session) Context() context.Context { return s.ctx }

// ID returns a random identifier of this session, unique within the
// process, for logs and for Handler.Session. It is not the session id of
// the SockJS URL, which is a transport secret the application never sees.
func (s *Session) ID() string { return s.s.ID() }

// Transport returns the name of the transport that opened the session:
// one of the Name constants (NameWebsocket, NameXHR for xhr-polling, …).
// HTTP sessions keep the name of the transport that opened them even when
// the client's later receiving requests use another.
func (s *Session) Transport() string { return s.s.Transport() }

// Request returns the HTTP request that opened the session, without its
// body, and with at most 16 KiB of its headers and 4 KiB of its query (see
// Options for what is kept). Its headers include cookies: see the package
// documentation before trusting them for authentication.
func (s *Session) Request() *http.Request { return s.s.Request() }

// Identity returns what Options.Authorize returned for the request that
// opened the session, or nil without Authorize.
func (s *Session) Identity() any { return s.s.Identity() }

// ClientAddr returns the address of the client that opened the session, as
// Options.ClientAddr tells it (by default the host of the request's
// RemoteAddr).
func (s *Session) ClientAddr() string { return s.s.ClientAddr() }

// Started returns when the session was created.
func (s *Session) Started() time.Time { return s.started }

// LastActive returns when the client last showed activity: the opening
// request, or its latest receiving request, send request or websocket
// message. Heartbeats the server sends do not count.
func (s *Session) LastActive() time.Time { return time.Unix(0, s.active.Load()) }

// Draining returns a channel that is closed when the Handler starts
// draining (Handler.Drain): the application should finish what it is doing
// for this session and return from serve. The session stays open meanwhile.
func (s *Session) Draining() <-chan struct{} { return s.h.draining }

// SetValue stores a value with the session under key, for whoever holds the
// session or its Context: s.Context().Value(key) returns it too, so code
// that gets only the context (an RPC method, a logger) sees it. Use keys as
// for context.WithValue: a value of an unexported type of your package. A
// nil value removes the key.
func (s *Session) SetValue(key, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == nil {
		delete(s.values, key)
		return
	}
	if s.values == nil {
		s.values = make(map[any]any)
	}
	s.values[key] = value
}

// Value returns the value stored with SetValue under key, or nil.
func (s *Session) Value(key any) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.values[key]
}

// valuesContext is a session's Context: its values first, then the
// actor's context.
type valuesContext struct {
	context.Context
	s *Session
}

func (c valuesContext) Value(key any) any {
	if v := c.s.Value(key); v != nil {
		return v
	}
	return c.Context.Value(key)
}
