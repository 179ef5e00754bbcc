#!/usr/bin/env bash
# Side-by-side benchmark: Apache Kafka (from Maven jars, tests/kafka/kafka.sh)
# and Gregor (deploy/cluster.sh), same shape (3 controllers + 3 brokers on
# loopback), same machine, same load generators, runs alternating between the
# two systems. Prints one Markdown table: scenario, Kafka, Gregor, ratio.
#
#   tests/bench/run.sh            the full run (about 30-40 minutes on 2 cores)
#   tests/bench/run.sh --quick    a smoke version (a few minutes; small counts, 1 run each)
#
# Options: --reps N (runs per figure, default 3; quick 1), --kills N (failovers
# for (g), default 10; quick 1), --only LIST (comma-separated scenario letters,
# e.g. --only a,b,g), --keep (leave both clusters running at the end),
# --out DIR (raw results and logs; default .cache/bench/results).
#
# Environment: GREGOR_PORT_OFFSET (Gregor's ports, see deploy/cluster.sh),
# KAFKA_PORT / KAFKA_CONTROLLER_PORT (Kafka's first client / controller port,
# default 19092 / 19192), KAFKA_HEAP (per Kafka node, default 768m),
# BENCH_TOOL_HEAP (Java load generators, default 1g).
#
# Scenarios (see docs/benchmarks.md): (a) RF=1 acks=1 max throughput; (b) RF=3
# acks=all min.insync.replicas=2 max throughput; (c) RF=3 acks=all at half of
# Kafka's (b) rate: produce and end-to-end latency; (d) consume 1 GiB from the
# start; (e) 1,000 partitions; (f) idle memory and start time; (g) failover
# after SIGKILL of a partition leader. (a)-(c) run in two durability modes:
# "durable" (Gregor's default fsync-before-ack vs Kafka with flush.messages=1)
# and "page cache" (Gregor with --log_flush_sync_before_ack=false vs Kafka's
# default); (d)-(g) run in page-cache mode for both, except (g) which runs
# with Gregor's default.
set -uo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$BENCH_DIR/../lib.sh"
# shellcheck source=bench_lib.sh
source "$BENCH_DIR/bench_lib.sh"

QUICK=0
REPS=""
KILLS=""
ONLY="a,b,c,d,e,f,g"
KEEP=0
OUT="$GREGOR_ROOT/.cache/bench/results"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; shift ;;
    --reps) REPS="$2"; shift 2 ;;
    --kills) KILLS="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --out) OUT="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

if [ "$QUICK" = 1 ]; then
  REPS="${REPS:-1}"; KILLS="${KILLS:-1}"
  N_THROUGHPUT=60000       # (a), (b): 1 KiB records per run
  C_SECONDS=5              # (c): length of the fixed-rate run
  C_E2E=200                # (c): round trips of EndToEndLatency
  N_CONSUME=100000         # (d): records read (100 MiB instead of 1 GiB)
  N_MANY=30000             # (e): records over 1,000 partitions
else
  REPS="${REPS:-3}"; KILLS="${KILLS:-10}"
  N_THROUGHPUT=200000
  C_SECONDS=15
  C_E2E=1000
  N_CONSUME=1048576
  N_MANY=100000
fi
want() { [[ ",$ONLY," == *",$1,"* ]]; }

mkdir -p "$OUT"
RESULTS="$OUT/results.tsv"
: >"$RESULTS"
LOGS="$OUT/logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"
bench_setup || exit 1

cleanup() {
  if [ "$KEEP" = 0 ]; then
    gregor_stop >/dev/null 2>&1
    kafka_stop >/dev/null 2>&1
  fi
}
trap cleanup EXIT

LOAD_SAMPLES="$OUT/load.txt"
: >"$LOAD_SAMPLES"
sample_load() { while :; do cut -d' ' -f1 /proc/loadavg >>"$LOAD_SAMPLES"; sleep 10; done; }
sample_load &
LOAD_PID=$!
trap 'kill $LOAD_PID 2>/dev/null; cleanup' EXIT

T0=$SECONDS
log "bench: reps=$REPS kills=$KILLS quick=$QUICK scenarios=$ONLY; results in $OUT"

# ------------------------------------------------------------------ start both
# (f) cold start: process start -> every broker ready, and idle memory.
kafka_start || exit 1
record f "cluster cold start, 3+3 (s)" kafka "$KAFKA_START_SECS"
gregor_start durable || exit 1
record f "cluster cold start, 3+3 (s)" gregor "$GREGOR_START_SECS"
sleep 5
for sys in kafka gregor; do
  for pid in $(broker_pids "$sys"); do record f "idle RSS per broker (MiB)" "$sys" "$(rss_mib "$pid")"; done
  for pid in $(controller_pids "$sys"); do record f "idle RSS per controller (MiB)" "$sys" "$(rss_mib "$pid")"; done
