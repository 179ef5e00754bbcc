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

# choose_host_ports: keeps the compose files' default host ports when all are
# free; otherwise (another cluster on this machine) exports the
# GREGOR_*_PORT variables with a block of free ports from 29000 up, so that the
# compose files and deploy/failover-demo.sh agree on them.
choose_host_ports() {
  local n defaults=() p base ok
  for n in 1 2 3; do defaults+=($((19091 + n)) $((18090 + n)) $((18080 + n))); done
  ok=1
  for p in "${defaults[@]}"; do port_free "$p" || ok=0; done
  [ "$ok" -eq 1 ] && return 0
  for base in $(seq 29000 100 39000); do
    ok=1
    for p in $(seq "$base" $((base + 30))); do port_free "$p" || { ok=0; break; }; done
    [ "$ok" -eq 1 ] || continue
    for n in 1 2 3; do
      export "GREGOR_BROKER${n}_KAFKA_PORT=$((base + n))"
      export "GREGOR_BROKER${n}_HTTP_PORT=$((base + 10 + n))"
      export "GREGOR_CONTROLLER${n}_HTTP_PORT=$((base + 20 + n))"
    done
    log "default host ports are taken; using $((base + 1))-$((base + 23)) (GREGOR_*_PORT)"
    return 0
  done
  log "no block of free host ports found"
  return 1
}
