package sockjs_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/gosockjs/sockjs"
	"github.com/gosockjs/sockjs/internal/leak"
)

// liveHeap returns the bytes of live heap after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// peakHeap samples liveHeap every 100 ms until stop is closed and returns
// the largest sample.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	peak := make(chan uint64, 1)
	go func() {
		var max uint64
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if h := liveHeap(); h > max {
				max = h
			}
			select {
			case <-stop:
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	return peak
}

// pingPong checks that a websocket session echoes promptly, n times.
func pingPong(t *testing.T, c *websocket.Conn, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		start := time.Now()
		writeWS(t, c, `["ping"]`)
		got := readWS(t, c)
		for got == "h" { // a heartbeat falls due when the machine is slow
			got = readWS(t, c)
		}
		if got != `a["ping"]` {
			t.Fatalf("echo %q", got)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("echo round trip took %v while other clients abuse the server", d)
		}
	}
}

// The attack of the byte-budget issue, on the zero-value Options: websocket
// clients send MaxMessageSize messages to an echo and never read. Each
// session holds at most its send and receive buffers and what is being
// written and read; the client is held back (its writes stop), and a
// well-behaved client on the same Handler is served throughout.
func TestNonReadingWebsocketClientsAreBounded(t *testing.T) {
	leak.Check(t)
	const clients = 4
	_, u := serve(t, sockjs.Options{}, echo)
	good := dialWS(t, u+"/000/good/websocket")
	readWS(t, good)

	base := liveHeap()
	stop := make(chan struct{})
	peak := peakHeap(stop)
	msg := []byte(`["` + strings.Repeat("x", sockjs.DefaultMaxMessageSize-8) + `"]`)
	var wg sync.WaitGroup
	var held atomic.Int32
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for i := 0; i < clients; i++ {
		c := dialWS(t, fmt.Sprintf("%s/000/bad%d/websocket", u, i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sent := 0; sent < 1000; sent++ {
				if c.Write(ctx, websocket.MessageText, msg) != nil {
					held.Add(1) // held back until the deadline: the server stopped reading
					return
				}
			}
		}()
	}
	pingPong(t, good, 20)
	wg.Wait()
	close(stop)
	growth := int64(<-peak) - int64(base)

	// Per session: the send and receive buffers, a message being read and one
	// being written in the transport, each up to about MaxMessageSize.
	perSession := int64(sockjs.DefaultSendBuffer + sockjs.DefaultReceiveBuffer + 2*sockjs.DefaultMaxMessageSize)
	if bound := clients*perSession + 16<<20; growth > bound {
		t.Errorf("heap grew by %d MiB, want at most %d MiB", growth>>20, bound>>20)
	}
	t.Logf("%d non-reading clients: heap grew by %.1f MiB at peak", clients, float64(growth)/(1<<20))
	if held.Load() != clients {
		t.Errorf("%d of %d non-reading clients were held back", held.Load(), clients)
	}
	pingPong(t, good, 1)
}

// rawStream opens an HTTP receiving request on a plain TCP connection and
// never reads its response, as a client that stopped reading would.
func rawStream(t *testing.T, u, path string) net.Conn {
	t.Helper()
	parsed, _ := url.Parse(u)
	conn, err := net.DialTimeout("tcp", parsed.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST %s%s HTTP/1.1\r\nHost: %s\r\nContent-Length: 0\r\n\r\n", parsed.Path, path, parsed.Host)
	return conn
}

// An xhr_streaming client that stops reading its stream while it goes on
// sending: the sends are held back once its session holds half its send
// buffer, so the session holds no more than its budget, and the session
// ends (its write timeout, or its disconnect delay once the stream has
// reached ResponseLimit).
func TestNonReadingStreamingClientIsBounded(t *testing.T) {
	leak.Check(t)
	opened, ended := make(chan struct{}), make(chan struct{})
	_, u := serve(t, sockjs.Options{WriteTimeout: 2 * time.Second, DisconnectDelay: time.Second}, func(s *sockjs.Session) {
		close(opened)
		echo(s)
		close(ended)
	})
	rawStream(t, u, "/000/stream/xhr_streaming")
	<-opened
	base := liveHeap()

	body := `["` + strings.Repeat("x", sockjs.DefaultMaxBodySize-8) + `"]`
	client := &http.Client{Timeout: time.Second}
	accepted := 0
	for i := 0; i < 20; i++ {
		resp, err := client.Post(u+"/000/stream/xhr_send", "text/plain", strings.NewReader(body))
		if err != nil {
			break // held back: the application has not taken the last send
		}
		resp.Body.Close()
		if resp.StatusCode != 204 {
			break
		}
		accepted++
	}
	growth := int64(liveHeap()) - int64(base)
	t.Logf("%d sends of 1 MiB accepted before the client was held back; heap grew by %.1f MiB", accepted, float64(growth)/(1<<20))
	if accepted == 20 {
		t.Fatal("every send was accepted although the client reads nothing")
	}
	if bound := int64(sockjs.DefaultSendBuffer+sockjs.DefaultReceiveBuffer+2*sockjs.DefaultMaxBodySize) + 16<<20; growth > bound {
		t.Errorf("heap grew by %d MiB, want at most %d MiB", growth>>20, bound>>20)
	}
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the session of a client that does not read lived on")
	}
}

// Concurrent sends of MaxBodySize each to one session: what is accepted
// fits in the session's receive buffer, the rest are refused with 503, and
// nothing waits forever.
func TestConcurrentSendsAreBoundedInBytes(t *testing.T) {
	leak.Check(t)
	release := make(chan struct{})
	opts := sockjs.Options{MaxBodySize: 256 << 10, MaxMessageSize: 256 << 10, ReceiveBuffer: 600 << 10}
	_, u := serve(t, opts, func(s *sockjs.Session) {
		select { // the application is busy: nothing is taken
		case <-release:
		case <-s.Context().Done():
		}
		echo(s)
	})
	post(t, u+"/000/many/xhr", "")
	body := `["` + strings.Repeat("x", 256<<10-8) + `"]`
	const sends = 8
	codes := make(chan int, sends)
	client := &http.Client{Timeout: 5 * time.Second}
	for i := 0; i < sends; i++ {
		go func() {
			resp, err := client.Post(u+"/000/many/xhr_send", "text/plain", strings.NewReader(body))
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	// The refusals come at once; the accepted sends wait for the application.
	refused := 0
	for refused < sends-2 {
		select {
		case code := <-codes:
			if code != http.StatusServiceUnavailable {
				t.Fatalf("send answered %d while the receive buffer was full, want 503", code)
			}
			refused++
		case <-time.After(5 * time.Second):
			t.Fatalf("%d of %d sends refused; 600 KiB hold only two of 256 KiB", refused, sends)
		}
	}
	close(release)
	for i := 0; i < 2; i++ {
		if code := <-codes; code != 204 {
			t.Fatalf("accepted send answered %d once the application read", code)
		}
	}
}

// A message that alone exceeds the send buffer is refused by Send and the
// session goes on.
func TestSendOfAMessageOverTheBudgetIsRefused(t *testing.T) {
	leak.Check(t)
	errs := make(chan error, 2)
	_, u := serve(t, sockjs.Options{SendBuffer: 64 << 10}, func(s *sockjs.Session) {
		errs <- s.Send(strings.Repeat("x", 64<<10))
		errs <- s.Send("small")
		<-s.Context().Done()
	})
	c := dialWS(t, u+"/000/big/websocket")
	readWS(t, c)
	if err := <-errs; !errors.Is(err, sockjs.ErrMessageTooLarge) {
		t.Fatalf("Send of a message over SendBuffer: %v, want ErrMessageTooLarge", err)
	}
	if err := <-errs; err != nil {
		t.Fatalf("Send after the refusal: %v", err)
	}
	if got := readWS(t, c); got != `a["small"]` {
		t.Fatalf("after the refused message the client got %q", got)
	}
}

// The Handler-wide budget: more abusive sessions than MemoryLimit allows.
// The sessions holding the most are closed for memory, what all sessions
// buffer stays near the limit, and an ordinary client is served throughout.
func TestMemoryLimitClosesTheBiggestHolders(t *testing.T) {
	leak.Check(t)
	var counters sockjs.Counters
	const limit = 2 << 20
	pushers := make(chan *sockjs.Session, 8)
	_, u := serve(t, sockjs.Options{
		MemoryLimit: limit,
		SendBuffer:  1 << 20,
		Metrics:     &counters,
	}, func(s *sockjs.Session) {
		if strings.HasPrefix(s.Request().URL.Path, "/s/000/hog") {
			pushers <- s
			<-s.Context().Done()
			return
		}
		echo(s)
	})
	good := dialWS(t, u+"/000/good/websocket")
	readWS(t, good)

	// Each hog's client polls once and never again, and its application
	// queues 900 KiB for it.
	const hogs = 6
	chunk := strings.Repeat("y", 60<<10)
	var closed []*sockjs.Session
	for i := 0; i < hogs; i++ {
		post(t, fmt.Sprintf("%s/000/hog%d/xhr", u, i), "")
		s := <-pushers
		for j := 0; j < 15; j++ {
			if s.Send(chunk) != nil {
				break
			}
		}
		closed = append(closed, s)
		// The limit, plus the latest hog's growth and an evicted session's
		// holding that its actor may not have released yet.
		if b := counters.Snapshot().BufferedBytes; b > limit+2<<20 {
			t.Fatalf("sessions buffer %d KiB beyond their first chunks, limit %d KiB", b>>10, limit>>10)
		}
		pingPong(t, good, 1)
	}
	evicted := 0
	for _, s := range closed {
		select {
		case <-s.Context().Done():
			var ce *sockjs.CloseError
			if err := s.Send("x"); errors.As(err, &ce) && ce.Code == 1013 && ce.Reason == "Server memory full" {
				evicted++
			}
		default:
		}
	}
	snap := counters.Snapshot()
	if evicted == 0 || snap.SessionsEvicted != int64(evicted) {
		t.Fatalf("%d sessions closed for memory, counted %d; 6 × 900 KiB exceed the 2 MiB limit", evicted, snap.SessionsEvicted)
	}
	if evicted == hogs {
		t.Fatal("every hog was closed; only enough to fit the limit should be")
	}
	pingPong(t, good, 5)
	// A new session opens once the evicted ones have let go.
	fresh := dialWS(t, u+"/000/fresh/websocket")
	if got := readWS(t, fresh); got != "o" {
		t.Fatalf("new session after evictions: %q", got)
	}
}

// A streaming response never carries a frame over the frame size, and ends
// at ResponseLimit between frames: queued messages come out as several
// frames, over several responses.
func TestFramesAreCutByBytes(t *testing.T) {
	leak.Check(t)
	const count, size = 200, 1 << 10
	_, u := serve(t, sockjs.Options{}, func(s *sockjs.Session) {
		for i := 0; i < count; i++ {
			if s.Send(strings.Repeat("z", size)) != nil {
				return
			}
		}
		<-s.Context().Done()
	})
	post(t, u+"/000/frames/xhr", "") // opens the session; the messages queue
	got, responses := 0, 0
	for got < count && responses < 10 {
		responses++
		resp, err := testClient.Post(u+"/000/frames/xhr_streaming", "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 4<<20)
		streamed := 0
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "a[") {
				continue
			}
			if len(line) > 64<<10+64 {
				t.Errorf("a frame of %d KiB; frames are cut at 64 KiB", len(line)>>10)
			}
			streamed += len(line)
			got += strings.Count(line, `"z`)
			if got == count {
				break
			}
		}
		resp.Body.Close()
		if streamed > 128<<10+64<<10 {
			t.Errorf("a response carried %d KiB of frames; it ends at the first frame past ResponseLimit (128 KiB)", streamed>>10)
		}
	}
	if got != count || responses < 2 {
		t.Fatalf("%d of %d messages in %d responses", got, count, responses)
	}
}

// After a large message, an idle websocket session gives its buffers back:
// what it retains is what an idle session that never carried one retains.
func TestIdleSessionGivesLargeBuffersBack(t *testing.T) {
	leak.Check(t)
	const sessions = 10
	// No heartbeat can fall between a message and its echo, however slow
	// the machine; heartbeats do not change what a session retains.
	_, u := serve(t, sockjs.Options{HeartbeatDelay: time.Hour}, echo)
	open := func(prefix string) []*websocket.Conn {
		var cs []*websocket.Conn
		for i := 0; i < sessions; i++ {
			c := dialWS(t, fmt.Sprintf("%s/000/%s%d/websocket", u, prefix, i))
			readWS(t, c)
			cs = append(cs, c)
		}
		return cs
	}
	base := liveHeap()
	idle := open("idle")
	pingPong(t, idle[0], 1)
	idleCost := int64(liveHeap()) - int64(base)

	big := `["` + strings.Repeat("b", 1<<20-8) + `"]`
	base = liveHeap()
	used := open("used")
	for _, c := range used {
		c.SetReadLimit(2 << 20)
		writeWS(t, c, big)
		if got := readWS(t, c); len(got) != len(big)+1 {
			t.Fatalf("echo of the large message: %d bytes", len(got))
		}
		// A small message after the large one: it once waited for the
		// large echo's write token, which nothing collected.
		pingPong(t, c, 1)
	}
	usedCost := int64(liveHeap()) - int64(base)
	t.Logf("%d idle sessions: %d KiB; after a 1 MiB message each: %d KiB", sessions, idleCost>>10, usedCost>>10)
	if usedCost > idleCost+sessions*128<<10 {
		t.Errorf("sessions that carried a 1 MiB message retain %d KiB, idle ones %d KiB", usedCost>>10, idleCost>>10)
	}
	runtime.KeepAlive(idle)
	runtime.KeepAlive(used)
	runtime.KeepAlive(big)
}
