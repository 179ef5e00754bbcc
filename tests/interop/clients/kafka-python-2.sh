#!/usr/bin/env bash
# kafka-python 2.0.2 (the Kafka tutorial's client; very old protocol versions):
# the same scenario as kafka-python.sh, in its own venv. Skipped (exit 77) when
# 2.0.2 does not install or import on this Python (it breaks on Python 3.12+).
#   clients/kafka-python-2.sh install
#   clients/kafka-python-2.sh run BOOTSTRAP OUT_DIR
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
NAME=kafka-python-2
REQ="$INTEROP_DIR/python/requirements-kafka-python-2.txt"
case "${1:-}" in
  install)
    if ! ensure_venv "$NAME" "$REQ" || ! "$(venv_dir "$NAME")/bin/python" -c 'import kafka, kafka.admin'; then
      echo "kafka-python 2.0.2 does not install/import on $(python3 --version 2>&1): skipped" >&2
      exit "$INTEROP_SKIP"
    fi ;;
  run)
    interop_names "$NAME"
    # shellcheck disable=SC2046
    "$(venv_dir "$NAME")/bin/python" "$INTEROP_DIR/python/kafka_python_scenario.py" \
      $(scenario_args "$2" "$3") --codecs "$INTEROP_CODECS" || exit 1
    interop_check "$NAME" "$3" --codecs "$INTEROP_CODECS" ;;
  *) echo "usage: $0 install | run BOOTSTRAP OUT_DIR" >&2; exit 2 ;;
esac
