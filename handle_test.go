package sockjs_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
)

// The application's handle offers the application's methods only: the
// machinery's entry points do not exist on it, so a program that calls
// them does not compile.
func TestSessionIsSealed(t *testing.T) {
	typ := reflect.TypeOf(&sockjs.Session{})
	for _, name := range []string{"Attach", "Abort", "Deliver", "Feed", "Push", "Shutdown", "NewCredit", "CloseForMemory", "App"} {
		if _, ok := typ.MethodByName(name); ok {
			t.Errorf("*sockjs.Session has the machinery's method %s", name)
		}
	}
	for _, name := range []string{"Recv", "Send", "SendPrepared", "Close", "Context", "ID", "Transport", "Request", "Identity", "ClientAddr", "Started", "LastActive", "Draining", "SetValue", "Value"} {
		if _, ok := typ.MethodByName(name); !ok {
			t.Errorf("*sockjs.Session lacks %s", name)
		}
	}
}

// Handler.Sessions lists what clients see: right after the application
// closes a session, it is gone from the list, from Len and from the
// Counters, although the protocol keeps it a few seconds to answer its
// client.
func TestSessionsAgreeWithClientsAfterClose(t *testing.T) {
	leak.Check(t)
	var counters sockjs.Counters
	opened := make(chan *sockjs.Session, 3)
	h, u := serve(t, sockjs.Options{Metrics: &counters}, func(s *sockjs.Session) {
		opened <- s
		echo(s)
	})
	for _, id := range []string{"a", "b", "c"} {
		post(t, u+"/000/"+id+"/xhr", "")
	}
	byID := map[string]*sockjs.Session{}
	for i := 0; i < 3; i++ {
		s := <-opened
		byID[s.ID()] = s
	}
	if n := h.Len(); n != 3 {
		t.Fatalf("Len = %d, want 3", n)
	}
	var victim *sockjs.Session
	for s := range h.Sessions() {
		if byID[s.ID()] != s {
			t.Fatalf("Sessions yielded a session the application never got")
		}
		if got := h.Session(s.ID()); got != s {
			t.Fatalf("Session(%q) = %p, want %p", s.ID(), got, s)
		}
		victim = s
	}
	if err := victim.Close(4001, "kicked"); err != nil {
		t.Fatal(err)
	}
	if n := h.Len(); n != 2 {
		t.Fatalf("Len right after Close = %d, want 2", n)
	}
	for s := range h.Sessions() {
		if s == victim {
			t.Fatal("Sessions yields a closed session")
		}
	}
	if h.Session(victim.ID()) != nil {
		t.Fatal("Session finds a closed session")
	}
	if open := counters.Snapshot().SessionsOpen["xhr"]; open != 2 {
		t.Fatalf("Counters sessions_open right after Close = %d, want 2", open)
	}
}

// Per-session values travel with the session and its Context.
func TestSessionValues(t *testing.T) {
	leak.Check(t)
	type userKey struct{}
	got := make(chan any, 2)
	_, u := serve(t, sockjs.Options{}, func(s *sockjs.Session) {
		s.SetValue(userKey{}, "alice")
		got <- s.Value(userKey{})
		got <- s.Context().Value(userKey{})
		var ce *sockjs.CloseError
		s.Close(3000, "bye")
		if !errors.As(context.Cause(s.Context()), &ce) || ce.Code != 3000 {
			t.Errorf("context.Cause on the session's Context: %v", context.Cause(s.Context()))
		}
	})
	post(t, u+"/000/v/xhr", "")
	for i := 0; i < 2; i++ {
		if v := <-got; v != "alice" {
			t.Fatalf("value %d: %v", i, v)
		}
	}
}

// A session records its start and the client's last activity.
func TestSessionActivity(t *testing.T) {
	leak.Check(t)
	opened := make(chan *sockjs.Session, 1)
	_, u := serve(t, sockjs.Options{}, func(s *sockjs.Session) {
		opened <- s
		echo(s)
	})
	c := dialWS(t, u+"/000/act/websocket")
	readWS(t, c)
	s := <-opened
	before := s.LastActive()
	if before.Before(s.Started()) {
		t.Fatalf("LastActive %v before Started %v", before, s.Started())
	}
	time.Sleep(5 * time.Millisecond) // the clock must move for the next activity to show
	writeWS(t, c, `["x"]`)
	readWS(t, c)
	if !s.LastActive().After(before) {
		t.Fatal("a websocket message did not count as activity")
	}
}

