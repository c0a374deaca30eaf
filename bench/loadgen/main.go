// Command loadgen drives the benchmark server over the SockJS protocol
// (websocket, xhr_streaming + xhr_send, xhr polling + xhr_send) or, for the
// plainws and plainhttp floors, over their plain equivalents, and prints
// one JSON line per scenario run.
//
// Scenarios:
//
//	echo       every session sends a message and waits for its echo, in a
//	           closed loop: messages/s and round-trip latency
//	broadcast  one session sends a timestamped message to /broadcast and
//	           waits until every session received it: deliveries/s and
//	           delivery latency
//	idle       open sessions and leave them idle: the server's RSS and
//	           goroutines per session, after a forced GC, minus a baseline
//	openclose  workers open a session and close it again, in a loop:
//	           sessions/s and the open+close latency; then, once the
//	           server reports no live session and -settle has passed, the
//	           heap the ended sessions left behind, per session
//	flood      xhr only: workers open -sessions polling sessions, one
//	           request each, and never poll again: sessions opened/s
//	           while they accumulate, then the server's RSS and
//	           goroutines per live session as in idle
//
// Every loop is bounded in count and time, and the whole run ends after
// -timeout whatever happens. Only loopback addresses are accepted.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// config is the command line.
type config struct {
	base        string
	impl        string
	scenario    string
	transport   string
	sessions    int
	duration    time.Duration
	warmup      time.Duration
	settle      time.Duration
	hold        time.Duration
	size        int
	concurrency int
	serverPID   int
	run         int
	sources     int
	timeout     time.Duration
	procs       int
}

// result is one JSON line of output. Durations are in microseconds, sizes
// in bytes.
type result struct {
	Scenario  string `json:"scenario"`
	Transport string `json:"transport"`
	Impl      string `json:"impl"`
	Sessions  int    `json:"sessions"`
	Run       int    `json:"run"`
	// GOMAXPROCS of the server, as run.sh started it: 1 pinned to one
	// CPU, more unpinned. Lines without it are from pinned runs.
	ServerProcs int     `json:"server_procs"`
	Time        string  `json:"time"`
	DurationS   float64 `json:"duration_s,omitempty"`
	Opened      int     `json:"opened"`
	OpenSeconds float64 `json:"open_s,omitempty"`
	Errors      int64   `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`

	Msgs     int64   `json:"msgs,omitempty"`
	MsgsPerS float64 `json:"msgs_per_s,omitempty"`
	P50US    float64 `json:"p50_us,omitempty"`
	P99US    float64 `json:"p99_us,omitempty"`

	Deliveries      int64   `json:"deliveries,omitempty"`
	DeliveriesPerS  float64 `json:"deliveries_per_s,omitempty"`
	Waves           int64   `json:"waves,omitempty"`
	WavesIncomplete int64   `json:"waves_incomplete,omitempty"`

	RSSBase              int64   `json:"rss_base,omitempty"`
	RSSAfter             int64   `json:"rss_after,omitempty"`
	GoroutinesBase       int     `json:"goroutines_base,omitempty"`
	GoroutinesAfter      int     `json:"goroutines_after,omitempty"`
	ServerSessions       int64   `json:"server_sessions,omitempty"`
	RSSPerSession        float64 `json:"rss_per_session,omitempty"`
	HeapPerSession       float64 `json:"heap_per_session,omitempty"`
	StackPerSession      float64 `json:"stack_per_session,omitempty"`
	GoroutinesPerSession float64 `json:"goroutines_per_session,omitempty"`

	OpensPerS float64 `json:"opens_per_s,omitempty"`
	// openclose: the server's heap after every session of the run ended,
	// minus the heap before it, per session opened (a forced GC on each
	// side): what ended sessions leave behind.
	KeptHeapPerSession float64 `json:"kept_heap_per_session,omitempty"`

	// Polls answered with 2010 right after the previous poll, and repeated.
	Retries2010 int64 `json:"retries_2010,omitempty"`

	ServerCPU        float64 `json:"server_cpu,omitempty"`
	ServerCPUPerOpUS float64 `json:"server_cpu_us_per_op,omitempty"`
	// heap allocations of the server per operation, and its GC cycles
	ServerAllocsPerOp     float64 `json:"server_allocs_per_op,omitempty"`
	ServerAllocBytesPerOp float64 `json:"server_alloc_bytes_per_op,omitempty"`
	ServerGCs             int64   `json:"server_gcs,omitempty"`
	// read and write system calls of the server per operation
	ServerSyscallsPerOp float64 `json:"server_syscalls_per_op,omitempty"`
	LoadgenCPU          float64 `json:"loadgen_cpu,omitempty"`
	// CPU used by other processes on the machine during the run (a noisy
	// neighbour makes the run worthless), and stolen by the hypervisor.
	OtherCPU float64 `json:"other_cpu"`
	StealCPU float64 `json:"steal_cpu"`
}

