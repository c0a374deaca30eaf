// Command memattack measures how much memory a SockJS server lets clients
// that send large messages and never read make it hold.
//
// Each of -clients websocket sessions (<url>/000/<id>/websocket) reads the
// open frame, then writes SockJS frames ["xxx…"] carrying -size bytes back
// to back for -duration and never reads again. An echo service must send
// every message back; the answers pile up behind a client that does not
// read, and the server either holds them, stops reading from the client
// (its writes block: "held back") or closes the session. Meanwhile one
// well-behaved session sends ["ping-N"] every 200 ms and waits for its
// echo, to show whether the server keeps answering others.
//
// The server's RSS (VmRSS in /proc/<pid>/status) is sampled every 100 ms.
// The report gives RSS before, peak and at the end, the growth (peak -
// before), what became of every attacker (bytes written, held back, closed
// by the server and how), the probe's answers and round-trip times, and
// whether a fresh session opened after the attack gets an echo.
//
//	go build -o /tmp/ts ./examples/testserver    # in the library
//	/tmp/ts -addr 127.0.0.1:8081 & PID=$!
//	go run ./memattack -url http://127.0.0.1:8081/default_echo -pid $PID \
//	    -clients 20 -size 1000000 -duration 10s  # in bench
//
// -max-rss ends the attack early once the server's RSS passes it. Only
// loopback addresses are accepted; every loop is bounded in count and time.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

const (
	sampleEvery = 100 * time.Millisecond
	probeEvery  = 200 * time.Millisecond
	probeWait   = 5 * time.Second // a probe unanswered this long is lost
	blockedFor  = time.Second     // a write in progress this long at the end is held back
	mib         = 1 << 20
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8081/default_echo", "SockJS service base URL (loopback only)")
	clients := flag.Int("clients", 20, "attacking sessions")
	size := flag.Int("size", 1000000, "payload bytes per message")
	duration := flag.Duration("duration", 10*time.Second, "length of the attack")
	pid := flag.Int("pid", 0, "server process ID, for its RSS")
	maxRSS := flag.Int64("max-rss", 0, "end the attack early once the server's RSS passes this many MiB (0: never)")
	flag.Parse()
	log.SetPrefix("memattack: ")
	log.SetFlags(0)
	if *clients < 1 || *clients > 1000 || *size < 1 || *size > 64*mib || *duration <= 0 || *duration > 10*time.Minute || *pid <= 0 {
		log.Fatal("want -clients 1..1000, -size 1..64 MiB, -duration up to 10m and -pid")
	}
	wsBase, err := websocketBase(*base)
	if err != nil {
		log.Fatal(err)
	}
	failsafe := time.AfterFunc(*duration+time.Minute, func() {
		fmt.Fprintln(os.Stderr, "memattack: hard timeout, exiting")
		os.Exit(3)
	})
	defer failsafe.Stop()

	before, err := readRSS(*pid)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	start := time.Now()
	mon := &monitor{pid: *pid, limit: *maxRSS * mib, peak: before, last: before}
	monDone := make(chan struct{})
	go func() { defer close(monDone); mon.run(ctx, cancel) }()

	pr := &probe{}
	probeDone := make(chan struct{})
	go func() { defer close(probeDone); pr.run(ctx, wsBase) }()

	frame := []byte(`["` + strings.Repeat("x", *size) + `"]`)
	attackers := make([]*attacker, *clients)
	var wg sync.WaitGroup
	for i := range attackers {
		a := &attacker{id: i}
		attackers[i] = a
		wg.Add(1)
		go func() { defer wg.Done(); a.run(ctx, wsBase, frame) }()
	}
	wg.Wait()
	<-ctx.Done()
	end := time.Now()
	<-monDone
	<-probeDone
	aborted := mon.aborted.Load()

	// After the attackers are gone: does a new session get its echo, and
	// what does the server keep?
	time.Sleep(2 * time.Second)
	fresh, freshErr := freshEcho(wsBase)
	after, _ := readRSS(*pid)

	fmt.Printf("attack: %d clients x %d-byte messages for %v against %s (server pid %d)\n",
		*clients, *size, end.Sub(start).Round(time.Millisecond), *base, *pid)
	if aborted {
		fmt.Printf("ATTACK ENDED EARLY: server RSS passed -max-rss %d MiB\n", *maxRSS)
	}
	fmt.Printf("server RSS: before %s, peak %s, at end %s, 2 s after the attackers left %s\n",
		mibs(before), mibs(mon.peak), mibs(mon.last), mibs(after))
	fmt.Printf("RSS growth (peak - before): %s\n", mibs(mon.peak-before))

	var held, closed, failed int
	var total int64
	codes := map[string]int{}
	fmt.Println("\nclient  messages  bytes written  outcome")
	for _, a := range attackers {
		total += a.written.Load()
		outcome := a.outcome(end)
		switch {
		case a.dialErr != nil:
			failed++
		case a.closedBy != "":
			closed++
			codes[a.closedBy]++
		case strings.HasPrefix(outcome, "held back"):
			held++
		}
		fmt.Printf("%6d  %8d  %13d  %s\n", a.id, a.messages, a.written.Load(), outcome)
	}
	fmt.Printf("\nheld back (a write blocked >= %v at the end): %d of %d\n", blockedFor, held, *clients)
	fmt.Printf("closed by the server: %d", closed)
	for _, c := range slices.Sorted(maps.Keys(codes)) {
		fmt.Printf(", %d with %s", codes[c], c)
	}
	fmt.Printf("\nfailed to open: %d\n", failed)
	fmt.Printf("bytes written by all attackers: %d (%s)\n", total, mibs(total))

	fmt.Printf("\nprobe session: %d pings, %d answered", pr.sent, len(pr.rtts))
	if len(pr.rtts) > 0 {
		slices.Sort(pr.rtts)
		fmt.Printf(", round trip median %v, max %v", pr.rtts[len(pr.rtts)/2].Round(10*time.Microsecond), pr.rtts[len(pr.rtts)-1].Round(10*time.Microsecond))
	}
	if pr.err != nil {
		fmt.Printf(", ended: %v", pr.err)
	}
	fmt.Println()
	if freshErr != nil {
		fmt.Printf("fresh session after the attack: FAILED: %v\n", freshErr)
	} else {
		fmt.Printf("fresh session after the attack: echo in %v\n", fresh.Round(10*time.Microsecond))
	}
}

