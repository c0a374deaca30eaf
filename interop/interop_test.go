package interop_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	sockjsgo "github.com/igm/sockjs-go/v3/sockjs"

	"github.com/gosockjs/sockjs/client"
	"github.com/gosockjs/sockjs/internal/clienttest"
	"github.com/gosockjs/sockjs/internal/leak"
	"github.com/gosockjs/sockjs/internal/testserver"
)

var transports = []string{client.Websocket, client.XHRStreaming, client.EventSource, client.XHRPolling}

// server is a SockJS server serving the protocol test services: /echo with
// a 4096-byte response limit, /close (3000 "Go away!"),
// /disabled_websocket_echo and /cookie_needed_echo.
type server struct {
	name  string
	start func(t *testing.T) (url string, kill func())
}

var servers = []server{
	{"gosockjs", startGoSockJS},
	{"sockjs-node", startNode},
	{"sockjs-go", startSockJSGo},
}

// serveGo serves h on loopback until the test ends; kill makes the server
// die at once: its listener and every connection, hijacked websockets
// included, close.
func serveGo(t *testing.T, h http.Handler) (string, func()) {
	srv := httptest.NewUnstartedServer(h)
	conns := make(chan net.Conn, 1000)
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateNew {
			select {
			case conns <- c:
			default:
			}
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL, func() {
		srv.Listener.Close()
		for len(conns) > 0 {
			(<-conns).Close()
		}
	}
}

func startGoSockJS(t *testing.T) (string, func()) {
	services := testserver.NewForTests()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = services.Shutdown(ctx)
	})
	return serveGo(t, services)
}

func startSockJSGo(t *testing.T) (string, func()) {
	echo := func(s sockjsgo.Session) {
		for {
			msg, err := s.RecvCtx(s.Context())
			if err != nil || s.Send(msg) != nil {
				return
			}
		}
	}
	opts := func(f func(*sockjsgo.Options)) sockjsgo.Options {
		o := sockjsgo.DefaultOptions
		f(&o)
		return o
	}
	mux := http.NewServeMux()
	for prefix, h := range map[string]http.Handler{
		"/echo":                    sockjsgo.NewHandler("/echo", opts(func(o *sockjsgo.Options) { o.ResponseLimit = 4096 }), echo),
		"/close":                   sockjsgo.NewHandler("/close", sockjsgo.DefaultOptions, func(s sockjsgo.Session) { _ = s.Close(3000, "Go away!") }),
		"/disabled_websocket_echo": sockjsgo.NewHandler("/disabled_websocket_echo", opts(func(o *sockjsgo.Options) { o.Websocket = false }), echo),
		"/cookie_needed_echo":      sockjsgo.NewHandler("/cookie_needed_echo", opts(func(o *sockjsgo.Options) { o.JSessionID = sockjsgo.DefaultJSessionID }), echo),
	} {
		mux.Handle(prefix+"/", h)
	}
	return serveGo(t, repoll2010(mux))
}

// repoll2010 works around a race in sockjs-go: its session lets go of a
// receiving response only after the response has ended, so a client that
// polls or reconnects at once (as every client does) is sometimes answered
// c[2010,"Another connection still open"], which ends its session. The
// middleware holds back each xhr, xhr_streaming and eventsource response
// until its first frame and, when that is the 2010 frame, asks sockjs-go
// again a little later, as a client would have to; otherwise the response
// streams through.
func repoll2010(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !receiving(r.URL.Path) {
			h.ServeHTTP(w, r)
			return
		}
		for range 50 {
			p := &peekWriter{w: w, header: http.Header{}, code: http.StatusOK}
			h.ServeHTTP(p, r.Clone(r.Context()))
			if !p.retry {
				p.decide(false)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// receiving reports whether path is one of the receiving requests the
// interop tests use, besides the websocket.
func receiving(path string) bool {
	for _, t := range []string{"/xhr", "/xhr_streaming", "/eventsource"} {
		if strings.HasSuffix(path, t) {
			return true
		}
	}
	return false
}

// peekWriter buffers a response until its first frame: the first line that
// is not the prelude (h characters or a blank line) or a heartbeat. A 2010
// close frame there
// means retry, and the response is discarded; anything else is written
// through.
type peekWriter struct {
	w       http.ResponseWriter
	header  http.Header
	code    int
	buf     []byte
	decided bool
	retry   bool
}

func (p *peekWriter) Header() http.Header  { return p.header }
func (p *peekWriter) WriteHeader(code int) { p.code = code }

func (p *peekWriter) Write(b []byte) (int, error) {
	if p.decided {
		if p.retry {
			return len(b), nil
		}
		return p.w.Write(b)
	}
	p.buf = append(p.buf, b...)
	for rest := p.buf; ; {
		line, after, ok := strings.Cut(string(rest), "\n")
		if !ok {
			break
		}
		if strings.Trim(line, "h\r") != "" {
			p.decide(strings.Contains(line, `c[2010,`))
			break
		}
		rest = []byte(after)
	}
	return len(b), nil
}

func (p *peekWriter) Flush() {
	if p.decided && !p.retry {
		http.NewResponseController(p.w).Flush()
	}
}

// decide ends the buffering: the response is retried, or what was held
// back is written through.
func (p *peekWriter) decide(retry bool) {
	if p.decided {
		return
	}
	p.decided, p.retry = true, retry
	if retry {
		return
	}
	for k, v := range p.header {
		p.w.Header()[k] = v
	}
	p.w.WriteHeader(p.code)
	_, _ = p.w.Write(p.buf)
	http.NewResponseController(p.w).Flush()
}

// startNode runs node/server.js; kill ends the process with SIGKILL.
func startNode(t *testing.T) (string, func()) {
	if _, err := os.Stat("node/node_modules/sockjs"); err != nil {
		skipOrFail(t, "sockjs-node is not installed: run npm ci in interop/node")
	}
	if _, err := exec.LookPath("node"); err != nil {
		skipOrFail(t, "Node.js is not installed")
	}
	cmd := exec.Command("node", "server.js")
	cmd.Dir = "node"
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	kill := func() { _ = cmd.Process.Kill() }
	t.Cleanup(func() {
		stdin.Close() // the server exits when its input ends
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			kill()
			<-exited
		}
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-ready:
		port, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
		if !ok {
			t.Fatalf("node server.js said %q", line)
		}
		return "http://127.0.0.1:" + port, kill
	case <-time.After(20 * time.Second):
		kill()
		t.Fatal("node server.js did not start")
	}
	return "", nil
}

func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

func echo(t *testing.T, c *client.Conn, msgs ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		for _, m := range msgs {
			if c.Send(ctx, m) != nil {
				return
			}
		}
	}()
	for i, want := range msgs {
		if got := clienttest.Recv(t, c); got != want {
			t.Fatalf("message %d = %q, want %q", i, got, want)
		}
	}
}

// ordered returns n messages of about 100 bytes: more than one response
// of 4096 bytes, so that streaming transports reconnect.
func ordered(n int) []string {
	msgs := make([]string, n)
	for i := range msgs {
		msgs[i] = strconv.Itoa(i) + strings.Repeat("x", 100)
	}
	return msgs
}

// Echo in order on every transport, across response-limit reconnects, with
// the characters each transport escapes in its own way; and the /close
// service's 3000 "Go away!".
func TestEveryTransport(t *testing.T) {
	leak.Check(t)
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			base, _ := s.start(t)
			for _, name := range transports {
				t.Run(name, func(t *testing.T) {
					c := clienttest.Dial(t, base+"/echo", clienttest.Only(name))
					if c.Transport() != name {
						t.Fatalf("Transport() = %q", c.Transport())
					}
					echo(t, c, ordered(200)...)
					echo(t, c, "%41 %25 %", "a\nb\r\x00c\t", `"\'`, "😀 é ü", "<script>&", "")

					closed := clienttest.Dial(t, base+"/close", clienttest.Only(name))
					if ce := clienttest.RecvClose(t, closed); ce.Code != 3000 || ce.Reason != "Go away!" {
						t.Errorf("close = %d %q, want 3000 \"Go away!\"", ce.Code, ce.Reason)
					}
				})
			}
		})
	}
}

