package session

import (
	"errors"
	"strconv"
)

// ErrSessionClosed is returned by operations on a session that is closing or
// has ended. Errors that carry the close code and reason are *CloseError
// values, which match ErrSessionClosed with errors.Is.
var ErrSessionClosed = errors.New("sockjs: session closed")

// ErrInboxFull is returned by Deliver when the session already holds as many
// unread inbound messages as its configured limit allows.
var ErrInboxFull = errors.New("sockjs: inbound queue full")

// ErrPayloadTooLarge is returned by Deliver for messages that alone exceed
// the session's inbound bounds (Config.InboxSize, Config.ReceiveBuffer).
var ErrPayloadTooLarge = errors.New("sockjs: too many inbound messages at once")

// ErrMessageTooLarge is returned by Send for a message that alone encodes to
// more than the session's send buffer holds. The session is unharmed.
var ErrMessageTooLarge = errors.New("sockjs: message larger than the send buffer")

// ErrInvalidCloseCode is returned by Close for a code that the SockJS client
// and the WebSocket protocol do not allow applications to use: anything other
// than 1000, 1001 or 3000–4999.
var ErrInvalidCloseCode = errors.New("sockjs: close code must be 1000, 1001 or 3000-4999")

// Close codes the library itself uses. Applications use 1000, 1001 or
// 3000–4999.
const (
	// CodeNormal is the code of a session closed without a reason, for
	// example because the application's handler returned.
	CodeNormal = 1000
	// CodeGoingAway is the code sent to every session when the server shuts
	// down.
	CodeGoingAway = 1001
	// CodeInterrupted is the cause of a session whose receiving connection was
	// aborted by the client or the network.
	CodeInterrupted = 1002
	// CodeSlowConsumer closes a session whose outbound queue overflowed: the
	// client did not take messages as fast as the application sent them.
	CodeSlowConsumer = 1013
	// CodeAnotherConnection is sent to a second receiving request of a
	// session that already has one.
	CodeAnotherConnection = 2010
	// CodeInternalError closes a session whose application handler
	// panicked.
	CodeInternalError = 3500
)

// Reasons that go with the library's close codes.
const (
	ReasonNormal            = "Normal closure"
	ReasonGoingAway         = "Server shutting down"
	ReasonInterrupted       = "Connection interrupted"
	ReasonSlowConsumer      = "Slow consumer"
	ReasonAnotherConnection = "Another connection still open"
	ReasonTimedOut          = "Session timed out"
	ReasonMemory            = "Server memory full"
	ReasonInternalError     = "Internal error"
)

// CloseError tells why a session ended: the close code and reason that were
// sent to the client (or, for sessions that ended without a close frame, the
// library's description of what happened). It matches ErrSessionClosed with
// errors.Is; use errors.As to read the code and reason.
type CloseError struct {
	Code   int    // SockJS close code, e.g. 1000 or 3000
	Reason string // human-readable reason, e.g. "Go away!"
}

// Error implements error.
func (e *CloseError) Error() string {
	return "sockjs: session closed: " + strconv.Itoa(e.Code) + " " + e.Reason
}

// Unwrap makes every CloseError match ErrSessionClosed.
func (e *CloseError) Unwrap() error { return ErrSessionClosed }

// validAppCode reports whether an application may close with code: 1000,
// 1001 (an application that sheds load is going away too) and the range
// the WebSocket protocol leaves to applications.
func validAppCode(code int) bool {
	return code == CodeNormal || code == CodeGoingAway || (code >= 3000 && code <= 4999)
}
