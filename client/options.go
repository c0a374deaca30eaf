package client

import (
	"net/http"
	"time"
)

// The transports, by the names sockjs-client gives them.
const (
	Websocket    = "websocket"     // one websocket carries both directions
	XHRStreaming = "xhr-streaming" // a long POST response streams frames; POST xhr_send sends
	EventSource  = "eventsource"   // a text/event-stream GET streams frames; POST xhr_send sends
	XHRPolling   = "xhr-polling"   // one POST per frame (long polling); POST xhr_send sends
)

// defaultTransports is the order Dial tries transports in when
// Options.Transports is empty: sockjs-client's order, less the browser-only
// transports.
var defaultTransports = []string{Websocket, XHRStreaming, EventSource, XHRPolling}

// Default values of Options; a zero field means the default.
const (
	DefaultInfoTimeout      = 8 * time.Second
	DefaultHeartbeatTimeout = 60 * time.Second
	DefaultCloseTimeout     = time.Second
	DefaultReceiveQueue     = 256
	DefaultSendQueue        = 256
	DefaultMaxFrameSize     = 8 << 20
)

// Options configure Dial. The zero value is ready to use.
type Options struct {
	// Transports lists the transports to try, in order, by name
	// (Websocket, XHRStreaming, EventSource, XHRPolling). Default: all
	// four in that order, sockjs-client's order less its browser-only
	// transports. The websocket transport is skipped when the server's
	// /info says websockets are off.
	Transports []string

	// HTTPClient makes every request, the websocket handshake included:
	// TLS settings, proxies, a cookie jar for sticky sessions. Its Timeout
	// must be zero, since streaming responses and long polls last. Default:
	// a client of the connection's own, whose idle connections are closed
	// with it. A client without a Jar is given a cookie jar of the
	// connection's own, so that a JSESSIONID cookie set by a balancer comes
	// back on every request of the session.
	HTTPClient *http.Client

	// Header is added to every request (authentication, for example).
	Header http.Header

	// InfoTimeout bounds the /info request. Default DefaultInfoTimeout (8 s,
	// as sockjs-client).
	InfoTimeout time.Duration

	// OpenTimeout is the least time a transport is given to open (deliver
	// the "o" frame) before Dial tries the next one. The timeout used is the
	// larger of OpenTimeout and sockjs-client's, twice the retransmission
	// timeout derived from the /info round trip (300 ms + RTT up to 100 ms
	// of RTT, 4 × RTT above): well under a second on a fast link. Default 0:
	// sockjs-client's timeout alone. A transport that fails outright (a
	// refused websocket upgrade) is left at once, without waiting.
	OpenTimeout time.Duration

	// HeartbeatTimeout closes the connection with CodeConnectionLost when
	// the server sends nothing, not even a heartbeat, for that long while
	// the client is reading. Servers send heartbeats every 25 s by default.
	// Default DefaultHeartbeatTimeout; negative: never.
	HeartbeatTimeout time.Duration

	// CloseTimeout bounds Close's wait for the websocket closing handshake.
	// Default DefaultCloseTimeout.
	CloseTimeout time.Duration

	// ReceiveQueue is how many received messages wait for Recv (plus those
	// of one frame) before the client stops reading from the server, which
	// then holds its messages and, if the application keeps sending,
	// closes the session as a slow consumer. Default DefaultReceiveQueue.
	//
	// Over a websocket, a client that stops reading also stops answering
	// the server's pings, which arrive behind the messages: servers that
	// take a missing pong for a dead client (this library's, after its
	// WriteTimeout, 10 s by default) end the connection, and Recv reports
	// it (1006) once the messages before it are read. An application that pauses longer than that
	// should keep calling Recv, queueing what it receives itself.
	ReceiveQueue int

	// SendQueue is how many messages Send queues while a send is in flight
	// before it waits. Queued messages go out together, as one batch, when
	// the send in flight is done. Default DefaultSendQueue.
	SendQueue int

	// MaxFrameSize bounds one frame from the server, in bytes; a larger
	// frame closes the connection with CodeConnectionLost. Default
	// DefaultMaxFrameSize (8 MiB).
	MaxFrameSize int
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if len(o.Transports) == 0 {
		o.Transports = defaultTransports
	}
	if o.InfoTimeout <= 0 {
		o.InfoTimeout = DefaultInfoTimeout
	}
	if o.HeartbeatTimeout == 0 {
		o.HeartbeatTimeout = DefaultHeartbeatTimeout
	}
	if o.CloseTimeout <= 0 {
		o.CloseTimeout = DefaultCloseTimeout
	}
	if o.ReceiveQueue <= 0 {
		o.ReceiveQueue = DefaultReceiveQueue
	}
	if o.SendQueue <= 0 {
		o.SendQueue = DefaultSendQueue
	}
	if o.MaxFrameSize <= 0 {
		o.MaxFrameSize = DefaultMaxFrameSize
	}
	return o
}

// openTimeout is how long a transport of roundTrips round trips gets to
// open when the /info request took rtt: sockjs-client's RTO times the round
// trips, or min if that is longer.
func openTimeout(rtt time.Duration, roundTrips int, min time.Duration) time.Duration {
	rto := 4 * rtt
	if rtt <= 100*time.Millisecond {
		rto = 300*time.Millisecond + rtt
	}
	return max(rto*time.Duration(roundTrips), min)
}
