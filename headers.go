package sockjs

import (
	"net/http"
	"time"
)

const (
	oneYear   = 365 * 24 * time.Hour
	cache1Y   = "public, max-age=31536000"
	maxAge1Y  = "31536000"
	plainType = "text/plain; charset=UTF-8"
)

// Header values of the hot paths. net/http only reads header values, so
// assigning these shared slices saves an allocation per header and request.
var (
	noCacheValue = []string{"no-store, no-cache, no-transform, must-revalidate, max-age=0"}
	varyOrigin   = []string{"Origin"}
	anyOrigin    = []string{"*"}
	credentials  = []string{"true"}
)

// setNoCache marks a response as private and uncacheable (docs/protocol.md#caching-headers).
func setNoCache(w http.ResponseWriter) {
	w.Header()["Cache-Control"] = noCacheValue
}

// setCache1Y marks a response as cacheable for a year.
func setCache1Y(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", cache1Y)
	w.Header().Set("Expires", time.Now().Add(oneYear).UTC().Format(http.TimeFormat))
}

// setCORS answers the request's origin (docs/protocol.md#cors). The caller
// has checked that the origin is allowed.
func setCORS(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if _, set := h["Vary"]; set {
		h.Add("Vary", "Origin") // keep what a middleware set
	} else {
		h["Vary"] = varyOrigin
	}
	if origin := r.Header["Origin"]; len(origin) > 0 && origin[0] != "" {
		h["Access-Control-Allow-Origin"] = origin[:1:1]
		h["Access-Control-Allow-Credentials"] = credentials
	} else {
		h["Access-Control-Allow-Origin"] = anyOrigin
	}
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
}

// setJSessionID sets the sticky-session cookie
// (docs/protocol.md#jsessionid-cookie): the request's value, or "dummy".
func setJSessionID(w http.ResponseWriter, r *http.Request) {
	value := "dummy"
	if c, err := r.Cookie("JSESSIONID"); err == nil && c.Value != "" {
		value = c.Value
	}
	// Written by hand: the protocol wants "path=/" as the first attribute.
	w.Header().Add("Set-Cookie", "JSESSIONID="+value+"; path=/")
}

// preflight answers an OPTIONS request (docs/protocol.md#preflight).
func preflight(w http.ResponseWriter, methods string) {
	setCache1Y(w)
	w.Header().Set("Access-Control-Max-Age", maxAge1Y)
	w.Header().Set("Access-Control-Allow-Methods", methods)
	w.WriteHeader(http.StatusNoContent)
}
