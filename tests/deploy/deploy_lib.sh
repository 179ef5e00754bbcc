# Helpers of the deployment tests (tests/deploy/run.sh, kafka-reference/run.sh).
# Source after tests/lib.sh; defines functions only.

DEPLOY_PASSED=0
DEPLOY_FAILED=0
DEPLOY_FAILED_NAMES=()

# check NAME STATUS [DETAIL]: records a named check (STATUS 0 = pass) and prints it.
check() {
  if [ "$2" -eq 0 ]; then
    DEPLOY_PASSED=$((DEPLOY_PASSED + 1))
    log "ok   $1${3:+ ($3)}"
  else
    DEPLOY_FAILED=$((DEPLOY_FAILED + 1))
    DEPLOY_FAILED_NAMES+=("$1")
    log "FAIL $1${3:+ ($3)}"
  fi
}

# summary: prints "N passed, N failed" and returns non-zero on a failure.
summary() {
  [ ${#DEPLOY_FAILED_NAMES[@]} -gt 0 ] && printf 'failed: %s\n' "${DEPLOY_FAILED_NAMES[@]}" >&2
  echo "$DEPLOY_PASSED passed, $DEPLOY_FAILED failed"
  [ "$DEPLOY_FAILED" -eq 0 ]
}

now() { date +%s.%N; }
since() { printf '%.1f' "$(echo "$(date +%s.%N) - $1" | bc)"; }

# compose_wait_healthy FILE TIMEOUT_S: waits until every container of the
# compose file reports healthy (deploy/compose.sh wait).
compose_wait_healthy() {
  GREGOR_COMPOSE_FILE="$1" "$GREGOR_ROOT/deploy/compose.sh" wait "$2"
}

# compose_logs FILE DIR: saves each service's log to DIR (test artifacts).
compose_logs() {
  local file="$1" dir="$2" s
  mkdir -p "$dir"
  for s in $(docker-compose -f "$file" config --services); do
    docker-compose -f "$file" logs --no-color --timestamps "$s" >"$dir/$s.log" 2>&1
  done
}

port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# use_test_ports: exports the compose file's GREGOR_*_PORT variables for the
# test's block (Kafka 31092-31094, broker HTTP 31192-31194, controller HTTP
# 31181-31183: below the kernel's ephemeral range 32768-60999, where a
# client's outgoing port can take a listener's port away) unless already set, so that the compose file,
# deploy/failover-demo.sh and the checks agree; fails when one is taken.
use_test_ports() {
  local n v p taken=""
  for n in 1 2 3; do
    v="GREGOR_BROKER${n}_KAFKA_PORT"; export "$v=${!v:-$((31091 + n))}"
    v="GREGOR_BROKER${n}_HTTP_PORT"; export "$v=${!v:-$((31191 + n))}"
    v="GREGOR_CONTROLLER${n}_HTTP_PORT"; export "$v=${!v:-$((31180 + n))}"
  done
  for v in $(compgen -e | grep -E '^GREGOR_(BROKER|CONTROLLER)[0-9]+_(KAFKA|HTTP)_PORT$'); do
    port_free "${!v}" || taken+=" ${!v}"
  done
  if [ -n "$taken" ]; then
    log "host ports taken:$taken (set the GREGOR_*_PORT variables to move them)"
    return 1
  fi
}
