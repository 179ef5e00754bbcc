#!/usr/bin/env bash
# Gregor's chaos test: a cluster in network namespaces, an idempotent acks=all
# producer and a consumer group, a randomized fault schedule derived from a
# seed (kills, pauses, restarts, controller kills, network partitions), then
# heal, catch up, and a checker that proves no acknowledged record was lost,
# duplicated, reordered or moved. See tests/chaos/README.md.
#
#   tests/chaos/run.sh [--duration SECONDS] [--seed N] [--scenario LIST] [--runs K]
#                      [--rf 3|1] [--rate N] [--consumers N] [--max-concurrent N]
#                      [--artifacts DIR] [--keep] [--broker-flags "..."]
#
#   --duration    length of the fault phase (default 180)
#   --seed        schedule seed (default: random, printed); run K uses seed+K-1
#   --scenario    faults to draw from: kill, pause, controller, partition,
#                 consumer, all (default), or fault kinds (see `gregor-chaos schedule`)
#   --runs        how many runs, each with the next seed (default 1)
#   --rf          replication factor of the test topic (default 3, with
#                 min.insync.replicas=2; --rf 1 until replication works)
#   --rate        producer records per second (default 500)
#   --artifacts   where failed runs' logs go (default $GREGOR_ARTIFACTS/chaos
#                 or <repo>/.cache/test-artifacts/chaos)
#   --keep        keep every run's logs and data, not only the failed ones
#
# Needs root (network namespaces). Installs what it needs on Debian 12:
# iproute2, iptables, curl, the build dependencies, and Go (a toolchain from
# the Go module proxy when no Go >= 1.26 is installed). Prints
# "N passed, N failed" (the checker's self-test counts as one) and exits 1
# on any failure.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib.sh"
cd "$GREGOR_ROOT"

DURATION=180
SEED=""
SCENARIO=all
RUNS=1
RF=3
RATE=500
CONSUMERS=2
MAX_CONCURRENT=2
KEEP=0
ARTIFACTS="${GREGOR_ARTIFACTS:-$GREGOR_ROOT/.cache/test-artifacts}/chaos"
BROKER_FLAGS="--replica_lag_time_max_ms=10000"
GO_VERSION=1.26.8

usage() { sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --scenario) SCENARIO=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --rf) RF=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --consumers) CONSUMERS=$2; shift 2 ;;
    --max-concurrent) MAX_CONCURRENT=$2; shift 2 ;;
    --artifacts) ARTIFACTS=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --broker-flags) BROKER_FLAGS=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[ -n "$SEED" ] || SEED=$(( ($(date +%s%N) / 1000) % 1000000 ))
MIN_ISR=2
[ "$RF" -lt 2 ] && MIN_ISR=1

CACHE="$GREGOR_ROOT/.cache/chaos"
WORK="$CACHE/work"
BIN="$CACHE/bin"
CLUSTER="$HERE/netns_cluster.sh"
export GCH_NS="${GCH_NS:-gch}" GCH_NET="${GCH_NET:-10.213.7}" GCH_RF="$RF" GCH_BIN="$BIN"
export GCH_BROKER_FLAGS="$BROKER_FLAGS"

PASSED=0
FAILED=0
record() {  # record NAME STATUS
  if [ "$2" -eq 0 ]; then PASSED=$((PASSED + 1)); log "PASS $1"
  else FAILED=$((FAILED + 1)); log "FAIL $1"; fi
}
bail() {
  echo "$PASSED passed, $((FAILED + 1)) failed ($*)"
  exit 1
}

# ------------------------------------------------------------------ setup

if [ "$(id -u)" -ne 0 ]; then
  bail "needs root for network namespaces"
fi

