#!/usr/bin/env python3
"""The Kafka admin APIs of Gregor's brokers, through Apache Kafka's own CLI tools.

Starts a 3-controller + 3-broker Gregor cluster with deploy/cluster.sh (ports
shifted by GREGOR_PORT_OFFSET, default 100; data in a temporary
GREGOR_CLUSTER_DIR), runs the Kafka 4.1.1 tools of tests/kafka/bin against it
and checks their output against what the same tools print against Kafka 4.1.1:

  kafka-broker-api-versions   the admin APIs are advertised with their versions
  kafka-topics --describe     (DescribeConfigs v4 + ListPartitionReassignments)
  kafka-configs               describe/alter a topic (IncrementalAlterConfigs),
                              a broker and the cluster-wide broker default;
                              INVALID_CONFIG and UNKNOWN_TOPIC_OR_PARTITION
  kafka-delete-records        DeleteRecords (an offset and -1 = high watermark)
  kafka-log-dirs              DescribeLogDirs on every broker
  kafka-leader-election       ElectLeaders (preferred; nothing to do)
  kafka-reassign-partitions   ListPartitionReassignments (--list)

Usage: tests/integration/admin/test_admin_cli.py [--keep]
  --keep   leave the cluster running (and its directory) for a look afterwards.
Prints "N passed, N failed"; exit status 0 when all passed. Time: cluster start
~20 s plus 17 JVM tool runs (some in parallel), 2-5 s each on a quiet 2-core
machine: measured 29 s at load average 4 (after the build), 4.5 minutes at 40-80
(six developers building at once). No timing assertions.

GREGOR_PORT_OFFSET: deploy/cluster.sh puts the replication ports 100 above
the Kafka ports, so offsets 100 apart collide (offset 100's replication ports
are offset 200's Kafka ports); pick an offset whose ports are free.
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CLUSTER = os.path.join(ROOT, "deploy", "cluster.sh")
TOOLS = os.path.join(ROOT, "tests", "kafka", "bin")
OFFSET = int(os.environ.get("GREGOR_PORT_OFFSET", "100"))
BOOTSTRAP = ",".join("127.0.0.1:%d" % (9092 + i + OFFSET) for i in range(3))
BROKER1 = "127.0.0.1:%d" % (9092 + OFFSET)


class TestFailure(Exception):
    pass


def log(*args):
    print("[%s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


def check(cond, message):
    if not cond:
        raise TestFailure(message)


def contains(text, needle, what):
    check(needle in text, "%s: expected %r in:\n%s" % (what, needle, text))


def tool(name, *args, stdin=None, timeout=120):
    """Runs a Kafka CLI tool; returns (exit status, stdout + stderr)."""
    p = subprocess.run([os.path.join(TOOLS, name)] + list(args), input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout


def parallel(*calls):
    """Runs several tool() calls at once (each is a JVM start); returns their results."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(calls)) as ex:
        futures = [ex.submit(tool, *c[0], **c[1]) for c in calls]
        return [f.result() for f in futures]


def call(*args, **kwargs):
    return (args, kwargs)


def until(fn, what, attempts=10):
    """Repeats fn() (a check that raises TestFailure) until it passes: the
    brokers learn committed metadata a moment after the controller answers."""
    for i in range(attempts):
        try:
            return fn()
        except TestFailure:
            if i == attempts - 1:
                raise
            log("  %s: not yet, again" % what)
            time.sleep(0.5)


# ---------------------------------------------------------------- tests


def test_api_versions():
    rc, out = tool("kafka-broker-api-versions", "--bootstrap-server", BROKER1)
    check(rc == 0, "kafka-broker-api-versions failed:\n" + out)
    for line in ["SaslHandshake(17): 0 to 1 [usable: 1]",
                 "DeleteRecords(21): 0 to 2 [usable: 2]",
                 "DescribeAcls(29): 0 to 3 [usable: 3]",
                 "CreateAcls(30): 0 to 3 [usable: 3]",
                 "DeleteAcls(31): 0 to 3 [usable: 3]",
                 "DescribeConfigs(32): 0 to 4 [usable: 4]",
                 "AlterConfigs(33): 0 to 2 [usable: 2]",
                 "DescribeLogDirs(35): 0 to 4 [usable: 4]",
                 "SaslAuthenticate(36): 0 to 2 [usable: 2]",
                 "ElectLeaders(43): 0 to 2 [usable: 2]",
                 "IncrementalAlterConfigs(44): 0 to 1 [usable: 1]",
                 "AlterPartitionReassignments(45): 0 [usable: 0]",
                 "ListPartitionReassignments(46): 0 [usable: 0]",
                 "DescribeProducers(61): 0 [usable: 0]"]:
        contains(out, line, "kafka-broker-api-versions")


