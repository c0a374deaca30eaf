package protocol_test

import (
	"net/http"
	"testing"
)

// OPTIONS on xhr and xhr_send is a preflight allowing OPTIONS and POST (docs/protocol.md#preflight).
func TestXhrPolling_Options(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, endpoint := range []string{"xhr", "xhr_send"} {
		for _, origin := range []string{"test", "null"} {
			r := do(t, "OPTIONS", base+echoPrefix+"/abc/abc/"+endpoint, "", "Origin: "+origin, "Access-Control-Request-Method: OPTIONS, POST")
			assertPreflight(t, r, origin, "OPTIONS", "POST")
		}
	}
}

// xhr polling: o, then xhr_send's messages on the next poll, with the headers
// of docs/protocol.md#xhr-polling and docs/protocol.md#xhr-send.
func TestXhrPolling_Transport(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	xhr := base + sessionPath(echoPrefix, id, "xhr")

	r := do(t, "POST", xhr, "", "Origin: test")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "o\n")
	assertContentType(t, r, ctJavaScript)
	assertCORS(t, r, "test")
	assertNoCache(t, r)

	r = do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["x"]`, "Origin: test")
	assertStatus(t, r, http.StatusNoContent)
	assertBody(t, r, "")
	assertContentType(t, r, ctPlain)
	assertCORS(t, r, "test")
	assertNoCache(t, r)

	r = do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "a[\"x\"]\n")
}

// xhr_send to a session that was never opened is 404 (docs/protocol.md#xhr-send).
func TestXhrPolling_InvalidSession(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := do(t, "POST", base+sessionPath(echoPrefix, newID(t), "xhr_send"), `["x"]`)
	assertStatus(t, r, http.StatusNotFound)
}

// Broken and missing payloads are 500 with their messages and leave the
// session usable (docs/protocol.md#xhr-send).
func TestXhrPolling_InvalidJson(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	xhr, send := base+sessionPath(echoPrefix, id, "xhr"), base+sessionPath(echoPrefix, id, "xhr_send")

	assertBody(t, do(t, "POST", xhr, ""), "o\n")
	assertError(t, do(t, "POST", send, `["x`), http.StatusInternalServerError, "Broken JSON encoding.")
	assertError(t, do(t, "POST", send, ""), http.StatusInternalServerError, "Payload expected.")

	r := do(t, "POST", send, `["a"]`)
	assertStatus(t, r, http.StatusNoContent)
	assertBody(t, r, "")

	r = do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "a[\"a\"]\n")
}

// xhr_send ignores the request Content-Type, and messages queued while no
// poll is attached arrive together in one frame (docs/protocol.md#request-bodies, docs/protocol.md#receivers).
func TestXhrPolling_ContentTypes(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	xhr := base + sessionPath(echoPrefix, id, "xhr")

	assertBody(t, do(t, "POST", xhr, ""), "o\n")
	for _, ct := range []string{"text/plain", "T", "application/json", "application/xml", "", "application/json; charset=utf-8", "text/xml; charset=utf-8", "text/xml"} {
		r := do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["a"]`, "Content-Type: "+ct)
		assertStatus(t, r, http.StatusNoContent)
		assertBody(t, r, "")
	}

	r := do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "a[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]\n")
}

// A non-empty Access-Control-Request-Headers is echoed; an empty or missing
// one gives no Access-Control-Allow-Headers (docs/protocol.md#cors).
func TestXhrPolling_RequestHeadersCors(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	xhr := base + sessionPath(echoPrefix, newID(t), "xhr")

	r := do(t, "OPTIONS", xhr, "", "Origin: test", "Access-Control-Request-Headers: a, b, c")
	assertCORS(t, r, "test")
	assertHeader(t, r, "Access-Control-Allow-Headers", "a, b, c")

	r = do(t, "OPTIONS", xhr, "", "Origin: test", "Access-Control-Request-Headers:")
	assertCORS(t, r, "test")
	assertNoHeader(t, r, "Access-Control-Allow-Headers")

	r = do(t, "OPTIONS", xhr, "", "Origin: test")
	assertCORS(t, r, "test")
	assertNoHeader(t, r, "Access-Control-Allow-Headers")
}

// An empty array is a valid payload that delivers nothing (docs/protocol.md#client-payloads).
func TestXhrPolling_SendingEmptyFrame(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	xhr, send := base+sessionPath(echoPrefix, id, "xhr"), base+sessionPath(echoPrefix, id, "xhr_send")

	assertBody(t, do(t, "POST", xhr, ""), "o\n")
	for _, payload := range []string{"[]", `["a"]`} {
		r := do(t, "POST", send, payload)
		assertStatus(t, r, http.StatusNoContent)
		assertBody(t, r, "")
	}

	r := do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "a[\"a\"]\n")
}