done

# ------------------------------------------------------------------ produce scenarios
# kafka_cfg SYSTEM: the topic configs of the mode ($kcfg of produce_rows) for Kafka only.
kafka_cfg() { if [ "$1" = kafka ] && [ -n "$kcfg" ]; then echo "$kcfg"; fi; }

# produce_rows MODE: (a), (b), (c) in one durability mode.
produce_rows() {
  local mode="$1" label kcfg=""
  if [ "$mode" = durable ]; then label="durable"; kcfg="flush.messages=1"; else label="page cache"; fi
  local rep sys topic line c0
  if want a; then
    for rep in $(seq "$REPS"); do
      for sys in kafka gregor; do
        topic="a-$mode-$rep"
        create_topic "$sys" "$topic" 6 1 $(kafka_cfg "$sys") || continue
        c0=$(cpu_ticks "$sys")
        line="$(java_produce "$sys" "$topic" "$N_THROUGHPUT" -1 acks=1)" && {
          record a "(a) RF=1 acks=1, Java producer, MB/s [$label]" "$sys" "$(pp_field "$line" mb)"
          record a "(a) RF=1 acks=1, Java producer, server CPU ms per MiB [$label]" "$sys" \
            "$(cpu_ms_per_mib "$c0" "$(cpu_ticks "$sys")" "$N_THROUGHPUT")"
        }
        line="$(rd_produce "$sys" "$topic" "$N_THROUGHPUT" 1)" &&
          record a "(a) RF=1 acks=1, librdkafka, MB/s [$label]" "$sys" "$(kv "$line" mb_per_sec)"
        delete_topic "$sys" "$topic"
      done
    done
  fi
  if want b || want c; then
    for rep in $(seq "$REPS"); do
      for sys in kafka gregor; do
        topic="b-$mode-$rep"
        create_topic "$sys" "$topic" 6 3 min.insync.replicas=2 $(kafka_cfg "$sys") || continue
        c0=$(cpu_ticks "$sys")
        line="$(java_produce "$sys" "$topic" "$N_THROUGHPUT" -1 acks=all)" && {
          record b "(b) RF=3 acks=all, Java producer, MB/s [$label]" "$sys" "$(pp_field "$line" mb)"
          record b "(b) RF=3 acks=all, Java producer, server CPU ms per MiB [$label]" "$sys" \
            "$(cpu_ms_per_mib "$c0" "$(cpu_ticks "$sys")" "$N_THROUGHPUT")"
          record b "(b) RF=3 acks=all, Java producer, records/s [$label]" "$sys" "$(pp_field "$line" rps)"
          record b "(b) RF=3 acks=all, Java producer, p99 ms [$label]" "$sys" "$(pp_field "$line" p99)"
        }
        line="$(rd_produce "$sys" "$topic" "$N_THROUGHPUT" all)" &&
          record b "(b) RF=3 acks=all, librdkafka, MB/s [$label]" "$sys" "$(kv "$line" mb_per_sec)"
        delete_topic "$sys" "$topic"
      done
    done
  fi
  if want c; then
    # Half of Kafka's (b) rate in this mode, measured above in this run.
    local kmax rate count
    kmax="$(median_of c_dummy "(b) RF=3 acks=all, Java producer, records/s [$label]" kafka)"
    if [ -z "$kmax" ]; then
      log "(c) [$label]: no Kafka (b) figure to take half of; skipped"
    else
      rate=$(awk -v r="$kmax" 'BEGIN { printf "%d", r / 2 }')
      count=$((rate * C_SECONDS))
      note "(c) [$label]: fixed rate $rate records/s (half of Kafka's median (b) $kmax), $count records, $C_E2E end-to-end round trips"
      for rep in $(seq "$REPS"); do
        for sys in kafka gregor; do
          topic="c-$mode-$rep"
          create_topic "$sys" "$topic" 6 3 min.insync.replicas=2 $(kafka_cfg "$sys") || continue
          create_topic "$sys" "$topic-e2e" 1 3 min.insync.replicas=2 $(kafka_cfg "$sys") || continue
          # The fixed-rate producer and, while it runs, the round-trip probe.
          java_produce "$sys" "$topic" "$count" "$rate" acks=all >"$LOGS/c-$sys-$mode-$rep.pp" &
          local pp=$!
          sleep 3
          line="$(java_e2e "$sys" "$topic-e2e" "$C_E2E")" && {
            record c "(c) end-to-end p50 ms [$label]" "$sys" "$(e2e_field "$line" p50)"
            record c "(c) end-to-end p99 ms [$label]" "$sys" "$(e2e_field "$line" p99)"
            record c "(c) end-to-end p99.9 ms [$label]" "$sys" "$(e2e_field "$line" p999)"
            record c "(c) end-to-end avg ms [$label]" "$sys" "$(e2e_field "$line" avg)"
          }
          if wait "$pp"; then
            line="$(tail -1 "$LOGS/c-$sys-$mode-$rep.pp")"
            record c "(c) produce p50 ms [$label]" "$sys" "$(pp_field "$line" p50)"
            record c "(c) produce p99 ms [$label]" "$sys" "$(pp_field "$line" p99)"
            record c "(c) produce p99.9 ms [$label]" "$sys" "$(pp_field "$line" p999)"
            record c "(c) achieved MB/s [$label]" "$sys" "$(pp_field "$line" mb)"
          fi
          delete_topic "$sys" "$topic"
          delete_topic "$sys" "$topic-e2e"
        done
      done
    fi
  fi
}

