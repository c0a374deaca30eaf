package session

import "github.com/gosockjs/sockjs/internal/frame"

// FrameKind says which SockJS frame a Frame is.
type FrameKind uint8

// The SockJS frames a session writes (docs/protocol.md#frames).
const (
	FrameOpen      FrameKind = iota // "o"
	FrameHeartbeat                  // "h"
	FrameMessages                   // a[...], one or more messages
	FrameClose                      // c[code,"reason"]
)

// Frame is one SockJS frame in decoded form. Transports encode it: SockJS
// transports into frame text and their wrapper, the raw websocket into plain
// websocket messages and a close handshake.
type Frame struct {
	Kind     FrameKind
	Messages []Message // FrameMessages: never empty
	Code     int       // FrameClose
	Reason   string    // FrameClose
}

// Receiver is one receiving connection: an HTTP response in progress or a
// websocket. A session has at most one attached receiver at a time.
//
// The session calls Write and End from a writer goroutine, never from its
// own actor goroutine, and never two calls on the same receiver at once.
type Receiver interface {
	// Write writes frames in order, each as its own unit on the wire (one
	// HTTP chunk or one websocket message), with a write deadline, and
	// returns how many it wrote. It stops early and reports full when the
	// receiver can take no more frames: a polling response after one frame,
	// a streaming response at its response limit, any receiver after a
	// close frame. The session sends the frames it did not write again, to
	// the next receiver.
	Write(frames []Frame) (written int, full bool, err error)
	// End finishes the receiver: the HTTP handler may return, the websocket is
	// closed. It is called exactly once, after the last Write, and must not
	// block for long.
	End()
	// DelayDisconnect reports whether the session should survive this
	// receiver for the disconnect delay (HTTP transports), or end with it
	// (websockets).
	DelayDisconnect() bool
}

// Message is one message for the client: its text, and its JSON encoding
// when it was prepared in advance (Prepare).
type Message = frame.Message
