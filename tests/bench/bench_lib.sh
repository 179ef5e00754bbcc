# Helpers of tests/bench/run.sh: the two clusters, the load generators, and
# the results file. Source it after tests/lib.sh; it defines functions only.
#
# Systems are named "kafka" and "gregor". Results go to $RESULTS as lines
#   SCENARIO <TAB> METRIC <TAB> SYSTEM <TAB> VALUE
# and notes as "#note <TAB> TEXT"; report.py turns them into the table.

BENCH_CACHE="$GREGOR_ROOT/.cache/bench"
KAFKA_SH="$GREGOR_ROOT/tests/kafka/kafka.sh"
CLUSTER_SH="$GREGOR_ROOT/deploy/cluster.sh"
RDKAFKA_BENCH="$BENCH_CACHE/rdkafka_bench"

export KAFKA_RUN_DIR="${KAFKA_RUN_DIR:-$BENCH_CACHE/kafka-run}"
export KAFKA_PORT="${KAFKA_PORT:-19092}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19192}"
export KAFKA_HEAP="${KAFKA_HEAP:-768m}"
export GREGOR_CLUSTER_DIR="${GREGOR_CLUSTER_DIR_BENCH:-$BENCH_CACHE/gregor}"
export GREGOR_PORT_OFFSET="${GREGOR_PORT_OFFSET:-0}"
BENCH_TOOL_HEAP="${BENCH_TOOL_HEAP:-1g}"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
KAFKA_LIBS="${KAFKA_CACHE:-$GREGOR_ROOT/.cache/kafka}/$KAFKA_VERSION/libs"

now_ms() { date +%s%3N; }

# ------------------------------------------------------------------ results

record() {  # record SCENARIO METRIC SYSTEM VALUE
  [ -n "$4" ] || { log "no value for $2 on $3"; return 0; }
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RESULTS"
  log "  $3: $2 = $4"
}
note() { printf '#note\t%s\n' "$*" >>"$RESULTS"; log "$*"; }

median_of() {  # median_of _ METRIC SYSTEM: median of the values recorded so far
  awk -F'\t' -v m="$2" -v s="$3" '$2 == m && $3 == s { print $4 }' "$RESULTS" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

kv() {  # kv "a=1 b=2" b -> 2
  tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2 }'
}

load_summary() {  # min/median/max of the sampled load averages
  sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR) printf "min %.2f, median %.2f, max %.2f (%d samples)", v[1], v[int((NR + 1) / 2)], v[NR], NR }'
}

# ------------------------------------------------------------------ processes

proc_start_ms() {  # epoch ms at which PID started (10 ms resolution)
  local btime ticks hz
  btime=$(awk '/^btime/ { print $2 }' /proc/stat)
  ticks=$(sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $20 }')
  hz=$(getconf CLK_TCK)
  echo $((btime * 1000 + ticks * 1000 / hz))
}
# cpu_ticks SYSTEM: user+system clock ticks used so far by all its brokers and controllers.
cpu_ticks() {
  local pid total=0 t
  for pid in $(broker_pids "$1") $(controller_pids "$1"); do
    t=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }')
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
# cpu_ms_per_mib TICKS_BEFORE TICKS_AFTER RECORDS: server CPU per MiB of 1 KiB records.
cpu_ms_per_mib() {
  awk -v a="$1" -v b="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%.1f", (b - a) * 1000 / hz / (n * 1024 / 1048576) }'
}
rss_mib() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
hwm_mib() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Kafka: controllers are nodes 1-3, brokers nodes 4-6 (broker id = node id).
kafka_node_dir() { echo "$KAFKA_RUN_DIR/node$1"; }
kafka_broker_port() { echo $((KAFKA_PORT + $1 - 4)); }
gregor_broker_port() { echo $((9091 + $1 + GREGOR_PORT_OFFSET)); }

bootstrap() {
  if [ "$1" = kafka ]; then
    echo "127.0.0.1:$KAFKA_PORT,127.0.0.1:$((KAFKA_PORT + 1)),127.0.0.1:$((KAFKA_PORT + 2))"
  else
    echo "127.0.0.1:$(gregor_broker_port 1),127.0.0.1:$(gregor_broker_port 2),127.0.0.1:$(gregor_broker_port 3)"
  fi
}

