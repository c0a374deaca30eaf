//go:build go1.25

package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gosockjs/sockjs/client"
)

// fakeServer answers requests in memory, inside a synctest bubble: /info
// says websockets are off, xhr_streaming never answers (a buffering
// proxy), the first xhr poll opens the session and every later one waits
// for ever (a server that went silent), xhr_send succeeds.
type fakeServer struct{}

func (fakeServer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: r}
	switch p := r.URL.Path; {
	case strings.HasSuffix(p, "/info"):
		resp.Body = io.NopCloser(strings.NewReader(`{"websocket":false,"cookie_needed":false}`))
	case strings.HasSuffix(p, "/xhr") && r.URL.Query().Get("opened") == "":
		resp.Body = io.NopCloser(strings.NewReader("o\n"))
	case strings.HasSuffix(p, "/xhr_send"):
		resp.StatusCode, resp.Body = http.StatusNoContent, http.NoBody
	default:
		resp.Body = &silentBody{ctx: r.Context()}
	}
	return resp, nil
}

// silentBody is a response body that delivers nothing until its request
// is cancelled.
type silentBody struct{ ctx context.Context }

func (b *silentBody) Read([]byte) (int, error) {
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

func (b *silentBody) Close() error { return nil }

// onePoll lets only the first xhr poll of a session open it: later ones
// are silent.
type onePoll struct {
	rt    http.RoundTripper
	polls int
}

func (o *onePoll) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/xhr") {
		o.polls++
		if o.polls > 1 {
			r = r.Clone(r.Context())
			q := r.URL.Query()
			q.Set("opened", "1")
			r.URL.RawQuery = q.Encode()
		}
	}
	return o.rt.RoundTrip(r)
}

// A transport that does not open within RTO × 2 is abandoned for the next
// one: with the /info round trip taking no time, after exactly 600 ms.
func TestSynctestOpenTimeoutFallsBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc := &http.Client{Transport: &onePoll{rt: fakeServer{}}}
		start := time.Now()
		c, err := client.Dial(t.Context(), "http://sockjs.test/echo", &client.Options{
			HTTPClient: hc,
			Transports: []string{client.XHRStreaming, client.XHRPolling},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(1000, "")
		if d := time.Since(start); d != 600*time.Millisecond {
			t.Errorf("fell back after %v, want 600ms", d)
		}
		if c.Transport() != client.XHRPolling {
			t.Errorf("Transport() = %q", c.Transport())
		}
	})
}

// A server silent for HeartbeatTimeout is taken for gone: 1006.
func TestSynctestHeartbeatTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc := &http.Client{Transport: &onePoll{rt: fakeServer{}}}
		c, err := client.Dial(t.Context(), "http://sockjs.test/echo", &client.Options{
			HTTPClient: hc,
			Transports: []string{client.XHRPolling},
		})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.Recv(t.Context())
		var ce *client.CloseError
		if !errors.As(err, &ce) || ce.Code != client.CodeConnectionLost {
			t.Fatalf("Recv = %v, want 1006", err)
		}
		if d := time.Since(start); d != client.DefaultHeartbeatTimeout {
			t.Errorf("gave up after %v, want %v", d, client.DefaultHeartbeatTimeout)
		}
	})
}
