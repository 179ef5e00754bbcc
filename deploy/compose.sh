#!/usr/bin/env bash
# The compose cluster (deploy/docker-compose.yml) in one command each:
#
#   deploy/compose.sh up       Docker engine (deploy/docker.sh), base images,
#                              image build, `up -d`, wait until all healthy
#   deploy/compose.sh wait [S] wait until every container is healthy (S s, 240)
#   deploy/compose.sh status   containers and their health
#   deploy/compose.sh down     stop and remove the containers (keeps the volumes)
#   deploy/compose.sh destroy  ... and the volumes (all data)
#
# GREGOR_IMAGE picks the image tag (gregor:latest); GREGOR_BINARIES=prebuilt
# makes the image from the host's Bazel-built binaries (deploy/stage-prebuilt.sh)
# instead of compiling in the Dockerfile; the GREGOR_*_PORT variables of
# docker-compose.yml move the host ports.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../tests/lib.sh"
COMPOSE_FILE="${GREGOR_COMPOSE_FILE:-$HERE/docker-compose.yml}"
export GREGOR_IMAGE="${GREGOR_IMAGE:-gregor:latest}"
# On a busy machine with the vfs driver creating a container (a full copy of
# the image) can take longer than docker-compose's default 60 s API timeout.
export COMPOSE_HTTP_TIMEOUT="${COMPOSE_HTTP_TIMEOUT:-300}"
compose() { docker-compose -f "$COMPOSE_FILE" "$@"; }

health_of() {
  docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1"
}

wait_healthy() {  # wait_healthy TIMEOUT_S
  local deadline=$(( $(date +%s) + ${1:-240} )) ids id bad
  while :; do
    ids=$(compose ps -q)
    bad=""
    for id in $ids; do
      [ "$(health_of "$id")" = healthy ] || bad+=" $(docker inspect --format '{{.Name}}' "$id" | tr -d /)=$(health_of "$id")"
    done
    [ -n "$ids" ] && [ -z "$bad" ] && return 0
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "not healthy:${bad:- no containers}"
      return 1
    fi
    sleep 1
  done
}

up() {
  local t0=$SECONDS
  "$HERE/docker.sh" start || return 1
  "$HERE/make-base-images.sh" || return 1
  local binaries="${GREGOR_BINARIES:-build}"
  if [ "$binaries" = prebuilt ]; then
    "$HERE/stage-prebuilt.sh" || return 1
    log "docker build -t $GREGOR_IMAGE (from the host's binaries)"
  else
    log "docker build -t $GREGOR_IMAGE (the first build compiles everything: many minutes)"
  fi
  (cd "$HERE/.." && deploy/docker-build.sh --build-arg "GREGOR_BINARIES=$binaries" \
    -f deploy/Dockerfile -t "$GREGOR_IMAGE" .) >"$GREGOR_ROOT/.cache/docker-build.log" 2>&1 ||
    { tail -20 "$GREGOR_ROOT/.cache/docker-build.log" >&2; return 1; }
  compose up -d || return 1
  log "waiting for the health checks"
  wait_healthy 240 || { compose ps; return 1; }
  log "cluster up in $((SECONDS - t0)) s"
  cat <<MSG
Kafka bootstrap (host):   localhost:${GREGOR_BROKER1_KAFKA_PORT:-19092},localhost:${GREGOR_BROKER2_KAFKA_PORT:-19093},localhost:${GREGOR_BROKER3_KAFKA_PORT:-19094}
Kafka bootstrap (compose network): broker1:9092,broker2:9092,broker3:9092
Cluster view:             http://127.0.0.1:${GREGOR_CONTROLLER1_HTTP_PORT:-18081}/ui
Failover demo:            deploy/failover-demo.sh
MSG
}

status() {
  local id
  for id in $(compose ps -q); do
    printf '%-28s %s\n' "$(docker inspect --format '{{.Name}}' "$id" | tr -d /)" "$(health_of "$id")"
  done
}

case "${1:-}" in
  up) up ;;
  wait) wait_healthy "${2:-240}" ;;
  status) status ;;
  down) compose down ;;
  destroy) compose down -v ;;
  *) echo "usage: $0 up|wait [S]|status|down|destroy" >&2; exit 2 ;;
esac
