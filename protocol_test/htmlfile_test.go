package protocol_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// htmlfileHead is the htmlfile prelude's document head (docs/protocol.md#htmlfile-prelude);
// {{CALLBACK}} stands for the callback.
const htmlfileHead = `<!doctype html>
<html><head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head><body><h2>Don't panic!</h2>
  <script>
    document.domain = document.domain;
    var c = parent.{{CALLBACK}};
    c.start();
    function p(d) {c.message(d);};
    window.onload = function() {c.stop();};
  </script>
`

// badCallbacks are callbacks with characters outside [A-Za-z0-9_.-], as they
// appear in the query string.
var badCallbacks = []string{"%20", "*", "abc(", "abc%28"}

// htmlfile: the padded head as the first chunk, then one <script> chunk per
// frame (docs/protocol.md#htmlfile).
func TestHtmlFile_Transport(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	r := stream(t, base, rawRequest{method: "GET", target: sessionPath(echoPrefix, id, "htmlfile") + "?c=%63allback"})
	assertStatus(t, r.response, http.StatusOK)
	assertContentType(t, r.response, ctHTML)
	assertNoCache(t, r.response)

	prelude, err := r.nextChunk()
	if err != nil {
		t.Fatalf("%s: reading the prelude: %v", r.req, err)
	}
	if want := strings.Replace(htmlfileHead, "{{CALLBACK}}", "callback", 1); strings.TrimSpace(prelude) != strings.TrimSpace(want) {
		t.Errorf("%s: prelude = %s, want %s", r.req, quote(prelude), quote(want))
	}
	if len(prelude) <= 1024 {
		t.Errorf("%s: prelude is %d bytes, want more than 1024", r.req, len(prelude))
	}
	r.wantChunk("<script>\np(\"o\");\n</script>\r\n")

	assertStatus(t, do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["x"]`), http.StatusNoContent)
	r.wantChunk("<script>\np(\"a[\\\"x\\\"]\");\n</script>\r\n")
}

// htmlfile without a callback is 500 (docs/protocol.md#htmlfile).
func TestHtmlFile_NoCallback(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := do(t, "GET", base+echoPrefix+"/a/a/htmlfile", "")
	assertError(t, r, http.StatusInternalServerError, `"callback" parameter required`)
}

// htmlfile with a callback outside [A-Za-z0-9_.] (sockjs-node also allows -) is 500 (docs/protocol.md#htmlfile).
func TestHtmlFile_InvalidCallback(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, c := range badCallbacks {
		r := do(t, "GET", base+echoPrefix+"/a/a/htmlfile?c="+c, "")
		assertError(t, r, http.StatusInternalServerError, `invalid "callback" parameter`)
	}
}

// One frame over response_limit ends the stream right after it (docs/protocol.md#response-limit).
func TestHtmlFile_ResponseLimit(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	r := stream(t, base, rawRequest{method: "GET", target: sessionPath(echoPrefix, id, "htmlfile") + "?c=%63allback"})
	assertStatus(t, r.response, http.StatusOK)
	if _, err := r.nextChunk(); err != nil {
		t.Fatalf("%s: reading the prelude: %v", r.req, err)
	}
	r.wantChunk("<script>\np(\"o\");\n</script>\r\n")

	msg := strings.Repeat("x", 4096)
	assertStatus(t, do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["`+msg+`"]`), http.StatusNoContent)
	r.wantChunk("<script>\np(\"a[\\\"" + msg + "\\\"]\");\n</script>\r\n")
	r.wantEnd()
}

// A message containing </script> cannot end the htmlfile script block: the
// frame's JSON escapes it, and still decodes to the message (docs/protocol.md#decisions).
func TestHtmlFile_ScriptEndTagEscaped(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	r := stream(t, base, rawRequest{method: "GET", target: sessionPath(echoPrefix, id, "htmlfile") + "?c=callback"})
	assertStatus(t, r.response, http.StatusOK)
	if _, err := r.nextChunk(); err != nil {
		t.Fatalf("%s: reading the prelude: %v", r.req, err)
	}
	r.wantChunk("<script>\np(\"o\");\n</script>\r\n")

	assertStatus(t, do(t, "POST", base+sessionPath(echoPrefix, id, "xhr_send"), `["</script>"]`), http.StatusNoContent)
	chunk, err := r.nextChunk()
	if err != nil {
		t.Fatalf("%s: reading the frame: %v", r.req, err)
	}
	const head, tail = "<script>\np(", ");\n</script>\r\n"
	if !strings.HasPrefix(chunk, head) || !strings.HasSuffix(chunk, tail) {
		t.Fatalf("%s: chunk = %s, want a <script> frame", r.req, quote(chunk))
	}
	arg := chunk[len(head) : len(chunk)-len(tail)]
	if strings.Contains(strings.ToLower(arg), "</script") {
		t.Errorf("%s: frame %s contains a raw </script", r.req, quote(chunk))
	}
	assertFrameArg(t, arg, []string{"</script>"})
}

// assertFrameArg requires arg, a frame encoded as a JSON string (J(F) of docs/protocol.md#transports),
// to be an a frame carrying want.
func assertFrameArg(t *testing.T, arg string, want []string) {
	t.Helper()
	var frame string
	if err := json.Unmarshal([]byte(arg), &frame); err != nil {
		t.Fatalf("frame argument %s is not a JSON string: %v", quote(arg), err)
	}
	var got []string
	if !strings.HasPrefix(frame, "a") || json.Unmarshal([]byte(frame[1:]), &got) != nil || !slices.Equal(got, want) {
		t.Errorf("frame %s, want an a frame of %q", quote(frame), want)
	}
}
