package transport

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"time"

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

	// Owned by the writer goroutine of the moment.
	text []byte // the message being written
}

// Write implements session.Receiver.
func (ws *wsReceiver) Write(frames []session.Frame) (full bool, err error) {
	for _, f := range frames {
		if ws.raw {
			if err := ws.writeRaw(f); err != nil {
				return true, err
			}
		} else {
			ws.text = appendFrame(ws.text[:0], f)
			if err := ws.writeText(ws.text); err != nil {
				return true, err
			}
			if f.Kind == session.FrameMessages {
				ws.obs.MessagesSent(len(f.Messages), len(ws.text))
			}
		}
		switch f.Kind {
		case session.FrameClose:
			ws.closeHandshake(f)
			return true, nil
		case session.FrameHeartbeat:
			// A heartbeat write can succeed into the kernel's buffer long
			// after the peer died; a ping must be answered.
			go ws.ping()
		}
	}
	return false, nil
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
// a raw websocket with the session's own code and reason.
func (ws *wsReceiver) closeHandshake(f session.Frame) {
	if ws.raw {
		_ = ws.conn.Close(websocket.StatusCode(f.Code), f.Reason)
		return
	}
	_ = ws.conn.Close(websocket.StatusNormalClosure, session.ReasonNormal)
}

// ping closes the connection when the peer does not answer a ping within
// the write timeout. The reader then fails and the session ends.
func (ws *wsReceiver) ping() {
	ctx, cancel := context.WithTimeout(context.Background(), ws.timeout)
	defer cancel()
	if ws.conn.Ping(ctx) != nil {
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

// Websocket serves GET /S/I/websocket (PROTOCOL.md §7.1).
func Websocket(w http.ResponseWriter, r *http.Request, cfg *Config, create Create) {
	serveWebsocket(w, r, cfg, create, false)
}

// RawWebsocket serves GET /websocket: plain websocket messages, no SockJS
// framing (PROTOCOL.md §7.2).
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
	readLoop(s, ws, raw, cfg.Observer)
	s.Abort(ws)
	<-ws.done
}

// readLoop is the connection's only reader: it delivers each message to the
// session and reads the next only once the application took it, so a slow
// application pushes back on the client through TCP.
func readLoop(s *session.Session, ws *wsReceiver, raw bool, obs Observer) {
	ctx := context.Background()
	var (
		buf  bytes.Buffer // the message's bytes, reused
		msgs []string     // its messages, reused: Push returns once they were taken
	)
	for {
		_, r, err := ws.conn.Reader(ctx)
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		if raw {
			msgs = append(msgs, buf.String())
		} else if msgs, err = frame.DecodeWebsocketMessage(msgs, buf.Bytes()); err != nil {
			_ = ws.conn.Close(websocket.StatusCode(3000), "Broken framing.")
			return
		}
		// Push returns once the application took the messages or the
		// session closed; in the latter case the connection is closing too
		// and the next Read fails.
		_ = s.Push(ctx, msgs)
		obs.MessagesReceived(len(msgs), totalLen(msgs))
		clear(msgs) // let the strings go with the application
		msgs = msgs[:0]
		if buf.Cap() > keptReadBuffer {
			buf = bytes.Buffer{} // an idle connection keeps no large buffer
		}
	}
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
