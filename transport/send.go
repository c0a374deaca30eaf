package transport

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/gosockjs/sockjs/internal/frame"
	"github.com/gosockjs/sockjs/session"
)

var okLength = []string{"2"}

// errTooLarge refuses a body over the size limit.
var errTooLarge = errors.New("payload too large")

// XHRSend serves POST /S/I/xhr_send (docs/protocol.md#xhr-send): 204 once
// the application has taken the messages.
func XHRSend(w http.ResponseWriter, r *http.Request, cfg *Config, lookup Lookup) {
	body, err := readBody(w, r, cfg.MaxBodySize)
	if err != nil {
		sendError(w, err, cfg.Observer)
		return
	}
	msgs, err := frame.DecodeMessages(body, cfg.MaxMessages)
	if err != nil {
		sendError(w, err, cfg.Observer)
		return
	}
	if !deliver(w, r, msgs, lookup, cfg.Observer) {
		return
	}
	w.Header()["Content-Type"] = plainType
	w.WriteHeader(http.StatusNoContent)
}

// JSONPSend serves POST /S/I/jsonp_send (docs/protocol.md#jsonp-send): a
// form field d or a raw JSON body; 200 "ok" once the application has taken the messages.
func JSONPSend(w http.ResponseWriter, r *http.Request, cfg *Config, lookup Lookup) {
	body, err := readBody(w, r, cfg.MaxBodySize)
	if err != nil {
		sendError(w, err, cfg.Observer)
		return
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			sendError(w, frame.ErrBrokenJSON, cfg.Observer)
			return
		}
		body = []byte(form.Get("d"))
	}
	msgs, err := frame.DecodeMessages(body, cfg.MaxMessages)
	if err != nil {
		sendError(w, err, cfg.Observer)
		return
	}
	if !deliver(w, r, msgs, lookup, cfg.Observer) {
		return
	}
	w.Header()["Content-Type"] = plainType
	w.Header()["Content-Length"] = okLength
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok")
}

// readBody reads the whole body, at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, errTooLarge
	}
	return body, err
}

// deliver hands msgs to the session and reports whether the request should
// be answered with success. It answers the failures itself.
func deliver(w http.ResponseWriter, r *http.Request, msgs []string, lookup Lookup, obs Observer) bool {
	s, err := lookup()
	switch {
	case err != nil:
		refuse(w, err)
		return false
	case s == nil:
		obs.RequestRejected(RejectUnknownSession)
		plainError(w, "Session not found.", http.StatusNotFound)
		return false
	}
	// Deliver takes msgs over (it drops each message once taken), so count first.
	count, bytes := len(msgs), totalLen(msgs)
	switch err := s.Deliver(r.Context(), msgs); {
	case errors.Is(err, session.ErrPayloadTooLarge):
		obs.RequestRejected(RejectTooLarge)
		plainError(w, "Too many messages at once.", http.StatusRequestEntityTooLarge)
		return false
	case errors.Is(err, session.ErrInboxFull):
		obs.RequestRejected(RejectInboxFull)
		plainError(w, "Too many pending messages.", http.StatusServiceUnavailable)
		return false
	case err != nil:
		// The client went away while the application was not reading.
		return false
	}
	obs.MessagesReceived(count, bytes)
	return true
}

// totalLen returns the number of bytes in msgs.
func totalLen(msgs []string) int {
	n := 0
	for _, m := range msgs {
		n += len(m)
	}
	return n
}

// sendError answers a sending request whose body was refused.
func sendError(w http.ResponseWriter, err error, obs Observer) {
	switch {
	case errors.Is(err, frame.ErrTooManyMessages):
		obs.RequestRejected(RejectTooLarge)
		plainError(w, "Too many messages at once.", http.StatusRequestEntityTooLarge)
	case errors.Is(err, errTooLarge):
		obs.RequestRejected(RejectTooLarge)
		plainError(w, "Payload too large.", http.StatusRequestEntityTooLarge)
	case errors.Is(err, frame.ErrBrokenJSON), errors.Is(err, frame.ErrPayloadExpected):
		obs.RequestRejected(RejectPayload)
		plainError(w, err.Error(), http.StatusInternalServerError)
	default:
		plainError(w, "Cannot read the request body.", http.StatusBadRequest)
	}
}