// /info's websocket:false and cookie_needed:true are followed.
func TestInfo(t *testing.T) {
	leak.Check(t)
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			base, _ := s.start(t)
			c := clienttest.Dial(t, base+"/disabled_websocket_echo", &client.Options{OpenTimeout: 10 * time.Second})
			if c.Transport() != client.XHRStreaming {
				t.Errorf("websocket:false: Transport() = %q, want %q", c.Transport(), client.XHRStreaming)
			}
			echo(t, c, "a", "b")
			for _, name := range transports {
				c := clienttest.Dial(t, base+"/cookie_needed_echo", clienttest.Only(name))
				echo(t, c, ordered(20)...)
			}
		})
	}
}

// proxy is a balancer in front of target that refuses websocket upgrades
// and buffers xhr_streaming responses whole (as some proxies do), so the
// client must fall back to eventsource: at once past the websocket, after
// the open timeout past xhr-streaming.
func proxy(t *testing.T, target string) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(u) },
		FlushInterval: -1,
		ErrorLog:      log.New(io.Discard, "", 0), // clients giving up on buffered responses
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
			http.Error(w, "websockets are not allowed here", http.StatusBadRequest)
		case strings.HasSuffix(r.URL.Path, "/xhr_streaming"):
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r) // until the response ends or the client gives up
			if r.Context().Err() == nil {
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
			}
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Behind a proxy that refuses websockets and buffers streaming responses,
// the default transports fall back to eventsource.
func TestFallbackBehindProxy(t *testing.T) {
	leak.Check(t)
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			base, _ := s.start(t)
			via := proxy(t, base)
			start := time.Now()
			// The least open timeout a loaded CI machine needs; a fast
			// link's derived timeout is about 600 ms.
			c := clienttest.Dial(t, via+"/echo", &client.Options{OpenTimeout: 2 * time.Second})
			t.Logf("opened %s after %v", c.Transport(), time.Since(start))
			if c.Transport() != client.EventSource {
				t.Errorf("Transport() = %q, want %q", c.Transport(), client.EventSource)
			}
			echo(t, c, ordered(50)...)
		})
	}
}

// A server that dies mid-stream ends the connection with 1006 on every
// transport.
func TestServerDiesMidStream(t *testing.T) {
	leak.Check(t)
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) {
			for _, name := range transports {
				t.Run(name, func(t *testing.T) {
					base, kill := s.start(t)
					c := clienttest.Dial(t, base+"/echo", clienttest.Only(name))
					echo(t, c, "before")
					kill()
					if ce := clienttest.RecvClose(t, c); ce.Code != client.CodeConnectionLost {
						t.Errorf("close = %v, want 1006", ce)
					}
				})
			}
		})
	}
}

func Example() {
	// The client's README example, run against this library's handler.
	services := testserver.New()
	srv := httptest.NewServer(services)
	defer srv.Close()
	defer services.Shutdown(context.Background())

	ctx := context.Background()
	c, err := client.Dial(ctx, srv.URL+"/echo", nil)
	if err != nil {
		panic(err)
	}
	defer c.Close(1000, "")
	_ = c.Send(ctx, "hello")
	msg, _ := c.Recv(ctx)
	fmt.Println(c.Transport(), msg)
	// Output: websocket hello
}