// websocketBase turns http://host:port/prefix into ws://host:port/prefix,
// refusing hosts that are not loopback.
func websocketBase(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" {
		return "", fmt.Errorf("-url %q: want http://host:port/prefix", base)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("-url %q: only loopback addresses are allowed", base)
	}
	u.Scheme = "ws"
	return strings.TrimSuffix(u.String(), "/"), nil
}

// countingConn counts the bytes the kernel took from a connection's writes.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// dial opens a new SockJS websocket session and reads its open frame. The
// bytes written to its TCP connection are added to written, if not nil.
func dial(ctx context.Context, wsBase string, written *atomic.Int64) (*websocket.Conn, error) {
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil || written == nil {
			return c, err
		}
		return countingConn{c, written}, nil
	}}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(dctx, wsBase+"/000/"+hex.EncodeToString(id)+"/websocket", &websocket.DialOptions{
		HTTPClient:      &http.Client{Transport: tr},
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, err
	}
	_, msg, err := c.Read(dctx)
	if err != nil || string(msg) != "o" {
		c.CloseNow()
		return nil, fmt.Errorf("open frame: %q, %v", msg, err)
	}
	return c, nil
}

// attacker is one session that writes and never reads.
type attacker struct {
	id         int
	written    atomic.Int64 // bytes into the TCP connection
	messages   int          // complete messages written
	writeStart time.Time    // start of the last write
	lastErr    error
	dialErr    error
	closedBy   string // how the server ended the session, if it did
}

func (a *attacker) run(ctx context.Context, wsBase string, frame []byte) {
	c, err := dial(ctx, wsBase, &a.written)
	if err != nil {
		a.dialErr = err
		return
	}
	defer c.CloseNow()
	const maxMessages = 1 << 20
	for a.messages < maxMessages {
		a.writeStart = time.Now()
		if err := c.Write(ctx, websocket.MessageText, frame); err != nil {
			a.lastErr = err
			break
		}
		a.messages++
	}
	if ctx.Err() == nil && a.lastErr != nil {
		a.closedBy = closeCause(c, a.lastErr)
	}
}

