package protocol_test

import (
	"net/http"
	"testing"
)

// /info never sets the cookie, and reports cookie_needed (docs/protocol.md#jsessionid-cookie, docs/protocol.md#info).
func TestJsessionidCookie_Basic(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := do(t, "GET", base+cookiePrefix+"/info", "")
	assertStatus(t, r, http.StatusOK)
	assertNoHeader(t, r, "Set-Cookie")
	if info := decodeInfo(t, r); info["cookie_needed"] != true {
		t.Errorf("cookie_needed = %#v, want true", info["cookie_needed"])
	}
}

// xhr sets JSESSIONID to the request's cookie, or dummy (docs/protocol.md#jsessionid-cookie).
func TestJsessionidCookie_Xhr(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := do(t, "POST", base+sessionPath(cookiePrefix, newID(t), "xhr"), "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "o\n")
	assertCookie(t, r, "dummy")

	r = do(t, "POST", base+sessionPath(cookiePrefix, newID(t), "xhr"), "", "Cookie: JSESSIONID=abcdef")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "o\n")
	assertCookie(t, r, "abcdef")
}

// xhr_streaming sets the cookie (docs/protocol.md#jsessionid-cookie).
func TestJsessionidCookie_XhrStreaming(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := stream(t, base, rawRequest{method: "POST", target: sessionPath(cookiePrefix, newID(t), "xhr_streaming")})
	assertStatus(t, r.response, http.StatusOK)
	assertCookie(t, r.response, "dummy")
}

// eventsource sets the cookie (docs/protocol.md#jsessionid-cookie).
func TestJsessionidCookie_Eventsource(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := stream(t, base, rawRequest{method: "GET", target: sessionPath(cookiePrefix, newID(t), "eventsource")})
	assertStatus(t, r.response, http.StatusOK)
	assertCookie(t, r.response, "dummy")
}

// htmlfile sets the cookie (docs/protocol.md#jsessionid-cookie).
func TestJsessionidCookie_Htmlfile(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := stream(t, base, rawRequest{method: "GET", target: sessionPath(cookiePrefix, newID(t), "htmlfile") + "?c=%63allback"})
	assertStatus(t, r.response, http.StatusOK)
	assertCookie(t, r.response, "dummy")
}

// jsonp and jsonp_send set the cookie (docs/protocol.md#jsessionid-cookie).
func TestJsessionidCookie_Jsonp(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	r := do(t, "GET", base+sessionPath(cookiePrefix, id, "jsonp")+"?c=%63allback", "")
	assertStatus(t, r, http.StatusOK)
	assertCookie(t, r, "dummy")
	assertBody(t, r, "/**/callback(\"o\");\r\n")

	r = do(t, "POST", base+sessionPath(cookiePrefix, id, "jsonp_send"), "d=%5B%22x%22%5D", form)
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "ok")
	assertCookie(t, r, "dummy")
}
