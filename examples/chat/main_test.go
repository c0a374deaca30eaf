package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// started is a chat server run by run, on a loopback port.
type started struct {
	base   string
	stop   context.CancelFunc // what SIGTERM does in main
	result chan error         // run's result
}

// startChat runs the chat with run, its routes wrapped by wrap if not nil.
func startChat(t *testing.T, wrap func(http.Handler) http.Handler) *started {
	t.Helper()
	app := newApp("", nil)
	h := app.routes
	if wrap != nil {
		h = wrap(h)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{base: "http://" + ln.Addr().String(), stop: cancel, result: make(chan error, 1)}
	go func() { s.result <- run(ctx, ln, newServer(ln.Addr().String(), h), app.chat) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.result:
		case <-time.After(15 * time.Second):
			t.Error("run did not return within 15 s of the cancel")
		}
	})
	return s
}

// client is a SockJS websocket client of the chat.
type client struct {
	t       *testing.T
	c       *websocket.Conn
	pending []string // messages of the last a[...] frame not yet taken
}

func dial(t *testing.T, s *started, id string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.base, "http")+"/chat/000/"+id+"/websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	cl := &client{t: t, c: c}
	if f := cl.frame(); f != "o" {
		t.Fatalf("%s: first frame %q, want o", id, f)
	}
	return cl
}

// frame reads the next SockJS frame, skipping heartbeats.
func (cl *client) frame() string {
	cl.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, b, err := cl.c.Read(ctx)
		if err != nil {
			cl.t.Fatalf("read: %v", err)
		}
		if string(b) != "h" {
			return string(b)
		}
	}
}

// event returns the next chat event.
func (cl *client) event() event {
	cl.t.Helper()
	for len(cl.pending) == 0 {
		f := cl.frame()
		if !strings.HasPrefix(f, "a") {
			cl.t.Fatalf("frame %.80q, want a message frame", f)
		}
		if err := json.Unmarshal([]byte(f[1:]), &cl.pending); err != nil {
			cl.t.Fatalf("frame %.80q: %v", f, err)
		}
	}
	var ev event
	if err := json.Unmarshal([]byte(cl.pending[0]), &ev); err != nil {
		cl.t.Fatalf("message %.80q: %v", cl.pending[0], err)
	}
	cl.pending = cl.pending[1:]
	return ev
}

func (cl *client) say(text string) {
	cl.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msg, _ := json.Marshal([]string{text})
	if err := cl.c.Write(ctx, websocket.MessageText, msg); err != nil {
		cl.t.Fatalf("write: %v", err)
	}
}

func TestBroadcastAndLineLimit(t *testing.T) {
	s := startChat(t, nil)
	alice := dial(t, s, "alice")
	welcome := alice.event()
	if welcome.Type != "welcome" {
		t.Fatalf("alice: %+v, want a welcome", welcome)
	}
	if ev := alice.event(); ev.Type != "join" || ev.Name != welcome.Name {
		t.Fatalf("alice: %+v, want her own join", ev)
	}
	bob := dial(t, s, "bob")
	if ev := bob.event(); ev.Type != "welcome" || len(ev.Members) != 2 {
		t.Fatalf("bob: %+v, want a welcome naming 2 members", ev)
	}
	bob.event() // his join
	if ev := alice.event(); ev.Type != "join" {
		t.Fatalf("alice: %+v, want bob's join", ev)
	}

	// A line of exactly maxLine bytes reaches everyone, sender included.
	full := strings.Repeat("é", maxLine/2)
	alice.say(full)
	for who, cl := range map[string]*client{"alice": alice, "bob": bob} {
		if ev := cl.event(); ev.Type != "message" || ev.Text != full || ev.Name != welcome.Name {
			t.Fatalf("%s: %s %q (%d bytes), want alice's %d-byte line", who, ev.Type, ev.Name, len(ev.Text), maxLine)
		}
	}

	// One byte more is dropped, and only the sender hears about it.
	alice.say(full + "x")
	if ev := alice.event(); ev.Type != "error" || !strings.Contains(ev.Text, fmt.Sprint(maxLine)) {
		t.Fatalf("alice after a long line: %+v, want an error naming the limit", ev)
	}
	alice.say("short")
	for who, cl := range map[string]*client{"alice": alice, "bob": bob} {
		if ev := cl.event(); ev.Type != "message" || ev.Text != "short" {
			t.Fatalf("%s: %s of %d bytes, want the short line (the long one must not be broadcast)", who, ev.Type, len(ev.Text))
		}
	}

	// Far beyond the line limit, the library refuses the message before
	// the application sees it: the connection closes with 1009.
	bob.say(strings.Repeat("x", maxMessage))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := 0; i < 10; i++ {
		_, _, err := bob.c.Read(ctx)
		if err != nil {
			if code := websocket.CloseStatus(err); code != websocket.StatusMessageTooBig {
				t.Fatalf("bob after %d bytes: %v, want close 1009", maxMessage, err)
			}
			break
		}
	}
	if ev := alice.event(); ev.Type != "leave" {
		t.Fatalf("alice: %+v, want bob's leave", ev)
	}
}

