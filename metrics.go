package sockjs

import (
	"encoding/json"
	"sync/atomic"

	"github.com/gosockjs/sockjs/session"
	"github.com/gosockjs/sockjs/transport"
)

// Metrics receives counts of what a Handler does, for monitoring. Its
// methods are called on hot paths from many goroutines: they must be safe
// for concurrent use and quick. Counters is a ready implementation.
type Metrics interface {
	// SessionOpened: a session sent its open frame.
	SessionOpened(transport string)
	// SessionClosed: a session ended with this code (1013 for a slow
	// consumer, 1002 for a client that went away, see CloseError).
	SessionClosed(transport string, code int)
	// MessagesReceived: n messages of bytes total arrived from a client.
	MessagesReceived(n, bytes int)
	// MessagesSent: a frame of n messages, bytes long on the wire, was
	// written to a client.
	MessagesSent(n, bytes int)
	// RequestRejected: a request was refused; reason is one of the Reject*
	// constants.
	RequestRejected(reason string)
}

// Reasons for RequestRejected.
const (
	RejectNotFound       = "not_found"                    // no such route, or a disabled transport (404)
	RejectMethod         = "method"                       // wrong method (405)
	RejectOrigin         = "origin"                       // Origin not allowed (403)
	RejectForbidden      = "forbidden"                    // Authorize refused, or another client's session (403)
	RejectCallback       = "callback"                     // missing or invalid jsonp/htmlfile callback (500)
	RejectPayload        = transport.RejectPayload        // broken or missing JSON in a send (500)
	RejectTooLarge       = transport.RejectTooLarge       // body over MaxBodySize (413)
	RejectUnknownSession = transport.RejectUnknownSession // send to a session that does not exist (404)
	RejectInboxFull      = transport.RejectInboxFull      // InboxSize exceeded (503)
	RejectSessionLimit   = "session_limit"                // MaxSessions reached (503)
	RejectShuttingDown   = "shutting_down"                // after Shutdown (503)
	RejectBadUpgrade     = transport.RejectBadUpgrade     // websocket URL without a valid handshake (400)
	RejectMemory         = "memory"                       // MemoryLimit reached: no new sessions (503)

	RejectCrossSite   = "cross_site"   // cross-site browser request without Origin on a session route (403)
	RejectClientLimit = "client_limit" // MaxSessionsPerClient reached (429)
	RejectClientRate  = "client_rate"  // SessionRate exceeded (429)
)

var rejectReasons = [...]string{
	RejectNotFound, RejectMethod, RejectOrigin, RejectForbidden, RejectCallback, RejectPayload,
	RejectTooLarge, RejectUnknownSession, RejectInboxFull, RejectSessionLimit, RejectShuttingDown,
	RejectBadUpgrade, RejectMemory,
	RejectCrossSite, RejectClientLimit, RejectClientRate,
}

var transportNames = [...]string{
	NameWebsocket, NameRawWebsocket, NameXHR, NameXHRStreaming, NameEventSource, NameHTMLFile, NameJSONP,
}

// Counters is a Metrics implementation made of atomic counters. Its String
// method returns the counts as JSON, so it can be published with
// expvar.Publish. The zero value is ready to use.
type Counters struct {
	open         [len(transportNames)]atomic.Int64 // sessions open now, by transport
	opened       atomic.Int64
	closed       atomic.Int64
	slowConsumer atomic.Int64
	messagesIn   atomic.Int64
	bytesIn      atomic.Int64
	messagesOut  atomic.Int64
	bytesOut     atomic.Int64
	buffered     atomic.Int64                     // bytes sessions hold beyond their first 64 KiB
	evicted      atomic.Int64                     // sessions closed for the memory limit
	rejected     [len(rejectReasons)]atomic.Int64 // by reason
}

