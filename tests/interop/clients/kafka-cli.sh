#!/usr/bin/env bash
# Apache Kafka's own CLI tools (Java, from the Maven jars; tests/kafka/bin):
#   kafka-topics --create/--list/--describe
#   kafka-console-producer, once per codec (--compression-codec), with keys and
#     per-record headers (parse.key, parse.headers; null.marker for no headers)
#   kafka-console-consumer --group: two consumers in one group, described while
#     both are members; SIGTERM makes each commit and leave; a restarted
#     consumer (--max-messages) must get exactly the records produced meanwhile
#   kafka-consumer-groups --list/--describe (--members --verbose, --state)
#   clients/kafka-cli.sh install
#   clients/kafka-cli.sh run BOOTSTRAP OUT_DIR
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
NAME=kafka-cli
KBIN="$GREGOR_ROOT/tests/kafka/bin"
WAIT="${CLI_CONSUME_TIMEOUT:-120}"
NONE='<none>'

spec() { python3 "$INTEROP_DIR/spec.py" "$@"; }
tools() { python3 "$INTEROP_DIR/cli_tools.py" "$@"; }
die() { echo "FAIL $NAME: $*"; exit 1; }

# produce FROM TO PER_CODEC(0|1)
produce() {
  local codecs="none" c lo hi
  [ "$3" = 1 ] && codecs="$INTEROP_CODECS"
  for c in ${codecs//,/ }; do
    # The records of [FROM, TO) that this codec covers.
    read -r lo hi < <(python3 -c "
import sys; sys.path.insert(0, '$INTEROP_DIR'); import spec
codecs = spec.parse_codecs('$INTEROP_CODECS')
idx = [i for i in range($1, $2) if ('$3' == '0' or spec.codec_of(i, $INTEROP_COUNT, codecs) == '$c')]
print(idx[0], idx[-1] + 1)")
    spec gen --from "$lo" --to "$hi" --count "$INTEROP_COUNT" --codecs "$INTEROP_CODECS" --format hkv |
      sed "s/^\t/$NONE\t/" |
      "$KBIN/kafka-console-producer" --bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" --compression-codec "$c" \
        --producer-property client.id="interop-cli-producer-$c" --request-timeout-ms 30000 \
        --property parse.key=true --property parse.headers=true --property null.marker="$NONE" \
        >>"$OUT/produce.log" 2>&1 || die "kafka-console-producer ($c) failed: $(tail -5 "$OUT/produce.log")"
    echo "kafka-console-producer: records $lo..$((hi - 1)) with --compression-codec $c"
  done
}

CONSUMER_PROPS=(--property print.partition=true --property print.offset=true --property print.key=true
  --property print.headers=true --property headers.separator=,)

ktopics() { "$KBIN/kafka-topics" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CFG" "$@"; }
kgroups() { "$KBIN/kafka-consumer-groups" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CFG" "$@"; }
describe() { kgroups --describe --group "$GROUP" "$@" 2>&1; }

run() {
  BOOTSTRAP="$1" OUT="$2"
  interop_names "$NAME"
  mkdir -p "$OUT"
  ADMIN_CFG="$(admin_config "$NAME")"
  # No --replication-factor: the cluster's default.
  ktopics --create --topic "$TOPIC" \
    --partitions "$INTEROP_PARTITIONS" >"$OUT/create.log" 2>&1 || die "kafka-topics --create failed: $(tail -3 "$OUT/create.log")"
  ktopics --list | tools lines-contain "$TOPIC" || exit 1
  ktopics --describe --topic "$TOPIC" |
    tools topic-describe "$TOPIC" "$INTEROP_PARTITIONS" || exit 1

  produce 0 "$INTEROP_COUNT" 1

  local m
  for m in c1 c2; do
    "$KBIN/kafka-console-consumer" --bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" --group "$GROUP" \
      --from-beginning --consumer-property client.id="interop-cli-$m" "${CONSUMER_PROPS[@]}" \
      >"$OUT/$m.out" 2>"$OUT/$m.err" &
    eval "PID_$m=$!"
  done
  local deadline=$((SECONDS + WAIT)) n
  while :; do
    n=$(cat "$OUT/c1.out" "$OUT/c2.out" 2>/dev/null | wc -l)
    [ "$n" -ge "$INTEROP_COUNT" ] && break
    kill -0 "$PID_c1" 2>/dev/null && kill -0 "$PID_c2" 2>/dev/null ||
      die "a console consumer exited: $(tail -5 "$OUT"/c?.err)"
    [ $SECONDS -lt $deadline ] || { kill "$PID_c1" "$PID_c2"; die "group consumed $n of $INTEROP_COUNT records in ${WAIT}s"; }
    sleep 0.5
  done
  sleep 2
  describe --members --verbose >"$OUT/members.txt"
  tools group-members "$GROUP" 2 "$INTEROP_PARTITIONS" <"$OUT/members.txt" || { kill "$PID_c1" "$PID_c2"; exit 1; }
  # SIGTERM: the console consumer closes its consumer, committing what it consumed.
  kill -TERM "$PID_c1" "$PID_c2"
  wait "$PID_c1" "$PID_c2"
  kgroups --list | tools lines-contain "$GROUP" || exit 1
  describe | tools group-offsets "$GROUP" "$INTEROP_PARTITIONS" || exit 1
  for m in c1 c2; do tools console group "$m" <"$OUT/$m.out" || exit 1; done >"$OUT/consumed.jsonl"

  produce "$INTEROP_COUNT" "$((INTEROP_COUNT + INTEROP_EXTRA))" 0
  # Restart: the first INTEROP_EXTRA records the group gets must be exactly the new ones.
  "$KBIN/kafka-console-consumer" --bootstrap-server "$BOOTSTRAP" --topic "$TOPIC" --group "$GROUP" \
    --max-messages "$INTEROP_EXTRA" --timeout-ms $((WAIT * 1000)) --consumer-property client.id=interop-cli-r1 \
    "${CONSUMER_PROPS[@]}" >"$OUT/r1.out" 2>"$OUT/r1.err" || die "restarted console consumer failed: $(tail -3 "$OUT/r1.err")"
  tools console resume r1 <"$OUT/r1.out" >>"$OUT/consumed.jsonl" || exit 1
  echo "kafka-console-consumer --group after restart: $(wc -l <"$OUT/r1.out") records"
  describe --state | tools group-state "$GROUP" Empty || exit 1
  describe | tools group-offsets "$GROUP" "$INTEROP_PARTITIONS" || exit 1
  interop_check "$NAME" "$OUT" --codecs "$INTEROP_CODECS"
}

case "${1:-}" in
  install) ensure_python && "$GREGOR_ROOT/tests/kafka/kafka.sh" fetch ;;
  run) run "$2" "$3" ;;
  *) echo "usage: $0 install | run BOOTSTRAP OUT_DIR" >&2; exit 2 ;;
esac
