package sockjs_test

import (
	"context"
	"errors"
	"expvar"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
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

// discard is the serve function of a service that only pushes: it still
// calls Recv for as long as the session lives, because a client's send is
// answered only once the application has taken its messages. Waiting on
// <-s.Context().Done() instead would leave every send of an HTTP client
// hanging.
func discard(s *sockjs.Session) {
	for {
		if _, err := s.Recv(s.Context()); err != nil {
			return
		}
	}
}

// Broadcasting one message to every open session encodes it once.
func ExampleBroadcast() {
	h := sockjs.New("/chat", sockjs.Options{}, discard)
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Shutdown(context.Background())

	poll(srv.URL, "/chat/000/alice/xhr", "")
	poll(srv.URL, "/chat/000/bob/xhr", "")
	everyone := slices.Collect(h.Sessions())
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
	h := sockjs.New("/app", sockjs.Options{}, discard)
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
		discard(s)
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

// Draining before a deployment: new sessions are refused, serve functions
// see Draining and finish what they are doing, then every session still
// open gets 1001.
func ExampleHandler_Drain() {
	h := sockjs.New("/rpc", sockjs.Options{}, func(s *sockjs.Session) {
		for {
			select {
			case <-s.Draining():
				_ = s.Send("bye: finishing my work first")
				return // the session then closes with 1001
			default:
			}
			ctx, cancel := context.WithTimeout(s.Context(), 50*time.Millisecond)
			msg, err := s.Recv(ctx)
			cancel()
			if errors.Is(err, context.DeadlineExceeded) {
				continue // look at Draining again
			}
			if err != nil {
				return
			}
			_ = s.Send("result of " + msg)
		}
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	poll(srv.URL, "/rpc/000/s1/xhr", "")
	drained := make(chan error)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		drained <- h.Drain(ctx)
	}()
	poll(srv.URL, "/rpc/000/s1/xhr", "") // the client keeps polling
	poll(srv.URL, "/rpc/000/s1/xhr", "")
	fmt.Println("drain:", <-drained)
	poll(srv.URL, "/rpc/000/s2/xhr", "")
	// Output:
	// 200 "o\n"
	// 200 "a[\"bye: finishing my work first\"]\n"
	// 200 "c[1001,\"Server shutting down\"]\n"
	// drain: <nil>
	// 503 "Server is shutting down."
}

// roomKey is the key of a session value, of an unexported type as context
// keys are.
type roomKey struct{}

// Values that travel with a session: the session's Context carries them to
// code that gets only the context, and an admin page reads them from
// Handler.Sessions.
func ExampleSession_SetValue() {
	h := sockjs.New("/chat", sockjs.Options{}, func(s *sockjs.Session) {
		s.SetValue(roomKey{}, "lobby")
		_ = s.Send(greeting(s.Context()))
		discard(s)
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Shutdown(context.Background())

	poll(srv.URL, "/chat/000/s1/xhr", "")
	poll(srv.URL, "/chat/000/s1/xhr", "")
	for s := range h.Sessions() {
		fmt.Println("admin page:", s.Transport(), s.Value(roomKey{}))
	}
	// Output:
	// 200 "o\n"
	// 200 "a[\"you are in lobby\"]\n"
	// admin page: xhr lobby
}

// greeting stands for application code that gets only a context.
func greeting(ctx context.Context) string {
	return fmt.Sprint("you are in ", ctx.Value(roomKey{}))
}
