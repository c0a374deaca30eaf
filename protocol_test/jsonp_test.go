package protocol_test

import (
	"net/http"
	"strings"
	"testing"
)

// form is the Content-Type of the browser's jsonp_send form.
const form = "Content-Type: application/x-www-form-urlencoded"

// jsonp polling: one frame per response as /**/callback("J(F)");\r\n, and
// jsonp_send answering ok (docs/protocol.md#jsonp-polling, docs/protocol.md#jsonp-send).
func TestJsonPolling_Transport(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	jsonp := base + sessionPath(echoPrefix, id, "jsonp") + "?c=%63allback"

	r := do(t, "GET", jsonp, "")
	assertStatus(t, r, http.StatusOK)
	assertContentType(t, r, ctJavaScript)
	assertNoCache(t, r)
	assertBody(t, r, "/**/callback(\"o\");\r\n")

	r = do(t, "POST", base+sessionPath(echoPrefix, id, "jsonp_send"), "d=%5B%22x%22%5D", form)
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "ok")
	assertContentType(t, r, ctPlain)
	assertNoCache(t, r)
	if r.length != 2 {
		t.Errorf("%s: Content-Length = %d, want 2", r.req, r.length)
	}

	r = do(t, "GET", jsonp, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "/**/callback(\"a[\\\"x\\\"]\");\r\n")
}

// jsonp without a callback is 500 (docs/protocol.md#jsonp-polling).
func TestJsonPolling_NoCallback(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r := do(t, "GET", base+echoPrefix+"/a/a/jsonp", "")
	assertError(t, r, http.StatusInternalServerError, `"callback" parameter required`)
}

// jsonp with a callback outside [A-Za-z0-9_.] (sockjs-node also allows -) is 500 (docs/protocol.md#jsonp-polling).
func TestJsonPolling_InvalidCallback(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, c := range badCallbacks {
		r := do(t, "GET", base+echoPrefix+"/a/a/jsonp?c="+c, "")
		assertError(t, r, http.StatusInternalServerError, `invalid "callback" parameter`)
	}
}

// Broken and missing jsonp_send payloads are 500 with their messages and leave
// the session usable (docs/protocol.md#jsonp-send).
func TestJsonPolling_InvalidJson(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	jsonp, send := base+sessionPath(echoPrefix, id, "jsonp")+"?c=x", base+sessionPath(echoPrefix, id, "jsonp_send")

	assertBody(t, do(t, "GET", jsonp, ""), "/**/x(\"o\");\r\n")
	assertError(t, do(t, "POST", send, "d=%5B%22x", form), http.StatusInternalServerError, "Broken JSON encoding.")
	for _, body := range []string{"", "d=", "p=p"} {
		assertError(t, do(t, "POST", send, body, form), http.StatusInternalServerError, "Payload expected.")
	}

	r := do(t, "POST", send, "d=%5B%22b%22%5D", form)
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "ok")

	r = do(t, "GET", jsonp, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "/**/x(\"a[\\\"b\\\"]\");\r\n")
}

// jsonp_send takes a form field d (URL-decoded) or a raw text/plain body (not
// URL-decoded) (docs/protocol.md#jsonp-send).
func TestJsonPolling_ContentTypes(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	jsonp, send := base+sessionPath(echoPrefix, id, "jsonp")+"?c=x", base+sessionPath(echoPrefix, id, "jsonp_send")

	assertBody(t, do(t, "GET", jsonp, ""), "/**/x(\"o\");\r\n")
	for _, req := range []struct{ body, contentType string }{
		{"d=%5B%22abc%22%5D", form},
		{`["%61bc"]`, "Content-Type: text/plain"},
	} {
		r := do(t, "POST", send, req.body, req.contentType)
		assertStatus(t, r, http.StatusOK)
		assertBody(t, r, "ok")
	}

	r := do(t, "GET", jsonp, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "/**/x(\"a[\\\"abc\\\",\\\"%61bc\\\"]\");\r\n")
}

// A closed session answers every later jsonp poll with its close frame (docs/protocol.md#closing).
func TestJsonPolling_Close(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	jsonp := base + sessionPath(closePrefix, newID(t), "jsonp") + "?c=x"

	r := do(t, "GET", jsonp, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "/**/x(\"o\");\r\n")
	for range 2 {
		r = do(t, "GET", jsonp, "")
		assertStatus(t, r, http.StatusOK)
		assertBody(t, r, "/**/x(\"c[3000,\\\"Go away!\\\"]\");\r\n")
	}
}

// An empty array is a valid jsonp_send payload that delivers nothing (docs/protocol.md#client-payloads).
func TestJsonPolling_SendingEmptyFrame(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	jsonp, send := base+sessionPath(echoPrefix, id, "jsonp")+"?c=x", base+sessionPath(echoPrefix, id, "jsonp_send")

	assertBody(t, do(t, "GET", jsonp, ""), "/**/x(\"o\");\r\n")
	for _, body := range []string{"d=%5B%5D", "d=%5B%22x%22%5D"} {
		r := do(t, "POST", send, body, form)
		assertStatus(t, r, http.StatusOK)
		assertBody(t, r, "ok")
	}

	r := do(t, "GET", jsonp, "")
	assertStatus(t, r, http.StatusOK)
	assertBody(t, r, "/**/x(\"a[\\\"x\\\"]\");\r\n")
}

// A message containing </script> does not appear raw in a jsonp response
// (docs/protocol.md#decisions applied to the jsonp wrapper), and still decodes to the message.
func TestJsonPolling_ScriptEndTagEscaped(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	id := newID(t)
	jsonp := base + sessionPath(echoPrefix, id, "jsonp") + "?c=x"

	assertBody(t, do(t, "GET", jsonp, ""), "/**/x(\"o\");\r\n")
	r := do(t, "POST", base+sessionPath(echoPrefix, id, "jsonp_send"), `["</script>"]`, "Content-Type: text/plain")
	assertStatus(t, r, http.StatusOK)

	r = do(t, "GET", jsonp, "")
	assertStatus(t, r, http.StatusOK)
	const head, tail = "/**/x(", ");\r\n"
	if !strings.HasPrefix(r.body, head) || !strings.HasSuffix(r.body, tail) {
		t.Fatalf("%s: body = %s, want a /**/x(...) call", r.req, quote(r.body))
	}
	if strings.Contains(strings.ToLower(r.body), "</script") {
		t.Errorf("%s: body %s contains a raw </script", r.req, quote(r.body))
	}
	assertFrameArg(t, r.body[len(head):len(r.body)-len(tail)], []string{"</script>"})
}
