package sockjs

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
)

const greeting = "Welcome to SockJS!\n"

// iframeTemplate is the iframe page (docs/protocol.md#iframe-page), byte for
// byte as the protocol suite compares it.
const iframeTemplate = `<!DOCTYPE html>
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

// iframePage is the rendered iframe page and its validator.
type iframePage struct {
	body []byte
	etag string
}

// newIframePage renders the page for the client script at clientURL, with
// an integrity check when integrity is not empty.
func newIframePage(clientURL, integrity string) iframePage {
	src := htmlAttr(clientURL)
	if integrity != "" {
		// The attributes go after the URL so that the page is the
		// protocol's up to the end of the URL.
		src += `" integrity="` + htmlAttr(integrity) + `" crossorigin="anonymous`
	}
	body := strings.Replace(iframeTemplate, "{{SOCKJS_URL}}", src, 1)
	sum := md5.Sum([]byte(body))
	return iframePage{body: []byte(body), etag: `"` + hex.EncodeToString(sum[:]) + `"`}
}

// htmlAttr escapes the characters that could end a double-quoted attribute.
func htmlAttr(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `"`, "&quot;", `<`, "&lt;", `>`, "&gt;").Replace(s)
}

func (p iframePage) serve(w http.ResponseWriter, r *http.Request) {
	setCache1Y(w)
	w.Header().Set("ETag", p.etag)
	if r.Header.Get("If-None-Match") == p.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(p.body)))
	_, _ = w.Write(p.body)
}

// isIframeName reports whether name matches ^iframe[0-9a-z._-]*\.html$.
func isIframeName(name string) bool {
	mid, ok := strings.CutPrefix(name, "iframe")
	if !ok {
		return false
	}
	mid, ok = strings.CutSuffix(mid, ".html")
	if !ok {
		return false
	}
	for i := 0; i < len(mid); i++ {
		c := mid[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func serveGreeting(w http.ResponseWriter) {
	w.Header().Set("Content-Type", plainType)
	w.Header().Set("Content-Length", strconv.Itoa(len(greeting)))
	_, _ = w.Write([]byte(greeting))
}

// serveInfo answers GET /info (docs/protocol.md#info).
func serveInfo(w http.ResponseWriter, websocket, cookieNeeded bool) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	body := make([]byte, 0, 96)
	body = append(body, `{"websocket":`...)
	body = strconv.AppendBool(body, websocket)
	body = append(body, `,"origins":["*:*"],"cookie_needed":`...)
	body = strconv.AppendBool(body, cookieNeeded)
	body = append(body, `,"entropy":`...)
	body = strconv.AppendUint(body, uint64(binary.LittleEndian.Uint32(b[:])), 10)
	body = append(body, '}')
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}
