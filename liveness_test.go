package sockjs_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
)

// Short timings: a client that were judged by its pongs while the
// application does not read would be dropped within heartbeat + write
// timeout, which these tests outlive three times over.
var liveOpts = sockjs.Options{
	HeartbeatDelay:  300 * time.Millisecond,
	WriteTimeout:    300 * time.Millisecond,
	DisconnectDelay: time.Second,
}

const livePeriod = 3 * 600 * time.Millisecond // 3 × (heartbeat + write timeout)

// pushOnly is a feed: it sends ticks and never calls Recv.
func pushOnly(s *sockjs.Session) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-s.Context().Done():
			return
		case <-tick.C:
			if s.Send("tick") != nil {
				return
			}
		}
	}
}

// A push-only application's clients send messages, which nobody reads, and
// stay connected through several heartbeat periods on every transport.
func TestPushOnlyHandlerKeepsItsClients(t *testing.T) {
	leak.Check(t)
	_, u := serve(t, liveOpts, pushOnly)
	sendAside := func(path string) {
		// HTTP sends wait for the application, which never reads: they are
		// held (the documented back-pressure) and give up on their own.
		go func() {
			c := &http.Client{Timeout: livePeriod + time.Second}
			if resp, err := c.Post(u+path, "text/plain", strings.NewReader(`["hello"]`)); err == nil {
				resp.Body.Close()
			}
		}()
	}

	t.Run("websocket", func(t *testing.T) {
		c := dialWS(t, u+"/000/ws/websocket")
		readWS(t, c)
		for i := 0; i < 3; i++ {
			writeWS(t, c, `["hello"]`)
		}
		ticks := 0
		ctx, cancel := context.WithTimeout(context.Background(), livePeriod)
		defer cancel()
		for {
			_, p, err := c.Read(ctx) // reading answers the server's pings
			if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
				break
			}
			if err != nil {
				t.Fatalf("after %d ticks: %v", ticks, err)
			}
			if strings.HasPrefix(string(p), "c") {
				t.Fatalf("closed after %d ticks: %s", ticks, p)
			}
			ticks++
		}
		if ticks < 5 {
			t.Fatalf("%d ticks in %v", ticks, livePeriod)
		}
	})

	streaming := func(transport, method string) func(*testing.T) {
		return func(t *testing.T) {
			path := "/000/" + transport + "/" + transport
			req, _ := http.NewRequest(method, u+path, nil)
			ctx, cancel := context.WithTimeout(context.Background(), livePeriod)
			defer cancel()
			resp, err := http.DefaultClient.Do(req.WithContext(ctx))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			sendAside("/000/" + transport + "/xhr_send")
			sc := bufio.NewScanner(resp.Body)
			ticks := 0
			for sc.Scan() {
				line := sc.Text()
				if strings.Contains(line, "c[") {
					t.Fatalf("closed after %d ticks: %s", ticks, line)
				}
				ticks += strings.Count(line, "tick")
			}
			if ctx.Err() == nil {
				t.Fatalf("the stream ended after %d ticks: %v", ticks, sc.Err())
			}
			if ticks < 5 {
				t.Fatalf("%d ticks in %v", ticks, livePeriod)
			}
		}
	}
	t.Run("xhr_streaming", streaming("xhr_streaming", "POST"))
	t.Run("eventsource", streaming("eventsource", "GET"))

	t.Run("xhr", func(t *testing.T) {
		post(t, u+"/000/poll/xhr", "")
		sendAside("/000/poll/xhr_send")
		ticks := 0
		for start := time.Now(); time.Since(start) < livePeriod; {
			_, body := post(t, u+"/000/poll/xhr", "")
			if strings.HasPrefix(body, "c[") {
				t.Fatalf("closed after %d ticks: %s", ticks, body)
			}
			ticks += strings.Count(body, "tick")
		}
		if ticks < 5 {
			t.Fatalf("%d ticks in %v", ticks, livePeriod)
		}
	})
}

