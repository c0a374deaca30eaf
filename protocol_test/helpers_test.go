// Package protocol_test is the black-box conformance suite of the SockJS 0.3.3
// server protocol (docs/protocol.md). Every test starts its own test server, talks to
// it over real HTTP or WebSocket connections, and checks one protocol rule.
//
// This file holds what the tests share: the server and session-id helpers, a
// plain HTTP client for fixed responses, a hand-written HTTP/1.x client for
// streaming responses (net/http would hide the chunk boundaries the protocol
// prescribes), a WebSocket client, and small assertions.
package protocol_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/gosockjs/sockjs/internal/testserver"
)

// ioTimeout bounds every wait for the server: one response, one chunk, one
// WebSocket message. A passing test never comes close to it.
const ioTimeout = 5 * time.Second

// settle is how long a test lets the server take up a request whose arrival the
// client cannot observe, such as a poll left pending so that a second poll can
// be refused with 2010. Generous, for loaded CI machines.
const settle = 500 * time.Millisecond

// shutdownTimeout bounds how long the server's handlers may keep running after
// every client connection was closed.
const shutdownTimeout = 5 * time.Second

// The services of the test server (docs/protocol.md#conformance-test-server).
const (
	echoPrefix   = "/echo"                    // echo, response_limit 4096, raw websocket
	closePrefix  = "/close"                   // closes every session at open with 3000 "Go away!"
	wsOffPrefix  = "/disabled_websocket_echo" // echo, websocket=false
	cookiePrefix = "/cookie_needed_echo"      // echo, jsessionid on
)

// Exact header values (docs/protocol.md#caching-headers, docs/protocol.md#caching-headers).
const (
	ctPlain       = "text/plain; charset=UTF-8"
	ctJSON        = "application/json; charset=UTF-8"
	ctJavaScript  = "application/javascript; charset=UTF-8"
	ctHTML        = "text/html; charset=UTF-8"
	ctEventStream = "text/event-stream"
	noCache       = "no-store, no-cache, no-transform, must-revalidate, max-age=0"
)

// Frames as the transports carry them.
const (
	greeting       = "Welcome to SockJS!\n"
	goAway         = `c[3000,"Go away!"]`
	anotherStillOn = `c[2010,"Another connection still open"]`
	interrupted    = `c[1002,"Connection interrupted"]`
)

// xhrStreamingPrelude is the first chunk of every xhr_streaming response (docs/protocol.md#xhr-streaming).
var xhrStreamingPrelude = strings.Repeat("h", 2048) + "\n"

// newServer starts a private test server and returns its base URL. At cleanup
// it shuts the services down, closes every client connection and checks that
// the server's handlers end.
func newServer(t *testing.T) string {
	t.Helper()
	// The test's clients are gone when it ends: no grace for their next poll.
	services := testserver.NewForTests()
	srv := httptest.NewServer(services)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := services.Shutdown(ctx); err != nil {
			t.Errorf("shutting the services down: %v", err)
		}
		srv.CloseClientConnections()
		done := make(chan struct{})
		go func() {
			srv.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(shutdownTimeout):
			t.Errorf("handlers still running %v after every client connection was closed: a request is stuck (docs/protocol.md#detach-and-abort: aborts must be noticed promptly)", shutdownTimeout)
		}
	})
	return srv.URL
}

// newID returns a fresh random session id.
func newID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// sessionPath is the path of a session endpoint under server id "000".
func sessionPath(prefix, id, endpoint string) string {
	return prefix + "/000/" + id + "/" + endpoint
}

// response is a complete HTTP response, as the assertions see it.
type response struct {
	req    string      // "POST /echo/000/x/xhr", for failure messages
	status int         // status code
	header http.Header // response header
	length int64       // Content-Length, -1 when absent
	body   string      // whole body; empty for a raw response still being read
}

// client talks to the test servers for fixed responses. It never follows
// redirects (a redirect where the protocol wants a 404 must show) and never
// asks for compression.
var client = &http.Client{
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       ioTimeout,
}

