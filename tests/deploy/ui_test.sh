#!/usr/bin/env bash
# Runs the browser test of the cluster view (ui_test.mjs) in headless Debian
# chromium. Installs chromium and playwright-core when missing.
#
#   tests/deploy/ui_test.sh                 against the fake cluster server
#                                           (starts it; the test fails over
#                                           through its /fake endpoints)
#   tests/deploy/ui_test.sh --base-url URL [ui_test.mjs options...]
#                                           against a running node
# Screenshots go to $GREGOR_ARTIFACTS/ui (default .cache/test-artifacts/ui).
# Prints "N passed, N failed"; exit status 1 on a failure.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../lib.sh"
ARTIFACTS="${GREGOR_ARTIFACTS:-$GREGOR_ROOT/.cache/test-artifacts}/ui"

ensure_ui_test_deps() {
  ensure_packages chromium curl || return 1
  # Node.js and npm may come from elsewhere than Debian (the machine's own).
  command -v node >/dev/null || ensure_packages nodejs || return 1
  command -v npm >/dev/null || ensure_packages npm || return 1
  if [ ! -d "$HERE/node_modules/playwright-core" ]; then
    log "installing playwright-core (npm ci)"
    (cd "$HERE" && npm ci --no-audit --no-fund --silent) || return 1
  fi
}

if ! ensure_ui_test_deps; then
  echo "0 passed, 1 failed (could not install chromium/playwright-core)"
  exit 1
fi
mkdir -p "$ARTIFACTS"

if [ "${1:-}" = "--base-url" ]; then
  exec node "$HERE/ui_test.mjs" --out "$ARTIFACTS" "$@"
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 "$HERE/fake_cluster_server.py" --port "$port" >"$ARTIFACTS/fake_server.log" 2>&1 &
fake_pid=$!
trap 'kill "$fake_pid" 2>/dev/null; wait "$fake_pid" 2>/dev/null' EXIT
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$port/status" >/dev/null 2>&1 && break
  sleep 0.1
done
fake="http://127.0.0.1:$port"
node "$HERE/ui_test.mjs" --base-url "$fake" --out "$ARTIFACTS" \
  --kill-cmd "curl -fsS -o /dev/null '$fake/fake/kill?broker={leader}'" \
  --restart-cmd "curl -fsS -o /dev/null '$fake/fake/restart?broker={leader}'" "$@"
