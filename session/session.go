package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"math"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/gosockjs/sockjs/internal/frame"
)

// Config holds what a session needs to know about its service. The handler
// fills it in from its Options; every field must be set, except the
// byte bounds (zero: unbounded), Memory, ShutdownGrace, ConflictWait,
// OnClose and OnEnd.
type Config struct {
	HeartbeatDelay  time.Duration // interval of "h" frames while a receiver is attached
	DisconnectDelay time.Duration // how long a session outlives its last HTTP receiver
	OutboxSize      int           // messages queued for the client before the slow-consumer close
	InboxSize       int           // unread inbound messages before Deliver refuses with ErrInboxFull

	// SendBuffer bounds the bytes a session holds for its client: the
	// encoded messages queued and the frame being written. Past it the
	// session closes as a slow consumer; past half of it, inbound messages
	// wait (back-pressure). A single message larger than SendBuffer is
	// refused by Send with ErrMessageTooLarge.
	SendBuffer int
	// ReceiveBuffer bounds the bytes of inbound messages the application
	// has not taken yet, all deliveries together. It must be at least the
	// largest delivery a transport accepts.
	ReceiveBuffer int
	// MaxFrame is the number of encoded bytes after which a batch of
	// messages is cut into another frame (one larger message still makes a
	// frame of its own).
	MaxFrame int
	// Memory, if set, is the budget shared by every session of a service:
	// the session draws on it in chunks as its buffers grow and gives the
	// chunks back as they shrink.
	Memory Memory

	// ShutdownGrace is how long a closing session without a receiver waits
	// for its client to collect the close frame while the server shuts
	// down, instead of the disconnect delay: live clients poll again within
	// milliseconds, and the full delay would hold up the shutdown for
	// clients that are gone. Zero means 3 s: a page in a background tab
	// polls again about a second after each answer (browsers clamp its
	// timers to 1 s). Capped at DisconnectDelay.
	ShutdownGrace time.Duration
	// ConflictWait is how long a receiving request that finds another
	// receiver attached waits for that one to go before it gets
	// c[2010,"Another connection still open"]. A client that aborts its
	// request and at once sends the next one (a page reconnecting, a proxy
	// resetting connections) is seen by the server in either order; within
	// the wait, the abort wins and the new request gets what the protocol
	// says follows an abort (c[1002]), or the session if the old receiver
	// simply finished. Zero means 500 ms.
	ConflictWait time.Duration

	// Identity and ClientAddr describe the client that opened this session:
	// what the service's authorization hook returned, and the client's
	// address. They are per session: the handler sets them on a copy.
	Identity   any
	ClientAddr string
	// App is the application's handle of this session (the root package
	// wraps each session in one), returned by Session.App so that a list of
	// sessions can be turned into what the application holds. The session
	// never uses it.
	App any

	// OnOpen is called on the actor goroutine right after the open frame
	// was handed to the first receiver. It must not block: it typically
	// starts the application's handler on a new goroutine.
	OnOpen func(*Session)
	// OnClose, if set, is called on the actor goroutine when a session
	// that opened (OnOpen ran) stops being open, as its Context is
	// cancelled, with the reason. It must not block.
	OnClose func(s *Session, cause *CloseError)
	// OnEnd is called on the actor goroutine when the session has ended,
	// before Done is closed; opened says whether OnOpen was called. It
	// typically removes the session from the registry.
	OnEnd func(s *Session, opened bool)
}

// Defaults of the durations a Config may leave zero.
const (
	defaultShutdownGrace = 3 * time.Second
	defaultConflictWait  = 500 * time.Millisecond
)

// withBounds returns cfg, or a copy of it in which the byte bounds left zero
// are unbounded and the durations left zero are the defaults.
func (cfg *Config) withBounds() *Config {
	if cfg.SendBuffer > 0 && cfg.ReceiveBuffer > 0 && cfg.MaxFrame > 0 && cfg.ShutdownGrace > 0 && cfg.ConflictWait > 0 {
		return cfg
	}
	c := *cfg
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = defaultShutdownGrace
	}
	if c.ConflictWait <= 0 {
		c.ConflictWait = defaultConflictWait
	}
	for _, n := range []*int{&c.SendBuffer, &c.ReceiveBuffer, &c.MaxFrame} {
		if *n <= 0 {
			*n = math.MaxInt / 2
		}
	}
	return &c
}

