package protocol_test

import (
	"net/http"
	"testing"
	"time"
)

// A session opens with o, echoes what xhr_send delivers, refuses sends to
// unknown sessions, and refuses a second concurrent poll with 2010 (docs/protocol.md#receivers,
// docs/protocol.md#xhr-polling, docs/protocol.md#xhr-send).
func TestProtocol_SimpleSession(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	xhr := base + sessionPath(echoPrefix, id, "xhr")

	r := do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "o\n")

	r = do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["a"]`)
	assertStatus(t, r, http.StatusNoContent)
	assertBody(t, r, "")

	r = do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "a[\"a\"]\n")

	r = do(t, "POST", base+sessionPath(echoPrefix, "bad_session"+newID(t), "xhr_send"), `["a"]`)
	assertStatus(t, r, http.StatusNotFound)

	pending := dialRaw(t, base)
	pending.send(rawRequest{method: "POST", target: sessionPath(echoPrefix, id, "xhr")})
	time.Sleep(settle)

	r = do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, anotherStillOn+"\n")
}

// A closed session answers every later poll with its close frame (docs/protocol.md#closing).
func TestProtocol_CloseSession(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	xhr := base + sessionPath(closePrefix, newID(t), "xhr")

	r := do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "o\n")

	for range 2 {
		r = do(t, "POST", xhr, "")
		assertStatus(t, r, http.StatusOK)
		assertBody(t, r, goAway+"\n")
	}
}
