package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxRoundTrips bounds the loop of one echo session or openclose worker.
const maxRoundTrips = 50_000_000

// window is the measured interval of a run.
type window struct{ start, end time.Time }

func (w window) contains(t time.Time) bool { return !t.Before(w.start) && t.Before(w.end) }

// measure starts the CPU meter at the window's start and stops it at its
// end; the returned channel is closed then.
func measure(w window, m *cpuMeter) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(time.Until(w.start))
		m.begin()
		time.Sleep(time.Until(w.end))
		m.end()
	}()
	return done
}

func runEcho(ctx context.Context, t *target, cfg *config, r *result) error {
	var errs errorLog
	t0 := time.Now()
	conns := openAll(ctx, t, cfg.sessions, cfg.concurrency, &errs)
	r.OpenSeconds = round(time.Since(t0).Seconds(), 3)
	r.Opened = len(conns)
	if len(conns) == 0 {
		errs.fill(r)
		return fmt.Errorf("no session opened: %s", r.FirstError)
	}
	waitSessions(t.base, len(conns), 10*time.Second)

	start := time.Now().Add(cfg.warmup)
	w := window{start, start.Add(cfg.duration)}
	meter := cpuMeter{pid: cfg.serverPID, base: t.base}
	measured := measure(w, &meter)
	// A session stuck on a lost message is unblocked by closing it.
	watchdog := time.AfterFunc(time.Until(w.end)+5*time.Second, func() { closeAll(conns) })
	var hist histogram
	var count atomic.Int64
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prefix := "m" + strconv.Itoa(i) + "s"
			for seq := 0; seq < maxRoundTrips; seq++ {
				sent := time.Now()
				if !sent.Before(w.end) || ctx.Err() != nil {
					return
				}
				msg := message(prefix+strconv.Itoa(seq)+"p", cfg.size)
				if err := c.send(msg); err != nil {
					errs.add(fmt.Errorf("send: %w", err))
					return
				}
				got, err := c.recv()
				if err != nil {
					errs.add(fmt.Errorf("recv: %w", err))
					return
				}
				if got != msg {
					errs.add(fmt.Errorf("echo %.30q, want %.30q", got, msg))
					return
				}
				if now := time.Now(); w.contains(now) {
					hist.record(now.Sub(sent))
					count.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	watchdog.Stop()
	<-measured
	closeAll(conns)

	r.DurationS = cfg.duration.Seconds()
	r.Msgs = count.Load()
	r.MsgsPerS = round(float64(r.Msgs)/cfg.duration.Seconds(), 1)
	r.P50US = micros(hist.quantile(0.50))
	r.P99US = micros(hist.quantile(0.99))
	meter.fill(r, r.Msgs, cfg.duration)
	errs.fill(r)
	return nil
}

// maxWaves bounds the broadcast messages of one run.
const maxWaves = 1 << 16

func runBroadcast(ctx context.Context, t *target, cfg *config, r *result) error {
	var errs errorLog
	t0 := time.Now()
	conns := openAll(ctx, t, cfg.sessions, cfg.concurrency, &errs)
	r.OpenSeconds = round(time.Since(t0).Seconds(), 3)
	r.Opened = len(conns)
	if len(conns) == 0 {
		errs.fill(r)
		return fmt.Errorf("no session opened: %s", r.FirstError)
	}
	n := int32(len(conns))
	if got := waitSessions(t.base, len(conns), 20*time.Second); got < int64(n) {
		errs.add(fmt.Errorf("server reports %d members, want %d", got, n))
	}

	epoch := time.Now()
	start := epoch.Add(cfg.warmup)
	w := window{start, start.Add(cfg.duration)}
	meter := cpuMeter{pid: cfg.serverPID, base: t.base}
	measured := measure(w, &meter)
	var hist histogram
	var deliveries atomic.Int64
	arrived := make([]atomic.Int32, maxWaves)
	complete := make(chan int, 64)
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range maxWaves {
				msg, err := c.recv()
				if err != nil {
					if ctx.Err() == nil && time.Now().Before(w.end) {
						errs.add(fmt.Errorf("recv: %w", err))
					}
					return
				}
				now := time.Now()
				seq, sent, ok := parseWave(msg)
				if !ok {
					errs.add(fmt.Errorf("unexpected message %.30q", msg))
					return
				}
				if w.contains(now) {
					hist.record(now.Sub(epoch) - sent)
					deliveries.Add(1)
				}
				if arrived[seq].Add(1) == n {
					select {
					case complete <- seq:
					default:
					}
				}
			}
		}()
	}

	// The sender: one wave at a time, until the window ends.
	sender := conns[0]
	var waves, incomplete int64
	for seq := 0; seq < maxWaves && time.Now().Before(w.end) && ctx.Err() == nil; seq++ {
		msg := message("b"+strconv.Itoa(seq)+"t"+strconv.FormatInt(int64(time.Since(epoch)), 10)+"p", cfg.size)
		if err := sender.send(msg); err != nil {
			errs.add(fmt.Errorf("send: %w", err))
			break
		}
		waves++
		if !waitWave(complete, seq, 10*time.Second) {
			incomplete++
		}
	}
	<-measured
	closeAll(conns)
	wg.Wait()

	r.DurationS = cfg.duration.Seconds()
	r.Deliveries = deliveries.Load()
	r.DeliveriesPerS = round(float64(r.Deliveries)/cfg.duration.Seconds(), 1)
	r.P50US = micros(hist.quantile(0.50))
	r.P99US = micros(hist.quantile(0.99))
	r.Waves, r.WavesIncomplete = waves, incomplete
	meter.fill(r, r.Deliveries, cfg.duration)
	errs.fill(r)
	return nil
}

