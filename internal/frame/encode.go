package frame

import (
	"slices"
	"strconv"
)

// The frames that carry no data, as their exact bytes (docs/protocol.md#frames).
const (
	// Open is the open frame, the first frame of every session.
	Open = "o"

	// Heartbeat is the heartbeat frame, sent while a session is idle so that
	// proxies do not time the connection out.
	Heartbeat = "h"
)

// Message is one message of a messages frame: its text, and optionally the
// text already encoded by AppendString (a message prepared once for many
// sessions), which AppendMessages then copies instead of encoding again.
type Message struct {
	Text string // the message
	JSON []byte // Text as AppendString encodes it, or nil
}

// AppendMessages appends the messages frame a["m1","m2",...] to dst, each
// message encoded by AppendString (or copied from its JSON) and separated by
// a comma with no spaces. The protocol never sends an empty messages frame,
// so msgs must not be empty; if it is, AppendMessages writes a[] rather than
// failing.
func AppendMessages(dst []byte, msgs []Message) []byte {
	// Grow once for the common case (no escapes) so that a fresh buffer is
	// not reallocated message by message.
	n := len(`a[]`)
	for _, m := range msgs {
		n += len(m.Text) + len(`"",`)
	}
	dst = slices.Grow(dst, n)

	dst = append(dst, 'a', '[')
	for i, m := range msgs {
		if i > 0 {
			dst = append(dst, ',')
		}
		if m.JSON != nil {
			dst = append(dst, m.JSON...)
		} else {
			dst = AppendString(dst, m.Text)
		}
	}
	return append(dst, ']')
}

// AppendClose appends the close frame c[code,"reason"] to dst, with code in
// decimal and reason encoded by AppendString, e.g. c[3000,"Go away!"].
func AppendClose(dst []byte, code int, reason string) []byte {
	dst = append(dst, 'c', '[')
	dst = strconv.AppendInt(dst, int64(code), 10)
	dst = append(dst, ',')
	dst = AppendString(dst, reason)
	return append(dst, ']')
}
