#!/usr/bin/env bash
# A Gregor cluster (3 controllers + 3 brokers) with every node in its own
# network namespace, so faults can cut links between chosen nodes.
#
#   netns_cluster.sh up                 network + controllers + brokers, waits until ready
#   netns_cluster.sh down               stop every process, remove the namespaces
#   netns_cluster.sh status             one line per node: state, pid, address
#   netns_cluster.sh bootstrap          host:port list for clients (reachable from this namespace)
#   netns_cluster.sh nodes              node names: c1 c2 c3 b1 b2 b3
#   netns_cluster.sh start NODE         start a node again (no-op when it runs)
#   netns_cluster.sh stop NODE          SIGTERM (controlled shutdown for brokers), wait, SIGKILL
#   netns_cluster.sh kill NODE[,NODE]   SIGKILL (all of them at once)
#   netns_cluster.sh pause NODE         SIGSTOP
#   netns_cluster.sh resume NODE        SIGCONT
#   netns_cluster.sh isolate NODE       its link down: nobody (clients included) reaches it
#   netns_cluster.sh connect NODE       its link up again
#   netns_cluster.sh cut A B            drop every packet between node sets A and B
#   netns_cluster.sh uncut A B          undo `cut A B`
#   netns_cluster.sh heal               resume paused nodes, links up, remove every cut,
#                                       start the nodes that are down
#   netns_cluster.sh wait-ready [SECS]  until a controller is active and every broker ready
#
# NODE is c1..c3 (controllers 1001..1003) or b1..b3 (brokers 1..3). A node set
# is a comma-separated list of nodes and the words `controllers`, `brokers`,
# `clients` (this namespace, where the workload runs) and `all`.
#
# Topology: a hub namespace holds a bridge; each node namespace has one veth
# (eth0) into the bridge, and this namespace gets one veth ($GCH_NS"0") into it
# at $GCH_NET.1. Nodes: controllers $GCH_NET.11-13, brokers $GCH_NET.21-23,
# every node on the default ports (Kafka 9092, replication 9192, broker HTTP
# 8081, controller gRPC 9301, controller HTTP 8301). Bridging happens inside
# the hub namespace, so this namespace's firewall is never touched; cuts are
# iptables DROP rules on INPUT inside the node namespaces (silent drops, as a
# real partition). Only traffic to our own namespaces is affected.
#
# Environment:
#   GCH_DIR    data, logs and pid files (default <repo>/.cache/chaos/cluster)
#   GCH_BIN    directory holding gregor-controller and gregor-broker
#              (default <repo>/bazel-bin/{controller,broker})
#   GCH_NS     namespace/interface name prefix (default gch)
#   GCH_NET    first three octets of the private /24 (default 10.213.7)
#   GCH_RF     replication factor of auto-created and internal topics (default 3)
#   GCH_BROKER_FLAGS / GCH_CONTROLLER_FLAGS   extra flags for every broker / controller
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

GCH_DIR="${GCH_DIR:-$GREGOR_ROOT/.cache/chaos/cluster}"
GCH_NS="${GCH_NS:-gch}"
GCH_NET="${GCH_NET:-10.213.7}"
GCH_RF="${GCH_RF:-3}"
HUB="$GCH_NS-hub"
HOSTIF="${GCH_NS}0"
CONTROLLERS=(c1 c2 c3)
BROKERS=(b1 b2 b3)
ALL_NODES=("${CONTROLLERS[@]}" "${BROKERS[@]}")

controller_bin() { echo "${GCH_BIN:-$GREGOR_ROOT/bazel-bin/controller}/gregor-controller"; }
broker_bin() { echo "${GCH_BIN:-$GREGOR_ROOT/bazel-bin/broker}/gregor-broker"; }

die() { echo "netns_cluster: $*" >&2; exit 2; }

valid_node() {
  local n
  for n in "${ALL_NODES[@]}"; do [ "$n" = "$1" ] && return 0; done
  return 1
}
need_node() { valid_node "${1:-}" || die "unknown node '${1:-}' (nodes: ${ALL_NODES[*]})"; }

