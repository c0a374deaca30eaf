package frame

import (
	"slices"
	"strconv"
)

// The frames that carry no data, as their exact bytes (PROTOCOL.md §5.1).
const (
	// Open is the open frame, the first frame of every session.
	Open = "o"

	// Heartbeat is the heartbeat frame, sent while a session is idle so that
	// proxies do not time the connection out.
	Heartbeat = "h"

	// AnotherConnectionStillOpen is the close frame sent to a receiving
	// request that arrives while the session already has one (PROTOCOL.md
	// §6.5). It is the same as AppendClose(nil, 2010,
	// "Another connection still open"), kept as a constant because it is
	// sent without touching the session.
	AnotherConnectionStillOpen = `c[2010,"Another connection still open"]`
)

// AppendMessages appends the messages frame a["m1","m2",...] to dst, each
// message encoded by AppendString and separated by a comma with no spaces.
// The protocol never sends an empty messages frame, so msgs must not be
// empty; if it is, AppendMessages writes a[] rather than failing.
func AppendMessages(dst []byte, msgs []string) []byte {
	// Grow once for the common case (no escapes) so that a fresh buffer is
	// not reallocated message by message.
	n := len(`a[]`)
	for _, m := range msgs {
		n += len(m) + len(`"",`)
	}
	dst = slices.Grow(dst, n)

	dst = append(dst, 'a', '[')
	for i, m := range msgs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, m)
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
