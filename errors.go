package sockjs

import (
	"errors"
	"net/http"

	"github.com/gosockjs/sockjs/registry"
	"github.com/gosockjs/sockjs/session"
)

// CloseError tells why a session ended: the close code and reason sent to
// the client (or, for a session that ended without a close frame, the
// library's description of what happened). It matches ErrSessionClosed with
// errors.Is; read Code and Reason with errors.As.
type CloseError = session.CloseError

// The close codes a session may end with. An application closes with
// CodeNormal, CodeGoingAway or a code of its own in 3000–4999; the library
// uses the others.
const (
	CodeNormal            = session.CodeNormal            // 1000 "Normal closure": Close, or serve returned
	CodeGoingAway         = session.CodeGoingAway         // 1001 "Server shutting down": Shutdown, Drain, or the application
	CodeInterrupted       = session.CodeInterrupted       // 1002 "Connection interrupted": the client's receiving request was cut off
	CodeSlowConsumer      = session.CodeSlowConsumer      // 1013 "Slow consumer" or "Server memory full": the client did not take its messages, or MemoryLimit
	CodeAnotherConnection = session.CodeAnotherConnection // 2010 "Another connection still open": a second receiving request of an HTTP session
	CodeInternalError     = session.CodeInternalError     // 3500 "Internal error": serve panicked
)

// Errors returned by Session methods.
var (
	// ErrSessionClosed matches every error of a session that is closing or
	// has ended, including *CloseError values.
	ErrSessionClosed = session.ErrSessionClosed
	// ErrInvalidCloseCode is returned by Close for codes other than 1000,
	// 1001 and 3000–4999.
	ErrInvalidCloseCode = session.ErrInvalidCloseCode
	// ErrMessageTooLarge is returned by Send for a message that alone
	// encodes to more than Options.SendBuffer; the session stays open.
	ErrMessageTooLarge = session.ErrMessageTooLarge
)

// statusError is a refusal with its HTTP status and Metrics reason, for the
// transports to answer. On a websocket, whose handshake is already done,
// the message becomes the reason of a 1013 close.
type statusError struct {
	status int
	reason string // a Reject* constant
	msg    string
}

func (e *statusError) Error() string   { return e.msg }
func (e *statusError) HTTPStatus() int { return e.status }

var (
	errShuttingDown = &statusError{http.StatusServiceUnavailable, RejectShuttingDown, "Server is shutting down."}
	errTooMany      = &statusError{http.StatusServiceUnavailable, RejectSessionLimit, "Too many sessions."}
	errNotYours     = &statusError{http.StatusForbidden, RejectForbidden, "Session belongs to another client."}
	errClientFull   = &statusError{http.StatusTooManyRequests, RejectClientLimit, "Too many sessions from this client."}
	errClientRate   = &statusError{http.StatusTooManyRequests, RejectClientRate, "Sessions opened too fast; try again later."}
)

// registryRefusals maps each registry error to what the client and the
// metrics are told.
var registryRefusals = []struct {
	err    error
	answer *statusError
}{
	{registry.ErrClosing, errShuttingDown},
	{registry.ErrStopped, errShuttingDown},
	{registry.ErrFull, errTooMany},
	{registry.ErrClientFull, errClientFull},
	{registry.ErrClientRate, errClientRate},
}

// refused counts and logs a session the registry refused, and returns the
// answer that carries the registry's reason.
func (h *Handler) refused(q *request, err error) error {
	answer := errShuttingDown
	for _, m := range registryRefusals {
		if errors.Is(err, m.err) {
			answer = m.answer
			break
		}
	}
	if answer == errClientRate {
		q.w.Header().Set("Retry-After", "1")
	}
	h.rejected(q.r, answer.reason)
	return answer
}