// do sends one request with net/http and reads the whole response. Headers are
// "Name: value" lines; a line "Name:" sends the header with an empty value.
func do(t *testing.T, method, rawURL, body string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range header {
		name, value, _ := strings.Cut(line, ":")
		key := textproto.CanonicalMIMEHeaderKey(name)
		req.Header[key] = append(req.Header[key], strings.TrimSpace(value))
	}
	what := method + " " + req.URL.RequestURI()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: reading body: %v", what, err)
	}
	return response{req: what, status: resp.StatusCode, header: resp.Header, length: resp.ContentLength, body: string(b)}
}

// rawConn is one client TCP connection speaking HTTP/1.x by hand, so that a
// test sees the exact bytes, chunk boundaries and connection closes.
type rawConn struct {
	t    *testing.T
	host string        // host:port of the server
	conn net.Conn      // the TCP connection
	br   *bufio.Reader // buffered reader over conn
}

// dialRaw opens a TCP connection to the server at base. Cleanup closes it.
func dialRaw(t *testing.T, base string) *rawConn {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{t: t, host: u.Host, conn: conn, br: bufio.NewReader(conn)}
}

// rawRequest is a request written byte for byte.
type rawRequest struct {
	proto      string   // "HTTP/1.1" when empty
	method     string   // request method
	target     string   // path and query, sent verbatim
	header     []string // "Name: value" lines, after Host
	body       string   // request body
	omitLength bool     // send no Content-Length even for a POST
}

func (r rawRequest) String() string { return r.method + " " + r.target }

// send writes req: the request line, Host, the given header lines, a
// Content-Length for POSTs and non-empty bodies (unless omitLength), and the body.
func (c *rawConn) send(req rawRequest) {
	c.t.Helper()
	proto := req.proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s\r\nHost: %s\r\n", req.method, req.target, proto, c.host)
	for _, line := range req.header {
		b.WriteString(line + "\r\n")
	}
	if !req.omitLength && (req.body != "" || req.method == "POST") {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(req.body))
	}
	b.WriteString("\r\n" + req.body)
	c.conn.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := io.WriteString(c.conn, b.String()); err != nil {
		c.t.Fatalf("%v: writing request: %v", req, err)
	}
}

// rawResponse is a response being read from a rawConn.
type rawResponse struct {
	response          // status and header; body only after readBody
	c        *rawConn // the connection it arrives on
}

// readHead reads a status line and header block.
func (c *rawConn) readHead(what string) *rawResponse {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(ioTimeout))
	tp := textproto.NewReader(c.br)
	line, err := tp.ReadLine()
	if err != nil {
		c.t.Fatalf("%s: reading status line: %v", what, err)
	}
	_, rest, _ := strings.Cut(line, " ")
	code, _, _ := strings.Cut(rest, " ")
	status, err := strconv.Atoi(code)
	if err != nil {
		c.t.Fatalf("%s: bad status line %q", what, line)
	}
	mh, err := tp.ReadMIMEHeader()
	if err != nil {
		c.t.Fatalf("%s: reading header: %v", what, err)
	}
	h := http.Header(mh)
	length := int64(-1)
	if v := h.Get("Content-Length"); v != "" {
		if length, err = strconv.ParseInt(v, 10, 64); err != nil {
			c.t.Fatalf("%s: bad Content-Length %q", what, v)
		}
	}
	return &rawResponse{response: response{req: what, status: status, header: h, length: length}, c: c}
}

// stream opens a connection, sends req and reads the response head; the body
// is left to be read chunk by chunk.
func stream(t *testing.T, base string, req rawRequest) *rawResponse {
	t.Helper()
	c := dialRaw(t, base)
	c.send(req)
	return c.readHead(req.String())
}

// roundTrip sends req on a new connection and reads the whole response.
func roundTrip(t *testing.T, base string, req rawRequest) response {
	t.Helper()
	r := stream(t, base, req)
	r.readBody()
	return r.response
}

// errLastChunk reports the terminating zero-length chunk of a chunked body.
var errLastChunk = errors.New("last chunk")

