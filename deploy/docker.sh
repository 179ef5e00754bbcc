#!/usr/bin/env bash
# The Docker engine Gregor's deployment needs, on a machine without systemd:
#
#   deploy/docker.sh install   install docker.io, docker-compose and debootstrap
#                              (Debian packages) when missing
#   deploy/docker.sh start     install, then start dockerd (vfs storage) unless an
#                              engine already answers; waits until it does
#   deploy/docker.sh stop      stop the dockerd that 'start' started (an engine
#                              started some other way is left alone)
#   deploy/docker.sh status    say whether an engine answers and who started it
#
# dockerd's log: .cache/docker/dockerd.log. DOCKER_STORAGE_DRIVER overrides vfs
# (vfs works everywhere but copies every image per container).
set -euo pipefail
source "$(dirname "$0")/../tests/lib.sh"

STATE="$GREGOR_ROOT/.cache/docker"
STARTED="$STATE/dockerd.pid"   # present only when this script started dockerd

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

install() {
  ensure_packages docker.io docker-compose debootstrap iptables ca-certificates
}

start() {
  install
  if engine_answers; then
    log "a Docker engine already answers"
    return 0
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  mkdir -p "$STATE"
  log "starting dockerd --storage-driver=${DOCKER_STORAGE_DRIVER:-vfs} (log: $STATE/dockerd.log)"
  $sudo rm -f /var/run/docker.pid
  nohup $sudo dockerd --storage-driver="${DOCKER_STORAGE_DRIVER:-vfs}" >"$STATE/dockerd.log" 2>&1 </dev/null &
  local i
  for i in $(seq 60); do
    if engine_answers; then
      # dockerd's own pid (not $!, which may be a sudo or nohup wrapper).
      cat /var/run/docker.pid >"$STARTED"
      log "dockerd ready (pid $(cat "$STARTED"))"
      return 0
    fi
    sleep 1
  done
  echo "dockerd did not answer within 60 s; last lines of its log:" >&2
  tail -20 "$STATE/dockerd.log" >&2
  return 1
}

stop() {
  if [ ! -f "$STARTED" ]; then
    log "no dockerd started by this script; leaving the engine alone"
    return 0
  fi
  local pid sudo=""
  pid=$(cat "$STARTED")
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping dockerd (pid $pid)"
    $sudo kill -TERM "$pid"
    local i
    for i in $(seq 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
  fi
  rm -f "$STARTED"
}

status() {
  if engine_answers; then
    echo "engine: answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
  else
    echo "engine: not running"
  fi
  if [ -f "$STARTED" ]; then echo "started by deploy/docker.sh: pid $(cat "$STARTED")"; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
