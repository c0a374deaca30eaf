#!/usr/bin/env bash
# Runs the real-client end-to-end tests: sockjs-client 1.6.1 in Chromium and
# in Node.js against the Go SockJS server, and the chat example. Prints the
# results table (also written to e2e/results.md) and exits non-zero on any
# failure.
#
# Needs: go, node >= 20, npm, and Chromium at /usr/bin/chromium
# (apt-get install -y chromium; or set E2E_CHROMIUM). Playwright's own browser
# download is never used.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
started=$(date +%s)

for tool in go node npm; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 2; }
done
chromium_bin=${E2E_CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium_bin ]]; then
  echo "run.sh: $chromium_bin not found: apt-get install -y chromium (or set E2E_CHROMIUM)" >&2
  exit 2
fi

if [[ ! -d node_modules || -n ${CI:-} ]]; then
  npm ci --no-audit --no-fund
fi

mkdir -p test-results
rm -f test-results/results.jsonl test-results/pids test-results/*.log
export E2E_RESULTS=$PWD/test-results/results.jsonl
export E2E_PIDFILE=$PWD/test-results/pids

# The tests stop their servers themselves; if a test process dies, this
# stops what it left, by PID, and only our own server binaries.
cleanup() {
  if [[ -f $E2E_PIDFILE ]]; then
    local pid
    while read -r pid; do
      if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'sockjs-e2e-'; then
        kill "$pid" 2>/dev/null || true
      fi
    done <"$E2E_PIDFILE"
  fi
  if [[ -n ${E2E_BIN_DIR:-} ]]; then
    rm -rf "$E2E_BIN_DIR"
  fi
}
E2E_BIN_DIR=
trap cleanup EXIT

# Build the Go servers once, for every test file.
E2E_BIN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sockjs-e2e-bin-XXXXXX")
export E2E_BIN_DIR
for example in testserver chat; do
  (cd .. && go build -buildvcs=false -o "$E2E_BIN_DIR/$example" "./examples/$example")
done

status=0
node --test --test-concurrency=1 --test-reporter=spec test/*.test.js 2>&1 | tee test-results/node-test.log || status=$?

echo
node report.js "$E2E_RESULTS" results.md || status=1
echo "run time: $(( $(date +%s) - started )) s"
exit "$status"
