#!/usr/bin/env bash
# profile.sh: profiles of the benchmark server (this library unless -impl
# says otherwise) under the benchmark's load, written to
# bench/profiles/IMPL/:
#   cpu-echo-ws100.txt      go tool pprof -top of a 10 s CPU profile during
#                           a websocket echo with 100 sessions (and -cum)
#   heap-idle-ws.txt        go tool pprof -top of the in-use heap with N
#                           idle websocket sessions
#   goroutines-idle-ws.txt  the goroutine profile (debug=1) of the same
#   heap-idle-xhr.txt, goroutines-idle-xhr.txt  the same for N idle xhr
#                           polling sessions (not for plainws)
# plus the raw profiles (*.pb.gz) and the load generator's JSON lines.
# Same pinning as run.sh: server on CPU 0 with GOMAXPROCS=1, load
# generator on CPU 1.
#
# Usage: bench/profile.sh [-idle N] [-impl gosockjs|sockjsgo|plainws|plainhttp]
set -euo pipefail
cd "$(dirname "$0")"
IDLE=10000
IMPL=gosockjs
while [ $# -gt 0 ]; do
	case $1 in
	-idle) IDLE=$2; shift 2 ;;
	-impl) IMPL=$2; shift 2 ;;
	*) echo "usage: $0 [-idle N] [-impl IMPL]" >&2; exit 2 ;;
	esac
done
OUTDIR=profiles/$IMPL
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
mkdir -p bin "$OUTDIR"
go build -o bin/ ./server ./loadgen

SPID=""
LPID=""
stop() {
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null && wait "$LPID" 2>/dev/null || true
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null || true
	SPID="" LPID=""
}
trap stop EXIT INT TERM

start_server() {
	rm -f bin/addr
	GOMAXPROCS=1 taskset -c 0 bin/server -impl "$IMPL" -pprof -addr 127.0.0.1:0 -addrfile bin/addr 2>>bin/server.log &
	SPID=$!
	for _ in $(seq 100); do [ -s bin/addr ] && break; sleep 0.05; done
	ADDR=$(cat bin/addr)
}

# fetch URL FILE: bounded download from the server.
fetch() { curl -sS --max-time 30 -o "$2" "http://$ADDR$1"; }

# idle TRANSPORT: heap and goroutine profiles with $IDLE idle sessions.
idle() {
	echo "== heap and goroutines: $IDLE idle $1 sessions" >&2
	start_server
	: >bin/loadgen.log
	taskset -c 1 bin/loadgen -impl "$IMPL" -url "http://$ADDR" -server-pid "$SPID" \
		-scenario idle -transport "$1" -sessions "$IDLE" -hold 8s \
		>"$OUTDIR/idle-$1.json" 2>bin/loadgen.log &
	LPID=$!
	for _ in $(seq 600); do grep -q holding bin/loadgen.log 2>/dev/null && break; sleep 0.1; done
	fetch "/debug/pprof/heap?gc=1" "$OUTDIR/heap-idle-$1.pb.gz"
	fetch "/debug/pprof/goroutine?debug=1" "$OUTDIR/goroutines-idle-$1.txt"
	wait "$LPID"; LPID=""
	stop
	go tool pprof -top -sample_index=inuse_space -nodecount=30 bin/server "$OUTDIR/heap-idle-$1.pb.gz" >"$OUTDIR/heap-idle-$1.txt" 2>/dev/null
	cat "$OUTDIR/idle-$1.json"
}

if [ "$IMPL" != plainhttp ]; then
	echo "== CPU profile: websocket echo, 100 sessions" >&2
	start_server
	taskset -c 1 bin/loadgen -impl "$IMPL" -url "http://$ADDR" -server-pid "$SPID" \
		-scenario echo -transport websocket -sessions 100 -warmup 1s -duration 13s \
		>"$OUTDIR/echo-ws100.json" &
	LPID=$!
	sleep 2
	fetch "/debug/pprof/profile?seconds=10" "$OUTDIR/cpu-echo-ws100.pb.gz"
	wait "$LPID"; LPID=""
	stop
	go tool pprof -top -nodecount=40 bin/server "$OUTDIR/cpu-echo-ws100.pb.gz" >"$OUTDIR/cpu-echo-ws100.txt" 2>/dev/null
	go tool pprof -top -cum -nodecount=40 bin/server "$OUTDIR/cpu-echo-ws100.pb.gz" >"$OUTDIR/cpu-echo-ws100-cum.txt" 2>/dev/null
	cat "$OUTDIR/echo-ws100.json"
	idle websocket
fi
if [ "$IMPL" != plainws ]; then
	idle xhr
fi
echo "profiles written to bench/$OUTDIR/" >&2
