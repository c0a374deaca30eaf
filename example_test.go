package sockjs_test

import (
	"context"
	"errors"
	"expvar"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gosockjs/sockjs"
)

// poll makes one HTTP request of a SockJS client and prints the answer.
func poll(base, path, body string) {
	resp, err := http.Post(base+path, "text/plain", strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Printf("%d %q\n", resp.StatusCode, b)
}

// An echo service, mounted on an http.ServeMux and driven by hand over XHR
// polling: open, send two messages, receive them in one frame.
func Example() {
	echo := sockjs.New("/echo", sockjs.Options{}, func(s *sockjs.Session) {
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return
			}
			_ = s.Send(msg)
		}
	})
	mux := http.NewServeMux()
	mux.Handle("/echo/", echo)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer echo.Shutdown(context.Background())

	poll(srv.URL, "/echo/000/s1/xhr", "")
	poll(srv.URL, "/echo/000/s1/xhr_send", `["hello","world"]`)
	poll(srv.URL, "/echo/000/s1/xhr", "")
	// Output:
	// 200 "o\n"
	// 204 ""
	// 200 "a[\"hello\",\"world\"]\n"
}

// Closing a session with a code and reason that the client's close event
// carries.
func ExampleSession_Close() {
	h := sockjs.New("/close", sockjs.Options{}, func(s *sockjs.Session) {
		_ = s.Close(3000, "Go away!")
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Shutdown(context.Background())

	poll(srv.URL, "/close/000/s1/xhr", "")
	poll(srv.URL, "/close/000/s1/xhr", "")
	// Output:
	// 200 "o\n"
	// 200 "c[3000,\"Go away!\"]\n"
}

// Broadcasting one message to many sessions encodes it once.
func ExampleBroadcast() {
	joined := make(chan *sockjs.Session, 2)
	h := sockjs.New("/chat", sockjs.Options{}, func(s *sockjs.Session) {
		joined <- s
		<-s.Context().Done()
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Shutdown(context.Background())

	poll(srv.URL, "/chat/000/alice/xhr", "")
	poll(srv.URL, "/chat/000/bob/xhr", "")
	everyone := []*sockjs.Session{<-joined, <-joined}
	fmt.Println("delivered to", sockjs.Broadcast("hi all", everyone))
	poll(srv.URL, "/chat/000/alice/xhr", "")
	poll(srv.URL, "/chat/000/bob/xhr", "")
	// Output:
	// 200 "o\n"
	// 200 "o\n"
	// delivered to 2
	// 200 "a[\"hi all\"]\n"
	// 200 "a[\"hi all\"]\n"
}

// Shutting down: every session gets a close frame, new sessions are refused.
func ExampleHandler_Shutdown() {
	h := sockjs.New("/app", sockjs.Options{}, func(s *sockjs.Session) {
		<-s.Context().Done()
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	poll(srv.URL, "/app/000/s1/xhr", "")
	done := make(chan error)
	go func() {
		time.Sleep(100 * time.Millisecond) // let the client poll again first
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- h.Shutdown(ctx)
	}()
	poll(srv.URL, "/app/000/s1/xhr", "")
	fmt.Println("shutdown:", <-done)
	poll(srv.URL, "/app/000/s2/xhr", "")
	// Output:
	// 200 "o\n"
	// 200 "c[1001,\"Server shutting down\"]\n"
	// shutdown: <nil>
	// 503 "Server is shutting down."
}

// An authorization hook: the first request of a session decides who owns
// it, and every later request must come from the same user.
func ExampleOptions_authorize() {
	opts := sockjs.Options{
		Authorize: func(r *http.Request) (any, error) {
			// In a real service: verify a token, look up a user.
			if user := r.URL.Query().Get("user"); user != "" {
				return user, nil
			}
			return nil, errors.New("who are you?")
		},
	}
	h := sockjs.New("/app", opts, func(s *sockjs.Session) {
		_ = s.Send(fmt.Sprintf("hello %v", s.Identity()))
		<-s.Context().Done()
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Shutdown(context.Background())

	poll(srv.URL, "/app/000/s1/xhr", "")
	poll(srv.URL, "/app/000/s1/xhr?user=alice", "")
	poll(srv.URL, "/app/000/s1/xhr?user=alice", "")
	poll(srv.URL, "/app/000/s1/xhr_send?user=mallory", `["hi"]`)
	// Output:
	// 403 "Forbidden."
	// 200 "o\n"
	// 200 "a[\"hello alice\"]\n"
	// 403 "Session belongs to another client."
}

// Counters are expvar-compatible: publish them and they appear at
// /debug/vars.
func ExampleCounters() {
	counters := new(sockjs.Counters)
	expvar.Publish("sockjs_example", counters)
	h := sockjs.New("/echo", sockjs.Options{Metrics: counters}, func(s *sockjs.Session) {
		for {
			msg, err := s.Recv(s.Context())
			if err != nil {
				return
			}
			_ = s.Send(msg)
		}
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Shutdown(context.Background())

	poll(srv.URL, "/echo/000/s1/xhr", "")
	poll(srv.URL, "/echo/000/s1/xhr_send", `["ping"]`)
	poll(srv.URL, "/echo/000/s1/xhr", "")
	snap := counters.Snapshot()
	fmt.Println("open xhr sessions:", snap.SessionsOpen["xhr"])
	fmt.Println("messages in/out:", snap.MessagesIn, snap.MessagesOut)
	// Output:
	// 200 "o\n"
	// 204 ""
	// 200 "a[\"ping\"]\n"
	// open xhr sessions: 1
	// messages in/out: 1 1
}