// waitWave waits until every session received wave seq.
func waitWave(complete <-chan int, seq int, limit time.Duration) bool {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		select {
		case got := <-complete:
			if got == seq {
				return true
			}
		case <-timer.C:
			return false
		}
	}
}

// parseWave reads "b<seq>t<nanoseconds since epoch>p...".
func parseWave(msg string) (seq int, sent time.Duration, ok bool) {
	rest, ok := strings.CutPrefix(msg, "b")
	if !ok {
		return 0, 0, false
	}
	s, rest, ok1 := strings.Cut(rest, "t")
	ns, _, ok2 := strings.Cut(rest, "p")
	seq, err1 := strconv.Atoi(s)
	v, err2 := strconv.ParseInt(ns, 10, 64)
	if !ok1 || !ok2 || err1 != nil || err2 != nil || seq < 0 || seq >= maxWaves {
		return 0, 0, false
	}
	return seq, time.Duration(v), true
}

func runIdle(ctx context.Context, t *target, cfg *config, r *result) error {
	if cfg.serverPID <= 0 {
		return errors.New("idle needs -server-pid")
	}
	var errs errorLog
	base, err := readMemory(t, cfg.serverPID)
	if err != nil {
		return err
	}
	t0 := time.Now()
	conns := openAll(ctx, t, cfg.sessions, cfg.concurrency, &errs)
	r.OpenSeconds = round(time.Since(t0).Seconds(), 3)
	r.Opened = len(conns)
	defer closeAll(conns)
	if len(conns) == 0 {
		errs.fill(r)
		return fmt.Errorf("no session opened: %s", r.FirstError)
	}
	if _, err := base.perSession(t, cfg, int64(len(conns)), r); err != nil {
		return err
	}
	if cfg.hold > 0 {
		fmt.Fprintf(os.Stderr, "loadgen: %d idle sessions open, holding for %v\n", len(conns), cfg.hold)
		select {
		case <-time.After(cfg.hold):
		case <-ctx.Done():
		}
	}
	errs.fill(r)
	return nil
}