def test_topics_describe():
    rc, out = tool("kafka-topics", "--bootstrap-server", BOOTSTRAP, "--create", "--topic",
                   "events", "--partitions", "3", "--replication-factor", "3")
    check(rc == 0, "create failed:\n" + out)
    contains(out, "Created topic events.", "kafka-topics --create")

    def describe():
        rc, out = tool("kafka-topics", "--bootstrap-server", BOOTSTRAP, "--describe",
                       "--topic", "events")
        check(rc == 0, "describe failed:\n" + out)
        contains(out, "Topic: events\tTopicId: ", "kafka-topics --describe")
        contains(out, "\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: ",
                 "kafka-topics --describe")
        for p in range(3):
            contains(out, "\tTopic: events\tPartition: %d\tLeader: " % p,
                     "kafka-topics --describe")
        check("DESCRIBE_CONFIGS" not in out and "Error" not in out,
              "describe printed an error:\n" + out)
    until(describe, "kafka-topics --describe")


def test_topic_configs():
    rc, out = tool("kafka-configs", "--bootstrap-server", BOOTSTRAP, "--describe",
                   "--entity-type", "topics", "--entity-name", "events")
    check(rc == 0, "describe failed:\n" + out)
    check(out.strip() == "Dynamic configs for topic events are:",
          "a new topic has no dynamic configs:\n" + out)

    rc, out = tool("kafka-configs", "--bootstrap-server", BOOTSTRAP, "--alter",
                   "--entity-type", "topics", "--entity-name", "events",
                   "--add-config", "retention.ms=1000,cleanup.policy=compact")
    check(rc == 0, "alter failed:\n" + out)
    contains(out, "Completed updating config for topic events.", "kafka-configs --alter")

    def described():
        rc, out = tool("kafka-configs", "--bootstrap-server", BOOTSTRAP, "--describe",
                       "--entity-type", "topics", "--entity-name", "events")
        check(rc == 0, "describe failed:\n" + out)
        contains(out, "  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:"
                 "retention.ms=1000", "kafka-configs --describe")
        contains(out, "  cleanup.policy=compact sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:"
                 "cleanup.policy=compact, DEFAULT_CONFIG:log.cleanup.policy=delete}",
                 "kafka-configs --describe")
    until(described, "topic configs after --alter")

    # Kafka's errors, as Kafka's tool prints them (exit status 1).
    (rc_bad, bad), (rc_ghost, ghost), (rc_del, deleted) = parallel(
        call("kafka-configs", "--bootstrap-server", BOOTSTRAP, "--alter", "--entity-type",
             "topics", "--entity-name", "events", "--add-config", "no.such.thing=1"),
        call("kafka-configs", "--bootstrap-server", BOOTSTRAP, "--alter", "--entity-type",
             "topics", "--entity-name", "ghost", "--add-config", "retention.ms=1"),
        call("kafka-configs", "--bootstrap-server", BOOTSTRAP, "--alter", "--entity-type",
             "topics", "--entity-name", "events", "--delete-config", "cleanup.policy"))
    check(rc_bad != 0, "an unknown config was accepted:\n" + bad)
    contains(bad, "org.apache.kafka.common.errors.InvalidConfigurationException: "
             "Unknown topic config name: no.such.thing", "unknown config")
    check(rc_ghost != 0, "a config of a missing topic was accepted:\n" + ghost)
    contains(ghost, "org.apache.kafka.common.errors.UnknownTopicOrPartitionException",
             "missing topic")
    check(rc_del == 0, "--delete-config failed:\n" + deleted)
    contains(deleted, "Completed updating config for topic events.", "--delete-config")

    def after_delete():
        rc, out = tool("kafka-configs", "--bootstrap-server", BOOTSTRAP, "--describe",
                       "--entity-type", "topics", "--entity-name", "events")
        check("cleanup.policy" not in out, "cleanup.policy still set:\n" + out)
        contains(out, "  retention.ms=1000 ", "kafka-configs --describe")
    until(after_delete, "topic configs after --delete-config")


