"""The interop scenario's records, and the checker every client's run ends with.

Every client program produces the same records, defined here (and re-implemented
identically in the Java, Go, Node and shell programs — keep them in step):

  key(i)     = "key-<i % 37>"
  codec(i)   = codecs[i * len(codecs) // count] for i < count, "none" for the
               extra records produced later (i >= count)
  value(i)   = "seq=<i>;codec=<codec(i)>;pad=" + "x" * (i % 64)
  headers(i) = [("origin", "gregor-interop"), ("codec", codec(i))]
               when (i // hblock) % 3 == 0, else no headers

A program writes what it saw into its output directory, one JSON object a line:
  produced.jsonl  {"seq": i, "p": partition, "o": offset}  (delivery reports;
                  optional — clients/tools that do not report offsets skip it)
  consumed.jsonl  {"phase": "group"|"resume", "member": name, "p": partition,
                  "o": offset, "k": key, "v": value, "h": [[name, value], ...]}

`python3 spec.py check --dir DIR ...` then verifies (see check()).
"""

import argparse
import collections
import json
import os
import sys

ORIGIN = "gregor-interop"
KEYS = 37


def codec_of(i, count, codecs):
    if i >= count:
        return "none"
    return codecs[i * len(codecs) // count]


def key_of(i):
    return "key-%d" % (i % KEYS)


def value_of(i, count, codecs):
    return "seq=%d;codec=%s;pad=%s" % (i, codec_of(i, count, codecs), "x" * (i % 64))


def headers_of(i, count, codecs, hblock=1):
    if (i // hblock) % 3 == 0:
        return [("origin", ORIGIN), ("codec", codec_of(i, count, codecs))]
    return []


def seq_of(value):
    """The sequence number a value carries, or None when it is not ours."""
    if not isinstance(value, str) or not value.startswith("seq="):
        return None
    head = value[4:].split(";", 1)[0]
    return int(head) if head.isdigit() else None


def parse_codecs(text):
    codecs = [c for c in text.split(",") if c]
    for c in codecs:
        if c not in ("none", "gzip", "snappy", "lz4", "zstd"):
            raise ValueError("unknown codec %r" % c)
    return codecs


class CheckFailed(Exception):
    pass


def _load(path, required):
    if not os.path.exists(path):
        if required:
            raise CheckFailed("%s is missing: the client program wrote no records" % path)
        return []
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rows.append(json.loads(line))
            except ValueError as e:
                raise CheckFailed("%s:%d: not JSON (%s): %r" % (path, n, e, line[:200]))
    return rows


def check(out_dir, count, extra, codecs, partitions, hblock=1, members=2):
    """Verifies one client's dumps; returns a one-line summary or raises CheckFailed."""
    produced = _load(os.path.join(out_dir, "produced.jsonl"), required=False)
    consumed = _load(os.path.join(out_dir, "consumed.jsonl"), required=True)
    problems = []

    def fail(msg):
        problems.append(msg)
        if len(problems) >= 20:
            raise CheckFailed("; ".join(problems) + "; ... (stopped after 20 problems)")

    # 1. Every consumed record is exactly the record its sequence number names.
    by_offset = {}  # (p, o) -> seq, over both phases
    for r in consumed:
        seq = seq_of(r.get("v"))
        where = "p%s@%s (%s, member %s)" % (r.get("p"), r.get("o"), r.get("phase"), r.get("member"))
        if seq is None or seq >= count + extra:
            fail("%s: value %r is not a record of this run" % (where, r.get("v")))
            continue
        r["seq"] = seq
        want_k, want_v = key_of(seq), value_of(seq, count, codecs)
        want_h = [list(h) for h in headers_of(seq, count, codecs, hblock)]
        if r.get("k") != want_k:
            fail("%s seq %d: key %r, want %r" % (where, seq, r.get("k"), want_k))
        if r.get("v") != want_v:
            fail("%s seq %d: value %r, want %r" % (where, seq, r.get("v"), want_v))
        got_h = [list(h) for h in (r.get("h") or [])]
        if got_h != want_h:
            fail("%s seq %d: headers %r, want %r" % (where, seq, got_h, want_h))
        if not (0 <= r.get("p", -1) < partitions):
            fail("%s seq %d: partition out of range 0..%d" % (where, seq, partitions - 1))
        key = (r.get("p"), r.get("o"))
        if key in by_offset and by_offset[key] != seq:
            fail("%s: offset delivered twice with different records (seq %d and %d)"
                 % (where, by_offset[key], seq))
        by_offset[key] = seq
    if problems:
        raise CheckFailed("; ".join(problems))

    group = [r for r in consumed if r.get("phase") == "group"]
    resume = [r for r in consumed if r.get("phase") == "resume"]

    # 2. The group phase got every one of the first `count` records (at least once).
    got = collections.Counter(r["seq"] for r in group)
    missing = [i for i in range(count) if got[i] == 0]
    if missing:
        fail("group phase: %d of %d records never consumed (first: %s)"
             % (len(missing), count, missing[:10]))
    late = sorted(s for s in got if s >= count)
    if late:
        fail("group phase: got records produced only for the resume phase: %s" % late[:10])
    redelivered = sum(n - 1 for n in got.values() if n > 1)

    # 3. Records came from the group's members only. Whether each member got
    # records depends on timing (with group.initial.rebalance.delay.ms=0 the
    # first member can read everything before the second joins), so the split
    # of the partitions is checked by the programs on the group description
    # instead, and the per-member counts are reported here.
    by_member = collections.Counter(r.get("member") for r in group)
    if len(by_member) > members:
        fail("group phase: records came to %d members %s, want at most %d"
             % (len(by_member), dict(by_member), members))

    # 4. Order: in each member's stream of a partition, offsets and sequence
    # numbers strictly increase; and over the whole partition, offset order is
    # produce order (sequence numbers increase with offsets).
    streams = collections.defaultdict(list)
    for r in consumed:
        streams[(r.get("phase"), r.get("member"), r.get("p"))].append(r)
    for (phase, member, p), rows in sorted(streams.items(), key=lambda kv: str(kv[0])):
        for a, b in zip(rows, rows[1:]):
            if not (b["o"] > a["o"] and b["seq"] > a["seq"]):
                fail("%s phase, member %s, partition %s: offset %d (seq %d) came after offset %d (seq %d)"
                     % (phase, member, p, b["o"], b["seq"], a["o"], a["seq"]))
                break
    per_partition = collections.defaultdict(list)
    for (p, o), seq in by_offset.items():
        per_partition[p].append((o, seq))
    for p, rows in per_partition.items():
        rows.sort()
        for (o1, s1), (o2, s2) in zip(rows, rows[1:]):
            if s2 <= s1:
                fail("partition %s: offset %d holds seq %d but offset %d holds seq %d (produce order lost)"
                     % (p, o2, s2, o1, s1))
                break

    # 5. Keys: one partition per key, and the keys spread over every partition.
    key_partition = {}
    for r in consumed:
        prev = key_partition.setdefault(r["k"], r["p"])
        if prev != r["p"]:
            fail("key %s was in partition %s and in partition %s" % (r["k"], prev, r["p"]))
    used = set(key_partition.values())
    if len(used) != partitions:
        fail("keyed records landed in partitions %s, want all %d" % (sorted(used), partitions))

    # 6. Delivery reports (when the client gave them) match where records were read.
    if produced:
        seq_at = {}
        for r in produced:
            seq_at[r["seq"]] = (r["p"], r["o"])
        if len(seq_at) != count + extra:
            fail("produced.jsonl has %d delivery reports, want %d" % (len(seq_at), count + extra))
        read_at = {seq: po for po, seq in by_offset.items()}
        bad = [(s, seq_at[s], read_at.get(s)) for s in seq_at if read_at.get(s) not in (None, seq_at[s])]
        if bad:
            fail("%d records were read at another partition/offset than the producer was told "
                 "(seq, reported, read): %s" % (len(bad), bad[:5]))

    # 7. The restarted group resumed exactly at the committed offsets.
    rgot = collections.Counter(r["seq"] for r in resume)
    want = set(range(count, count + extra))
    old = sorted(s for s in rgot if s < count)
    if old:
        fail("resume phase: got %d records consumed and committed before the restart (seqs %s...): "
             "the group did not resume from its committed offsets" % (len(old), old[:10]))
    missing = sorted(want - set(rgot))
    if missing:
        fail("resume phase: %d of %d new records never consumed (seqs %s)" % (len(missing), extra, missing[:10]))
    dups = sorted(s for s, n in rgot.items() if n > 1)
    if dups:
        fail("resume phase: records consumed more than once: %s" % dups[:10])

    if problems:
        raise CheckFailed("; ".join(problems))
    note = ", %d redelivered during a rebalance" % redelivered if redelivered else ""
    split = ", ".join("%s %d" % (m, n) for m, n in sorted(by_member.items()))
    return ("%d records (codecs %s, %d partitions, %d with headers) consumed by the group (%s)%s; "
            "restarted group got exactly the %d new ones"
            % (count, "/".join(codecs), partitions,
               sum(1 for i in range(count) if headers_of(i, count, codecs, hblock)),
               split, note, extra))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check", help="verify a client's produced/consumed dumps")
    c.add_argument("--dir", required=True)
    c.add_argument("--name", default="client")
    c.add_argument("--count", type=int, default=10000)
    c.add_argument("--extra", type=int, default=30)
    c.add_argument("--codecs", default="none,gzip,snappy,lz4,zstd")
    c.add_argument("--partitions", type=int, default=3)
    c.add_argument("--hblock", type=int, default=1)
    c.add_argument("--members", type=int, default=2)
    g = sub.add_parser("gen", help="print records [from, to), one a line, for CLI producers")
    g.add_argument("--from", dest="start", type=int, required=True)
    g.add_argument("--to", dest="end", type=int, required=True)
    g.add_argument("--count", type=int, default=10000)
    g.add_argument("--codecs", default="none,gzip,snappy,lz4,zstd")
    g.add_argument("--hblock", type=int, default=1)
    g.add_argument("--format", choices=["kv", "hkv"], default="kv",
                   help="kv: key<TAB>value; hkv: name:value,name:value<TAB>key<TAB>value")
    r = sub.add_parser("runs", help="split [from, to) into runs of one codec and one header set: "
                                    "lines 'from to codec headers' (headers as name=value,... or -)")
    r.add_argument("--from", dest="start", type=int, required=True)
    r.add_argument("--to", dest="end", type=int, required=True)
    r.add_argument("--count", type=int, default=10000)
    r.add_argument("--codecs", default="none,gzip,snappy,lz4,zstd")
    r.add_argument("--hblock", type=int, default=1)
    args = ap.parse_args(argv)
    if args.cmd == "gen":
        codecs = parse_codecs(args.codecs)
        out = sys.stdout
        for i in range(args.start, args.end):
            kv = "%s\t%s" % (key_of(i), value_of(i, args.count, codecs))
            if args.format == "hkv":
                hs = ",".join("%s:%s" % h for h in headers_of(i, args.count, codecs, args.hblock))
                kv = "%s\t%s" % (hs, kv)
            out.write(kv + "\n")
        return 0
    if args.cmd == "runs":
        codecs = parse_codecs(args.codecs)

        def sig(i):
            return codec_of(i, args.count, codecs), headers_of(i, args.count, codecs, args.hblock)

        lo = args.start
        while lo < args.end:
            hi = lo + 1
            while hi < args.end and sig(hi) == sig(lo):
                hi += 1
            codec, hs = sig(lo)
            print(lo, hi, codec, ",".join("%s=%s" % h for h in hs) or "-")
            lo = hi
        return 0
    try:
        summary = check(args.dir, args.count, args.extra, parse_codecs(args.codecs),
                        args.partitions, args.hblock, args.members)
    except CheckFailed as e:
        print("FAIL %s: %s" % (args.name, e))
        return 1
    print("OK %s: %s" % (args.name, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
