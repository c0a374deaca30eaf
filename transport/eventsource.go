package transport

import (
	"net/http"

	"github.com/gosockjs/sockjs/internal/frame"
)

var eventSourcePrelude = []byte("\r\n")

// EventSource serves GET /S/I/eventsource (docs/protocol.md#eventsource).
// The Content-Type is exactly text/event-stream, without a charset.
func EventSource(w http.ResponseWriter, r *http.Request, cfg *Config, acquire Acquire) {
	h := newHTTPReceiver(w, frame.AppendEventSource, cfg.ResponseLimit, cfg)
	serveReceiver(w, r, "eventsource", eventType, eventSourcePrelude, h, acquire)
}