// maxChunk bounds the size of a chunk the reader accepts.
const maxChunk = 1 << 20

// nextChunk reads one chunk of a chunked body. At the terminating chunk it
// reads the trailer and returns errLastChunk.
func (r *rawResponse) nextChunk() (string, error) {
	c := r.c
	c.conn.SetReadDeadline(time.Now().Add(ioTimeout))
	tp := textproto.NewReader(c.br)
	line, err := tp.ReadLine()
	if err != nil {
		return "", err
	}
	sizeHex, _, _ := strings.Cut(line, ";")
	size, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
	if err != nil || size < 0 || size > maxChunk {
		return "", fmt.Errorf("bad chunk size line %q", line)
	}
	if size == 0 {
		if _, err := tp.ReadMIMEHeader(); err != nil {
			return "", fmt.Errorf("reading trailer: %w", err)
		}
		return "", errLastChunk
	}
	buf := make([]byte, size+2)
	if _, err := io.ReadFull(c.br, buf); err != nil {
		return "", err
	}
	if string(buf[size:]) != "\r\n" {
		return "", fmt.Errorf("chunk of %d bytes not followed by CRLF", size)
	}
	return string(buf[:size]), nil
}

// chunked reports whether the response uses chunked transfer coding.
func (r *rawResponse) chunked() bool {
	return strings.EqualFold(r.header.Get("Transfer-Encoding"), "chunked")
}

// readBody reads the whole body into r.body, whatever its framing.
func (r *rawResponse) readBody() {
	t := r.c.t
	t.Helper()
	switch {
	case r.status/100 == 1 || r.status == http.StatusNoContent || r.status == http.StatusNotModified:
	case r.chunked():
		var b strings.Builder
		for i := 0; ; i++ {
			if i == 10000 {
				t.Fatalf("%s: body does not end", r.req)
			}
			chunk, err := r.nextChunk()
			if err == errLastChunk {
				break
			}
			if err != nil {
				t.Fatalf("%s: reading chunk: %v", r.req, err)
			}
			b.WriteString(chunk)
		}
		r.body = b.String()
	case r.length >= 0:
		buf := make([]byte, r.length)
		r.c.conn.SetReadDeadline(time.Now().Add(ioTimeout))
		if _, err := io.ReadFull(r.c.br, buf); err != nil {
			t.Fatalf("%s: reading body: %v", r.req, err)
		}
		r.body = string(buf)
	default:
		r.body = r.c.readToClose(r.req)
	}
}

// readToClose reads until the server closes the connection and fails the test
// if it does not within ioTimeout.
func (c *rawConn) readToClose(what string) string {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(ioTimeout))
	b, err := io.ReadAll(c.br)
	if err != nil {
		c.t.Fatalf("%s: connection not closed by the server (read %s): %v", what, quote(string(b)), err)
	}
	return string(b)
}

// wantChunk reads the next chunk and requires it to be want.
func (r *rawResponse) wantChunk(want string) {
	r.c.t.Helper()
	got, err := r.nextChunk()
	if err == errLastChunk {
		r.c.t.Fatalf("%s: response ended, want chunk %s", r.req, quote(want))
	}
	if err != nil {
		r.c.t.Fatalf("%s: want chunk %s: %v", r.req, quote(want), err)
	}
	if got != want {
		r.c.t.Fatalf("%s: chunk = %s, want %s", r.req, quote(got), quote(want))
	}
}

// wantEnd requires the next thing on the wire to be the terminating chunk.
func (r *rawResponse) wantEnd() {
	r.c.t.Helper()
	got, err := r.nextChunk()
	switch {
	case err == errLastChunk:
	case err != nil:
		r.c.t.Fatalf("%s: want the terminating chunk: %v", r.req, err)
	default:
		r.c.t.Fatalf("%s: chunk = %s, want the end of the response", r.req, quote(got))
	}
}

