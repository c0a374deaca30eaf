package sockjs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
)

// A client that stops reading while the application floods it with messages
// must not slow down anyone else, and the application's calls on the stuck
// session must return at once.
func TestStuckWebsocketClientDoesNotStallOthers(t *testing.T) {
	leak.Check(t)
	stuck := make(chan *sockjs.Session, 1)
	_, url := serve(t, sockjs.Options{WriteTimeout: 2 * time.Second}, func(s *sockjs.Session) {
		if s.Request().URL.Query().Get("stuck") != "" {
			stuck <- s
			<-s.Context().Done()
			return
		}
		echo(s)
	})
	c := dialWS(t, url+"/000/stuck/websocket?stuck=1")
	if got := readWS(t, c); got != "o" {
		t.Fatalf("open frame %q", got)
	}
	s := <-stuck
	big := strings.Repeat("x", 64<<10)
	start := time.Now()
	var sendErr error
	for i := 0; i < 5000 && sendErr == nil; i++ {
		sendErr = s.Send(big)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("flooding Send took %v; Send must never wait for the network", d)
	}
	var ce *sockjs.CloseError
	if !errors.As(sendErr, &ce) || ce.Code != 1013 {
		t.Errorf("Send on an overflowing session: %v, want close 1013", sendErr)
	}

	other := dialWS(t, url+"/000/other/websocket")
	readWS(t, other)
	for i := 0; i < 20; i++ {
		start := time.Now()
		writeWS(t, other, `["ping"]`)
		if got := readWS(t, other); got != `a["ping"]` {
			t.Fatalf("echo %q", got)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("echo round trip on another session took %v while one client is stuck", d)
		}
	}

	start = time.Now()
	if err := s.Close(3000, "bye"); err != nil {
		t.Fatal(err)
	}
	if err := s.Send("more"); !errors.Is(err, sockjs.ErrSessionClosed) {
		t.Errorf("Send after Close: %v", err)
	}
	// Waiting for the network would take the write timeout (2 s); the bound
	// leaves room for a busy machine running tests under -race.
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close and Send on the stuck session took %v", d)
	}
	// The write the stuck client never reads is cut off by the write
	// timeout (within two timeouts), and the session ends.
	select {
	case <-s.Context().Done():
	case <-time.After(3 * 2 * time.Second):
		t.Error("the stuck client's session did not end after the write timeout")
	}
}

// An application that never calls Recv holds up only its own client: the
// sending request waits until its own context ends.
func TestApplicationNotReadingHoldsOnlyItsClient(t *testing.T) {
	leak.Check(t)
	_, url := serve(t, sockjs.Options{DisconnectDelay: time.Second}, func(s *sockjs.Session) {
		if strings.Contains(s.Request().URL.Path, "lazy") {
			<-s.Context().Done()
			return
		}
		echo(s)
	})
	post(t, url+"/000/lazy/xhr", "")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/000/lazy/xhr_send", strings.NewReader(`["a"]`))
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("xhr_send answered %d while the application was not reading", resp.StatusCode)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("xhr_send returned after %v, want about its context's 300ms", d)
	}

	post(t, url+"/000/busy/xhr", "")
	for i := 0; i < 10; i++ {
		start := time.Now()
		if code, _ := post(t, url+"/000/busy/xhr_send", `["x"]`); code != 204 {
			t.Fatalf("xhr_send on another session: %d", code)
		}
		if _, body := post(t, url+"/000/busy/xhr", ""); body != "a[\"x\"]\n" {
			t.Fatalf("poll: %q", body)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("round trip on another session took %v", d)
		}
	}
}

// A burst of client messages to an application that answers each one does
// not overflow the outbound queue: the client's sends are held back while
// the replies wait for it to poll. The burst comes as several sends because
// one send may carry at most InboxSize messages.
func TestBurstToEchoIsNotASlowConsumer(t *testing.T) {
	leak.Check(t)
	const sends, perSend = 6, 500
	const n = sends * perSend
	_, url := serve(t, sockjs.Options{OutboxSize: 64, DisconnectDelay: time.Second, HeartbeatDelay: time.Second}, echo)
	post(t, url+"/000/burst/xhr", "")
	body := "[" + strings.TrimSuffix(strings.Repeat(`"m",`, perSend), ",") + "]"
	sent := make(chan error, 1)
	go func() {
		client := &http.Client{Timeout: 10 * time.Second}
		for i := 0; i < sends; i++ {
			resp, err := client.Post(url+"/000/burst/xhr_send", "text/plain", strings.NewReader(body))
			if err != nil {
				sent <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 204 {
				sent <- fmt.Errorf("send %d: status %d", i, resp.StatusCode)
				return
			}
		}
		sent <- nil
	}()
	got := 0
	for polls := 0; got < n && polls < 2*n; polls++ {
		select {
		case err := <-sent:
			if err != nil {
				t.Fatal(err)
			}
			sent <- nil
		default:
		}
		_, body := post(t, url+"/000/burst/xhr", "")
		if strings.HasPrefix(body, "c[") {
			t.Fatalf("closed after %d of %d echoes: %q", got, n, body)
		}
		got += strings.Count(body, `"m"`)
	}
	if got != n {
		t.Fatalf("received %d of %d echoes", got, n)
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
}

// Every sending request is answered once the application asks for more,
// however the application's Recv calls interleave with the session's work
// (a lost acknowledgement once left xhr_send hanging).
func TestSequentialSendsAreAllAnswered(t *testing.T) {
	_, url := serve(t, sockjs.Options{DisconnectDelay: time.Minute}, func(s *sockjs.Session) {
		for {
			if _, err := s.Recv(s.Context()); err != nil {
				return
			}
		}
	})
	post(t, url+"/000/seq/xhr", "")
	client := &http.Client{Timeout: 2 * time.Second}
	for i := 0; i < 2000; i++ {
		resp, err := client.Post(url+"/000/seq/xhr_send", "text/plain", strings.NewReader(`["m"]`))
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 204 {
			t.Fatalf("send %d: %d", i, resp.StatusCode)
		}
	}
}
