#!/usr/bin/env python3
"""Integration tests of the controller quorum with real processes on loopback.

Starts three gregor-controller processes (and simulated brokers from
gregor-controller-cli) and checks, through gRPC and the HTTP /status page:

  failover   kill -9 the Raft leader 10 times: each time a new leader appears
             and a CreateTopics through gRPC succeeds; the killed node
             restarts and catches up; all three report the same metadata.
  fencing    three brokers register and heartbeat; one is killed, gets fenced,
             and its partitions' leadership moves to another ISR member with
             bumped leader and partition epochs.
  bad_input  unknown broker ids, stale epochs, AlterPartition with an old
             partition epoch, topic names Kafka rejects, a replication factor
             above the live brokers: each gets Kafka's error code and the
             metadata does not change.

Usage: tests/integration/controller/test_controller.py [--keep] [--controllers=N] [test ...]
It builds what it needs with Bazel (set GREGOR_SKIP_BUILD=1 to skip) and
prints "N passed, N failed". No timing assertions: durations are printed.
"""
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.path.join(ROOT, "bazel-bin")
CONTROLLER = os.environ.get("GREGOR_CONTROLLER_BIN", os.path.join(BIN, "controller", "gregor-controller"))
CLI = os.path.join(BIN, "tests", "integration", "controller", "gregor-controller-cli")

# Kafka error codes.
NOT_CONTROLLER = 41
INVALID_TOPIC_EXCEPTION = 17
INVALID_REPLICATION_FACTOR = 38
STALE_BROKER_EPOCH = 77
BROKER_ID_NOT_REGISTERED = 102
INVALID_UPDATE_VERSION = 95
FENCED_LEADER_EPOCH = 74


class TestFailure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise TestFailure(message)


def log(*args):
    print("[%s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def wait_for(what, fn, timeout=30.0, interval=0.05):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - keep polling through transient errors
            last = e
        time.sleep(interval)
    raise TestFailure("timed out waiting for %s (last: %r)" % (what, last))


class Cluster:
    """Three controllers on loopback, plus simulated brokers."""

    def __init__(self, workdir, n=3):
        self.workdir = workdir
        ports = free_ports(2 * n)
        self.ports = ports[:n]
        self.http_ports = ports[n:]
        self.ids = list(range(1, n + 1))
        self.voters = ",".join("%d@127.0.0.1:%d" % (i, p) for i, p in zip(self.ids, self.ports))
        self.procs = {}
        self.brokers = {}

    def start(self, i):
        d = os.path.join(self.workdir, "c%d" % i)
        os.makedirs(d, exist_ok=True)
        out = open(os.path.join(self.workdir, "c%d.log" % i), "ab")
        args = [CONTROLLER,
                "--node_id=%d" % i,
                "--listeners=127.0.0.1:%d" % self.ports[i - 1],
                "--controller_quorum_voters=" + self.voters,
                "--metadata_log_dir=" + d,
                "--http_port=%d" % self.http_ports[i - 1],
                "--http_host=127.0.0.1",
                "--broker_session_timeout_ms=1000",
                "--broker_heartbeat_interval_ms=200",
                "--default_replication_factor=1",
                "--metadata_snapshot_every_entries=20",
                "--metadata_log_keep_entries=5"]
        self.procs[i] = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)

    def start_all(self):
        for i in self.ids:
            self.start(i)

    def kill(self, i, sig=signal.SIGKILL):
        p = self.procs.pop(i, None)
        if p is not None:
            p.send_signal(sig)
            p.wait(timeout=30)

    def status(self, i):
        url = "http://127.0.0.1:%d/status" % self.http_ports[i - 1]
        with urllib.request.urlopen(url, timeout=2) as r:
            return json.loads(r.read())

    def statuses(self):
        out = {}
        for i in self.procs:
            try:
                out[i] = self.status(i)
            except Exception:  # noqa: BLE001 - a node may be starting
                pass
        return out

    def leader(self):
        """The id of the node that reports itself active, if exactly one."""
        active = [i for i, s in self.statuses().items() if s.get("active")]
        return active[0] if len(active) == 1 else None

    def wait_leader(self, timeout=30):
        return wait_for("an active controller", self.leader, timeout)

    def cli(self, *args, timeout_ms=20000):
        cmd = [CLI, "--voters=" + self.voters, "--timeout_ms=%d" % timeout_ms] + list(args)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_ms / 1000 + 30)
        lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
        check(lines, "no output from %s: %s" % (" ".join(args), r.stderr[-2000:]))
        return json.loads(lines[-1])

    def call(self, method, request=""):
        return self.cli("call", method, request)

    def start_broker(self, broker_id, rack=""):
        out = open(os.path.join(self.workdir, "broker%d.log" % broker_id), "ab")
        p = subprocess.Popen([CLI, "--voters=" + self.voters, "sim-broker",
                              "--broker_id=%d" % broker_id, "--rack=" + rack,
                              "--heartbeat_interval_ms=200"],
                             stdout=out, stderr=subprocess.STDOUT)
        self.brokers[broker_id] = p
        return p

    def kill_broker(self, broker_id):
        p = self.brokers.pop(broker_id, None)
        if p is not None:
            p.kill()
            p.wait(timeout=30)

    def broker_states(self):
        leader = self.leader()
        check(leader is not None, "no active controller")
        return {b["id"]: b for b in self.status(leader)["brokers"]}

    def wait_unfenced(self, ids, timeout=30):
        def ok():
            states = self.broker_states()
            return all(i in states and not states[i]["fenced"] for i in ids)
        wait_for("brokers %s unfenced" % ids, ok, timeout)

    def stop(self):
        for b in list(self.brokers):
            self.kill_broker(b)
        for i in list(self.procs):
            self.kill(i, signal.SIGTERM)


