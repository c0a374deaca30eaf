package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/client"
	"github.com/gosockjs/sockjs/internal/clienttest"
	"github.com/gosockjs/sockjs/internal/leak"
	"github.com/gosockjs/sockjs/internal/testserver"
)

var transports = []string{client.Websocket, client.XHRStreaming, client.EventSource, client.XHRPolling}

// serve starts h on a loopback httptest.Server that the test closes.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// testServices serves the protocol test services (/echo with a 4096-byte
// response limit, /close, /disabled_websocket_echo, /cookie_needed_echo).
func testServices(t *testing.T) *httptest.Server {
	t.Helper()
	services := testserver.NewForTests()
	srv := serve(t, services)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = services.Shutdown(ctx)
	})
	return srv
}

func send(t *testing.T, c *client.Conn, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Send(ctx, msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
}

// Messages echo in order on every transport, across the reconnects of the
// streaming transports (the /echo service ends a response after 4096 bytes)
// and polls, and with characters that every transport escapes its own way.
func TestEchoInOrder(t *testing.T) {
	leak.Check(t)
	srv := testServices(t)
	for _, name := range transports {
		t.Run(name, func(t *testing.T) {
			c := clienttest.Dial(t, srv.URL+"/echo", clienttest.Only(name))
			if c.Transport() != name {
				t.Fatalf("Transport() = %q, want %q", c.Transport(), name)
			}
			const n = 200
			pad := strings.Repeat("x", 100)
			go func() {
				for i := range n {
					if c.Send(context.Background(), strconv.Itoa(i)+pad) != nil {
						return
					}
				}
			}()
			for i := range n {
				if got, want := clienttest.Recv(t, c), strconv.Itoa(i)+pad; got != want {
					t.Fatalf("message %d = %q, want %q", i, got, want)
				}
			}
			for _, m := range []string{"%41 %25 %", "a\nb\r\x00c", `"\u2028'`, "😀 \ufffe é", "", "<script>"} {
				send(t, c, m)
				if got := clienttest.Recv(t, c); got != m {
					t.Errorf("echo of %q = %q", m, got)
				}
			}
		})
	}
}

// The server's close frame reaches Recv as a *CloseError with its code and
// reason, on every transport.
func TestServerCloseCodeAndReason(t *testing.T) {
	leak.Check(t)
	srv := testServices(t)
	for _, name := range transports {
		t.Run(name, func(t *testing.T) {
			c := clienttest.Dial(t, srv.URL+"/close", clienttest.Only(name))
			ce := clienttest.RecvClose(t, c)
			if ce.Code != 3000 || ce.Reason != "Go away!" {
				t.Errorf("close = %d %q, want 3000 \"Go away!\"", ce.Code, ce.Reason)
			}
			if err := c.Send(context.Background(), "x"); !errors.Is(err, client.ErrClosed) {
				t.Errorf("Send after close = %v, want ErrClosed", err)
			}
		})
	}
}

// When /info says websockets are off, the client goes straight to the next
// transport.
func TestInfoWebsocketFalseSkipsWebsocket(t *testing.T) {
	leak.Check(t)
	srv := testServices(t)
	c := clienttest.Dial(t, srv.URL+"/disabled_websocket_echo", &client.Options{OpenTimeout: 10 * time.Second})
	if c.Transport() != client.XHRStreaming {
		t.Errorf("Transport() = %q, want %q", c.Transport(), client.XHRStreaming)
	}
	send(t, c, "hi")
	if got := clienttest.Recv(t, c); got != "hi" {
		t.Errorf("echo = %q", got)
	}
}

// With cookie_needed the client keeps the JSESSIONID cookie and sends it
// back on every request of the session.
func TestCookieNeededKeepsJSESSIONID(t *testing.T) {
	leak.Check(t)
	services := testserver.NewForTests()
	var withCookie, without atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/xhr") || strings.HasSuffix(r.URL.Path, "/eventsource") {
			if _, err := r.Cookie("JSESSIONID"); err == nil {
				withCookie.Add(1)
			} else {
				without.Add(1)
			}
		}
		services.ServeHTTP(w, r)
	}))
	defer services.Shutdown(context.Background())
	for _, name := range transports[1:] {
		t.Run(name, func(t *testing.T) {
			c := clienttest.Dial(t, srv.URL+"/cookie_needed_echo", clienttest.Only(name))
			for i := range 3 {
				send(t, c, strconv.Itoa(i))
				if got := clienttest.Recv(t, c); got != strconv.Itoa(i) {
					t.Fatalf("echo = %q", got)
				}
			}
		})
	}
	// Only each session's first request goes without the cookie.
	if w, wo := withCookie.Load(), without.Load(); w == 0 || wo > 3 {
		t.Errorf("%d requests with JSESSIONID, %d without", w, wo)
	}
}

