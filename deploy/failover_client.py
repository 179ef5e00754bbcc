#!/usr/bin/env python3
"""Kafka client side of deploy/failover-demo.sh (confluent-kafka, i.e. librdkafka).

  failover_client.py create-topic --bootstrap B --topic T [--partitions 1]
        [--replication-factor 3] [--config min.insync.replicas=2 ...]
  failover_client.py metadata --bootstrap B --topic T
        prints {"partitions": [{"partition", "leader", "replicas", "isr"}]}
  failover_client.py run --bootstrap B --topic T --stats FILE [--rate 100]
        [--consumer-mode subscribe|assign] [--drain-timeout 90]

`run` produces numbered records (the value is the sequence number) with
acks=all and idempotence, and consumes the topic from the beginning with a
second client, until SIGTERM or SIGINT. Then it stops producing, waits for every
outstanding delivery report, keeps consuming until every acknowledged record
has been read (or --drain-timeout passes), and writes the final counts.
While running it rewrites FILE (JSON, atomically) once a second:
  produced      records handed to the producer
  acked         delivery reports without error (the broker acknowledged them)
  failed        delivery reports with an error (never acknowledged)
  consumed      distinct sequence numbers read
  duplicates    records read more than once
  lost          acknowledged but never read (final: must be 0)
  done          true in the final write
"""
import argparse
import json
import os
import signal
import sys
import threading
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def die(msg):
    print(f"failover_client: {msg}", file=sys.stderr)
    sys.exit(1)


def create_topic(a):
    configs = {}
    for c in a.config:
        k, sep, v = c.partition("=")
        if not sep:
            die(f"--config wants key=value, got {c!r}")
        configs[k] = v
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    futures = admin.create_topics([NewTopic(a.topic, num_partitions=a.partitions,
                                            replication_factor=a.replication_factor, config=configs)],
                                  operation_timeout=30, request_timeout=30)
    try:
        futures[a.topic].result(timeout=60)
    except KafkaException as e:
        die(f"create {a.topic}: {e}")
    print(json.dumps({"created": a.topic, "partitions": a.partitions,
                      "replication_factor": a.replication_factor, "config": configs}))


def metadata(a):
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    md = admin.list_topics(topic=a.topic, timeout=10)
    t = md.topics.get(a.topic)
    if t is None or t.error is not None:
        die(f"no metadata for {a.topic}: {t.error if t else 'missing'}")
    parts = [{"partition": p.id, "leader": p.leader, "replicas": list(p.replicas), "isr": list(p.isrs)}
             for p in sorted(t.partitions.values(), key=lambda p: p.id)]
    print(json.dumps({"topic": a.topic, "partitions": parts}))


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.produced = 0
        self.acked = set()
        self.failed = 0
        self.last_error = ""
        self.consumed = set()
        self.duplicates = 0

    def snapshot(self, done=False):
        with self.lock:
            lost = len(self.acked - self.consumed)
            return {"time_ms": int(time.time() * 1000), "produced": self.produced, "acked": len(self.acked),
                    "failed": self.failed, "consumed": len(self.consumed), "duplicates": self.duplicates,
                    "lost": lost, "last_error": self.last_error, "done": done}

    def missing(self, limit=20):
        with self.lock:
            return sorted(self.acked - self.consumed)[:limit]


def write_stats(path, snap):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(snap, f)
    os.replace(tmp, path)