// quote formats s for a failure message, eliding the middle of long strings.
func quote(s string) string {
	if len(s) <= 300 {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%q…(%d bytes)…%q", s[:120], len(s), s[len(s)-120:])
}

// wsURL turns the http base URL into a ws URL for path.
func wsURL(base, path string) string {
	return "ws" + strings.TrimPrefix(base, "http") + path
}

// dialWebsocket opens an RFC 6455 connection to path. Cleanup drops it.
func dialWebsocket(t *testing.T, base, path string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	c, _, err := websocket.Dial(ctx, wsURL(base, path), nil)
	if err != nil {
		t.Fatalf("websocket %s: %v", path, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// readMessage reads the next WebSocket message, which must be text.
func readMessage(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	typ, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("reading websocket message: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("websocket message %s is %v, want text", quote(string(b)), typ)
	}
	return string(b)
}

// wantMessage reads the next WebSocket message and requires it to be want.
func wantMessage(t *testing.T, c *websocket.Conn, want string) {
	t.Helper()
	if got := readMessage(t, c); got != want {
		t.Fatalf("websocket message = %s, want %s", quote(got), quote(want))
	}
}

// writeMessage sends one WebSocket text message.
func writeMessage(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("writing websocket message %s: %v", quote(msg), err)
	}
}

// wantClosed requires the server to end the WebSocket connection: the next read
// fails before ioTimeout. It returns the read error.
func wantClosed(t *testing.T, c *websocket.Conn) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err == nil {
		t.Fatalf("websocket message %s, want the connection closed", quote(string(b)))
	}
	if ctx.Err() != nil {
		t.Fatalf("websocket connection still open after %v, want it closed", ioTimeout)
	}
	return err
}

func assertStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Errorf("%s: status = %d, want %d (body %s)", r.req, r.status, want, quote(r.body))
	}
}

func assertBody(t *testing.T, r response, want string) {
	t.Helper()
	if r.body != want {
		t.Errorf("%s: body = %s, want %s", r.req, quote(r.body), quote(want))
	}
}

// assertHeader requires exactly one header field name, with value want.
func assertHeader(t *testing.T, r response, name, want string) {
	t.Helper()
	got := r.header.Values(name)
	if len(got) != 1 || got[0] != want {
		t.Errorf("%s: %s = %q, want %q", r.req, name, got, want)
	}
}

func assertNoHeader(t *testing.T, r response, name string) {
	t.Helper()
	if got := r.header.Values(name); len(got) > 0 {
		t.Errorf("%s: %s = %q, want no such header", r.req, name, got)
	}
}

// assertContentType compares Content-Type after deleting spaces (docs/protocol.md#caching-headers).
func assertContentType(t *testing.T, r response, want string) {
	t.Helper()
	got := r.header.Values("Content-Type")
	if len(got) != 1 || strings.ReplaceAll(got[0], " ", "") != strings.ReplaceAll(want, " ", "") {
		t.Errorf("%s: Content-Type = %q, want %q", r.req, got, want)
	}
}

// assertNoCache requires the NO_CACHE header set (docs/protocol.md#caching-headers).
func assertNoCache(t *testing.T, r response) {
	t.Helper()
	assertHeader(t, r, "Cache-Control", noCache)
	assertNoHeader(t, r, "Expires")
	assertNoHeader(t, r, "Last-Modified")
}

// maxAgeRE is a max-age the suite accepts for CACHE_1Y: seven or more digits.
var maxAgeRE = regexp.MustCompile(`^max-age=([1-9][0-9]{6,})$`)

