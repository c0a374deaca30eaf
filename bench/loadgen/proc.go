package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is the unit of /proc/PID/stat CPU times (USER_HZ), 100 on
// every Linux that matters.
const clockTicks = 100

// cpuTime returns the user+system CPU time of pid so far.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: malformed", pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// syscalls returns the read and write system calls of pid so far, from
// /proc/PID/io; 0 if it cannot be read.
func syscalls(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0
	}
	var n int64
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if ok && (name == "syscr" || name == "syscw") {
			v, _ := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			n += v
		}
	}
	return n
}

// machineCPU returns the time all CPUs spent running processes (user,
// nice, system) and stolen by the hypervisor, from /proc/stat. Interrupt
// time is left out: the benchmark's own loopback traffic causes most of it.
func machineCPU() (busy, steal time.Duration) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, 0
	}
	tick := func(i int) time.Duration {
		v, _ := strconv.ParseInt(f[i], 10, 64)
		return time.Duration(v) * time.Second / clockTicks
	}
	return tick(1) + tick(2) + tick(3), tick(8)
}

// selfCPUTime returns this process's user+system CPU time so far.
func selfCPUTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rssBytes returns VmRSS of pid.
func rssBytes(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

// serverStats is the server's GET /stats.
type serverStats struct {
	Goroutines int   `json:"goroutines"`
	HeapInuse  int64 `json:"heap_inuse"`
	StackInuse int64 `json:"stack_inuse"`
	Sessions   int64 `json:"sessions"`
	Mallocs    int64 `json:"mallocs"`
	TotalAlloc int64 `json:"total_alloc"`
	NumGC      int64 `json:"num_gc"`
}

var statsClient = &http.Client{Timeout: 30 * time.Second}

// fetchStats reads the server's /stats; with gc, after a collection that
// returned freed memory to the system.
func fetchStats(base string, gc bool) (serverStats, error) {
	u := base + "/stats"
	if gc {
		u += "?gc=1"
	}
	var st serverStats
	resp, err := statsClient.Get(u)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// waitReady polls /stats until the server answers, at most for limit.
func waitReady(base string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		_, err := fetchStats(base, false)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server not ready: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cpuMeter measures the CPU use of the server and of the load generator
// over an interval.
type cpuMeter struct {
	pid         int
	base        string      // server URL, for its allocation counters
	stats0      serverStats // at begin
	allocs      int64       // heap objects allocated by the server
	allocBytes  int64
	gcs         int64
	server0     time.Duration
	self0       time.Duration
	start       time.Time
	serverDelta time.Duration
	selfDelta   time.Duration
	sys0        int64 // server read/write system calls at begin
	sysDelta    int64
	busy0       time.Duration // machineCPU at begin
	steal0      time.Duration
	busyDelta   time.Duration
	stealDelta  time.Duration
	wall        time.Duration
}

func (m *cpuMeter) begin() {
	if m.base != "" {
		m.stats0, _ = fetchStats(m.base, false)
	}
	m.busy0, m.steal0 = machineCPU()
	m.start = time.Now()
	m.self0 = selfCPUTime()
	if m.pid > 0 {
		m.server0, _ = cpuTime(m.pid)
		m.sys0 = syscalls(m.pid)
	}
}

func (m *cpuMeter) end() {
	// Everything the wall time divides is read at once, before /stats: a
	// loaded server answers that late, and the CPU it spends meanwhile is
	// not part of the interval.
	m.wall = time.Since(m.start)
	m.selfDelta = selfCPUTime() - m.self0
	busy, steal := machineCPU()
	m.busyDelta, m.stealDelta = busy-m.busy0, steal-m.steal0
	if m.pid > 0 {
		if t, err := cpuTime(m.pid); err == nil {
			m.serverDelta = t - m.server0
		}
		m.sysDelta = syscalls(m.pid) - m.sys0
	}
	if m.base != "" {
		if st, err := fetchStats(m.base, false); err == nil && m.stats0.Mallocs > 0 {
			m.allocs = st.Mallocs - m.stats0.Mallocs
			m.allocBytes = st.TotalAlloc - m.stats0.TotalAlloc
			m.gcs = st.NumGC - m.stats0.NumGC
		}
	}
}

// fill adds the CPU figures to r, per operation for ops operations counted
// over window (0: over the meter's own interval). The meter's interval can
// be shorter than the window: begin reads the server's /stats first, and a
// server that answers late (an overloaded one) starts the meter late. The
// per-operation figures therefore count the operations of the meter's
// interval, ops scaled by its share of the window. Allocations are counted
// between the two /stats readings, which span about the same interval.
func (m *cpuMeter) fill(r *result, ops int64, window time.Duration) {
	if m.wall <= 0 {
		return
	}
	if window > 0 {
		ops = int64(float64(ops) * min(1, m.wall.Seconds()/window.Seconds()))
	}
	r.LoadgenCPU = round(m.selfDelta.Seconds()/m.wall.Seconds(), 3)
	other := m.busyDelta - m.selfDelta - m.serverDelta
	r.OtherCPU = round(max(other.Seconds(), 0)/m.wall.Seconds(), 3)
	r.StealCPU = round(m.stealDelta.Seconds()/m.wall.Seconds(), 3)
	if m.pid > 0 {
		r.ServerCPU = round(m.serverDelta.Seconds()/m.wall.Seconds(), 3)
		if ops > 0 {
			r.ServerCPUPerOpUS = round(float64(m.serverDelta.Microseconds())/float64(ops), 3)
			r.ServerSyscallsPerOp = round(float64(m.sysDelta)/float64(ops), 3)
			r.ServerAllocsPerOp = round(float64(m.allocs)/float64(ops), 2)
			r.ServerAllocBytesPerOp = round(float64(m.allocBytes)/float64(ops), 0)
			r.ServerGCs = m.gcs
		}
	}
}
