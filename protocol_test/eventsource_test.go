package protocol_test

import (
	"net/http"
	"strings"
	"testing"
)

// eventsource: a CRLF prelude, then one "data: F\r\n\r\n" chunk per frame, with
// Content-Type text/event-stream and no charset (docs/protocol.md#eventsource).
func TestEventSource_Transport(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	r := stream(t, base, rawRequest{method: "GET", target: sessionPath(echoPrefix, id, "eventsource")})
	assertStatus(t, r.response, http.StatusOK)
	assertContentType(t, r.response, ctEventStream)
	assertNoCache(t, r.response)
	assertCORS(t, r.response, "")

	r.wantChunk("\r\n")
	r.wantChunk("data: o\r\n\r\n")

	send := base + sessionPath(echoPrefix, id, "xhr_send")
	assertStatus(t, do(t, "POST", send, `["x"]`), http.StatusNoContent)
	r.wantChunk("data: a[\"x\"]\r\n\r\n")

	assertStatus(t, do(t, "POST", send, `["  \u0000\n\r "]`), http.StatusNoContent)
	r.wantChunk("data: a[\"  \\u0000\\n\\r \"]\r\n\r\n")
}

// One frame over response_limit ends the stream right after it (docs/protocol.md#response-limit).
func TestEventSource_ResponseLimit(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	r := stream(t, base, rawRequest{method: "GET", target: sessionPath(echoPrefix, id, "eventsource")})
	assertStatus(t, r.response, http.StatusOK)
	r.wantChunk("\r\n")
	r.wantChunk("data: o\r\n\r\n")

	msg := strings.Repeat("x", 4096)
	assertStatus(t, do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["`+msg+`"]`), http.StatusNoContent)
	r.wantChunk("data: a[\"" + msg + "\"]\r\n\r\n")
	r.wantEnd()
}

// A % in a frame is sent as %25, because the client percent-decodes data lines
// (docs/protocol.md#eventsource, docs/protocol.md#eventsource).
func TestEventSource_PercentEscaping(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	r := stream(t, base, rawRequest{method: "GET", target: sessionPath(echoPrefix, id, "eventsource")})
	assertStatus(t, r.response, http.StatusOK)
	r.wantChunk("\r\n")
	r.wantChunk("data: o\r\n\r\n")

	assertStatus(t, do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["%41"]`), http.StatusNoContent)
	r.wantChunk("data: a[\"%2541\"]\r\n\r\n")
}
