# Shared helpers for tests/interop/run.sh and tests/interop/clients/*.sh.
# Source it; it defines variables and functions only.

INTEROP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$INTEROP_DIR/../lib.sh"

# Caches (venvs, Maven/Go/npm builds) live under .cache/ (git-ignored) and are
# reused across runs.
INTEROP_CACHE="${INTEROP_CACHE:-$GREGOR_ROOT/.cache/interop}"
# Scenario size: records produced before the group consumes, and records
# produced before the group restarts.
INTEROP_COUNT="${INTEROP_COUNT:-10000}"
INTEROP_EXTRA="${INTEROP_EXTRA:-30}"
INTEROP_PARTITIONS=3
INTEROP_CODECS="none,gzip,snappy,lz4,zstd"
# Makes topic and group names unique per run.
INTEROP_RUN_ID="${INTEROP_RUN_ID:-$(date +%Y%m%d%H%M%S)-$$}"
KAFKA_SH="$GREGOR_ROOT/tests/kafka/kafka.sh"
# Exit status of a client script that cannot run on this machine (skipped).
INTEROP_SKIP=77

mkdir -p "$INTEROP_CACHE"

# interop_names CLIENT: sets TOPIC and GROUP, unique per run.
interop_names() {
  TOPIC="interop-$1-$INTEROP_RUN_ID"
  GROUP="interop-$1-group-$INTEROP_RUN_ID"
}

# The Python that runs spec.py (standard library only) and makes the venvs.
ensure_python() {
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    ensure_packages python3 python3-venv || return 1
  fi
}

venv_dir() { echo "$INTEROP_CACHE/venv-$1"; }

# ensure_venv NAME REQUIREMENTS_FILE: a venv with exactly those requirements,
# rebuilt only when the file changes.
ensure_venv() {
  local name="$1" req="$2" dir stamp
  dir="$(venv_dir "$name")"
  stamp="$(sha256sum "$req" | cut -c1-16)"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  ensure_python || return 1
  log "creating venv $dir from $(basename "$req")"
  rm -rf "$dir"
  python3 -m venv "$dir" || return 1
  "$dir/bin/pip" install -q --disable-pip-version-check -r "$req" || { rm -rf "$dir"; return 1; }
  echo "$stamp" >"$dir/.stamp"
}

# interop_check NAME OUT_DIR [spec.py check options]: verifies the dumps and
# prints the one-line result.
interop_check() {
  local name="$1" out="$2"
  shift 2
  python3 "$INTEROP_DIR/spec.py" check --name "$name" --dir "$out" \
    --count "$INTEROP_COUNT" --extra "$INTEROP_EXTRA" --partitions "$INTEROP_PARTITIONS" "$@"
}

# scenario_args: the common options of every scenario program.
scenario_args() {
  echo --bootstrap "$1" --topic "$TOPIC" --group "$GROUP" --out "$2" \
    --count "$INTEROP_COUNT" --extra "$INTEROP_EXTRA" --partitions "$INTEROP_PARTITIONS"
}

# admin_config NAME: a properties file for Kafka's Java CLI tools
# (--command-config) that names their admin client interop-NAME-admin, so the
# requests of this suite can be told apart from other traffic.
admin_config() {
  local f="$INTEROP_CACHE/admin-$1.properties"
  echo "client.id=interop-$1-admin" >"$f"
  echo "$f"
}
