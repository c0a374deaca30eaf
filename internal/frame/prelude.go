package frame

import "strings"

// XHRStreamingPrelude is the first chunk of every xhr_streaming response:
// 2048 'h' bytes and a newline (docs/protocol.md#xhr-streaming). Old Internet Explorer
// delivers nothing of a streamed XHR before 2 KiB have arrived; the client
// reads the line as a heartbeat.
//
// It is a shared slice so that writing it costs no allocation. Treat it as
// read-only: pass it to io.Writer.Write, which must not modify it, and never
// append to it or change its bytes.
var XHRStreamingPrelude = []byte(strings.Repeat("h", 2048) + "\n")

// The htmlfile prelude is "\n" + head + padding + "\r\n\r\n", where head is
// the document head of docs/protocol.md#htmlfile-prelude with the callback
// between the two halves below.
const (
	htmlFileHeadStart = "\n" + `<!doctype html>
<html><head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head><body><h2>Don't panic!</h2>
  <script>
    document.domain = document.domain;
    var c = parent.`
	htmlFileHeadEnd = `;
    c.start();
    function p(d) {c.message(d);};
    window.onload = function() {c.stop();};
  </script>
`
	htmlFileEnd = "\r\n\r\n"
)

// htmlFilePadding is the run of spaces after the head. Safari renders nothing
// of a streamed page before about 1 KiB; 651 spaces is what Node's formula
// gives (it pads the template, measured with a 14-byte placeholder, to 1037
// bytes), which makes the prelude 1027 + len(callback) bytes.
var htmlFilePadding = strings.Repeat(" ", 651)

// HTMLFilePrelude returns the first chunk of an htmlfile response for
// callback (docs/protocol.md#htmlfile-prelude): the HTML head whose script calls
// parent.<callback>.start() and defines p(d) for the frames that follow,
// padded with spaces and ended by "\r\n\r\n". It is 1027 + len(callback)
// bytes long. callback is inserted as is: the caller must have checked it
// with ValidCallback. Each call returns a new slice.
func HTMLFilePrelude(callback string) []byte {
	n := len(htmlFileHeadStart) + len(callback) + len(htmlFileHeadEnd) + len(htmlFilePadding) + len(htmlFileEnd)
	b := make([]byte, 0, n)
	b = append(b, htmlFileHeadStart...)
	b = append(b, callback...)
	b = append(b, htmlFileHeadEnd...)
	b = append(b, htmlFilePadding...)
	return append(b, htmlFileEnd...)
}
