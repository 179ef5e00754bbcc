#!/usr/bin/env bash
# Apache Kafka from Maven jars, on loopback: fetch, start, stop, status, and
# Kafka's CLI tools. See tests/kafka/README.md for the full story.
#
#   tests/kafka/kafka.sh fetch                 download the jars (idempotent)
#   tests/kafka/kafka.sh start [options]       fresh KRaft cluster, waits until ready
#   tests/kafka/kafka.sh status                per node: pid, port, state
#   tests/kafka/kafka.sh stop                  stop the cluster started from this run dir
#   tests/kafka/kafka.sh bootstrap             print host:port,host:port,...
#   tests/kafka/kafka.sh tools                 list the CLI tools
#   tests/kafka/kafka.sh tool NAME [args]      run a CLI tool (kafka-topics, ...)
#   tests/kafka/kafka.sh run CLASS [args]      run any class on Kafka's classpath
#   tests/kafka/kafka.sh classpath             print the classpath (libs/*)
#
# start options (each also settable by the environment variable in brackets):
#   --nodes N            combined broker+controller nodes, default 3    [KAFKA_NODES]
#   --controllers N --brokers M   split roles instead of combined nodes [KAFKA_CONTROLLERS, KAFKA_BROKERS]
#   --port P             first client port, default 19092              [KAFKA_PORT]
#   --controller-port P  first controller port, default 19192          [KAFKA_CONTROLLER_PORT]
#   --heap SIZE          -Xms/-Xmx per node, default 768m               [KAFKA_HEAP]
#   --request-log        log every request/response as JSON            [KAFKA_REQUEST_LOG=1]
#   --set key=value      extra server property (repeatable)             [KAFKA_OVERRIDES="k=v k=v"]
# Other environment: KAFKA_VERSION (4.1.1), KAFKA_CACHE (jars, default
# <repo>/.cache/kafka), KAFKA_RUN_DIR (cluster data/logs/pids, default
# $KAFKA_CACHE/run), KAFKA_HOST (127.0.0.1), KAFKA_START_TIMEOUT (120 s),
# KAFKA_STOP_TIMEOUT (30 s), KAFKA_JVM_OPTS (extra JVM flags for nodes),
# KAFKA_TOOL_HEAP (512m, CLI tools).
#
# When this file is invoked through a symlink named after a tool
# (tests/kafka/bin/kafka-topics -> ../kafka.sh) it runs that tool.
set -uo pipefail

KAFKA_DIR="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
# shellcheck source=../lib.sh
source "$KAFKA_DIR/../lib.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
KAFKA_CACHE="${KAFKA_CACHE:-$GREGOR_ROOT/.cache/kafka}"
KAFKA_LIBS="$KAFKA_CACHE/$KAFKA_VERSION/libs"
KAFKA_RUN_DIR="${KAFKA_RUN_DIR:-$KAFKA_CACHE/run}"
KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_NODES="${KAFKA_NODES:-3}"
KAFKA_CONTROLLERS="${KAFKA_CONTROLLERS:-0}"
KAFKA_BROKERS="${KAFKA_BROKERS:-0}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19192}"
KAFKA_HEAP="${KAFKA_HEAP:-768m}"
KAFKA_TOOL_HEAP="${KAFKA_TOOL_HEAP:-512m}"
KAFKA_REQUEST_LOG="${KAFKA_REQUEST_LOG:-0}"
KAFKA_OVERRIDES="${KAFKA_OVERRIDES:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"

