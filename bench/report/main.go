// Command report turns the load generator's JSON lines into Markdown: the
// median of every metric over the runs of each scenario, for this library
// (gosockjs), igm/sockjs-go (sockjsgo) and the floor of the scenario's
// transport (plainws for websockets, plainhttp for the HTTP transports),
// with ratios, and the tuning targets with where the library stands.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"slices"
	"strings"
)

// record is the part of a load generator line the report reads.
type record struct {
	Scenario             string  `json:"scenario"`
	Transport            string  `json:"transport"`
	Impl                 string  `json:"impl"`
	Sessions             int     `json:"sessions"`
	ServerProcs          int     `json:"server_procs"` // 0 (older lines) means 1
	Errors               int64   `json:"errors"`
	FirstError           string  `json:"first_error"`
	Retries2010          int64   `json:"retries_2010"`
	MsgsPerS             float64 `json:"msgs_per_s"`
	P50US                float64 `json:"p50_us"`
	P99US                float64 `json:"p99_us"`
	DeliveriesPerS       float64 `json:"deliveries_per_s"`
	WavesIncomplete      int64   `json:"waves_incomplete"`
	RSSPerSession        float64 `json:"rss_per_session"`
	HeapPerSession       float64 `json:"heap_per_session"`
	StackPerSession      float64 `json:"stack_per_session"`
	GoroutinesPerSession float64 `json:"goroutines_per_session"`
	ServerSessions       float64 `json:"server_sessions"`
	OpensPerS            float64 `json:"opens_per_s"`
	KeptHeapPerSession   float64 `json:"kept_heap_per_session"`
	ServerCPU            float64 `json:"server_cpu"`
	ServerCPUPerOpUS     float64 `json:"server_cpu_us_per_op"`
	LoadgenCPU           float64 `json:"loadgen_cpu"`
	OtherCPU             float64 `json:"other_cpu"`
	StealCPU             float64 `json:"steal_cpu"`
}

// key identifies a scenario.
type key struct {
	scenario, transport string
	sessions            int
	procs               int // the server's GOMAXPROCS: 1 pinned, more unpinned
}

// label is the transport column of k's rows: rows with the server on
// more than one core say so.
func (k key) label() string {
	if k.procs > 1 {
		return fmt.Sprintf("%s, GOMAXPROCS=%d unpinned", k.transport, k.procs)
	}
	return k.transport
}

// metric is one row of a table.
type metric struct {
	name   string
	unit   string
	get    func(record) float64
	higher bool // higher is better
}

var (
	msgsPerS    = metric{"messages/s", "", func(r record) float64 { return r.MsgsPerS }, true}
	p50         = metric{"p50 latency", "µs", func(r record) float64 { return r.P50US }, false}
	p99         = metric{"p99 latency", "µs", func(r record) float64 { return r.P99US }, false}
	cpuPerOp    = metric{"server CPU per op", "µs", func(r record) float64 { return r.ServerCPUPerOpUS }, false}
	serverCPU   = metric{"server CPU use", "cores", func(r record) float64 { return r.ServerCPU }, false}
	loadgenCPU  = metric{"load generator CPU use", "cores", func(r record) float64 { return r.LoadgenCPU }, false}
	otherCPU    = metric{"other processes' CPU use + steal", "cores", func(r record) float64 { return r.OtherCPU + r.StealCPU }, false}
	deliveries  = metric{"deliveries/s", "", func(r record) float64 { return r.DeliveriesPerS }, true}
	rss         = metric{"RSS per session", "B", func(r record) float64 { return r.RSSPerSession }, false}
	heap        = metric{"heap in use per session", "B", func(r record) float64 { return r.HeapPerSession }, false}
	stack       = metric{"stacks per session", "B", func(r record) float64 { return r.StackPerSession }, false}
	goroutines  = metric{"goroutines per session", "", func(r record) float64 { return r.GoroutinesPerSession }, false}
	opensPerS   = metric{"sessions opened+closed/s", "", func(r record) float64 { return r.OpensPerS }, true}
	createdPerS = metric{"sessions opened/s", "", func(r record) float64 { return r.OpensPerS }, true}
	keptHeap    = metric{"heap kept per ended session", "B", func(r record) float64 { return r.KeptHeapPerSession }, false}
	live        = metric{"live sessions at the measurement", "", func(r record) float64 { return r.ServerSessions }, true}
	errorsCount = metric{"errors (sum over runs)", "", func(r record) float64 { return float64(r.Errors) }, false}
)