func runOpenClose(ctx context.Context, t *target, cfg *config, r *result) error {
	var errs errorLog
	before, err := fetchStats(t.base, true)
	if err != nil {
		return err
	}
	var opened atomic.Int64 // every session of the run, warm-up included
	start := time.Now().Add(cfg.warmup)
	w := window{start, start.Add(cfg.duration)}
	meter := cpuMeter{pid: cfg.serverPID, base: t.base}
	measured := measure(w, &meter)
	var hist histogram
	var count atomic.Int64
	var wg sync.WaitGroup
	tag := fmt.Sprintf("%dx", os.Getpid())
	for worker := range cfg.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; seq < maxRoundTrips; seq++ {
				began := time.Now()
				if !began.Before(w.end) || ctx.Err() != nil {
					return
				}
				c, err := t.open(ctx, tag+strconv.Itoa(worker)+"_"+strconv.Itoa(seq))
				if err != nil {
					errs.add(fmt.Errorf("open: %w", err))
					time.Sleep(10 * time.Millisecond)
					continue
				}
				opened.Add(1)
				c.shutdown()
				if now := time.Now(); w.contains(now) {
					hist.record(now.Sub(began))
					count.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	<-measured
	r.Opened = int(count.Load())
	r.DurationS = cfg.duration.Seconds()
	r.OpensPerS = round(float64(count.Load())/cfg.duration.Seconds(), 1)
	r.P50US = micros(hist.quantile(0.50))
	r.P99US = micros(hist.quantile(0.99))
	meter.fill(r, count.Load(), cfg.duration)
	if n := opened.Load(); n > 0 {
		after, err := keptHeap(t, cfg.settle)
		if err != nil {
			return err
		}
		r.KeptHeapPerSession = round(float64(after.HeapInuse-before.HeapInuse)/float64(n), 0)
	}
	errs.fill(r)
	return nil
}

// keptHeap waits until the server reports no live session (at most 10 s)
// and then for settle, and reads its heap after a forced GC: what the
// sessions that ended left behind.
func keptHeap(t *target, settle time.Duration) (serverStats, error) {
	waitSessionsUntil(t.base, func(live int64) bool { return live == 0 }, 10*time.Second)
	time.Sleep(settle)
	return fetchStats(t.base, true)
}

// runFlood opens cfg.sessions xhr polling sessions as fast as
// cfg.concurrency workers can, each worker on one keep-alive connection:
// every session is one request (POST .../xhr, or plainhttp's .../poll)
// answered with the open frame at once, and never polls again. It reports
// the sessions opened per second during the flood, with the server's CPU
// per session, then closes the workers' connections, waits cfg.settle and
// reads the server's memory and goroutines per live session as runIdle
// does: after a forced GC, minus a baseline taken before the flood. The
// sessions must still be alive then (the bench servers' disconnect delay
// is 30 s); server_sessions is the count the server reports, and fewer
// than opened is an error.
func runFlood(ctx context.Context, t *target, cfg *config, r *result) error {
	if cfg.serverPID <= 0 {
		return errors.New("flood needs -server-pid")
	}
	if t.transport != "xhr" {
		return fmt.Errorf("flood: -transport %s; only xhr", t.transport)
	}
	var errs errorLog
	base, err := readMemory(t, cfg.serverPID)
	if err != nil {
		return err
	}

	dial := func() (net.Conn, error) { return t.dialer.dialContext(context.Background()) }
	workers := make([]*httpConn, min(cfg.concurrency, cfg.sessions))
	for i := range workers {
		workers[i] = newHTTPConn(t.host, dial)
	}
	// A server that stops answering holds a worker in its request: the
	// run's deadline closes the connections.
	stop := context.AfterFunc(ctx, func() {
		for _, hc := range workers {
			hc.abort()
		}
	})
	defer stop()
	path := func(id string) string {
		if t.plain {
			return "/" + t.service + "/" + id + "/poll"
		}
		return "/" + t.service + "/000/" + id + "/xhr"
	}
	tag := fmt.Sprintf("%dx", os.Getpid())
	var next, opened atomic.Int64
	var hist histogram
	meter := cpuMeter{pid: cfg.serverPID, base: t.base}
	meter.begin()
	t0 := time.Now()
	var wg sync.WaitGroup
	for _, hc := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var body []byte
			for {
				i := int(next.Add(1)) - 1
				if i >= cfg.sessions || ctx.Err() != nil {
					return
				}
				began := time.Now()
				p := path(tag + strconv.Itoa(i))
				resp, err := hc.request(p, nil)
				if err == nil {
					body, err = resp.readAll(body)
				}
				if err == nil && (resp.status != 200 || string(body) != "o\n") {
					err = fmt.Errorf("%s: %v %.60q, want the open frame", p, resp, body)
				}
				if err != nil {
					errs.add(fmt.Errorf("open: %w", err))
					time.Sleep(10 * time.Millisecond)
					continue
				}
				hist.record(time.Since(began))
				opened.Add(1)
			}
		}()
	}
	wg.Wait()
	flood := time.Since(t0)
	meter.end()
	for _, hc := range workers {
		hc.abort()
	}
	n := opened.Load()
	r.Opened = int(n)
	r.OpenSeconds = round(flood.Seconds(), 3)
	r.DurationS = round(flood.Seconds(), 3)
	r.OpensPerS = round(float64(n)/flood.Seconds(), 1)
	r.P50US = micros(hist.quantile(0.50))
	r.P99US = micros(hist.quantile(0.99))
	meter.fill(r, n, 0)
	if n == 0 {
		errs.fill(r)
		return fmt.Errorf("no session opened: %s", r.FirstError)
	}

	live, err := base.perSession(t, cfg, n, r)
	if err != nil {
		return err
	}
	if live < n {
		errs.add(fmt.Errorf("the server reports %d live sessions at the measurement, want %d", live, n))
	}
	errs.fill(r)
	return nil
}

// serverMemory is what the server uses: a scenario reads it before it
// opens its sessions and again once they are all open.
type serverMemory struct {
	stats serverStats
	rss   int64
}

// readMemory reads the server's memory after a garbage collection.
func readMemory(t *target, pid int) (serverMemory, error) {
	stats, err := fetchStats(t.base, true)
	if err != nil {
		return serverMemory{}, err
	}
	rss, err := rssBytes(pid)
	return serverMemory{stats, rss}, err
}

// perSession waits (up to 20 s) until the server reports n live sessions,
// lets it settle for cfg.settle, and fills r with what RSS, heap, stacks
// and goroutines grew since base, per session. It returns the live
// sessions the server reported at the measurement.
func (base serverMemory) perSession(t *target, cfg *config, n int64, r *result) (int64, error) {
	waitSessions(t.base, int(n), 20*time.Second)
	time.Sleep(cfg.settle)
	after, err := readMemory(t, cfg.serverPID)
	if err != nil {
		return 0, err
	}
	f := float64(n)
	r.RSSBase, r.RSSAfter = base.rss, after.rss
	r.GoroutinesBase, r.GoroutinesAfter = base.stats.Goroutines, after.stats.Goroutines
	r.ServerSessions = after.stats.Sessions
	r.RSSPerSession = round(float64(after.rss-base.rss)/f, 0)
	r.HeapPerSession = round(float64(after.stats.HeapInuse-base.stats.HeapInuse)/f, 0)
	r.StackPerSession = round(float64(after.stats.StackInuse-base.stats.StackInuse)/f, 0)
	r.GoroutinesPerSession = round(float64(after.stats.Goroutines-base.stats.Goroutines)/f, 3)
	return after.stats.Sessions, nil
}