// user is an identity as applications have them: a fresh pointer per
// lookup, with a map inside.
type user struct {
	ID    string
	Roles map[string]bool
}

// A pointer identity from a lookup per request works on every transport.
func TestPointerIdentityWorksOnEveryTransport(t *testing.T) {
	leak.Check(t)
	authorize := func(r *http.Request) (any, error) {
		name := r.Header.Get("X-User")
		if name == "" {
			return nil, errors.New("no user")
		}
		return &user{ID: name, Roles: map[string]bool{"reader": true}}, nil
	}
	_, u := serve(t, sockjs.Options{Authorize: authorize, DisconnectDelay: time.Second}, echo)
	alice := http.Header{"X-User": {"alice"}}
	mallory := http.Header{"X-User": {"mallory"}}
	receivers := []struct{ method, path string }{
		{"POST", "xhr"}, {"POST", "xhr_streaming"}, {"GET", "eventsource"}, {"GET", "htmlfile?c=cb"}, {"GET", "jsonp?c=cb"},
	}
	for _, rcv := range receivers {
		id := strings.SplitN(rcv.path, "?", 2)[0]
		base := u + "/000/" + id
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		req, _ := http.NewRequestWithContext(ctx, rcv.method, base+"/"+rcv.path, nil)
		req.Header = alice.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			cancel()
			t.Fatalf("%s opened by alice: %v %v", rcv.path, err, resp)
		}
		send, body, want := "xhr_send", `["x"]`, 204
		if id == "jsonp" {
			send, body, want = "jsonp_send", `d=["x"]`, 200
		}
		header, other := alice.Clone(), mallory.Clone()
		if id == "jsonp" {
			header.Set("Content-Type", "application/x-www-form-urlencoded")
			other.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if code := do(t, "POST", base+"/"+send, header, body).StatusCode; code != want {
			t.Errorf("%s: alice's send with a fresh *user: %d, want %d", rcv.path, code, want)
		}
		if code := do(t, "POST", base+"/"+send, other, body).StatusCode; code != http.StatusForbidden {
			t.Errorf("%s: mallory's send: %d, want 403", rcv.path, code)
		}
		resp.Body.Close()
		cancel()
	}
}

// SameIdentity decides when records change between requests.
func TestSameIdentityOption(t *testing.T) {
	leak.Check(t)
	n := 0
	var mu sync.Mutex
	authorize := func(r *http.Request) (any, error) {
		mu.Lock()
		defer mu.Unlock()
		n++ // the record changes on every lookup
		return &user{ID: r.Header.Get("X-User"), Roles: map[string]bool{"seen": n%2 == 0}}, nil
	}
	same := func(a, b any) bool { return a.(*user).ID == b.(*user).ID }
	_, u := serve(t, sockjs.Options{Authorize: authorize, SameIdentity: same, DisconnectDelay: time.Second}, echo)
	alice := http.Header{"X-User": {"alice"}}
	do(t, "POST", u+"/000/s/xhr", alice, "")
	if code := do(t, "POST", u+"/000/s/xhr_send", alice, `["x"]`).StatusCode; code != 204 {
		t.Fatalf("send with a changed record of the same user: %d", code)
	}
}

// capture is a slog handler that keeps the records.
type capture struct {
	mu      sync.Mutex
	records []slog.Record
}

func (c *capture) Enabled(context.Context, slog.Level) bool { return true }
func (c *capture) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.records = append(c.records, r.Clone())
	return nil
}
func (c *capture) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *capture) WithGroup(string) slog.Handler      { return c }

// attrs returns the records with message msg, as maps of their attributes.
func (c *capture) attrs(msg string) []map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]string
	for _, r := range c.records {
		if r.Message != msg {
			continue
		}
		m := map[string]string{}
		r.Attrs(func(a slog.Attr) bool {
			m[a.Key] = a.Value.String()
			return true
		})
		out = append(out, m)
	}
	return out
}

