package transport

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs/internal/frame"
	"github.com/gosockjs/sockjs/session"
)

// Create makes the private session of a websocket connection.
type Create func(transport string) (*session.Session, error)

// wsReceiver is a SockJS websocket: every frame is one text message.
type wsReceiver struct {
	conn    *websocket.Conn
	timeout time.Duration
	obs     Observer
	raw     bool          // raw websocket: messages verbatim, no SockJS frames
	done    chan struct{} // closed by End

	deadline *watchdog // drops the connection when a write takes too long

	// The reader's activity, for the liveness check (ping): reads counts
	// messages read and Feed calls begun and ended, and feeding is set
	// while the reader is in Feed, where it may wait for the application
	// and reads nothing, pongs included.
	reads   atomic.Uint64
	feeding atomic.Bool

	// Owned by the writer goroutine of the moment.
	text []byte // the message being written
}

// Write implements session.Receiver.
func (ws *wsReceiver) Write(frames []session.Frame) (written int, full bool, err error) {
	defer ws.shrink()
	for i, f := range frames {
		if ws.raw {
			if err := ws.writeRaw(f); err != nil {
				return i, true, err
			}
		} else {
			ws.text = appendFrame(ws.text[:0], f)
			if err := ws.writeText(ws.text); err != nil {
				return i, true, err
			}
			if f.Kind == session.FrameMessages {
				ws.obs.MessagesSent(len(f.Messages), len(ws.text))
			}
		}
		switch f.Kind {
		case session.FrameClose:
			ws.closeHandshake(f)
			return i + 1, true, nil
		case session.FrameHeartbeat:
			// A heartbeat write can succeed into the kernel's buffer long
			// after the peer died; a ping must be answered.
			go ws.ping()
		}
	}
	return len(frames), false, nil
}

// keptWriteBuffer is the largest frame buffer a connection keeps between
// writes: an idle connection holds no memory for a large message it once
// carried.
const keptWriteBuffer = 64 << 10

func (ws *wsReceiver) shrink() {
	if cap(ws.text) > keptWriteBuffer {
		ws.text = nil
	}
}

// writeRaw writes f on a raw websocket: each message as its own text
// message; no open or heartbeat frames; the close frame becomes the
// websocket close handshake.
func (ws *wsReceiver) writeRaw(f session.Frame) error {
	for _, msg := range f.Messages {
		ws.text = append(ws.text[:0], msg.Text...)
		if err := ws.writeText(ws.text); err != nil {
			return err
		}
		ws.obs.MessagesSent(1, len(ws.text))
	}
	return nil
}

// writeText writes one text message within the write timeout. The deadline
// is a watchdog that drops the connection, rather than a context per write:
// coder/websocket arms a context watcher for every write with a cancellable
// context, which costs allocations on the hottest path.
func (ws *wsReceiver) writeText(p []byte) error {
	ws.deadline.begin()
	err := ws.conn.Write(context.Background(), websocket.MessageText, p)
	ws.deadline.end()
	return err
}

// closeHandshake closes the websocket after a close frame: a SockJS
// websocket with 1000 "Normal closure" (the code is in the c frame already),
// a raw websocket with the session's own code and reason. The websocket
// library then waits up to 5 s for the client's close frame, dropping what
// the client sends meanwhile.
func (ws *wsReceiver) closeHandshake(f session.Frame) {
	if ws.raw {
		_ = ws.conn.Close(websocket.StatusCode(f.Code), session.CutReason(f.Reason))
		return
	}
	_ = ws.conn.Close(websocket.StatusNormalClosure, session.ReasonNormal)
}

// ping closes the connection when the peer does not answer a ping within
// the write timeout. The reader then fails and the session ends.
//
// Only the reader sees the pong, so a missing pong proves a dead peer only
// if the reader was reading all along and read nothing. A reader held in
// Feed (the application has not taken the client's messages, or the
// session is backed up) is not reading: the client is then judged by the
// writes alone, which the watchdog bounds. Any message read meanwhile shows
// a live client too.
func (ws *wsReceiver) ping() {
	ctx, cancel := context.WithTimeout(context.Background(), ws.timeout)
	defer cancel()
	before := ws.reads.Load()
	if ws.conn.Ping(ctx) != nil && ws.reads.Load() == before && !ws.feeding.Load() {
		_ = ws.conn.CloseNow()
	}
}

// End implements session.Receiver.
func (ws *wsReceiver) End() {
	_ = ws.conn.CloseNow()
	ws.deadline.stop()
	close(ws.done)
}

// DelayDisconnect implements session.Receiver: a websocket session ends with
// its connection.
func (ws *wsReceiver) DelayDisconnect() bool { return false }

