package sockjs

import "net/http"

// crossSite refuses (403) a session request that a browser made from
// another site without an Origin header: a top-level navigation, an iframe,
// a script or an image. Browsers send Origin on fetches, XHR, EventSource
// from other origins and websocket handshakes, which the origin policy
// decides; these requests carry none, so the policy cannot tell which page
// made them. Cookies travel with them, so such a request could open a
// session, with an id the attacker chose, on the victim's cookies. The
// browser still says where it comes from in Sec-Fetch-Site:
//
//   - "cross-site" is refused unless every origin is allowed ("*");
//   - "same-site" (a sibling subdomain) is refused when the policy is
//     same origin only, and allowed when AllowedOrigins lists origins,
//     since the page may be one of them;
//   - "same-origin", "none" (typed by the user) and no header at all
//     (non-browser clients, older browsers) are allowed.
//
// The iframe transports run inside the service's own iframe page, so their
// requests are same-origin. JSONP from another site is a cross-site script
// with no Origin: it works only with AllowedOrigins "*".
func (h *Handler) crossSite(w http.ResponseWriter, r *http.Request) bool {
	if h.origins.any || r.Header.Get("Origin") != "" {
		return false
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site":
	case "same-site":
		if len(h.origins.patterns) > 0 {
			return false
		}
	default:
		return false
	}
	h.reject(w, r, RejectCrossSite, http.StatusForbidden, "Cross-site request without Origin refused.")
	return true
}
