#!/usr/bin/env bash
# Watch a partition leader fail over on a running compose cluster, losing nothing.
#
#   deploy/failover-demo.sh [options]
#
# 1. creates a topic with replication factor 3 and min.insync.replicas=2
# 2. starts a producer (acks=all, idempotent) and a consumer on the host, against
#    the published listeners (deploy/failover_client.py, confluent-kafka)
# 3. shows the partition's leader and ISR
# 4. `docker kill`s the leader's container
# 5. shows the new leader and the shrunk ISR, and that producing and consuming go on
# 6. restarts the container and shows the ISR expand again
# 7. stops the producer, lets the consumer catch up, prints the counts:
#    produced, acknowledged, consumed, lost (must be 0)
# Exit status: 0 when nothing acknowledged was lost and the leader moved; 1 otherwise.
#
# Options (defaults fit deploy/docker-compose.yml):
#   --compose-file FILE     the cluster's compose file (deploy/docker-compose.yml)
#   --bootstrap LIST        Kafka bootstrap servers (localhost:19092,localhost:19093,localhost:19094)
#   --api URLS              comma-separated HTTP bases whose /api/cluster tells leader and ISR,
#                           tried in order (the controllers', then the brokers' published ports)
#   The defaults follow the compose file's port variables (GREGOR_BROKER<N>_KAFKA_PORT,
#   GREGOR_CONTROLLER<N>_HTTP_PORT, GREGOR_BROKER<N>_HTTP_PORT) when they are set.
#   --metadata kafka        take leader and ISR from Kafka Metadata requests instead of /api/cluster
#   --service-pattern P     compose service of broker id N ("broker{id}")
#   --topic NAME            (failover-demo-<time>)
#   --rate N                records per second (200)
#   --consumer-mode M       subscribe (a consumer group; default) or assign
#   --timeout S             how long each wait may take (90)
#   --result FILE           also write the outcome as JSON (for tests/deploy/run.sh)
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../tests/lib.sh"

COMPOSE_FILE="$HERE/docker-compose.yml"
BOOTSTRAP="" API=""
for n in 1 2 3; do
  v="GREGOR_BROKER${n}_KAFKA_PORT"; BOOTSTRAP+="${BOOTSTRAP:+,}localhost:${!v:-$((19091 + n))}"
done
for n in 1 2 3; do v="GREGOR_CONTROLLER${n}_HTTP_PORT"; API+="${API:+,}http://127.0.0.1:${!v:-$((18080 + n))}"; done
for n in 1 2 3; do v="GREGOR_BROKER${n}_HTTP_PORT"; API+=",http://127.0.0.1:${!v:-$((18090 + n))}"; done
METADATA=api
SERVICE_PATTERN="broker{id}"
TOPIC="failover-demo-$(date +%H%M%S)"
RATE=200
CONSUMER_MODE=subscribe
TIMEOUT=90
RESULT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --compose-file) COMPOSE_FILE="$2"; shift 2 ;;
    --bootstrap) BOOTSTRAP="$2"; shift 2 ;;
    --api) API="$2"; shift 2 ;;
    --metadata) METADATA="$2"; shift 2 ;;
    --service-pattern) SERVICE_PATTERN="$2"; shift 2 ;;
    --topic) TOPIC="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --consumer-mode) CONSUMER_MODE="$2"; shift 2 ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    --result) RESULT="$2"; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

VENV="$GREGOR_ROOT/.cache/deploy-venv"
WORK=$(mktemp -d /tmp/gregor-failover-demo.XXXXXX)
STATS="$WORK/stats.json"
CLIENT_PID=""
T0=$(date +%s.%N)