go_ok() {  # go_ok GO: version >= GO_VERSION's minor
  local v
  v=$("$1" env GOVERSION 2>/dev/null) || return 1
  v=${v#go}
  local want_minor=${GO_VERSION#1.}
  want_minor=${want_minor%%.*}
  local minor=${v#1.}
  minor=${minor%%.*}
  [ "${v%%.*}" = 1 ] && [ "$minor" -ge "$want_minor" ] 2>/dev/null
}

find_go() {
  local g
  for g in "${GO:-}" "$(command -v go 2>/dev/null)" /usr/local/go/bin/go "$CACHE/go/bin/go"; do
    [ -n "$g" ] && [ -x "$g" ] && go_ok "$g" && { echo "$g"; return 0; }
  done
  # A Go toolchain is itself a module on the Go proxy (golang.org/toolchain).
  local arch
  case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) return 1 ;; esac
  local mod="v0.0.1-go$GO_VERSION.linux-$arch"
  local proxy="${GOPROXY:-https://proxy.golang.org}"
  proxy=${proxy%%,*}
  [ "$proxy" = direct ] || [ "$proxy" = off ] && proxy=https://proxy.golang.org
  log "fetching Go $GO_VERSION from $proxy"
  ensure_packages unzip >&2 || return 1
  rm -rf "$CACHE/go" "$CACHE/go.zip" "$CACHE/go.unzip"
  mkdir -p "$CACHE"
  curl -fsSL "$proxy/golang.org/toolchain/@v/$mod.zip" -o "$CACHE/go.zip" || return 1
  unzip -q "$CACHE/go.zip" -d "$CACHE/go.unzip" || return 1
  mv "$CACHE/go.unzip/golang.org/toolchain@$mod" "$CACHE/go"
  rm -rf "$CACHE/go.zip" "$CACHE/go.unzip"
  chmod +x "$CACHE/go/bin/"* "$CACHE/go/pkg/tool/"*/* 2>/dev/null
  go_ok "$CACHE/go/bin/go" && echo "$CACHE/go/bin/go"
}

log "chaos: seed $SEED, $RUNS run(s) of ${DURATION}s, faults: $SCENARIO, rf $RF"
ensure_build_deps || bail "could not install build dependencies"
ensure_packages iproute2 iptables curl ca-certificates || bail "could not install iproute2/iptables/curl"
GO_BIN=$(find_go) || bail "no Go >= $GO_VERSION and could not fetch one"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

log "building gregor-controller and gregor-broker"
mkdir -p "$CACHE"
bazel build //controller:gregor-controller //broker:gregor-broker >"$CACHE/bazel.log" 2>&1 ||
  { tail -30 "$CACHE/bazel.log" >&2; bail "bazel build failed"; }
mkdir -p "$BIN" "$WORK"
# Copies: a later build must not change a running cluster's binaries.
cp -f bazel-bin/controller/gregor-controller "$BIN/.c" && mv -f "$BIN/.c" "$BIN/gregor-controller"
cp -f bazel-bin/broker/gregor-broker "$BIN/.b" && mv -f "$BIN/.b" "$BIN/gregor-broker"
log "building gregor-chaos with $GO_BIN"
(cd "$HERE" && "$GO_BIN" build -o "$BIN/gregor-chaos" ./cmd/gregor-chaos) || bail "go build failed"

log "checker and schedule self-tests"
(cd "$HERE" && "$GO_BIN" test ./... >"$WORK/selftest.log" 2>&1)
rc=$?
cat "$WORK/selftest.log" >&2
record "chaos self-tests (checker against corrupted logs, schedule determinism)" $rc

# One cluster at a time per namespace prefix.
# (No `exec 9>... 2>/dev/null`: exec would keep stderr closed for the rest
# of the script.)
LOCK="/run/lock/gregor-chaos-$GCH_NS.lock"
[ -d /run/lock ] && [ -w /run/lock ] || LOCK="$CACHE/$GCH_NS.lock"
exec 9>"$LOCK"
flock -n 9 || bail "another chaos run holds the $GCH_NS namespaces (set GCH_NS and GCH_NET to run another)"

cleanup() { GCH_DIR="${RUN_DIR:-$WORK}/cluster" "$CLUSTER" down >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ runs

run_one() {  # run_one SEED
  local seed=$1
  RUN_DIR="$WORK/seed-$seed"
  rm -rf "$RUN_DIR"
  mkdir -p "$RUN_DIR"
  export GCH_DIR="$RUN_DIR/cluster"
  "$CLUSTER" down >/dev/null 2>&1 || true  # leftovers of an interrupted run
  log "run seed $seed: starting the cluster"
  if ! "$CLUSTER" up >"$RUN_DIR/cluster-up.log" 2>&1; then
    cat "$RUN_DIR/cluster-up.log" >&2
    return 1
  fi
  local bootstrap
  bootstrap=$("$CLUSTER" bootstrap)
  "$BIN/gregor-chaos" create-topic --brokers "$bootstrap" --topic chaos --partitions 6 \
    --rf "$RF" --min-isr "$MIN_ISR" 2>&1 | tee "$RUN_DIR/create-topic.log" >&2
  [ "${PIPESTATUS[0]}" -eq 0 ] || return 1
  "$BIN/gregor-chaos" scenario --dir "$RUN_DIR" --cluster-script "$CLUSTER" \
    --seed "$seed" --duration "${DURATION}s" --scenario "$SCENARIO" --rf "$RF" \
    --rate "$RATE" --consumers "$CONSUMERS" --max-concurrent "$MAX_CONCURRENT" \
    2> >(tee "$RUN_DIR/scenario.stderr" >&2)
  local rc=$?
  "$CLUSTER" status >"$RUN_DIR/cluster-status.txt" 2>&1
  # The check is done: no need for controlled shutdowns (up to 20 s a broker).
  "$CLUSTER" kill b1,b2,b3,c1,c2,c3 >/dev/null 2>&1
  "$CLUSTER" down >/dev/null 2>&1
  return $rc
}

for ((i = 0; i < RUNS; i++)); do
  s=$((SEED + i))
  started=$SECONDS
  run_one "$s"
  rc=$?
  log "seed $s: run took $((SECONDS - started)) s (cluster start, ${DURATION} s of faults, heal, catch-up, check)"
  if [ $rc -ne 0 ] || [ "$KEEP" = 1 ]; then
    mkdir -p "$ARTIFACTS"
    rm -rf "$ARTIFACTS/seed-$s"
    mv "$RUN_DIR" "$ARTIFACTS/seed-$s"
    log "seed $s: logs and data in $ARTIFACTS/seed-$s"
    log "replay: tests/chaos/run.sh --seed $s --duration $DURATION --scenario $SCENARIO --rf $RF --rate $RATE"
  else
    rm -rf "$RUN_DIR"
  fi
  record "chaos seed $s (${DURATION}s, $SCENARIO)" $rc
done

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