def produce_loop(a, stats, stop):
    p = Producer({"bootstrap.servers": a.bootstrap, "acks": "all", "enable.idempotence": True,
                  "linger.ms": 5, "message.timeout.ms": a.message_timeout_ms,
                  "client.id": "gregor-failover-demo-producer"})

    def on_delivery(err, msg):
        with stats.lock:
            if err is None:
                stats.acked.add(int(msg.value()))
            else:
                stats.failed += 1
                stats.last_error = str(err)

    seq = 0
    interval = 1.0 / a.rate
    next_at = time.monotonic()
    while not stop.is_set():
        try:
            p.produce(a.topic, value=str(seq).encode(), key=str(seq % 16).encode(), on_delivery=on_delivery)
            with stats.lock:
                stats.produced += 1
            seq += 1
        except BufferError:
            pass  # the local queue is full (brokers unreachable); try again shortly
        p.poll(0)
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
        else:
            next_at = time.monotonic()
    # Every record handed over gets a delivery report (success or error).
    remaining = p.flush(a.message_timeout_ms / 1000 + 5)
    if remaining:
        with stats.lock:
            stats.last_error = f"{remaining} records without a delivery report"


def consume_loop(a, stats, stop_consuming):
    conf = {"bootstrap.servers": a.bootstrap, "group.id": a.group, "auto.offset.reset": "earliest",
            "enable.auto.commit": True, "auto.commit.interval.ms": 1000,
            "client.id": "gregor-failover-demo-consumer", "isolation.level": "read_committed"}
    c = Consumer(conf)
    if a.consumer_mode == "assign":
        md = c.list_topics(topic=a.topic, timeout=10)
        c.assign([TopicPartition(a.topic, p, OFFSET_BEGINNING) for p in md.topics[a.topic].partitions])
    else:
        c.subscribe([a.topic])
    try:
        while not stop_consuming.is_set():
            msg = c.poll(0.2)
            if msg is None:
                continue
            if msg.error():
                with stats.lock:
                    stats.last_error = f"consumer: {msg.error()}"
                continue
            seq = int(msg.value())
            with stats.lock:
                if seq in stats.consumed:
                    stats.duplicates += 1
                else:
                    stats.consumed.add(seq)
    finally:
        c.close()


def run(a):
    stats = Stats()
    stop_producing, stop_consuming = threading.Event(), threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop_producing.set())
    signal.signal(signal.SIGINT, lambda *_: stop_producing.set())
    producer = threading.Thread(target=produce_loop, args=(a, stats, stop_producing), daemon=True)
    consumer = threading.Thread(target=consume_loop, args=(a, stats, stop_consuming), daemon=True)
    producer.start()
    consumer.start()
    while not stop_producing.is_set():
        write_stats(a.stats, stats.snapshot())
        stop_producing.wait(1)
    producer.join()
    deadline = time.monotonic() + a.drain_timeout
    while time.monotonic() < deadline and stats.snapshot()["lost"] > 0 and consumer.is_alive():
        write_stats(a.stats, stats.snapshot())
        time.sleep(0.5)
    stop_consuming.set()
    consumer.join(timeout=30)
    final = stats.snapshot(done=True)
    final["missing_sample"] = stats.missing()
    write_stats(a.stats, final)
    return 0 if final["lost"] == 0 else 1


def main():
    ap = argparse.ArgumentParser(description="Kafka client side of the failover demo")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("create-topic", "metadata", "run"):
        s = sub.add_parser(name)
        s.add_argument("--bootstrap", required=True)
        s.add_argument("--topic", required=True)
        if name == "create-topic":
            s.add_argument("--partitions", type=int, default=1)
            s.add_argument("--replication-factor", type=int, default=3)
            s.add_argument("--config", action="append", default=[])
        if name == "run":
            s.add_argument("--stats", required=True)
            s.add_argument("--rate", type=float, default=100, help="records per second")
            s.add_argument("--group", default="gregor-failover-demo")
            s.add_argument("--consumer-mode", choices=("subscribe", "assign"), default="subscribe")
            s.add_argument("--drain-timeout", type=float, default=90)
            s.add_argument("--message-timeout-ms", type=int, default=180000)
    a = ap.parse_args()
    if a.cmd == "create-topic":
        create_topic(a)
    elif a.cmd == "metadata":
        metadata(a)
    else:
        sys.exit(run(a))


if __name__ == "__main__":
    main()
