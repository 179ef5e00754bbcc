#!/usr/bin/env bash
# Runs the client interop scenarios (see tests/interop/README.md).
#
#   tests/interop/run.sh                          all clients against a fresh Apache Kafka
#   tests/interop/run.sh java franz-go            some clients
#   tests/interop/run.sh --bootstrap h:p,h:p      against a running cluster (Gregor, ...)
#   tests/interop/run.sh --gregor                 against a fresh Gregor cluster (what CI runs)
#   INTEROP_BOOTSTRAP=h:p tests/interop/run.sh    the same
#
# Options:
#   --bootstrap LIST   bootstrap servers; default: start Apache Kafka from
#                      tests/kafka (3 nodes, 127.0.0.1:19092-19094) and stop it after
#   --gregor           build and start a Gregor cluster (deploy/cluster.sh: 3
#                      controllers, 3 brokers) in a temporary dir with its own
#                      ports (deploy/cluster.sh's + INTEROP_GREGOR_PORT_OFFSET,
#                      default 550: not a multiple of 100, so no port meets a
#                      developer's cluster at such an offset), run the clients
#                      against it and stop it after; its logs are kept in the
#                      artifacts when a client failed; DIR/gregor-api-usage.txt
#                      says which APIs each client sent (brokers' counters)
#   --artifacts DIR    where logs go (default $GREGOR_ARTIFACTS/interop or
#                      .cache/test-artifacts/interop); kept for failed clients
#   --request-log      (own Kafka only) log every request, then summarise the
#                      protocol versions each client used into DIR/protocol-versions.txt
#   --keep             keep every client's logs and dumps, not only failed ones
#   --list             print the client names and exit
#
# Prints PASS/FAIL/SKIP per client with its time, then "N passed, N failed".
# Exit status: 0 when nothing failed.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

CLIENTS=(kafka-python kafka-python-2 examples confluent-kafka kcat java franz-go kafkajs kafka-cli)
# A client's run is stopped after this many seconds.
CLIENT_TIMEOUT="${INTEROP_CLIENT_TIMEOUT:-400}"

BOOTSTRAP="${INTEROP_BOOTSTRAP:-}"
ARTIFACTS="${GREGOR_ARTIFACTS:-$GREGOR_ROOT/.cache/test-artifacts}/interop"
REQUEST_LOG=0
KEEP=0
GREGOR=0
WANTED=()
while [ $# -gt 0 ]; do
  case "$1" in
    --bootstrap) BOOTSTRAP="$2"; shift 2 ;;
    --bootstrap=*) BOOTSTRAP="${1#*=}"; shift ;;
    --artifacts) ARTIFACTS="$2"; shift 2 ;;
    --request-log) REQUEST_LOG=1; shift ;;
    --gregor) GREGOR=1; shift ;;
    --keep) KEEP=1; shift ;;
    --list) printf '%s\n' "${CLIENTS[@]}"; exit 0 ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (try --help)" >&2; exit 2 ;;
    *) WANTED+=("$1"); shift ;;
  esac
