package sockjs

import (
	"net/http"

	"github.com/gosockjs/sockjs/internal/frame"
)

// admit runs a request through the checks its endpoint needs, in one order
// for every endpoint: route, preflight, method, origin and site, caching
// and cookie headers, callback, authorization. It answers every refusal
// itself and returns false then.
func (h *Handler) admit(w http.ResponseWriter, r *http.Request, rest string) (*endpoint, *request, bool) {
	e, id := route(rest)
	if e == nil || !h.enabled(e.transports) {
		h.reject(w, r, RejectNotFound, http.StatusNotFound, notFoundBody)
		return nil, nil, false
	}
	if r.Method == http.MethodOptions && e.preflight != "" {
		if h.checkOrigin(w, r) {
			setCORS(w, r)
			h.cookie(w, r)
			preflight(w, e.preflight)
		}
		return nil, nil, false
	}
	if r.Method != e.method {
		w.Header().Set("Allow", e.allow)
		h.reject(w, r, RejectMethod, http.StatusMethodNotAllowed, "")
		return nil, nil, false
	}
	if e.origin && !h.checkOrigin(w, r) || e.session && h.crossSite(w, r) {
		return nil, nil, false
	}
	if e.cors {
		setCORS(w, r)
	}
	if e.noCache {
		setNoCache(w)
	}
	if e.cookie {
		h.cookie(w, r)
	}
	q := &request{w: w, r: r, id: id}
	if e.callback {
		var ok bool
		if q.callback, ok = h.callbackParam(w, r); !ok {
			return nil, nil, false
		}
	}
	if e.session {
		var ok bool
		if q.client, ok = h.authorize(w, r); !ok {
			return nil, nil, false
		}
	}
	return e, q, true
}

// checkOrigin refuses (403) a request whose Origin the policy does not
// allow. It is the only origin decision: HTTP transports and websocket
// handshakes alike pass through it, and the websocket library is told to
// trust it.
func (h *Handler) checkOrigin(w http.ResponseWriter, r *http.Request) bool {
	if !h.origins.allows(r, h.scheme(r), r.Header.Get("Origin")) {
		h.reject(w, r, RejectOrigin, http.StatusForbidden, "Origin not allowed.")
		return false
	}
	return true
}

// callbackParam returns the validated callback name of a jsonp or htmlfile
// request, or answers 500 as the protocol says
// (docs/protocol.md#jsonp-polling).
func (h *Handler) callbackParam(w http.ResponseWriter, r *http.Request) (string, bool) {
	q := r.URL.Query()
	callback := q.Get("c")
	if callback == "" {
		callback = q.Get("callback")
	}
	switch {
	case callback == "":
		h.reject(w, r, RejectCallback, http.StatusInternalServerError, `"callback" parameter required`)
		return "", false
	case !frame.ValidCallback(callback):
		h.reject(w, r, RejectCallback, http.StatusInternalServerError, `invalid "callback" parameter`)
		return "", false
	}
	return callback, true
}

func (h *Handler) cookie(w http.ResponseWriter, r *http.Request) {
	if h.opts.JSessionID {
		setJSessionID(w, r)
	}
}

func (h *Handler) enabled(t Transport) bool { return h.opts.Disabled&t == 0 }
