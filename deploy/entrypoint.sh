#!/bin/bash
# The image's entrypoint (installed as /usr/local/bin/gregor):
#
#   gregor controller [--flag=value ...]   run gregor-controller
#   gregor broker [--flag=value ...]       run gregor-broker
#   gregor health                          exit 0 when this node's GET /status
#                                          answers 200 with "ready": true
#   gregor <anything else>                 run it (a shell, ldd, ...)
#
# Configuration by environment, as in Kafka's images: every KAFKA_<NAME> and
# GREGOR_<NAME> variable becomes the flag --<name> (lower case), e.g.
#   KAFKA_NODE_ID=1                       --node_id=1
#   KAFKA_ADVERTISED_LISTENERS=...        --advertised_listeners=...
#   GREGOR_HTTP_PORT=8080                 --http_port=8080
# Flags given on the command line come after them and win. An unknown name
# stops the binary with gflags' "unknown command line flag" error.
set -euo pipefail

env_flags() {
  local name value flag
  while IFS='=' read -r -d '' name value; do
    case "$name" in
      KAFKA_*|GREGOR_*)
        flag="${name#KAFKA_}"
        flag="${flag#GREGOR_}"
        flag="${flag,,}"
        [[ "$flag" =~ ^[a-z][a-z0-9_]*$ ]] || { echo "gregor: bad variable name $name" >&2; exit 2; }
        printf '%s\0' "--$flag=$value"
        ;;
    esac
  done < <(env -0)
}

http_port() {
  local v="${GREGOR_HTTP_PORT:-${KAFKA_HTTP_PORT:-}}"
  [ -n "$v" ] || { echo "gregor health: set GREGOR_HTTP_PORT (or KAFKA_HTTP_PORT)" >&2; exit 2; }
  echo "$v"
}

# GET /status over bash's /dev/tcp: the runtime image carries no curl.
health() {
  local port response
  port=$(http_port)
  exec 3<>"/dev/tcp/127.0.0.1/$port" || { echo "not listening on $port" >&2; exit 1; }
  printf 'GET /status HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  response=$(timeout 5 cat <&3) || true
  exec 3<&-
  if [[ "$response" != "HTTP/1."?" 200"* ]]; then
    echo "GET /status: ${response%%$'\r'*}" >&2
    exit 1
  fi
  if [[ ! "$response" =~ \"ready\"[[:space:]]*:[[:space:]]*true ]]; then
    echo "GET /status: not ready" >&2
    exit 1
  fi
}

role="${1:-}"
case "$role" in
  controller|broker)
    shift
    flags=()
    while IFS= read -r -d '' f; do flags+=("$f"); done < <(env_flags)
    exec "/usr/local/bin/gregor-$role" "${flags[@]}" "$@"
    ;;
  health)
    health
    ;;
  ""|help|--help)
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    exec "$@"
    ;;
esac
