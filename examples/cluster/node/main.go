// Command node is one node of a clustered chat room: the chat of
// examples/chat, with every message going through a pubsub.Hub over Redis
// so that the visitors of every node share the room.
//
//	go run ./node -addr 127.0.0.1:8081 -redis 127.0.0.1:6379 -name n1
//
// Run several of them against the same Redis server behind a load balancer
// that keeps each SockJS session on its node (../run.sh starts three behind
// HAProxy). The JSESSIONID cookie is on, so the balancer may use it; the
// server segment of SockJS URLs works as well (see ../README.md).
//
// What a node does:
//
//   - each session joins the topic "chat" on the node's Hub, gets a
//     "welcome" naming it and the node, and the room learns of it through
//     a "join" event published to every node;
//   - every line a visitor types is published as a "message" event; Redis
//     hands it to every node, whose Hub encodes it once and queues it for
//     its own members;
//   - a session that ends publishes a "leave" event and leaves the Hub by
//     itself;
//   - every response carries an X-Node header naming the node, for people
//     and tests that want to see where the balancer sent a request;
//   - GET /stats answers {"node": name, "sessions": N}, N being this node's
//     members of the room; GET /healthz answers 200 for the balancer;
//   - SIGINT or SIGTERM stops it gracefully: sessions are closed with 1001
//     and their clients reconnect through the balancer to another node.
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
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/pubsub"
	"github.com/gosockjs/sockjs/redisbroker"
)

//go:embed index.html
var files embed.FS

var page = template.Must(template.ParseFS(files, "index.html"))

// room is the topic every session joins.
const room = "chat"

const (
	joinTimeout    = 10 * time.Second // for the room's subscription when a session arrives
	publishTimeout = 5 * time.Second  // for each event published to Redis
)

// Input limits, as in examples/chat: a line over maxLine bytes is dropped
// and its sender gets an "error" event; the library refuses websocket
// messages (close 1009) and HTTP bodies (413) over maxMessage before reading
// them, which leaves room for JSON escaping and batched lines.
const (
	maxLine    = 4 << 10
	maxMessage = 64 << 10
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "address of the Redis server shared by the nodes")
	name := flag.String("name", "", "name of this node in events, X-Node and /stats (default: the -addr port)")
	clientURL := flag.String("client-url", sockjs.DefaultClientURL, "sockjs-client script used by the page and the iframe transports")
	flag.Parse()
	if *name == "" {
		*name = "node-" + (*addr)[strings.LastIndex(*addr, ":")+1:]
	}

	rdb := redis.NewClient(&redis.Options{Addr: *redisAddr})
	broker := redisbroker.New(rdb, redisbroker.Options{Prefix: "sockjs-cluster:"})
	hub := pubsub.NewHub(broker)
	n := &node{name: *name, hub: hub}

	opts := sockjs.Options{JSessionID: true, ClientURL: *clientURL, MaxMessageSize: maxMessage, MaxBodySize: maxMessage}
	chat := sockjs.New("/chat", opts, n.serve)

	mux := http.NewServeMux()
	mux.Handle("/chat/", chat)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := page.Execute(w, struct{ ClientURL, Node string }{*clientURL, n.name}); err != nil {
			log.Printf("index page: %v", err)
		}
	})
	mux.HandleFunc("GET /stats", n.serveStats)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte("ok\n"))
	})

	srv := newServer(*addr, n.withNodeHeader(mux))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Sessions first (their streaming requests end), then the HTTP
		// server, then the Hub and Redis, which the sessions used.
		if err := chat.Shutdown(shutdownCtx); err != nil {
			log.Printf("sockjs shutdown: %v", err)
		}
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Printf("http shutdown: %v", err)
		}
		_ = hub.Close()
		_ = broker.Close()
		_ = rdb.Close()
	}()

	log.Printf("node %s on http://%s/ (redis %s)", n.name, *addr, *redisAddr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	<-stopped
}

// node is the chat service of this process.
type node struct {
	name string
	hub  *pubsub.Hub
}

// event is what the room sends to clients, as JSON.
type event struct {
	Type string `json:"type"`           // "welcome", "join", "leave", "message" or "error"
	Name string `json:"name,omitempty"` // the visitor it is about
	Node string `json:"node"`           // the node that visitor is connected to
	Text string `json:"text,omitempty"` // the message of a "message", the problem of an "error"
}

func encode(ev event) string {
	b, _ := json.Marshal(ev) // a struct of strings always encodes
	return string(b)
}

// serve runs for each session: join the room, relay every line, leave.
func (n *node) serve(s *sockjs.Session) {
	me := "guest-" + s.ID()[:6]
	ctx, cancel := context.WithTimeout(s.Context(), joinTimeout)
	err := n.hub.Join(ctx, room, s)
	cancel()
	if err != nil {
		log.Printf("%s: join: %v", me, err)
		_ = s.Close(4503, "Chat unavailable, try again")
		return
	}
	_ = s.Send(encode(event{Type: "welcome", Name: me, Node: n.name}))
	n.publish(s.Context(), s, event{Type: "join", Name: me, Node: n.name})
	defer func() {
		// The session is closing: its context is done.
		ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
		defer cancel()
		n.publish(ctx, nil, event{Type: "leave", Name: me, Node: n.name})
	}()
	for {
		text, err := s.Recv(s.Context())
		if err != nil {
			return // the client left, or the node is shutting down
		}
		text = strings.TrimSpace(text)
		switch {
		case len(text) > maxLine:
			_ = s.Send(encode(event{Type: "error", Node: n.name, Text: fmt.Sprintf("message not sent: %d bytes, the limit is %d", len(text), maxLine)}))
		case text != "":
			n.publish(s.Context(), s, event{Type: "message", Name: me, Node: n.name, Text: text})
		}
	}
}

// publish sends ev to the room on every node. A failure is told to the
// session s that caused it, if any: Redis is down or too slow, and the
// room did not get the event.
func (n *node) publish(ctx context.Context, s *sockjs.Session, ev event) {
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	if err := n.hub.Publish(ctx, room, encode(ev)); err != nil {
		log.Printf("publish %s of %s: %v", ev.Type, ev.Name, err)
		if s != nil {
			_ = s.Send(encode(event{Type: "error", Node: n.name, Text: "not delivered, try again"}))
		}
	}
}

// serveStats answers {"node": name, "sessions": N}.
func (n *node) serveStats(w http.ResponseWriter, r *http.Request) {
	members, err := n.hub.Members(r.Context(), room)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(struct {
		Node     string `json:"node"`
		Sessions int    `json:"sessions"`
	}{n.name, members})
}

// withNodeHeader names this node in every response.
func (n *node) withNodeHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Node", n.name)
		next.ServeHTTP(w, r)
	})
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
