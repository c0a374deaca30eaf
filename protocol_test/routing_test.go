package protocol_test

import (
	"net/http"
	"testing"
)

// A route that exists without the request's method is 405 with an Allow list
// of its methods, no Content-Type and an empty body (docs/protocol.md#routing-errors).
func TestRouting_MethodNotAllowed(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, tc := range []struct{ method, path, allow string }{
		{"POST", echoPrefix, "GET"},
		{"POST", echoPrefix + "/info", "OPTIONS, GET"},
		{"GET", echoPrefix + "/a/a/xhr", "POST, OPTIONS"},
		{"POST", echoPrefix + "/0/0/websocket", "GET"},
		{"OPTIONS", echoPrefix + "/a/a/jsonp", "GET"},
	} {
		r := do(t, tc.method, base+tc.path, "")
		assertStatus(t, r, http.StatusMethodNotAllowed)
		assertHeader(t, r, "Allow", tc.allow)
		assertNoHeader(t, r, "Content-Type")
		assertBody(t, r, "")
	}
}

// With websockets disabled both websocket routes do not exist (docs/protocol.md#url-layout).
func TestRouting_DisabledWebsocketNotFound(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, path := range []string{wsOffPrefix + "/0/0/websocket", wsOffPrefix + "/websocket"} {
		assertStatus(t, do(t, "GET", base+path, ""), http.StatusNotFound)
		r := roundTrip(t, base, rawRequest{method: "GET", target: path, header: upgradeHeader})
		assertStatus(t, r, http.StatusNotFound)
	}
}

// A preflight never creates a session: a send after it is still 404 (docs/protocol.md#preflight).
func TestPreflight_CreatesNoSession(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	for _, endpoint := range []string{"xhr", "xhr_send", "xhr_streaming"} {
		r := do(t, "OPTIONS", base+sessionPath(echoPrefix, id, endpoint), "", "Origin: test", "Access-Control-Request-Method: POST")
		assertStatus(t, r, http.StatusNoContent)
	}
	r := do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["a"]`)
	assertStatus(t, r, http.StatusNotFound)
}

// Sending requests never create sessions: an unknown id stays 404 (docs/protocol.md#session-table).
func TestSend_UnknownSessionCreatesNothing(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	for range 2 {
		r := do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["a"]`)
		assertStatus(t, r, http.StatusNotFound)
	}
	r := do(t, "POST", base+sessionPath(echoPrefix, id, "jsonp_send"), "d=%5B%22a%22%5D", form)
	assertStatus(t, r, http.StatusNotFound)
}

// Origin null is echoed with credentials, like any other origin (docs/protocol.md#cors, docs/protocol.md#decisions).
func TestCORS_NullOriginEchoedWithCredentials(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := do(t, "GET", base+echoPrefix+"/info", "", "Origin: null")
	assertCORS(t, r, "null")
	r = do(t, "POST", base+sessionPath(echoPrefix, newID(t), "xhr"), "", "Origin: null")
	assertCORS(t, r, "null")
}

// Without an Origin the answer is * and never credentials (docs/protocol.md#cors).
func TestCORS_NoOriginNoCredentials(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := do(t, "GET", base+echoPrefix+"/info", "")
	assertCORS(t, r, "")
	r = do(t, "POST", base+sessionPath(echoPrefix, newID(t), "xhr"), "")
	assertCORS(t, r, "")
	r = do(t, "OPTIONS", base+sessionPath(echoPrefix, newID(t), "xhr"), "")
	assertCORS(t, r, "")
}