// A balancer that refuses websocket upgrades: the client falls back to
// xhr-streaming at once, without waiting for a timeout.
func TestFallbackWhenWebsocketRefused(t *testing.T) {
	leak.Check(t)
	services := testserver.NewForTests()
	defer services.Shutdown(context.Background())
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			http.Error(w, "no websockets here", http.StatusBadRequest)
			return
		}
		services.ServeHTTP(w, r)
	}))
	start := time.Now()
	c := clienttest.Dial(t, srv.URL+"/echo", &client.Options{OpenTimeout: 10 * time.Second})
	if c.Transport() != client.XHRStreaming {
		t.Errorf("Transport() = %q, want %q", c.Transport(), client.XHRStreaming)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Dial took %v: it waited instead of falling back at once", d)
	}
	send(t, c, "hi")
	if got := clienttest.Recv(t, c); got != "hi" {
		t.Errorf("echo = %q", got)
	}
}

// A proxy that buffers streaming responses delivers no open frame: the
// transport times out (RTO × 2 from the /info round trip) and the client
// tries the next one.
func TestFallbackWhenTransportDoesNotOpen(t *testing.T) {
	leak.Check(t)
	services := testserver.NewForTests()
	defer services.Shutdown(context.Background())
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/xhr_streaming") {
			<-r.Context().Done() // a buffering proxy: nothing ever arrives
			return
		}
		services.ServeHTTP(w, r)
	}))
	c := clienttest.Dial(t, srv.URL+"/echo", &client.Options{Transports: []string{client.XHRStreaming, client.XHRPolling}})
	if c.Transport() != client.XHRPolling {
		t.Errorf("Transport() = %q, want %q", c.Transport(), client.XHRPolling)
	}
}

// When no transport opens, Dial fails with 2000 "All transports failed" and
// says why each one failed.
func TestAllTransportsFailed(t *testing.T) {
	leak.Check(t)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/info") {
			w.Write([]byte(`{"websocket":true,"cookie_needed":false,"origins":["*:*"],"entropy":1}`))
			return
		}
		http.NotFound(w, r)
	}))
	_, err := client.Dial(context.Background(), srv.URL+"/x", nil)
	var ce *client.CloseError
	if !errors.As(err, &ce) || ce.Code != client.CodeAllTransports {
		t.Fatalf("Dial = %v, want a *CloseError with code 2000", err)
	}
	for _, name := range transports {
		if !strings.Contains(err.Error(), name+": ") {
			t.Errorf("error %q does not say why %s failed", err, name)
		}
	}
}

// A server that dies mid-stream ends the connection with 1006 on every
// transport.
func TestServerDiesMidStream(t *testing.T) {
	leak.Check(t)
	for _, name := range transports {
		t.Run(name, func(t *testing.T) {
			h := sockjs.New("/echo", sockjs.Options{ShutdownGrace: testserver.TestGrace}, testserver.Echo)
			defer h.Shutdown(context.Background())
			srv := httptest.NewUnstartedServer(h)
			conns := make(chan net.Conn, 100)
			srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns <- c
				}
			}
			srv.Start()
			defer srv.Close()
			c := clienttest.Dial(t, srv.URL+"/echo", clienttest.Only(name))
			send(t, c, "before")
			if got := clienttest.Recv(t, c); got != "before" {
				t.Fatalf("echo = %q", got)
			}
			// The process dies: its listener and every connection, hijacked
			// websockets included, close at once.
			srv.Listener.Close()
			for len(conns) > 0 {
				(<-conns).Close()
			}
			ce := clienttest.RecvClose(t, c)
			if ce.Code != client.CodeConnectionLost {
				t.Errorf("close = %v, want code 1006", ce)
			}
		})
	}
}

