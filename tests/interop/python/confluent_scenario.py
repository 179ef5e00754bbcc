"""The interop scenario with confluent-kafka (librdkafka).

Same steps as kafka_python_scenario.py: create a 3-partition topic; produce the
spec's records once per compression codec; consume them with a group of two
consumers, commit, describe the group with the AdminClient (2 members,
committed == end offsets); produce a few more; restart the group and check it
resumes at the commit. Writes produced.jsonl / consumed.jsonl into --out for
spec.py to verify.
"""

import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import spec  # noqa: E402

import confluent_kafka  # noqa: E402
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

VERSION = "%s (librdkafka %s)" % (confluent_kafka.__version__, confluent_kafka.libversion()[0])


def say(msg):
    sys.stderr.write("[confluent-kafka] %s\n" % msg)
    sys.stderr.flush()


class Failure(Exception):
    pass


class Recorder:
    def __init__(self, path):
        self.lock = threading.Lock()
        self.file = open(path, "w", encoding="utf-8")
        self.seqs = {"group": set(), "resume": set()}

    def add(self, phase, member, msg):
        key, value = msg.key(), msg.value()
        row = {
            "phase": phase, "member": member, "p": msg.partition(), "o": msg.offset(),
            "k": key.decode() if key is not None else None,
            "v": value.decode() if value is not None else None,
            "h": [[k, v.decode() if v is not None else None] for k, v in (msg.headers() or [])],
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
    chunks = []
    if per_codec:
        for c in codecs:
            idx = [i for i in range(lo, hi) if spec.codec_of(i, args.count, codecs) == c]
            if idx:
                chunks.append((c, idx))
    else:
        chunks.append(("none", list(range(lo, hi))))
    for codec, idx in chunks:
        p = Producer({"bootstrap.servers": args.bootstrap, "client.id": "interop-producer-%s" % codec,
                      "compression.type": codec, "linger.ms": 5})
        reports, errors = [], []

        def on_delivery(err, msg, i=None):
            if err is not None:
                errors.append("seq %s: %s" % (i, err))
            else:
                reports.append({"seq": i, "p": msg.partition(), "o": msg.offset()})

        for i in idx:
            hs = [(k, v.encode()) for k, v in spec.headers_of(i, args.count, codecs)]
            while True:
                try:
                    p.produce(args.topic, key=spec.key_of(i).encode(),
                              value=spec.value_of(i, args.count, codecs).encode(),
                              headers=hs or None,
                              on_delivery=lambda err, msg, i=i: on_delivery(err, msg, i))
                    break
                except BufferError:  # local queue full: let deliveries drain
                    p.poll(0.1)
            p.poll(0)
        left = p.flush(60)
        if left or errors:
            raise Failure("produce (%s): %d undelivered, errors: %s" % (codec, left, errors[:5]))
        for r in reports:
            out.write(json.dumps(r) + "\n")
        say("produced %d records with codec %s" % (len(idx), codec))


def new_consumer(args, member):
    return Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                     "client.id": "interop-%s" % member, "auto.offset.reset": "earliest",
                     "enable.auto.commit": False, "session.timeout.ms": 30000,
                     "heartbeat.interval.ms": 1000})


def caught_up(consumer):
    asg = consumer.assignment()
    if not asg:
        return False
    for tp in consumer.position(asg):
        _, high = consumer.get_watermark_offsets(TopicPartition(tp.topic, tp.partition), timeout=10)
        if tp.offset < 0 or tp.offset < high:
            # offset < 0: nothing consumed yet; fine only for an empty partition.
            if not (tp.offset < 0 and high == 0):
                return False
    return True


def poll_into(consumer, rec, phase, member):
    msg = consumer.poll(0.3)
    if msg is None:
        return
    if msg.error():
        if msg.error().code() == KafkaError._PARTITION_EOF:
            return
        raise Failure("%s: consumer error %s" % (member, msg.error()))
    rec.add(phase, member, msg)


def commit(consumer):
    try:
        consumer.commit(asynchronous=False)
    except KafkaException as e:
        if e.args[0].code() != KafkaError._NO_OFFSET:
            raise


