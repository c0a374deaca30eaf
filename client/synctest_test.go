//go:build go1.25

// The time-dependent logic in a synctest bubble, against a server in
// memory: virtual time makes the timeouts exact and the tests instant.
// synctest.Test needs Go 1.25; the module says go 1.24, and the build
// constraint above raises this file's language version.

package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gosockjs/sockjs/client"
)

// silentBody is a response body that delivers nothing until its request
// is cancelled.
type silentBody struct{ ctx context.Context }

func (b *silentBody) Read([]byte) (int, error) {
	<-b.ctx.Done()
	return 0, b.ctx.Err()
}

func (b *silentBody) Close() error { return nil }

// A transport that does not open within RTO × 2 is abandoned for the next
// one: with the /info round trip taking no time, after exactly 600 ms.
func TestSynctestOpenTimeoutFallsBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// xhr_streaming says nothing, as behind a buffering proxy.
		s := &scripted{polls: map[string][]string{"xhr": {"o\n"}}}
		start := time.Now()
		c, err := dialScripted(t, s, client.Options{Transports: []string{client.XHRStreaming, client.XHRPolling}})
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
		s := &scripted{polls: map[string][]string{"xhr": {"o\n"}}}
		c, err := dialScripted(t, s, client.Options{Transports: []string{client.XHRPolling}})
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

// scripted is a server in memory: /info says websockets are off, and each
// receiving request gets the next body of its transport's script, or
// waits for ever once the script is done; sends succeed.
type scripted struct {
	polls map[string][]string // by transport URL suffix: the bodies of its receiving requests
	count map[string]int      // receiving requests made, by suffix
}

func (s *scripted) RoundTrip(r *http.Request) (*http.Response, error) {
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Request: r}
	p := r.URL.Path
	suffix := p[strings.LastIndexByte(p, '/')+1:]
	switch suffix {
	case "info":
		resp.Body = io.NopCloser(strings.NewReader(`{"websocket":false,"cookie_needed":false}`))
	case "xhr_send":
		resp.StatusCode, resp.Body = http.StatusNoContent, http.NoBody
	default:
		n := s.count[suffix]
		s.count[suffix]++
		if n < len(s.polls[suffix]) {
			resp.Body = io.NopCloser(strings.NewReader(s.polls[suffix][n]))
		} else {
			resp.Body = &silentBody{ctx: r.Context()}
		}
	}
	return resp, nil
}

func dialScripted(t *testing.T, s *scripted, opts client.Options) (*client.Conn, error) {
	s.count = map[string]int{}
	opts.HTTPClient = &http.Client{Transport: s}
	return client.Dial(t.Context(), "http://sockjs.test/echo", &opts)
}

// A close frame with a code an application cannot send (2010 "Another
// connection still open") while a transport opens is a failure of that
// transport: the client tries the next one.
func TestSynctestOpeningCloseCodeTriesNext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &scripted{polls: map[string][]string{
			"xhr_streaming": {strings.Repeat("h", 2048) + "\nc[2010,\"Another connection still open\"]\n"},
			"xhr":           {"o\n"},
		}}
		c, err := dialScripted(t, s, client.Options{Transports: []string{client.XHRStreaming, client.XHRPolling}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(1000, "")
		if c.Transport() != client.XHRPolling {
			t.Errorf("Transport() = %q, want %q", c.Transport(), client.XHRPolling)
		}
	})
}

// An open frame on an open connection means the server lost the session:
// 1006 "Server lost session", after the messages that came before it.
func TestSynctestServerLostSession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &scripted{polls: map[string][]string{"xhr": {"o\n", "a[\"x\"]\n", "o\n"}}}
		c, err := dialScripted(t, s, client.Options{Transports: []string{client.XHRPolling}})
		if err != nil {
			t.Fatal(err)
		}
		if msg, err := c.Recv(t.Context()); msg != "x" || err != nil {
			t.Fatalf("Recv = %q, %v", msg, err)
		}
		_, err = c.Recv(t.Context())
		var ce *client.CloseError
		if !errors.As(err, &ce) || ce.Code != client.CodeConnectionLost || ce.Reason != "Server lost session" {
			t.Errorf("Recv = %v, want 1006 Server lost session", err)
		}
	})
}

// While the receive queue is full, xhr-polling does not poll: the messages
// stay on the server. It polls again once the application reads.
func TestSynctestNoPollWhileReceiveQueueFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &scripted{polls: map[string][]string{"xhr": {"o\n", `a["1","2","3"]` + "\n", `a["4"]` + "\n"}}}
		c, err := dialScripted(t, s, client.Options{Transports: []string{client.XHRPolling}, ReceiveQueue: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(1000, "")
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := s.count["xhr"]; n != 2 {
			t.Fatalf("%d polls with a full receive queue, want 2 (open, then the batch of 3)", n)
		}
		for i := 1; i <= 4; i++ {
			if msg, err := c.Recv(t.Context()); msg != strconv.Itoa(i) || err != nil {
				t.Fatalf("Recv = %q, %v; want %d", msg, err, i)
			}
		}
	})
}