// assertCachedForAYear requires the CACHE_1Y header set (docs/protocol.md#caching-headers): Cache-Control
// with public and a long max-age, and an IMF-fixdate Expires that agrees with it.
func assertCachedForAYear(t *testing.T, r response) {
	t.Helper()
	cc := r.header.Get("Cache-Control")
	public, maxAge := false, int64(-1)
	for _, d := range strings.Split(cc, ",") {
		d = strings.TrimSpace(d)
		if d == "public" {
			public = true
		}
		if m := maxAgeRE.FindStringSubmatch(d); m != nil {
			maxAge, _ = strconv.ParseInt(m[1], 10, 64)
		}
	}
	if !public || maxAge < 0 {
		t.Errorf("%s: Cache-Control = %q, want public and max-age of 7+ digits", r.req, cc)
	}
	exp := r.header.Get("Expires")
	when, err := time.Parse(http.TimeFormat, exp)
	if err != nil {
		t.Errorf("%s: Expires = %q, want an IMF-fixdate in GMT", r.req, exp)
		return
	}
	if want := time.Now().Add(time.Duration(maxAge) * time.Second); maxAge >= 0 && (when.Before(want.Add(-time.Minute)) || when.After(want.Add(time.Minute))) {
		t.Errorf("%s: Expires = %q, want about now + max-age (%v)", r.req, exp, want.UTC().Format(http.TimeFormat))
	}
}

// assertCORS requires the CORS headers of docs/protocol.md#cors for a request with the given
// Origin ("" for none).
func assertCORS(t *testing.T, r response, origin string) {
	t.Helper()
	if origin == "" {
		assertHeader(t, r, "Access-Control-Allow-Origin", "*")
		assertNoHeader(t, r, "Access-Control-Allow-Credentials")
		return
	}
	assertHeader(t, r, "Access-Control-Allow-Origin", origin)
	assertHeader(t, r, "Access-Control-Allow-Credentials", "true")
}

// assertPreflight requires a CORS preflight answer (docs/protocol.md#preflight) allowing methods.
func assertPreflight(t *testing.T, r response, origin string, methods ...string) {
	t.Helper()
	assertStatus(t, r, http.StatusNoContent)
	assertBody(t, r, "")
	assertNoHeader(t, r, "Content-Type")
	assertCachedForAYear(t, r)
	if age, err := strconv.ParseInt(r.header.Get("Access-Control-Max-Age"), 10, 64); err != nil || age <= 1000000 {
		t.Errorf("%s: Access-Control-Max-Age = %q, want an integer > 1000000", r.req, r.header.Get("Access-Control-Max-Age"))
	}
	allowed := map[string]bool{}
	for _, m := range strings.Split(r.header.Get("Access-Control-Allow-Methods"), ",") {
		allowed[strings.TrimSpace(m)] = true
	}
	for _, m := range methods {
		if !allowed[m] {
			t.Errorf("%s: Access-Control-Allow-Methods = %q, want it to contain %s", r.req, r.header.Get("Access-Control-Allow-Methods"), m)
		}
	}
	assertCORS(t, r, origin)
}

// assertCookie requires exactly one Set-Cookie: JSESSIONID=value with path=/
// as its first attribute (docs/protocol.md#jsessionid-cookie).
func assertCookie(t *testing.T, r response, value string) {
	t.Helper()
	got := r.header.Values("Set-Cookie")
	if len(got) != 1 {
		t.Errorf("%s: Set-Cookie = %q, want one JSESSIONID=%s; path=/", r.req, got, value)
		return
	}
	parts := strings.Split(got[0], ";")
	if parts[0] != "JSESSIONID="+value || len(parts) < 2 || !strings.EqualFold(strings.TrimSpace(parts[1]), "path=/") {
		t.Errorf("%s: Set-Cookie = %q, want JSESSIONID=%s; path=/", r.req, got[0], value)
	}
}

// assertError requires an endpoint error (docs/protocol.md#error-responses): the status, a text/plain
// Content-Type and the message as the body.
func assertError(t *testing.T, r response, status int, msg string) {
	t.Helper()
	assertStatus(t, r, status)
	ct := r.header.Get("Content-Type")
	if !strings.EqualFold(strings.ReplaceAll(ct, " ", ""), "text/plain;charset=UTF-8") {
		t.Errorf("%s: Content-Type = %q, want %q", r.req, ct, ctPlain)
	}
	if strings.TrimSuffix(r.body, "\n") != msg {
		t.Errorf("%s: body = %s, want %s", r.req, quote(r.body), quote(msg))
	}
}
