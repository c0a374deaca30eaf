// Command chat is a small chat room served over SockJS: every line a visitor
// types is broadcast to everyone in the room, together with join and leave
// notices.
//
//	go run ./examples/chat -addr 127.0.0.1:8080
//
// Then open http://127.0.0.1:8080/ in two browser windows. The page loads
// sockjs-client from -client-url (jsDelivr by default; point it at a local
// copy when offline). Add ?transports=xhr-polling (a comma-separated list of
// sockjs-client transport names) to the page URL to force a transport.
//
// The server shows the pieces an application needs:
//
//   - a hub written as an actor: one goroutine owns the set of members and
//     is driven through channels, so no mutex is needed;
//   - one goroutine per session (the serve function given to sockjs.New)
//     that reads the client's messages with Session.Recv;
//   - a broadcast is encoded once (sockjs.Prepare) and queued for every
//     member with Session.SendPrepared, so a line costs one encoding
//     whatever the size of the room;
//   - a client that cannot keep up is dropped: SendPrepared never blocks,
//     and once it fails the hub forgets that member;
//   - bounded input: a chat line is at most maxLine bytes (longer ones are
//     dropped and the sender gets an "error" event), and the library
//     refuses messages and bodies far beyond that before reading them;
//   - http.Server timeouts that suit every SockJS transport (newServer);
//   - a graceful stop on SIGINT/SIGTERM: Handler.Drain refuses new
//     sessions and tells every serve function, which returns (its client
//     gets 1001); then http.Server.Shutdown waits for the requests still
//     running, and only then does main return.
//
// GET /stats answers {"sessions": N}, the number of connected sessions.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gosockjs/sockjs"
)

//go:embed index.html
var files embed.FS

var page = template.Must(template.ParseFS(files, "index.html"))

// Input limits. maxLine is the application's rule, checked on every
// message. The library's limits stop larger input before it is read into
// memory at all: a websocket message over maxMessage closes the connection
// (1009), an xhr_send or jsonp_send body over it is refused (413). They
// leave room for the JSON escaping of a maxLine line (up to 6 bytes per
// byte) and for several lines batched in one HTTP request.
const (
	maxLine    = 4 << 10  // bytes of one chat line
	maxMessage = 64 << 10 // bytes of one websocket message or HTTP body
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	clientURL := flag.String("client-url", sockjs.DefaultClientURL, "sockjs-client script used by the page and the iframe transports")
	origins := flag.String("allow-origin", "", "comma-separated origins, besides the page's own, that may use the chat service (\"*\" for all)")
	flag.Parse()

	var allowed []string
	if *origins != "" {
		allowed = strings.Split(*origins, ",")
	}
	app := newApp(*clientURL, allowed)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("chat on http://%s/", ln.Addr())
	if err := run(ctx, ln, newServer(*addr, app.routes), app.chat); err != nil {
		log.Fatal(err) // the listener failed, or the shutdown took over 10 s
	}
	log.Print("bye")
}

// app is the chat service: its SockJS handler and every route.
type app struct {
	chat   *sockjs.Handler
	routes http.Handler
}

func newApp(clientURL string, allowedOrigins []string) *app {
	h := newHub()
	go h.run()
	opts := sockjs.Options{
		ClientURL:      clientURL,
		AllowedOrigins: allowedOrigins,
		MaxMessageSize: maxMessage,
		MaxBodySize:    maxMessage,
	}
	chat := sockjs.New("/chat", opts, h.serve)

	mux := http.NewServeMux()
	mux.Handle("/chat/", chat)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := page.Execute(w, struct{ ClientURL string }{clientURL}); err != nil {
			log.Printf("index page: %v", err)
		}
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(struct {
			Sessions int `json:"sessions"`
		}{h.count()})
	})
	return &app{chat: chat, routes: mux}
}

// run serves srv on ln until ctx is done (SIGINT or SIGTERM in main), then
// shuts down and returns once the shutdown has finished: first the SockJS
// sessions, drained (their serve functions return, the clients get their
// close frame, 1001 "Server shutting down", and streaming requests end),
// then the HTTP server, which stops listening
// and waits for the requests still running. Returning earlier, as soon as
// Serve returns http.ErrServerClosed (which it does the moment Shutdown
// starts), would let the process exit under those requests.
func run(ctx context.Context, ln net.Listener, srv *http.Server, chat *sockjs.Handler) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err // the listener failed
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errSockJS := chat.Drain(shutdownCtx)
	errHTTP := srv.Shutdown(shutdownCtx)
	<-served // http.ErrServerClosed, returned as soon as Shutdown started
	return errors.Join(errSockJS, errHTTP)
}