def error_code(resp):
    return resp.get("error", {}).get("code", 0)


def topic_error(resp, i=0):
    return resp["topics"][i].get("error", {}).get("code", 0)


def same_metadata(cluster):
    st = cluster.statuses()
    if len(st) != len(cluster.ids):
        return False
    offsets = {s["applied_offset"] for s in st.values()}
    crcs = {s["image_crc32c"] for s in st.values()}
    return st if len(offsets) == 1 and len(crcs) == 1 else False


# ---------------------------------------------------------------------------


def test_failover(cluster):
    cluster.start_all()
    cluster.wait_leader()
    cluster.start_broker(1)
    cluster.wait_unfenced([1])
    durations = []
    for round_ in range(10):
        old = cluster.wait_leader()
        before = cluster.status(old)["applied_offset"]
        t0 = time.time()
        cluster.kill(old)
        new = cluster.wait_leader()
        check(new != old, "the killed node is still reported active")
        resp = cluster.call("CreateTopics",
                            'topics { name: "failover-%d" num_partitions: 1 replication_factor: 1 }' % round_)
        check(error_code(resp) == 0 and topic_error(resp) == 0, "CreateTopics after failover: %s" % resp)
        durations.append(time.time() - t0)
        log("round %d: killed %d, new leader %d, CreateTopics ok after %.2f s" % (round_, old, new, durations[-1]))
        cluster.start(old)
        target = cluster.status(new)["applied_offset"]
        check(target > before, "the offset did not move")
        wait_for("node %d to catch up" % old,
                 lambda: cluster.status(old)["applied_offset"] >= target, timeout=30)
    st = wait_for("identical metadata on every node", lambda: same_metadata(cluster), timeout=30)
    for s in st.values():
        names = {t["name"] for t in s["topics"]}
        check(all("failover-%d" % r in names for r in range(10)), "missing topics on node %d" % s["node_id"])
    # A new watcher from offset 0: the log is compacted, so it gets a snapshot
    # first, and ends with the same image as the controllers.
    image = cluster.cli("image")
    crcs = {s["image_crc32c"] for s in st.values()}
    check(image["caught_up"] and image["crc32c"] in crcs, "WatchMetadata from 0: %s vs %s" % (image, crcs))
    check(all(s["snapshot_index"] > 0 for s in st.values()), "no snapshot was taken")
    log("failover: kill -9 -> committed CreateTopics: min %.2f s, max %.2f s, mean %.2f s" %
        (min(durations), max(durations), sum(durations) / len(durations)))