func main() {
	var cfg config
	flag.StringVar(&cfg.base, "url", "http://127.0.0.1:8081", "server base URL (loopback only)")
	flag.StringVar(&cfg.impl, "impl", "gosockjs", "server implementation: gosockjs, sockjsgo, plainws or plainhttp")
	flag.StringVar(&cfg.scenario, "scenario", "echo", "echo, broadcast, idle, openclose or flood")
	flag.StringVar(&cfg.transport, "transport", "websocket", "websocket, xhr_streaming or xhr")
	flag.IntVar(&cfg.sessions, "sessions", 100, "concurrent sessions")
	flag.DurationVar(&cfg.duration, "duration", 5*time.Second, "measured time")
	flag.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured time before it")
	flag.DurationVar(&cfg.settle, "settle", 2*time.Second, "idle, flood: wait after opening before measuring")
	flag.DurationVar(&cfg.hold, "hold", 0, "idle: keep the sessions open this long after measuring (for profiles)")
	flag.IntVar(&cfg.size, "size", 64, "message size in bytes")
	flag.IntVar(&cfg.concurrency, "concurrency", 64, "sessions opened at once; openclose: workers; flood: workers, one keep-alive connection each")
	flag.IntVar(&cfg.serverPID, "server-pid", 0, "server process, for CPU and RSS readings")
	flag.IntVar(&cfg.run, "run", 1, "run number, copied to the output")
	flag.IntVar(&cfg.sources, "sources", 0, "spread connections over this many source addresses 127.0.0.2... (0: kernel's choice)")
	flag.DurationVar(&cfg.timeout, "timeout", 3*time.Minute, "hard limit of the whole run")
	flag.IntVar(&cfg.procs, "procs", 1, "the server's GOMAXPROCS, copied to the output as server_procs (run.sh: 1 pinned, more unpinned)")
	flag.Parse()
	log.SetPrefix("loadgen: ")
	log.SetFlags(0)
	if cfg.sessions < 1 || cfg.sessions > 20000 || cfg.size < 16 || cfg.size > 1<<16 || cfg.concurrency < 1 || cfg.sources < 0 || cfg.sources > 250 || cfg.procs < 1 || cfg.procs > 1024 {
		log.Fatal("-sessions must be 1..20000, -size 16..65536, -concurrency >= 1, -sources 0..250, -procs 1..1024")
	}
	// The load generator's own garbage collection competes with its
	// clients for its single CPU.
	debug.SetGCPercent(400)
	failsafe := time.AfterFunc(cfg.timeout+30*time.Second, func() {
		fmt.Fprintln(os.Stderr, "loadgen: hard timeout, exiting")
		os.Exit(3)
	})
	defer failsafe.Stop()

	service := "echo"
	if cfg.scenario == "broadcast" {
		service = "broadcast"
	}
	t, err := newTarget(cfg.base, cfg.impl, cfg.transport, service, cfg.sources)
	if err != nil {
		log.Fatal(err)
	}
	if err := waitReady(cfg.base, 10*time.Second); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()

	r := result{
		Scenario:    cfg.scenario,
		Transport:   cfg.transport,
		Impl:        cfg.impl,
		Sessions:    cfg.sessions,
		Run:         cfg.run,
		ServerProcs: cfg.procs,
		Time:        time.Now().UTC().Format(time.RFC3339),
	}
	switch cfg.scenario {
	case "echo":
		err = runEcho(ctx, t, &cfg, &r)
	case "broadcast":
		err = runBroadcast(ctx, t, &cfg, &r)
	case "idle":
		err = runIdle(ctx, t, &cfg, &r)
	case "openclose":
		r.Sessions = cfg.concurrency
		err = runOpenClose(ctx, t, &cfg, &r)
	case "flood":
		err = runFlood(ctx, t, &cfg, &r)
	default:
		log.Fatalf("unknown -scenario %q", cfg.scenario)
	}
	if err != nil {
		log.Fatalf("%s %s %s: %v", cfg.scenario, cfg.transport, cfg.impl, err)
	}
	r.Retries2010 = anotherConnectionRetries.Load()
	line, _ := json.Marshal(r)
	fmt.Println(string(line))
}

// errorLog counts errors and keeps the first.
type errorLog struct {
	n     atomic.Int64
	once  sync.Once
	first string
}

func (e *errorLog) add(err error) {
	if e.n.Add(1) == 1 {
		e.once.Do(func() { e.first = err.Error() })
	}
}

func (e *errorLog) fill(r *result) {
	r.Errors = e.n.Load()
	if r.Errors > 0 {
		e.once.Do(func() {})
		r.FirstError = e.first
	}
}

// openAll opens n sessions, concurrency at a time. Sessions that fail to
// open are counted in errs and left out.
func openAll(ctx context.Context, t *target, n, concurrency int, errs *errorLog) []conn {
	conns := make([]conn, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	tag := fmt.Sprintf("%dx", os.Getpid())
	for range min(concurrency, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				c, err := t.open(ctx, fmt.Sprint(tag, i))
				if err != nil {
					errs.add(fmt.Errorf("open: %w", err))
					continue
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	opened := conns[:0]
	for _, c := range conns {
		if c != nil {
			opened = append(opened, c)
		}
	}
	return opened
}

func closeAll(conns []conn) {
	for _, c := range conns {
		c.close()
	}
}

// message returns a message of the configured size that starts with
// prefix, padded with letters; it needs no JSON escaping.
func message(prefix string, size int) string {
	if len(prefix) >= size {
		return prefix
	}
	b := make([]byte, size)
	copy(b, prefix)
	for i := len(prefix); i < size; i++ {
		b[i] = 'a' + byte(i%26)
	}
	return string(b)
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func micros(d time.Duration) float64 { return round(float64(d)/1e3, 1) }

// waitSessions waits, at most for limit, until the server reports at least
// n sessions: an application handler may start just after the client saw
// its open frame.
func waitSessions(base string, n int, limit time.Duration) int64 {
	return waitSessionsUntil(base, func(live int64) bool { return live >= int64(n) }, limit)
}

// waitSessionsUntil waits, at most for limit, until the live sessions the
// server reports satisfy done, and returns the last count.
func waitSessionsUntil(base string, done func(live int64) bool, limit time.Duration) int64 {
	deadline := time.Now().Add(limit)
	for {
		st, err := fetchStats(base, false)
		if err == nil && done(st.Sessions) || time.Now().After(deadline) {
			return st.Sessions
		}
		time.Sleep(50 * time.Millisecond)
	}
}