func main() {
	in := flag.String("in", "", "JSON lines from loadgen (default stdin)")
	out := flag.String("out", "", "also write the report, with the header, to this file")
	machine := flag.String("machine", "", "machine description for the header")
	date := flag.String("date", "", "date for the header")
	command := flag.String("command", "", "command line for the header")
	flag.Parse()
	log.SetPrefix("report: ")
	log.SetFlags(0)

	var src io.Reader = os.Stdin
	if *in != "" {
		f, err := os.Open(*in)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		src = f
	}
	runs := map[key]map[string][]record{}
	var order []key
	sc := bufio.NewScanner(src)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			log.Fatalf("bad line %.80q: %v", line, err)
		}
		if r.ServerProcs < 1 {
			r.ServerProcs = 1
		}
		k := key{r.Scenario, r.Transport, r.Sessions, r.ServerProcs}
		if runs[k] == nil {
			runs[k] = map[string][]record{}
			order = append(order, k)
		}
		runs[k][r.Impl] = append(runs[k][r.Impl], r)
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}

	var b strings.Builder
	if *machine != "" || *date != "" || *command != "" {
		b.WriteString("# SockJS server benchmark\n\n")
		fmt.Fprintf(&b, "- Machine: %s\n- Date: %s\n- Command: `%s`\n", *machine, *date, *command)
		b.WriteString("- Setup: server pinned to CPU 0 with GOMAXPROCS=1, load generator pinned to CPU 1; " +
			"implementations alternated within each scenario; every figure is the median over the runs.\n")
		if slices.ContainsFunc(order, func(k key) bool { return k.procs > 1 }) {
			b.WriteString("- Rows labelled \"GOMAXPROCS=N unpinned\": the server runs with GOMAXPROCS=N, and neither " +
				"it nor the load generator is pinned: they share the machine's CPUs (the other rows: pinned as above).\n")
		}
		b.WriteString("- Floors: plainws (plain coder/websocket) for websocket scenarios, plainhttp (plain net/http " +
			"streaming/long polling with an in-memory queue per id) for the HTTP ones. " +
			"ours/X is gosockjs divided by X: above 1 is better for rates, below 1 for latency, CPU and memory.\n\n")
	}
	writeTables(&b, runs, order)
	writeTargets(&b, runs)
	fmt.Print(b.String())
	if *out != "" {
		if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func floorOf(transport string) string {
	if transport == "websocket" {
		return "plainws"
	}
	return "plainhttp"
}

// median of m over the runs of one implementation; NaN without runs.
func median(rs []record, m metric) float64 {
	if len(rs) == 0 {
		return math.NaN()
	}
	if m.name == errorsCount.name {
		s := 0.0
		for _, r := range rs {
			s += m.get(r)
		}
		return s
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = m.get(r)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func metricsOf(scenario string) []metric {
	switch scenario {
	case "echo":
		return []metric{msgsPerS, p50, p99, cpuPerOp, serverCPU, loadgenCPU, otherCPU, errorsCount}
	case "broadcast":
		return []metric{deliveries, p50, p99, cpuPerOp, serverCPU, loadgenCPU, otherCPU, errorsCount}
	case "idle":
		return []metric{rss, heap, stack, goroutines, errorsCount}
	case "openclose":
		return []metric{opensPerS, p50, p99, cpuPerOp, serverCPU, loadgenCPU, otherCPU, keptHeap, errorsCount}
	case "flood":
		return []metric{createdPerS, p50, p99, cpuPerOp, serverCPU, loadgenCPU, otherCPU,
			rss, heap, stack, goroutines, live, errorsCount}
	}
	return nil
}

var titles = map[string]string{
	"echo":      "Echo round trips (closed loop, one message in flight per session)",
	"broadcast": "Broadcast (one sender, every session receives; latency from send to each arrival)",
	"idle":      "Idle sessions (server, after a forced GC, minus the baseline before connecting)",
	"openclose": "Session open + close (concurrent workers)",
	"flood": "Polling session flood (workers open xhr polling sessions, one request each, never polled again: " +
		"opens/s, latency and CPU over the flood; memory and goroutines per live session after it, " +
		"after a forced GC, minus the baseline before the flood)",
}

func writeTables(b *strings.Builder, runs map[key]map[string][]record, order []key) {
	for _, scenario := range []string{"echo", "broadcast", "idle", "openclose", "flood"} {
		var keys []key
		for _, k := range order {
			if k.scenario == scenario {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			continue
		}
		fmt.Fprintf(b, "## %s\n\n", titles[scenario])
		b.WriteString("| transport | sessions | metric | gosockjs | sockjs-go | floor | ours/floor | ours/sockjs-go |\n")
		b.WriteString("|---|---:|---|---:|---:|---:|---:|---:|\n")
		for _, k := range keys {
			byImpl := runs[k]
			floor := floorOf(k.transport)
			for _, m := range metricsOf(scenario) {
				ours := median(byImpl["gosockjs"], m)
				other := median(byImpl["sockjsgo"], m)
				fl := median(byImpl[floor], m)
				label := m.name
				if m.unit != "" {
					label += " (" + m.unit + ")"
				}
				fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s %s | %s | %s |\n",
					k.label(), k.sessions, label, num(ours), num(other), num(fl), floor,
					ratio(ours, fl, m), ratio(ours, other, m))
			}
		}
		b.WriteString("\n")
		writeNotes(b, runs, keys)
	}
}

// noisyLimit is the CPU taken by other processes and the hypervisor
// (cores) above which a run is flagged: run.sh repeats such runs once.
const noisyLimit = 0.25

// writeNotes lists errors and protocol retries, so that a figure that
// hides a failure is not taken at face value.
func writeNotes(b *strings.Builder, runs map[key]map[string][]record, keys []key) {
	var notes []string
	for _, k := range keys {
		for _, impl := range []string{"gosockjs", "sockjsgo", floorOf(k.transport)} {
			var errs, retries, incomplete, noisy int64
			first := ""
			for _, r := range runs[k][impl] {
				if r.OtherCPU+r.StealCPU > noisyLimit {
					noisy++
				}
				errs += r.Errors
				retries += r.Retries2010
				incomplete += r.WavesIncomplete
				if first == "" {
					first = r.FirstError
				}
			}
			name := fmt.Sprintf("%s %s/%d %s", k.scenario, k.label(), k.sessions, impl)
			if errs > 0 {
				notes = append(notes, fmt.Sprintf("%s: %d errors, first: %s", name, errs, first))
			}
			if retries > 0 {
				notes = append(notes, fmt.Sprintf("%s: %d polls answered `c[2010,\"Another connection still open\"]` right after the previous poll and repeated by the load generator (a real client would have failed)", name, retries))
			}
			if noisy > 0 {
				notes = append(notes, fmt.Sprintf("%s: in %d of %d runs other processes or the hypervisor took more than %.2g cores: treat with care", name, noisy, len(runs[k][impl]), noisyLimit))
			}
			if incomplete > 0 {
				notes = append(notes, fmt.Sprintf("%s: %d broadcast waves not received by every session within 10 s", name, incomplete))
			}
		}
	}
	for _, n := range notes {
		fmt.Fprintf(b, "- %s\n", n)
	}
	if len(notes) > 0 {
		b.WriteString("\n")
	}
}

func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case v == 0:
		return "0"
	case math.Abs(v) >= 1000:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3g", v)
	}
}

func ratioText(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "–"
	}
	return fmt.Sprintf("%.2f×", r)
}

