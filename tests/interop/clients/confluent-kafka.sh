#!/usr/bin/env bash
# confluent-kafka (librdkafka): the full scenario (python/confluent_scenario.py).
#   clients/confluent-kafka.sh install
#   clients/confluent-kafka.sh run BOOTSTRAP OUT_DIR
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
NAME=confluent-kafka
REQ="$INTEROP_DIR/python/requirements-confluent.txt"
case "${1:-}" in
  install) ensure_venv "$NAME" "$REQ" ;;
  run)
    interop_names "$NAME"
    # shellcheck disable=SC2046
    "$(venv_dir "$NAME")/bin/python" "$INTEROP_DIR/python/confluent_scenario.py" \
      $(scenario_args "$2" "$3") --codecs "$INTEROP_CODECS" || exit 1
    interop_check "$NAME" "$3" --codecs "$INTEROP_CODECS" ;;
  *) echo "usage: $0 install | run BOOTSTRAP OUT_DIR" >&2; exit 2 ;;
esac
