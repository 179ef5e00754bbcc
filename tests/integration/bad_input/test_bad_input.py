#!/usr/bin/env python3
"""Hostile and malformed requests against a real Gregor cluster.

Starts a cluster with deploy/cluster.sh (on its own ports and directory),
writes some records, then sends garbage frames, truncated frames, a 2 GiB
length prefix, negative lengths, unknown API keys, unsupported versions, a
Produce with a bad CRC, a Fetch for 100,000 partitions and 10,000 idle
connections. After each, the broker must still serve other clients, and at
the end every record written before is still there.

Prints "N passed, N failed"; exits non-zero on any failure.
Usage: test_bad_input.py [--keep]  (keep the cluster running afterwards)
"""

import os
import random
import resource
import socket
import subprocess
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kafka_wire as kw  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PORT_OFFSET = int(os.environ.get("GREGOR_PORT_OFFSET", "2000"))
# A fresh directory each run: a topic left by an earlier run must not answer.
CLUSTER_DIR = os.environ.get("GREGOR_CLUSTER_DIR") or tempfile.mkdtemp(prefix="gregor-bad-input-")
HOST = "127.0.0.1"
BROKER = 9092 + PORT_OFFSET
TOPIC = "bad-input"
ENV = dict(os.environ, GREGOR_PORT_OFFSET=str(PORT_OFFSET), GREGOR_CLUSTER_DIR=CLUSTER_DIR)

results = []
corr = [100]


def next_corr():
    corr[0] += 1
    return corr[0]


def check(name, ok, detail=""):
    results.append((name, ok))
    print(("PASS " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""),
          flush=True)


def cluster(cmd):
    return subprocess.run([os.path.join(ROOT, "deploy", "cluster.sh"), cmd], env=ENV,
                          capture_output=True, text=True)


def broker_answers():
    """A fresh connection gets an ApiVersions answer."""
    try:
        c = kw.Conn(HOST, BROKER)
        c.send(kw.api_versions(next_corr()))
        ok = c.recv_frame() is not None
        c.close()
        return ok
    except OSError:
        return False


def produce(records, corrupt=False):
    c = kw.Conn(HOST, BROKER)
    c.send(kw.produce_v3(next_corr(), TOPIC, 0, kw.record_batch(records, corrupt_crc=corrupt)))
    body = c.recv_frame()
    c.close()
    return kw.parse_produce_v3(body) if body else None


def fetch_all():
    c = kw.Conn(HOST, BROKER)
    c.send(kw.fetch_v4(next_corr(), [(TOPIC, [(0, 0)])], max_bytes=16 << 20))
    body = c.recv_frame()
    c.close()
    parts = kw.parse_fetch_v4(body)
    return parts[0]


def setup():
    r = cluster("up")
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        raise SystemExit("cluster did not start")
    c = kw.Conn(HOST, BROKER)
    # The one partition lives on broker 1, the broker this test talks to.
    c.send(kw.create_topics_v2(next_corr(), TOPIC, -1, -1, assignment={0: [1]}))
    res = kw.parse_create_topics_v2(c.recv_frame())
    c.close()
    check("create topic", res and res[0][1] in (0, 36), str(res))
    # Metadata needs to reach the leader; retry the first produce.
    for _ in range(100):
        out = produce([(b"k%d" % i, b"v%d" % i) for i in range(10)])
        if out and out[0][2] == 0:
            break
        time.sleep(0.2)
    check("produce 10 good records", out is not None and out[0][2] == 0, str(out))


def test_garbage_frame():
    c = kw.Conn(HOST, BROKER)
    rnd = random.Random(7)
    c.send(kw.i32(64) + bytes(rnd.getrandbits(8) for _ in range(64)))
    closed = c.closed_by_peer()
    c.close()
    check("garbage frame closes the connection", closed)
    check("broker serves after garbage", broker_answers())


