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
		return frame.AppendMessages(dst, f.Messages)
	default:
		return frame.AppendClose(dst, f.Code, f.Reason)
	}
}