def member_loop(args, member, consumer, rec, done, errors, deadline):
    try:
        consumer.subscribe([args.topic])
        while time.time() < deadline:
            poll_into(consumer, rec, "group", member)
            # Re-evaluated every round: a rebalance can hand a member a partition
            # it has not read to the end.
            done[member] = rec.count("group", 0, args.count) >= args.count and caught_up(consumer)
            if all(done.values()):
                return
        errors.append("%s: timed out with %d of %d records consumed"
                      % (member, rec.count("group", 0, args.count), args.count))
    except Exception as e:
        errors.append("%s: %r" % (member, e))


def admin_wait(futures, what):
    try:
        return {k: f.result(timeout=30) for k, f in futures.items()}
    except Exception as e:
        raise Failure("%s: %r" % (what, e))


def describe(admin, args):
    (d,) = admin_wait(admin.describe_consumer_groups([args.group]), "describe group").values()
    members = [(m.client_id, sorted(tp.partition for tp in m.assignment.topic_partitions)) for m in d.members]
    req = [confluent_kafka.ConsumerGroupTopicPartitions(args.group)]
    (o,) = admin_wait(admin.list_consumer_group_offsets(req), "list group offsets").values()
    committed = {tp.partition: tp.offset for tp in o.topic_partitions}
    return d.state.name, members, committed


def end_offsets(consumer, args):
    return {p: consumer.get_watermark_offsets(TopicPartition(args.topic, p), timeout=10)[1]
            for p in range(args.partitions)}


def run(args):
    codecs = spec.parse_codecs(args.codecs)
    os.makedirs(args.out, exist_ok=True)
    admin = AdminClient({"bootstrap.servers": args.bootstrap, "client.id": "interop-admin"})
    rf = min(3, len(admin.list_topics(timeout=30).brokers))
    admin_wait(admin.create_topics([NewTopic(args.topic, num_partitions=args.partitions,
                                             replication_factor=rf)]), "create topic")
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
    for c in consumers.values():
        commit(c)
    say("group of 2 consumed %d records and committed" % rec.count("group", 0, args.count))

    listed = admin.list_consumer_groups().result(timeout=30)
    if args.group not in [g.group_id for g in listed.valid]:
        raise Failure("list groups: %s not listed" % args.group)
    state, described, committed = describe(admin, args)
    assigned = sorted(p for _, ps in described for p in ps)
    if state != "STABLE" or len(described) != 2 or assigned != list(range(args.partitions)):
        raise Failure("describe group: state %s, members %s; want STABLE, 2 members sharing %d partitions"
                      % (state, described, args.partitions))
    ends = end_offsets(consumers["c1"], args)
    if committed != ends:
        raise Failure("committed offsets %s != end offsets %s" % (committed, ends))
    say("group %s: %s, members %s; committed offsets = end offsets %s" % (args.group, state, described, committed))
    for c in consumers.values():
        c.close()

    produce(args, codecs, args.count, args.count + args.extra, produced, per_codec=False)
    produced.close()
    c = new_consumer(args, "r1")
    c.subscribe([args.topic])
    deadline = time.time() + args.timeout
    quiet_until = None
    while time.time() < deadline:
        poll_into(c, rec, "resume", "r1")
        if quiet_until is None and rec.count("resume", args.count, args.count + args.extra) >= args.extra:
            quiet_until = time.time() + args.quiet
        if quiet_until is not None and time.time() >= quiet_until:
            break
    commit(c)
    ends = end_offsets(c, args)
    c.close()
    rec.close()
    state, described, committed = describe(admin, args)
    if state != "EMPTY" or described:
        raise Failure("after close: group state %s with members %s, want EMPTY" % (state, described))
    if committed != ends:
        raise Failure("after resume: committed offsets %s != end offsets %s" % (committed, ends))
    say("restarted group consumed %d records; group EMPTY, committed %s"
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
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--quiet", type=float, default=2)
    args = ap.parse_args()
    try:
        run(args)
    except Failure as e:
        print("FAIL confluent-kafka %s: %s" % (VERSION, e))
        return 1
    except Exception as e:
        import traceback
        traceback.print_exc()
        print("FAIL confluent-kafka %s: %r" % (VERSION, e))
        return 1
    print("confluent-kafka %s: scenario steps done" % VERSION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
