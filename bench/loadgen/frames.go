package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// errSessionClosed is returned once the server closed the session.
var errSessionClosed = errors.New("session closed by the server")

// appendMessages appends the messages of a SockJS "a[...]" frame to dst.
// Benchmark payloads need no escaping, so frames without a backslash are
// split directly; anything else goes through encoding/json.
func appendMessages(dst []string, frame []byte) ([]string, error) {
	body := frame[1:]
	if bytes.IndexByte(body, '\\') < 0 && len(body) >= 2 && body[0] == '[' && body[len(body)-1] == ']' {
		inner := body[1 : len(body)-1]
		if len(inner) == 0 {
			return dst, nil
		}
		if len(inner) >= 2 && inner[0] == '"' && inner[len(inner)-1] == '"' {
			inner = inner[1 : len(inner)-1]
			for {
				i := bytes.Index(inner, []byte(`","`))
				if i < 0 {
					return append(dst, string(inner)), nil
				}
				dst = append(dst, string(inner[:i]))
				inner = inner[i+3:]
			}
		}
	}
	var msgs []string
	if err := json.Unmarshal(body, &msgs); err != nil {
		return dst, fmt.Errorf("bad frame %.40q: %w", frame, err)
	}
	return append(dst, msgs...), nil
}

// frameKind classifies one SockJS frame (or, on plain transports, one
// line): 'o', 'h', 'a', 'c', or 'm' for a plain message.
func frameKind(frame []byte, plain bool) byte {
	switch {
	case len(frame) == 0:
		return 'h'
	case plain:
		if len(frame) == 1 && (frame[0] == 'o' || frame[0] == 'h') {
			return frame[0]
		}
		return 'm'
	case frame[0] == 'h': // also the 2048-byte xhr_streaming prelude
		return 'h'
	default:
		return frame[0]
	}
}

// encodeSend returns the SockJS client payload ["msg"]; benchmark messages
// need no escaping.
func encodeSend(dst []byte, msg string) []byte {
	dst = append(dst, `["`...)
	dst = append(dst, msg...)
	return append(dst, `"]`...)
}