// A slow application pushes back on the server: the client stops reading
// once its receive queue is full, the server's queue fills, and the server
// closes the session as a slow consumer instead of the client buffering
// without bound.
func TestSlowReaderPushesBackOnServer(t *testing.T) {
	leak.Check(t)
	for _, name := range transports {
		t.Run(name, func(t *testing.T) {
			sent := make(chan int, 1)
			h := sockjs.New("/flood", sockjs.Options{OutboxSize: 64, SendBuffer: 256 << 10}, func(s *sockjs.Session) {
				msg := strings.Repeat("m", 1000)
				n := 0
				for s.Send(msg) == nil {
					n++
					if n%64 == 0 {
						time.Sleep(time.Millisecond)
					}
				}
				sent <- n
			})
			defer h.Shutdown(context.Background())
			srv := serve(t, h)
			opts := clienttest.Only(name)
			opts.ReceiveQueue = 16
			c := clienttest.Dial(t, srv.URL+"/flood", opts)
			var n int
			select {
			case n = <-sent:
			case <-time.After(30 * time.Second):
				t.Fatal("the server was never pushed back")
			}
			ce := clienttest.RecvClose(t, c)
			if ce.Code != sockjs.CodeSlowConsumer {
				t.Errorf("close = %v, want 1013", ce)
			}
			t.Logf("the server sent %d messages of 1000 bytes before closing", n)
		})
	}
}

// Messages sent while a send request is in flight go out together in the
// next one.
func TestSendsBatchWhileOneIsInFlight(t *testing.T) {
	leak.Check(t)
	services := testserver.NewForTests()
	defer services.Shutdown(context.Background())
	var sends atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/xhr_send") {
			sends.Add(1)
			time.Sleep(20 * time.Millisecond) // a slow link
		}
		services.ServeHTTP(w, r)
	}))
	for _, name := range transports[1:] {
		t.Run(name, func(t *testing.T) {
			sends.Store(0)
			c := clienttest.Dial(t, srv.URL+"/echo", clienttest.Only(name))
			const n = 100
			for i := range n {
				send(t, c, strconv.Itoa(i))
			}
			for i := range n {
				if got := clienttest.Recv(t, c); got != strconv.Itoa(i) {
					t.Fatalf("message %d = %q", i, got)
				}
			}
			if s := sends.Load(); s >= n/2 {
				t.Errorf("%d send requests for %d messages: not batched", s, n)
			}
		})
	}
}

