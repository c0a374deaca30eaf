package client

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/coder/websocket"
)

// transport is one way of carrying a session. Its methods run on the
// connection's helper goroutines, never on the actor, and return when they
// are done or their context ends.
type transport interface {
	// receive runs one receiving request, or a websocket's whole life,
	// handing each frame to emit, which returns false once ctx has ended.
	// It returns nil when a streaming or polling response ended normally,
	// and the actor then starts the next one; an error otherwise.
	receive(ctx context.Context, emit func(frame) bool) error
	// send delivers one batch of messages, encoded as a JSON array.
	send(ctx context.Context, payload []byte) error
	// close ends the transport on the client's side: the websocket closing
	// handshake. HTTP transports have nothing to close.
	close(code int, reason string)
}

// newTransport returns the transport named name for the session at
// sessionURL (base/server/session), whose requests carry query.
func newTransport(name, sessionURL, query string, client *http.Client, header http.Header, maxFrame int) (transport, error) {
	h := &httpTransport{client: client, header: header, sessionURL: sessionURL, query: query, maxFrame: maxFrame}
	switch name {
	case Websocket:
		return &websocketTransport{client: client, header: header, url: withQuery(wsURL(sessionURL)+"/websocket", query, false), maxFrame: maxFrame}, nil
	case XHRStreaming:
		h.path, h.method = "/xhr_streaming", http.MethodPost
	case XHRPolling:
		h.path, h.method = "/xhr", http.MethodPost
	case EventSource:
		h.path, h.method, h.eventStream = "/eventsource", http.MethodGet, true
	default:
		return nil, fmt.Errorf("sockjs client: unknown transport %q", name)
	}
	return h, nil
}

// roundTrips is how many round trips a transport needs to open, the factor
// sockjs-client applies to its retransmission timeout.
const roundTrips = 2

// websocketTransport is the SockJS websocket: each text message is a frame.
type websocketTransport struct {
	client   *http.Client // makes the handshake
	header   http.Header  // added to the handshake
	url      string       // ws(s)://base/server/session/websocket
	maxFrame int          // the read limit

	// ws is set by receive before it emits the first frame, so the
	// actor's later send and close calls see it.
	ws *websocket.Conn
}

func (t *websocketTransport) receive(ctx context.Context, emit func(frame) bool) error {
	ws, _, err := websocket.Dial(ctx, t.url, &websocket.DialOptions{HTTPClient: t.client, HTTPHeader: t.header})
	if err != nil {
		return err
	}
	ws.SetReadLimit(int64(t.maxFrame))
	t.ws = ws
	for {
		typ, p, err := ws.Read(ctx)
		if err != nil {
			return err
		}
		if typ != websocket.MessageText {
			return fmt.Errorf("%w: binary message", errBadFrame)
		}
		f, err := parseFrame(p)
		if err != nil {
			return err
		}
		if !emit(f) {
			return ctx.Err()
		}
	}
}

func (t *websocketTransport) send(ctx context.Context, payload []byte) error {
	return t.ws.Write(ctx, websocket.MessageText, payload)
}

func (t *websocketTransport) close(code int, reason string) {
	if t.ws != nil {
		_ = t.ws.Close(websocket.StatusCode(code), reason)
	}
}

// httpTransport is xhr-streaming, xhr-polling or eventsource: receiving
// requests one after the other, and xhr_send for sending.
type httpTransport struct {
	client      *http.Client // makes every request
	header      http.Header  // added to every request
	sessionURL  string       // base/server/session
	query       string       // added to every request
	path        string       // "/xhr_streaming", "/xhr" or "/eventsource"
	method      string       // of the receiving request
	eventStream bool         // frames are wrapped as server-sent events
	maxFrame    int          // bounds one frame, prelude included
}

// errStatus is a response whose status is not what the protocol answers.
type errStatus struct {
	status int // the HTTP status
}

func (e *errStatus) Error() string { return "unexpected HTTP status " + strconv.Itoa(e.status) }

func (t *httpTransport) request(ctx context.Context, method, path string, body []byte) (*http.Response, error) {
	u := withQuery(t.sessionURL+path, t.query, true)
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return nil, err
	}
	for k, v := range t.header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	if t.eventStream && path == t.path {
		req.Header.Set("Accept", "text/event-stream")
	}
	return t.client.Do(req)
}

func (t *httpTransport) receive(ctx context.Context, emit func(frame) bool) error {
	resp, err := t.request(ctx, t.method, t.path, nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &errStatus{resp.StatusCode}
	}
	br := bufio.NewReader(resp.Body)
	next := readLine // xhr: one frame a line
	if t.eventStream {
		next = readEvent
	}
	for {
		line, err := next(br, t.maxFrame)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(line) == 0 {
			continue
		}
		f, err := parseFrame(line)
		if err != nil {
			return err
		}
		if !emit(f) {
			return ctx.Err()
		}
	}
}

func (t *httpTransport) send(ctx context.Context, payload []byte) error {
	resp, err := t.request(ctx, http.MethodPost, "/xhr_send", payload)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return &errStatus{resp.StatusCode}
	}
	return nil
}

func (t *httpTransport) close(int, string) {}

// readLine reads one line up to '\n', which it drops, and fails with
// errBadFrame past max bytes. It returns io.EOF at the end of the body; a
// last line without '\n' is returned first.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		p, err := br.ReadSlice('\n')
		if len(line)+len(p) > max+1 {
			return nil, fmt.Errorf("%w: over %d bytes", errBadFrame, max)
		}
		line = append(line, p...)
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(line) > 0:
			return line, nil
		default:
			return nil, err
		}
	}
}

// readEvent reads one server-sent event and returns its data, percent-
// decoded (see decodeURI); lines other than data lines are ignored, as the
// protocol sends none. It returns io.EOF at the end of the body.
func readEvent(br *bufio.Reader, max int) ([]byte, error) {
	var data []byte  // the data lines of the event so far
	inEvent := false // a data line of the event has been read
	for {
		line, err := readLine(br, max)
		if err != nil {
			return nil, err
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			if inEvent {
				return decodeURI(data), nil
			}
			continue // the prelude, or an event without data
		}
		v, ok := bytes.CutPrefix(line, []byte("data:"))
		if !ok {
			continue
		}
		v = bytes.TrimPrefix(v, []byte(" "))
		if len(data)+len(v) > max {
			return nil, fmt.Errorf("%w: over %d bytes", errBadFrame, max)
		}
		if inEvent {
			data = append(data, '\n')
		}
		data, inEvent = append(data, v...), true
	}
}

// decodeURI undoes the percent-escaping of an event-stream data line as
// sockjs-client does with JavaScript's decodeURI: every %XX becomes its
// byte except those of the characters decodeURI keeps escaped
// ("#$&+,/:;=?@"); a % not followed by two hex digits stays as it is.
func decodeURI(p []byte) []byte {
	if bytes.IndexByte(p, '%') < 0 {
		return p
	}
	out := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && ishex(p[i+1]) && ishex(p[i+2]) {
			b := unhex(p[i+1])<<4 | unhex(p[i+2])
			if bytes.IndexByte([]byte("#$&+,/:;=?@"), b) < 0 {
				out = append(out, b)
				i += 2
				continue
			}
		}
		out = append(out, p[i])
	}
	return out
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// wsURL turns an http(s) URL into the ws(s) URL of the same place.
func wsURL(u string) string {
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		return "wss://" + rest
	}
	if rest, ok := strings.CutPrefix(u, "http://"); ok {
		return "ws://" + rest
	}
	return u
}