broker_pid() {  # broker_pid SYSTEM ID
  if [ "$1" = kafka ]; then cat "$(kafka_node_dir "$2")/pid" 2>/dev/null; else cat "$GREGOR_CLUSTER_DIR/broker-$2.pid" 2>/dev/null; fi
}
broker_ids() { if [ "$1" = kafka ]; then echo 4 5 6; else echo 1 2 3; fi; }
broker_pids() { local id; for id in $(broker_ids "$1"); do broker_pid "$1" "$id"; done; }
controller_pids() {
  local id
  if [ "$1" = kafka ]; then
    for id in 1 2 3; do cat "$(kafka_node_dir "$id")/pid" 2>/dev/null; done
  else
    for id in 1001 1002 1003; do cat "$GREGOR_CLUSTER_DIR/controller-$id.pid" 2>/dev/null; done
  fi
}

# ------------------------------------------------------------------ setup

bench_setup() {
  ensure_packages librdkafka-dev g++ curl || return 1
  "$KAFKA_SH" fetch || return 1
  mkdir -p "$BENCH_CACHE"
  if [ ! -x "$RDKAFKA_BENCH" ] || [ "$GREGOR_ROOT/tests/bench/rdkafka_bench.cc" -nt "$RDKAFKA_BENCH" ]; then
    log "building rdkafka_bench"
    g++ -std=c++20 -O2 -Wall -o "$RDKAFKA_BENCH" "$GREGOR_ROOT/tests/bench/rdkafka_bench.cc" -lrdkafka || return 1
  fi
  # Build Gregor now so that the timed start below does not include the build.
  log "building Gregor (bazel build, the configuration deploy/cluster.sh uses)"
  bazel_build //controller:gregor-controller //broker:gregor-broker >"$LOGS/bazel-build.log" 2>&1 ||
    { tail -20 "$LOGS/bazel-build.log" >&2; return 1; }
  note "kafka $KAFKA_VERSION (Java $(java -version 2>&1 | awk -F'"' '/version/ { print $2; exit }'), heap $KAFKA_HEAP per node, G1); librdkafka $(dpkg-query -W -f='${Version}' librdkafka1 2>/dev/null); gregor $(git -C "$GREGOR_ROOT" rev-parse --short HEAD)"
}

kafka_stop() { "$KAFKA_SH" stop >/dev/null 2>&1; }

