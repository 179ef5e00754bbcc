"""The interop scenario with kafka-python (2.0.2 or 3.x; the same code runs on both).

Steps (see tests/interop/README.md): create a 3-partition topic; produce the
spec's records once per compression codec; consume them with a group of two
consumers, commit, describe the group (2 members, committed == end offsets);
produce a few more; restart the group and check it resumes at the commit.
Writes produced.jsonl / consumed.jsonl into --out for spec.py to verify.
Exits non-zero with a message on the first protocol-level problem.
"""

import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import spec  # noqa: E402

import kafka  # noqa: E402
from kafka import KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import KafkaAdminClient, NewTopic  # noqa: E402

V3 = int(kafka.__version__.split(".")[0]) >= 3


def say(msg):
    sys.stderr.write("[kafka-python %s] %s\n" % (kafka.__version__, msg))
    sys.stderr.flush()


class Failure(Exception):
    pass


# ------------------------------------------------------------------ admin (2.x vs 3.x)

def broker_count(admin):
    return len(admin.describe_cluster()["brokers"])


def list_groups(admin):
    if V3:
        return [g["group_id"] for g in admin.list_groups()]
    return [g[0] for g in admin.list_consumer_groups()]


def describe_group(admin, group):
    """Returns (state, [(member_id, client_id, [(topic, partition), ...]), ...])."""
    if V3:
        d = admin.describe_groups([group])[group]
        members = []
        for m in d["members"]:
            asg = m.get("member_assignment") or {}
            tps = []
            for t in (asg.get("assigned_partitions") or asg.get("assignment") or []):
                if isinstance(t, dict):
                    tps += [(t["topic"], p) for p in t["partitions"]]
                else:
                    tps += [(t[0], p) for p in t[1]]
            members.append((m["member_id"], m["client_id"], tps))
        return d["group_state"], members
    from kafka.coordinator.protocol import ConsumerProtocolMemberAssignment
    (d,) = admin.describe_consumer_groups([group])
    members = []
    for m in d.members:
        tps = []
        asg = m.member_assignment
        if isinstance(asg, (bytes, bytearray)):
            asg = ConsumerProtocolMemberAssignment.decode(asg) if asg else None
        if asg is not None:
            for topic, parts in asg.assignment:
                tps += [(topic, p) for p in parts]
        members.append((m.member_id, m.client_id, tps))
    return d.state, members


def group_offsets(admin, group):
    if V3:
        offs = admin.list_group_offsets({group: None})[group]
    else:
        offs = admin.list_consumer_group_offsets(group)
    return {tp.partition: om.offset for tp, om in offs.items()}


# ------------------------------------------------------------------ scenario

class Recorder:
    """Collects consumed records from all member threads; writes consumed.jsonl."""

    def __init__(self, path):
        self.lock = threading.Lock()
        self.file = open(path, "w", encoding="utf-8")
        self.seqs = {"group": set(), "resume": set()}

    def add(self, phase, member, rec):
        row = {
            "phase": phase, "member": member, "p": rec.partition, "o": rec.offset,
            "k": rec.key.decode() if rec.key is not None else None,
            "v": rec.value.decode() if rec.value is not None else None,
            "h": [[k, v.decode() if v is not None else None] for k, v in (rec.headers or [])],
        }
        with self.lock:
            self.file.write(json.dumps(row) + "\n")
            seq = spec.seq_of(row["v"])
            if seq is not None:
                self.seqs[phase].add(seq)

    def count(self, phase, lo, hi):
        with self.lock:
            return sum(1 for s in self.seqs[phase] if lo <= s < hi)

    def close(self):
        self.file.close()


def produce(args, codecs, lo, hi, out, per_codec):
    """Produces records [lo, hi); per_codec: one producer per codec chunk."""
    chunks = []
    if per_codec:
        for c in codecs:
            idx = [i for i in range(lo, hi) if spec.codec_of(i, args.count, codecs) == c]
            if idx:
                chunks.append((c, idx))
    else:
        chunks.append(("none", list(range(lo, hi))))
    for codec, idx in chunks:
        p = KafkaProducer(bootstrap_servers=args.bootstrap, client_id="interop-producer-%s" % codec,
                          compression_type=None if codec == "none" else codec, linger_ms=5,
                          request_timeout_ms=30000)
        futures = []
        for i in idx:
            hs = [(k, v.encode()) for k, v in spec.headers_of(i, args.count, codecs)]
            futures.append((i, p.send(args.topic, key=spec.key_of(i).encode(),
                                      value=spec.value_of(i, args.count, codecs).encode(),
                                      headers=hs or None)))
        p.flush(timeout=60)
        for i, f in futures:
            md = f.get(timeout=60)
            out.write(json.dumps({"seq": i, "p": md.partition, "o": md.offset}) + "\n")
        p.close(timeout=10)
        say("produced %d records with codec %s" % (len(idx), codec))


def new_consumer(args, member):
    return KafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group,
                         client_id="interop-%s" % member, auto_offset_reset="earliest",
                         enable_auto_commit=False, session_timeout_ms=30000,
                         heartbeat_interval_ms=1000)


