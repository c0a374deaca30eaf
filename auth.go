package sockjs

import (
	"net"
	"net/http"
	"net/netip"
	"reflect"
	"strings"

	"github.com/gosockjs/sockjs/session"
)

// authorize runs Options.Authorize and works out the client's address. It
// answers 403 and returns false when the hook refuses the request.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) (client, bool) {
	c := client{addr: h.clientAddr(r)}
	if h.opts.Authorize == nil {
		return c, true
	}
	identity, err := h.opts.Authorize(r)
	if err != nil {
		h.reject(w, r, RejectForbidden, http.StatusForbidden, "Forbidden.", "error", err.Error())
		return client{}, false
	}
	c.identity = identity
	return c, true
}

// checkOwner refuses a request for a session that another client opened:
// with an Authorize hook, the identities must be the same; with
// BindClientAddr, the addresses too.
func (h *Handler) checkOwner(q *request, s *session.Session) error {
	if h.opts.Authorize != nil && !h.sameIdentity(s.Identity(), q.client.identity) {
		h.rejected(q.r, errNotYours.reason, "why", "identity differs from the session's")
		return errNotYours
	}
	if h.opts.BindClientAddr && s.ClientAddr() != q.client.addr {
		h.rejected(q.r, errNotYours.reason, "why", "client address differs from the session's")
		return errNotYours
	}
	return nil
}

// sameIdentity applies Options.SameIdentity, or reflect.DeepEqual: Go
// programs return fresh pointers and structs with maps from their lookups,
// which == would never find equal.
func (h *Handler) sameIdentity(session, request any) bool {
	if h.opts.SameIdentity != nil {
		return h.opts.SameIdentity(session, request)
	}
	return reflect.DeepEqual(session, request)
}

func (h *Handler) clientAddr(r *http.Request) string {
	if h.opts.ClientAddr != nil {
		return h.opts.ClientAddr(r)
	}
	return remoteHost(r)
}

// remoteHost returns the host part of r.RemoteAddr.
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ForwardedFor returns an Options.ClientAddr function for servers behind
// reverse proxies. When the request comes from one of the trusted proxy
// networks, the client is the rightmost address in X-Forwarded-For that is
// not itself a trusted proxy; otherwise it is the request's own remote
// address. Untrusted peers cannot spoof an address this way: their
// X-Forwarded-For is ignored.
func ForwardedFor(trusted ...netip.Prefix) func(*http.Request) string {
	isTrusted := trustedIn(trusted)
	return func(r *http.Request) string {
		client := remoteHost(r)
		if !isTrusted(client) {
			return client
		}
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop := strings.TrimSpace(hops[i])
			if hop == "" {
				continue
			}
			client = hop
			if !isTrusted(hop) {
				break
			}
		}
		return client
	}
}

// ForwardedProto returns an Options.Scheme function for servers behind
// reverse proxies that terminate TLS. When the request comes from one of
// the trusted proxy networks and carries X-Forwarded-Proto "http" or
// "https" (the first value, as the outermost proxy set it), that is the
// scheme; otherwise it is https on a TLS connection and http without.
// Untrusted peers cannot choose the scheme: their header is ignored.
func ForwardedProto(trusted ...netip.Prefix) func(*http.Request) string {
	isTrusted := trustedIn(trusted)
	return func(r *http.Request) string {
		if isTrusted(remoteHost(r)) {
			proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
			switch proto = strings.ToLower(strings.TrimSpace(proto)); proto {
			case "http", "https":
				return proto
			}
		}
		if r.TLS != nil {
			return "https"
		}
		return "http"
	}
}

// trustedIn returns a test of whether an address is in one of the networks.
func trustedIn(trusted []netip.Prefix) func(string) bool {
	return func(s string) bool {
		addr, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return false
		}
		for _, p := range trusted {
			if p.Contains(addr.Unmap()) {
				return true
			}
		}
		return false
	}
}
