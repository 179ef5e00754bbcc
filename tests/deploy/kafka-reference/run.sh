#!/usr/bin/env bash
# Runs deploy/failover-demo.sh against three Apache Kafka 4.1.1 nodes in Docker
# (this folder's image and compose file): the reference the demo is checked
# against, and Kafka's failover and rejoin times for comparison with Gregor's.
#
#   tests/deploy/kafka-reference/run.sh [--keep]    (--keep: leave the cluster up)
# Prints "N passed, N failed"; exit status 1 on a failure.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../../lib.sh"
source "$HERE/../deploy_lib.sh"
KEEP=0; [ "${1:-}" = "--keep" ] && KEEP=1
COMPOSE="$HERE/docker-compose.yml"
CACHE="$GREGOR_ROOT/.cache/kafka-reference"
ARTIFACTS="${GREGOR_ARTIFACTS:-$GREGOR_ROOT/.cache/test-artifacts}/kafka-reference"
IMAGE=gregor-kafka-reference:4.1.1
mkdir -p "$CACHE" "$ARTIFACTS"

"$GREGOR_ROOT/deploy/docker.sh" start || { check "docker engine" 1; summary; exit 1; }
"$GREGOR_ROOT/deploy/make-base-images.sh" || { check "base images" 1; summary; exit 1; }

# Build context: this folder's files plus the jars (fetched once).
ctx="$CACHE/context"
if [ ! -d "$ctx/libs" ]; then
  ensure_packages maven openjdk-17-jdk-headless || { check "maven" 1; summary; exit 1; }
  log "fetching Kafka's jars from Maven Central"
  mkdir -p "$ctx"
  mvn -q -f "$HERE/pom.xml" dependency:copy-dependencies -DoutputDirectory="$ctx/libs.tmp" &&
    mv "$ctx/libs.tmp" "$ctx/libs" || { check "fetch Kafka jars" 1; summary; exit 1; }
fi
cp "$HERE/Dockerfile" "$HERE/start-kafka.sh" "$HERE/log4j2.properties" "$ctx/"
t=$(now)
docker build --force-rm -q -t "$IMAGE" "$ctx" >"$ARTIFACTS/build.log" 2>&1
check "build $IMAGE" $? "$(since "$t") s"

docker-compose -f "$COMPOSE" down -v >/dev/null 2>&1
choose_host_ports || { check "free host ports" 1; summary; exit 1; }
t=$(now)
docker-compose -f "$COMPOSE" up -d >"$ARTIFACTS/up.log" 2>&1 && compose_wait_healthy "$COMPOSE" 180
check "3 Kafka nodes healthy" $? "$(since "$t") s"

"$GREGOR_ROOT/deploy/failover-demo.sh" --compose-file "$COMPOSE" --metadata kafka \
  --service-pattern 'kafka{id}' --result "$ARTIFACTS/result.json" 2>&1 | tee "$ARTIFACTS/demo.log"
check "failover demo against Kafka" "${PIPESTATUS[0]}" \
  "$(python3 -c "import json; r=json.load(open('$ARTIFACTS/result.json')); print(f\"leader {r['old_leader']}->{r['new_leader']} in {r['failover_seconds']} s, rejoin {r['rejoin_seconds']} s, acked {r['acked']}, lost {r['lost']}\")" 2>/dev/null)"

compose_logs "$COMPOSE" "$ARTIFACTS/logs"
[ "$KEEP" -eq 1 ] || docker-compose -f "$COMPOSE" down -v >/dev/null 2>&1
summary
