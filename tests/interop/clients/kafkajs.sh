#!/usr/bin/env bash
# kafkajs 2.2.4: node/scenario.js; dependencies from the committed
# package-lock.json (npm ci; all pure JavaScript/WebAssembly, no native addons,
# so install scripts stay off).
#   clients/kafkajs.sh install
#   clients/kafkajs.sh run BOOTSTRAP OUT_DIR
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
NAME=kafkajs
PROJECT="$INTEROP_DIR/node"

install() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm || return 1
  ensure_python || return 1
  local stamp
  stamp="$(cat "$PROJECT/package.json" "$PROJECT/package-lock.json" | sha256sum | cut -c1-16)"
  [ -d "$PROJECT/node_modules" ] && [ "$(cat "$PROJECT/node_modules/.interop-stamp" 2>/dev/null)" = "$stamp" ] && return 0
  log "npm ci in $PROJECT"
  (cd "$PROJECT" && npm ci --ignore-scripts --no-audit --no-fund) || return 1
  echo "$stamp" >"$PROJECT/node_modules/.interop-stamp"
}

case "${1:-}" in
  install) install ;;
  run)
    interop_names "$NAME"
    # shellcheck disable=SC2046
    KAFKAJS_NO_PARTITIONER_WARNING=1 node "$PROJECT/scenario.js" $(scenario_args "$2" "$3") --codecs "$INTEROP_CODECS" || exit 1
    interop_check "$NAME" "$3" --codecs "$INTEROP_CODECS" ;;
  *) echo "usage: $0 install | run BOOTSTRAP OUT_DIR" >&2; exit 2 ;;
esac
