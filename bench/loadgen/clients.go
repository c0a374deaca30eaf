package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// conn is one client session, on any transport and implementation.
type conn interface {
	// send sends one message.
	send(msg string) error
	// recv returns the next message from the server, skipping heartbeats.
	recv() (string, error)
	// close ends the session abruptly; a blocked recv returns.
	close()
	// shutdown closes the session politely (websocket close handshake).
	shutdown()
}

// target describes what the load generator talks to.
type target struct {
	base      string // http://host:port
	host      string // host:port
	plain     bool   // plainws/plainhttp: no SockJS framing
	transport string // websocket, xhr_streaming or xhr
	service   string // echo or broadcast
	dialer    *dialer
}

// dialer opens TCP connections to the server, optionally spreading them
// over several loopback source addresses so that many short connections
// do not run out of ephemeral ports.
type dialer struct {
	addr    string
	sources []net.Addr
	next    atomic.Uint64
}

func newDialer(addr string, sources int) *dialer {
	d := &dialer{addr: addr}
	for i := 0; i < sources; i++ {
		d.sources = append(d.sources, &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))})
	}
	return d
}

func (d *dialer) dialContext(ctx context.Context) (net.Conn, error) {
	nd := net.Dialer{Timeout: 10 * time.Second}
	if len(d.sources) > 0 {
		nd.LocalAddr = d.sources[d.next.Add(1)%uint64(len(d.sources))]
	}
	return nd.DialContext(ctx, "tcp", d.addr)
}

func newTarget(base, impl, transport, service string, sources int) (*target, error) {
	host := strings.TrimPrefix(base, "http://")
	if host == base {
		return nil, fmt.Errorf("-url %q: want http://host:port", base)
	}
	ip, _, err := net.SplitHostPort(host)
	if err != nil {
		return nil, fmt.Errorf("-url %q: %v", base, err)
	}
	if p := net.ParseIP(ip); ip != "localhost" && (p == nil || !p.IsLoopback()) {
		return nil, fmt.Errorf("-url %q: only loopback addresses are allowed", base)
	}
	t := &target{
		base:      base,
		host:      host,
		plain:     impl == "plainws" || impl == "plainhttp",
		transport: transport,
		service:   service,
		dialer:    newDialer(host, sources),
	}
	switch transport {
	case "websocket", "xhr_streaming", "xhr":
	default:
		return nil, fmt.Errorf("unknown transport %q", transport)
	}
	if t.plain && (impl == "plainws") != (transport == "websocket") {
		return nil, fmt.Errorf("-impl %s does not serve %s", impl, transport)
	}
	return t, nil
}

// open opens session number id and returns once it is open: the SockJS
// open frame arrived (plain websockets: the handshake is done).
func (t *target) open(ctx context.Context, id string) (conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if t.transport == "websocket" {
		return t.openWS(ctx, id)
	}
	return t.openHTTP(ctx, id)
}

// wsConn is a SockJS or plain websocket session.
type wsConn struct {
	c       *rawWS
	plain   bool
	pending []string // messages of the last frame not returned yet
	out     []byte
}

func (t *target) openWS(ctx context.Context, id string) (conn, error) {
	path := "/" + t.service + "/000/" + id + "/websocket"
	if t.plain {
		path = "/" + t.service + "/websocket"
	}
	c, err := dialRawWS(ctx, t.dialer, t.host, path)
	if err != nil {
		return nil, err
	}
	w := &wsConn{c: c, plain: t.plain}
	if !t.plain {
		if dl, ok := ctx.Deadline(); ok {
			c.nc.SetReadDeadline(dl)
		}
		p, err := c.readMessage()
		if err != nil {
			c.close()
			return nil, err
		}
		if string(p) != "o" {
			c.close()
			return nil, fmt.Errorf("first frame %.40q, want o", p)
		}
		c.nc.SetReadDeadline(time.Time{})
	}
	return w, nil
}

func (w *wsConn) send(msg string) error {
	if w.plain {
		w.out = append(w.out[:0], msg...)
	} else {
		w.out = encodeSend(w.out[:0], msg)
	}
	return w.c.writeText(w.out)
}

func (w *wsConn) recv() (string, error) {
	for range 1 << 20 {
		if len(w.pending) > 0 {
			m := w.pending[0]
			w.pending = w.pending[1:]
			return m, nil
		}
		p, err := w.c.readMessage()
		if err != nil {
			return "", err
		}
		if w.plain {
			return string(p), nil
		}
		switch frameKind(p, false) {
		case 'h':
		case 'a':
			if w.pending, err = appendMessages(w.pending[:0], p); err != nil {
				return "", err
			}
		case 'c':
			return "", errSessionClosed
		default:
			return "", fmt.Errorf("unexpected frame %.40q", p)
		}
	}
	return "", errors.New("too many frames without a message")
}

func (w *wsConn) close() { w.c.close() }

func (w *wsConn) shutdown() { w.c.closeHandshake() }

// httpSession is an xhr_streaming or xhr polling session (SockJS) or its
// plain counterpart: one connection receives, another sends.
type httpSession struct {
	t        *target
	recvPath string
	sendPath string
	sender   *httpConn
	receiver *httpConn
	msgs     chan string   // from the receiving goroutine
	opened   chan struct{} // closed when the open frame arrived
	done     chan struct{} // closed by close
	once     sync.Once
	err      atomic.Pointer[error] // why the receiving goroutine stopped
	out      []byte
	body     []byte
}

