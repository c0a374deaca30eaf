package transport

import (
	"net/http"

	"github.com/gosockjs/sockjs/internal/frame"
)

// appendLine is the xhr wrapper: the frame and a newline.
func appendLine(dst, text []byte) []byte {
	dst = append(dst, text...)
	return append(dst, '\n')
}

// XHR serves POST /S/I/xhr: one frame per response
// (docs/protocol.md#xhr-polling).
func XHR(w http.ResponseWriter, r *http.Request, cfg *Config, acquire Acquire) {
	h := newHTTPReceiver(w, appendLine, 0, cfg)
	serveReceiver(w, r, "xhr", javascriptType, nil, h, acquire)
}

// XHRStreaming serves POST /S/I/xhr_streaming: a 2049-byte prelude, then
// frames until the response limit (docs/protocol.md#xhr-streaming).
func XHRStreaming(w http.ResponseWriter, r *http.Request, cfg *Config, acquire Acquire) {
	h := newHTTPReceiver(w, appendLine, cfg.ResponseLimit, cfg)
	serveReceiver(w, r, "xhr_streaming", javascriptType, frame.XHRStreamingPrelude, h, acquire)
}