ns_of() { echo "$GCH_NS-$1"; }
ip_of() {  # ip_of NODE|clients
  case "$1" in
    clients) echo "$GCH_NET.1" ;;
    c*) echo "$GCH_NET.$((10 + ${1#c}))" ;;
    b*) echo "$GCH_NET.$((20 + ${1#b}))" ;;
  esac
}
node_id() { case "$1" in c*) echo $((1000 + ${1#c})) ;; b*) echo "${1#b}" ;; esac; }
voters() {
  local out="" c
  for c in "${CONTROLLERS[@]}"; do out+="${out:+,}$(node_id "$c")@$(ip_of "$c"):9301"; done
  echo "$out"
}
bootstrap() {
  local out="" b
  for b in "${BROKERS[@]}"; do out+="${out:+,}$(ip_of "$b"):9092"; done
  echo "$out"
}

pidfile() { echo "$GCH_DIR/$1.pid"; }
pid_of() { local f; f=$(pidfile "$1"); [ -f "$f" ] && cat "$f"; }
alive() { local p; p=$(pid_of "$1") && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
proc_state() { awk '{print $3}' "/proc/$1/stat" 2>/dev/null; }

# ------------------------------------------------------------------ network

net_exists() { ip netns list | grep -qw "^$HUB"; }

net_up() {
  net_exists && return 0
  ensure_packages iproute2 iptables curl
  log "network: hub $HUB, $GCH_NET.0/24"
  ip netns add "$HUB"
  ip -n "$HUB" link set lo up
  ip -n "$HUB" link add br0 type bridge forward_delay 0
  ip -n "$HUB" link set br0 up
  local n
  for n in "${ALL_NODES[@]}"; do
    ip netns add "$(ns_of "$n")"
    ip -n "$(ns_of "$n")" link set lo up
    ip -n "$HUB" link add "$n" type veth peer name eth0 netns "$(ns_of "$n")"
    ip -n "$HUB" link set "$n" master br0
    ip -n "$HUB" link set "$n" up
    ip -n "$(ns_of "$n")" addr add "$(ip_of "$n")/24" dev eth0
    ip -n "$(ns_of "$n")" link set eth0 up
  done
  ip link add "$HOSTIF" type veth peer name host netns "$HUB"
  ip -n "$HUB" link set host master br0
  ip -n "$HUB" link set host up
  ip addr add "$GCH_NET.1/24" dev "$HOSTIF"
  ip link set "$HOSTIF" up
}

net_down() {
  ip link del "$HOSTIF" 2>/dev/null || true
  local n pids
  for n in "${ALL_NODES[@]}"; do
    # Processes still inside our namespaces (a run whose pid files are
    # gone) are ours: nothing else starts processes in them.
    pids=$(ip netns pids "$(ns_of "$n")" 2>/dev/null || true)
    if [ -n "$pids" ]; then
      # shellcheck disable=SC2086
      kill -CONT $pids 2>/dev/null || true
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
    fi
    ip netns del "$(ns_of "$n")" 2>/dev/null || true
  done
  ip netns del "$HUB" 2>/dev/null || true
}

# expand_set SET: prints the members of a node set, one a line.
expand_set() {
  local IFS=, w
  for w in $1; do
    case "$w" in
      controllers) printf '%s\n' "${CONTROLLERS[@]}" ;;
      brokers) printf '%s\n' "${BROKERS[@]}" ;;
      all) printf '%s\n' "${ALL_NODES[@]}" clients ;;
      clients) echo clients ;;
      *) need_node "$w"; echo "$w" ;;
    esac
  done
}

# drop_rule ACTION(-A|-D) AT FROM: in node AT's namespace, drop what FROM
# (a node, or `clients`) sends. Rules sit on INPUT: the sender sees a silent
# loss, as with a real partition.
drop_rule() {
  local action=$1 at=$2 from=$3
  [ "$at" = "$from" ] && return 0
  local ipt=(ip netns exec "$(ns_of "$at")" iptables)
  local rule=(INPUT -s "$(ip_of "$from")/32" -j DROP -m comment --comment gch-cut)
  if [ "$action" = -A ]; then
    "${ipt[@]}" -C "${rule[@]}" 2>/dev/null || "${ipt[@]}" -A "${rule[@]}"
  else
    while "${ipt[@]}" -C "${rule[@]}" 2>/dev/null; do "${ipt[@]}" -D "${rule[@]}"; done
  fi
}

