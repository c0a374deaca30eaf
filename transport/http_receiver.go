package transport

import (
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gosockjs/sockjs/session"
)

// wrapFunc appends one frame's text in a transport's wrapper.
type wrapFunc func(dst, text []byte) []byte

// httpReceiver is a receiving HTTP response. Each frame is written with one
// Write call and flushed, so that it travels as exactly one HTTP chunk
// (docs/protocol.md#one-chunk-per-frame).
type httpReceiver struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	wrap    wrapFunc
	limit   int           // bytes before the response is full; 0 for polling
	timeout time.Duration // write deadline per frame
	obs     Observer
	done    chan struct{} // closed by End: the handler may return

	// Owned by the writer goroutine of the moment; writes never overlap.
	written int    // bytes of frames written so far, prelude excluded
	text    []byte // the frame's SockJS text
	out     []byte // the frame in its wrapper
}

func newHTTPReceiver(w http.ResponseWriter, wrap wrapFunc, limit int, cfg *Config) *httpReceiver {
	return &httpReceiver{
		w:       w,
		rc:      http.NewResponseController(w),
		wrap:    wrap,
		limit:   limit,
		timeout: cfg.WriteTimeout,
		obs:     cfg.Observer,
		done:    make(chan struct{}),
	}
}

// Write implements session.Receiver.
func (h *httpReceiver) Write(frames []session.Frame) (written int, full bool, err error) {
	defer h.shrink()
	for i, f := range frames {
		h.text = appendFrame(h.text[:0], f)
		h.out = h.wrap(h.out[:0], h.text)
		if err := h.send(h.out); err != nil {
			return i, true, err
		}
		h.written += len(h.out)
		if f.Kind == session.FrameMessages {
			h.obs.MessagesSent(len(f.Messages), len(h.out))
		}
		if h.limit == 0 || h.written >= h.limit || f.Kind == session.FrameClose {
			return i + 1, true, nil
		}
	}
	return len(frames), false, nil
}

// shrink lets go of frame buffers grown for a large frame: a streaming
// response that carried one large message keeps no memory for it.
func (h *httpReceiver) shrink() {
	if cap(h.text) > keptWriteBuffer {
		h.text = nil
	}
	if cap(h.out) > keptWriteBuffer {
		h.out = nil
	}
}

// send writes p as one flushed chunk within the write deadline. A polling
// response is not flushed: its one frame is the whole body, which net/http
// sends with the headers in one write, with a Content-Length, when the
// handler returns.
func (h *httpReceiver) send(p []byte) error {
	_ = h.rc.SetWriteDeadline(time.Now().Add(h.timeout))
	if _, err := h.w.Write(p); err != nil {
		return err
	}
	if h.limit == 0 {
		return nil
	}
	return h.rc.Flush()
}

// End implements session.Receiver.
func (h *httpReceiver) End() { close(h.done) }

// DelayDisconnect implements session.Receiver: HTTP sessions outlive their
// requests.
func (h *httpReceiver) DelayDisconnect() bool { return true }

// maxAttachAttempts bounds how often a receiving request looks for its
// session again when the one it found ended before taking it.
const maxAttachAttempts = 3

// serveReceiver runs a receiving request: status and prelude, then the
// session, until the session lets go of the receiver or the client leaves.
// The caller has set every header but Content-Type.
func serveReceiver(w http.ResponseWriter, r *http.Request, name string, contentType []string, prelude []byte, h *httpReceiver, acquire Acquire) {
	// net/http notices a client that went away only once the body is read.
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<16))

	s, err := acquire(name)
	if err != nil {
		refuse(w, err)
		return
	}
	w.Header()["Content-Type"] = contentType
	if h.limit > 0 && r.ProtoMajor == 1 {
		// A streaming response's connection is not kept alive. A browser
		// that abandons a response it could reuse the connection after
		// (Chromium, when an iframe or XHR goes away between two reads)
		// keeps reading it for up to 5 s to drain it; the server would see
		// the abort, and end the session, only then. With "close" the
		// browser drops the socket at once. HTTP/2 is left alone: there the
		// header would shut down the whole connection, and an abandoned
		// stream is reset at once anyway.
		w.Header()["Connection"] = closeConnection
	}
	if len(prelude) > 0 {
		w.WriteHeader(http.StatusOK)
		if h.send(prelude) != nil {
			return
		}
	}
	// The session may end between lookup and attach; a new one then takes
	// its place, so try again a few times.
	for attempt := 1; ; attempt++ {
		if err = s.Attach(h); err == nil {
			break
		}
		if attempt == maxAttachAttempts {
			return
		}
		if s, err = acquire(name); err != nil {
			return
		}
	}
	select {
	case <-h.done:
	case <-r.Context().Done():
		s.Abort(h)
		<-h.done
	}
}

// refuse answers a request that cannot have its session: with the
// error's own status if it has one, else 503.
func refuse(w http.ResponseWriter, err error) {
	status := http.StatusServiceUnavailable
	var se StatusError
	if errors.As(err, &se) {
		status = se.HTTPStatus()
	}
	plainError(w, err.Error(), status)
}

// plainError answers with a text/plain error, keeping the headers already
// set (CORS, caching, cookie), as the protocol's error responses do.
func plainError(w http.ResponseWriter, msg string, code int) {
	w.Header()["Content-Type"] = plainType
	w.WriteHeader(code)
	_, _ = io.WriteString(w, msg)
}

// Header values shared by every response. net/http only reads header
// values, so assigning these slices saves an allocation per header.
var (
	plainType       = []string{"text/plain; charset=UTF-8"}
	javascriptType  = []string{"application/javascript; charset=UTF-8"}
	eventType       = []string{"text/event-stream"}
	htmlType        = []string{"text/html; charset=UTF-8"}
	nosniff         = []string{"nosniff"}
	closeConnection = []string{"close"}
)
