#!/usr/bin/env bash
# The deployment test: from a bare Debian 12 machine to a failover on a Docker
# compose cluster and back.
#
#   tests/deploy/run.sh [--from-source] [--cold] [--keep] [--placeholder]
#
#  1. installs docker.io, docker-compose, debootstrap when missing; starts dockerd
#     (vfs) when no engine answers (deploy/docker.sh)
#  2. makes the Debian base images when missing (deploy/make-base-images.sh)
#  3. builds the image (deploy/Dockerfile). By default from the binaries the
#     host's Bazel built (deploy/stage-prebuilt.sh, GREGOR_BINARIES=prebuilt:
#     the CI path, the tree is built anyway); --from-source builds them in the
#     Dockerfile's build stage instead (--cold: without the layer cache)
#  4. docker-compose up -d, waits until all 6 containers are healthy; checks
#     /status, /ui, /api/cluster and the Kafka-named /metrics of every node
#  5. runs deploy/failover-demo.sh end to end, and meanwhile
#     - samples the under-replicated-partitions gauge on every broker's /metrics
#     - watches the cluster view (/ui of controller 1) in headless chromium
#  6. asserts: nothing acknowledged lost, new leader != old leader, ISR shrank and
#     re-expanded, the gauge rose after the kill and went back to 0, the page
#     showed the failover
#  7. docker-compose down -v
# Prints "N passed, N failed"; exit status 1 on a failure. Artifacts (logs,
# screenshots, timings) go to $GREGOR_ARTIFACTS/deploy (.cache/test-artifacts/deploy).
#
# Host ports: Kafka 31092-31094, broker HTTP 31192-31194, controller HTTP
# 31181-31183: apart from the compose file's defaults and the Kafka reference
# clusters' 19092/29092/39092..., and below the ephemeral port range (a 49xxx
# block lost a port to another process's outgoing connection); the
# GREGOR_*_PORT variables of deploy/docker-compose.yml override them.
# --placeholder builds tests/deploy:placeholder_node as both binaries (an HTTP-only
# stand-in) and stops after the health checks: it tests the image and compose
# plumbing alone. --keep leaves the cluster running. The gauge's name:
# $GREGOR_URP_METRIC (kafka_server_under_replicated_partitions).
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib.sh"
source "$HERE/deploy_lib.sh"
cd "$GREGOR_ROOT"

COLD=0 KEEP=0 PLACEHOLDER=0 FROM_SOURCE=0
for arg in "$@"; do
  case "$arg" in
    --from-source) FROM_SOURCE=1 ;;
    --cold) COLD=1; FROM_SOURCE=1 ;;
    --keep) KEEP=1 ;;
    --placeholder) PLACEHOLDER=1; FROM_SOURCE=1 ;;
    *) echo "usage: $0 [--from-source] [--cold] [--keep] [--placeholder]" >&2; exit 2 ;;
  esac
done
T_SUITE=$(date +%s.%N)

