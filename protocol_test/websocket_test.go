package protocol_test

import (
	"net/http"
	"strings"
	"testing"
)

// upgradeHeader is an RFC 6455 client handshake (docs/protocol.md#websocket), as the suite sends it:
// no Origin, only the obsolete Sec-WebSocket-Origin.
var upgradeHeader = []string{
	"Upgrade: websocket",
	"Connection: Upgrade",
	"Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==",
	"Sec-WebSocket-Version: 13",
	"Sec-WebSocket-Origin: http://asd",
}

// A GET without upgrade headers on a websocket URL is 400 (docs/protocol.md#websocket).
func TestWebsocketHttpErrors_HttpMethod(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := roundTrip(t, base, rawRequest{method: "GET", target: echoPrefix + "/0/0/websocket"})
	assertStatus(t, r, http.StatusBadRequest)
}

// Connection without the upgrade token is not a websocket request: 400 (docs/protocol.md#websocket).
func TestWebsocketHttpErrors_InvalidConnectionHeader(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := roundTrip(t, base, rawRequest{method: "GET", target: echoPrefix + "/0/0/websocket", header: []string{
		"Upgrade: WebSocket",
		"Connection: close",
	}})
	assertStatus(t, r, http.StatusBadRequest)
}

// A non-GET on a websocket URL is 405 Allow: GET with no Content-Type and an
// empty body, with or without upgrade headers (docs/protocol.md#routing-errors, docs/protocol.md#websocket).
func TestWebsocketHttpErrors_InvalidMethod(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, header := range [][]string{nil, upgradeHeader} {
		r := roundTrip(t, base, rawRequest{method: "POST", target: echoPrefix + "/0/0/websocket", header: header})
		assertStatus(t, r, http.StatusMethodNotAllowed)
		assertHeader(t, r, "Allow", "GET")
		assertNoHeader(t, r, "Content-Type")
		assertBody(t, r, "")
	}
}

// The first message is o; a sent array comes back as an a frame, each frame one
// text message without a newline (docs/protocol.md#websocket).
func TestWebsocket_Transport(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	c := dialWebsocket(t, base, sessionPath(echoPrefix, newID(t), "websocket"))
	wantMessage(t, c, "o")
	writeMessage(t, c, `["a"]`)
	wantMessage(t, c, `a["a"]`)
}

// An application close sends the c frame, then closes the connection (docs/protocol.md#websocket).
func TestWebsocket_Close(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	c := dialWebsocket(t, base, sessionPath(closePrefix, newID(t), "websocket"))
	wantMessage(t, c, "o")
	wantMessage(t, c, goAway)
	wantClosed(t, c)
}

// The RFC 6455 handshake answer: 101, the accept key, upgrade headers, no
// Content-Length and no cookie (docs/protocol.md#websocket, docs/protocol.md#jsessionid-cookie).
func TestWebsocket_HeadersSanity(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, prefix := range []string{echoPrefix, cookiePrefix} {
		r := stream(t, base, rawRequest{method: "GET", target: sessionPath(prefix, newID(t), "websocket"), header: upgradeHeader})
		assertStatus(t, r.response, http.StatusSwitchingProtocols)
		assertHeader(t, r.response, "Sec-WebSocket-Accept", "HSmrc0sMlYUkAGmm5OPpG2HaGWk=")
		if c := r.header.Get("Connection"); !hasToken(c, "upgrade") {
			t.Errorf("%s: Connection = %q, want upgrade", r.req, c)
		}
		if u := r.header.Get("Upgrade"); !strings.EqualFold(u, "websocket") {
			t.Errorf("%s: Upgrade = %q, want websocket", r.req, u)
		}
		assertNoHeader(t, r.response, "Content-Length")
		assertNoHeader(t, r.response, "Set-Cookie")
	}
}

// hasToken reports whether the comma-separated header value contains token,
// ignoring case.
func hasToken(value, token string) bool {
	for _, v := range strings.Split(value, ",") {
		if strings.EqualFold(strings.TrimSpace(v), token) {
			return true
		}
	}
	return false
}

// Empty messages and empty arrays deliver nothing (docs/protocol.md#websocket, docs/protocol.md#client-payloads).
func TestWebsocket_EmptyFrame(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	c := dialWebsocket(t, base, sessionPath(echoPrefix, newID(t), "websocket"))
	wantMessage(t, c, "o")
	writeMessage(t, c, "")
	writeMessage(t, c, "[]")
	writeMessage(t, c, `["a"]`)
	wantMessage(t, c, `a["a"]`)
}

// Each websocket is its own session: two at once with one id are independent,
// and the id can be used again afterwards (docs/protocol.md#session-table).
func TestWebsocket_ReuseSessionId(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	path := sessionPath(echoPrefix, newID(t), "websocket")
	c1 := dialWebsocket(t, base, path)
	wantMessage(t, c1, "o")
	c2 := dialWebsocket(t, base, path)
	wantMessage(t, c2, "o")

	writeMessage(t, c1, `["a"]`)
	wantMessage(t, c1, `a["a"]`)
	writeMessage(t, c2, `["b"]`)
	wantMessage(t, c2, `a["b"]`)
	writeMessage(t, c1, `["c"]`)
	wantMessage(t, c1, `a["c"]`)

	c1.CloseNow()
	c2.CloseNow()

	c3 := dialWebsocket(t, base, path)
	wantMessage(t, c3, "o")
	writeMessage(t, c3, `["d"]`)
	wantMessage(t, c3, `a["d"]`)
}

// The hixie-76 handshake behind HAProxy is out of scope (docs/protocol.md#decisions).
func TestWebsocket_Haproxy(t *testing.T) {
	t.Skip("hixie-76 (draft-76) handshake: out of scope for an RFC 6455-only server, an expected failure (docs/protocol.md#decisions)")
}

// A message that is not valid JSON terminates the connection (docs/protocol.md#websocket).
func TestWebsocket_BrokenJson(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	c := dialWebsocket(t, base, sessionPath(echoPrefix, newID(t), "websocket"))
	wantMessage(t, c, "o")
	writeMessage(t, c, `["a`)
	wantClosed(t, c)
}
