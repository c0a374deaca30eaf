# Functions shared by run.sh and test.sh: start Redis, chat nodes and
# HAProxy on loopback ports, remember every PID, and stop them all. Source
# it; besides functions it defines STARTED, USED_PORTS and LAST_PID.

STARTED=() # PIDs of the processes started here, in order

# running PID reports whether PID is a live process (not a zombie).
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

# free_port VAR sets VAR to a loopback port that nothing listens on and
# that free_port has not chosen before. It stays below the ephemeral range
# (32768 and up on Linux), where outgoing connections, to Redis for one,
# take their local ports.
USED_PORTS=" "
free_port() {
  local i p
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 12000))
    [[ $USED_PORTS == *" $p "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      USED_PORTS+="$p "
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# wait_port PORT NAME waits up to 10 s until something listens on PORT,
# and fails at once if the process started last has exited.
wait_port() {
  local i pid=${STARTED[-1]}
  for ((i = 0; i < 100; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    if ! running "$pid"; then
      echo "$2 exited before listening on 127.0.0.1:$1" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "$2 did not listen on 127.0.0.1:$1 within 10 s" >&2
  return 1
}

# start_redis PORT LOG starts a redis-server without persistence.
start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize no --loglevel warning >"$2" 2>&1 &
  STARTED+=($!)
  wait_port "$1" redis-server
}

# start_node BINARY NAME PORT REDIS_PORT LOG [ARGS...] starts a chat node.
start_node() {
  local bin=$1 name=$2 port=$3 redis_port=$4 log=$5
  shift 5
  "$bin" -addr "127.0.0.1:$port" -redis "127.0.0.1:$redis_port" -name "$name" "$@" >"$log" 2>&1 &
  STARTED+=($!)
  LAST_PID=$! # for the caller
  wait_port "$port" "node $name"
}

# start_haproxy CONFIG PORT NODE1_PORT NODE2_PORT NODE3_PORT LOG starts
# HAProxy in the foreground with one of the configurations of this
# directory.
start_haproxy() {
  CLUSTER_LISTEN="127.0.0.1:$2" NODE1="127.0.0.1:$3" NODE2="127.0.0.1:$4" NODE3="127.0.0.1:$5" \
    haproxy -f "$1" >"$6" 2>&1 &
  STARTED+=($!)
  wait_port "$2" "haproxy ($1)"
}

# stop_started stops every started process by its PID, newest first:
# SIGTERM, up to 5 s of grace, then SIGKILL; then reaps them.
stop_started() {
  local i pid alive
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    kill -TERM "${STARTED[i]}" 2>/dev/null || true
  done
  for ((i = 0; i < 50; i++)); do
    alive=0
    for pid in "${STARTED[@]}"; do
      running "$pid" && alive=1
    done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${STARTED[@]}"; do
    if running "$pid"; then
      echo "PID $pid ignored SIGTERM for 5 s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  STARTED=()
}

# start_nginx CONFIG PORT NODE1_PORT NODE2_PORT NODE3_PORT DIR starts nginx
# in the foreground with one of the nginx configurations of this directory
# (written for ports 8080-8083), moved to the given ports. DIR holds its
# files and error log.
start_nginx() {
  local dir=$6
  mkdir -p "$dir"
  sed -e "s/:8080\b/:$2/g" -e "s/:8081\b/:$3/g" -e "s/:8082\b/:$4/g" -e "s/:8083\b/:$5/g" "$1" >"$dir/site.conf"
  cat >"$dir/nginx.conf" <<CONF
daemon off;
user root;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    include $dir/site.conf;
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/stderr.log" 2>&1 &
  STARTED+=($!)
  wait_port "$2" "nginx ($1)"
}
