"""Summarises Kafka's request logs: which API versions each interop client used.

    protocol_versions.py --windows windows.tsv node1/requests.log node2/requests.log ...

Request logs come from `tests/kafka/kafka.sh start --request-log` (Kafka's
kafka.request.logger at DEBUG): one line per request,
"[yyyy-mm-dd hh:mm:ss,mmm] Completed request:{json}". windows.tsv (written by
run.sh) has lines "client<TAB>start_epoch<TAB>end_epoch"; clients run one after
another, so a request belongs to the client whose window holds its arrival
time (log time minus totalTimeMs).
Requests on the CONTROLLER listener and from clients not named like the
suite's (see OURS) are left out. Prints one table per client and a union table. Where one client's
window holds several client softwares (kcat and the Java CLI tools the kcat
scenario uses for the topic and the group), each version lists the software
names (from ApiVersions v3+; "unknown" before that or for older clients).
"""

import argparse
import collections
import datetime
import json
import re
import sys
import time

# The suite's clients all name themselves interop-*, except the tutorial
# examples, which run with kafka-python's default ids (kafka-python-producer-1,
# kafka-python-<version>). Anything else (brokers' replica fetchers, other
# programs on the machine talking to the same ports) is left out.
OURS = re.compile(r"^(interop-|kafka-python-)")
LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})\] Completed request:(\{.*\})\s*$")


def parse_time(stamp, millis):
    t = datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
    return time.mktime(t.timetuple()) + int(millis) / 1000.0


def load_windows(path):
    windows = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                windows.append((parts[0], float(parts[1]), float(parts[2])))
    return windows


def client_at(windows, t):
    for name, start, end in windows:
        # Log times have millisecond resolution; allow a little slack.
        if start - 0.05 <= t <= end + 0.05:
            return name
    return None


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--windows", required=True)
    ap.add_argument("logs", nargs="+")
    args = ap.parse_args(argv)
    windows = load_windows(args.windows)

    # client -> (api name, key) -> Counter(version)
    apis = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
    first_use = collections.defaultdict(dict)  # client -> (api) -> first time seen
    client_ids = collections.defaultdict(set)
    software = collections.defaultdict(set)
    errors = collections.defaultdict(collections.Counter)  # client -> (api, code) -> n
    unattributed = 0
    foreign = collections.Counter()
    for path in args.logs:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = LINE.match(line)
                if not m:
                    continue
                d = json.loads(m.group(3))
                if d.get("listener") == "CONTROLLER":
                    continue
                h = d["requestHeader"]
                cid = h.get("clientId") or ""
                if not OURS.match(cid):
                    if not cid.startswith("broker-"):
                        foreign[cid] += 1
                    continue
                # The log line is written when the response is sent; a long poll
                # (Fetch maxWaitMs) can end after its client exited, so use the
                # time the request arrived.
                t = parse_time(m.group(1), m.group(2)) - float(d.get("totalTimeMs") or 0) / 1000.0
                client = client_at(windows, t)
                if client is None:
                    unattributed += 1
                    continue
                api = (h["requestApiKeyName"], h["requestApiKey"])
                ci = d.get("clientInformation") or {}
                sw = "%s/%s" % (ci.get("softwareName"), ci.get("softwareVersion"))
                apis[client][api][(h["requestApiVersion"], sw)] += 1
                first_use[client].setdefault(api, t)
                first_use[client][api] = min(first_use[client][api], t)
                client_ids[client].add(cid)
                software[client].add(sw)
                resp = d.get("response") or {}
                if isinstance(resp, dict) and resp.get("errorCode"):
                    errors[client][(api[0], resp["errorCode"])] += 1

    out = sys.stdout
    union = collections.defaultdict(lambda: collections.defaultdict(set))
    for client, _, _ in windows:
        if client not in apis:
            continue
        out.write("## %s\n\n" % client)
        out.write("clientIds: %s\n" % ", ".join(sorted(client_ids[client])))
        out.write("software (from ApiVersions v3+): %s\n\n" % ", ".join(sorted(software[client])))
        out.write("| API (key) | versions (requests) [software, when several] |\n|---|---|\n")
        several = len(software[client] - {"unknown/unknown"}) > 1
        for api in sorted(apis[client], key=lambda a: first_use[client][a]):
            by_version = collections.defaultdict(collections.Counter)
            for (v, sw), n in apis[client][api].items():
                by_version[v][sw] += n
            cells = []
            for v in sorted(by_version):
                cell = "v%d (%d)" % (v, sum(by_version[v].values()))
                if several:
                    cell += " [%s]" % ", ".join(sorted(by_version[v]))
                cells.append(cell)
                union[api][v].add(client)
            out.write("| %s (%d) | %s |\n" % (api[0], api[1], ", ".join(cells)))
        if errors[client]:
            out.write("\ntop-level error codes in responses: %s\n" % ", ".join(
                "%s=%d x%d" % (a, c, n) for (a, c), n in sorted(errors[client].items())))
        out.write("\n")
    out.write("## union\n\n| API (key) | min | max | versions (by whom) |\n|---|---|---|---|\n")
    for api in sorted(union, key=lambda a: a[1]):
        vs = union[api]
        out.write("| %s (%d) | v%d | v%d | %s |\n" % (api[0], api[1], min(vs), max(vs), "; ".join(
            "v%d: %s" % (v, ", ".join(sorted(vs[v]))) for v in sorted(vs))))
    if foreign:
        out.write("\n(left out: %d requests from other clients: %s)\n" % (
            sum(foreign.values()), ", ".join("%s x%d" % kv for kv in foreign.most_common(10))))
    if unattributed:
        out.write("\n(%d client requests fell outside every client's window: setup or teardown)\n" % unattributed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