URP_METRIC="${GREGOR_URP_METRIC:-kafka_server_under_replicated_partitions}"
COMPOSE="$GREGOR_ROOT/deploy/docker-compose.yml"
ARTIFACTS="${GREGOR_ARTIFACTS:-$GREGOR_ROOT/.cache/test-artifacts}/deploy"
rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS"
TIMINGS="$ARTIFACTS/timings.txt"
timing() { printf '%-34s %s s\n' "$1" "$2" | tee -a "$TIMINGS" >&2; }
BUILD_ARGS=()
if [ "$PLACEHOLDER" -eq 1 ]; then
  export GREGOR_IMAGE="${GREGOR_IMAGE:-gregor:placeholder}"
  BUILD_ARGS=(--build-arg GREGOR_CONTROLLER_TARGET=//tests/deploy:placeholder_node
    --build-arg GREGOR_BROKER_TARGET=//tests/deploy:placeholder_node)
else
  export GREGOR_IMAGE="${GREGOR_IMAGE:-gregor:latest}"
fi
# A project of its own: the test's `down -v` never touches a cluster someone
# started with deploy/compose.sh (project "gregor", deploy/.env).
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME_TEST:-gregortest}"
# On a busy machine with the vfs driver creating a container (a full copy of
# the image) can take longer than docker-compose's default 60 s API timeout.
export COMPOSE_HTTP_TIMEOUT="${COMPOSE_HTTP_TIMEOUT:-300}"
compose() { docker-compose -f "$COMPOSE" "$@"; }
WATCH_PID="" UI_PID=""
teardown() {
  [ -n "$WATCH_PID" ] && kill "$WATCH_PID" 2>/dev/null
  [ -n "$UI_PID" ] && kill "$UI_PID" 2>/dev/null
  if [ -n "${CLUSTER_UP:-}" ]; then
    compose_logs "$COMPOSE" "$ARTIFACTS/logs"
    if [ "$KEEP" -eq 0 ]; then
      local t; t=$(now)
      compose down -v >"$ARTIFACTS/down.log" 2>&1
      check "docker-compose down -v" $? "$(since "$t") s"
      timing "compose down -v" "$(since "$t")"
    fi
  fi
}
finish() {
  teardown
  timing "deploy suite in all" "$(since "$T_SUITE")"
  summary
  exit $?
}

# 1-2. engine and base images
t=$(now)
"$GREGOR_ROOT/deploy/docker.sh" start >"$ARTIFACTS/docker.log" 2>&1
check "docker engine answers" $? "$(since "$t") s"
[ "$DEPLOY_FAILED" -eq 0 ] || { tail -5 "$ARTIFACTS/docker.log" >&2; finish; }
ensure_packages bc curl python3-venv >/dev/null
t=$(now)
"$GREGOR_ROOT/deploy/make-base-images.sh" >"$ARTIFACTS/base-images.log" 2>&1
check "debian:bookworm and debian:bookworm-slim present" $? "$(since "$t") s"
timing "base images" "$(since "$t")"
[ "$DEPLOY_FAILED" -eq 0 ] || finish

# 3. image
if [ "$PLACEHOLDER" -eq 0 ]; then
  for pair in controller:gregor-controller broker:gregor-broker; do
    if ! grep -qs "name = \"${pair#*:}\"" "${pair%%:*}/BUILD.bazel"; then
      check "//${pair%%:*}:${pair#*:} exists in this tree" 1 "not merged yet? --placeholder tests the plumbing"
      finish
    fi
  done
fi
if [ "$FROM_SOURCE" -eq 0 ]; then
  t=$(now)
  "$GREGOR_ROOT/deploy/stage-prebuilt.sh" >"$ARTIFACTS/stage-prebuilt.log" 2>&1
  check "host binaries staged (deploy/stage-prebuilt.sh)" $? "$(since "$t") s"
  timing "bazel build + stage binaries" "$(since "$t")"
  [ "$DEPLOY_FAILED" -eq 0 ] || { tail -20 "$ARTIFACTS/stage-prebuilt.log" >&2; finish; }
  BUILD_ARGS=(--build-arg GREGOR_BINARIES=prebuilt)
  mode="prebuilt binaries"
else
  mode="$([ "$COLD" -eq 1 ] && echo "from source, cold" || echo "from source, cached layers")"
fi
t=$(now)
nocache=(); [ "$COLD" -eq 1 ] && nocache=(--no-cache)
deploy/docker-build.sh "${nocache[@]}" "${BUILD_ARGS[@]}" -f deploy/Dockerfile -t "$GREGOR_IMAGE" . \
  >"$ARTIFACTS/build.log" 2>&1
