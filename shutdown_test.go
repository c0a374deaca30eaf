package sockjs_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
)

// Shutdown with thousands of open sessions of every kind closes each with
// its close frame, refuses new sessions, and leaves no goroutine behind.
func TestShutdownWithThousandsOfSessions(t *testing.T) {
	leak.Check(t)
	const perKind = 500 // websocket, xhr_streaming, eventsource, polling (passive)
	// One test client opens them all: no per-client limits. Opening 2000
	// sessions on a loaded machine can take longer than a heartbeat
	// period, and a heartbeat is not what this test reads for.
	h := sockjs.New("/s", sockjs.Options{MaxSessionsPerClient: -1, SessionRate: -1, HeartbeatDelay: time.Hour}, echo)
	srv := httptest.NewServer(h)
	defer srv.Close()
	base := srv.URL + "/s"
	tr := &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: 100}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()

	var streams []*bufio.Reader
	var conns []*websocket.Conn
	for i := 0; i < perKind; i++ {
		c := dialWS(t, fmt.Sprintf("%s/000/ws%d/websocket", base, i))
		readWS(t, c)
		conns = append(conns, c)
		for _, kind := range []string{"xhr_streaming", "eventsource"} {
			method := "POST"
			if kind == "eventsource" {
				method = "GET"
			}
			req, _ := http.NewRequest(method, fmt.Sprintf("%s/000/%s%d/%s", base, kind, i, kind), nil)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			r := bufio.NewReader(resp.Body)
			readUntil(t, r, "o")
			streams = append(streams, r)
		}
		resp, err := client.Post(fmt.Sprintf("%s/000/poll%d/xhr", base, i), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	if err := h.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	t.Logf("Shutdown of %d sessions took %v", 4*perKind, time.Since(start))

	for _, c := range conns {
		if got := readWS(t, c); got != `c[1001,"Server shutting down"]` {
			t.Fatalf("websocket got %q, want the shutdown close frame", got)
		}
	}
	for _, r := range streams {
		readUntil(t, r, "1001")
	}
	resp, err := client.Post(base+"/000/new/xhr", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("new session after Shutdown: %d, want 503", resp.StatusCode)
	}
	for _, c := range conns {
		c.CloseNow()
	}
}

// readUntil reads r until the bytes read so far contain s.
func readUntil(t *testing.T, r *bufio.Reader, s string) {
	t.Helper()
	var seen strings.Builder
	for i := 0; i < 1<<20 && !strings.Contains(seen.String(), s); i++ {
		b, err := r.ReadByte()
		if err != nil {
			t.Fatalf("waiting for %q: %v; got %q", s, err, seen.String())
		}
		seen.WriteByte(b)
	}
}

// A polling client whose session has queued messages at shutdown gets the
// messages, then the close frame on its next poll, not a 503.
func TestShutdownDeliversQueuedMessagesThenCloseToPolling(t *testing.T) {
	sent := make(chan struct{})
	h := sockjs.New("/s", sockjs.Options{}, func(s *sockjs.Session) {
		_ = s.Send("a")
		_ = s.Send("b")
		close(sent)
		<-s.Context().Done()
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	base := srv.URL + "/s/000/q"
	if _, body := post(t, base+"/xhr", ""); body != "o\n" {
		t.Fatalf("open: %q", body)
	}
	<-sent
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- h.Shutdown(ctx)
	}()
	time.Sleep(100 * time.Millisecond) // let Shutdown close the session
	if _, body := post(t, base+"/xhr", ""); body != "a[\"a\",\"b\"]\n" {
		t.Fatalf("first poll after Shutdown: %q", body)
	}
	if code, body := post(t, base+"/xhr", ""); code != 200 || body != "c[1001,\"Server shutting down\"]\n" {
		t.Fatalf("second poll after Shutdown: %d %q", code, body)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Requests that open sessions while Shutdown runs either get a session that
// Shutdown closes and waits for, or 503: none is left running afterwards.
func TestShutdownRacesSessionCreation(t *testing.T) {
	leak.Check(t)
	// The registry's own test races Drain thousands of times; these
	// iterations check that the Handler relies on it.
	iterations := 100
	if testing.Short() {
		iterations = 10
	}
	for i := 0; i < iterations; i++ {
		var mu sync.Mutex
		var started []*sockjs.Session
		h := sockjs.New("/s", sockjs.Options{MaxSessionsPerClient: -1, SessionRate: -1}, func(s *sockjs.Session) {
			mu.Lock()
			started = append(started, s)
			mu.Unlock()
			echo(s)
		})
		stop := make(chan struct{})
		finished := make(chan int)
		go func() {
			refusedAfterStop := 0
			for n := 0; ; n++ {
				stopped := false
				select {
				case <-stop:
					stopped = true
				default:
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("POST", fmt.Sprintf("/s/000/r%d/xhr", n), nil))
				if stopped {
					if rec.Code != http.StatusServiceUnavailable {
						t.Errorf("iteration %d: a session request after Shutdown returned got %d %q, want 503", i, rec.Code, rec.Body)
					}
					refusedAfterStop++
					if refusedAfterStop == 3 {
						finished <- n
						return
					}
				}
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := h.Shutdown(ctx); err != nil {
			t.Fatalf("iteration %d: Shutdown: %v", i, err)
		}
		cancel()
		mu.Lock()
		atShutdown := len(started)
		for _, s := range started {
			select {
			case <-s.Context().Done():
			default:
				t.Fatalf("iteration %d: a session is still running after Shutdown returned", i)
			}
		}
		mu.Unlock()
		close(stop)
		<-finished
		mu.Lock()
		if len(started) != atShutdown {
			t.Fatalf("iteration %d: %d sessions started after Shutdown returned", i, len(started)-atShutdown)
		}
		mu.Unlock()
	}
}

// A polling client that comes back 1.5 s after Shutdown closed its session
// still gets the close frame. sockjs-client starts every XHR from a
// setTimeout, and a browser clamps the timers of a background tab to 1 s
// (Firefox's dom.min_background_timeout_value; Chromium's background
// throttling), so a live xhr-polling client in a background tab polls again
// about a second after each answer. The e2e SIGTERM test in Firefox found
// it: with a grace of 1 s such a page got 1006 (its next poll found the
// server gone) instead of 1001.
func TestShutdownWaitsForABackgroundTabsNextPoll(t *testing.T) {
	// 1.5 s: the 1 s timer clamp, and a busy machine.
	if code, body := pollAfterShutdown(t, sockjs.Options{}, 1500*time.Millisecond); code != 200 || body != "c[1001,\"Server shutting down\"]\n" {
		t.Fatalf("poll 1.5 s after Shutdown: %d %q, want the close frame", code, body)
	}
}

// Options.ShutdownGrace sets that wait: with 100 ms, the same poll 1.5 s
// after Shutdown finds the session gone and the handler refusing (503).
func TestShutdownGraceOption(t *testing.T) {
	opts := sockjs.Options{ShutdownGrace: 100 * time.Millisecond}
	if code, body := pollAfterShutdown(t, opts, 1500*time.Millisecond); code != http.StatusServiceUnavailable {
		t.Fatalf("poll 1.5 s after Shutdown with a 100 ms grace: %d %q, want 503", code, body)
	}
}

// pollAfterShutdown opens an xhr session on a handler with opts, starts
// Shutdown, and polls the session again after the given time; it returns
// that poll's status and body once Shutdown has returned.
func pollAfterShutdown(t *testing.T, opts sockjs.Options, after time.Duration) (int, string) {
	t.Helper()
	opened := make(chan struct{})
	h := sockjs.New("/s", opts, func(s *sockjs.Session) {
		close(opened)
		<-s.Context().Done()
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	base := srv.URL + "/s/000/bg"
	if _, body := post(t, base+"/xhr", ""); body != "o\n" {
		t.Fatalf("open: %q", body)
	}
	<-opened
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- h.Shutdown(ctx)
	}()
	time.Sleep(after)
	code, body := post(t, base+"/xhr", "")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return code, body
}
