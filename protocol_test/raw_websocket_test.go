package protocol_test

import (
	"errors"
	"testing"

	"github.com/coder/websocket"
)

// The raw websocket carries application messages verbatim, with no SockJS
// framing (docs/protocol.md#raw-websocket).
func TestRawWebsocket_Transport(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	c := dialWebsocket(t, base, echoPrefix+"/websocket")
	writeMessage(t, c, "Hello world!\uffff")
	wantMessage(t, c, "Hello world!\uffff")
}

// An application close on the raw websocket is a WebSocket close frame with
// the application's code and reason (docs/protocol.md#raw-websocket).
func TestRawWebsocket_Close(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	c := dialWebsocket(t, base, closePrefix+"/websocket")
	err := wantClosed(t, c)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 3000 || ce.Reason != "Go away!" {
		t.Errorf("connection ended with %v, want close status 3000 reason %q", err, "Go away!")
	}
}
