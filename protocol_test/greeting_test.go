package protocol_test

import (
	"net/http"
	"testing"
)

// GET on the prefix, with or without a trailing slash, answers the greeting
// and never a cookie (docs/protocol.md#greeting, docs/protocol.md#jsessionid-cookie).
func TestBaseUrlGreeting_Greeting(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, path := range []string{echoPrefix, echoPrefix + "/", cookiePrefix, cookiePrefix + "/"} {
		r := do(t, "GET", base+path, "")
		assertStatus(t, r, http.StatusOK)
		assertContentType(t, r, ctPlain)
		assertBody(t, r, greeting)
		assertNoHeader(t, r, "Set-Cookie")
	}
}

// A path under the prefix that matches no route is 404 (docs/protocol.md#routing-errors).
func TestBaseUrlGreeting_NotFound(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, path := range []string{"/a", "/a.html", "//", "///", "/a/a", "/a/a/", "/a/"} {
		r := do(t, "GET", base+echoPrefix+path, "")
		assertStatus(t, r, http.StatusNotFound)
	}
}
