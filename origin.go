package sockjs

import (
	"net/http"
	"net/url"
	"path"
	"strings"
)

// originPolicy decides which browser origins may use the service, for HTTP
// CORS and websocket handshakes alike.
type originPolicy struct {
	any      bool     // "*": every origin
	patterns []string // lower-case path.Match patterns
}

func newOriginPolicy(allowed []string) originPolicy {
	var p originPolicy
	for _, o := range allowed {
		if o == "*" {
			p.any = true
		}
		p.patterns = append(p.patterns, strings.ToLower(o))
	}
	return p
}

// allows reports whether a request with Origin header origin may proceed.
// Requests without Origin are not from a cross-origin browser context.
func (p originPolicy) allows(r *http.Request, origin string) bool {
	if origin == "" || p.any {
		return true
	}
	origin = strings.ToLower(origin)
	if origin == "null" {
		return p.matches("null")
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return p.matches(u.Scheme+"://"+u.Host) || p.matches(u.Host)
}

func (p originPolicy) matches(s string) bool {
	for _, pat := range p.patterns {
		if ok, _ := path.Match(pat, s); ok {
			return true
		}
	}
	return false
}
