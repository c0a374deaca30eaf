package transport

import (
	"github.com/gosockjs/sockjs/internal/frame"
	"github.com/gosockjs/sockjs/session"
)

// appendFrame appends the SockJS text of f (o, h, a[...] or c[...]).
func appendFrame(dst []byte, f session.Frame) []byte {
	switch f.Kind {
	case session.FrameOpen:
		return append(dst, frame.Open...)
	case session.FrameHeartbeat:
		return append(dst, frame.Heartbeat...)
	case session.FrameMessages:
		return appendMessages(dst, f.Messages)
	default:
		return frame.AppendClose(dst, f.Code, f.Reason)
	}
}

// appendMessages appends a[...], copying messages that were encoded in
// advance and encoding the others.
func appendMessages(dst []byte, msgs []session.Message) []byte {
	dst = append(dst, 'a', '[')
	for i, m := range msgs {
		if i > 0 {
			dst = append(dst, ',')
		}
		if m.JSON != nil {
			dst = append(dst, m.JSON...)
		} else {
			dst = frame.AppendString(dst, m.Text)
		}
	}
	return append(dst, ']')
}