// Every rejection is logged with its reason (and Authorize's error), at
// most a few a second, and the log says how many it left out.
func TestEveryRejectionIsLogged(t *testing.T) {
	leak.Check(t)
	logs := &capture{}
	authorize := func(r *http.Request) (any, error) {
		if r.Header.Get("X-User") == "" {
			return nil, errors.New("token expired")
		}
		return r.Header.Get("X-User"), nil
	}
	_, u := serve(t, sockjs.Options{Authorize: authorize, Logger: slog.New(logs), DisconnectDelay: time.Second}, echo)
	alice := http.Header{"X-User": {"alice"}}
	do(t, "POST", u+"/000/a/xhr", alice, "")
	do(t, "POST", u+"/000/a/xhr", nil, "")                                      // forbidden: Authorize's error
	do(t, "POST", u+"/000/a/xhr_send", http.Header{"X-User": {"bob"}}, `["x"]`) // forbidden: another identity
	do(t, "POST", u+"/000/a/xhr_send", alice, `["x`)                            // payload
	do(t, "POST", u+"/000/nosuch/xhr_send", alice, `["x"]`)                     // unknown session
	do(t, "GET", u+"/nosuch", nil, "")                                          // not found
	do(t, "DELETE", u+"/000/a/xhr", alice, "")                                  // method
	want := map[string]bool{
		sockjs.RejectForbidden: false, sockjs.RejectPayload: false, sockjs.RejectUnknownSession: false,
		sockjs.RejectNotFound: false, sockjs.RejectMethod: false,
	}
	sawError := false
	for _, a := range logs.attrs("sockjs: request rejected") {
		want[a["reason"]] = true
		if a["error"] == "token expired" {
			sawError = true
		}
		if a["prefix"] != "/s" {
			t.Errorf("rejection logged without the prefix: %v", a)
		}
	}
	for reason, logged := range want {
		if !logged {
			t.Errorf("rejection %q not logged", reason)
		}
	}
	if !sawError {
		t.Error("Authorize's error not in the log")
	}

	// A flood is logged a few lines a second, the rest counted.
	before := len(logs.attrs("sockjs: request rejected"))
	start := time.Now()
	for i := 0; i < 200; i++ {
		do(t, "GET", u+"/nosuch", nil, "")
	}
	time.Sleep(150 * time.Millisecond) // a token comes back after 100 ms
	do(t, "GET", u+"/nosuch", nil, "")
	flood := logs.attrs("sockjs: request rejected")[before:]
	if budget := 10 + int(10*time.Since(start).Seconds()) + 1; len(flood) > budget {
		t.Errorf("201 bad requests made %d log lines, budget %d", len(flood), budget)
	}
	told := false
	for _, a := range flood {
		told = told || a["suppressed"] != ""
	}
	if !told {
		t.Error("no line after the flood says how many were left out")
	}
}

// A panic in serve closes the client with CodeInternalError and is logged
// once, with its stack.
func TestPanicIsLoggedWithStack(t *testing.T) {
	leak.Check(t)
	logs := &capture{}
	_, u := serve(t, sockjs.Options{Logger: slog.New(logs)}, func(s *sockjs.Session) {
		panic("boom")
	})
	c := dialWS(t, u+"/000/p/websocket")
	readWS(t, c)
	if got := readWS(t, c); got != `c[3500,"Internal error"]` {
		t.Fatalf("close frame after a panic: %q", got)
	}
	// The panic is logged before the session closes.
	panics := logs.attrs("sockjs: session handler panicked")
	if len(panics) != 1 {
		t.Fatalf("%d panic log lines, want 1", len(panics))
	}
	if p := panics[0]; p["panic"] != "boom" || !strings.Contains(p["stack"], "handle_test.go") {
		t.Fatalf("panic log without the panic or its stack: %v", p)
	}
	if sockjs.CodeInternalError != 3500 {
		t.Fatal("CodeInternalError changed")
	}
}

// An application may close one session with 1001 to shed load.
func TestApplicationMayCloseWithGoingAway(t *testing.T) {
	leak.Check(t)
	_, u := serve(t, sockjs.Options{}, func(s *sockjs.Session) {
		if err := s.Close(sockjs.CodeGoingAway, "Moving you elsewhere"); err != nil {
			t.Errorf("Close(1001): %v", err)
		}
	})
	c := dialWS(t, u+"/000/g/websocket")
	readWS(t, c)
	if got := readWS(t, c); got != `c[1001,"Moving you elsewhere"]` {
		t.Fatalf("close frame %q", got)
	}
}
