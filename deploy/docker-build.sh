#!/usr/bin/env bash
# `docker build` with BuildKit when this machine has one, else the legacy
# builder. Arguments are docker build's.
#
#   deploy/docker-build.sh -f deploy/Dockerfile -t gregor:latest .
#
# BuildKit builds only the stages the target needs (the prebuilt path then
# never touches the Bazel build stage) and is faster on the vfs storage
# driver. Where it comes from, first that works:
#   1. `docker buildx` (Docker 23+ with the buildx plugin): DOCKER_BUILDKIT=1
#   2. a Docker 20.10 CLI (Debian 12's docker.io ships /usr/bin/docker), which
#      drives the engine's embedded BuildKit without buildx
#   3. otherwise the legacy builder: every stage runs, the Dockerfile's
#      guards make the unused ones cheap (slower, same image)
# GREGOR_DOCKER_BUILDER=legacy forces 3.
set -euo pipefail

cli=(docker)
buildkit=0
if [ "${GREGOR_DOCKER_BUILDER:-}" != legacy ]; then
  if docker buildx version >/dev/null 2>&1; then
    buildkit=1
  else
    for c in /usr/bin/docker /usr/local/bin/docker; do
      [ -x "$c" ] || continue
      v=$("$c" version --format '{{.Client.Version}}' 2>/dev/null || true)
      if [[ "$v" =~ ^(19\.03|20\.10)\. ]]; then cli=("$c"); buildkit=1; break; fi
    done
  fi
fi
if [ "$buildkit" -eq 1 ]; then
  echo "docker-build.sh: BuildKit (${cli[0]})" >&2
  DOCKER_BUILDKIT=1 exec "${cli[@]}" build --progress=plain "$@"
fi
echo "docker-build.sh: legacy builder (no BuildKit without buildx here)" >&2
exec "${cli[@]}" build --force-rm "$@"