done
[ ${#WANTED[@]} -eq 0 ] && WANTED=("${CLIENTS[@]}")
if [ "$GREGOR" = 1 ] && { [ -n "$BOOTSTRAP" ] || [ "$REQUEST_LOG" = 1 ]; }; then
  echo "--gregor starts its own cluster: not with --bootstrap or --request-log" >&2
  exit 2
fi
for c in "${WANTED[@]}"; do
  [ -x "$INTEROP_DIR/clients/$c.sh" ] || { echo "unknown client '$c'; clients: ${CLIENTS[*]}" >&2; exit 2; }
done

rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"
export INTEROP_RUN_ID
PASSED=0 FAILED=0 SKIPPED=0
RESULTS=()
OWN_KAFKA=0
# The suite's Kafka keeps its data and logs apart from a developer's manual cluster.
export KAFKA_RUN_DIR="$INTEROP_CACHE/kafka-run"

stop_kafka() {
  if [ "$OWN_KAFKA" = 1 ]; then
    "$KAFKA_SH" stop >/dev/null 2>&1
    OWN_KAFKA=0
  fi
}

# The --gregor cluster: its own dir and ports, so it never meets a developer's
# cluster (deploy/cluster.sh honours GREGOR_CLUSTER_DIR and GREGOR_PORT_OFFSET).
OWN_GREGOR=0
GREGOR_DIR=""
CLUSTER_SH="$GREGOR_ROOT/deploy/cluster.sh"
gregor_cluster() { GREGOR_CLUSTER_DIR="$GREGOR_DIR" "$CLUSTER_SH" "$@"; }
# The ports deploy/cluster.sh gives the cluster (brokers, broker HTTP,
# replication, controllers, controller HTTP).
gregor_ports() {
  local o=$GREGOR_PORT_OFFSET
  echo $((9092 + o)) $((9093 + o)) $((9094 + o)) $((8081 + o)) $((8082 + o)) $((8083 + o)) \
    $((9192 + o)) $((9193 + o)) $((9194 + o)) $((9301 + o)) $((9302 + o)) $((9303 + o)) \
    $((8301 + o)) $((8302 + o)) $((8303 + o))
}
gregor_http_ports() { local o=$GREGOR_PORT_OFFSET; echo $((8081 + o)) $((8082 + o)) $((8083 + o)); }
# api_snapshot CLIENT before|after: the brokers' request counters, per API.
api_snapshot() {
  [ "$OWN_GREGOR" = 1 ] || return 0
  mkdir -p "$ARTIFACTS/gregor-api"
  # shellcheck disable=SC2046
  python3 "$INTEROP_DIR/gregor_api_usage.py" snapshot $(gregor_http_ports) \
    >"$ARTIFACTS/gregor-api/$1.$2.json" 2>/dev/null
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
keep_gregor_logs() {
  mkdir -p "$ARTIFACTS/gregor"
  cp "$GREGOR_DIR"/*.log "$ARTIFACTS/gregor/" 2>/dev/null
}
# The dir of the running --gregor cluster, so that a run killed before its
# cleanup (SIGKILL, a lost machine) is cleaned up by the next run.
GREGOR_STATE="$INTEROP_CACHE/gregor-cluster-dir"
stop_gregor() {
  if [ "$OWN_GREGOR" = 1 ]; then
    gregor_cluster down >/dev/null 2>&1
    OWN_GREGOR=0
    rm -rf "$GREGOR_DIR"
    rm -f "$GREGOR_STATE"
  fi
}
trap 'stop_kafka; stop_gregor' EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

ensure_python || { echo "0 passed, 1 failed (python3 missing)"; exit 1; }

if [ "$GREGOR" = 1 ]; then
  # Not GREGOR_PORT_OFFSET: a developer's own cluster runs at that one.
  export GREGOR_PORT_OFFSET="${INTEROP_GREGOR_PORT_OFFSET:-550}"
  left="$(cat "$GREGOR_STATE" 2>/dev/null)"
  if [ -n "$left" ] && [ -d "$left" ] && [[ "$(basename "$left")" == gregor-interop.* ]]; then
    log "stopping the cluster an interrupted earlier run left in $left"
    GREGOR_CLUSTER_DIR="$left" "$CLUSTER_SH" down >/dev/null 2>&1
    rm -rf "$left"
  fi
  rm -f "$GREGOR_STATE"
  for p in $(gregor_ports); do
    if port_busy "$p"; then
      echo "0 passed, 1 failed (port $p is in use: set INTEROP_GREGOR_PORT_OFFSET to a free range)"
      exit 1
    fi
  done
  GREGOR_DIR="$(mktemp -d "${TMPDIR:-/tmp}/gregor-interop.XXXXXX")"
  OWN_GREGOR=1
  echo "$GREGOR_DIR" >"$GREGOR_STATE"
  log "starting Gregor (port offset $GREGOR_PORT_OFFSET, dir $GREGOR_DIR)"
  t0="$(now)"
  if ! gregor_cluster up >"$ARTIFACTS/gregor-start.log" 2>&1; then
    tail -30 "$ARTIFACTS/gregor-start.log" >&2
    keep_gregor_logs
    echo "0 passed, 1 failed (could not start Gregor; logs in $ARTIFACTS/gregor)"
    exit 1
  fi
  BOOTSTRAP="$(sed -n 's/^ *bootstrap servers: *//p' "$ARTIFACTS/gregor-start.log" | tail -1)"
  log "Gregor is up after $(elapsed "$t0")s"
elif [ -z "$BOOTSTRAP" ]; then
  log "starting Apache Kafka from tests/kafka"
  # A cluster left behind by an interrupted earlier run of the suite (its own run dir).
  "$KAFKA_SH" stop >/dev/null 2>&1
  start_opts=()
  [ "$REQUEST_LOG" = 1 ] && start_opts+=(--request-log)
  if ! BOOTSTRAP="$("$KAFKA_SH" start "${start_opts[@]}" 2>"$ARTIFACTS/kafka-start.log" | tail -1)" || [ -z "$BOOTSTRAP" ]; then
    cat "$ARTIFACTS/kafka-start.log" >&2
    "$KAFKA_SH" stop >/dev/null 2>&1
    echo "0 passed, 1 failed (could not start Apache Kafka)"
    exit 1
  fi
  OWN_KAFKA=1
fi
log "bootstrap servers: $BOOTSTRAP; run id $INTEROP_RUN_ID; artifacts in $ARTIFACTS"

: >"$ARTIFACTS/windows.tsv"
# The checker itself first: a checker that accepts anything would make every client pass.
if (cd "$INTEROP_DIR" && python3 spec_test.py) >"$ARTIFACTS/checker-selftest.log" 2>&1; then
  PASSED=$((PASSED + 1))
  line="PASS checker-selftest  ($(grep -oE '^Ran [0-9]+ tests' "$ARTIFACTS/checker-selftest.log"))"
  [ "$KEEP" = 1 ] || rm -f "$ARTIFACTS/checker-selftest.log"
else
  FAILED=$((FAILED + 1))
  line="FAIL checker-selftest (log: $ARTIFACTS/checker-selftest.log)"
fi
RESULTS+=("$line"); echo "$line"

for c in "${WANTED[@]}"; do
  script="$INTEROP_DIR/clients/$c.sh"
  t0="$(now)"
  "$script" install >"$ARTIFACTS/$c.install.log" 2>&1
  rc=$?
  install_s="$(elapsed "$t0")"
  if [ "$rc" = "$INTEROP_SKIP" ]; then
    SKIPPED=$((SKIPPED + 1))
    line="SKIP $c ($(tail -1 "$ARTIFACTS/$c.install.log"))"
    RESULTS+=("$line"); echo "$line"
    continue
  fi
  if [ "$rc" != 0 ]; then
    FAILED=$((FAILED + 1))
    line="FAIL $c: install failed after ${install_s}s (log: $ARTIFACTS/$c.install.log)"
    RESULTS+=("$line"); echo "$line"
    tail -15 "$ARTIFACTS/$c.install.log" | sed 's/^/    /'
    continue
  fi
  out="$ARTIFACTS/$c"
  mkdir -p "$out"
  t0="$(now)"
  start_epoch="$(date +%s.%N)"
  api_snapshot "$c" before
  timeout --kill-after=10 "$CLIENT_TIMEOUT" "$script" run "$BOOTSTRAP" "$out" >"$ARTIFACTS/$c.log" 2>&1
  rc=$?
  run_s="$(elapsed "$t0")"
  printf '%s\t%s\t%s\n' "$c" "$start_epoch" "$(date +%s.%N)" >>"$ARTIFACTS/windows.tsv"
  api_snapshot "$c" after
  result="$(grep -E '^(OK|FAIL) ' "$ARTIFACTS/$c.log" | tail -1)"
  if [ "$rc" = 0 ]; then
    PASSED=$((PASSED + 1))
    result="${result#OK }"
    line="PASS $c  ${run_s}s (install ${install_s}s)  ${result#*: }"
    [ "$KEEP" = 1 ] || rm -rf "$out" "$ARTIFACTS/$c.log" "$ARTIFACTS/$c.install.log"
  else
    FAILED=$((FAILED + 1))
    [ "$rc" = 124 ] && result="timed out after ${CLIENT_TIMEOUT}s"
    line="FAIL $c  ${run_s}s  ${result:-exit status $rc} (log: $ARTIFACTS/$c.log)"
  fi
  RESULTS+=("$line"); echo "$line"
  [ "$rc" = 0 ] || grep -vE '^(OK|FAIL) ' "$ARTIFACTS/$c.log" | tail -15 | sed 's/^/    /'
done

if [ "$OWN_KAFKA" = 1 ]; then
  if [ "$FAILED" -gt 0 ] || [ "$REQUEST_LOG" = 1 ]; then
    # Kafka's side of the story, for failed runs (and for the protocol summary).
    mkdir -p "$ARTIFACTS/kafka"
    for d in "$KAFKA_RUN_DIR"/node*; do
      [ -d "$d/logs" ] && cp -r "$d/logs" "$ARTIFACTS/kafka/$(basename "$d")"
    done
  fi
  stop_kafka
  if [ "$REQUEST_LOG" = 1 ]; then
    python3 "$INTEROP_DIR/protocol_versions.py" --windows "$ARTIFACTS/windows.tsv" \
      "$ARTIFACTS"/kafka/node*/requests.log >"$ARTIFACTS/protocol-versions.txt" &&
      log "protocol versions per client: $ARTIFACTS/protocol-versions.txt"
  fi
fi

if [ "$OWN_GREGOR" = 1 ]; then
  python3 "$INTEROP_DIR/gregor_api_usage.py" report "$ARTIFACTS/gregor-api" "${WANTED[@]}" \
    >"$ARTIFACTS/gregor-api-usage.txt" &&
    log "APIs each client sent to Gregor: $ARTIFACTS/gregor-api-usage.txt"
  rm -rf "$ARTIFACTS/gregor-api"
  if [ "$FAILED" -gt 0 ] || [ "$KEEP" = 1 ]; then
    keep_gregor_logs
    log "Gregor's logs: $ARTIFACTS/gregor"
  fi
  stop_gregor
fi

echo
printf '%s\n' "${RESULTS[@]}"
if [ "$SKIPPED" -gt 0 ]; then
  echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
  echo "$PASSED passed, $FAILED failed"
fi
[ "$FAILED" -eq 0 ]