func ratio(a, b float64, m metric) string {
	if m.name == errorsCount.name || m.name == live.name || math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// writeTargets compares the library with the targets it is tuned for.
func writeTargets(b *strings.Builder, runs map[key]map[string][]record) {
	b.WriteString("## Targets\n\n| target | measured | met |\n|---|---|:---:|\n")
	row := func(target, measured string, ok, known bool) {
		mark := "–"
		if known {
			mark = "no"
			if ok {
				mark = "yes"
			}
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", target, measured, mark)
	}
	get := func(k key, impl string, m metric) float64 { return median(runs[k][impl], m) }

	for _, c := range []struct {
		transport string
		sessions  []int
	}{{"websocket", []int{100, 1000}}, {"xhr_streaming", []int{1, 100, 1000}}, {"xhr", []int{1, 100, 1000}}} {
		floor := floorOf(c.transport)
		for _, n := range c.sessions {
			k := key{"echo", c.transport, n, 1}
			ours, fl := get(k, "gosockjs", msgsPerS), get(k, floor, msgsPerS)
			r := ours / fl
			row(fmt.Sprintf("%s echo, %d sessions ≥ 0.95× %s", c.transport, n, floor),
				fmt.Sprintf("%s (%s vs %s msgs/s)", ratioText(r), num(ours), num(fl)), r >= 0.95, !math.IsNaN(r))
		}
	}
	k := key{"broadcast", "websocket", 10000, 1}
	ours, fl := get(k, "gosockjs", p99), get(k, "plainws", p99)
	row("broadcast to 10,000 websocket sessions: p99 ≤ plainws",
		fmt.Sprintf("%s µs vs %s µs (%s)", num(ours), num(fl), ratioText(ours/fl)), ours <= fl, !math.IsNaN(ours/fl))

	k = key{"idle", "websocket", 10000, 1}
	rssOurs := get(k, "gosockjs", rss)
	row("idle websocket session ≤ 24 KiB RSS",
		fmt.Sprintf("%s KiB (plainws %s KiB)", num(rssOurs/1024), num(get(k, "plainws", rss)/1024)), rssOurs <= 24*1024, !math.IsNaN(rssOurs))
	// Library goroutines: those beyond the floor's (net/http's own per
	// connection) and beyond the application's handler, which the API
	// runs on a goroutine of its own for every session.
	libWS := get(k, "gosockjs", goroutines) - get(k, "plainws", goroutines) - 1
	row("idle websocket session ≤ 2 library goroutines",
		fmt.Sprintf("%s per session: 1 application handler + %s as in plainws + %s more", num(get(k, "gosockjs", goroutines)), num(get(k, "plainws", goroutines)), num(libWS)),
		libWS <= 2, !math.IsNaN(libWS))
	k = key{"idle", "xhr", 10000, 1}
	libPoll := get(k, "gosockjs", goroutines) - get(k, "plainhttp", goroutines) - 1
	row("idle polling session ≤ 1 library goroutine",
		fmt.Sprintf("%s per session: 1 application handler + %s as in plainhttp + %s more", num(get(k, "gosockjs", goroutines)), num(get(k, "plainhttp", goroutines)), num(libPoll)),
		libPoll <= 1, !math.IsNaN(libPoll))

	k = key{"flood", "xhr", 20000, 1}
	rssFlood := get(k, "gosockjs", rss)
	row("polling session in a flood of 20,000 ≤ 4 KiB RSS",
		fmt.Sprintf("%s KiB (sockjs-go %s KiB, plainhttp %s KiB)", num(rssFlood/1024), num(get(k, "sockjsgo", rss)/1024), num(get(k, "plainhttp", rss)/1024)),
		rssFlood <= 4*1024, !math.IsNaN(rssFlood))
	created := get(k, "gosockjs", createdPerS)
	row("session creation ≥ 15,000/s on one core (the flood of 20,000 polling sessions)",
		fmt.Sprintf("%s/s (sockjs-go %s/s, plainhttp %s/s)", num(created), num(get(k, "sockjsgo", createdPerS)), num(get(k, "plainhttp", createdPerS))),
		created >= 15000, !math.IsNaN(created))
	b.WriteString("\n")
}
