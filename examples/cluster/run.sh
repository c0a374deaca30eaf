#!/usr/bin/env bash
# Starts the clustered chat on loopback: redis-server, three chat nodes and
# HAProxy in front of them, then waits. Open the printed URL in a few
# browser windows (try ?transports=xhr-polling), kill a node by its PID and
# watch its visitors reconnect to the others. Ctrl-C stops everything, by
# PID; so does the end of DURATION seconds (default 3600).
#
#   examples/cluster/run.sh                 # sticky on JSESSIONID
#   AFFINITY=path examples/cluster/run.sh   # sticky on the URL's server segment
#
# Environment: PORT (HAProxy, default 8080), NODE_PORTS (default
# "8081 8082 8083": three nodes, as the HAProxy configurations name three),
# REDIS_PORT (default 6390), DURATION, CLIENT_URL (sockjs-client
# script for the page; default jsDelivr, or a local copy when offline).
# Logs go to a temporary directory, printed at start.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=cluster.sh
source "$here/cluster.sh"

affinity=${AFFINITY:-cookie}
case $affinity in
  cookie | path) ;;
  *) echo "AFFINITY must be cookie or path" >&2; exit 2 ;;
esac
for tool in go redis-server haproxy; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y haproxy redis-server" >&2; exit 1; }
done
port=${PORT:-8080}
read -r -a node_ports <<<"${NODE_PORTS:-8081 8082 8083}"
((${#node_ports[@]} == 3)) || { echo "NODE_PORTS must name three ports" >&2; exit 2; }
duration=${DURATION:-3600}
redis_port=${REDIS_PORT:-6390}
client_args=()
[[ -n ${CLIENT_URL:-} ]] && client_args=(-client-url "$CLIENT_URL")

logs=$(mktemp -d)
trap 'stop_started; echo "stopped; logs in $logs"' EXIT
trap 'exit 130' INT TERM

(cd "$here" && go build -o "$logs/node" ./node)
start_redis "$redis_port" "$logs/redis.log"
names=()
node_pids=()
for p in "${node_ports[@]}"; do
  names+=("n$((${#names[@]} + 1))")
  start_node "$logs/node" "${names[-1]}" "$p" "$redis_port" "$logs/${names[-1]}.log" "${client_args[@]}"
  node_pids+=("$LAST_PID")
  echo "node ${names[-1]}: http://127.0.0.1:$p/ (PID $LAST_PID)"
done
redis_pid=${STARTED[0]}
start_haproxy "$here/haproxy-$affinity.cfg" "$port" "${node_ports[@]}" "$logs/haproxy.log"
haproxy_pid=${STARTED[-1]}
echo "redis-server on 127.0.0.1:$redis_port (PID $redis_pid); logs in $logs"
echo
echo "Chat through HAProxy (affinity: $affinity): http://127.0.0.1:$port/"
echo "Ctrl-C stops everything (or the end of $duration s)."
# Report nodes that die (their visitors reconnect to the others); stop if
# Redis or HAProxy does.
reported=" "
for ((t = 0; t < duration; t++)); do
  if ! running "$redis_pid" || ! running "$haproxy_pid"; then
    echo "redis-server or haproxy exited; stopping (see $logs)" >&2
    exit 1
  fi
  for i in "${!node_pids[@]}"; do
    if [[ $reported != *" ${names[i]} "* ]] && ! running "${node_pids[i]}"; then
      echo "node ${names[i]} (PID ${node_pids[i]}) is gone: its sessions ended, their clients reconnect to the others"
      reported+="${names[i]} "
    fi
  done
  sleep 1
done
