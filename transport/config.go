package transport

import (
	"time"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs/session"
)

// Config is what the transports need from the service's options. Every
// field must be set.
type Config struct {
	ResponseLimit  int           // bytes of frames after which a streaming response ends
	WriteTimeout   time.Duration // deadline of every write to a client
	MaxBodySize    int64         // largest accepted xhr_send / jsonp_send body
	MaxMessageSize int64         // largest accepted websocket message
	MaxMessages    int           // most messages in one send request or websocket message
	Accept         *websocket.AcceptOptions
	Observer       Observer // never nil
}

// Observer hears what the transports do, for metrics. Its methods must be
// safe for concurrent use and quick.
type Observer interface {
	MessagesReceived(n, bytes int)
	MessagesSent(n, bytes int)
	RequestRejected(reason string)
	// WebsocketActive: the client of s sent a websocket message. (HTTP
	// requests pass through the root package's Acquire and Lookup, which
	// see that activity themselves.)
	WebsocketActive(s *session.Session)
}

// Reasons the transports give Observer.RequestRejected; the root package
// publishes them as its Reject* constants.
const (
	RejectPayload        = "payload"         // broken or missing JSON in a send (500)
	RejectTooLarge       = "too_large"       // body over the size limit (413)
	RejectUnknownSession = "unknown_session" // send to a session that does not exist (404)
	RejectInboxFull      = "inbox_full"      // inbound queue full (503)
	RejectBadUpgrade     = "bad_upgrade"     // websocket URL without a valid handshake (400)
)

// StatusError is an error that says which HTTP status answers it; Acquire
// and Lookup return one to refuse a request (403, 503).
type StatusError interface {
	error
	HTTPStatus() int
}

// Acquire returns the session a receiving request belongs to, creating it
// if needed. transport names the transport asking.
type Acquire func(transport string) (*session.Session, error)

// Lookup returns the existing session of a sending request, nil if there is
// none, or a StatusError that refuses the request.
type Lookup func() (*session.Session, error)
