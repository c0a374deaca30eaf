package protocol_test

import (
	"net/http"
	"testing"
)

// Server and session ids may be any non-empty segment without a dot (docs/protocol.md#server-and-session-ids).
func TestSessionURLs_AnyValue(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	n := newID(t)
	for _, ids := range []string{"/a/a" + n, "/_/_" + n, "/1/" + n, "/abcdefgh_i-j%20/abcdefg_i-j%20" + n} {
		r := do(t, "POST", base+echoPrefix+ids+"/xhr", "")
		assertStatus(t, r, http.StatusOK)
		assertBody(t, r, "o\n")
	}
}

// Empty segments, dots and wrong segment counts match no session route (docs/protocol.md#server-and-session-ids).
func TestSessionURLs_InvalidPaths(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, path := range []string{"//xhr", "/a./a/xhr", "/a/a./xhr", "/././xhr", "///xhr", "////xhr"} {
		for _, method := range []string{"GET", "POST"} {
			assertStatus(t, do(t, method, base+echoPrefix+path, ""), http.StatusNotFound)
		}
	}
}

// Sessions are keyed by session id alone; the server id is ignored (docs/protocol.md#server-and-session-ids).
func TestSessionURLs_IgnoringServerId(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	r := do(t, "POST", base+echoPrefix+"/000/"+id+"/xhr", "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "o\n")

	r = do(t, "POST", base+echoPrefix+"/000/"+id+"/xhr_send", `["a"]`)
	assertStatus(t, r, http.StatusNoContent)
	assertBody(t, r, "")

	r = do(t, "POST", base+echoPrefix+"/999/"+id+"/xhr", "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "a[\"a\"]\n")
}
