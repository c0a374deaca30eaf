package sockjs

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gosockjs/sockjs/session"
)

const notFoundBody = "404 Error: Page not found\n"

// reject refuses a request: it counts the reason, logs it, and answers
// with status and msg (no body when msg is empty, as a 405 wants), keeping
// the headers set so far (CORS, caching, cookie, Allow).
//
// attrs are extra key-value pairs for the log (such as "error" with what
// Authorize returned).
func (h *Handler) reject(w http.ResponseWriter, r *http.Request, reason string, status int, msg string, attrs ...any) {
	h.rejected(r, reason, attrs...)
	writeError(w, status, msg)
}

// rejected counts and logs a refused request whose answer someone else
// writes (a transport, for a session the registry refused).
func (h *Handler) rejected(r *http.Request, reason string, attrs ...any) {
	h.metrics.RequestRejected(reason)
	h.logRejection(reason, append([]any{"method", r.Method, "path", r.URL.EscapedPath(), "remote", r.RemoteAddr}, attrs...)...)
}

// logRejection logs one rejection at Debug, with the stable attributes
// prefix and reason (a Reject* constant) first, within the log budget.
func (h *Handler) logRejection(reason string, attrs ...any) {
	if h.logger == nil || !h.logger.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	suppressed, ok := h.logBudget.take(time.Now())
	if !ok {
		return
	}
	head := []any{"prefix", h.prefix, "reason", reason}
	if suppressed > 0 {
		head = append(head, "suppressed", suppressed)
	}
	h.logger.Debug("sockjs: request rejected", append(head, attrs...)...)
}

// logBudget bounds the rejections a Handler logs, so that a flood of bad
// requests cannot flood the log: rejectLogRate lines a second after a burst
// of as many. The first line after a gap says how many were left out
// ("suppressed"); Metrics counts them all.
type logBudget struct {
	mu         sync.Mutex
	tokens     float64
	last       time.Time
	suppressed int
}

const rejectLogRate = 10

// take reports whether a line may be logged now, and how many were
// suppressed before it.
func (b *logBudget) take(now time.Time) (suppressed int, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.last.IsZero() {
		b.tokens = rejectLogRate
	} else {
		b.tokens = min(rejectLogRate, b.tokens+now.Sub(b.last).Seconds()*rejectLogRate)
	}
	b.last = now
	if b.tokens < 1 {
		b.suppressed++
		return 0, false
	}
	b.tokens--
	suppressed, b.suppressed = b.suppressed, 0
	return suppressed, true
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

func (o transportObserver) WebsocketActive(s *session.Session) {
	if app := appSession(s); app != nil {
		app.touch()
	}
}

func (o transportObserver) RequestRejected(reason string) {
	o.h.metrics.RequestRejected(reason)
	o.h.logRejection(reason)
}
