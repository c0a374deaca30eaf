package protocol_test

import (
	"net/http"
	"strings"
	"testing"
)

// iframePage is the body of the iframe page (docs/protocol.md#iframe-page); {{SOCKJS_URL}} stands
// for the configured client URL.
const iframePage = `<!DOCTYPE html>
<html>
<head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
  <script src="{{SOCKJS_URL}}"></script>
  <script>
    document.domain = document.domain;
    SockJS.bootstrap_iframe();
  </script>
</head>
<body>
  <h2>Don't panic!</h2>
  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
</body>
</html>`

// assertIframePage requires the iframe page response of docs/protocol.md#iframe-page.
func assertIframePage(t *testing.T, r response) {
	t.Helper()
	assertStatus(t, r, http.StatusOK)
	assertContentType(t, r, ctHTML)
	assertCachedForAYear(t, r)
	etag := r.header.Get("ETag")
	if len(etag) < 3 || etag[0] != '"' || etag[len(etag)-1] != '"' {
		t.Errorf("%s: ETag = %q, want a strong quoted validator", r.req, etag)
	}
	assertNoHeader(t, r, "Last-Modified")
	assertNoHeader(t, r, "Set-Cookie")

	body := strings.TrimSpace(r.body)
	_, rest, found := strings.Cut(body, `<script src="`)
	src, _, _ := strings.Cut(rest, `"`)
	if !found || !(strings.HasPrefix(src, "/") || strings.HasPrefix(src, "http")) {
		t.Errorf("%s: script URL = %q, want one starting with / or http", r.req, src)
	}
	if want := strings.Replace(iframePage, "{{SOCKJS_URL}}", src, 1); body != want {
		t.Errorf("%s: body = %s, want %s", r.req, quote(r.body), quote(want))
	}
}

// GET /iframe.html serves the iframe page, cacheable for a year (docs/protocol.md#iframe-page), and
// never sets a cookie (docs/protocol.md#jsessionid-cookie).
func TestIframePage_SimpleURL(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, prefix := range []string{echoPrefix, cookiePrefix} {
		assertIframePage(t, do(t, "GET", base+prefix+"/iframe.html", ""))
	}
}

// Versioned file names serve the same page (docs/protocol.md#url-layout).
func TestIframePage_VersionedURL(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, name := range []string{"/iframe-a.html", "/iframe-.html", "/iframe-0.1.2.html", "/iframe-0.1.2abc-dirty.2144.html"} {
		assertIframePage(t, do(t, "GET", base+echoPrefix+name, ""))
	}
}

// Query strings do not change the page (docs/protocol.md#url-layout).
func TestIframePage_QueriedURL(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, name := range []string{"/iframe-a.html?t=1234", "/iframe-0.1.2.html?t=123414", "/iframe-0.1.2abc-dirty.2144.html?t=qweqweq123"} {
		assertIframePage(t, do(t, "GET", base+echoPrefix+name, ""))
	}
}

// Names outside ^iframe[0-9a-z._-]*\.html$ are 404 (docs/protocol.md#url-layout).
func TestIframePage_InvalidURL(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	for _, name := range []string{"/iframe.htm", "/iframe", "/IFRAME.HTML", "/IFRAME", "/iframe.HTML", "/iframe.xml", "/iframe-/.html"} {
		assertStatus(t, do(t, "GET", base+echoPrefix+name, ""), http.StatusNotFound)
	}
}

// The ETag is stable, and a matching If-None-Match gets 304 with no body and
// no Content-Type (docs/protocol.md#iframe-page).
func TestIframePage_Cacheability(t *testing.T) {
	t.Parallel()
	base := newServer(t)
	r1 := do(t, "GET", base+echoPrefix+"/iframe.html", "")
	r2 := do(t, "GET", base+echoPrefix+"/iframe.html", "")
	etag := r1.header.Get("ETag")
	if etag == "" || r2.header.Get("ETag") != etag {
		t.Fatalf("ETags %q and %q, want the same non-empty value", etag, r2.header.Get("ETag"))
	}
	r := do(t, "GET", base+echoPrefix+"/iframe.html", "", "If-None-Match: "+etag)
	assertStatus(t, r, http.StatusNotModified)
	assertNoHeader(t, r, "Content-Type")
	assertBody(t, r, "")
}
