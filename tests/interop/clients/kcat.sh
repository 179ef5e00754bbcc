#!/usr/bin/env bash
# kcat (Debian's package; librdkafka 2.0.2): the scenario with kcat doing the
# client work, Kafka's CLI tools creating the topic and describing the group
# (kcat has neither).
#   -P: records produced in runs of one codec and one header set (kcat's -H
#       applies to a whole invocation, so headers come in blocks of HBLOCK
#       records: spec.py --hblock), with -X compression.codec=<each codec>
#   -L -J: metadata listing checked (brokers, partitions, leaders)
#   -G: two balanced consumers in one group; the group is described while both
#       are members; SIGTERM makes each commit and leave; then a restarted
#       consumer (-G -e) must get exactly the records produced meanwhile.
#   clients/kcat.sh install
#   clients/kcat.sh run BOOTSTRAP OUT_DIR
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
NAME=kcat
HBLOCK=250
KBIN="$GREGOR_ROOT/tests/kafka/bin"
WAIT="${KCAT_CONSUME_TIMEOUT:-120}"

spec() { python3 "$INTEROP_DIR/spec.py" "$@"; }
tools() { python3 "$INTEROP_DIR/cli_tools.py" "$@"; }
die() { echo "FAIL $NAME: $*"; exit 1; }

# produce FROM TO: records [FROM, TO) by kcat -P, one invocation per run.
produce() {
  local lo hi codec hs hopts
  while read -r lo hi codec hs; do
    hopts=()
    if [ "$hs" != - ]; then
      IFS=, read -ra pairs <<<"$hs"
      for h in "${pairs[@]}"; do hopts+=(-H "$h"); done
    fi
    spec gen --from "$lo" --to "$hi" --count "$INTEROP_COUNT" --codecs "$INTEROP_CODECS" --format kv |
      kcat -P -b "$BOOTSTRAP" -t "$TOPIC" -K $'\t' -X compression.codec="$codec" \
        -X client.id=interop-kcat-producer "${hopts[@]}" 2>>"$OUT/kcat-produce.err" ||
      die "kcat -P failed for records $lo..$hi ($codec): $(tail -3 "$OUT/kcat-produce.err")"
  done < <(spec runs --from "$1" --to "$2" --count "$INTEROP_COUNT" --codecs "$INTEROP_CODECS" --hblock "$HBLOCK")
  if grep -q ERROR "$OUT/kcat-produce.err" 2>/dev/null; then
    die "kcat -P reported errors: $(grep ERROR "$OUT/kcat-produce.err" | head -3)"
  fi
}

# group_consumer MEMBER [kcat options]: a balanced consumer in the background; sets PID_<MEMBER>.
group_consumer() {
  local member="$1"
  shift
  kcat -b "$BOOTSTRAP" -G "$GROUP" -J -q -u -X auto.offset.reset=earliest -X client.id="interop-kcat-$member" \
    "$@" "$TOPIC" >"$OUT/$member.json" 2>"$OUT/$member.err" &
  eval "PID_$member=$!"
}

ktopics() { "$KBIN/kafka-topics" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CFG" "$@"; }
kgroups() { "$KBIN/kafka-consumer-groups" --bootstrap-server "$BOOTSTRAP" --command-config "$ADMIN_CFG" "$@"; }
describe() { kgroups --describe --group "$GROUP" "$@" 2>&1; }

run() {
  BOOTSTRAP="$1" OUT="$2"
  interop_names "$NAME"
  mkdir -p "$OUT"
  ADMIN_CFG="$(admin_config "$NAME")"
  local brokers
  kcat -L -b "$BOOTSTRAP" -J -X client.id=interop-kcat-metadata >"$OUT/metadata.json" 2>"$OUT/metadata.err" || die "kcat -L failed: $(tail -3 "$OUT/metadata.err")"
  brokers="$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["brokers"]))' "$OUT/metadata.json")" ||
    die "kcat -L -J printed no metadata JSON"
  ktopics --create --topic "$TOPIC" \
    --partitions "$INTEROP_PARTITIONS" --replication-factor "$((brokers < 3 ? brokers : 3))" >"$OUT/create.log" 2>&1 ||
    die "kafka-topics --create failed: $(tail -3 "$OUT/create.log")"
  kcat -L -b "$BOOTSTRAP" -J -X client.id=interop-kcat-metadata -t "$TOPIC" | tools kcat-metadata "$TOPIC" "$INTEROP_PARTITIONS" || exit 1

  produce 0 "$INTEROP_COUNT"
  echo "kcat -P: produced $INTEROP_COUNT records"

  group_consumer c1
  group_consumer c2
  local deadline=$((SECONDS + WAIT)) n
  while :; do
    n=$(cat "$OUT/c1.json" "$OUT/c2.json" 2>/dev/null | wc -l)
    [ "$n" -ge "$INTEROP_COUNT" ] && break
    kill -0 "$PID_c1" 2>/dev/null && kill -0 "$PID_c2" 2>/dev/null || die "a kcat -G consumer exited: $(cat "$OUT"/c?.err | tail -5)"
    [ $SECONDS -lt $deadline ] || { kill "$PID_c1" "$PID_c2"; die "group consumed $n of $INTEROP_COUNT records in ${WAIT}s"; }
    sleep 0.5
  done
  sleep 2  # anything beyond the produced records would show up now
  describe --members --verbose >"$OUT/members.txt"
  tools group-members "$GROUP" 2 "$INTEROP_PARTITIONS" <"$OUT/members.txt" || { kill "$PID_c1" "$PID_c2"; exit 1; }
  # SIGTERM: kcat closes its consumer, which commits the offsets consumed.
  kill -TERM "$PID_c1" "$PID_c2"
  wait "$PID_c1" "$PID_c2"
  kgroups --list | tools lines-contain "$GROUP" || exit 1
  describe | tools group-offsets "$GROUP" "$INTEROP_PARTITIONS" || exit 1
  for m in c1 c2; do tools kcat-json group "$m" <"$OUT/$m.json"; done >"$OUT/consumed.jsonl"

  produce "$INTEROP_COUNT" "$((INTEROP_COUNT + INTEROP_EXTRA))"
  # -e: exit once every assigned partition is at its end.
  timeout "$WAIT" kcat -b "$BOOTSTRAP" -G "$GROUP" -J -q -e -X client.id=interop-kcat-r1 \
    "$TOPIC" >"$OUT/r1.json" 2>"$OUT/r1.err" || die "restarted kcat -G -e failed: $(tail -3 "$OUT/r1.err")"
  tools kcat-json resume r1 <"$OUT/r1.json" >>"$OUT/consumed.jsonl"
  echo "kcat -G -e after restart: $(wc -l <"$OUT/r1.json") records"
  describe --state | tools group-state "$GROUP" Empty || exit 1
  describe | tools group-offsets "$GROUP" "$INTEROP_PARTITIONS" || exit 1
  interop_check "$NAME" "$OUT" --codecs "$INTEROP_CODECS" --hblock "$HBLOCK"
}

case "${1:-}" in
  install)
    ensure_python || exit 1
    ensure_packages kcat || exit 1
    "$GREGOR_ROOT/tests/kafka/kafka.sh" fetch ;;
  run) run "$2" "$3" ;;
  *) echo "usage: $0 install | run BOOTSTRAP OUT_DIR" >&2; exit 2 ;;
esac