kafka_start() {
  kafka_stop
  local t_ready first pid
  "$KAFKA_SH" start --controllers 3 --brokers 3 --heap "$KAFKA_HEAP" >"$LOGS/kafka-start.log" 2>&1 ||
    { tail -20 "$LOGS/kafka-start.log" >&2; return 1; }
  t_ready=$(now_ms)
  first=""
  for pid in $(controller_pids kafka) $(broker_pids kafka); do
    local s; s=$(proc_start_ms "$pid")
    if [ -z "$first" ] || [ "$s" -lt "$first" ]; then first=$s; fi
  done
  KAFKA_START_SECS=$(awk -v a="$first" -v b="$t_ready" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
}

gregor_stop() { "$CLUSTER_SH" down >/dev/null 2>&1; }

gregor_start() {  # gregor_start durable|pagecache
  if [ "$1" = pagecache ]; then
    export GREGOR_BROKER_FLAGS="--log_flush_sync_before_ack=false"
  else
    export GREGOR_BROKER_FLAGS=""
  fi
  gregor_stop
  rm -rf "$GREGOR_CLUSTER_DIR"
  local t_ready first pid
  "$CLUSTER_SH" up >"$LOGS/gregor-start-$1.log" 2>&1 || { tail -20 "$LOGS/gregor-start-$1.log" >&2; return 1; }
  t_ready=$(now_ms)
  first=""
  for pid in $(controller_pids gregor) $(broker_pids gregor); do
    local s; s=$(proc_start_ms "$pid")
    if [ -z "$first" ] || [ "$s" -lt "$first" ]; then first=$s; fi
  done
  GREGOR_START_SECS=$(awk -v a="$first" -v b="$t_ready" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
}

# ------------------------------------------------------------------ topics

java_tool() {  # java_tool CLASS args...: Kafka's tools with a full JIT (they are the load)
  java -Xms"$BENCH_TOOL_HEAP" -Xmx"$BENCH_TOOL_HEAP" \
    -Dlog4j2.configurationFile="$GREGOR_ROOT/tests/kafka/tools-log4j2.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

create_topic() {  # create_topic SYSTEM NAME PARTITIONS RF [key=value...]
  local sys="$1" name="$2" parts="$3" rf="$4"
  shift 4
  local cfg=() kv
  for kv in "$@"; do cfg+=(-c "$kv"); done
  if ! "$RDKAFKA_BENCH" create -b "$(bootstrap "$sys")" -t "$name" -P "$parts" -R "$rf" "${cfg[@]}" \
      >>"$LOGS/topics-$sys.log" 2>&1; then
    log "create topic $name on $sys failed (see $LOGS/topics-$sys.log)"
    return 1
  fi
  local wait_s=$((parts >= 100 ? 300 : 120))
  "$RDKAFKA_BENCH" isr -b "$(bootstrap "$sys")" -t "$name" -i "$rf" -w "$wait_s" >>"$LOGS/topics-$sys.log" 2>&1 ||
    { log "topic $name on $sys: ISRs not full (or warm-up failed) after $wait_s s"; return 1; }
}

delete_topic() {  # delete_topic SYSTEM NAME (frees the disk; failures are logged only)
  "$RDKAFKA_BENCH" delete -b "$(bootstrap "$1")" -t "$2" >>"$LOGS/topics-$1.log" 2>&1 ||
    log "delete topic $2 on $1 failed"
}

# ------------------------------------------------------------------ load generators

# java_produce SYSTEM TOPIC COUNT THROUGHPUT acks=X: ProducerPerformance's summary line.
java_produce() {
  local sys="$1" topic="$2" n="$3" tput="$4" acks="$5" logf
  logf="$LOGS/pp-$sys-$topic-$(now_ms).log"
  java_tool org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$n" \
    --record-size 1024 --throughput "$tput" --producer-props bootstrap.servers="$(bootstrap "$sys")" \
    "$acks" linger.ms=5 batch.size=131072 >"$logf" 2>&1
  grep -E 'records sent, .* 99\.9th' "$logf" | tail -1 | grep . ||
    { log "ProducerPerformance on $sys/$topic failed: $(tail -3 "$logf" | tr '\n' ' ')"; return 1; }
}

# pp_field LINE mb|rps|p50|p95|p99|p999 from ProducerPerformance's summary:
# "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency,
#  P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th."
pp_field() {
  local line="$1"
  case "$2" in
    rps) sed -E 's/.* records sent, ([0-9.]+) records\/sec.*/\1/' <<<"$line" ;;
    mb) sed -E 's/.*\(([0-9.]+) MB\/sec\).*/\1/' <<<"$line" ;;
    p50) sed -E 's/.* ([0-9]+) ms 50th.*/\1/' <<<"$line" ;;
    p95) sed -E 's/.* ([0-9]+) ms 95th.*/\1/' <<<"$line" ;;
    p99) sed -E 's/.* ([0-9]+) ms 99th.*/\1/' <<<"$line" ;;
    p999) sed -E 's/.* ([0-9]+) ms 99\.9th.*/\1/' <<<"$line" ;;
  esac
}

rd_produce() {  # rd_produce SYSTEM TOPIC COUNT ACKS
  local logf="$LOGS/rdp-$1-$2-$(now_ms).log"
  "$RDKAFKA_BENCH" produce -b "$(bootstrap "$1")" -t "$2" -n "$3" -s 1024 -a "$4" >"$logf" 2>&1
  grep '^records=' "$logf" || { log "rdkafka produce on $1/$2 failed: $(tail -3 "$logf" | tr '\n' ' ')"; return 1; }
}

rd_consume() {  # rd_consume SYSTEM TOPIC COUNT
  local logf="$LOGS/rdc-$1-$2-$(now_ms).log"
  "$RDKAFKA_BENCH" consume -b "$(bootstrap "$1")" -t "$2" -n "$3" -w 30 >"$logf" 2>&1
  grep '^records=' "$logf" || { log "rdkafka consume on $1/$2 failed: $(tail -3 "$logf" | tr '\n' ' ')"; return 1; }
}

# java_consume SYSTEM TOPIC COUNT: ConsumerPerformance's CSV line (a new group each time).
java_consume() {
  local logf="$LOGS/cp-$1-$2-$(now_ms).log"
  java_tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$(bootstrap "$1")" \
    --topic "$2" --messages "$3" --group "bench-$RANDOM$RANDOM" --timeout 30000 --hide-header >"$logf" 2>&1
  grep -E '^[0-9]{4}-' "$logf" | tail -1 | grep . ||
    { log "ConsumerPerformance on $1/$2 failed: $(tail -3 "$logf" | tr '\n' ' ')"; return 1; }
}
# cp_field LINE: fetch.MB.sec (throughput without the group join) of the CSV line
# start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
cp_field() { awk -F', ' '{ print $9 }' <<<"$1"; }