// closeCause names how the server ended a session whose write failed: the
// websocket or SockJS close code if they can still be read behind the
// answers it queued (reading for at most 2 s), else the write's error.
func closeCause(c *websocket.Conn, werr error) string {
	if code := websocket.CloseStatus(werr); code >= 0 {
		return fmt.Sprintf("websocket close %d", code)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c.SetReadLimit(-1)
	for range 100000 {
		_, msg, err := c.Read(ctx)
		if err != nil {
			if code := websocket.CloseStatus(err); code >= 0 {
				return fmt.Sprintf("websocket close %d", code)
			}
			break
		}
		if len(msg) > 0 && msg[0] == 'c' {
			return "sockjs close " + string(msg[1:])
		}
	}
	return "error " + shortError(werr)
}

func (a *attacker) outcome(end time.Time) string {
	switch {
	case a.dialErr != nil:
		return "failed to open: " + a.dialErr.Error()
	case a.closedBy != "":
		return "closed by the server: " + a.closedBy
	case a.lastErr != nil && end.Sub(a.writeStart) >= blockedFor:
		return "held back: last write blocked for " + end.Sub(a.writeStart).Round(10*time.Millisecond).String()
	default:
		return "writing until the end"
	}
}

// monitor samples the server's RSS.
type monitor struct {
	pid        int
	limit      int64
	peak, last int64
	aborted    atomic.Bool
}

func (m *monitor) run(ctx context.Context, abort func()) {
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		rss, err := readRSS(m.pid)
		if err == nil {
			m.last = rss
			m.peak = max(m.peak, rss)
			if m.limit > 0 && rss > m.limit && !m.aborted.Load() {
				m.aborted.Store(true)
				abort()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// probe is the well-behaved session: one ping every 200 ms, waiting for
// its echo.
type probe struct {
	sent int
	rtts []time.Duration
	err  error
}

func (p *probe) run(ctx context.Context, wsBase string) {
	c, err := dial(ctx, wsBase, nil)
	if err != nil {
		p.err = err
		return
	}
	defer c.CloseNow()
	// One reader for the whole run: a Read given up on would close the
	// connection.
	answers := make(chan string, 16)
	go func() {
		defer close(answers)
		for range 1000000 {
			_, msg, err := c.Read(ctx)
			if err != nil {
				return
			}
			if len(msg) > 0 && msg[0] != 'h' {
				select {
				case answers <- string(msg):
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for n := 0; n < 100000; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		want := `a["ping-` + strconv.Itoa(n) + `"]`
		sent := time.Now()
		if err := c.Write(ctx, websocket.MessageText, []byte(`["ping-`+strconv.Itoa(n)+`"]`)); err != nil {
			if ctx.Err() == nil {
				p.err = err
			}
			return
		}
		p.sent++
		timeout := time.NewTimer(probeWait)
	wait:
		for {
			select {
			case msg, ok := <-answers:
				if !ok {
					timeout.Stop()
					if ctx.Err() == nil {
						p.err = errors.New("session closed")
					}
					return
				}
				if msg == want {
					p.rtts = append(p.rtts, time.Since(sent))
					break wait
				}
			case <-timeout.C:
				break wait
			case <-ctx.Done():
				timeout.Stop()
				return
			}
		}
		timeout.Stop()
	}
}

// freshEcho opens a new session after the attack and times one echo.
func freshEcho(wsBase string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := dial(ctx, wsBase, nil)
	if err != nil {
		return 0, err
	}
	defer c.CloseNow()
	sent := time.Now()
	if err := c.Write(ctx, websocket.MessageText, []byte(`["hello"]`)); err != nil {
		return 0, err
	}
	for range 100 {
		_, msg, err := c.Read(ctx)
		if err != nil {
			return 0, err
		}
		if string(msg) == `a["hello"]` {
			return time.Since(sent), nil
		}
	}
	return 0, errors.New("no echo")
}

// readRSS returns VmRSS of a process in bytes.
func readRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
}

func mibs(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/mib) }

func shortError(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && len(s) > 80 {
		s = s[i+2:]
	}
	return s
}