# Script name -> main class, for the CLI tools.
declare -A KAFKA_TOOLS=(
  [kafka-topics]=org.apache.kafka.tools.TopicCommand
  [kafka-console-producer]=org.apache.kafka.tools.ConsoleProducer
  [kafka-console-consumer]=org.apache.kafka.tools.consumer.ConsoleConsumer
  [kafka-consumer-groups]=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
  [kafka-producer-perf-test]=org.apache.kafka.tools.ProducerPerformance
  [kafka-consumer-perf-test]=org.apache.kafka.tools.ConsumerPerformance
  [kafka-e2e-latency]=org.apache.kafka.tools.EndToEndLatency
  [kafka-broker-api-versions]=org.apache.kafka.tools.BrokerApiVersionsCommand
  [kafka-get-offsets]=org.apache.kafka.tools.GetOffsetShell
  [kafka-configs]=kafka.admin.ConfigCommand
  [kafka-metadata-quorum]=org.apache.kafka.tools.MetadataQuorumCommand
  [kafka-cluster]=org.apache.kafka.tools.ClusterTool
  [kafka-delete-records]=org.apache.kafka.tools.DeleteRecordsCommand
  [kafka-leader-election]=org.apache.kafka.tools.LeaderElectionCommand
  [kafka-reassign-partitions]=org.apache.kafka.tools.reassign.ReassignPartitionsCommand
  [kafka-log-dirs]=org.apache.kafka.tools.LogDirsCommand
  [kafka-verifiable-producer]=org.apache.kafka.tools.VerifiableProducer
  [kafka-verifiable-consumer]=org.apache.kafka.tools.VerifiableConsumer
  [kafka-dump-log]=kafka.tools.DumpLogSegments
  [kafka-storage]=kafka.tools.StorageTool
)

