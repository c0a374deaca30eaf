#!/usr/bin/env bash
# The cluster test: real redis-server, three chat nodes and two HAProxy
# instances (one sticky on JSESSIONID, one on the URL's server segment), all
# on loopback ports, and 21 sockjs-client 1.6.1 instances in Node.js on
# websocket, xhr-streaming and xhr-polling (cluster-test.js), each sending
# the Origin header a browser on the balancer's page would. It checks
# exactly-once, in-order delivery across nodes, then kills one node with
# SIGKILL and checks that its clients reconnect elsewhere while the others
# lose nothing.
#
#   examples/cluster/test.sh          # from the repository root
#
# BALANCER=nginx runs the same test through nginx-cookie.conf and
# nginx-path.conf instead (a local check of those files; needs nginx).
#
# Needs go, node (>= 20), redis-server and haproxy:
#   apt-get install -y haproxy redis-server
# Without them it skips (exit 0), except when CI is set: then it fails.
# Installs e2e/node_modules with npm ci if missing. Bounded: the clients
# give up after 100 s, the whole run after 150 s. Every process it starts
# is stopped by PID on exit, Ctrl-C included.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=cluster.sh
source "$here/cluster.sh"

balancer=${BALANCER:-haproxy}
case $balancer in
  haproxy | nginx) ;;
  *) echo "BALANCER must be haproxy or nginx" >&2; exit 2 ;;
esac
missing=()
for tool in go node redis-server "$balancer"; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  msg="the cluster test needs ${missing[*]} (apt-get install -y haproxy redis-server)"
  if [[ -n ${CI:-} ]]; then
    echo "FAIL: $msg" >&2
    exit 1
  fi
  echo "SKIP: $msg"
  exit 0
fi
if [[ ! -d $root/e2e/node_modules/sockjs-client ]]; then
  (cd "$root/e2e" && npm ci --no-audit --no-fund)
fi

work=$(mktemp -d)
finish() {
  local status=$?
  stop_started
  if ((status != 0)); then
    for f in "$work"/*.log "$work"/nginx-*/error.log; do
      [[ -f $f ]] || continue
      echo "---- $(basename "$f") (last 30 lines)"
      tail -n 30 "$f"
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

started=$SECONDS
(cd "$here" && go build -o "$work/node" ./node)

for var in redis_port n1 n2 n3 cookie_port path_port; do
  free_port "$var"
done

start_redis "$redis_port" "$work/redis.log"
nodes=()
for spec in "n1 $n1" "n2 $n2" "n3 $n3"; do
  read -r name port <<<"$spec"
  start_node "$work/node" "$name" "$port" "$redis_port" "$work/$name.log"
  nodes+=("$name=$port=$LAST_PID")
done
if [[ $balancer == haproxy ]]; then
  start_haproxy "$here/haproxy-cookie.cfg" "$cookie_port" "$n1" "$n2" "$n3" "$work/haproxy-cookie.log"
  start_haproxy "$here/haproxy-path.cfg" "$path_port" "$n1" "$n2" "$n3" "$work/haproxy-path.log"
else
  start_nginx "$here/nginx-cookie.conf" "$cookie_port" "$n1" "$n2" "$n3" "$work/nginx-cookie"
  start_nginx "$here/nginx-path.conf" "$path_port" "$n1" "$n2" "$n3" "$work/nginx-path"
fi
echo "redis :$redis_port, nodes n1 :$n1 n2 :$n2 n3 :$n3, $balancer cookie :$cookie_port path :$path_port (ready after $((SECONDS - started)) s)"

IFS=, 
node_list="${nodes[*]}"
unset IFS
# In the background, so that Ctrl-C (the traps) interrupts the wait.
SOCKJS_CLIENT="$root/e2e/node_modules/sockjs-client" \
  COOKIE_URL="http://127.0.0.1:$cookie_port" PATH_URL="http://127.0.0.1:$path_port" \
  NODES="$node_list" VICTIM=n1 \
  timeout -k 5 150 node "$here/cluster-test.js" &
STARTED+=($!)
status=0
wait "${STARTED[-1]}" || status=$?
unset 'STARTED[-1]' # reaped
if ((status != 0)); then
  echo "cluster test FAILED (exit $status) after $((SECONDS - started)) s" >&2
  exit "$status"
fi
echo "cluster test passed in $((SECONDS - started)) s"
