package transport

import (
	"net/http"

	"github.com/gosockjs/sockjs/internal/frame"
)

// HTMLFile serves GET /S/I/htmlfile?c=callback (docs/protocol.md#htmlfile).
// The caller has validated callback.
func HTMLFile(w http.ResponseWriter, r *http.Request, cfg *Config, callback string, acquire Acquire) {
	h := newHTTPReceiver(w, frame.AppendHTMLFile, cfg.ResponseLimit, cfg)
	serveReceiver(w, r, "htmlfile", htmlType, frame.HTMLFilePrelude(callback), h, acquire)
}
