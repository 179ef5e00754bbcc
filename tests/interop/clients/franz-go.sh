#!/usr/bin/env bash
# franz-go v1.22.3 (kgo) and pkg/kadm: go/main.go, built with the Go toolchain
# (/usr/local/go or go on PATH); modules come through the Go module proxy into
# the module cache.
#   clients/franz-go.sh install      go build (only when the sources changed)
#   clients/franz-go.sh run BOOTSTRAP OUT_DIR
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
NAME=franz-go
PROJECT="$INTEROP_DIR/go"
BIN="$PROJECT/gregor-interop-go"
export PATH="$PATH:/usr/local/go/bin"
export GOFLAGS=-mod=mod

build() {
  command -v go >/dev/null 2>&1 || { echo "go not found (expected /usr/local/go/bin/go or go on PATH)" >&2; return 1; }
  ensure_python || return 1
  local stamp
  stamp="$(cat "$PROJECT/go.mod" "$PROJECT/go.sum" "$PROJECT"/*.go | sha256sum | cut -c1-16)"
  [ -x "$BIN" ] && [ "$(cat "$INTEROP_CACHE/franz-go.stamp" 2>/dev/null)" = "$stamp" ] && return 0
  log "building $BIN ($(go version))"
  (cd "$PROJECT" && go build -o "$BIN" .) || return 1
  echo "$stamp" >"$INTEROP_CACHE/franz-go.stamp"
}

case "${1:-}" in
  install) build ;;
  run)
    interop_names "$NAME"
    # shellcheck disable=SC2046
    "$BIN" $(scenario_args "$2" "$3") --codecs "$INTEROP_CODECS" || exit 1
    interop_check "$NAME" "$3" --codecs "$INTEROP_CODECS" ;;
  *) echo "usage: $0 install | run BOOTSTRAP OUT_DIR" >&2; exit 2 ;;
esac
