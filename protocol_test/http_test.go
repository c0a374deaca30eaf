package protocol_test

import (
	"net/http"
	"strings"
	"testing"
)

// An HTTP/1.0 keep-alive request for a fixed response gets no chunking, and
// either a Content-Length with a working keep-alive (or a close), or no length
// and a close (docs/protocol.md#one-chunk-per-frame).
func TestHttp10_Synchronous(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	c := dialRaw(t, base)
	req := rawRequest{proto: "HTTP/1.0", method: "GET", target: echoPrefix, header: []string{"Connection: Keep-Alive"}}
	c.send(req)
	r := c.readHead(req.String())
	assertStatus(t, r.response, http.StatusOK)
	assertNoHeader(t, r.response, "Transfer-Encoding")

	if r.length < 0 {
		assertHeader(t, r.response, "Connection", "close")
		if body := c.readToClose(r.req); body != greeting {
			t.Errorf("%s: body = %s, want %s", r.req, quote(body), quote(greeting))
		}
		return
	}
	if r.length != int64(len(greeting)) {
		t.Fatalf("%s: Content-Length = %d, want %d", r.req, r.length, len(greeting))
	}
	r.readBody()
	assertBody(t, r.response, greeting)
	if !strings.EqualFold(r.header.Get("Connection"), "keep-alive") {
		if rest := c.readToClose(r.req); rest != "" {
			t.Errorf("%s: %s after the body, want the connection closed", r.req, quote(rest))
		}
		return
	}
	c.send(req)
	r = c.readHead("second " + req.String())
	assertStatus(t, r.response, http.StatusOK)
	r.readBody()
	assertBody(t, r.response, greeting)
}

// An HTTP/1.0 stream has no Transfer-Encoding and no Content-Length, and the
// server closes the connection when it ends (docs/protocol.md#one-chunk-per-frame).
func TestHttp10_Streaming(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	c := dialRaw(t, base)
	req := rawRequest{proto: "HTTP/1.0", method: "POST", target: sessionPath(closePrefix, newID(t), "xhr_streaming"), header: []string{"Connection: Keep-Alive"}}
	c.send(req)
	r := c.readHead(req.String())
	assertStatus(t, r.response, http.StatusOK)
	assertNoHeader(t, r.response, "Transfer-Encoding")
	assertNoHeader(t, r.response, "Content-Length")
	want := xhrStreamingPrelude + "o\n" + goAway + "\n"
	if body := c.readToClose(r.req); body != want {
		t.Errorf("%s: body = %s, want %s", r.req, quote(body), quote(want))
	}
}

// HTTP/1.1 keeps the connection alive after a fixed response (docs/protocol.md#one-chunk-per-frame).
func TestHttp11_Synchronous(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	c := dialRaw(t, base)
	req := rawRequest{method: "GET", target: echoPrefix, header: []string{"Connection: keep-alive"}}
	for _, what := range []string{"first ", "second "} {
		c.send(req)
		r := c.readHead(what + req.String())
		assertStatus(t, r.response, http.StatusOK)
		if conn := r.header.Get("Connection"); conn != "" && !strings.EqualFold(conn, "keep-alive") {
			t.Errorf("%s: Connection = %q, want none or keep-alive", r.req, conn)
		}
		if !r.chunked() && r.length != int64(len(greeting)) {
			t.Fatalf("%s: Content-Length = %d, want %d or chunked", r.req, r.length, len(greeting))
		}
		r.readBody()
		assertBody(t, r.response, greeting)
	}
}

// An HTTP/1.1 stream is chunked, one chunk per prelude and frame, and ends with
// the terminating chunk (docs/protocol.md#one-chunk-per-frame).
func TestHttp11_Streaming(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := stream(t, base, rawRequest{method: "POST", target: sessionPath(closePrefix, newID(t), "xhr_streaming")})
	assertStatus(t, r.response, http.StatusOK)
	assertHeader(t, r.response, "Transfer-Encoding", "chunked")
	assertNoHeader(t, r.response, "Content-Length")
	r.wantChunk(xhrStreamingPrelude)
	r.wantChunk("o\n")
	r.wantChunk(goAway + "\n")
	r.wantEnd()
}

// A POST without Content-Length has an empty body (docs/protocol.md#request-bodies).
func TestHttpQuirks_EmptyContentLengthForPost(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := roundTrip(t, base, rawRequest{method: "POST", target: sessionPath(echoPrefix, newID(t), "xhr"), omitLength: true})
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "o\n")
}
