package sockjs

import (
	"net"
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
// scheme is the request's own scheme as the client sees it ("http" or
// "https"): the request's own origin is allowed only with the same scheme,
// host and port. Requests without Origin are not from a cross-origin
// browser context (the cross-site check in fetchsite.go covers those).
func (p originPolicy) allows(r *http.Request, scheme, origin string) bool {
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
	if u.Scheme == scheme && withPort(u.Host, scheme) == withPort(strings.ToLower(r.Host), scheme) {
		return true
	}
	return p.matches(u.Scheme+"://"+u.Host) || p.matches(u.Host)
}

// withPort returns host:port with the scheme's default port filled in, so
// that "host" and "host:80" compare equal for http.
func withPort(host, scheme string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	if scheme == "https" {
		return net.JoinHostPort(strings.Trim(host, "[]"), "443")
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), "80")
}

func (p originPolicy) matches(s string) bool {
	for _, pat := range p.patterns {
		if ok, _ := path.Match(pat, s); ok {
			return true
		}
	}
	return false
}

// scheme tells the scheme of a request as the client sees it, for the
// same-origin comparison: Options.Scheme if set, else https on a TLS
// connection and http otherwise.
func (h *Handler) scheme(r *http.Request) string {
	if h.opts.Scheme != nil {
		if s := strings.ToLower(h.opts.Scheme(r)); s != "" {
			return s
		}
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}