die() { echo "kafka.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- fetch

ensure_java_and_maven() {
  local pkgs=()
  command -v java >/dev/null 2>&1 || pkgs+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
  [ ${#pkgs[@]} -eq 0 ] || ensure_packages "${pkgs[@]}" || die "could not install ${pkgs[*]}"
}

# The jars are complete when the marker written after a successful copy exists.
kafka_fetched() { [ -f "$KAFKA_LIBS/.complete" ]; }

cmd_fetch() {
  ensure_java_and_maven
  kafka_fetched && return 0
  log "fetching Apache Kafka $KAFKA_VERSION jars into $KAFKA_LIBS"
  local tmp="$KAFKA_LIBS.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -q -B -f "$KAFKA_DIR/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
    cat "$tmp.log" >&2
    rm -rf "$tmp" "$tmp.log"
    die "mvn dependency:copy-dependencies failed"
  fi
  rm -f "$tmp.log"
  [ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ] || die "kafka_2.13-$KAFKA_VERSION.jar missing after fetch"
  touch "$tmp/.complete"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  log "fetched $(ls "$KAFKA_LIBS" | wc -l) jars"
}

cmd_classpath() { echo "$KAFKA_LIBS/*"; }

# ---------------------------------------------------------------- tools

# run_class HEAP CLASS args...: a JVM on Kafka's classpath with quiet logging.
run_class() {
  local heap="$1" class="$2"
  shift 2
  kafka_fetched || cmd_fetch >&2 || exit 1
  # Tools are short-lived: C1 only and the serial GC start noticeably faster.
  # shellcheck disable=SC2086
  exec java -Xmx"$heap" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$KAFKA_DIR/tools-log4j2.properties" \
    ${KAFKA_TOOL_JVM_OPTS:-} -cp "$KAFKA_LIBS/*" "$class" "$@"
}

cmd_tool() {
  [ $# -ge 1 ] || die "usage: kafka.sh tool NAME [args]; see 'kafka.sh tools'"
  local name="$1"
  shift
  local class="${KAFKA_TOOLS[$name]:-}"
  [ -n "$class" ] || die "unknown tool '$name'; see 'kafka.sh tools'"
  run_class "$KAFKA_TOOL_HEAP" "$class" "$@"
}

cmd_tools() {
  local t
  for t in $(printf '%s\n' "${!KAFKA_TOOLS[@]}" | sort); do
    printf '%-28s %s\n' "$t" "${KAFKA_TOOLS[$t]}"
  done
}

# ---------------------------------------------------------------- cluster layout

# The cluster is described by the file $KAFKA_RUN_DIR/cluster.env written at
# start, so status/stop/bootstrap work without repeating the options.
layout_load() {
  [ -f "$KAFKA_RUN_DIR/cluster.env" ] || return 1
  # shellcheck disable=SC1091
  source "$KAFKA_RUN_DIR/cluster.env"
}

# Sets NODE_IDS, NODE_ROLES[id], NODE_CLIENT_PORT[id] (empty for controllers
# only), NODE_CONTROLLER_PORT[id] (empty for brokers only), VOTERS, BOOTSTRAP.
layout_compute() {
  NODE_IDS=()
  declare -gA NODE_ROLES=() NODE_CLIENT_PORT=() NODE_CONTROLLER_PORT=()
  local i id voters=() bootstrap=()
  if [ "$KAFKA_CONTROLLERS" -gt 0 ] || [ "$KAFKA_BROKERS" -gt 0 ]; then
    [ "$KAFKA_CONTROLLERS" -gt 0 ] && [ "$KAFKA_BROKERS" -gt 0 ] ||
      die "split mode needs both --controllers and --brokers"
    for ((i = 0; i < KAFKA_CONTROLLERS; i++)); do
      id=$((i + 1))
      NODE_IDS+=("$id")
      NODE_ROLES[$id]=controller
      NODE_CONTROLLER_PORT[$id]=$((KAFKA_CONTROLLER_PORT + i))
      NODE_CLIENT_PORT[$id]=""
      voters+=("$id@$KAFKA_HOST:${NODE_CONTROLLER_PORT[$id]}")
    done
    for ((i = 0; i < KAFKA_BROKERS; i++)); do
      id=$((KAFKA_CONTROLLERS + i + 1))
      NODE_IDS+=("$id")
      NODE_ROLES[$id]=broker
      NODE_CLIENT_PORT[$id]=$((KAFKA_PORT + i))
      NODE_CONTROLLER_PORT[$id]=""
      bootstrap+=("$KAFKA_HOST:${NODE_CLIENT_PORT[$id]}")
    done
  else
    [ "$KAFKA_NODES" -gt 0 ] || die "--nodes must be at least 1"
    for ((i = 0; i < KAFKA_NODES; i++)); do
      id=$((i + 1))
      NODE_IDS+=("$id")
      NODE_ROLES[$id]=broker,controller
      NODE_CLIENT_PORT[$id]=$((KAFKA_PORT + i))
      NODE_CONTROLLER_PORT[$id]=$((KAFKA_CONTROLLER_PORT + i))
      voters+=("$id@$KAFKA_HOST:${NODE_CONTROLLER_PORT[$id]}")
      bootstrap+=("$KAFKA_HOST:${NODE_CLIENT_PORT[$id]}")
    done
  fi
  VOTERS="$(IFS=,; echo "${voters[*]}")"
  BOOTSTRAP="$(IFS=,; echo "${bootstrap[*]}")"
  BROKER_COUNT=${#bootstrap[@]}
}

node_dir() { echo "$KAFKA_RUN_DIR/node$1"; }
node_pid() { cat "$(node_dir "$1")/pid" 2>/dev/null; }

# node_alive ID: the recorded pid is running and is our Kafka node (guards
# against a recycled pid).
node_alive() {
  local pid
  pid="$(node_pid "$1")" || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$(node_dir "$1")/server.properties"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# ---------------------------------------------------------------- start

write_server_properties() {
  local id="$1" dir
  dir="$(node_dir "$id")"
  local role="${NODE_ROLES[$id]}"
  local rf=$((BROKER_COUNT < 3 ? BROKER_COUNT : 3))
  local isr=$((rf < 2 ? 1 : 2))
  local listeners=() protocol_map="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  [ -n "${NODE_CLIENT_PORT[$id]}" ] && listeners+=("PLAINTEXT://$KAFKA_HOST:${NODE_CLIENT_PORT[$id]}")
  [ -n "${NODE_CONTROLLER_PORT[$id]}" ] && listeners+=("CONTROLLER://$KAFKA_HOST:${NODE_CONTROLLER_PORT[$id]}")
  {
    echo "# Written by tests/kafka/kafka.sh start; regenerated on every start."
    echo "process.roles=$role"
    echo "node.id=$id"
    echo "controller.quorum.voters=$VOTERS"
    echo "controller.listener.names=CONTROLLER"
    echo "listeners=$(IFS=,; echo "${listeners[*]}")"
    if [ -n "${NODE_CLIENT_PORT[$id]}" ]; then
      echo "advertised.listeners=PLAINTEXT://$KAFKA_HOST:${NODE_CLIENT_PORT[$id]}"
      echo "inter.broker.listener.name=PLAINTEXT"
    fi
    echo "listener.security.protocol.map=$protocol_map"
    echo "log.dirs=$dir/data"
    echo "default.replication.factor=$rf"
    echo "min.insync.replicas=$isr"
    echo "offsets.topic.replication.factor=$rf"
    echo "transaction.state.log.replication.factor=$rf"
    echo "transaction.state.log.min.isr=$isr"
    echo "share.coordinator.state.topic.replication.factor=$rf"
    echo "share.coordinator.state.topic.min.isr=$isr"
    local kv
    for kv in $KAFKA_OVERRIDES; do
      [[ "$kv" == *=* ]] || die "bad override '$kv' (want key=value)"
      echo "$kv"
    done
  } >"$dir/server.properties"
}

write_log4j_config() {
  local id="$1" dir
  dir="$(node_dir "$id")"
  {
    echo "# Written by tests/kafka/kafka.sh start."
    echo "status = warn"
    echo "appender.server.type = File"
    echo "appender.server.name = SERVER"
    echo "appender.server.fileName = $dir/logs/server.log"
    echo "appender.server.layout.type = PatternLayout"
    echo "appender.server.layout.pattern = [%d] %p %m (%c)%n"
    echo "rootLogger.level = INFO"
    echo "rootLogger.appenderRef.server.ref = SERVER"
    # Quiet loggers that are INFO-chatty on every request.
    echo "logger.controller.name = org.apache.kafka.controller"
    echo "logger.controller.level = INFO"
    echo "logger.state.name = state.change.logger"
    echo "logger.state.level = WARN"
    if [ "$KAFKA_REQUEST_LOG" = 1 ]; then
      echo "appender.requests.type = File"
      echo "appender.requests.name = REQUESTS"
      echo "appender.requests.fileName = $dir/logs/requests.log"
      echo "appender.requests.layout.type = PatternLayout"
      echo "appender.requests.layout.pattern = [%d] %m%n"
      echo "logger.requests.name = kafka.request.logger"
      echo "logger.requests.level = DEBUG"
      echo "logger.requests.additivity = false"
      echo "logger.requests.appenderRef.requests.ref = REQUESTS"
    fi
  } >"$dir/log4j2.properties"
}

cmd_start() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) KAFKA_NODES="$2"; shift 2 ;;
      --controllers) KAFKA_CONTROLLERS="$2"; shift 2 ;;
      --brokers) KAFKA_BROKERS="$2"; shift 2 ;;
      --port) KAFKA_PORT="$2"; shift 2 ;;
      --controller-port) KAFKA_CONTROLLER_PORT="$2"; shift 2 ;;
      --heap) KAFKA_HEAP="$2"; shift 2 ;;
      --request-log) KAFKA_REQUEST_LOG=1; shift ;;
      --set) KAFKA_OVERRIDES="$KAFKA_OVERRIDES $2"; shift 2 ;;
      *) die "unknown start option '$1'" ;;
    esac
  done
  cmd_fetch || exit 1
  if layout_load; then
    local id
    for id in "${NODE_IDS[@]}"; do
      node_alive "$id" && die "a cluster is already running from $KAFKA_RUN_DIR (node $id); stop it first"
    done
  fi
  layout_compute
  local id port
  for id in "${NODE_IDS[@]}"; do
    for port in ${NODE_CLIENT_PORT[$id]} ${NODE_CONTROLLER_PORT[$id]}; do
      port_open "$KAFKA_HOST" "$port" && die "port $KAFKA_HOST:$port is already in use"
    done
  done

  rm -rf "$KAFKA_RUN_DIR"
  mkdir -p "$KAFKA_RUN_DIR"
  {
    echo "NODE_IDS=(${NODE_IDS[*]})"
    declare -p NODE_ROLES NODE_CLIENT_PORT NODE_CONTROLLER_PORT | sed 's/^declare -A/declare -gA/'
    echo "BOOTSTRAP='$BOOTSTRAP'"
    echo "KAFKA_HOST='$KAFKA_HOST'"
    echo "KAFKA_LIBS='$KAFKA_LIBS'"
  } >"$KAFKA_RUN_DIR/cluster.env"

  local cluster_id
  cluster_id="$(java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$KAFKA_DIR/tools-log4j2.properties" \
    kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
  [ -n "$cluster_id" ] || die "StorageTool random-uuid failed"

  # Format all nodes (in parallel: each is a JVM start).
  local pids=() dir
  for id in "${NODE_IDS[@]}"; do
    dir="$(node_dir "$id")"
    mkdir -p "$dir/data" "$dir/logs"
    write_server_properties "$id"
    write_log4j_config "$id"
    java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$KAFKA_LIBS/*" \
      -Dlog4j2.configurationFile="$KAFKA_DIR/tools-log4j2.properties" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
      >"$dir/logs/format.log" 2>&1 &
    pids+=($!)
  done
  local i
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { cat "$(node_dir "${NODE_IDS[$i]}")/logs/format.log" >&2; die "format of node ${NODE_IDS[$i]} failed"; }
  done

  log "starting Kafka $KAFKA_VERSION: ${#NODE_IDS[@]} node(s), bootstrap $BOOTSTRAP, heap $KAFKA_HEAP, run dir $KAFKA_RUN_DIR"
  for id in "${NODE_IDS[@]}"; do
    dir="$(node_dir "$id")"
    # setsid: the node keeps running after this shell exits and is not hit by
    # the caller's Ctrl-C; stop it with 'kafka.sh stop'.
    # shellcheck disable=SC2086
    setsid java -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -Djava.awt.headless=true -Dkafka.logs.dir="$dir/logs" \
      -Dlog4j2.configurationFile="$dir/log4j2.properties" $KAFKA_JVM_OPTS \
      -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties" \
      </dev/null >"$dir/logs/stdout.log" 2>&1 &
    echo $! >"$dir/pid"
  done
  cmd_wait
}

# cmd_wait: until every broker's client port answers (Kafka opens it only
# once the broker has caught up with the metadata log) and every controller's
# port answers.
cmd_wait() {
  layout_load || die "no cluster in $KAFKA_RUN_DIR"
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT)) id port ready
  while :; do
    ready=1
    for id in "${NODE_IDS[@]}"; do
      if ! node_alive "$id"; then
        tail -30 "$(node_dir "$id")/logs/stdout.log" "$(node_dir "$id")/logs/server.log" >&2 2>/dev/null
        die "node $id exited during startup (logs in $(node_dir "$id")/logs)"
      fi
      port="${NODE_CLIENT_PORT[$id]:-${NODE_CONTROLLER_PORT[$id]}}"
      port_open "$KAFKA_HOST" "$port" || ready=0
    done
    [ "$ready" = 1 ] && break
    [ $SECONDS -lt $deadline ] || die "cluster not ready after ${KAFKA_START_TIMEOUT}s (logs in $KAFKA_RUN_DIR/node*/logs)"
    sleep 0.3
  done
  log "Kafka ready: $BOOTSTRAP"
  echo "$BOOTSTRAP"
}

# ---------------------------------------------------------------- stop / status

cmd_stop() {
  layout_load || { log "no cluster in $KAFKA_RUN_DIR"; return 0; }
  local id pid alive=()
  # Brokers first, controllers last: a broker's controlled shutdown needs a
  # live controller quorum. Combined nodes all get SIGTERM together.
  local phase ids
  for phase in brokers controllers; do
    ids=()
    for id in "${NODE_IDS[@]}"; do
      if [ "$phase" = brokers ] && [ "${NODE_ROLES[$id]}" != controller ]; then ids+=("$id"); fi
      if [ "$phase" = controllers ] && [ "${NODE_ROLES[$id]}" = controller ]; then ids+=("$id"); fi
    done
    alive=()
    for id in "${ids[@]}"; do
      if node_alive "$id"; then
        kill -TERM "$(node_pid "$id")" 2>/dev/null
        alive+=("$id")
      fi
    done
    local deadline=$((SECONDS + KAFKA_STOP_TIMEOUT)) still
    while [ ${#alive[@]} -gt 0 ]; do
      still=()
      for id in "${alive[@]}"; do node_alive "$id" && still+=("$id"); done
      alive=("${still[@]}")
      [ ${#alive[@]} -eq 0 ] && break
      if [ $SECONDS -ge $deadline ]; then
        for id in "${alive[@]}"; do
          pid="$(node_pid "$id")"
          log "node $id (pid $pid) did not stop in ${KAFKA_STOP_TIMEOUT}s; killing it"
          kill -KILL "$pid" 2>/dev/null
        done
        sleep 0.5
        break
      fi
      sleep 0.3
    done
  done
  for id in "${NODE_IDS[@]}"; do rm -f "$(node_dir "$id")/pid"; done
  log "Kafka stopped"
}

cmd_status() {
  layout_load || { echo "no cluster in $KAFKA_RUN_DIR"; return 3; }
  local id port state rc=0
  for id in "${NODE_IDS[@]}"; do
    port="${NODE_CLIENT_PORT[$id]:-${NODE_CONTROLLER_PORT[$id]}}"
    if node_alive "$id"; then
      if port_open "$KAFKA_HOST" "$port"; then state=ready; else state=starting; rc=1; fi
      printf 'node %s  %-17s pid %-7s %s:%s  %s\n' "$id" "${NODE_ROLES[$id]}" "$(node_pid "$id")" "$KAFKA_HOST" "$port" "$state"
    else
      printf 'node %s  %-17s %-11s %s:%s  stopped\n' "$id" "${NODE_ROLES[$id]}" "" "$KAFKA_HOST" "$port"
      rc=3
    fi
  done
  echo "bootstrap: $BOOTSTRAP"
  return $rc
}

cmd_bootstrap() {
  if layout_load; then echo "$BOOTSTRAP"; else layout_compute; echo "$BOOTSTRAP"; fi
}

# ---------------------------------------------------------------- main

main() {
  local self
  self="$(basename "$0")"
  if [ -n "${KAFKA_TOOLS[$self]:-}" ]; then
    cmd_tool "$self" "$@"
  fi
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    fetch) cmd_fetch ;;
    start) cmd_start "$@" ;;
    wait) cmd_wait ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    bootstrap) cmd_bootstrap ;;
    classpath) kafka_fetched || cmd_fetch >&2; cmd_classpath ;;
    tools) cmd_tools ;;
    tool) cmd_tool "$@" ;;
    run)
      [ $# -ge 1 ] || die "usage: kafka.sh run CLASS [args]"
      run_class "$KAFKA_TOOL_HEAP" "$@" ;;
    -h | --help | help | "") sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command '$cmd' (try --help)" ;;
  esac
}

main "$@"