def test_fencing(cluster):
    cluster.start_all()
    cluster.wait_leader()
    for b, rack in ((1, "a"), (2, "b"), (3, "c")):
        cluster.start_broker(b, rack)
    cluster.wait_unfenced([1, 2, 3])
    resp = cluster.call("CreateTopics", 'topics { name: "fence-me" num_partitions: 6 replication_factor: 3 }')
    check(topic_error(resp) == 0, "CreateTopics: %s" % resp)
    leader = cluster.wait_leader()
    parts = {p["partition"]: p for t in cluster.status(leader)["topics"] if t["name"] == "fence-me"
             for p in t["partitions"]}
    victim = parts[0]["leader"]
    led = [p for p in parts.values() if p["leader"] == victim]
    log("killing broker %d, leader of %d partitions" % (victim, len(led)))
    t0 = time.time()
    cluster.kill_broker(victim)
    wait_for("broker %d fenced" % victim, lambda: cluster.broker_states()[victim]["fenced"], timeout=30)
    log("broker %d fenced %.2f s after kill -9" % (victim, time.time() - t0))
    states = cluster.broker_states()
    for b in (1, 2, 3):
        if b != victim:
            check(not states[b]["fenced"], "broker %d was fenced too" % b)
    leader = cluster.wait_leader()
    now = {p["partition"]: p for t in cluster.status(leader)["topics"] if t["name"] == "fence-me"
           for p in t["partitions"]}
    for p in led:
        q = now[p["partition"]]
        check(q["leader"] != victim and q["leader"] in p["isr"],
              "partition %d: new leader %d not from the ISR %s" % (p["partition"], q["leader"], p["isr"]))
        expected = next(r for r in p["replicas"] if r in p["isr"] and r != victim)
        check(q["leader"] == expected, "partition %d: leader %d, expected first live ISR member %d" %
              (p["partition"], q["leader"], expected))
        check(q["leader_epoch"] == p["leader_epoch"] + 1, "leader epoch not bumped: %s -> %s" % (p, q))
        check(q["partition_epoch"] > p["partition_epoch"], "partition epoch not bumped: %s -> %s" % (p, q))
    for q in now.values():
        check(victim not in q["isr"], "fenced broker %d still in the ISR of %s" % (victim, q))


