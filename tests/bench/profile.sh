#!/usr/bin/env bash
# CPU profile of Gregor's brokers under scenario (b) of tests/bench/run.sh:
# RF=3, acks=all, min.insync.replicas=2, 1 KiB records, max throughput with
# Kafka's ProducerPerformance. Starts its own Gregor cluster (same ports and
# directory as run.sh, so not while run.sh runs), records with `perf record`
# (Debian's linux-perf) on all three brokers, and prints the top symbols.
#
#   tests/bench/profile.sh [--records N] [--pagecache] [--seconds S]
#
# Output: .cache/bench/profile/{perf.data,top.txt,callers.txt}.
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$BENCH_DIR/../lib.sh"
# shellcheck source=bench_lib.sh
source "$BENCH_DIR/bench_lib.sh"

RECORDS=600000
MODE=durable
PERF_SECONDS=15
while [ $# -gt 0 ]; do
  case "$1" in
    --records) RECORDS="$2"; shift 2 ;;
    --pagecache) MODE=pagecache; shift ;;
    --seconds) PERF_SECONDS="$2"; shift 2 ;;
    *) echo "profile.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

OUT="$BENCH_CACHE/profile"
LOGS="$OUT/logs"
RESULTS="$OUT/results.tsv"
mkdir -p "$LOGS"
: >"$RESULTS"
ensure_packages linux-perf || exit 1
bench_setup || exit 1
trap 'gregor_stop' EXIT
gregor_start "$MODE" || exit 1
create_topic gregor prof 6 3 min.insync.replicas=2 || exit 1

java_produce gregor prof "$RECORDS" -1 acks=all >"$OUT/producer.txt" &
PP=$!
sleep 4  # past the JVM start and the first metadata round trips
pids=$(broker_pids gregor | paste -sd, -)
log "perf record -g on brokers $pids for $PERF_SECONDS s"
perf record -F 999 --call-graph fp -p "$pids" -o "$OUT/perf.data" -- sleep "$PERF_SECONDS" >"$LOGS/perf-record.log" 2>&1
wait "$PP"
log "producer: $(cat "$OUT/producer.txt")"
perf report -i "$OUT/perf.data" --no-children --sort dso,symbol --stdio 2>/dev/null |
  grep -v '^#' | grep -v '^$' | grep -E '^ +[0-9]' | head -40 >"$OUT/top.txt"
perf report -i "$OUT/perf.data" --children --sort symbol --stdio -g none 2>/dev/null |
  grep -v '^#' | grep -v '^$' | grep -E '^ +[0-9]' | head -60 >"$OUT/callers.txt"
echo "== self time (top 40) =="
cat "$OUT/top.txt"
echo "== inclusive time (top 60) =="
cat "$OUT/callers.txt"
