package frame_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gosockjs/sockjs/internal/frame"
)

// appendixBHead is the htmlfile head (docs/protocol.md#htmlfile-prelude) for
// the callback "callback", as the upstream suite compares it.
const appendixBHead = `<!doctype html>
<html><head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head><body><h2>Don't panic!</h2>
  <script>
    document.domain = document.domain;
    var c = parent.callback;
    c.start();
    function p(d) {c.message(d);};
    window.onload = function() {c.stop();};
  </script>
`

func TestHTMLFilePreludeExact(t *testing.T) {
	t.Parallel()
	got := frame.HTMLFilePrelude("callback")
	want := "\n" + appendixBHead + strings.Repeat(" ", 651) + "\r\n\r\n"
	equal(t, "prelude", string(got), want)
	if len(got) != 1035 {
		t.Errorf("length = %d, want 1035", len(got))
	}
}

// TestHTMLFilePreludeSuiteCheck is what HtmlFile.test_transport checks: the
// stripped chunk is the head, and the chunk is longer than 1024 bytes.
func TestHTMLFilePreludeSuiteCheck(t *testing.T) {
	t.Parallel()
	got := frame.HTMLFilePrelude("callback")
	equal(t, "stripped", string(bytes.TrimSpace(got)), strings.TrimSpace(appendixBHead))
	if len(got) <= 1024 {
		t.Errorf("length = %d, want > 1024", len(got))
	}
}

func TestHTMLFilePreludeLength(t *testing.T) {
	t.Parallel()
	for _, cb := range []string{"c", "callback", "_jp.a1b2c3", strings.Repeat("x", 32)} {
		got := frame.HTMLFilePrelude(cb)
		if len(got) != 1027+len(cb) {
			t.Errorf("%q: length = %d, want %d", cb, len(got), 1027+len(cb))
		}
		if !bytes.Contains(got, []byte("var c = parent."+cb+";\n")) {
			t.Errorf("%q: callback not inserted", cb)
		}
	}
}

func TestHTMLFilePreludeIsFresh(t *testing.T) {
	t.Parallel()
	a := frame.HTMLFilePrelude("a")
	a[1] = 'X'
	if b := frame.HTMLFilePrelude("a"); b[1] != '<' {
		t.Error("HTMLFilePrelude returned shared memory")
	}
}

func TestXHRStreamingPrelude(t *testing.T) {
	t.Parallel()
	equal(t, "prelude", string(frame.XHRStreamingPrelude), strings.Repeat("h", 2048)+"\n")
	if len(frame.XHRStreamingPrelude) != 2049 {
		t.Errorf("length = %d, want 2049", len(frame.XHRStreamingPrelude))
	}
}