// TestRunWaitsForShutdown cancels run, as SIGTERM does in main, while a
// websocket client is connected and an xhr_send request is still sending
// its body. run must return only after the client got its close frame 1001
// and after that request was answered: http.Server.Shutdown waits for it,
// and so must run.
func TestRunWaitsForShutdown(t *testing.T) {
	sendDone := make(chan struct{}) // closed when the xhr_send handler returns
	s := startChat(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			if strings.HasSuffix(r.URL.Path, "/xhr_send") {
				close(sendDone)
			}
		})
	})
	ws := dial(t, s, "ws")
	ws.event() // welcome
	ws.event() // its join

	// An xhr_send whose body is still on its way.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `["late"]`
	fmt.Fprintf(conn, "POST /chat/000/slow/xhr_send HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:2])
	time.Sleep(100 * time.Millisecond) // the request is in the handler

	s.stop()
	// The websocket client gets its close frame.
	if f := ws.frame(); f != `c[1001,"Server shutting down"]` {
		t.Fatalf("websocket after the cancel: %q, want the 1001 close frame", f)
	}
	// The client answers the websocket closing handshake by reading on.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for i := 0; i < 10; i++ {
		if _, _, err := ws.c.Read(ctx); err != nil {
			break
		}
	}
	// Once the listener is closed, http.Server.Shutdown has started: the
	// SockJS shutdown is over, and run must now wait for the request still
	// running.
	addr := strings.TrimPrefix(s.base, "http://")
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if i == 100 {
			t.Fatal("the server still accepts connections 2 s after the cancel")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-s.result:
		s.result <- err // for the cleanup
		t.Fatalf("run returned (%v) while a request was still running", err)
	default:
	}
	if _, err := io.WriteString(conn, body[2:]); err != nil {
		t.Fatalf("finishing the body: %v", err)
	}
	var err2 error
	select {
	case err2 = <-s.result:
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10 s")
	}
	s.result <- err2 // for the cleanup
	if err2 != nil {
		t.Errorf("run: %v", err2)
	}
	select {
	case <-sendDone:
	default:
		t.Fatal("run returned before the xhr_send request was answered")
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	reply, err := io.ReadAll(conn)
	status, _, _ := strings.Cut(string(reply), "\r\n")
	if !strings.HasPrefix(status, "HTTP/1.1 ") || err != nil {
		t.Fatalf("the xhr_send in flight got %q (%v), want an HTTP answer", status, err)
	}
	t.Logf("xhr_send in flight at shutdown answered %q before run returned", status)
	if errors.Is(err2, context.DeadlineExceeded) {
		t.Error("shutdown timed out")
	}
}

// TestBroadcastMemoryIndependentOfMembers measures the heap that queued
// broadcasts keep, with few and with many members. The members are xhr
// sessions between two polls, so every line stays in their queues. Encoded
// once, a line is held once however many members queue it; encoded per
// member, each member would hold its own copy.
func TestBroadcastMemoryIndependentOfMembers(t *testing.T) {
	const lines = 40
	line := strings.Repeat("m", maxLine-10)
	retained := func(members int) uint64 {
		s := startChat(t, nil)
		sender := dial(t, s, "sender")
		for i := 0; i < members; i++ {
			resp, err := http.Post(fmt.Sprintf("%s/chat/000/m%d/xhr", s.base, i), "text/plain", nil)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "o\n" {
				t.Fatalf("member %d: %q", i, b)
			}
		}
		count := func() int {
			resp, err := http.Get(s.base + "/stats")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var st struct{ Sessions int }
			if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
				t.Fatal(err)
			}
			return st.Sessions
		}
		for i := 0; count() != members+1; i++ {
			if i == 100 {
				t.Fatalf("%d members joined, want %d", count(), members+1)
			}
			time.Sleep(10 * time.Millisecond)
		}
		before := heap()
		for i := 0; i < lines; i++ {
			sender.say(fmt.Sprintf("%04d%s", i, line))
		}
		got := 0
		for got < lines { // the sender hears every line, after the joins
			if ev := sender.event(); ev.Type == "message" {
				got++
			}
		}
		count() // the hub has finished the last broadcast
		after := heap()
		s.stop() // this server's sessions go before the next measurement
		select {
		case err := <-s.result:
			s.result <- err // for the cleanup
		case <-time.After(15 * time.Second):
			t.Fatal("run did not return within 15 s")
		}
		if after < before {
			return 0
		}
		return after - before
	}
	few, many := retained(4), retained(40)
	perMember := (float64(many) - float64(few)) / 36 / lines
	t.Logf("heap kept by %d queued lines of %d bytes: %d KiB for 5 sessions, %d KiB for 41 (%.0f bytes per extra member per line)",
		lines, len(line)+4, few>>10, many>>10, perMember)
	if perMember > float64(len(line))/4 {
		t.Errorf("each extra member keeps %.0f bytes per %d-byte line: the broadcast is copied per member", perMember, len(line)+4)
	}
}

func heap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestDrainGivesEveryMember1001 stops the chat, as SIGTERM does, with
// several members: each must get 1001 "Server shutting down", the frame
// that says the server is going away. The hub used to close a leaving
// member's session with 1000 "Normal closure" even when serve had returned
// because the server was draining, and that close came first: the browser
// end-to-end test (e2e/test/chat.test.js, SIGTERM) saw 1000 on every
// HTTP transport and 1006 on xhr-polling, whose session was closed before
// the shutdown's grace for its next poll.
func TestDrainGivesEveryMember1001(t *testing.T) {
	s := startChat(t, nil)
	var members []*client
	for i := range 4 {
		cl := dial(t, s, fmt.Sprintf("m%d", i))
		cl.event() // welcome
		members = append(members, cl)
	}
	s.stop()
	for i, cl := range members {
		var f string
		for {
			if f = cl.frame(); !strings.HasPrefix(f, "a") {
				break // skip the others' joins and leaves
			}
		}
		if f != `c[1001,"Server shutting down"]` {
			t.Errorf("member %d: close frame %q, want c[1001,\"Server shutting down\"]", i, f)
		}
	}
}