# --- presentation -------------------------------------------------------------
bold=$'\e[1m'; red=$'\e[31m'; green=$'\e[32m'; reset=$'\e[0m'
[ -t 1 ] || { bold=""; red=""; green=""; reset=""; }
STEP=0
step() { STEP=$((STEP + 1)); printf '\n%s[%s] step %d: %s%s\n' "$bold" "$(date +%H:%M:%S.%3N)" "$STEP" "$*" "$reset"; }
say() { printf '[%s] %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }
elapsed() { printf '%.1f' "$(echo "$(date +%s.%N) - $1" | bc)"; }
fail() { printf '%s[%s] FAILED: %s%s\n' "$red" "$(date +%H:%M:%S.%3N)" "$*" "$reset"; finish 1; }

cleanup() {
  [ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null && wait "$CLIENT_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- tools --------------------------------------------------------------------
ensure_venv() {
  ensure_packages python3-venv bc curl >/dev/null || return 1
  if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$HERE/requirements.txt" "$VENV/requirements.txt"; then
    say "setting up the Python client in $VENV (confluent-kafka)"
    python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r "$HERE/requirements.txt" &&
      cp "$HERE/requirements.txt" "$VENV/requirements.txt"
  fi
}
client() { "$VENV/bin/python" "$HERE/failover_client.py" "$@"; }
# On a busy machine with the vfs driver creating a container (a full copy of
# the image) can take longer than docker-compose's default 60 s API timeout.
export COMPOSE_HTTP_TIMEOUT="${COMPOSE_HTTP_TIMEOUT:-300}"
compose() { docker-compose -f "$COMPOSE_FILE" "$@"; }
container_of() { compose ps -q "${SERVICE_PATTERN//\{id\}/$1}" 2>/dev/null; }
# read_stats: sets S_PRODUCED S_ACKED S_FAILED S_CONSUMED S_DUPLICATES S_LOST S_LAST_ERROR
# from one snapshot of the client's stats file.
read_stats() {
  S_PRODUCED=0 S_ACKED=0 S_FAILED=0 S_CONSUMED=0 S_DUPLICATES=0 S_LOST=0 S_LAST_ERROR="" S_MISSING=""
  [ -s "$STATS" ] || return 0
  eval "$(python3 - "$STATS" <<'PY'
import json, shlex, sys
s = json.load(open(sys.argv[1]))
for k in ("produced", "acked", "failed", "consumed", "duplicates", "lost"):
    print(f"S_{k.upper()}={int(s.get(k, 0))}")
print(f"S_LAST_ERROR={shlex.quote(str(s.get('last_error', '')))}")
print(f"S_MISSING={shlex.quote(str(s.get('missing_sample', '')))}")
PY
)"
}

# partition_state -> "leader isr replicas source" (isr/replicas comma-separated)
partition_state() {
  local url json
  if [ "$METADATA" = api ]; then
    for url in ${API//,/ }; do
      json=$(curl -fsS --max-time 2 "$url/api/cluster" 2>/dev/null) || continue
      python3 -c '
import json, sys
v = json.loads(sys.argv[1])
for t in v.get("topics", []):
    if t["name"] == sys.argv[2]:
        for p in t["partitions"]:
            if p["partition"] == 0:
                print(p["leader"], ",".join(map(str, p["isr"])) or "-", ",".join(map(str, p["replicas"])), sys.argv[3])
                sys.exit(0)
sys.exit(1)' "$json" "$TOPIC" "$url" && return 0
    done
    return 1
  fi
  client metadata --bootstrap "$BOOTSTRAP" --topic "$TOPIC" 2>/dev/null | python3 -c '
import json, sys
p = json.load(sys.stdin)["partitions"][0]
print(p["leader"], ",".join(map(str, p["isr"])) or "-", ",".join(map(str, p["replicas"])), "kafka-metadata")'
}

# wait_for DESCRIPTION CONDITION...: re-reads the partition state until CONDITION
# (a shell expression over $leader $isr $replicas) holds or the timeout passes.
leader=""; isr=""; replicas=""; source=""
wait_for() {
  local what="$1" cond="$2" deadline=$(( $(date +%s) + TIMEOUT ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if read -r leader isr replicas source < <(partition_state) && eval "$cond"; then
      return 0
    fi
    sleep 0.5
  done
  fail "$what: not within ${TIMEOUT}s (last: leader ${leader:-?}, ISR ${isr:-?})"
}

in_list() { [[ ",$2," == *",$1,"* ]]; }
count_list() { [ "$1" = "-" ] && echo 0 || awk -F, '{print NF}' <<<"$1"; }

show_progress() {  # one line of client counts
  read_stats
  say "produced $S_PRODUCED, acknowledged $S_ACKED, consumed $S_CONSUMED$([ "$S_FAILED" != 0 ] && echo ", failed $S_FAILED")"
}

wait_progress() {  # wait_progress WHAT MIN_NEW_ACKED MIN_NEW_CONSUMED
  local a0 c0 deadline=$(( $(date +%s) + TIMEOUT ))
  read_stats; a0=$S_ACKED; c0=$S_CONSUMED
  while [ "$(date +%s)" -lt "$deadline" ]; do
    read_stats
    if [ "$S_ACKED" -ge $((a0 + $2)) ] && [ "$S_CONSUMED" -ge $((c0 + $3)) ]; then
      show_progress
      return 0
    fi
    kill -0 "$CLIENT_PID" 2>/dev/null || fail "the client process died: $(tail -3 "$WORK/client.log")"
    sleep 0.5
  done
  show_progress
  fail "$1: fewer than $2 new acknowledgements or $3 new records consumed in ${TIMEOUT}s (last error: $S_LAST_ERROR)"
}

RESULT_JSON='{}'
OLD_LEADER=""; NEW_LEADER=""; ISR_BEFORE=""; ISR_SHRUNK=""; ISR_AFTER=""
FAILOVER_S=""; REJOIN_S=""; KILL_MS=null; REJOIN_MS=null
finish() {
  local rc="$1" produced acked consumed lost failed dups
  if [ -n "$CLIENT_PID" ] && kill -0 "$CLIENT_PID" 2>/dev/null; then
    step "stop producing, let the consumer read everything acknowledged"
    kill -TERM "$CLIENT_PID"
    wait "$CLIENT_PID"
    CLIENT_PID=""
  fi
  read_stats
  produced=$S_PRODUCED; acked=$S_ACKED; consumed=$S_CONSUMED; lost=$S_LOST; failed=$S_FAILED; dups=$S_DUPLICATES
  printf '\n%sResult%s\n' "$bold" "$reset"
  printf '  %-36s %s\n' "leader before / after the kill" "${OLD_LEADER:-?} -> ${NEW_LEADER:-?}" \
    "ISR before / after kill / after restart" "${ISR_BEFORE:-?} -> ${ISR_SHRUNK:-?} -> ${ISR_AFTER:-?}" \
    "new leader elected after" "${FAILOVER_S:-?} s" "old leader back in the ISR after" "${REJOIN_S:-?} s" \
    "produced" "$produced" "acknowledged" "$acked" "not acknowledged (delivery error)" "$failed" \
    "consumed (distinct)" "$consumed" "duplicates read" "$dups" "lost (acknowledged, never read)" "$lost"
  if [ "$lost" != 0 ]; then
    printf '  %-36s %s\n' "first lost sequence numbers" "$S_MISSING"
  fi
  if [ "$rc" -eq 0 ] && { [ "$lost" != 0 ] || [ -z "$NEW_LEADER" ] || [ "$NEW_LEADER" = "$OLD_LEADER" ]; }; then rc=1; fi
  if [ -n "$RESULT" ]; then
    python3 - "$RESULT" <<PY
import json, sys
null = None
json.dump({"ok": $rc == 0, "topic": "$TOPIC", "old_leader": "$OLD_LEADER", "new_leader": "$NEW_LEADER",
           "isr_before": "$ISR_BEFORE", "isr_after_kill": "$ISR_SHRUNK", "isr_after_restart": "$ISR_AFTER",
           "failover_seconds": "$FAILOVER_S", "rejoin_seconds": "$REJOIN_S",
           "kill_time_ms": $KILL_MS, "rejoin_time_ms": $REJOIN_MS,
           "produced": $produced, "acked": $acked, "failed": $failed, "consumed": $consumed,
           "duplicates": $dups, "lost": $lost}, open(sys.argv[1], "w"), indent=1)
PY
  fi
  if [ "$rc" -eq 0 ]; then
    printf '%sOK: the leader moved and nothing acknowledged was lost (%ss in all)%s\n' "$green" "$(elapsed "$T0")" "$reset"
  else
    printf '%sFAILED (see above)%s\n' "$red" "$reset"
  fi
  exit "$rc"
}

# --- the demo -----------------------------------------------------------------
step "prepare: Python client, cluster reachable"
ensure_venv || fail "could not set up the Python client"
compose ps >/dev/null 2>&1 || fail "docker-compose cannot read $COMPOSE_FILE (is the engine running?)"
# The bootstrap ports must belong to this compose cluster, not to something else on the host.
for n in 1 2 3; do
  id=$(container_of "$n")
  [ -n "$id" ] && [ "$(docker inspect -f '{{.State.Running}}' "$id" 2>/dev/null)" = true ] ||
    fail "service ${SERVICE_PATTERN//\{id\}/$n} of $COMPOSE_FILE is not running (docker-compose up -d first)"
done
say "bootstrap servers: $BOOTSTRAP"

step "create topic $TOPIC: 1 partition, replication factor 3, min.insync.replicas=2"
client create-topic --bootstrap "$BOOTSTRAP" --topic "$TOPIC" --partitions 1 --replication-factor 3 \
  --config min.insync.replicas=2 >/dev/null || fail "could not create the topic"
wait_for "the topic has a leader and a full ISR" \
  '[ "$leader" -ge 0 ] && [ "$(count_list "$isr")" -eq 3 ]'
say "partition $TOPIC-0: leader ${bold}$leader${reset}, replicas $replicas, ISR $isr   (from $source)"

step "start a producer (acks=all, idempotent, $RATE records/s) and a consumer ($CONSUMER_MODE)"
# Started directly (not through a shell function) so that $! is the client itself.
"$VENV/bin/python" "$HERE/failover_client.py" run --bootstrap "$BOOTSTRAP" --topic "$TOPIC" \
  --stats "$STATS" --rate "$RATE" --consumer-mode "$CONSUMER_MODE" >"$WORK/client.log" 2>&1 &
CLIENT_PID=$!
wait_progress "records flow" 200 100

step "the partition before the failure"
# A full ISR before the kill (a replica can fall behind for a moment on a busy
# machine), so that the shrink and the expansion are there to be seen.
wait_for "the ISR is full before the kill" \
  '[ "$leader" -ge 0 ] && [ "$(count_list "$isr")" -eq "$(count_list "$replicas")" ]'
OLD_LEADER=$leader; ISR_BEFORE=$isr
say "leader ${bold}$OLD_LEADER${reset}, ISR ${bold}$ISR_BEFORE${reset}"
victim=$(container_of "$OLD_LEADER")
[ -n "$victim" ] || fail "no container for broker $OLD_LEADER (service ${SERVICE_PATTERN//\{id\}/$OLD_LEADER})"

step "docker kill the leader: broker $OLD_LEADER (container ${victim:0:12})"
T_KILL=$(date +%s.%N); KILL_MS=$(date +%s%3N)
docker kill "$victim" >/dev/null || fail "docker kill failed"
say "killed"

step "wait for a new leader"
wait_for "a new leader other than $OLD_LEADER" '[ "$leader" -ge 0 ] && [ "$leader" != "$OLD_LEADER" ]'
NEW_LEADER=$leader; FAILOVER_S=$(elapsed "$T_KILL")
say "new leader ${bold}$NEW_LEADER${reset} after ${FAILOVER_S}s"
wait_for "the ISR shrinks without broker $OLD_LEADER" '! in_list "$OLD_LEADER" "$isr"'
ISR_SHRUNK=$isr
say "ISR shrank: ${bold}$ISR_BEFORE -> $ISR_SHRUNK${reset}"

step "producing and consuming go on without broker $OLD_LEADER"
wait_progress "records flow after the failover" 200 200

step "restart broker $OLD_LEADER's container"
T_START=$(date +%s.%N)
docker start "$victim" >/dev/null || fail "docker start failed"
say "started; waiting for it to catch up and rejoin the ISR"
wait_for "broker $OLD_LEADER back in the ISR" 'in_list "$OLD_LEADER" "$isr" && [ "$(count_list "$isr")" -eq 3 ]'
ISR_AFTER=$isr; REJOIN_S=$(elapsed "$T_START"); REJOIN_MS=$(date +%s%3N)
say "ISR expanded: ${bold}$ISR_SHRUNK -> $ISR_AFTER${reset} after ${REJOIN_S}s (leader $leader)"
wait_progress "records flow after the restart" 100 100

finish 0
