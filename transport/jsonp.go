package transport

import (
	"net/http"

	"github.com/gosockjs/sockjs/internal/frame"
)

// JSONP serves GET /S/I/jsonp?c=callback: one frame per response as a
// script call (docs/protocol.md#jsonp-polling). The caller has validated
// callback.
func JSONP(w http.ResponseWriter, r *http.Request, cfg *Config, callback string, acquire Acquire) {
	wrap := func(dst, text []byte) []byte { return frame.AppendJSONP(dst, callback, text) }
	h := newHTTPReceiver(w, wrap, 0, cfg)
	w.Header()["X-Content-Type-Options"] = nosniff
	serveReceiver(w, r, "jsonp", javascriptType, nil, h, acquire)
}
