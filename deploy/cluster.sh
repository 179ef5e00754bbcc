#!/usr/bin/env bash
# A local Gregor cluster: 3 controllers + 3 brokers as processes on 127.0.0.1.
#
#   ./deploy/cluster.sh up       build if needed, start, wait until ready
#   ./deploy/cluster.sh down     stop cleanly (brokers first, controlled shutdown)
#   ./deploy/cluster.sh status   what runs, and each node's /status
#   ./deploy/cluster.sh kill N   SIGKILL broker N (1-3) — to watch a failover
#   ./deploy/cluster.sh start N  start broker N again
#
# Brokers (Kafka protocol): 127.0.0.1:9092, 9093, 9094  (ids 1, 2, 3)
# Broker HTTP (/metrics /status /ui): 8081-8083; replication (gRPC): 9192-9194
# Controllers (gRPC): 127.0.0.1:9301-9303 (ids 1001-1003); HTTP 8301-8303
# Data and logs: $GREGOR_CLUSTER_DIR (default <repo>/.cache/cluster)
#
# Environment: GREGOR_BROKER_FLAGS / GREGOR_CONTROLLER_FLAGS add flags to
# every broker / controller (e.g. GREGOR_BROKER_FLAGS=--log_flush_sync_before_ack=false).
# GREGOR_PORT_OFFSET (default 0) is added to every port above, so several
# clusters can run side by side (give each its own GREGOR_CLUSTER_DIR).
set -euo pipefail
source "$(dirname "$0")/../tests/lib.sh"

DIR="${GREGOR_CLUSTER_DIR:-$GREGOR_ROOT/.cache/cluster}"
BIN="$DIR/bin"
CONTROLLERS=(1001 1002 1003)
BROKERS=(1 2 3)
OFF="${GREGOR_PORT_OFFSET:-0}"
controller_port() { echo $((9300 + $1 - 1000 + OFF)); }
controller_http() { echo $((8300 + $1 - 1000 + OFF)); }
broker_port() { echo $((9091 + $1 + OFF)); }
broker_http() { echo $((8080 + $1 + OFF)); }
broker_replica_port() { echo $((9191 + $1 + OFF)); }
VOTERS="1001@127.0.0.1:$(controller_port 1001),1002@127.0.0.1:$(controller_port 1002),1003@127.0.0.1:$(controller_port 1003)"
BOOTSTRAP="127.0.0.1:$(broker_port 1),127.0.0.1:$(broker_port 2),127.0.0.1:$(broker_port 3)"

pidfile() { echo "$DIR/$1.pid"; }
alive() { local f; f=$(pidfile "$1"); [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

http_get() {  # http_get PORT PATH
  curl -s --max-time 2 "http://127.0.0.1:$1$2" 2>/dev/null || true
}

build() {
  ensure_build_deps
  ensure_packages curl
  log "building gregor-controller and gregor-broker"
  (cd "$GREGOR_ROOT" && bazel build //controller:gregor-controller //broker:gregor-broker)
  mkdir -p "$BIN"
  # Copies, so a later build does not change the binaries of a running cluster.
  cp -f "$GREGOR_ROOT/bazel-bin/controller/gregor-controller" "$BIN/.gregor-controller.new"
  cp -f "$GREGOR_ROOT/bazel-bin/broker/gregor-broker" "$BIN/.gregor-broker.new"
  mv -f "$BIN/.gregor-controller.new" "$BIN/gregor-controller"
  mv -f "$BIN/.gregor-broker.new" "$BIN/gregor-broker"
}

start_controller() {
  local id=$1
  alive "controller-$id" && return 0
  mkdir -p "$DIR/controller-$id"
  # shellcheck disable=SC2086
  nohup "$BIN/gregor-controller" --node_id="$id" --listeners="127.0.0.1:$(controller_port "$id")" \
    --controller_quorum_voters="$VOTERS" --metadata_log_dir="$DIR/controller-$id/metadata" \
    --http_port="$(controller_http "$id")" --default_replication_factor=3 --num_partitions=3 \
    ${GREGOR_CONTROLLER_FLAGS:-} >"$DIR/controller-$id.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "controller-$id")"
}

start_broker() {
  local id=$1
  alive "broker-$id" && return 0
  mkdir -p "$DIR/broker-$id"
  # shellcheck disable=SC2086
  nohup "$BIN/gregor-broker" --node_id="$id" \
    --listeners="PLAINTEXT://127.0.0.1:$(broker_port "$id")" \
    --replica_listener="127.0.0.1:$(broker_replica_port "$id")" \
    --http_port="$(broker_http "$id")" --log_dirs="$DIR/broker-$id/data" \
    --controller_quorum_voters="$VOTERS" --default_replication_factor=3 --num_partitions=3 \
    --offsets_topic_replication_factor=3 \
    ${GREGOR_BROKER_FLAGS:-} >"$DIR/broker-$id.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "broker-$id")"
}

wait_until() {  # wait_until SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then
      log "timed out waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

controller_leader_known() {
  local id
  for id in "${CONTROLLERS[@]}"; do
    http_get "$(controller_http "$id")" /status | grep -Eq '"active": *true' && return 0
  done
  return 1
}

broker_ready() { http_get "$(broker_http "$1")" /status | grep -Eq '"ready": *true'; }
all_brokers_ready() {
  local id
  for id in "${BROKERS[@]}"; do broker_ready "$id" || return 1; done
}

stop_pid() {  # stop_pid NAME SECONDS
  local f pid
  f=$(pidfile "$1")
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + $2))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

cmd_up() {
  build
  mkdir -p "$DIR"
  local id
  for id in "${CONTROLLERS[@]}"; do start_controller "$id"; done
  wait_until 60 "a controller leader" controller_leader_known || { cmd_status; exit 1; }
  for id in "${BROKERS[@]}"; do start_broker "$id"; done
  wait_until 120 "the brokers" all_brokers_ready || { cmd_status; exit 1; }
  echo "Gregor is up."
  echo "  bootstrap servers: $BOOTSTRAP"
  echo "  cluster view:      http://127.0.0.1:$(broker_http 1)/ui   (metrics: /metrics, status: /status)"
  echo "  data and logs:     $DIR"
}

cmd_down() {
  local id
  for id in "${BROKERS[@]}"; do stop_pid "broker-$id" 40 & done
  wait
  for id in "${CONTROLLERS[@]}"; do stop_pid "controller-$id" 10 & done
  wait
  echo "Gregor is down."
}

cmd_status() {
  local id
  for id in "${CONTROLLERS[@]}"; do
    if alive "controller-$id"; then
      echo "controller $id: running (pid $(cat "$(pidfile "controller-$id")")) $(http_get "$(controller_http "$id")" /status | head -c 200)"
    else
      echo "controller $id: stopped"
    fi
  done
  for id in "${BROKERS[@]}"; do
    if alive "broker-$id"; then
      echo "broker $id:     running (pid $(cat "$(pidfile "broker-$id")")) $(http_get "$(broker_http "$id")" /status)"
    else
      echo "broker $id:     stopped"
    fi
  done
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  kill)
    f=$(pidfile "broker-${2:?broker id}")
    [ -f "$f" ] && kill -KILL "$(cat "$f")" && rm -f "$f" && echo "killed broker $2"
    ;;
  start)
    start_broker "${2:?broker id}"
    wait_until 60 "broker $2" broker_ready "$2" && echo "broker $2 is ready"
    ;;
  *)
    echo "usage: $0 up|down|status|kill N|start N" >&2
    exit 2
    ;;
esac