// Websocket serves GET /S/I/websocket (docs/protocol.md#websocket).
func Websocket(w http.ResponseWriter, r *http.Request, cfg *Config, create Create) {
	serveWebsocket(w, r, cfg, create, false)
}

// RawWebsocket serves GET /websocket: plain websocket messages, no SockJS
// framing (docs/protocol.md#raw-websocket).
func RawWebsocket(w http.ResponseWriter, r *http.Request, cfg *Config, create Create) {
	serveWebsocket(w, r, cfg, create, true)
}

func serveWebsocket(w http.ResponseWriter, r *http.Request, cfg *Config, create Create, raw bool) {
	if !isUpgrade(r) {
		cfg.Observer.RequestRejected(RejectBadUpgrade)
		plainError(w, "Not a valid websocket request", http.StatusBadRequest)
		return
	}
	conn, err := websocket.Accept(w, r, cfg.Accept)
	if err != nil {
		return // Accept has answered the request.
	}
	conn.SetReadLimit(cfg.MaxMessageSize)
	name := "websocket"
	if raw {
		name = "rawwebsocket"
	}
	s, err := create(name)
	if err != nil {
		_ = conn.Close(websocket.StatusTryAgainLater, err.Error())
		return
	}
	ws := &wsReceiver{
		conn:     conn,
		timeout:  cfg.WriteTimeout,
		obs:      cfg.Observer,
		raw:      raw,
		done:     make(chan struct{}),
		deadline: newWatchdog(cfg.WriteTimeout, func() { _ = conn.CloseNow() }),
	}
	if s.Attach(ws) != nil {
		_ = conn.CloseNow()
		return
	}
	readLoop(s, ws, raw, cfg)
	s.Abort(ws)
	<-ws.done
}

// readLoop is the connection's only reader. It hands each message to the
// session and reads on: it keeps reading, and so sees pongs and a client
// that went away, while the application has not taken the messages yet,
// within the session's receive buffer. Past it, or while the session holds
// half its send buffer for the client, Feed waits, the reader stops, and
// TCP pushes back on the client.
func readLoop(s *session.Session, ws *wsReceiver, raw bool, cfg *Config) {
	ctx := context.Background()
	credit := s.NewCredit()
	var (
		buf  bytes.Buffer // the message's bytes, reused
		msgs []string     // its messages, reused: Feed does not keep them
	)
	for {
		typ, r, err := ws.conn.Reader(ctx)
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		ws.reads.Add(1)
		switch {
		case raw && typ == websocket.MessageText && !utf8.Valid(buf.Bytes()):
			// RFC 6455 §8.1: a text message must be UTF-8. Relayed
			// as is, it would fail every browser it reaches.
			_ = ws.conn.Close(websocket.StatusInvalidFramePayloadData, "Invalid UTF-8")
			return
		case raw:
			msgs = append(msgs, buf.String())
		default:
			if msgs, err = frame.DecodeWebsocketMessage(msgs, buf.Bytes(), cfg.MaxMessages); err != nil {
				_ = ws.conn.Close(decodeStatus(err))
				return
			}
		}
		if buf.Cap() > keptReadBuffer {
			buf = bytes.Buffer{} // the strings hold the text now; an idle connection keeps no large buffer
		}
		ws.feeding.Store(true)
		ws.reads.Add(1)
		err = s.Feed(ctx, credit, msgs)
		ws.reads.Add(1)
		ws.feeding.Store(false)
		switch {
		case errors.Is(err, session.ErrSessionClosed):
			// Closing: its close frame is on the way (the writer ends the
			// connection after it), and nothing more is taken.
			return
		case err != nil:
			_ = ws.conn.Close(websocket.StatusMessageTooBig, "Message too big")
			return
		}
		cfg.Observer.MessagesReceived(len(msgs), totalLen(msgs))
		cfg.Observer.WebsocketActive(s)
		clear(msgs) // let the strings go with the application
		msgs = msgs[:0]
	}
}

// decodeStatus is the close status and reason for a websocket message that
// did not decode.
func decodeStatus(err error) (websocket.StatusCode, string) {
	if errors.Is(err, frame.ErrTooManyMessages) {
		return websocket.StatusMessageTooBig, "Too many messages"
	}
	return websocket.StatusCode(3000), "Broken framing."
}

// keptReadBuffer is the largest read buffer a websocket keeps between
// messages.
const keptReadBuffer = 4 << 10

// isUpgrade reports whether r asks for a websocket: Upgrade names websocket
// and Connection has the upgrade token. Anything else is a 400 in SockJS,
// where coder/websocket would answer 426.
func isUpgrade(r *http.Request) bool {
	return hasToken(r.Header, "Upgrade", "websocket") && hasToken(r.Header, "Connection", "upgrade")
}

func hasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