produce_rows durable

# ------------------------------------------------------------------ (g) failover
# With Gregor's default (fsync) and Kafka's default: failover does not depend
# on the flush policy.
if want g; then
  for sys in kafka gregor; do create_topic "$sys" failover 6 3 min.insync.replicas=2; done
  for k in $(seq "$KILLS"); do
    for sys in kafka gregor; do
      failover_once "$sys" failover "$k"
    done
  done
fi

# ------------------------------------------------------------------ page-cache mode
gregor_stop
gregor_start pagecache || exit 1
produce_rows pagecache

if want d; then
  for sys in kafka gregor; do
    create_topic "$sys" consume 6 3 min.insync.replicas=2 || continue
    # acks=all: with acks=1 a leader change during the preload may truncate
    # acknowledged records, and the readers would wait for records that are gone.
    rd_produce "$sys" consume "$N_CONSUME" all >/dev/null || log "(d) preload on $sys failed"
  done
  for rep in $(seq "$REPS"); do
    for sys in kafka gregor; do
      c0=$(cpu_ticks "$sys")
      line="$(java_consume "$sys" consume "$N_CONSUME")" && {
        record d "(d) consume $((N_CONSUME / 1024)) MiB, Java consumer, MB/s" "$sys" "$(cp_field "$line")"
        record d "(d) consume, Java consumer, server CPU ms per MiB" "$sys" \
          "$(cpu_ms_per_mib "$c0" "$(cpu_ticks "$sys")" "$N_CONSUME")"
      }
      line="$(rd_consume "$sys" consume "$N_CONSUME")" &&
        record d "(d) consume $((N_CONSUME / 1024)) MiB, librdkafka, MB/s" "$sys" "$(kv "$line" mb_per_sec)"
    done
  done
  for sys in kafka gregor; do delete_topic "$sys" consume; done
fi

if want e; then
  for rep in $(seq "$REPS"); do
    for sys in kafka gregor; do
      topic="many-$rep"
      local_t0=$(now_ms)
      create_topic "$sys" "$topic" 1000 3 min.insync.replicas=2 || continue
      record e "(e) create 1,000 partitions RF=3, until all ISRs full (s)" "$sys" \
        "$(awk -v a="$local_t0" -v b="$(now_ms)" 'BEGIN { printf "%.2f", (b - a) / 1000 }')"
      line="$(java_produce "$sys" "$topic" "$N_MANY" -1 acks=all)" &&
        record e "(e) 1,000 partitions, acks=all, Java producer, MB/s" "$sys" "$(pp_field "$line" mb)"
      delete_topic "$sys" "$topic"
    done
  done
fi

# Peak memory over the whole run (VmHWM), and restart times from (g).
for sys in kafka gregor; do
  for pid in $(broker_pids "$sys"); do record f "peak RSS per broker over the run (MiB)" "$sys" "$(hwm_mib "$pid")"; done
done

kill "$LOAD_PID" 2>/dev/null
note "load average during the run (1-min, sampled every 10 s): $(load_summary "$LOAD_SAMPLES")"
note "elapsed: $(((SECONDS - T0) / 60)) min $(((SECONDS - T0) % 60)) s"
python3 "$BENCH_DIR/report.py" "$RESULTS"