def test_truncated_frame():
    c = kw.Conn(HOST, BROKER)
    full = kw.api_versions(next_corr())
    wrong = kw.i32(1000) + full[4:]  # claims 1000 bytes, sends far fewer, then hangs up
    c.send(wrong)
    c.close()
    check("broker serves after a truncated frame", broker_answers())


def test_huge_and_negative_lengths():
    for name, prefix in [("2 GiB", 0x7FFFFFFF), ("negative", -5)]:
        c = kw.Conn(HOST, BROKER)
        c.send(kw.i32(prefix) + b"\x00" * 16)
        closed = c.closed_by_peer()
        c.close()
        check(f"{name} length prefix closes the connection", closed)
    check("broker serves after bad lengths", broker_answers())


def test_unknown_api_and_versions():
    c = kw.Conn(HOST, BROKER)
    c.send(kw.frame(999, 0, next_corr(), b""))
    check("unknown API key closes the connection", c.closed_by_peer())
    c.close()
    c = kw.Conn(HOST, BROKER)
    c.send(kw.frame(0, 99, next_corr(), b""))
    check("unsupported Produce version closes the connection", c.closed_by_peer())
    c.close()
    c = kw.Conn(HOST, BROKER)
    cid = next_corr()
    c.send(kw.frame(18, 99, cid, b""))
    body = c.recv_frame()
    c.close()
    ok = body is not None and kw.Reader(body).i32() == cid and kw.Reader(body[4:]).i16() == 35
    check("ApiVersions v99 answers UNSUPPORTED_VERSION (35)", ok, repr(body))


def test_bad_crc():
    out = produce([(b"bad", b"crc")], corrupt=True)
    check("Produce with a bad CRC gets CORRUPT_MESSAGE (2)",
          out is not None and out[0][2] == 2, str(out))


def test_fetch_many_partitions():
    c = kw.Conn(HOST, BROKER, timeout=60)
    parts = [(p, 0) for p in range(100000)]
    c.send(kw.fetch_v4(next_corr(), [("no-such-topic", parts)]))
    body = c.recv_frame()
    c.close()
    if body is None:
        check("Fetch for 100,000 partitions is answered or refused", True)
    else:
        res = kw.parse_fetch_v4(body)
        check("Fetch for 100,000 partitions answers every partition with an error",
              len(res) == 100000 and all(r[2] != 0 for r in res), f"{len(res)} answers")
    check("broker serves after the huge fetch", broker_answers())


def test_idle_connections(n=10000):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, n + 1000)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    conns = []
    try:
        for _ in range(n):
            s = socket.create_connection((HOST, BROKER), timeout=10)
            conns.append(s)
    except OSError as e:
        check(f"open {n} idle connections", False, f"after {len(conns)}: {e}")
    else:
        check(f"open {n} idle connections", True)
    check("broker serves while thousands of connections idle", broker_answers())
    for s in conns:
        s.close()


def test_no_data_lost():
    _, _, err, hw, records = fetch_all()
    n = kw.count_records(records or b"")
    check("the 10 records written before are all still there", err == 0 and n == 10,
          f"error {err}, hw {hw}, {n} records")


def main():
    keep = "--keep" in sys.argv
    try:
        setup()
        for t in [test_garbage_frame, test_truncated_frame, test_huge_and_negative_lengths,
                  test_unknown_api_and_versions, test_bad_crc, test_fetch_many_partitions,
                  test_idle_connections, test_no_data_lost]:
            try:
                t()
            except Exception as e:  # a test that throws is a failure, not a crash of the run
                check(t.__name__, False, repr(e))
        st = cluster("status")
        alive = st.stdout.count("running") == 6
        check("every node still runs", alive, st.stdout)
    finally:
        if not keep:
            cluster("down")
            if "GREGOR_CLUSTER_DIR" not in os.environ:
                shutil.rmtree(CLUSTER_DIR, ignore_errors=True)
    passed = sum(1 for _, ok in results if ok)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
