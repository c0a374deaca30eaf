package client

import (
	"errors"
	"strconv"
)

// Close codes the client reports itself, as sockjs-client does. A server's
// close frame carries its own code (1000, 3000–4999, or one of the server
// library's codes such as 1013 "Slow consumer").
const (
	CodeNormal           = 1000 // Close without a code of the application's own
	CodeConnectionLost   = 1006 // the transport broke, a send failed, or the server lost the session
	CodeAllTransports    = 2000 // "All transports failed": Dial found no transport that opened
	CodeTransportTimeout = 2007 // "Transport timed out": one transport did not open in time
)

var (
	// ErrClosed matches every error of a connection that is closed or
	// closing, *CloseError values included.
	ErrClosed = errors.New("sockjs client: connection closed")

	// ErrInvalidCloseCode is returned by Close for a code other than 1000
	// and 3000–4999, the codes an application may use.
	ErrInvalidCloseCode = errors.New("sockjs client: close code must be 1000 or 3000-4999")
)

// CloseError tells why a connection ended: the code and reason of the
// server's close frame, or a code of the client's own (CodeConnectionLost,
// CodeAllTransports) with Err saying what went wrong underneath. It matches
// ErrClosed with errors.Is; read Code and Reason with errors.As.
type CloseError struct {
	Code   int    // the close code, e.g. 3000
	Reason string // the close reason, e.g. "Go away!"
	Err    error  // the cause of a client-side close, or nil
}

func (e *CloseError) Error() string {
	s := "sockjs client: closed " + strconv.Itoa(e.Code) + " " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is reports whether target is ErrClosed.
func (e *CloseError) Is(target error) bool { return target == ErrClosed }

// Unwrap returns the cause of a client-side close.
func (e *CloseError) Unwrap() error { return e.Err }

// validCloseCode reports whether an application may close with code.
func validCloseCode(code int) bool { return code == 1000 || code >= 3000 && code <= 4999 }