# cut_sets ACTION A B: drop every packet between the node sets A and B. This
# namespace's firewall is never touched: a cut between a node and `clients`
# is a rule in the node's namespace only (the client's packets vanish on
# arrival, so no answer ever leaves).
cut_sets() {
  local action=$1 a b as bs
  mapfile -t as < <(expand_set "$2")
  mapfile -t bs < <(expand_set "$3")
  for a in "${as[@]}"; do
    for b in "${bs[@]}"; do
      [ "$a" = "$b" ] && continue
      [ "$a" = clients ] || drop_rule "$action" "$a" "$b"
      [ "$b" = clients ] || drop_rule "$action" "$b" "$a"
    done
  done
}

# ------------------------------------------------------------------ processes

start_node() {
  local n=$1
  alive "$n" && return 0
  mkdir -p "$GCH_DIR/$n"
  local ns ip id
  ns=$(ns_of "$n")
  ip=$(ip_of "$n")
  id=$(node_id "$n")
  local logf="$GCH_DIR/$n.log"
  echo "=== $(date -u +%FT%T.%3NZ) start $n (id $id)" >>"$logf"
  case "$n" in
    c*)
      # shellcheck disable=SC2086
      ip netns exec "$ns" "$(controller_bin)" --node_id="$id" --listeners="$ip:9301" \
        --controller_quorum_voters="$(voters)" --metadata_log_dir="$GCH_DIR/$n/metadata" \
        --http_port=8301 --default_replication_factor="$GCH_RF" --num_partitions=3 \
        ${GCH_CONTROLLER_FLAGS:-} >>"$logf" 2>&1 </dev/null &
      ;;
    b*)
      # shellcheck disable=SC2086
      ip netns exec "$ns" "$(broker_bin)" --node_id="$id" \
        --listeners="PLAINTEXT://$ip:9092" --replica_listener="$ip:9192" \
        --http_port=8081 --log_dirs="$GCH_DIR/$n/data" \
        --controller_quorum_voters="$(voters)" --default_replication_factor="$GCH_RF" \
        --num_partitions=3 --offsets_topic_replication_factor="$GCH_RF" \
        ${GCH_BROKER_FLAGS:-} >>"$logf" 2>&1 </dev/null &
      ;;
  esac
  echo $! >"$(pidfile "$n")"
}

signal_node() {  # signal_node NODE SIGNAL
  local p
  p=$(pid_of "$1") || return 0
  [ -n "$p" ] && kill "-$2" "$p" 2>/dev/null || true
}

kill_node() {
  kill_nodes "$1"
}

# kill_nodes NODE[,NODE...]: SIGKILL every one of them first, then wait for
# each to exit (a process can take a moment to die; the faults must land at
# the same instant).
kill_nodes() {
  local IFS=, n p
  local -a pids=() names=()
  for n in $1; do
    need_node "$n"
    names+=("$n")
    p=$(pid_of "$n") || continue
    [ -n "$p" ] || continue
    kill -KILL "$p" 2>/dev/null || true
    pids+=("$p")
  done
  for p in "${pids[@]}"; do
    while kill -0 "$p" 2>/dev/null; do sleep 0.05; done
  done
  for n in "${names[@]}"; do rm -f "$(pidfile "$n")"; done
}

stop_node() {  # stop_node NODE SECONDS
  local p
  p=$(pid_of "$1") || return 0
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    kill -CONT "$p" 2>/dev/null || true
    kill -TERM "$p" 2>/dev/null || true
    local deadline=$((SECONDS + $2))
    while kill -0 "$p" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  fi
  kill_node "$1"
}

http_get() {  # http_get NODE PATH
  local port=8081
  case "$1" in c*) port=8301 ;; esac
  curl -s --max-time 2 "http://$(ip_of "$1"):$port$2" 2>/dev/null || true
}