def caught_up(consumer):
    """True when the consumer has an assignment and is at the end of all of it."""
    asg = consumer.assignment()
    if not asg:
        return False
    ends = consumer.end_offsets(list(asg))
    return all(consumer.position(tp) >= ends[tp] for tp in asg)


def member_loop(args, member, consumer, rec, done, errors, deadline):
    try:
        consumer.subscribe([args.topic])
        while time.time() < deadline:
            batches = consumer.poll(timeout_ms=300)
            for tp_records in batches.values():
                for r in tp_records:
                    rec.add("group", member, r)
            # Re-evaluated every round: a rebalance can hand a member a partition
            # it has not read to the end.
            done[member] = rec.count("group", 0, args.count) >= args.count and caught_up(consumer)
            if all(done.values()):
                return
        errors.append("%s: timed out with %d of %d records consumed"
                      % (member, rec.count("group", 0, args.count), args.count))
    except Exception as e:  # surfaces in the main thread
        errors.append("%s: %r" % (member, e))


def run(args):
    codecs = spec.parse_codecs(args.codecs)
    os.makedirs(args.out, exist_ok=True)
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id="interop-admin")
    rf = min(3, broker_count(admin))
    admin.create_topics([NewTopic(name=args.topic, num_partitions=args.partitions, replication_factor=rf)])
    say("created topic %s (%d partitions, RF %d)" % (args.topic, args.partitions, rf))

    produced = open(os.path.join(args.out, "produced.jsonl"), "w", encoding="utf-8")
    produce(args, codecs, 0, args.count, produced, per_codec=True)

    rec = Recorder(os.path.join(args.out, "consumed.jsonl"))
    members = ["c1", "c2"]
    consumers = {m: new_consumer(args, m) for m in members}
    done = {m: False for m in members}
    errors = []
    deadline = time.time() + args.timeout
    threads = [threading.Thread(target=member_loop, args=(args, m, consumers[m], rec, done, errors, deadline))
               for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise Failure("group consume: " + "; ".join(errors))
    for m in members:
        consumers[m].commit()
    say("group of 2 consumed %d records and committed" % rec.count("group", 0, args.count))

    # Describe the group while both members are in it.
    if args.group not in list_groups(admin):
        raise Failure("list groups: %s not listed" % args.group)
    state, described = describe_group(admin, args.group)
    assigned = sorted(p for _, _, tps in described for _, p in tps)
    if state != "Stable" or len(described) != 2 or assigned != list(range(args.partitions)):
        raise Failure("describe group: state %s, %d members, partitions %s; want Stable, 2, %s"
                      % (state, len(described), assigned, list(range(args.partitions))))
    tps = [TopicPartition(args.topic, p) for p in range(args.partitions)]
    ends = {tp.partition: o for tp, o in consumers["c1"].end_offsets(tps).items()}
    committed = group_offsets(admin, args.group)
    if committed != ends:
        raise Failure("committed offsets %s != end offsets %s" % (committed, ends))
    say("group %s: Stable, 2 members %s; committed offsets = end offsets %s"
        % (args.group, [(c, sorted(p for _, p in t)) for _, c, t in described], committed))
    for c in consumers.values():
        c.close()

    # Resume: produce more, restart the group with one consumer.
    produce(args, codecs, args.count, args.count + args.extra, produced, per_codec=False)
    produced.close()
    c = new_consumer(args, "r1")
    c.subscribe([args.topic])
    deadline = time.time() + args.timeout
    quiet_until = None
    while time.time() < deadline:
        for tp_records in c.poll(timeout_ms=300).values():
            for r in tp_records:
                rec.add("resume", "r1", r)
        if quiet_until is None and rec.count("resume", args.count, args.count + args.extra) >= args.extra:
            quiet_until = time.time() + args.quiet  # keep polling: nothing else may arrive
        if quiet_until is not None and time.time() >= quiet_until:
            break
    c.commit()
    ends = {tp.partition: o for tp, o in c.end_offsets(tps).items()}
    c.close()
    rec.close()
    state, described = describe_group(admin, args.group)
    committed = group_offsets(admin, args.group)
    if committed != ends:
        raise Failure("after resume: committed offsets %s != end offsets %s" % (committed, ends))
    admin.close()
    if state != "Empty" or described:
        raise Failure("after close: group state %s with %d members, want Empty" % (state, len(described)))
    say("restarted group consumed %d records; group Empty, committed %s"
        % (rec.count("resume", 0, args.count + args.extra), committed))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--extra", type=int, default=30)
    ap.add_argument("--partitions", type=int, default=3)
    ap.add_argument("--codecs", default="none,gzip,snappy,lz4,zstd")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per consume phase")
    ap.add_argument("--quiet", type=float, default=2, help="seconds to keep polling after the last expected record")
    args = ap.parse_args()
    try:
        run(args)
    except Failure as e:
        print("FAIL kafka-python %s: %s" % (kafka.__version__, e))
        return 1
    except Exception as e:
        import traceback
        traceback.print_exc()
        print("FAIL kafka-python %s: %r" % (kafka.__version__, e))
        return 1
    print("kafka-python %s: scenario steps done" % kafka.__version__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