// An application that takes longer than heartbeat + write timeout over
// each message keeps its websocket client, and answers every message.
func TestSlowApplicationKeepsItsWebsocketClient(t *testing.T) {
	leak.Check(t)
	_, u := serve(t, liveOpts, func(s *sockjs.Session) {
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return
			}
			select {
			case <-time.After(livePeriod / 2):
			case <-s.Context().Done():
				return
			}
			if s.Send(msg) != nil {
				return
			}
		}
	})
	c := dialWS(t, u+"/000/slow/websocket")
	readWS(t, c)
	writeWS(t, c, `["one","two"]`)
	ctx, cancel := context.WithTimeout(context.Background(), 2*livePeriod)
	defer cancel()
	var got []string
	for len(got) < 2 {
		_, p, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("after %v: %v", got, err)
		}
		if p[0] == 'a' {
			got = append(got, string(p))
		} else if p[0] == 'c' {
			t.Fatalf("closed: %s", p)
		}
	}
	if got[0] != `a["one"]` || got[1] != `a["two"]` {
		t.Fatalf("answers %v", got)
	}
}

// A websocket client that vanishes (no close frame) while its message waits
// for the application is noticed at once, not at the next heartbeat.
func TestVanishedWebsocketClientIsNoticedWhileTheApplicationIsBusy(t *testing.T) {
	leak.Check(t)
	started := make(chan *sockjs.Session, 1)
	_, u := serve(t, sockjs.Options{HeartbeatDelay: time.Minute}, func(s *sockjs.Session) {
		started <- s
		<-s.Context().Done() // busy elsewhere: never reads
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var raw net.Conn
	dialer := &net.Dialer{}
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dialer.DialContext(ctx, network, addr)
		raw = c
		return c, err
	}}}
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(u, "http")+"/000/gone/websocket", &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	s := <-started
	writeWS(t, c, `["are you there?"]`)
	raw.Close() // the client's machine is gone: no close frame
	select {
	case <-s.Context().Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the session of a vanished client lives on while its message waits")
	}
}

// A client that reads all the time while it writes a burst to the echo is
// never closed as a slow consumer: its input waits while the replies do.
func TestWebsocketBurstIsNotASlowConsumer(t *testing.T) {
	leak.Check(t)
	const runs, burst = 50, 5000
	_, u := serve(t, sockjs.Options{}, echo)
	for run := 0; run < runs; run++ {
		c := dialWS(t, u+"/000/burst/websocket")
		readWS(t, c)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		written := make(chan error, 1)
		go func() {
			for i := 0; i < burst; i++ {
				if err := c.Write(ctx, websocket.MessageText, []byte(`["m"]`)); err != nil {
					written <- err
					return
				}
			}
			written <- nil
		}()
		got := 0
		for got < burst {
			_, p, err := c.Read(ctx)
			if err != nil {
				cancel()
				t.Fatalf("run %d: after %d of %d echoes: %v", run, got, burst, err)
			}
			if p[0] == 'c' {
				cancel()
				t.Fatalf("run %d: closed after %d of %d echoes: %s", run, got, burst, p)
			}
			got += strings.Count(string(p), `"m"`)
		}
		if err := <-written; err != nil {
			t.Fatalf("run %d: write: %v", run, err)
		}
		cancel()
		c.Close(websocket.StatusNormalClosure, "")
	}
}

// A client that really stops reading while the application floods it is
// still closed as a slow consumer.
func TestWebsocketClientThatStopsReadingIsClosed(t *testing.T) {
	leak.Check(t)
	result := make(chan error, 1)
	_, u := serve(t, sockjs.Options{SendBuffer: 256 << 10}, func(s *sockjs.Session) {
		msg := strings.Repeat("f", 16<<10)
		for i := 0; i < 100000; i++ {
			if err := s.Send(msg); err != nil {
				result <- err
				return
			}
		}
		result <- nil
	})
	c := dialWS(t, u+"/000/flood/websocket")
	_ = c // never read
	select {
	case err := <-result:
		var ce *sockjs.CloseError
		if !errors.As(err, &ce) || ce.Code != 1013 {
			t.Fatalf("Send to a client that reads nothing: %v, want close 1013", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the flood to a client that reads nothing was never refused")
	}
}