// newServer returns the HTTP server for h with the timeouts that are safe
// for every SockJS transport (see examples/echo and the README's "Running
// in production"): ReadHeaderTimeout and ReadTimeout bound how long a
// client may take to send a request, trickled bodies included, and cut no
// streaming response, long poll or websocket (net/http clears the read
// deadline once the body is read; a hijacked websocket has none);
// IdleTimeout closes keep-alive connections between requests;
// MaxHeaderBytes caps headers. No WriteTimeout: it is one deadline for a
// whole response and would cut streaming responses and long polls; the
// sockjs Handler sets a deadline on each write itself.
func newServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// event is what the hub sends to clients, as JSON.
type event struct {
	Type string `json:"type"`           // "welcome", "join", "leave", "message" or "error"
	Name string `json:"name"`           // who it is about
	Text string `json:"text,omitempty"` // the message of a "message", the problem of an "error"
	// Members lists everyone in the room, in a "welcome".
	Members []string `json:"members,omitempty"`
}

// member is one session in the room.
type member struct {
	session *sockjs.Session
	name    string
}

// said is a message from a member.
type said struct {
	from *member
	text string
}

// hub is the room. Its run goroutine owns members; everything else talks to
// it through the channels.
type hub struct {
	join    chan *member
	leave   chan *member
	message chan said
	stats   chan chan int

	members map[*member]bool // owned by run
}

func newHub() *hub {
	return &hub{
		join:    make(chan *member),
		leave:   make(chan *member),
		message: make(chan said),
		stats:   make(chan chan int),
		members: make(map[*member]bool),
	}
}

func (h *hub) run() {
	for {
		select {
		case m := <-h.join:
			names := []string{m.name}
			for other := range h.members {
				names = append(names, other.name)
			}
			h.members[m] = true
			h.send(m, event{Type: "welcome", Name: m.name, Members: names})
			h.broadcast(event{Type: "join", Name: m.name})
		case m := <-h.leave:
			h.remove(m)
		case s := <-h.message:
			if h.members[s.from] {
				h.broadcast(event{Type: "message", Name: s.from.name, Text: s.text})
			}
		case reply := <-h.stats:
			reply <- len(h.members)
		}
	}
}

// send queues ev for one member, broadcast for every member. The event is
// encoded once (JSON, then the SockJS frame encoding in sockjs.Prepare)
// and the same Prepared goes into every member's queue. SendPrepared does
// not wait for the network; it fails when the session is closing or its
// queue is full (a client that does not keep up), and then the member is
// dropped.
func (h *hub) send(m *member, ev event) {
	if h.members[m] {
		h.deliver(m, prepare(ev))
	}
}

func (h *hub) broadcast(ev event) {
	p := prepare(ev)
	for m := range h.members {
		h.deliver(m, p)
	}
}

func (h *hub) deliver(m *member, p *sockjs.Prepared) {
	if err := m.session.SendPrepared(p); err != nil {
		h.remove(m)
	}
}

func prepare(ev event) *sockjs.Prepared {
	data, _ := json.Marshal(ev) // a struct of strings always encodes
	return sockjs.Prepare(string(data))
}

// remove drops a member and tells the others. It is called for members
// that left and for members whose Send failed; the second call for the
// same member does nothing.
func (h *hub) remove(m *member) {
	if !h.members[m] {
		return
	}
	delete(h.members, m)
	select {
	case <-m.session.Draining():
		// The server is going away (SIGTERM): the library closes the
		// session with 1001 "Server shutting down" once serve has
		// returned. Closing it here with 1000 would race with that, win,
		// and tell the client that it left normally.
	default:
		_ = m.session.Close(1000, "Normal closure")
	}
	h.broadcast(event{Type: "leave", Name: m.name})
}

// count asks the hub for the number of members.
func (h *hub) count() int {
	reply := make(chan int)
	h.stats <- reply
	return <-reply
}

// serve runs for each session: join, relay every message, leave.
func (h *hub) serve(s *sockjs.Session) {
	id := s.ID()
	if len(id) > 6 {
		id = id[:6]
	}
	m := &member{session: s, name: "guest-" + id}
	h.join <- m
	defer func() { h.leave <- m }()
	// Recv waits under a context that also ends when the server starts
	// draining (SIGTERM): serve then returns and the client gets 1001.
	ctx, cancel := context.WithCancel(s.Context())
	defer cancel()
	go func() {
		select {
		case <-s.Draining():
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		text, err := s.Recv(ctx)
		if err != nil {
			return // the client left, or the server is draining or shutting down
		}
		text = strings.TrimSpace(text)
		switch {
		case len(text) > maxLine:
			// Dropped, and the sender is told: a long paste should not
			// cost the visitor the connection.
			ev := event{Type: "error", Name: m.name, Text: fmt.Sprintf("message not sent: %d bytes, the limit is %d", len(text), maxLine)}
			data, _ := json.Marshal(ev)
			_ = s.Send(string(data))
		case text != "":
			h.message <- said{m, text}
		}
	}
}