controller_active() {
  local c
  for c in "${CONTROLLERS[@]}"; do
    http_get "$c" /status | grep -Eq '"active": *true' && return 0
  done
  return 1
}
broker_ready() { http_get "$1" /status | grep -Eq '"ready": *true'; }
all_ready() {
  controller_active || return 1
  local b
  for b in "${BROKERS[@]}"; do broker_ready "$b" || return 1; done
}

wait_until() {  # wait_until SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then
      log "timed out waiting for $what"
      return 1
    fi
    sleep 0.2
  done
}

# ------------------------------------------------------------------ commands

cmd_up() {
  [ -x "$(controller_bin)" ] && [ -x "$(broker_bin)" ] ||
    die "binaries not found (build //controller:gregor-controller //broker:gregor-broker or set GCH_BIN)"
  mkdir -p "$GCH_DIR"
  net_up
  local n
  for n in "${CONTROLLERS[@]}"; do start_node "$n"; done
  wait_until 60 "an active controller" controller_active || { cmd_status; return 1; }
  for n in "${BROKERS[@]}"; do start_node "$n"; done
  wait_until 120 "the brokers" all_ready || { cmd_status; return 1; }
  log "cluster up; bootstrap $(bootstrap)"
}

cmd_down() {
  local n
  # Undo pauses first, or SIGTERM waits for nothing.
  for n in "${ALL_NODES[@]}"; do signal_node "$n" CONT; done
  for n in "${BROKERS[@]}"; do stop_node "$n" 20 & done
  wait
  for n in "${CONTROLLERS[@]}"; do stop_node "$n" 10 & done
  wait
  net_down
}

cmd_heal() {
  local n
  for n in "${ALL_NODES[@]}"; do signal_node "$n" CONT; done
  if net_exists; then
    ip -n "$HUB" link set host up
    for n in "${ALL_NODES[@]}"; do
      ip -n "$HUB" link set "$n" up
      ip netns exec "$(ns_of "$n")" iptables -F INPUT
      ip netns exec "$(ns_of "$n")" iptables -F OUTPUT
    done
  fi
  for n in "${CONTROLLERS[@]}" "${BROKERS[@]}"; do alive "$n" || start_node "$n"; done
}

cmd_status() {
  local n p state
  for n in "${ALL_NODES[@]}"; do
    p=$(pid_of "$n" || true)
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      state=running
      [ "$(proc_state "$p")" = T ] && state=paused
    else
      state=down
      p=-
    fi
    local link=up
    if net_exists && ! ip -n "$HUB" link show "$n" 2>/dev/null | grep -q 'state UP\|,UP'; then link=down; fi
    local cuts=0
    net_exists && cuts=$(ip netns exec "$(ns_of "$n")" iptables -S INPUT 2>/dev/null | grep -c gch-cut || true)
    echo "$n id=$(node_id "$n") ip=$(ip_of "$n") state=$state pid=$p link=$link cuts=$cuts"
  done
}

main() {
  local cmd=${1:-}
  shift || true
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    bootstrap) bootstrap ;;
    nodes) echo "${ALL_NODES[*]}" ;;
    ip) ip_of "${1:?node}" ;;
    pid) pid_of "${1:?node}" ;;
    start) need_node "${1:-}"; start_node "$1" ;;
    stop) need_node "${1:-}"; stop_node "$1" 30 ;;
    kill) kill_nodes "${1:?node}" ;;
    pause) need_node "${1:-}"; signal_node "$1" STOP ;;
    resume) need_node "${1:-}"; signal_node "$1" CONT ;;
    isolate) need_node "${1:-}"; ip -n "$HUB" link set "$1" down ;;
    connect) need_node "${1:-}"; ip -n "$HUB" link set "$1" up ;;
    cut) cut_sets -A "${1:?set A}" "${2:?set B}" ;;
    uncut) cut_sets -D "${1:?set A}" "${2:?set B}" ;;
    heal) cmd_heal ;;
    wait-ready) wait_until "${1:-60}" "the cluster" all_ready ;;
    net-up) net_up ;;
    net-down) net_down ;;
    *)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
}

main "$@"
