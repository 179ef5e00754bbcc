#!/usr/bin/env bash
# Gregor's test command. On a fresh Debian 12 machine it installs what it
# needs, then runs the test suites and prints "N passed, N failed".
#
#   ./tests/run.sh            all suites
#   ./tests/run.sh unit       one suite (see SUITES below)
#   ./tests/run.sh unit fuzz  several
#
# Exit status: 0 when everything passed, 1 otherwise.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$GREGOR_ROOT"

SUITES=(unit fuzz integration interop)

PASSED=0
FAILED=0
FAILED_NAMES=()
ARTIFACTS="${GREGOR_ARTIFACTS:-$GREGOR_ROOT/.cache/test-artifacts}"
mkdir -p "$ARTIFACTS"

record() {  # record NAME STATUS(0=pass)
  if [ "$2" -eq 0 ]; then
    PASSED=$((PASSED + 1))
  else
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$1")
  fi
}

suite_unit() {
  log "suite unit: bazel test //..."
  local out="$ARTIFACTS/unit.log"
  bazel test --test_summary=short //... 2>&1 | tee "$out" | grep -E "(PASSED|FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD|ERROR:)" >&2
  local rc=${PIPESTATUS[0]}
  local n
  n=$(grep -cE "^//.* PASSED" "$out")
  PASSED=$((PASSED + n))
  while read -r t; do
    record "unit:$t" 1
  done < <(grep -E "^//.* (FAILED|TIMEOUT|NO STATUS)" "$out" | awk '{print $1}')
  if [ "$rc" -ne 0 ] && ! grep -qE "^//.* (FAILED|TIMEOUT|NO STATUS)" "$out"; then
    record "unit:build" 1
  fi
}

suite_fuzz() {
  if [ -x tests/fuzz/run.sh ]; then
    log "suite fuzz"
    tests/fuzz/run.sh
    record "fuzz" $?
  else
    log "suite fuzz: no fuzz targets yet"
  fi
}

suite_integration() {
  log "suite integration: controller quorum with real processes"
  python3 tests/integration/controller/test_controller.py
  record "integration:controller" $?
  log "suite integration: malformed and hostile requests against a real cluster"
  python3 tests/integration/bad_input/test_bad_input.py
  record "integration:bad-input" $?
  log "suite integration: Kafka's admin CLI tools against a real cluster"
  GREGOR_PORT_OFFSET=150 python3 tests/integration/admin/test_admin_cli.py
  record "integration:admin-cli" $?
}

suite_replication() {
  log "suite replication: failover scenarios against a real 3+3 cluster"
  tests/integration/replication/run.sh
  record "integration:replication" $?
}

suite_chaos() {
  log "suite chaos: 180 s of randomized faults against 3 controllers + 3 brokers in network namespaces"
  tests/chaos/run.sh --duration 180 ${GREGOR_CHAOS_SEED:+--seed "$GREGOR_CHAOS_SEED"}
  record "chaos" $?
}

suite_deploy() {
  log "suite deploy: image from the built tree, compose cluster, failover demo, cluster view, metrics"
  tests/deploy/run.sh
  record "deploy" $?
}

suite_interop() {
  log "suite interop: record batches read by kafka-python and the Java client"
  proto/kafka/records/testdata/interop.sh check
  record "interop:record-batches" $?
  log "suite interop: every client scenario against a fresh Gregor cluster"
  tests/interop/run.sh --gregor
  record "interop:clients-gregor" $?
}

main() {
  local wanted=("$@")
  [ ${#wanted[@]} -eq 0 ] && wanted=("${SUITES[@]}")
  for s in "${wanted[@]}"; do
    if ! declare -F "suite_$s" >/dev/null; then
      echo "unknown suite '$s'; suites: ${SUITES[*]}" >&2
      exit 2
    fi
  done
  if ! ensure_build_deps; then
    echo "0 passed, 1 failed (could not install build dependencies)"
    exit 1
  fi
  for s in "${wanted[@]}"; do "suite_$s"; done
  if [ ${#FAILED_NAMES[@]} -gt 0 ]; then
    printf 'failed: %s\n' "${FAILED_NAMES[@]}" >&2
  fi
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}

main "$@"
