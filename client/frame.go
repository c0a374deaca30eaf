package client

import (
	"encoding/json"
	"errors"
	"fmt"
)

// frame is one frame from the server, decoded by the goroutine that read it.
type frame struct {
	kind   byte     // 'o', 'h', 'a' or 'c'
	msgs   []string // the messages of an 'a' frame (or of an 'm' frame)
	code   int      // the code of a 'c' frame
	reason string   // the reason of a 'c' frame
}

var errBadFrame = errors.New("bad frame")

// parseFrame decodes one frame. As sockjs-client, it reads the type from
// the first byte, so the xhr-streaming prelude (2048 'h') is a heartbeat,
// and it understands the single-message frame m"msg" no 0.3.3 server sends.
func parseFrame(p []byte) (frame, error) {
	if len(p) == 0 {
		return frame{}, fmt.Errorf("%w: empty", errBadFrame)
	}
	f := frame{kind: p[0]}
	switch f.kind {
	case 'o', 'h':
		return f, nil
	case 'a':
		if err := json.Unmarshal(p[1:], &f.msgs); err != nil {
			return frame{}, fmt.Errorf("%w: %v", errBadFrame, err)
		}
		return f, nil
	case 'm':
		var msg string
		if err := json.Unmarshal(p[1:], &msg); err != nil {
			return frame{}, fmt.Errorf("%w: %v", errBadFrame, err)
		}
		return frame{kind: 'a', msgs: []string{msg}}, nil
	case 'c':
		var v []json.RawMessage
		if err := json.Unmarshal(p[1:], &v); err != nil || len(v) != 2 ||
			json.Unmarshal(v[0], &f.code) != nil || json.Unmarshal(v[1], &f.reason) != nil {
			return frame{}, fmt.Errorf("%w: close frame %.100q", errBadFrame, p)
		}
		return f, nil
	}
	return frame{}, fmt.Errorf("%w: %.100q", errBadFrame, p)
}
