package sockjs

import "github.com/gosockjs/sockjs/session"

// Session is one SockJS connection with a client. See session.Session for
// its methods.
type Session = session.Session

// CloseError tells why a session ended; see session.CloseError.
type CloseError = session.CloseError

// Errors returned by Session methods.
var (
	// ErrSessionClosed matches every error of a session that is closing or
	// has ended, including *CloseError values.
	ErrSessionClosed = session.ErrSessionClosed
	// ErrInvalidCloseCode is returned by Close for codes other than 1000
	// and 3000–4999.
	ErrInvalidCloseCode = session.ErrInvalidCloseCode
)
