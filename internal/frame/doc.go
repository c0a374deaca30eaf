// Package frame turns SockJS frames into bytes and client payloads back into
// messages.
//
// Server to client, every SockJS frame is short text: "o" opens a session,
// "h" is a heartbeat, a["m1","m2"] carries messages and c[3000,"Go away!"]
// closes. The message strings inside a and c frames are JSON strings, but
// with the escape set of the reference Node server rather than the one of
// encoding/json: the protocol test suite checks some of it byte for byte, and
// the browser client relies on the rest (docs/protocol.md#escaping). AppendString
// implements that escape set; AppendMessages and AppendClose build whole frames
// on top of it.
//
// Each HTTP transport then wraps a frame for its medium: a "data:" line for
// EventSource, a script block for htmlfile, a callback invocation for JSONP
// (AppendEventSource, AppendHTMLFile, AppendJSONP). The streaming transports
// also open with a fixed prelude (XHRStreamingPrelude, HTMLFilePrelude).
//
// Client to server there is no framing beyond JSON: every payload is an array
// of strings. DecodeMessages and DecodeWebsocketMessage decode one strictly
// and report the two failures the protocol distinguishes, ErrBrokenJSON and
// ErrPayloadExpected.
//
// Everything here sits on the per-message hot path, so the encoders follow the
// strconv convention of appending to a caller's buffer: with a reused buffer
// they do not allocate at all. Nothing uses fmt or reflection.
package frame
