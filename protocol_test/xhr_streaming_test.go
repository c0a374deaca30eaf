package protocol_test

import (
	"net/http"
	"strings"
	"testing"
)

// OPTIONS on xhr_streaming is a preflight allowing OPTIONS and POST (docs/protocol.md#preflight).
func TestXhrStreaming_Options(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, origin := range []string{"test", "null"} {
		r := do(t, "OPTIONS", base+echoPrefix+"/abc/abc/xhr_streaming", "", "Origin: "+origin, "Access-Control-Request-Method: OPTIONS, POST")
		assertPreflight(t, r, origin, "OPTIONS", "POST")
	}
}

// xhr_streaming: the 2 KiB prelude, then one chunk per frame (docs/protocol.md#xhr-streaming, docs/protocol.md#one-chunk-per-frame).
func TestXhrStreaming_Transport(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	r := stream(t, base, rawRequest{method: "POST", target: sessionPath(echoPrefix, id, "xhr_streaming"), header: []string{"Origin: test"}})
	assertStatus(t, r.response, http.StatusOK)
	assertContentType(t, r.response, ctJavaScript)
	assertCORS(t, r.response, "test")
	assertNoCache(t, r.response)
	assertHeader(t, r.response, "Transfer-Encoding", "chunked")
	assertNoHeader(t, r.response, "Content-Length")

	r.wantChunk(xhrStreamingPrelude)
	r.wantChunk("o\n")

	s := do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["x"]`)
	assertStatus(t, s, http.StatusNoContent)
	assertBody(t, s, "")
	r.wantChunk("a[\"x\"]\n")
}

// The stream ends once the framed bytes written, prelude excluded, reach
// response_limit (4096 on /echo): after the 31st 134-byte frame (docs/protocol.md#response-limit).
func TestXhrStreaming_ResponseLimit(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	r := stream(t, base, rawRequest{method: "POST", target: sessionPath(echoPrefix, id, "xhr_streaming")})
	assertStatus(t, r.response, http.StatusOK)
	r.wantChunk(xhrStreamingPrelude)
	r.wantChunk("o\n")

	msg := strings.Repeat("x", 128)
	for range 31 {
		s := do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["`+msg+`"]`)
		assertStatus(t, s, http.StatusNoContent)
		assertBody(t, s, "")
		r.wantChunk(`a["` + msg + "\"]\n")
	}
	r.wantEnd()
}
