package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// scale shortens the example's timeouts for the test, keeping their ratios.
const scale = 100

// startServer serves the echo example on a loopback port with newServer's
// timeouts divided by scale, and returns the server and its base URL.
func startServer(t *testing.T) (*http.Server, string) {
	t.Helper()
	echo := newEcho()
	srv := newServer("127.0.0.1:0", routes(echo))
	if srv.WriteTimeout != 0 {
		t.Fatalf("WriteTimeout = %v: it would cut streaming responses and long polls", srv.WriteTimeout)
	}
	if srv.ReadTimeout == 0 || srv.ReadHeaderTimeout == 0 || srv.IdleTimeout == 0 || srv.MaxHeaderBytes == 0 {
		t.Fatalf("newServer leaves a limit unset: %+v", srv)
	}
	srv.ReadTimeout /= scale
	srv.ReadHeaderTimeout /= scale
	srv.IdleTimeout /= scale
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := echo.Shutdown(ctx); err != nil {
			t.Errorf("sockjs shutdown: %v", err)
		}
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("http shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, "http://" + ln.Addr().String()
}

// quiet is how long the long-lived connections stay silent: past both
// ReadTimeout and IdleTimeout, and far below the 25 s heartbeat, so that
// nothing at all crosses them meanwhile.
func quiet(srv *http.Server) time.Duration {
	return srv.ReadTimeout + srv.IdleTimeout + 200*time.Millisecond
}

// TestTrickledBodyIsCut sends an xhr_send body one byte every 20 ms: the
// server must give up on it after about ReadTimeout, answer and close the
// connection, rather than hold the handler for as long as the client likes.
func TestTrickledBodyIsCut(t *testing.T) {
	srv, base := startServer(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const bodyLen = 1000 // 20 s at one byte per 20 ms: far longer than the test
	start := time.Now()
	fmt.Fprintf(conn, "POST /echo/000/trickle/xhr_send HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n[", bodyLen)
	trickled := make(chan int, 1)
	go func() { // ends at the first failed write, or after bodyLen bytes
		n := 1
		for ; n < bodyLen; n++ {
			time.Sleep(20 * time.Millisecond)
			if _, err := conn.Write([]byte(" ")); err != nil {
				break
			}
		}
		trickled <- n
	}()

	// The server answers (an error) and closes the connection; a read
	// deadline bounds the wait in case it never does.
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	reply, err := io.ReadAll(conn)
	cut := time.Since(start)
	if err != nil {
		t.Fatalf("after %v the server still reads the trickled body: %v", cut, err)
	}
	status, _, _ := strings.Cut(string(reply), "\r\n")
	t.Logf("body cut after %v (ReadTimeout %v): %q", cut.Round(time.Millisecond), srv.ReadTimeout, status)
	if cut < srv.ReadTimeout || cut > srv.ReadTimeout+time.Second {
		t.Errorf("connection closed after %v, want about ReadTimeout (%v)", cut, srv.ReadTimeout)
	}
	if strings.HasPrefix(status, "HTTP/1.1 204") {
		t.Errorf("an incomplete body was accepted: %q", status)
	}
	select {
	case n := <-trickled:
		if n >= bodyLen {
			t.Errorf("the whole body was trickled")
		}
	case <-time.After(5 * time.Second):
		t.Error("writes to the closed connection kept succeeding")
	}
}

// TestWebsocketOutlivesTimeouts keeps a websocket silent past ReadTimeout
// and IdleTimeout, then echoes through it.
func TestWebsocketOutlivesTimeouts(t *testing.T) {
	srv, base := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/echo/000/ws/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	read := func() string {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return string(b)
	}
	if got := read(); got != "o" {
		t.Fatalf("first frame %q, want o", got)
	}
	time.Sleep(quiet(srv))
	if err := c.Write(ctx, websocket.MessageText, []byte(`["still here"]`)); err != nil {
		t.Fatalf("write after %v: %v", quiet(srv), err)
	}
	if got := read(); got != `a["still here"]` {
		t.Fatalf("after %v silent: got %q, want the echo", quiet(srv), got)
	}
	t.Logf("websocket echoed after %v silent (ReadTimeout %v, IdleTimeout %v)", quiet(srv), srv.ReadTimeout, srv.IdleTimeout)
}

// TestStreamingAndPollOutliveTimeouts keeps an xhr_streaming response and
// an xhr long poll open past ReadTimeout and IdleTimeout, then sends: the
// message arrives on the same response.
func TestStreamingAndPollOutliveTimeouts(t *testing.T) {
	srv, base := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	post := func(path, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, "POST", base+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		return resp
	}
	send := func(session, msg string) {
		t.Helper()
		resp := post("/echo/000/"+session+"/xhr_send", `["`+msg+`"]`)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("xhr_send: %s", resp.Status)
		}
	}

	t.Run("xhr_streaming", func(t *testing.T) {
		resp := post("/echo/000/stream/xhr_streaming", "")
		defer resp.Body.Close()
		r := bufio.NewReader(resp.Body)
		line := func() string {
			s, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("streaming response ended: %v (read %q)", err, s)
			}
			return strings.TrimSuffix(s, "\n")
		}
		if prelude := line(); strings.Trim(prelude, "h") != "" {
			t.Fatalf("prelude %q", prelude)
		}
		if got := line(); got != "o" {
			t.Fatalf("first frame %q, want o", got)
		}
		time.Sleep(quiet(srv))
		send("stream", "streamed")
		if got := line(); got != `a["streamed"]` {
			t.Fatalf("after %v silent: %q, want the echo", quiet(srv), got)
		}
		t.Logf("xhr_streaming response echoed after %v silent", quiet(srv))
	})

	t.Run("xhr long poll", func(t *testing.T) {
		resp := post("/echo/000/poll/xhr", "")
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "o\n" {
			t.Fatalf("open: %q", b)
		}
		polled := make(chan string, 1)
		go func() {
			resp := post("/echo/000/poll/xhr", "")
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				b = append(b, " error: "+err.Error()...)
			}
			polled <- string(b)
		}()
		time.Sleep(quiet(srv))
		select {
		case got := <-polled:
			t.Fatalf("the poll ended before any message: %q", got)
		default:
		}
		send("poll", "polled")
		select {
		case got := <-polled:
			if got != "a[\"polled\"]\n" {
				t.Fatalf("poll after %v: %q, want the echo", quiet(srv), got)
			}
		case <-ctx.Done():
			t.Fatal("the poll never answered")
		}
		t.Logf("xhr poll answered after %v waiting", quiet(srv))
	})
}