// Session is one SockJS session: a WebSocket-like, message-oriented
// connection with one client, whatever transport carries it.
//
// All methods are safe for concurrent use. None of them waits for the
// network: Send queues, Close asks the session to close, and Recv waits only
// for the client's next message (bounded by its context).
type Session struct {
	// Immutable after New.
	id        string        // random connection id shown to the application
	transport string        // transport of the request that opened the session
	request   *http.Request // the opening request, without its body
	cfg       *Config

	// Channels into the actor, whose private state (conn) nothing else
	// can reach. Senders also select on done, so nobody blocks on an actor
	// that has exited.
	mailbox chan event      // from transports and the API to the actor
	outbox  chan outMsg     // from Send to the actor, which drains it at once
	inbound chan inboundMsg // from the actor to Recv, unbuffered
	refill  chan int        // from the actor to a reader waiting for credit (Feed), unbuffered
	lane    chan uint64     // the direct lane's token, while the actor lends it (lane.go)
	acks    chan chan error // acknowledgements Recv holds until the application asks for more
	done    chan struct{}   // closed by the actor when it exits

	// ctx is cancelled, with a *CloseError cause, when the session stops
	// being open; Send and Recv watch it.
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// New creates a session and starts its actor goroutine. The session waits
// for its first receiver; if none attaches within the disconnect delay, it
// ends. r is the opening request as Request returns it: the session keeps
// it as it is, so the caller passes a copy that may outlive the request's
// handler (without its body, with a background context).
func New(transport string, r *http.Request, cfg *Config) *Session {
	cfg = cfg.withBounds()
	ctx, cancel := context.WithCancelCause(context.Background())
	s := &Session{
		id:        newID(),
		transport: transport,
		request:   r,
		cfg:       cfg,
		mailbox:   make(chan event, 8),
		outbox:    make(chan outMsg, outboxBuffer),
		inbound:   make(chan inboundMsg),
		refill:    make(chan int),
		lane:      make(chan uint64, 1),
		acks:      make(chan chan error, heldAcks),
		done:      make(chan struct{}),
		ctx:       ctx,
		cancel:    cancel,
	}
	go (&conn{s: s, cfg: cfg, lane: s.lane, laneHeld: true}).run()
	return s
}

// ID returns a random identifier of this session, unique within the process.
// It is not the SockJS session id from the URL, which is a transport secret
// that the application never sees.
func (s *Session) ID() string { return s.id }

// Transport returns the name of the transport that opened the session, as
// its URL names it: "websocket", "rawwebsocket", "xhr" (xhr-polling),
// "xhr_streaming", "eventsource", "htmlfile" or "jsonp" (jsonp-polling);
// the root package has a constant for each (sockjs.NameXHR and so on).
func (s *Session) Transport() string { return s.transport }

// Request returns the HTTP request that opened the session, without its body.
// Its headers include cookies; see the package documentation before trusting
// them for authentication.
func (s *Session) Request() *http.Request { return s.request }

// Identity returns what the service's authorization hook returned for the
// request that opened the session, or nil without a hook.
func (s *Session) Identity() any { return s.cfg.Identity }

// ClientAddr returns the address of the client that opened the session, as
// the service determines it (by default the host of the request's
// RemoteAddr; behind proxies, whatever Options.ClientAddr says).
func (s *Session) ClientAddr() string { return s.cfg.ClientAddr }

// App returns Config.App.
func (s *Session) App() any { return s.cfg.App }

// Context returns a context that is cancelled when the session stops being
// open: the application closed it, the client went away, the session timed
// out or the server shut down. context.Cause returns a *CloseError saying
// which.
func (s *Session) Context() context.Context { return s.ctx }

// Done returns a channel that is closed when the session's goroutine has
// exited, after the session was removed from its registry.
func (s *Session) Done() <-chan struct{} { return s.done }

// outboxBuffer is the capacity of the channel from Send to the actor. The
// actor empties it into its queue as fast as messages come, so it only
// smooths bursts; the queue's bound is Config.OutboxSize.
const outboxBuffer = 8

// outMsg is a message on its way to the client with what it costs the send
// buffer: its encoded length and its queue slot.
type outMsg struct {
	m    Message
	size int
}

// messageSize is what m costs the send buffer.
func messageSize(m Message) int {
	if m.JSON != nil {
		return len(m.JSON) + MessageOverhead
	}
	return frame.QuotedLen(m.Text) + MessageOverhead
}

// MessageOverhead is what a buffered message costs beyond its bytes, in
// both directions: its slot in a queue. Counting it makes a flood of tiny
// messages cost what it occupies.
const MessageOverhead = 48

// Send queues msg for the client and returns; it never waits for the
// network. It fails with a *CloseError once the session is closing, and
// with ErrMessageTooLarge, leaving the session as it was, when msg alone
// encodes to more than the send buffer holds.
//
// The queue holds at most Config.OutboxSize messages and Config.SendBuffer
// bytes that the client has not taken yet. A client that falls that far
// behind is a slow consumer: the session drops the message that
// overflowed, closes with CodeSlowConsumer, and later calls fail.
func (s *Session) Send(msg string) error {
	m := Message{Text: msg}
	return s.send(outMsg{m, messageSize(m)})
}

// SendPrepared queues a message prepared with Prepare, like Send, without
// encoding it again.
func (s *Session) SendPrepared(p *Prepared) error {
	return s.send(outMsg{p.msg, messageSize(p.msg)})
}

func (s *Session) send(m outMsg) error {
	if s.ctx.Err() != nil {
		return s.err()
	}
	if m.size > s.cfg.SendBuffer {
		return ErrMessageTooLarge
	}
	// The outbox almost always has room: the actor empties it as fast as
	// messages come. Trying alone first spares the two-channel select,
	// which locks both channels, on the hottest path there is.
	select {
	case s.outbox <- m:
		return nil
	default:
	}
	select {
	case s.outbox <- m:
		return nil
	case <-s.ctx.Done():
		return s.err()
	}
}

// Recv waits for the next message from the client. It returns a *CloseError
// once the session is closing, or ctx's error when ctx ends first.
//
// Recv is also the session's back-pressure. An application that does not
// call Recv (a push-only feed, or one busy with a message) holds up only its
// own client's sends, and the client stays connected:
//
//   - HTTP transports: a send request (xhr_send, jsonp_send) is answered
//     only after the application has taken every message in it and asked
//     for the next one (a message that finds Recv already waiting was
//     asked for), so the client's next send waits; the receiving request
//     goes on carrying messages and heartbeats.
//   - Websockets: the connection's reader reads ahead into the receive
//     buffer (Config.ReceiveBuffer) and then stops reading, so TCP holds
//     the client back. Control frames are read while there is room, so
//     heartbeat pings are answered; once the reader has stopped, the client
//     is judged by whether the server's writes complete within the write
//     timeout, not by its pongs.
func (s *Session) Recv(ctx context.Context) (string, error) {
	s.ackHeld()
	if s.ctx.Err() != nil {
		return "", s.err()
	}
	// A message the actor is already offering is taken without the
	// three-channel select.
	select {
	case m := <-s.inbound:
		return s.took(m), nil
	default:
	}
	select {
	case m := <-s.inbound:
		return s.took(m), nil
	case <-s.ctx.Done():
		return "", s.err()
	case <-ctx.Done():
		if s.ctx.Err() != nil {
			return "", s.err() // ctx may be the session's own Context
		}
		return "", ctx.Err()
	}
}

// took returns the text of a message Recv got, holding its
// acknowledgement if it has one.
func (s *Session) took(m inboundMsg) string {
	if m.ack != nil {
		s.holdAck(m.ack)
	}
	return m.text
}

// inboundMsg is a message on its way to Recv.
type inboundMsg struct {
	text string
	ack  chan error // set on the last message of a delivery
	fed  bool       // from a reader (Feed): Recv taking it refunds the reader's credit
}

// heldAcks bounds the acknowledgements Recv holds at once; beyond it (many
// goroutines calling Recv at once), an acknowledgement is sent at once.
const heldAcks = 8

// holdAck keeps the acknowledgement of a delivery whose last message the
// application just took, until it asks for more.
func (s *Session) holdAck(ack chan error) {
	select {
	case s.acks <- ack:
	default:
		ack <- nil
	}
}

// ackHeld sends the acknowledgements held since the last Recv: the
// application has processed those messages and asks for more.
func (s *Session) ackHeld() {
	for {
		select {
		case ack := <-s.acks:
			ack <- nil
		default:
			return
		}
	}
}

// Close closes the session with a code and reason that the client receives in
// its close event. Codes must be 1000, 1001 or within 3000–4999. A reason longer
// than MaxReasonLen bytes is cut there, on a character boundary, on every
// transport: a websocket close frame holds no more. Close does not wait for
// the network: when it returns, the session is closing (Send and Recv fail,
// Context is done) and the close frame is on its way, after the messages
// queued before it. Closing a session that is already closing does nothing
// and returns nil.
func (s *Session) Close(code int, reason string) error {
	if !validAppCode(code) {
		return ErrInvalidCloseCode
	}
	s.closeWith(code, CutReason(reason))
	return nil
}

// MaxReasonLen is the longest close reason, in bytes, that a websocket close
// frame can carry (125 bytes of payload less the two of the code).
const MaxReasonLen = 123

// CutReason returns reason cut to at most MaxReasonLen bytes without
// splitting a UTF-8 sequence.
func CutReason(reason string) string {
	if len(reason) <= MaxReasonLen {
		return reason
	}
	i := MaxReasonLen
	for i > 0 && !utf8.RuneStart(reason[i]) {
		i--
	}
	return reason[:i]
}

// CloseForMemory closes the session with CodeSlowConsumer and
// ReasonMemory, dropping what it holds for its client. It is for the
// service's memory budget (Memory), which calls it from whatever goroutine
// found the budget exceeded: it does not wait.
func (s *Session) CloseForMemory() {
	go s.post(closeRequest{code: CodeSlowConsumer, reason: ReasonMemory, drop: true})
}

// Memory is a budget of bytes shared by the sessions of a service. A
// session reports what it holds beyond its first MemoryChunk bytes, in
// whole chunks, so the budget hears only of sessions that hold more than a
// chunk, and of them only when they grow or shrink by one.
type Memory interface {
	// Reserve records that s holds n more bytes (fewer when n < 0). It is
	// called on the session's actor goroutine and must not block.
	Reserve(s *Session, n int)
}

// MemoryChunk is the unit in which sessions draw on a Memory.
const MemoryChunk = 64 << 10

// Shutdown closes the session with CodeGoingAway, as a server shutdown does.
func (s *Session) Shutdown() {
	s.closeWith(CodeGoingAway, ReasonGoingAway)
}

// closeWith asks the actor to close and waits until it has: every state
// cancels the context when it handles a close request.
func (s *Session) closeWith(code int, reason string) {
	if s.post(closeRequest{code: code, reason: reason}) {
		select {
		case <-s.ctx.Done():
		case <-s.done:
		}
	}
}

// Attach hands a receiving connection to the session. The session writes
// frames to it and calls its End method when it is done with it. It returns
// ErrSessionClosed if the session has already ended; the caller should then
// look the session up again, since a new one may take its place.
func (s *Session) Attach(r Receiver) error {
	taken := make(chan struct{})
	if !s.post(attach{r: r, taken: taken}) {
		return ErrSessionClosed
	}
	select {
	case <-taken:
		return nil
	case <-s.done:
		// The actor may have taken r just before it exited.
		select {
		case <-taken:
			return nil
		default:
			return ErrSessionClosed
		}
	}
}

// Abort tells the session that the client or the network closed r. The
// session ends at once (docs/protocol.md#detach-and-abort) and calls r.End when no write is in
// flight.
func (s *Session) Abort(r Receiver) {
	s.post(abort{r})
}

// Deliver hands messages from the client to the application and waits until
// the application has taken them all and asked for more, the session closes
// (the messages are then dropped, as the protocol says), or ctx ends.
// Messages that find Recv waiting are handed straight to it, without the
// actor (the direct lane, lane.go): the application asked for them before
// they came, so Deliver returns as soon as Recv has them all. It
// returns ErrInboxFull without queueing anything when the session already
// holds unread messages and these would take it past Config.InboxSize
// messages or Config.ReceiveBuffer bytes, and ErrPayloadTooLarge when msgs
// alone exceed either bound. The session owns msgs after the call: it copies
// the messages into its queue when it gets to them, which may be after
// Deliver returned for ctx, so the caller must not reuse msgs.
func (s *Session) Deliver(ctx context.Context, msgs []string) error {
	if len(msgs) == 0 {
		return nil
	}
	if len(msgs) > s.cfg.InboxSize || deliveryBytes(msgs) > s.cfg.ReceiveBuffer {
		return ErrPayloadTooLarge
	}
	token := false
	if s.ctx.Err() == nil {
		if msgs, token = s.deliverDirect(msgs); len(msgs) == 0 {
			return nil
		}
	}
	ack := make(chan error, 1)
	if !s.post(&delivery{msgs: msgs, bytes: deliveryBytes(msgs), ack: ack, token: token}) {
		return nil
	}
	select {
	case err := <-ack:
		return err
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Feed hands the messages of one read to the application, for a
// connection's only reader (a websocket). Unlike Deliver it does not wait
// for the application to take them: the reader goes on reading, so it sees
// control frames and a client that went away while the application is busy.
// It is paced by credit instead: a Feed whose messages would take the
// reader's unread bytes past Config.ReceiveBuffer waits until the
// application has taken enough of them, and while the session holds half its
// send buffer for the client (back-pressure: the reader stops reading and
// TCP pushes back on the client). Once the session is closing it drops msgs
// and returns the session's *CloseError: the reader should stop reading,
// or a client could go on sending into a session that no longer takes
// anything, at the speed of the network. It returns ErrPayloadTooLarge for
// messages that alone exceed the receive buffer, and ctx's error if ctx
// ends first.
//
// in is the reader's own credit, owned by the reader's goroutine; start it
// with NewCredit. msgs is not retained: the reader may reuse it.
func (s *Session) Feed(ctx context.Context, in *Credit, msgs []string) error {
	if len(msgs) == 0 {
		return nil
	}
	n := deliveryBytes(msgs)
	if n > s.cfg.ReceiveBuffer {
		return ErrPayloadTooLarge // more than the whole credit: it would wait forever
	}
	if s.ctx.Err() != nil {
		return s.err()
	}
	if msgs = s.direct(in, msgs); len(msgs) == 0 {
		return nil
	}
	n = deliveryBytes(msgs)
	for in.bytes < n {
		// Only the reader receives on refill; the actor offers what
		// Recv took while the send buffer is below its mark.
		select {
		case more := <-s.refill:
			in.bytes += more
			in.waits++
		case <-s.ctx.Done():
			return s.err()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	in.bytes -= n
	d := &delivery{bytes: n, token: in.token}
	in.token = false
	in.posted++
	if len(msgs) == 1 {
		d.one[0] = msgs[0]
		d.msgs = d.one[:]
	} else {
		d.msgs = slices.Clone(msgs)
	}
	s.post(d) // dropped if the session has ended
	return nil
}

// Credit is what a connection's reader may still hand to Feed, in bytes,
// and its part in the session's direct lane (lane.go).
type Credit struct {
	bytes  int
	waits  int    // how often the reader waited for the application
	token  bool   // the reader holds the lane's token
	posted uint64 // deliveries the reader has posted to the actor
}

// NewCredit returns the full credit of a reader of s. A session has at
// most one reader, and then no sending requests.
func (s *Session) NewCredit() *Credit { return &Credit{bytes: s.cfg.ReceiveBuffer} }

// Waits reports how often the reader waited for credit: the times the
// session paused it for back-pressure.
func (c *Credit) Waits() int { return c.waits }

// deliveryBytes is what msgs cost the receive buffer.
func deliveryBytes(msgs []string) int {
	n := 0
	for _, m := range msgs {
		n += len(m) + MessageOverhead
	}
	return n
}

// err returns the reason the session closed.
func (s *Session) err() error {
	if cause, ok := context.Cause(s.ctx).(*CloseError); ok {
		return cause
	}
	return ErrSessionClosed
}

// tick is the function of the session's timer: it posts the tick event
// and touches nothing else.
func (s *Session) tick() { s.post(tick{}) }

// post sends an event to the actor, or reports false if it has exited.
func (s *Session) post(ev event) bool {
	// The mailbox almost always has room; trying alone first spares the
	// two-channel select, as in send.
	select {
	case s.mailbox <- ev:
		return true
	default:
	}
	select {
	case s.mailbox <- ev:
		return true
	case <-s.done:
		return false
	}
}

// newID returns 16 random hex digits.
func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