// CountersSnapshot is a point-in-time copy of Counters.
type CountersSnapshot struct {
	SessionsOpen          map[string]int64 `json:"sessions_open"`           // open now, by transport name (NameXHR, ...)
	SessionsOpened        int64            `json:"sessions_opened"`         // sent their open frame, since the start
	SessionsClosed        int64            `json:"sessions_closed"`         // opened sessions that stopped being open, since the start
	SlowConsumerCloses    int64            `json:"slow_consumer_closes"`    // ended with 1013 "Slow consumer"
	MessagesIn            int64            `json:"messages_in"`             // messages from clients, taken by the session
	BytesIn               int64            `json:"bytes_in"`                // the bytes of their text
	MessagesOut           int64            `json:"messages_out"`            // messages written to clients
	BytesOut              int64            `json:"bytes_out"`               // the bytes of their frames on the wire
	BufferedBytes         int64            `json:"buffered_bytes"`          // held by sessions beyond their first 64 KiB
	SessionsEvicted       int64            `json:"sessions_evicted"`        // closed for Options.MemoryLimit
	RejectedRequests      map[string]int64 `json:"rejected_requests"`       // by reason (RejectOrigin, ...)
	RejectedRequestsTotal int64            `json:"rejected_requests_total"` // all reasons together
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

// SessionOpened implements Metrics.
func (c *Counters) SessionOpened(transport string) {
	c.opened.Add(1)
	if i := indexOf(transportNames[:], transport); i >= 0 {
		c.open[i].Add(1)
	}
}

// SessionClosed implements Metrics.
func (c *Counters) SessionClosed(transport string, code int) {
	c.closed.Add(1)
	if code == session.CodeSlowConsumer {
		c.slowConsumer.Add(1)
	}
	if i := indexOf(transportNames[:], transport); i >= 0 {
		c.open[i].Add(-1)
	}
}

// MessagesReceived implements Metrics.
func (c *Counters) MessagesReceived(n, bytes int) {
	c.messagesIn.Add(int64(n))
	c.bytesIn.Add(int64(bytes))
}

// MessagesSent implements Metrics.
func (c *Counters) MessagesSent(n, bytes int) {
	c.messagesOut.Add(int64(n))
	c.bytesOut.Add(int64(bytes))
}

// RequestRejected implements Metrics.
func (c *Counters) RequestRejected(reason string) {
	if i := indexOf(rejectReasons[:], reason); i >= 0 {
		c.rejected[i].Add(1)
	}
}

// BufferedBytes implements MemoryMetrics.
func (c *Counters) BufferedBytes(delta int) { c.buffered.Add(int64(delta)) }

// SessionEvicted implements MemoryMetrics.
func (c *Counters) SessionEvicted() { c.evicted.Add(1) }

// Snapshot returns the current counts.
func (c *Counters) Snapshot() CountersSnapshot {
	s := CountersSnapshot{
		SessionsOpen:       make(map[string]int64, len(transportNames)),
		SessionsOpened:     c.opened.Load(),
		SessionsClosed:     c.closed.Load(),
		SlowConsumerCloses: c.slowConsumer.Load(),
		MessagesIn:         c.messagesIn.Load(),
		BytesIn:            c.bytesIn.Load(),
		MessagesOut:        c.messagesOut.Load(),
		BytesOut:           c.bytesOut.Load(),
		BufferedBytes:      c.buffered.Load(),
		SessionsEvicted:    c.evicted.Load(),
		RejectedRequests:   make(map[string]int64, len(rejectReasons)),
	}
	for i, name := range transportNames {
		s.SessionsOpen[name] = c.open[i].Load()
	}
	for i, reason := range rejectReasons {
		n := c.rejected[i].Load()
		s.RejectedRequests[reason] = n
		s.RejectedRequestsTotal += n
	}
	return s
}

// String returns the counts as JSON (for expvar).
func (c *Counters) String() string {
	b, _ := json.Marshal(c.Snapshot())
	return string(b)
}

// noMetrics is the Metrics of a Handler without Options.Metrics.
type noMetrics struct{}

func (noMetrics) SessionOpened(string)      {}
func (noMetrics) SessionClosed(string, int) {}
func (noMetrics) MessagesReceived(int, int) {}
func (noMetrics) MessagesSent(int, int)     {}
func (noMetrics) RequestRejected(string)    {}