def test_broker_configs():
    (rc1, one), (rc2, default) = parallel(
        call("kafka-configs", "--bootstrap-server", BOOTSTRAP, "--alter", "--entity-type",
             "brokers", "--entity-name", "1", "--add-config", "log.cleaner.threads=2"),
        call("kafka-configs", "--bootstrap-server", BOOTSTRAP, "--alter", "--entity-type",
             "brokers", "--entity-default", "--add-config", "log.retention.ms=99999"))
    check(rc1 == 0, "broker alter failed:\n" + one)
    contains(one, "Completed updating config for broker 1.", "broker --alter")
    check(rc2 == 0, "default alter failed:\n" + default)
    contains(default, "Completed updating default config for brokers in the cluster.",
             "--entity-default --alter")

    def described():
        (rc1, one), (rc2, default) = parallel(
            call("kafka-configs", "--bootstrap-server", BOOTSTRAP, "--describe",
                 "--entity-type", "brokers", "--entity-name", "1"),
            call("kafka-configs", "--bootstrap-server", BOOTSTRAP, "--describe",
                 "--entity-type", "brokers", "--entity-default"))
        check(rc1 == 0 and rc2 == 0, "describe failed:\n" + one + default)
        contains(one, "Dynamic configs for broker 1 are:\n  log.cleaner.threads=2 sensitive=false "
                 "synonyms={DYNAMIC_BROKER_CONFIG:log.cleaner.threads=2, "
                 "DEFAULT_CONFIG:log.cleaner.threads=1}", "broker --describe")
        contains(default, "Default configs for brokers in the cluster are:\n  "
                 "log.retention.ms=99999 sensitive=false "
                 "synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=99999}",
                 "--entity-default --describe")
    until(described, "broker configs after --alter")


def test_delete_records_and_log_dirs(tmp):
    rc, out = tool("kafka-topics", "--bootstrap-server", BOOTSTRAP, "--create", "--topic",
                   "plain", "--partitions", "1", "--replication-factor", "3")
    check(rc == 0, "create failed:\n" + out)
    rc, out = tool("kafka-console-producer", "--bootstrap-server", BOOTSTRAP, "--topic", "plain",
                   "--producer-property", "acks=all",
                   stdin="".join("record-%d\n" % i for i in range(10)))
    check(rc == 0, "produce failed:\n" + out)

    def offsets():
        rc, out = tool("kafka-get-offsets", "--bootstrap-server", BOOTSTRAP, "--topic", "plain")
        contains(out, "plain:0:10", "kafka-get-offsets")
    until(offsets, "high watermark")

    spec = os.path.join(tmp, "delete.json")
    with open(spec, "w") as f:
        json.dump({"partitions": [{"topic": "plain", "partition": 0, "offset": 3}], "version": 1}, f)
    rc, out = tool("kafka-delete-records", "--bootstrap-server", BOOTSTRAP,
                   "--offset-json-file", spec)
    check(rc == 0, "delete-records failed:\n" + out)
    contains(out, "Records delete operation completed:\npartition: plain-0\tlow_watermark: 3",
             "kafka-delete-records")

    with open(spec, "w") as f:
        json.dump({"partitions": [{"topic": "plain", "partition": 0, "offset": 11}], "version": 1},
                  f)
    all_spec = os.path.join(tmp, "delete_all.json")
    with open(all_spec, "w") as f:
        json.dump({"partitions": [{"topic": "plain", "partition": 0, "offset": -1}], "version": 1},
                  f)
    (rc_far, far), (rc_dirs, dirs) = parallel(
        call("kafka-delete-records", "--bootstrap-server", BOOTSTRAP, "--offset-json-file", spec),
        call("kafka-log-dirs", "--bootstrap-server", BOOTSTRAP, "--describe", "--topic-list",
             "plain"))
    contains(far, "partition: plain-0\terror: org.apache.kafka.common.errors."
             "OffsetOutOfRangeException", "delete-records beyond the high watermark")

    check(rc_dirs == 0, "log-dirs failed:\n" + dirs)
    contains(dirs, "Received log directory information from brokers 1,2,3", "kafka-log-dirs")
    doc = json.loads([l for l in dirs.splitlines() if l.startswith("{")][0])
    check(sorted(b["broker"] for b in doc["brokers"]) == [1, 2, 3], "brokers: %s" % dirs)
    for b in doc["brokers"]:
        check(len(b["logDirs"]) == 1, "one log dir per broker: %s" % b)
        d = b["logDirs"][0]
        check(d["error"] is None, "log dir error: %s" % d)
        check(d["logDir"].endswith("broker-%d/data" % b["broker"]), "log dir path: %s" % d)
        parts = [p for p in d["partitions"] if p["partition"] == "plain-0"]
        check(len(parts) == 1, "plain-0 on broker %d: %s" % (b["broker"], d))
        check(parts[0]["size"] > 0 and parts[0]["isFuture"] is False, "plain-0: %s" % parts[0])

    rc, out = tool("kafka-delete-records", "--bootstrap-server", BOOTSTRAP,
                   "--offset-json-file", all_spec)
    check(rc == 0, "delete-records -1 failed:\n" + out)
    contains(out, "partition: plain-0\tlow_watermark: 10", "kafka-delete-records -1")


