"""Helpers for the shell-driven scenarios (kcat, Kafka's CLI tools).

Subcommands:
  kcat-json PHASE MEMBER        kcat -J lines on stdin -> consumed.jsonl rows on stdout
  console PHASE MEMBER          kafka-console-consumer lines (see CONSOLE_FORMAT) -> rows
  topic-describe TOPIC N        check `kafka-topics --describe`: N partitions, each with a leader
  kcat-metadata TOPIC N         check `kcat -L -J` output: brokers, N partitions with leaders
  group-offsets GROUP N         check `kafka-consumer-groups --describe`: N partitions,
                                current offset == log end offset (lag 0) everywhere
  group-members GROUP M N       check `kafka-consumer-groups --describe --members --verbose`:
                                M members sharing N partitions
  group-state GROUP STATE       check `kafka-consumer-groups --describe --state`
  lines-contain WORD            stdin has a line equal to WORD
Each check prints one line and exits 1 with a message on a mismatch.
"""

import json
import sys

# kafka-console-consumer is run with print.partition/offset/key/headers and
# headers.separator=",", so one record is one line:
#   Partition:<p>\tOffset:<offset>\t<headers>\t<key>\t<value>
# where headers are "k:v,k:v" or "NO_HEADERS".
CONSOLE_FORMAT = "Partition:<p>\\tOffset:<offset>\\t<headers>\\t<key>\\t<value>"


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def kcat_json(phase, member):
    for line in sys.stdin:
        line = line.strip()
        if not line.startswith("{"):
            continue
        m = json.loads(line)
        hs = m.get("headers") or []
        row = {"phase": phase, "member": member, "p": m["partition"], "o": m["offset"],
               "k": m.get("key"), "v": m.get("payload"),
               "h": [[hs[i], hs[i + 1]] for i in range(0, len(hs), 2)]}
        print(json.dumps(row))


def console(phase, member):
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.startswith("Partition:"):
            continue
        parts = line.split("\t")
        if len(parts) != 5:
            fail("console consumer line not in the format %s: %r" % (CONSOLE_FORMAT, line))
        p, o, hs, k, v = parts
        if not o.startswith("Offset:"):
            fail("console consumer line not in the format %s: %r" % (CONSOLE_FORMAT, line))
        o = o[len("Offset:"):]
        headers = []
        if hs != "NO_HEADERS":
            for h in hs.split(","):
                name, _, value = h.partition(":")
                headers.append([name, value])
        row = {"phase": phase, "member": member, "p": int(p[len("Partition:"):]), "o": int(o),
               "k": None if k == "null" else k, "v": None if v == "null" else v, "h": headers}
        print(json.dumps(row))


def kcat_metadata(topic, partitions):
    md = None
    for line in sys.stdin:
        if line.startswith("{"):
            md = json.loads(line)
    if md is None:
        fail("kcat -L -J printed no JSON")
    brokers = md.get("brokers") or []
    if not brokers:
        fail("kcat -L: no brokers in metadata")
    topics = {t["topic"]: t for t in md.get("topics") or []}
    t = topics.get(topic)
    if t is None:
        fail("kcat -L: topic %s not listed (topics: %s)" % (topic, sorted(topics)))
    if t.get("error"):
        fail("kcat -L: topic %s has error %s" % (topic, t["error"]))
    parts = sorted(p["partition"] for p in t["partitions"])
    if parts != list(range(partitions)):
        fail("kcat -L: topic %s has partitions %s, want 0..%d" % (topic, parts, partitions - 1))
    ids = {b["id"] for b in brokers}
    for p in t["partitions"]:
        if p.get("leader") not in ids:
            fail("kcat -L: partition %d leader %s is not a listed broker %s" % (p["partition"], p.get("leader"), ids))
    print("OK kcat -L: %d brokers, %s with %d partitions, leaders %s"
          % (len(brokers), topic, partitions, [p["leader"] for p in sorted(t["partitions"], key=lambda p: p["partition"])]))


