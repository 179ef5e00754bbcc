"""Shared pieces of the replication suite: the cluster (deploy/cluster.sh with
this suite's port offset and a temporary GREGOR_CLUSTER_DIR), partition
metadata, workload producers (confluent-kafka, kafka-python, the Java client)
that record what was sent, acknowledged and failed, and the checker.

Records are numbered: the value of record n is "<tag>-<n:09d>" and it goes to
partition n % partitions, so within a partition the numbers increase in send
order. The checker reads every partition from the start and asserts that every
acknowledged record is read exactly once, at the offset its acknowledgement
named, in increasing number order, and that nothing unsent appears.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CLUSTER_SH = os.path.join(ROOT, "deploy", "cluster.sh")
CONTROLLER_CLI = os.environ.get(
    "GREGOR_CONTROLLER_CLI",
    os.path.join(ROOT, "bazel-bin", "tests", "integration", "controller", "gregor-controller-cli"))
# 350, not 300: deploy/cluster.sh puts broker N's Kafka port at 9091+N+offset and its
# replication port at 9191+N+offset, so offsets 100 apart collide (offset 200's
# replication ports are offset 300's Kafka ports); x50 offsets collide with none
# of the multiples of 100 the other clusters on this machine use.
PORT_OFFSET = int(os.environ.get("GREGOR_PORT_OFFSET", "350"))
BROKERS = (1, 2, 3)


class TestFailure(Exception):
    pass


def check(cond, message):
    if not cond:
        raise TestFailure(message)


def log(*args):
    print("[%s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def wait_for(what, fn, timeout=60.0, interval=0.05):
    """Polls fn until it returns something true; returns it. Raises on timeout."""
    deadline = time.time() + timeout
    last_err = None
    while time.time() < deadline:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # noqa: BLE001 - transient client errors while polling
            last_err = e
        time.sleep(interval)
    raise TestFailure("timed out after %.0fs waiting for %s%s" %
                      (timeout, what, " (last error: %s)" % last_err if last_err else ""))


# ---- cluster -------------------------------------------------------------------------------

class Cluster:
    """3 controllers + 3 brokers started by deploy/cluster.sh."""

    def __init__(self, cluster_dir=None, broker_flags="", controller_flags=""):
        self.dir = cluster_dir or tempfile.mkdtemp(prefix="gregor-replication-")
        self.env = dict(os.environ)
        self.env["GREGOR_PORT_OFFSET"] = str(PORT_OFFSET)
        self.env["GREGOR_CLUSTER_DIR"] = self.dir
        self.env["GREGOR_BROKER_FLAGS"] = broker_flags
        self.env["GREGOR_CONTROLLER_FLAGS"] = controller_flags
        self.bootstrap = ",".join("127.0.0.1:%d" % self.kafka_port(b) for b in BROKERS)
        self.stopped = set()  # brokers paused with SIGSTOP

    @staticmethod
    def kafka_port(broker):
        return 9091 + broker + PORT_OFFSET

    @staticmethod
    def http_port(broker):
        return 8080 + broker + PORT_OFFSET

    def sh(self, *args, check_rc=True, timeout=600):
        r = subprocess.run([CLUSTER_SH, *args], env=self.env, timeout=timeout,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if check_rc and r.returncode != 0:
            raise TestFailure("cluster.sh %s failed (%d):\n%s" % (" ".join(args), r.returncode,
                                                                 r.stdout[-3000:]))
        return r.stdout

    def up(self):
        log("cluster: starting in %s (port offset %d)" % (self.dir, PORT_OFFSET))
        self.sh("up")

    def down(self):
        for b in list(self.stopped):
            self.signal(b, signal.SIGCONT)
        self.sh("down", check_rc=False)

    def pid(self, broker):
        try:
            with open(os.path.join(self.dir, "broker-%d.pid" % broker)) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def controller_pid(self, cid):
        try:
            with open(os.path.join(self.dir, "controller-%d.pid" % cid)) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def signal(self, broker, sig):
        pid = self.pid(broker)
        check(pid is not None, "broker %d has no pid file" % broker)
        os.kill(pid, sig)
        if sig == signal.SIGSTOP:
            self.stopped.add(broker)
        elif sig == signal.SIGCONT:
            self.stopped.discard(broker)

    def kill9(self, broker):
        pid = self.pid(broker)
        check(pid is not None, "broker %d has no pid file" % broker)
        os.kill(pid, signal.SIGKILL)
        _wait_exit(pid, 10)
        os.unlink(os.path.join(self.dir, "broker-%d.pid" % broker))

    def terminate(self, broker, timeout=60):
        """SIGTERM (controlled shutdown); waits for the process to exit."""
        pid = self.pid(broker)
        check(pid is not None, "broker %d has no pid file" % broker)
        t0 = time.time()
        os.kill(pid, signal.SIGTERM)
        check(_wait_exit(pid, timeout), "broker %d did not exit %ds after SIGTERM" % (broker, timeout))
        os.unlink(os.path.join(self.dir, "broker-%d.pid" % broker))
        return time.time() - t0

    def start(self, broker):
        # cluster.sh truncates the log on start: keep the previous one.
        path = os.path.join(self.dir, "broker-%d.log" % broker)
        if os.path.exists(path):
            n = 1
            while os.path.exists("%s.%d" % (path, n)):
                n += 1
            os.rename(path, "%s.%d" % (path, n))
        self.sh("start", str(broker))

    def broker_logs(self, broker):
        """Every log of the broker, the older incarnations' first."""
        names = sorted((f for f in os.listdir(self.dir) if f.startswith("broker-%d.log" % broker)),
                       key=lambda f: int(f.rsplit(".", 1)[1]) if f[-1].isdigit() else 1 << 30)
        out = []
        for f in names:
            with open(os.path.join(self.dir, f), errors="replace") as fh:
                out.append(fh.read())
        return "".join(out)

    def alive(self, broker):
        pid = self.pid(broker)
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False

    def broker_log(self, broker):
        try:
            with open(os.path.join(self.dir, "broker-%d.log" % broker), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def controller_call(self, method, text):
        """A ControllerService call through gregor-controller-cli (JSON answer)."""
        voters = ",".join("%d@127.0.0.1:%d" % (c, 9301 + c - 1000 + PORT_OFFSET)
                          for c in (1001, 1002, 1003))
        r = subprocess.run([CONTROLLER_CLI, "--voters=" + voters, "call", method, text],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        check(r.returncode == 0, "%s failed: %s %s" % (method, r.stdout, r.stderr[-2000:]))
        return json.loads(r.stdout.strip().splitlines()[-1])

    def status(self, broker):
        with urllib.request.urlopen("http://127.0.0.1:%d/status" % self.http_port(broker),
                                    timeout=2) as r:
            return json.loads(r.read())


def _wait_exit(pid, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        # A zombie of ours (not the case with cluster.sh's nohup) counts as gone.
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().split()[2] == "Z":
                    return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


# ---- metadata ------------------------------------------------------------------------------

class Metadata:
    """Partition leaders and ISRs as the brokers' Metadata answers give them."""

    def __init__(self, cluster):
        from confluent_kafka.admin import AdminClient
        self.cluster = cluster
        self.admin = AdminClient({"bootstrap.servers": cluster.bootstrap,
                                  "topic.metadata.refresh.interval.ms": 200})

    def create_topic(self, topic, partitions=6, rf=3, configs=None):
        from confluent_kafka.admin import NewTopic
        from confluent_kafka import KafkaError, KafkaException
        fs = self.admin.create_topics([NewTopic(topic, partitions, rf, config=configs or {})],
                                      operation_timeout=30)
        try:
            fs[topic].result(timeout=60)
        except KafkaException as e:
            # The client retried a CreateTopics whose first attempt succeeded.
            if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
        wait_for("topic %s to have leaders and a full ISR" % topic,
                 lambda: self.all_in_sync(topic, partitions, rf), timeout=120)

    def partitions(self, topic, broker=None):
        """{partition: (leader, replicas, isr)}, asking `broker` (any live one by default)."""
        md = self._md(topic, broker)
        t = md.topics.get(topic)
        if t is None or t.error is not None:
            raise TestFailure("metadata of %s: %s" % (topic, t.error if t else "missing"))
        return {p: (pm.leader, list(pm.replicas), sorted(pm.isrs)) for p, pm in t.partitions.items()}

    def _md(self, topic, broker):
        if broker is None:
            for b in BROKERS:
                if self.cluster.alive(b) and b not in self.cluster.stopped:
                    broker = b
                    break
        from confluent_kafka.admin import AdminClient
        a = AdminClient({"bootstrap.servers": "127.0.0.1:%d" % self.cluster.kafka_port(broker)})
        return a.list_topics(topic, timeout=5)

    def all_in_sync(self, topic, partitions, rf=3):
        ps = self.partitions(topic)
        return len(ps) == partitions and all(
            l >= 0 and len(isr) == rf for l, _, isr in ps.values())

    def leader(self, topic, partition):
        return self.partitions(topic)[partition][0]


# ---- producers -----------------------------------------------------------------------------

class Ledger:
    """What a producer sent, and what was acknowledged or failed. Thread-safe."""

    def __init__(self, tag, partitions):
        self.tag = tag
        self.partitions = partitions
        self.lock = threading.Lock()
        self.sent = 0
        self.acked = {}        # seq -> (partition, offset)
        self.ack_times = {}    # seq -> time of the ack
        self.failed = {}       # seq -> error string
        self.send_times = {}

    def value(self, seq, pad=0):
        v = "%s-%09d" % (self.tag, seq)
        return v + "|" + "x" * pad if pad else v

    def parse(self, value):
        tag, _, n = value.split("|", 1)[0].rpartition("-")
        if tag != self.tag or not n.isdigit():
            return None
        return int(n)

    def on_send(self, seq):
        with self.lock:
            self.sent = max(self.sent, seq + 1)
            self.send_times[seq] = time.time()

    def on_ack(self, seq, partition, offset):
        with self.lock:
            self.acked[seq] = (partition, offset)
            self.ack_times[seq] = time.time()

    def on_fail(self, seq, err):
        with self.lock:
            self.failed[seq] = str(err)

    def counts(self):
        with self.lock:
            return self.sent, len(self.acked), len(self.failed)

    def first_ack_after(self, partition, t):
        """Time of the first ack on `partition` of a record sent after t (None if none)."""
        with self.lock:
            best = None
            for seq, (p, _) in self.acked.items():
                if p == partition and self.send_times.get(seq, 0) >= t:
                    at = self.ack_times[seq]
                    if best is None or at < best:
                        best = at
            return best

    def summary(self):
        s, a, f = self.counts()
        return "%s: sent %d, acked %d, failed %d" % (self.tag, s, a, f)


class _ProducerBase:
    def __init__(self, ledger, topic, rate):
        self.ledger = ledger
        self.topic = topic
        self.rate = rate
        self.stop_ev = threading.Event()
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _pace(self, seq, t0):
        ahead = seq / float(self.rate) - (time.time() - t0)
        if ahead > 0:
            time.sleep(ahead)

    def join(self, timeout=180):
        self.thread.join(timeout)
        check(not self.thread.is_alive(), "producer %s did not finish" % self.ledger.tag)

    def stop(self, timeout=180):
        self.stop_ev.set()
        self.thread.join(timeout)
        check(not self.thread.is_alive(), "producer %s did not stop" % self.ledger.tag)


class ConfluentProducer(_ProducerBase):
    """confluent-kafka (librdkafka), idempotent, acks=all."""

    def __init__(self, bootstrap, ledger, topic, rate=400, extra=None, pad=0, count=None):
        super().__init__(ledger, topic, rate)
        self.pad = pad
        self.count = count  # stop after this many records (None: until stop())
        from confluent_kafka import Producer
        conf = {"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all",
                "linger.ms": 5, "message.timeout.ms": 180000, "request.timeout.ms": 5000,
                # A paused (SIGSTOP) leader answers nothing: give up on a
                # request to it after 10 s, not the default 60 s.
                "socket.timeout.ms": 10000,
                "retry.backoff.ms": 50,
                "retry.backoff.max.ms": 200, "topic.metadata.refresh.interval.ms": 1000,
                "client.id": "replication-" + ledger.tag}
        conf.update(extra or {})
        self.p = Producer(conf)
        self.errors = []

    def _run(self):
        t0 = time.time()
        seq = 0
        while not self.stop_ev.is_set() and (self.count is None or seq < self.count):
            self._send(seq)
            seq += 1
            self.p.poll(0)
            if self.rate:
                self._pace(seq, t0)
        remaining = self.p.flush(170)
        if remaining:
            self.errors.append("%d records still in flight at the end" % remaining)

    def _send(self, seq):
        part = seq % self.ledger.partitions

        def cb(err, msg, seq=seq):
            if err is not None:
                self.ledger.on_fail(seq, err)
            else:
                self.ledger.on_ack(seq, msg.partition(), msg.offset())

        while True:
            try:
                self.p.produce(self.topic, value=self.ledger.value(seq, self.pad).encode(),
                               partition=part,
                               on_delivery=cb)
                self.ledger.on_send(seq)
                return
            except BufferError:
                self.p.poll(0.05)


class KafkaPythonProducer(_ProducerBase):
    """kafka-python 3.x, idempotent, acks=all."""

    def __init__(self, bootstrap, ledger, topic, rate=200):
        super().__init__(ledger, topic, rate)
        from kafka import KafkaProducer
        self.p = KafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all",
                               enable_idempotence=True, linger_ms=5, retries=2**31 - 1,
                               delivery_timeout_ms=180000, request_timeout_ms=10000,
                               retry_backoff_ms=50, metadata_max_age_ms=1000,
                               client_id="replication-" + ledger.tag)

    def _run(self):
        t0 = time.time()
        seq = 0
        while not self.stop_ev.is_set():
            part = seq % self.ledger.partitions
            fut = self.p.send(self.topic, value=self.ledger.value(seq).encode(), partition=part)
            self.ledger.on_send(seq)
            fut.add_callback(lambda md, seq=seq: self.ledger.on_ack(seq, md.partition, md.offset))
            fut.add_errback(lambda e, seq=seq: self.ledger.on_fail(seq, e))
            seq += 1
            self._pace(seq, t0)
        self.p.flush(170)
        self.p.close(10)


class JavaProducer(_ProducerBase):
    """The Java client (kafka-clients 4.1.1, idempotent, acks=all) in a child
    process (java/…/AckedProducer.java) that prints one line per send, ack and
    failure; stops when its stdin closes."""

    def __init__(self, bootstrap, ledger, topic, rate=300):
        super().__init__(ledger, topic, rate)
        target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "java", "target")
        self.proc = subprocess.Popen(
            ["java", "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
             "-cp", "%s/classes:%s/lib/*" % (target, target),
             "dev.gregor.replication.AckedProducer", bootstrap, topic, ledger.tag,
             str(ledger.partitions), str(rate)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.errors = []

    def _run(self):
        for line in self.proc.stdout:
            parts = line.split()
            if not parts:
                continue
            if parts[0] == "S":
                self.ledger.on_send(int(parts[1]))
            elif parts[0] == "A":
                self.ledger.on_ack(int(parts[1]), int(parts[2]), int(parts[3]))
            elif parts[0] == "F":
                self.ledger.on_fail(int(parts[1]), " ".join(parts[2:]))
            elif parts[0] == "E":
                self.errors.append(line.strip())

    def stop(self, timeout=180):
        self.proc.stdin.close()
        rc = self.proc.wait(timeout)
        self.thread.join(10)
        check(rc == 0, "the Java producer exited with %d: %s" % (rc, self.errors))


# ---- checker -------------------------------------------------------------------------------

def read_all(cluster, topic, partitions, group, ledger, split_at=None, between=None):
    """Reads the whole topic with a consumer group (committing as it goes).

    With split_at, the first consumer stops once it has read that many
    records, commits, and closes; `between()` runs (e.g. kill the group
    coordinator); a second consumer of the same group continues from the
    committed offsets. Returns {partition: [(offset, value)]}.
    """
    from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
    ends = {}
    probe = Consumer({"bootstrap.servers": cluster.bootstrap, "group.id": group + "-probe",
                      "enable.auto.commit": False})
    for p in range(partitions):
        lo, hi = wait_for("watermarks of %s-%d" % (topic, p),
                          lambda p=p: probe.get_watermark_offsets(TopicPartition(topic, p),
                                                                  timeout=5), timeout=60)
        ends[p] = hi
    probe.close()
    total = sum(ends.values())
    log("reading %s: %d records in %d partitions (group %s)" % (topic, total, partitions, group))
    out = {p: [] for p in range(partitions)}
    first_offsets = []

    def consume(limit, phase):
        c = Consumer({"bootstrap.servers": cluster.bootstrap, "group.id": group,
                      "auto.offset.reset": "earliest", "enable.auto.commit": False,
                      "session.timeout.ms": 10000, "fetch.wait.max.ms": 100,
                      "topic.metadata.refresh.interval.ms": 1000})
        c.subscribe([topic])
        n = 0
        starts = {}
        deadline = time.time() + 240
        done = lambda: all(  # noqa: E731
            (out[p][-1][0] + 1 if out[p] else 0) >= ends[p] for p in range(partitions))
        last_commit = time.time()

        def commit():
            try:
                c.commit(asynchronous=False)
            except KafkaException as e:
                if e.args[0].code() != KafkaError._NO_OFFSET:
                    raise

        while not done() and (limit is None or n < limit):
            check(time.time() < deadline, "reading %s timed out (%s)" % (
                topic, {p: (len(out[p]), ends[p]) for p in out}))
            msgs = c.consume(500, 0.5)
            for m in msgs:
                if m.error():
                    continue
                starts.setdefault(m.partition(), m.offset())
                out[m.partition()].append((m.offset(), m.value().decode()))
                n += 1
            if msgs and time.time() - last_commit > 0.5:
                commit()
                last_commit = time.time()
        commit()
        c.close()
        first_offsets.append(starts)
        return n

    if split_at is None:
        consume(None, "all")
    else:
        n1 = consume(split_at, "first")
        committed = {p: (out[p][-1][0] + 1 if out[p] else None) for p in out}
        log("first consumer read %d records; committed %s" % (n1, committed))
        if between:
            between()
        consume(None, "second")
        # The second consumer starts exactly where the first committed.
        for p, start in first_offsets[1].items():
            if committed[p] is not None:
                check(start == committed[p],
                      "partition %d: second consumer started at %d, committed %d" %
                      (p, start, committed[p]))
    return out


def check_exactly_once(ledger, read, require_no_failures=False, others=()):
    """The checker. Returns a summary dict; raises TestFailure on a violation.

    `read` is every record of the topic; records of the `others` ledgers
    (other producers of the same topic) are checked by their own call."""
    problems = []
    lost = duplicated = reordered = unsent = misplaced = 0
    seen = {}
    with ledger.lock:
        acked = dict(ledger.acked)
        sent = ledger.sent
        failed = dict(ledger.failed)
    for p, rows in read.items():
        last = -1
        last_offset = -1
        for offset, value in rows:
            seq = ledger.parse(value)
            if seq is None and any(o.parse(value) is not None for o in others):
                continue
            if seq is None or seq >= sent:
                unsent += 1
                if len(problems) < 10:
                    problems.append("p%d@%d: %r was never sent" % (p, offset, value))
                continue
            if offset <= last_offset:
                problems.append("p%d: offset %d after %d" % (p, offset, last_offset))
            last_offset = offset
            if seq % ledger.partitions != p:
                misplaced += 1
                problems.append("p%d@%d: %r belongs to partition %d" % (p, offset, value,
                                                                      seq % ledger.partitions))
            if seq in seen:
                duplicated += 1
                if len(problems) < 10:
                    problems.append("p%d@%d: %r read twice (also at %s)" % (p, offset, value,
                                                                         seen[seq]))
                continue
            seen[seq] = (p, offset)
            if seq < last:
                reordered += 1
                if len(problems) < 10:
                    problems.append("p%d@%d: %r after record %d" % (p, offset, value, last))
            last = max(last, seq)
    for seq, (p, offset) in acked.items():
        if seq not in seen:
            lost += 1
            if len(problems) < 20:
                problems.append("acknowledged %s (p%d@%d) was not read" %
                                (ledger.value(seq), p, offset))
        elif seen[seq] != (p, offset):
            misplaced += 1
            if len(problems) < 20:
                problems.append("acknowledged %s at p%s@%s but read at p%s@%s" %
                                (ledger.value(seq), p, offset, *seen[seq]))
    result = {"sent": sent, "acked": len(acked), "failed": len(failed), "read": len(seen),
              "lost": lost, "duplicated": duplicated, "reordered": reordered, "unsent": unsent,
              "misplaced": misplaced}
    log("checker %s: %s" % (ledger.tag, result))
    if require_no_failures and failed:
        some = sorted(failed.items())[:5]
        problems.append("%d produce requests failed, e.g. %s" % (len(failed), some))
    check(not problems, "checker %s: %s" % (ledger.tag, "; ".join(problems[:20])))
    check(len(acked) > 0, "checker %s: nothing was acknowledged" % ledger.tag)
    return result
