#!/usr/bin/env bash
# run.sh: the SockJS server benchmark. Builds the server, the load generator
# and the report, then runs every scenario against this library (gosockjs),
# igm/sockjs-go (sockjsgo) and the transport's floor (plainws or
# plainhttp), alternating the implementations run by run. The server runs
# pinned to CPU 0 with GOMAXPROCS=1, the load generator pinned to CPU 1, a
# fresh server process for every run; scenarios with a 4th field N run the
# server with GOMAXPROCS=N and neither process pinned. Prints a Markdown
# table of medians and ratios and writes it to bench/results.md
# (bench/results-quick.md with -quick), the raw JSON lines to
# bench/results.jsonl (results-quick.jsonl).
#
# Usage: bench/run.sh [-runs N] [-quick] [-only REGEX]
#   -runs N     runs per implementation and scenario (default 3; 1 with -quick)
#   -quick      smoke version: shorter runs, about 2 minutes
#   -only RE    run only scenarios whose line in SCENARIOS ("scenario
#               transport sessions [procs]") matches the extended regular
#               expression RE; end it with $ to leave out the procs lines
set -euo pipefail
cd "$(dirname "$0")"
COMMAND="bench/run.sh $*"

RUNS=""
QUICK=0
ONLY=""
while [ $# -gt 0 ]; do
	case $1 in
	-runs) RUNS=$2; shift 2 ;;
	-quick) QUICK=1; shift ;;
	-only) ONLY=$2; shift 2 ;;
	*) echo "usage: $0 [-runs N] [-quick] [-only REGEX]" >&2; exit 2 ;;
	esac
done
if [ "$QUICK" = 1 ]; then
	RUNS=${RUNS:-1} DURATION=1s WARMUP=0.3s SETTLE=1s OUT=results-quick
else
	RUNS=${RUNS:-3} DURATION=2.5s WARMUP=0.5s SETTLE=1s OUT=results
fi
case $RUNS in '' | *[!0-9]* | 0) echo "-runs wants a positive number" >&2; exit 2 ;; esac

# 10,000 sessions need as many descriptors on each side.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt 12000 ]; then
	echo "warning: ulimit -n is $(ulimit -n); 10,000-session scenarios will fail" >&2
fi
if [ "$(nproc)" -lt 2 ]; then
	echo "warning: $(nproc) CPU: server and load generator share it" >&2
	LOADCPU=0
else
	LOADCPU=1
fi

mkdir -p bin
go build -o bin/ ./server ./loadgen ./report

# scenario transport sessions [procs]: procs is the server's GOMAXPROCS,
# 1 (the default) pinned to CPU 0 with the load generator on CPU 1; with
# more, neither the server nor the load generator is pinned.
SCENARIOS="
echo websocket 1
echo websocket 100
echo websocket 1000
echo websocket 1000 2
echo xhr_streaming 1
echo xhr_streaming 100
echo xhr_streaming 1000
echo xhr_streaming 1000 2
echo xhr 1
echo xhr 100
echo xhr 1000
echo xhr 1000 2
broadcast websocket 1000
broadcast websocket 10000
idle websocket 10000
idle xhr 10000
openclose websocket 50
flood xhr 20000
"
if [ -n "$ONLY" ]; then
	SCENARIOS=$(echo "$SCENARIOS" | grep -E -- "$ONLY" || true)
fi
TOTAL=$(($(echo "$SCENARIOS" | grep -c . || true) * RUNS * 3))
[ "$TOTAL" -gt 0 ] || { echo "no scenario matches -only $ONLY" >&2; exit 2; }

RESULTS=$OUT.jsonl
: >"$RESULTS"
: >bin/server.log
SPID=""
stop_server() {
	if [ -n "$SPID" ]; then
		kill "$SPID" 2>/dev/null || true
		wait "$SPID" 2>/dev/null || true
		SPID=""
	fi
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

# The machine is shared: other people's tests can take its CPUs for minutes,
# and the hypervisor steals time when the host is busy. Before each run,
# wait until the machine is quiet (other processes and steal below
# QUIET_LIMIT cores over 0.3 s), within a total budget (QUIET_BUDGET
# seconds); a run whose load generator saw other_cpu + steal_cpu above the
# limit is repeated once. The report flags the runs that stayed noisy.
QUIET_LIMIT=0.25
QUIET_BUDGET=${QUIET_BUDGET:-600} # seconds of waiting in all
WAITED=0
# Busy: user+nice+system of all processes, plus time stolen by the
# hypervisor (another tenant of the host).
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$9; exit}' /proc/stat; }
machine_busy() { # cores busy over 0.3 s
	local a b
	a=$(busy_ticks)
	sleep 0.3
	b=$(busy_ticks)
	awk -v d=$((b - a)) -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", d/hz/0.3}'
}
wait_quiet() {
	local busy
	while [ "$WAITED" -lt "$QUIET_BUDGET" ]; do
		busy=$(machine_busy)
		awk -v b="$busy" -v l="$QUIET_LIMIT" 'BEGIN{exit !(b <= l)}' && return
		echo "machine busy ($busy cores used by others or stolen), waiting ($WAITED/$QUIET_BUDGET s)" >&2
		sleep 4
		WAITED=$((WAITED + 4))
	done
}
noisy() { # noisy LINE: other processes or the hypervisor took more than QUIET_LIMIT cores
	local other steal
	other=$(echo "$1" | grep -o '"other_cpu":[0-9.]*' | cut -d: -f2)
	steal=$(echo "$1" | grep -o '"steal_cpu":[0-9.]*' | cut -d: -f2)
	awk -v o="${other:-0}" -v s="${steal:-0}" -v l="$QUIET_LIMIT" 'BEGIN{exit !(o + s > l)}'
}

