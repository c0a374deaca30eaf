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
//   - a client that cannot keep up is dropped: Session.Send never blocks,
//     and once it fails the hub forgets that member;
//   - a graceful stop on SIGINT/SIGTERM with Handler.Shutdown.
//
// GET /stats answers {"sessions": N}, the number of connected sessions.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"html/template"
	"log"
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

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	clientURL := flag.String("client-url", sockjs.DefaultClientURL, "sockjs-client script used by the page and the iframe transports")
	origins := flag.String("allow-origin", "", "comma-separated origins, besides the page's own, that may use the chat service (\"*\" for all)")
	flag.Parse()

	h := newHub()
	go h.run()

	opts := sockjs.Options{ClientURL: *clientURL}
	if *origins != "" {
		opts.AllowedOrigins = strings.Split(*origins, ",")
	}
	chat := sockjs.New("/chat", opts, h.serve)

	mux := http.NewServeMux()
	mux.Handle("/chat/", chat)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := page.Execute(w, struct{ ClientURL string }{*clientURL}); err != nil {
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

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Close the sessions first: that ends their streaming requests,
		// which http.Server.Shutdown would otherwise wait for.
		if err := chat.Shutdown(shutdownCtx); err != nil {
			log.Printf("sockjs shutdown: %v", err)
		}
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Printf("http shutdown: %v", err)
		}
	}()

	log.Printf("chat on http://%s/", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// event is what the hub sends to clients, as JSON.
type event struct {
	Type string `json:"type"`           // "welcome", "join", "leave" or "message"
	Name string `json:"name"`           // who it is about
	Text string `json:"text,omitempty"` // the message of a "message"
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

// send queues ev for one member. Send does not wait for the network; it
// fails when the session is closing or its queue is full (a client that does
// not keep up), and then the member is dropped.
func (h *hub) send(m *member, ev event) {
	if !h.members[m] {
		return
	}
	data, _ := json.Marshal(ev)
	if err := m.session.Send(string(data)); err != nil {
		h.remove(m)
	}
}

func (h *hub) broadcast(ev event) {
	for m := range h.members {
		h.send(m, ev)
	}
}

// remove drops a member and tells the others. It is called for members
// that left and for members whose Send failed; the second call for the
// same member does nothing.
func (h *hub) remove(m *member) {
	if !h.members[m] {
		return
	}
	delete(h.members, m)
	_ = m.session.Close(1000, "Normal closure")
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
	for {
		text, err := s.Recv(s.Context())
		if err != nil {
			return // the client left or the server is shutting down
		}
		if text = strings.TrimSpace(text); text != "" {
			h.message <- said{m, text}
		}
	}
}
