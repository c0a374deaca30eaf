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
	Accept         *websocket.AcceptOptions
}

// Acquire returns the session a receiving request belongs to, creating it
// if needed. transport names the transport asking.
type Acquire func(transport string) (*session.Session, error)

// Lookup returns the existing session of a sending request, or nil.
type Lookup func() *session.Session
