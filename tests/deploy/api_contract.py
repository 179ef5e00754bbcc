#!/usr/bin/env python3
"""Checks a /api/cluster answer against the contract in docs/deploy.md
(field names and types; derived fields consistent with the lists).

  api_contract.py URL            fetches URL/api/cluster
  api_contract.py -              reads the JSON from stdin
Prints the violations, one a line; exit 1 when there are any.
"""
import json
import sys
import urllib.request

INT, STR, BOOL, LIST, OBJ = int, str, bool, list, dict
OPT_INT = (int, type(None))

TOP = {"generated_ms": INT, "cluster_id": STR, "served_by": INT, "served_by_role": STR,
       "controller_leader": INT, "summary": OBJ, "controllers": LIST, "brokers": LIST, "topics": LIST,
       "groups": LIST, "events": LIST, "truncated": BOOL}
SUMMARY = {k: INT for k in ("controllers", "brokers", "brokers_alive", "topics", "partitions",
                            "under_replicated_partitions", "offline_partitions", "groups")}
CONTROLLER = {"id": INT, "address": STR, "role": STR, "is_leader": BOOL, "term": OPT_INT,
              "commit_index": OPT_INT, "last_index": OPT_INT, "lag": OPT_INT, "last_contact_ms": OPT_INT}
BROKER = {"id": INT, "address": STR, "http_address": STR, "rack": STR, "epoch": INT, "alive": BOOL,
          "fenced": BOOL, "in_controlled_shutdown": BOOL}
TOPIC = {"name": STR, "id": STR, "partitions": LIST}
PARTITION = {"partition": INT, "leader": INT, "leader_epoch": INT, "replicas": LIST, "isr": LIST,
             "high_watermark": OPT_INT, "log_end_offset": OPT_INT, "under_replicated": BOOL, "offline": BOOL}
GROUP = {"group_id": STR, "state": STR, "protocol_type": STR, "protocol": STR, "generation": INT,
         "coordinator": INT, "members": LIST, "offsets": LIST, "total_lag": OPT_INT}
MEMBER = {"member_id": STR, "group_instance_id": STR, "client_id": STR, "client_host": STR,
          "assigned_partitions": INT}
OFFSET = {"topic": STR, "partition": INT, "committed_offset": INT, "log_end_offset": OPT_INT, "lag": OPT_INT}
EVENT = {"time_ms": INT, "kind": STR, "topic": STR, "partition": OPT_INT, "node": OPT_INT,
         "previous_leader": OPT_INT, "leader": OPT_INT, "previous_isr": LIST, "isr": LIST, "term": OPT_INT,
         "detail": STR}
ROLES = {"leader", "follower", "candidate", "pre-candidate", "unknown"}
KINDS = {"controller_leader", "leader_election", "isr_shrink", "isr_expand", "broker_fenced", "broker_unfenced"}


def fields(obj, spec, where, errors):
    if not isinstance(obj, dict):
        errors.append(f"{where}: not an object")
        return False
    for k, t in spec.items():
        if k not in obj:
            errors.append(f"{where}.{k}: missing")
        elif isinstance(obj[k], bool) and t is not BOOL and bool not in (t if isinstance(t, tuple) else (t,)):
            errors.append(f"{where}.{k}: bool where {t} expected")
        elif not isinstance(obj[k], t):
            errors.append(f"{where}.{k}: {type(obj[k]).__name__}, expected {t}")
    return True


def check(v):
    errors = []
    if not fields(v, TOP, "view", errors):
        return errors
    fields(v["summary"], SUMMARY, "summary", errors)
    for i, c in enumerate(v["controllers"]):
        if fields(c, CONTROLLER, f"controllers[{i}]", errors) and c.get("role") not in ROLES:
            errors.append(f"controllers[{i}].role: {c.get('role')!r}")
    for i, b in enumerate(v["brokers"]):
        fields(b, BROKER, f"brokers[{i}]", errors)
    urp = offline = parts = 0
    for i, t in enumerate(v["topics"]):
        if not fields(t, TOPIC, f"topics[{i}]", errors):
            continue
        for j, p in enumerate(t["partitions"]):
            w = f"topics[{i}].partitions[{j}]"
            if not fields(p, PARTITION, w, errors):
                continue
            parts += 1
            if p["under_replicated"] != (len(p["isr"]) < len(p["replicas"])):
                errors.append(f"{w}.under_replicated does not match isr/replicas")
            if p["offline"] != (p["leader"] < 0):
                errors.append(f"{w}.offline does not match leader")
            urp += p["under_replicated"]
            offline += p["offline"]
    for i, g in enumerate(v["groups"]):
        if fields(g, GROUP, f"groups[{i}]", errors):
            for j, m in enumerate(g["members"]):
                fields(m, MEMBER, f"groups[{i}].members[{j}]", errors)
            for j, o in enumerate(g["offsets"]):
                fields(o, OFFSET, f"groups[{i}].offsets[{j}]", errors)
    for i, e in enumerate(v["events"]):
        if fields(e, EVENT, f"events[{i}]", errors) and e.get("kind") not in KINDS:
            errors.append(f"events[{i}].kind: {e.get('kind')!r}")
    s = v["summary"]
    for k, want in (("partitions", parts), ("under_replicated_partitions", urp), ("offline_partitions", offline),
                    ("brokers", len(v["brokers"])), ("controllers", len(v["controllers"]))):
        if s.get(k) != want:
            errors.append(f"summary.{k} = {s.get(k)}, the lists say {want}")
    leaders = [c["id"] for c in v["controllers"] if c.get("is_leader")]
    if leaders and leaders != [v["controller_leader"]]:
        errors.append(f"is_leader on {leaders} but controller_leader is {v['controller_leader']}")
    return errors


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "-":
        text = sys.stdin.read()
    else:
        with urllib.request.urlopen(sys.argv[1].rstrip("/") + "/api/cluster", timeout=5) as r:
            text = r.read().decode("utf-8")
    errors = check(json.loads(text))
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
