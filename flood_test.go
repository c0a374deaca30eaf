package sockjs_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosockjs/sockjs"
)

// clientFrom returns an HTTP client whose connections come from the
// loopback address local, so that the server sees another client address.
func clientFrom(t *testing.T, local string, conns int) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// openXHR opens a polling session and returns the status and body.
func openXHR(t *testing.T, c *http.Client, url string) (int, string) {
	resp, err := c.Post(url, "text/plain", nil)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// One client opening sessions as fast as 8 keep-alive connections allow,
// for 3 s, is held to its creation rate and cap by default (429), while a
// client from another address is served throughout.
func TestSessionFloodFromOneClient(t *testing.T) {
	counters := new(sockjs.Counters)
	h, base := serve(t, sockjs.Options{Metrics: counters}, echo)
	flooder := clientFrom(t, "127.0.0.1", 8)
	other := clientFrom(t, "127.0.0.2", 1)
	if code, _ := openXHR(t, other, base+"/000/probe/xhr"); code != 200 {
		t.Skipf("cannot use 127.0.0.2 as a second client address (status %d)", code)
	}

	const flood = 3 * time.Second
	var created, refused, unexpected atomic.Int64
	var next atomic.Int64
	start := time.Now()
	stop := start.Add(flood)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				code, body := openXHR(t, flooder, fmt.Sprintf("%s/000/f%d/xhr", base, next.Add(1)))
				switch {
				case code == 200:
					created.Add(1)
				case code == http.StatusTooManyRequests && (body == "Sessions opened too fast; try again later." || body == "Too many sessions from this client."):
					refused.Add(1)
				default:
					unexpected.Add(1)
					t.Errorf("flood request: %d %q", code, body)
					return
				}
			}
		}()
	}
	served := 0
	for i := 0; time.Now().Before(stop); i++ {
		if code, body := openXHR(t, other, fmt.Sprintf("%s/000/o%d/xhr", base, i)); code != 200 {
			t.Errorf("the other client during the flood: %d %q", code, body)
		}
		served++
		time.Sleep(100 * time.Millisecond) // pacing a well-behaved client, not an assertion
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	t.Logf("flood: %d sessions created, %d refused in %.1f s; other client opened %d sessions, all served; %d sessions open",
		created.Load(), refused.Load(), elapsed, served, h.Len())
	limit := float64(sockjs.DefaultSessionBurst) + sockjs.DefaultSessionRate*elapsed + 1
	if n := created.Load(); float64(n) > limit || n > sockjs.DefaultMaxSessionsPerClient {
		t.Errorf("one client created %d sessions in %.1f s; the default rate allows %.0f and the cap %d", n, elapsed, limit, sockjs.DefaultMaxSessionsPerClient)
	}
	if refused.Load() == 0 {
		t.Error("the flood was never refused")
	}
	snap := counters.Snapshot().RejectedRequests
	if got := snap[sockjs.RejectClientRate] + snap[sockjs.RejectClientLimit]; got != refused.Load() {
		t.Errorf("per-client rejections counted: %d, want %d", got, refused.Load())
	}
}

// The per-client cap: without a rate limit, a client gets its cap of
// sessions and a clear 429 after that; another client is unaffected.
func TestMaxSessionsPerClient(t *testing.T) {
	_, base := serve(t, sockjs.Options{MaxSessionsPerClient: 20, SessionRate: -1}, echo)
	one := clientFrom(t, "127.0.0.1", 4)
	two := clientFrom(t, "127.0.0.2", 1)
	if code, _ := openXHR(t, two, base+"/000/probe/xhr"); code != 200 {
		t.Skipf("cannot use 127.0.0.2 as a second client address (status %d)", code)
	}
	for i := 0; i < 25; i++ {
		code, body := openXHR(t, one, fmt.Sprintf("%s/000/c%d/xhr", base, i))
		if i < 20 && code != 200 || i >= 20 && (code != 429 || !strings.Contains(body, "Too many sessions from this client")) {
			t.Fatalf("session %d of one client: %d %q", i, code, body)
		}
	}
	// Using an existing session is not opening one.
	resp, err := one.Post(base+"/000/c0/xhr_send", "text/plain", strings.NewReader(`["x"]`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 {
		t.Fatalf("send to an existing session at the cap: %d", resp.StatusCode)
	}
	if code, body := openXHR(t, two, base+"/000/t/xhr"); code != 200 {
		t.Fatalf("another client: %d %q", code, body)
	}
}