// maxResponses bounds the receiving requests of one session.
const maxResponses = 1 << 22

// maxLines bounds the lines of one receiving response (a streaming
// response ends at 128 KiB, far fewer lines).
const maxLines = 1 << 20

// maxRetries bounds the polls of one session answered with 2010.
const maxRetries = 1 << 20

var anotherConnection = []byte(`c[2010,`)

// anotherConnectionRetries counts the polls that were answered with
// c[2010,"Another connection still open"] right after the session's
// previous poll ended, and were repeated.
var anotherConnectionRetries atomic.Int64

func (t *target) openHTTP(ctx context.Context, id string) (conn, error) {
	dial := func() (net.Conn, error) { return t.dialer.dialContext(context.Background()) }
	s := &httpSession{
		t:        t,
		sender:   newHTTPConn(t.host, dial),
		receiver: newHTTPConn(t.host, dial),
		msgs:     make(chan string, 1024),
		opened:   make(chan struct{}),
		done:     make(chan struct{}),
	}
	prefix := "/" + t.service + "/000/" + id + "/"
	if t.plain {
		prefix = "/" + t.service + "/" + id + "/"
	}
	switch {
	case t.plain && t.transport == "xhr":
		s.recvPath, s.sendPath = prefix+"poll", prefix+"send"
	case t.plain:
		s.recvPath, s.sendPath = prefix+"stream", prefix+"send"
	default:
		s.recvPath, s.sendPath = prefix+t.transport, prefix+"xhr_send"
	}
	go s.receive()
	select {
	case <-s.opened:
		return s, nil
	case <-s.done:
		return nil, s.failure()
	case <-ctx.Done():
		s.close()
		return nil, ctx.Err()
	}
}

func (s *httpSession) failure() error {
	if p := s.err.Load(); p != nil {
		return *p
	}
	return errSessionClosed
}

// receive runs the receiving requests one after another: polls, or
// streams that the server ends at its response limit.
func (s *httpSession) receive() {
	err := s.receiveLoop()
	s.err.CompareAndSwap(nil, &err)
	s.close()
}

func (s *httpSession) receiveLoop() error {
	lines := bufio.NewReaderSize(nil, 8<<10)
	var batch []string
	retries := 0
	for range maxResponses {
		select {
		case <-s.done:
			return errSessionClosed
		default:
		}
		resp, err := s.receiver.request(s.recvPath, nil)
		if err != nil {
			return err
		}
		if resp.status != http.StatusOK {
			return fmt.Errorf("%s: %v", s.recvPath, resp)
		}
		lines.Reset(resp)
		for n := 0; ; n++ {
			if n == maxLines {
				return errors.New("too many lines in one response")
			}
			line, err := lines.ReadSlice('\n')
			if err != nil {
				if len(line) == 0 && errors.Is(err, io.EOF) {
					break
				}
				return fmt.Errorf("%s: %w", s.recvPath, err)
			}
			line = line[:len(line)-1]
			switch frameKind(line, s.t.plain) {
			case 'o':
				select {
				case <-s.opened:
					return errors.New("second open frame")
				default:
					close(s.opened)
				}
			case 'h':
			case 'm':
				if !s.deliver(string(line)) {
					return errSessionClosed
				}
			case 'a':
				if batch, err = appendMessages(batch[:0], line); err != nil {
					return err
				}
				for _, m := range batch {
					if !s.deliver(m) {
						return errSessionClosed
					}
				}
			case 'c':
				if s.t.transport == "xhr" && bytes.HasPrefix(line, anotherConnection) && retries < maxRetries {
					// A server that lets go of a poll's receiver after the
					// response ended can see the next poll too early.
					// Real clients give up here; the benchmark counts it and
					// polls again shortly.
					retries++
					anotherConnectionRetries.Add(1)
					time.Sleep(200 * time.Microsecond)
					continue
				}
				return fmt.Errorf("%w: %s", errSessionClosed, line)
			default:
				return fmt.Errorf("unexpected frame %.40q", line)
			}
		}
	}
	return errors.New("too many receiving requests")
}

func (s *httpSession) deliver(m string) bool {
	select {
	case s.msgs <- m:
		return true
	case <-s.done:
		return false
	}
}

func (s *httpSession) send(msg string) error {
	if s.t.plain {
		s.out = append(s.out[:0], msg...)
	} else {
		s.out = encodeSend(s.out[:0], msg)
	}
	resp, err := s.sender.request(s.sendPath, s.out)
	if err != nil {
		select {
		case <-s.done: // the receiving side failed first: report that
			return fmt.Errorf("receiving: %w", s.failure())
		default:
			return err
		}
	}
	if s.body, err = resp.readAll(s.body); err != nil {
		return err
	}
	if resp.status != http.StatusNoContent && resp.status != http.StatusOK {
		return fmt.Errorf("%s: %v %.60q", s.sendPath, resp, s.body)
	}
	return nil
}

func (s *httpSession) recv() (string, error) {
	select {
	case m := <-s.msgs:
		return m, nil
	case <-s.done:
		select {
		case m := <-s.msgs:
			return m, nil
		default:
			return "", s.failure()
		}
	}
}

// close ends the session: both connections are closed, so the receiving
// goroutine's request fails and the server sees an abort.
func (s *httpSession) close() {
	s.once.Do(func() {
		close(s.done)
		s.receiver.abort()
		s.sender.abort()
	})
}

func (s *httpSession) shutdown() { s.close() }
