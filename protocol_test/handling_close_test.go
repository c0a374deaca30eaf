package protocol_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A closing session's stream gets the close frame and ends; a new stream
// within disconnect_delay gets the close frame again, not 2010 (docs/protocol.md#closing).
func TestHandlingClose_CloseFrame(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	req := rawRequest{method: "POST", target: sessionPath(closePrefix, newID(t), "xhr_streaming")}

	r := stream(t, base, req)
	assertStatus(t, r.response, http.StatusOK)
	r.wantChunk(xhrStreamingPrelude)
	r.wantChunk("o\n")
	r.wantChunk(goAway + "\n")
	r.wantEnd()

	r = stream(t, base, req)
	assertStatus(t, r.response, http.StatusOK)
	r.wantChunk(xhrStreamingPrelude)
	r.wantChunk(goAway + "\n")
	r.wantEnd()
}

// A second concurrent stream gets the prelude, the 2010 frame, and ends (docs/protocol.md#only-one-receiver-2010).
func TestHandlingClose_CloseRequest(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	req := rawRequest{method: "POST", target: sessionPath(echoPrefix, newID(t), "xhr_streaming")}

	first := stream(t, base, req)
	first.wantChunk(xhrStreamingPrelude)
	first.wantChunk("o\n")

	second := stream(t, base, req)
	assertStatus(t, second.response, http.StatusOK)
	second.wantChunk(xhrStreamingPrelude)
	second.wantChunk(anotherStillOn + "\n")
	second.wantEnd()
}

// After the client aborts the attached stream, a new stream gets a fresh o
// or 1002, never 2010, even when it reaches the server before the abort
// does (docs/protocol.md#detach-and-abort). Written as the official row is:
// no retries, no waits. Websockets have no such row: a websocket session is
// private to its connection, so a reconnect with the same id is a new
// session (TestWebsocket_ReuseSessionId).
func TestHandlingClose_AbortXhrStreaming(t *testing.T) {
	t.Parallel()
	testAbortStream(t, "xhr_streaming", "POST", wantPrelude(xhrStreamingPrelude), func(f string) string { return f + "\n" })
}

// The same for eventsource, a streaming transport read with GET.
func TestHandlingClose_AbortEventSource(t *testing.T) {
	t.Parallel()
	testAbortStream(t, "eventsource", "GET", wantPrelude("\r\n"), func(f string) string { return "data: " + f + "\r\n\r\n" })
}

// The same for htmlfile, whose frames are script chunks after a padded
// document head (TestHtmlFile_Transport checks the head's bytes).
func TestHandlingClose_AbortHtmlFile(t *testing.T) {
	t.Parallel()
	head := func(r *rawResponse) {
		t.Helper()
		if chunk, err := r.nextChunk(); err != nil || !strings.HasPrefix(strings.TrimSpace(chunk), "<!doctype html>") {
			t.Fatalf("%s: prelude %s, %v; want the htmlfile head", r.req, quote(chunk), err)
		}
	}
	testAbortStream(t, "htmlfile?c=callback", "GET", head, func(f string) string {
		return "<script>\np(" + strconv.Quote(f) + ");\n</script>\r\n"
	})
}

// wantPrelude returns a check that a stream's first chunk is prelude.
func wantPrelude(prelude string) func(*rawResponse) {
	return func(r *rawResponse) { r.wantChunk(prelude) }
}

// testAbortStream is the abort row for a streaming transport whose prelude
// check and frame chunks are given.
func testAbortStream(t *testing.T, transport, method string, prelude func(*rawResponse), chunk func(frame string) string) {
	base := newServer(t)
	req := rawRequest{method: method, target: sessionPath(echoPrefix, newID(t), transport)}

	first := stream(t, base, req)
	prelude(first)
	first.wantChunk(chunk("o"))

	second := stream(t, base, req)
	prelude(second)
	second.wantChunk(chunk(anotherStillOn))
	second.wantEnd()

	first.c.conn.Close()
	r := stream(t, base, req)
	assertStatus(t, r.response, http.StatusOK)
	prelude(r)
	frame, err := r.nextChunk()
	if err != nil {
		t.Fatalf("%s: reading the first frame: %v", r.req, err)
	}
	if frame != chunk("o") && frame != chunk(interrupted) {
		t.Fatalf("%s: frame %s after the abort, want %q or %q", r.req, quote(frame), chunk("o"), chunk(interrupted))
	}
}

// After the client aborts the pending poll, the next poll gets a fresh o or
// 1002, never 2010, even when it reaches the server before the abort does
// (docs/protocol.md#detach-and-abort). Written as the official row is: no retries.
func TestHandlingClose_AbortXhrPolling(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	xhr := base + sessionPath(echoPrefix, id, "xhr")

	assertBody(t, do(t, "POST", xhr, ""), "o\n")

	pending := dialRaw(t, base)
	pending.send(rawRequest{method: "POST", target: sessionPath(echoPrefix, id, "xhr")})
	time.Sleep(settle) // the pending poll is attached before the next one comes

	r := do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, anotherStillOn+"\n")

	pending.conn.Close()
	r = do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	if r.body != "o\n" && r.body != interrupted+"\n" {
		t.Fatalf("%s: body %s after the abort, want %q or %q", r.req, quote(r.body), "o\n", interrupted+"\n")
	}
}
