// Package testserver builds the services that the SockJS protocol test
// suite expects (docs/protocol.md#conformance-test-server), for
// examples/testserver and the Go conformance tests.
package testserver

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gosockjs/sockjs"
)

// Echo sends every message back to the client until the session ends.
func Echo(s *sockjs.Session) {
	ctx := s.Context()
	for {
		msg, err := s.Recv(ctx)
		if err != nil {
			return
		}
		if s.Send(msg) != nil {
			return
		}
	}
}

// CloseAtOnce closes every session as soon as it opens, with 3000 "Go away!".
func CloseAtOnce(s *sockjs.Session) {
	_ = s.Close(3000, "Go away!")
}

// Server is the set of services, each a *sockjs.Handler under its prefix.
type Server struct {
	handlers []*sockjs.Handler
}

// New returns the protocol test services, allowing every origin:
//
//	/echo                     echo, response limit 4096, raw websocket on
//	/close                    closes every session with 3000 "Go away!"
//	/disabled_websocket_echo  echo without websockets
//	/cookie_needed_echo       echo with the JSESSIONID cookie
//	/default_echo             echo with the zero-value Options
//	/big_echo                 echo with an 8 MiB response limit, so that a
//	                          streaming response can carry megabytes (the
//	                          browser suite's abandoned-stream test)
func New() *Server { return NewWithConfig(Config{}) }

// Config adjusts the services; the zero value is New's.
type Config struct {
	// ClientURL is the sockjs-client script that the iframe page loads
	// ("" for sockjs.DefaultClientURL).
	ClientURL string
	// ShutdownGrace is every service's Options.ShutdownGrace (0 for the
	// default). Tests whose clients are gone when they shut the services
	// down set a short one, so that no cleanup waits for a poll that
	// will never come.
	ShutdownGrace time.Duration
}

// NewWithClientURL is New with the sockjs-client script that the iframe page
// loads ("" for sockjs.DefaultClientURL). The URL is always set explicitly,
// so the page carries no integrity attribute and is the protocol's exactly,
// as the conformance suites compare it.
func NewWithClientURL(clientURL string) *Server {
	return NewWithConfig(Config{ClientURL: clientURL})
}

// TestGrace is the shutdown grace of test suites' services: a test's
// clients are closed or gone when its cleanup shuts the services down, and
// no session should wait the default 3 s for a poll that will not come.
const TestGrace = 50 * time.Millisecond

// NewForTests is New with TestGrace.
func NewForTests() *Server { return NewWithConfig(Config{ShutdownGrace: TestGrace}) }

// NewWithConfig is New adjusted by c.
func NewWithConfig(c Config) *Server {
	clientURL := c.ClientURL
	if clientURL == "" {
		clientURL = sockjs.DefaultClientURL
	}
	// The conformance suites open sessions from one address as fast as they
	// can: the per-client limits, a policy and no part of the protocol, are
	// off except on /default_echo.
	opts := func(o sockjs.Options) sockjs.Options {
		o.AllowedOrigins, o.ClientURL = []string{"*"}, clientURL
		o.MaxSessionsPerClient, o.SessionRate = -1, -1
		o.ShutdownGrace = c.ShutdownGrace
		return o
	}
	return &Server{handlers: []*sockjs.Handler{
		sockjs.New("/echo", opts(sockjs.Options{ResponseLimit: 4096}), Echo),
		sockjs.New("/close", opts(sockjs.Options{}), CloseAtOnce),
		sockjs.New("/disabled_websocket_echo", opts(sockjs.Options{Disabled: sockjs.TransportWebsocket}), Echo),
		sockjs.New("/cookie_needed_echo", opts(sockjs.Options{JSessionID: true}), Echo),
		sockjs.New("/default_echo", sockjs.Options{ShutdownGrace: c.ShutdownGrace}, Echo),
		sockjs.New("/big_echo", opts(sockjs.Options{ResponseLimit: 8 << 20}), Echo),
	}}
}

// ServeHTTP hands the request to the service whose prefix it is under. It
// does not clean paths, which the protocol's 404 rules need.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	for _, h := range srv.handlers {
		if rest, ok := strings.CutPrefix(p, h.Prefix()); ok && (rest == "" || rest[0] == '/') {
			h.ServeHTTP(w, r)
			return
		}
	}
	http.NotFound(w, r)
}

// Shutdown shuts every service down, all at once, so that their grace
// periods overlap, and returns the first error.
func (srv *Server) Shutdown(ctx context.Context) error {
	errs := make(chan error, len(srv.handlers))
	for _, h := range srv.handlers {
		go func() { errs <- h.Shutdown(ctx) }()
	}
	var first error
	for range srv.handlers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
