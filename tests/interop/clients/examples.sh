#!/usr/bin/env bash
# docs/examples: the tutorial's JSON producer and consumer, run as written with
# kafka-python 3.x and (when it installs here) 2.0.2, the tutorial's version.
# The producer prints "sent <message>" for each message; the consumer, which
# runs until killed, must print "topic=example_topic offset=N value=<message>"
# for every one of them.
#   clients/examples.sh install
#   clients/examples.sh run BOOTSTRAP OUT_DIR
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
EXAMPLES="$GREGOR_ROOT/docs/examples"
CONSUMER_TIMEOUT="${EXAMPLES_CONSUMER_TIMEOUT:-60}"

# run_with VENV OUT: one producer run and one consumer run; returns non-zero on a mismatch.
run_with() {
  local venv="$1" out="$2" py
  py="$(venv_dir "$venv")/bin/python"
  mkdir -p "$out"
  export KAFKA_BOOTSTRAP_SERVERS="$BOOTSTRAP"
  if ! timeout 120 "$py" "$EXAMPLES/producer.py" >"$out/producer.out" 2>"$out/producer.err"; then
    echo "FAIL examples ($venv): producer.py failed:"; tail -20 "$out/producer.err"; return 1
  fi
  local sent
  sent="$(grep -c '^sent ' "$out/producer.out")"
  [ "$sent" -eq 10 ] || { echo "FAIL examples ($venv): producer printed $sent 'sent' lines, want 10"; return 1; }
  # The consumer runs forever: start it, wait until it printed every message
  # the producer sent (or the timeout), then stop it.
  timeout "$CONSUMER_TIMEOUT" "$py" -u "$EXAMPLES/consumer.py" >"$out/consumer.out" 2>"$out/consumer.err" &
  local pid=$! deadline=$((SECONDS + CONSUMER_TIMEOUT)) missing
  while :; do
    missing=0
    # Lines of the form "topic=example_topic offset=N value=V", reduced to V.
    sed -n 's/^topic=example_topic offset=[0-9][0-9]* value=//p' "$out/consumer.out" >"$out/values"
    while read -r line; do
      grep -qxF -- "${line#sent }" "$out/values" || { missing=1; break; }
    done < <(grep '^sent ' "$out/producer.out")
    [ "$missing" = 0 ] && break
    kill -0 "$pid" 2>/dev/null || break
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ "$missing" != 0 ]; then
    echo "FAIL examples ($venv): consumer.py did not print every sent message within ${CONSUMER_TIMEOUT}s"
    echo "--- producer:"; cat "$out/producer.out"; echo "--- consumer (last 20 lines):"; tail -20 "$out/consumer.out"
    echo "--- consumer stderr:"; tail -20 "$out/consumer.err"
    return 1
  fi
  local version
  version="$("$py" -c 'import kafka; print(kafka.__version__)')"
  echo "OK examples with kafka-python $version: consumer printed all 10 messages the producer sent ($(wc -l <"$out/consumer.out") lines in example_topic)"
}

case "${1:-}" in
  install)
    "$INTEROP_DIR/clients/kafka-python.sh" install || exit 1
    "$INTEROP_DIR/clients/kafka-python-2.sh" install >/dev/null 2>&1
    exit 0 ;;
  run)
    BOOTSTRAP="$2"
    rc=0
    run_with kafka-python "$3/kafka-python" || rc=1
    if [ -x "$(venv_dir kafka-python-2)/bin/python" ]; then
      run_with kafka-python-2 "$3/kafka-python-2" || rc=1
    else
      echo "examples: kafka-python 2.0.2 not installable here; ran with 3.x only"
    fi
    exit $rc ;;
  *) echo "usage: $0 install | run BOOTSTRAP OUT_DIR" >&2; exit 2 ;;
esac