check "docker build $GREGOR_IMAGE ($mode)" $? "$(since "$t") s"
timing "image build ($mode)" "$(since "$t")"
[ "$DEPLOY_FAILED" -eq 0 ] || { tail -20 "$ARTIFACTS/build.log" >&2; finish; }
size=$(docker image inspect -f '{{.Size}}' "$GREGOR_IMAGE")
echo "image size: $((size / 1000000)) MB" >>"$TIMINGS"
# One container for all image checks (on vfs every container start copies the image).
image_facts=$(docker run --rm "$GREGOR_IMAGE" bash -c '
  echo "uid $(id -u)"
  echo "unresolved $(ldd /usr/local/bin/gregor-controller /usr/local/bin/gregor-broker | grep -c "not found")"
  echo "bazel $( { [ -e /root/.cache/bazel ] || command -v bazel; } >/dev/null && echo present || echo absent)"
  echo "packages $(tr "\n" " " < /usr/local/share/gregor/runtime-packages.txt)"')
fact() { awk -v k="$1" '$1 == k {sub(/^[^ ]+ /, ""); print}' <<<"$image_facts"; }
log "image $GREGOR_IMAGE: $((size / 1000000)) MB; runtime packages: $(fact packages)"
check "image runs as a non-root user" "$([ -n "$(fact uid)" ] && [ "$(fact uid)" != 0 ]; echo $?)" "uid $(fact uid)"
check "every shared library resolves in the image" "$([ "$(fact unresolved)" = 0 ]; echo $?)"
check "no Bazel and no Bazel cache in the image" "$([ "$(fact bazel)" = absent ]; echo $?)"

# 4. cluster
compose down -v >/dev/null 2>&1   # a cluster an earlier --keep run left
use_test_ports || { check "host ports 31xxx free" 1; finish; }
C1_HTTP="http://127.0.0.1:$GREGOR_CONTROLLER1_HTTP_PORT"
CONTROLLER_HTTP=() BROKER_HTTP=()
for n in 1 2 3; do
  v="GREGOR_CONTROLLER${n}_HTTP_PORT"; CONTROLLER_HTTP+=("http://127.0.0.1:${!v}")
  v="GREGOR_BROKER${n}_HTTP_PORT"; BROKER_HTTP+=("http://127.0.0.1:${!v}")
done
t=$(now)
CLUSTER_UP=1
compose up -d >"$ARTIFACTS/up.log" 2>&1
check "docker-compose up -d" $? "$(since "$t") s"
timing "compose up -d (returns)" "$(since "$t")"
compose_wait_healthy "$COMPOSE" 240
check "6 containers healthy" $? "$(since "$t") s"
timing "compose up to all healthy" "$(since "$t")"
[ "$DEPLOY_FAILED" -eq 0 ] || { compose ps >&2; finish; }
for url in "${CONTROLLER_HTTP[@]}" "${BROKER_HTTP[@]}"; do
  body=$(curl -fsS --max-time 5 "$url/status")
  check "$url/status says ready" "$(grep -Eq '"ready"[[:space:]]*:[[:space:]]*true' <<<"$body"; echo $?)"
  page=$(curl -fsS --max-time 5 "$url/ui")
  check "$url/ui serves the cluster view" "$(grep -qF '<title>Gregor cluster</title>' <<<"$page"; echo $?)"
  errors=$(python3 "$HERE/api_contract.py" "$url" 2>&1)
  check "$url/api/cluster answers the JSON contract" $? "$(head -3 <<<"$errors" | paste -sd';')"
done
[ "$PLACEHOLDER" -eq 1 ] && finish

# 5. failover demo, with the metrics watcher and the browser watching
VENV="$GREGOR_ROOT/.cache/deploy-venv"
if [ ! -x "$VENV/bin/python" ] || ! cmp -s deploy/requirements.txt "$VENV/requirements.txt"; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r deploy/requirements.txt && cp deploy/requirements.txt "$VENV/"
fi
for url in "${BROKER_HTTP[@]}"; do
  v=$("$VENV/bin/python" "$HERE/metrics_watch.py" get --metric "$URP_METRIC" "$url" 2>/dev/null)
  check "$url/metrics has $URP_METRIC = 0 before" "$([ "$v" = "0.0" ]; echo $?)" "$v"
done
"$VENV/bin/python" "$HERE/metrics_watch.py" watch --metric "$URP_METRIC" --out "$ARTIFACTS/urp.jsonl" \
  "${BROKER_HTTP[@]}" &
WATCH_PID=$!
TOPIC="deploy-test-$(date +%H%M%S)"
"$HERE/ui_test.sh" --base-url "$C1_HTTP" --topic "$TOPIC" --timeout-s 240 >"$ARTIFACTS/ui_test.log" 2>&1 &
UI_PID=$!
t=$(now)
"$GREGOR_ROOT/deploy/failover-demo.sh" --compose-file "$COMPOSE" --topic "$TOPIC" \
  --result "$ARTIFACTS/demo.json" 2>&1 | tee "$ARTIFACTS/demo.log"
check "failover demo exits 0" "${PIPESTATUS[0]}" "$(since "$t") s"
timing "failover demo" "$(since "$t")"
kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null; WATCH_PID=""

# 6. assertions on the demo's outcome
if [ -s "$ARTIFACTS/demo.json" ]; then
  while IFS=$'\t' read -r name ok detail; do check "$name" "$ok" "$detail"; done < <(python3 - "$ARTIFACTS/demo.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
isr = lambda s: [x for x in s.split(",") if x and x != "-"]
before, shrunk, after = isr(r["isr_before"]), isr(r["isr_after_kill"]), isr(r["isr_after_restart"])
old, new = r["old_leader"], r["new_leader"]
checks = [
    ("nothing acknowledged was lost", r["lost"] == 0 and r["acked"] > 0, f"acked {r['acked']} consumed {r['consumed']} lost {r['lost']}"),
    ("the new leader differs from the old", bool(new) and new != old, f"{old}->{new} in {r['failover_seconds']}s"),
    ("the ISR shrank without the old leader", bool(shrunk) and old not in shrunk and len(shrunk) < len(before), f"{r['isr_before']}->{r['isr_after_kill']}"),
    ("the ISR re-expanded with the old leader", old in after and len(after) == len(before), f"{r['isr_after_kill']}->{r['isr_after_restart']} in {r['rejoin_seconds']}s"),
]
for name, ok, detail in checks:
    print(name, 0 if ok else 1, detail, sep="\t")
PY
)
else
  check "failover demo wrote its result" 1
fi
"$VENV/bin/python" "$HERE/metrics_watch.py" check --metric "$URP_METRIC" --log "$ARTIFACTS/urp.jsonl" \
  --result "$ARTIFACTS/demo.json" "${BROKER_HTTP[@]}" >"$ARTIFACTS/metrics_check.log" 2>&1
while read -r st rest; do check "$rest" "$([ "$st" = ok ]; echo $?)"; done <"$ARTIFACTS/metrics_check.log"
# The metric families of issue 7, with Kafka's names, parsed as Prometheus
# text (after the demo: per-topic traffic and group lag need its clients).
"$VENV/bin/python" "$HERE/metrics_watch.py" names --role broker "${BROKER_HTTP[@]}" \
  >"$ARTIFACTS/metric_names_broker.log" 2>&1
check "brokers' /metrics have the Kafka-named families" $? "$(tail -1 "$ARTIFACTS/metric_names_broker.log")"
"$VENV/bin/python" "$HERE/metrics_watch.py" names --role controller "${CONTROLLER_HTTP[@]}" \
  >"$ARTIFACTS/metric_names_controller.log" 2>&1
check "controllers' /metrics have the Kafka-named families" $? "$(tail -1 "$ARTIFACTS/metric_names_controller.log")"
wait "$UI_PID"
check "cluster view showed the failover (ui_test, screenshots in ui/)" $? "$(tail -1 "$ARTIFACTS/ui_test.log")"
UI_PID=""
finish