def test_bad_input(cluster):
    cluster.start_all()
    cluster.wait_leader()
    cluster.start_broker(1)
    cluster.start_broker(2)
    cluster.wait_unfenced([1, 2])
    resp = cluster.call("CreateTopics", 'topics { name: "good" num_partitions: 1 replication_factor: 2 }')
    check(topic_error(resp) == 0, "CreateTopics: %s" % resp)
    leader = cluster.wait_leader()
    st = cluster.status(leader)
    topic = next(t for t in st["topics"] if t["name"] == "good")
    part = topic["partitions"][0]
    epochs = {b["id"]: b["epoch"] for b in st["brokers"]}
    # AlterPartition needs the topic id as two 64-bit halves.
    raw = base64.urlsafe_b64decode(topic["id"] + "==")
    hi, lo = int.from_bytes(raw[:8], "big"), int.from_bytes(raw[8:], "big")
    lead = part["leader"]
    # A valid ISR shrink first, so that an older partition epoch exists.
    resp = cluster.call("AlterPartition", "broker_id: %d broker_epoch: %d topic_id { hi: %d lo: %d } "
                        "partition_id: 0 leader_epoch: %d partition_epoch: %d new_isr: [%d]" % (
                            lead, epochs[lead], hi, lo, part["leader_epoch"], part["partition_epoch"], lead))
    check(error_code(resp) == 0, "valid AlterPartition: %s" % resp)
    st = cluster.status(cluster.wait_leader())
    part = next(t for t in st["topics"] if t["name"] == "good")["partitions"][0]
    before = st["image_crc32c"]

    resp = cluster.call("BrokerHeartbeat", "broker_id: 99 broker_epoch: 1")
    check(error_code(resp) == BROKER_ID_NOT_REGISTERED, "unknown broker heartbeat: %s" % resp)
    resp = cluster.call("BrokerHeartbeat", "broker_id: 1 broker_epoch: %d" % (epochs[1] + 1000))
    check(error_code(resp) == STALE_BROKER_EPOCH, "stale epoch heartbeat: %s" % resp)

    base = "broker_id: %d topic_id { hi: %d lo: %d } partition_id: 0 leader_epoch: %d new_isr: [%d]" % (
        lead, hi, lo, part["leader_epoch"], lead)
    resp = cluster.call("AlterPartition", base + " broker_epoch: %d partition_epoch: %d" % (
        epochs[lead], part["partition_epoch"] - 1))
    check(error_code(resp) == INVALID_UPDATE_VERSION, "old partition epoch: %s" % resp)
    resp = cluster.call("AlterPartition", base + " broker_epoch: %d partition_epoch: %d" % (
        epochs[lead] - 1, part["partition_epoch"]))
    check(error_code(resp) == STALE_BROKER_EPOCH, "stale broker epoch: %s" % resp)
    resp = cluster.call("AlterPartition", "broker_id: 42 broker_epoch: 1 topic_id { hi: %d lo: %d } "
                        "partition_id: 0 leader_epoch: 0 partition_epoch: 0 new_isr: [42]" % (hi, lo))
    check(error_code(resp) == STALE_BROKER_EPOCH, "unknown broker AlterPartition: %s" % resp)

    for name in ("..", ".", "a" * 250, "bad name!", "sl/ash"):
        resp = cluster.call("CreateTopics", 'topics { name: "%s" num_partitions: 1 replication_factor: 1 }' % name)
        check(topic_error(resp) == INVALID_TOPIC_EXCEPTION, "topic name %r: %s" % (name, resp))
    resp = cluster.call("CreateTopics", 'topics { name: "too-many-replicas" num_partitions: 1 replication_factor: 3 }')
    check(topic_error(resp) == INVALID_REPLICATION_FACTOR, "rf 3 with 2 brokers: %s" % resp)
    resp = cluster.call("CreateTopics", 'topics { name: "good" num_partitions: 1 replication_factor: 1 }')
    check(topic_error(resp) == 36, "existing topic: %s" % resp)

    # Nothing was written: the image is byte-for-byte the same.
    after = cluster.status(cluster.wait_leader())["image_crc32c"]
    check(after == before, "the metadata changed after rejected requests")


TESTS = {"failover": test_failover, "fencing": test_fencing, "bad_input": test_bad_input}


def build():
    if os.environ.get("GREGOR_SKIP_BUILD"):
        return
    subprocess.run(["bazel", "build", "//controller:gregor-controller",
                    "//tests/integration/controller:gregor-controller-cli"], cwd=ROOT, check=True)


def main(argv):
    keep = "--keep" in argv
    n = 3
    for a in argv:
        if a.startswith("--controllers="):
            n = int(a.split("=", 1)[1])
    names = [a for a in argv if not a.startswith("--")] or list(TESTS)
    build()
    passed = failed = 0
    for name in names:
        workdir = tempfile.mkdtemp(prefix="gregor-controller-%s-" % name)
        cluster = Cluster(workdir, n)
        log("test %s (logs in %s)" % (name, workdir))
        try:
            TESTS[name](cluster)
            passed += 1
            log("PASS %s" % name)
        except Exception as e:  # noqa: BLE001 - report and go on
            failed += 1
            log("FAIL %s: %s" % (name, e))
            keep = True
        finally:
            cluster.stop()
            if not keep:
                shutil.rmtree(workdir, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
