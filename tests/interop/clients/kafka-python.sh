#!/usr/bin/env bash
# kafka-python, newest 3.x: the full scenario (python/kafka_python_scenario.py).
#   clients/kafka-python.sh install
#   clients/kafka-python.sh run BOOTSTRAP OUT_DIR
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
NAME=kafka-python
REQ="$INTEROP_DIR/python/requirements-kafka-python.txt"
case "${1:-}" in
  install) ensure_venv "$NAME" "$REQ" ;;
  run)
    interop_names "$NAME"
    # shellcheck disable=SC2046
    "$(venv_dir "$NAME")/bin/python" "$INTEROP_DIR/python/kafka_python_scenario.py" \
      $(scenario_args "$2" "$3") --codecs "$INTEROP_CODECS" || exit 1
    interop_check "$NAME" "$3" --codecs "$INTEROP_CODECS" ;;
  *) echo "usage: $0 install | run BOOTSTRAP OUT_DIR" >&2; exit 2 ;;
esac
