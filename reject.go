package sockjs

import "net/http"

const notFoundBody = "404 Error: Page not found\n"

// reject refuses a request: it counts the reason, logs it, and answers
// with status and msg (no body when msg is empty, as a 405 wants), keeping
// the headers set so far (CORS, caching, cookie, Allow).
func (h *Handler) reject(w http.ResponseWriter, r *http.Request, reason string, status int, msg string) {
	h.rejected(r, reason)
	writeError(w, status, msg)
}

// rejected counts and logs a refused request whose answer someone else
// writes (a transport, for a session the registry refused).
func (h *Handler) rejected(r *http.Request, reason string) {
	h.metrics.RequestRejected(reason)
	if h.logger != nil {
		h.logger.Debug("sockjs: request rejected", "prefix", h.prefix, "reason", reason, "method", r.Method, "path", r.URL.EscapedPath(), "remote", r.RemoteAddr)
	}
}

// writeError is the root package's only error writer: a plain-text body,
// or none when msg is empty.
func writeError(w http.ResponseWriter, status int, msg string) {
	if msg == "" {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", plainType)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg))
}

// transportObserver passes the transports' counts to the Metrics and logs
// their rejections, so that those are logged like the Handler's own.
type transportObserver struct{ h *Handler }

func (o transportObserver) MessagesReceived(n, bytes int) { o.h.metrics.MessagesReceived(n, bytes) }
func (o transportObserver) MessagesSent(n, bytes int)     { o.h.metrics.MessagesSent(n, bytes) }

func (o transportObserver) RequestRejected(reason string) {
	o.h.metrics.RequestRejected(reason)
	if o.h.logger != nil {
		o.h.logger.Debug("sockjs: request rejected", "prefix", o.h.prefix, "reason", reason)
	}
}