def topic_describe(topic, partitions):
    """Checks `kafka-topics --describe --topic T`: the partition count and a leader each."""
    count, leaders = None, {}
    for line in sys.stdin:
        fields = {}
        for part in line.strip().split("\t"):
            name, _, value = part.partition(":")
            fields[name.strip()] = value.strip()
        if fields.get("Topic") != topic:
            continue
        if "PartitionCount" in fields:
            count = int(fields["PartitionCount"])
        if "Partition" in fields:
            leaders[int(fields["Partition"])] = fields.get("Leader")
    if count != partitions or sorted(leaders) != list(range(partitions)):
        fail("kafka-topics --describe %s: PartitionCount %s, partitions %s; want %d"
             % (topic, count, sorted(leaders), partitions))
    bad = {p: l for p, l in leaders.items() if l in (None, "", "none", "-1")}
    if bad:
        fail("kafka-topics --describe %s: partitions without a leader: %s" % (topic, bad))
    print("OK kafka-topics --describe: %s has %d partitions, leaders %s"
          % (topic, partitions, [leaders[p] for p in sorted(leaders)]))


def table(text, first_col="GROUP"):
    """Rows of the whitespace-separated tables kafka-consumer-groups prints, as dicts."""
    rows, header = [], None
    for line in text.splitlines():
        cols = line.split()
        if not cols:
            header = None
            continue
        if cols[0] == first_col:
            header = cols
            continue
        if header and len(cols) >= len(header) - 1:
            rows.append(dict(zip(header, cols)))
    return rows


def group_offsets(group, partitions):
    rows = [r for r in table(sys.stdin.read()) if r.get("GROUP") == group]
    got = sorted(int(r["PARTITION"]) for r in rows)
    if got != list(range(partitions)):
        fail("consumer-groups --describe %s: partitions %s, want 0..%d" % (group, got, partitions - 1))
    lagging = [r for r in rows if r["CURRENT-OFFSET"] != r["LOG-END-OFFSET"] or r["LAG"] != "0"]
    if lagging:
        fail("consumer-groups --describe %s: committed offsets behind the log end: %s"
             % (group, [(r["PARTITION"], r["CURRENT-OFFSET"], r["LOG-END-OFFSET"]) for r in lagging]))
    print("OK consumer-groups --describe: committed = log end %s"
          % {int(r["PARTITION"]): int(r["CURRENT-OFFSET"]) for r in rows})


def group_members(group, members, partitions):
    rows = [r for r in table(sys.stdin.read()) if r.get("GROUP") == group]
    if len(rows) != members:
        fail("consumer-groups --describe --members %s: %d members, want %d" % (group, len(rows), members))
    counts = [int(r["#PARTITIONS"]) for r in rows]
    if sum(counts) != partitions or 0 in counts:
        fail("consumer-groups --describe --members %s: partitions per member %s, want %d shared by all"
             % (group, counts, partitions))
    print("OK consumer-groups --describe --members: %d members, partitions %s"
          % (members, [(r["CLIENT-ID"], r.get("ASSIGNMENT", r.get("CURRENT-ASSIGNMENT", "?"))) for r in rows]))


def group_state(group, state):
    rows = [r for r in table(sys.stdin.read()) if r.get("GROUP") == group]
    if len(rows) != 1 or rows[0].get("STATE") != state:
        fail("consumer-groups --describe --state %s: %s, want state %s" % (group, rows, state))
    print("OK consumer-groups --describe --state: %s" % state)


def lines_contain(word):
    if word not in (line.strip() for line in sys.stdin):
        fail("%s not listed" % word)
    print("OK listed: %s" % word)


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    cmd, args = argv[0], argv[1:]
    if cmd == "kcat-json":
        kcat_json(*args)
    elif cmd == "console":
        console(*args)
    elif cmd == "kcat-metadata":
        kcat_metadata(args[0], int(args[1]))
    elif cmd == "topic-describe":
        topic_describe(args[0], int(args[1]))
    elif cmd == "group-offsets":
        group_offsets(args[0], int(args[1]))
    elif cmd == "group-members":
        group_members(args[0], int(args[1]), int(args[2]))
    elif cmd == "group-state":
        group_state(args[0], args[1])
    elif cmd == "lines-contain":
        lines_contain(args[0])
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