def test_leader_election_and_reassignments():
    (rc_one, one), (rc_all, every), (rc_list, listed) = parallel(
        call("kafka-leader-election", "--bootstrap-server", BOOTSTRAP, "--election-type",
             "preferred", "--topic", "events", "--partition", "0"),
        call("kafka-leader-election", "--bootstrap-server", BOOTSTRAP, "--election-type",
             "preferred", "--all-topic-partitions"),
        call("kafka-reassign-partitions", "--bootstrap-server", BOOTSTRAP, "--list"))
    check(rc_one == 0, "leader-election failed:\n" + one)
    contains(one, "Valid replica already elected for partitions events-0", "leader-election")
    # Every leader is already the preferred one: Kafka prints nothing.
    check(rc_all == 0 and "Error" not in every, "leader-election --all failed:\n" + every)
    check(rc_list == 0, "reassign --list failed:\n" + listed)
    contains(listed, "No partition reassignments found.", "kafka-reassign-partitions --list")


# ---------------------------------------------------------------- driver


def cluster(cmd, env):
    p = subprocess.run([CLUSTER, cmd], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=1200)
    if p.returncode != 0:
        raise RuntimeError("deploy/cluster.sh %s failed:\n%s" % (cmd, p.stdout[-3000:]))
    return p.stdout


def main():
    keep = "--keep" in sys.argv[1:]
    tmp = tempfile.mkdtemp(prefix="gregor-admin-cli-")
    env = dict(os.environ, GREGOR_PORT_OFFSET=str(OFFSET), GREGOR_CLUSTER_DIR=os.path.join(tmp, "cluster"))
    tests = [("api_versions", test_api_versions),
             ("topics_describe", test_topics_describe),
             ("topic_configs", test_topic_configs),
             ("broker_configs", test_broker_configs),
             ("delete_records_and_log_dirs", lambda: test_delete_records_and_log_dirs(tmp)),
             ("leader_election_and_reassignments", test_leader_election_and_reassignments)]
    passed = failed = 0
    started = time.time()
    try:
        log("starting a Gregor cluster (offset %d) in %s" % (OFFSET, env["GREGOR_CLUSTER_DIR"]))
        cluster("up", env)
        log("cluster up after %.0f s; bootstrap %s" % (time.time() - started, BOOTSTRAP))
        for name, fn in tests:
            t0 = time.time()
            try:
                fn()
                passed += 1
                log("PASS %s (%.1f s)" % (name, time.time() - t0))
            except (TestFailure, subprocess.TimeoutExpired, ValueError, KeyError) as e:
                failed += 1
                log("FAIL %s: %s" % (name, e))
    except RuntimeError as e:
        failed += 1
        log("FAIL cluster: %s" % e)
    finally:
        if keep:
            log("--keep: cluster left running in %s" % env["GREGOR_CLUSTER_DIR"])
        else:
            try:
                cluster("down", env)
            except RuntimeError as e:
                log(str(e))
            shutil.rmtree(tmp, ignore_errors=True)
    log("took %.0f s" % (time.time() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
