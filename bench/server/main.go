// Command server serves the benchmark's services with one of several
// implementations, so that the load generator can compare them:
//
//	gosockjs   this library (default)
//	sockjsgo   github.com/igm/sockjs-go/v3
//	plainws    plain coder/websocket, no SockJS framing: the websocket floor
//	plainhttp  plain net/http streaming and long polling: the HTTP floor
//
// Every implementation serves /echo (echo every message to its sender) and,
// except plainhttp, /broadcast (send every message to every session of
// /broadcast). GET /stats reports the runtime's counters as JSON
// ({"goroutines","heap_inuse","stack_inuse","sessions"} and the allocation
// counters "mallocs", "total_alloc", "num_gc"); with
// ?gc=1 it first runs a garbage collection and returns freed memory to the
// operating system, so that memory readings compare live data.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"
)

// counters are the figures /stats reports besides the runtime's.
type counters struct {
	sessions atomic.Int64 // sessions whose application handler is running
}

// stats is the body of GET /stats.
type stats struct {
	Goroutines int    `json:"goroutines"`
	HeapInuse  uint64 `json:"heap_inuse"`
	StackInuse uint64 `json:"stack_inuse"`
	Sessions   int64  `json:"sessions"`
	Mallocs    uint64 `json:"mallocs"`     // heap objects allocated so far
	TotalAlloc uint64 `json:"total_alloc"` // heap bytes allocated so far
	NumGC      uint32 `json:"num_gc"`
}

func (c *counters) serveStats(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("gc") == "1" {
		runtime.GC()
		debug.FreeOSMemory()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(stats{
		Goroutines: runtime.NumGoroutine(),
		HeapInuse:  ms.HeapInuse,
		StackInuse: ms.StackInuse,
		Sessions:   c.sessions.Load(),
		Mallocs:    ms.Mallocs,
		TotalAlloc: ms.TotalAlloc,
		NumGC:      ms.NumGC,
	})
}

// benchDisconnectDelay is how long the SockJS implementations keep an HTTP
// session without a receiving request (the protocol's default: 5 s). The
// flood scenario opens 20,000 polling sessions that never poll again and
// measures them after a settling time; the sessions opened first must
// still be alive then, on a busy machine too. Every other scenario keeps
// its sessions polling or streaming, or uses websockets, so the delay
// changes nothing for them. The plainhttp floor keeps its queues for the
// life of the process.
const benchDisconnectDelay = 30 * time.Second

// implementations maps -impl values to the function that mounts them.
var implementations = map[string]func(*http.ServeMux, *counters){
	"gosockjs":  mountGoSockJS,
	"sockjsgo":  mountSockJSGo,
	"plainws":   mountPlainWS,
	"plainhttp": mountPlainHTTP,
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address (loopback only; port 0 picks a free port)")
	impl := flag.String("impl", "gosockjs", "implementation: gosockjs, sockjsgo, plainws or plainhttp")
	addrFile := flag.String("addrfile", "", "write the address actually listened on to this file")
	withPprof := flag.Bool("pprof", false, "serve net/http/pprof under /debug/pprof/")
	flag.Parse()
	log.SetPrefix("server: ")
	log.SetFlags(0)

	mount, ok := implementations[*impl]
	if !ok {
		log.Fatalf("unknown -impl %q", *impl)
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatalf("-addr: %v", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		log.Fatalf("-addr %s: only loopback addresses are allowed", *addr)
	}

	var c counters
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", c.serveStats)
	if *withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	mount(mux, &c)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if *addrFile != "" {
		if err := os.WriteFile(*addrFile, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 30 * time.Second}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		<-sig
		os.Exit(0)
	}()
	fmt.Fprintf(os.Stderr, "server: %s listening on %s (GOMAXPROCS=%d)\n", *impl, ln.Addr(), runtime.GOMAXPROCS(0))
	log.Fatal(srv.Serve(ln))
}
