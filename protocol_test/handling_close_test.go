package protocol_test

import (
	"net/http"
	"testing"
	"time"
)

// abortRetries and abortRetryGap bound how long a test waits for the server to
// notice that a client aborted its receiving request (docs/protocol.md#detach-and-abort: promptly).
const (
	abortRetries  = 40
	abortRetryGap = 50 * time.Millisecond
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
// (or 1002); never a lasting 2010 (docs/protocol.md#detach-and-abort).
func TestHandlingClose_AbortXhrStreaming(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	req := rawRequest{method: "POST", target: sessionPath(echoPrefix, newID(t), "xhr_streaming")}

	first := stream(t, base, req)
	first.wantChunk(xhrStreamingPrelude)
	first.wantChunk("o\n")

	second := stream(t, base, req)
	second.wantChunk(xhrStreamingPrelude)
	second.wantChunk(anotherStillOn + "\n")
	second.wantEnd()

	first.c.conn.Close()
	for i := 0; ; i++ {
		r := stream(t, base, req)
		assertStatus(t, r.response, http.StatusOK)
		r.wantChunk(xhrStreamingPrelude)
		frame, err := r.nextChunk()
		if err != nil {
			t.Fatalf("%s: reading the first frame: %v", r.req, err)
		}
		switch {
		case frame == "o\n" || frame == interrupted+"\n":
			return
		case frame == anotherStillOn+"\n" && i < abortRetries:
			time.Sleep(abortRetryGap)
		default:
			t.Fatalf("%s: frame %s after the abort, want %q or %q", r.req, quote(frame), "o\n", interrupted+"\n")
		}
	}
}

// After the client aborts the pending poll, the next poll gets a fresh o (or
// 1002); never a lasting 2010 (docs/protocol.md#detach-and-abort).
func TestHandlingClose_AbortXhrPolling(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	xhr := base + sessionPath(echoPrefix, id, "xhr")

	assertBody(t, do(t, "POST", xhr, ""), "o\n")

	pending := dialRaw(t, base)
	pending.send(rawRequest{method: "POST", target: sessionPath(echoPrefix, id, "xhr")})
	time.Sleep(settle)

	r := do(t, "POST", xhr, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, anotherStillOn+"\n")

	pending.conn.Close()
	for i := 0; ; i++ {
		r := do(t, "POST", xhr, "")
		assertStatus(t, r, http.StatusOK)
		switch {
		case r.body == "o\n" || r.body == interrupted+"\n":
			return
		case r.body == anotherStillOn+"\n" && i < abortRetries:
			time.Sleep(abortRetryGap)
		default:
			t.Fatalf("%s: body %s after the abort, want %q or %q", r.req, quote(r.body), "o\n", interrupted+"\n")
		}
	}
}
