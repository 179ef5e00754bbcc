#!/usr/bin/env bash
# Re-captures the golden request frames (see capture_golden.py): installs
# kcat (Debian) if missing and kafka-python (newest 3.x, PyPI) into a venv
# under .cache/, then runs the fake-broker capture.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
if ! command -v kcat >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq kcat
fi
venv="$root/.cache/golden-venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'kafka-python>=3,<4'
fi
exec "$venv/bin/python" "$here/capture_golden.py" --out "$here" "$@"
