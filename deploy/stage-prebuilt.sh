#!/usr/bin/env bash
# Stages the host's Bazel-built binaries for the Dockerfile's fast path:
#
#   deploy/stage-prebuilt.sh
#   docker build --build-arg GREGOR_BINARIES=prebuilt -f deploy/Dockerfile -t gregor:latest .
#
# Runs `bazel build` of the two binaries (nothing to do when CI built the
# tree already), copies them stripped into deploy/prebuilt/ and writes the
# Debian packages they load (deploy/runtime-packages.sh) next to them. The
# host must be Debian 12 (bookworm), as the image is.
# GREGOR_CONTROLLER_TARGET / GREGOR_BROKER_TARGET pick other targets.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../tests/lib.sh"
cd "$GREGOR_ROOT"

CONTROLLER="${GREGOR_CONTROLLER_TARGET:-//controller:gregor-controller}"
BROKER="${GREGOR_BROKER_TARGET:-//broker:gregor-broker}"
OUT="$HERE/prebuilt"

if ! grep -qs 'VERSION_CODENAME=bookworm' /etc/os-release; then
  echo "stage-prebuilt.sh: this host is not Debian 12 (bookworm); build the image from source" >&2
  exit 1
fi
bazel build "$CONTROLLER" "$BROKER" >&2
bin() { local t="${1#//}"; echo "bazel-bin/${t/://}"; }
find "$OUT" -mindepth 1 ! -name README.md ! -name .gitignore -delete
strip -o "$OUT/gregor-controller" "$(bin "$CONTROLLER")"
strip -o "$OUT/gregor-broker" "$(bin "$BROKER")"
"$HERE/runtime-packages.sh" "$OUT/gregor-controller" "$OUT/gregor-broker" >"$OUT/runtime-packages.txt"
log "staged $(du -sh "$OUT" | cut -f1) in $OUT; runtime packages: $(tr '\n' ' ' <"$OUT/runtime-packages.txt")"