# java_e2e SYSTEM TOPIC COUNT: "avg p50 p99 p999" (ms) from EndToEndLatency (acks=all, 1 KiB).
java_e2e() {
  local logf="$LOGS/e2e-$1-$2-$(now_ms).log"
  java_tool org.apache.kafka.tools.EndToEndLatency "$(bootstrap "$1")" "$2" "$3" all 1024 >"$logf" 2>&1
  local avg pct
  avg=$(sed -nE 's/^Avg latency: ([0-9.]+) ms.*/\1/p' "$logf")
  pct=$(sed -nE 's/^Percentiles: 50th = ([0-9.]+), 99th = ([0-9.]+), 99\.9th = ([0-9.]+).*/\1 \2 \3/p' "$logf")
  [ -n "$avg" ] && [ -n "$pct" ] || { log "EndToEndLatency on $1/$2 failed: $(tail -3 "$logf" | tr '\n' ' ')"; return 1; }
  echo "$avg $pct"
}
e2e_field() {
  local a=($1)
  case "$2" in avg) echo "${a[0]}" ;; p50) echo "${a[1]}" ;; p99) echo "${a[2]}" ;; p999) echo "${a[3]}" ;; esac
}

# ------------------------------------------------------------------ failover

restart_broker() {  # restart_broker SYSTEM ID CMDLINE_FILE: prints seconds to ready
  local sys="$1" id="$2" t0 t1
  t0=$(now_ms)
  if [ "$sys" = kafka ]; then
    local dir args
    dir=$(kafka_node_dir "$id")
    mapfile -d '' args <"$3"
    setsid "${args[@]}" </dev/null >>"$dir/logs/stdout.log" 2>&1 &
    echo $! >"$dir/pid"
    local port deadline=$((SECONDS + 180))
    port=$(kafka_broker_port "$id")
    until port_open "$port"; do
      [ $SECONDS -lt $deadline ] || { log "kafka broker $id not back in 180 s"; return 1; }
      sleep 0.05
    done
  else
    "$CLUSTER_SH" start "$id" >>"$LOGS/gregor-restarts.log" 2>&1 || { log "gregor broker $id did not come back"; return 1; }
  fi
  t1=$(now_ms)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1000 }'
}

# failover_once SYSTEM TOPIC K: SIGKILL the leader of partition 0, time until
# the first acks=all record on it is acknowledged, restart the broker, wait
# until every ISR is full again.
failover_once() {
  local sys="$1" topic="$2" k="$3"
  local kf="$LOGS/kill-$sys-$k" out="$LOGS/failover-$sys-$k.out"
  rm -f "$kf"
  "$RDKAFKA_BENCH" failover -b "$(bootstrap "$sys")" -t "$topic" -p 0 -k "$kf" -w 120 >"$out" 2>&1 &
  local fpid=$! deadline=$((SECONDS + 30)) leader=""
  while [ -z "$leader" ]; do
    leader=$(sed -n 's/^leader=//p' "$out" 2>/dev/null)
    if [ $SECONDS -ge $deadline ] || ! kill -0 "$fpid" 2>/dev/null; then
      [ -n "$leader" ] || { log "failover $sys #$k: no leader/produce: $(cat "$out")"; kill "$fpid" 2>/dev/null; return 1; }
    fi
    sleep 0.05
  done
  sleep 1
  local pid
  pid=$(broker_pid "$sys" "$leader")
  [ -n "$pid" ] || { log "failover $sys #$k: no pid for broker $leader"; kill "$fpid" 2>/dev/null; return 1; }
  cp "/proc/$pid/cmdline" "$LOGS/cmdline-$sys-$leader"
  local t
  t=$(now_ms)
  kill -KILL "$pid"
  echo "$t" >"$kf.tmp" && mv "$kf.tmp" "$kf"
  [ "$sys" = gregor ] && rm -f "$GREGOR_CLUSTER_DIR/broker-$leader.pid"
  if wait "$fpid"; then
    record g "(g) failover after SIGKILL of a leader (ms)" "$sys" "$(sed -n 's/^failover_ms=//p' "$out")"
  else
    log "failover $sys #$k: $(tail -2 "$out" | tr '\n' ' ')"
  fi
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  local secs
  secs=$(restart_broker "$sys" "$leader" "$LOGS/cmdline-$sys-$leader") &&
    record f "broker restart after SIGKILL -> ready (s)" "$sys" "$secs"
  "$RDKAFKA_BENCH" isr -b "$(bootstrap "$sys")" -t "$topic" -i 3 -w 180 >/dev/null 2>&1 ||
    log "failover $sys #$k: ISRs of $topic not full 180 s after the restart"
}