N=0
# run_one IMPL SCENARIO TRANSPORT SESSIONS PROCS RUN
run_one() {
	local impl=$1 scenario=$2 transport=$3 sessions=$4 procs=$5 run=$6 attempt line="" name
	N=$((N + 1))
	name="$scenario $transport $sessions"
	[ "$procs" = 1 ] || name="$name GOMAXPROCS=$procs"
	for attempt in 1 2; do
		wait_quiet
		# Not in a $(...) subshell: the EXIT trap must see the server's PID.
		measure_one "$impl" "$scenario" "$transport" "$sessions" "$procs" "$run" >bin/line || : >bin/line
		line=$(cat bin/line)
		if [ -z "$line" ]; then
			echo "[$N/$TOTAL] $name $impl run $run: FAILED" >&2
			return
		fi
		if [ "$attempt" = 1 ] && noisy "$line"; then
			echo "[$N/$TOTAL] $name $impl run $run: other processes or the hypervisor took the CPUs, repeating" >&2
			continue
		fi
		break
	done
	echo "$line" >>"$RESULTS"
	echo "[$N/$TOTAL] $name $impl run $run: $(summary "$line")" >&2
}

# measure_one IMPL SCENARIO TRANSPORT SESSIONS PROCS RUN: one run on a
# fresh server; prints the load generator's JSON line.
measure_one() {
	local impl=$1 scenario=$2 transport=$3 sessions=$4 procs=$5 run=$6 addr="" args status=0
	local pin_server=(taskset -c 0) pin_loadgen=(taskset -c "$LOADCPU")
	if [ "$procs" != 1 ]; then
		pin_server=() pin_loadgen=()
	fi
	rm -f bin/addr
	GOMAXPROCS=$procs "${pin_server[@]}" bin/server -impl "$impl" -addr 127.0.0.1:0 -addrfile bin/addr 2>>bin/server.log &
	SPID=$!
	for _ in $(seq 200); do
		[ -s bin/addr ] && break
		sleep 0.05
	done
	addr=$(cat bin/addr 2>/dev/null || true)
	if [ -z "$addr" ]; then
		echo "$impl: server did not start" >&2
		stop_server
		return 1
	fi
	case $scenario in
	idle) args=(-sessions "$sessions" -settle "$SETTLE") ;;
	openclose) args=(-concurrency "$sessions" -duration "$DURATION" -warmup "$WARMUP" -settle "$SETTLE") ;;
	flood) args=(-sessions "$sessions" -concurrency 64 -settle "$SETTLE") ;;
	*) args=(-sessions "$sessions" -duration "$DURATION" -warmup "$WARMUP") ;;
	esac
	timeout -k 5 150 "${pin_loadgen[@]}" bin/loadgen -impl "$impl" -url "http://$addr" \
		-server-pid "$SPID" -scenario "$scenario" -transport "$transport" -run "$run" -procs "$procs" \
		-timeout 120s "${args[@]}" || status=$?
	stop_server
	sleep 0.3 # let the kernel tear down the last run's sockets
	return $status
}

# summary LINE: the headline figures of a result line.
summary() {
	echo "$1" | tr ',{}' '\n\n\n' | grep -E '"(msgs_per_s|deliveries_per_s|opens_per_s|p99_us|rss_per_session|goroutines_per_session|server_sessions|server_cpu_us_per_op|other_cpu|steal_cpu|errors)"' | tr -d '"' | tr '\n' ' '
}

START=$(date +%s)
while read -r scenario transport sessions procs; do
	[ -n "$scenario" ] || continue
	procs=${procs:-1}
	case $procs in *[!0-9]* | 0) echo "bad procs in scenario line: $scenario $transport $sessions $procs" >&2; exit 2 ;; esac
	if [ "$transport" = websocket ]; then floor=plainws; else floor=plainhttp; fi
	for run in $(seq "$RUNS"); do
		for impl in gosockjs sockjsgo "$floor"; do
			run_one "$impl" "$scenario" "$transport" "$sessions" "$procs" "$run"
		done
	done
done <<<"$SCENARIOS"
echo "benchmark took $(($(date +%s) - START)) s" >&2

MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MACHINE="$(nproc) CPUs, $MODEL, Linux $(uname -r), $(go version | cut -d' ' -f3), $RUNS run(s) of $DURATION after $WARMUP warm-up"
bin/report -in "$RESULTS" -out "$OUT.md" -machine "$MACHINE" -date "$(date -u '+%Y-%m-%d %H:%M UTC')" -command "$COMMAND"
echo "wrote bench/$OUT.md and bench/$RESULTS" >&2
