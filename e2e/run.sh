#!/usr/bin/env bash
# Runs the real-client end-to-end tests: sockjs-client 1.6.1 in Chromium,
# in Firefox ESR and in Node.js against the Go SockJS server, and the chat
# example. Prints the results table (also written to e2e/results.md) and
# exits non-zero on any failure.
#
# Needs: go, node >= 20, npm, Chromium at /usr/bin/chromium and Firefox ESR
# at /usr/bin/firefox-esr (apt-get install -y chromium firefox-esr; or set
# E2E_CHROMIUM, E2E_FIREFOX). E2E_BROWSERS=chromium (or firefox) runs one
# browser only. Neither Playwright's nor Puppeteer's browser download is
# ever used.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
started=$(date +%s)

for tool in go node npm; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 2; }
done
browsers=${E2E_BROWSERS:-chromium,firefox}
for browser in ${browsers//,/ }; do
  case $browser in
    chromium) bin=${E2E_CHROMIUM:-/usr/bin/chromium} pkg=chromium var=E2E_CHROMIUM ;;
    firefox) bin=${E2E_FIREFOX:-/usr/bin/firefox-esr} pkg=firefox-esr var=E2E_FIREFOX ;;
    *) echo "run.sh: unknown browser $browser in E2E_BROWSERS" >&2; exit 2 ;;
  esac
  if [[ ! -x $bin ]]; then
    echo "run.sh: $bin not found: apt-get install -y $pkg (or set $var)" >&2
    exit 2
  fi
done
export E2E_BROWSERS=$browsers

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
      if [[ -r /proc/$pid/cmdline && $(tr '\0' ' ' <"/proc/$pid/cmdline") == *sockjs-e2e-* ]]; then
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

# One test process per browser, at the same time (the tests mostly wait on
# the network); Node.js runs with the first. Each process has servers of its
# own; all append their rows to $E2E_RESULTS.
status=0
pids=()
first=1
for browser in ${browsers//,/ }; do
  files=(test/abandon.test.js test/browser.test.js test/chat.test.js)
  if [[ $first == 1 ]]; then files+=(test/node.test.js); first=0; fi
  E2E_BROWSERS=$browser node --test --test-concurrency=1 --test-reporter=spec "${files[@]}" \
    >"test-results/node-test-$browser.log" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  wait "$pid" || status=$?
done
for browser in ${browsers//,/ }; do
  echo "==> $browser"
  grep -E '^(✔|✖|﹣)|^  (✔|✖)|^ℹ (tests|pass|fail)' "test-results/node-test-$browser.log" || true
done
if [[ $status != 0 ]]; then
  echo "failures: see test-results/node-test-*.log"
fi

echo
node report.js "$E2E_RESULTS" results.md || status=1
echo "run time: $(( $(date +%s) - started )) s"
exit "$status"