// Close ends the connection: Recv and Send return ErrClosed, and over a
// websocket the server's session ends with the client's code.
func TestCloseByClient(t *testing.T) {
	leak.Check(t)
	ended := make(chan error, 1)
	h := sockjs.New("/echo", sockjs.Options{}, func(s *sockjs.Session) {
		for {
			if _, err := s.Recv(s.Context()); err != nil {
				ended <- err
				return
			}
		}
	})
	defer h.Shutdown(context.Background())
	srv := serve(t, h)
	c := clienttest.Dial(t, srv.URL+"/echo", clienttest.Only(client.Websocket))
	if err := c.Close(3001, "bye"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Recv(context.Background()); !errors.Is(err, client.ErrClosed) {
		t.Errorf("Recv after Close = %v, want ErrClosed", err)
	}
	if err := c.Send(context.Background(), "x"); !errors.Is(err, client.ErrClosed) {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}
	if err := c.Close(1000, ""); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := c.Close(1001, ""); !errors.Is(err, client.ErrInvalidCloseCode) {
		t.Errorf("Close(1001) = %v, want ErrInvalidCloseCode", err)
	}
	select {
	case err := <-ended:
		if !errors.Is(err, sockjs.ErrSessionClosed) {
			t.Errorf("server's Recv = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the server's session did not end")
	}
}

// A server that sends nothing, not even heartbeats, for HeartbeatTimeout
// is taken for gone; one that sends heartbeats keeps the connection open.
func TestHeartbeatTimeout(t *testing.T) {
	leak.Check(t)
	for _, tc := range []struct {
		delay time.Duration // the server's heartbeat delay
		lost  bool          // the client should give up
	}{
		{time.Minute, true},
		{50 * time.Millisecond, false},
	} {
		t.Run(tc.delay.String(), func(t *testing.T) {
			h := sockjs.New("/echo", sockjs.Options{HeartbeatDelay: tc.delay}, testserver.Echo)
			defer h.Shutdown(context.Background())
			srv := serve(t, h)
			opts := clienttest.Only(client.Websocket)
			opts.HeartbeatTimeout = time.Second
			c := clienttest.Dial(t, srv.URL+"/echo", opts)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			_, err := c.Recv(ctx)
			var ce *client.CloseError
			switch {
			case tc.lost && !(errors.As(err, &ce) && ce.Code == client.CodeConnectionLost):
				t.Errorf("Recv = %v, want 1006", err)
			case !tc.lost && !errors.Is(err, context.DeadlineExceeded):
				t.Errorf("Recv = %v, want the connection still open", err)
			}
		})
	}
}

// Dial's context bounds the dialling: a server that never answers /info
// makes Dial return when it ends.
func TestDialContext(t *testing.T) {
	leak.Check(t)
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := client.Dial(ctx, srv.URL+"/echo", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Dial = %v, want DeadlineExceeded", err)
	}
}

// The query of the URL dialled (a token, say) goes with every request, as
// sockjs-client does.
func TestQueryOnEveryRequest(t *testing.T) {
	leak.Check(t)
	services := testserver.NewForTests()
	defer services.Shutdown(context.Background())
	var with, without atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("token") == "s3cret" {
			with.Add(1)
		} else {
			without.Add(1)
		}
		services.ServeHTTP(w, r)
	}))
	for _, name := range transports {
		c := clienttest.Dial(t, srv.URL+"/echo?token=s3cret", clienttest.Only(name))
		send(t, c, "x")
		if got := clienttest.Recv(t, c); got != "x" {
			t.Errorf("%s: echo = %q", name, got)
		}
	}
	if without.Load() != 0 || with.Load() == 0 {
		t.Errorf("%d requests with the token, %d without", with.Load(), without.Load())
	}
}

// Large batches are split to stay within the bodies servers accept.
func TestLargeBatchesSplit(t *testing.T) {
	leak.Check(t)
	srv := testServices(t)
	for _, name := range transports {
		t.Run(name, func(t *testing.T) {
			c := clienttest.Dial(t, srv.URL+"/echo", clienttest.Only(name))
			big := strings.Repeat("b", 100<<10)
			const n = 12 // 1.2 MB: over the server's 1 MiB bodies as one batch
			go func() {
				for range n {
					if c.Send(context.Background(), big) != nil {
						return
					}
				}
			}()
			for i := range n {
				if got := clienttest.Recv(t, c); got != big {
					t.Fatalf("message %d: %d bytes", i, len(got))
				}
			}
		})
	}
}

// Send waits while the send queue is full, and no longer than its context:
// the server holds a send request until the application reads, and this
// one never does.
func TestSendWaitsWhileQueueFull(t *testing.T) {
	leak.Check(t)
	h := sockjs.New("/deaf", sockjs.Options{}, func(s *sockjs.Session) { <-s.Context().Done() })
	defer h.Shutdown(context.Background())
	srv := serve(t, h)
	for _, name := range transports[1:] {
		t.Run(name, func(t *testing.T) {
			opts := clienttest.Only(name)
			opts.SendQueue = 4
			c := clienttest.Dial(t, srv.URL+"/deaf", opts)
			for range 5 { // one in flight, four queued
				send(t, c, "m")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if err := c.Send(ctx, "one too many"); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Send with a full queue = %v, want DeadlineExceeded", err)
			}
		})
	}
}
