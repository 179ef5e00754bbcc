"""Which Kafka APIs (and versions) each interop client sent to a Gregor cluster.

    gregor_api_usage.py snapshot HTTP_PORT... > FILE.json
    gregor_api_usage.py report DIR CLIENT...

Gregor's brokers count requests per API and version
(kafka_network_requests_by_version_total{request="<Api>",version="<n>"} on
each broker's /metrics). run.sh --gregor snapshots the sum over the
brokers before and after each client (DIR/<client>.before.json, .after.json;
clients run one after another, so the difference is the client's traffic,
plus the brokers' own: none of it goes through the Kafka listener).
`report` prints, per API, the clients that sent it (versions and how many
requests), then per client its APIs.
"""

import json
import re
import sys
import urllib.request

SAMPLE = re.compile(r'^kafka_network_requests_by_version_total\{request="([A-Za-z]+)",'
                    r'version="([0-9]+)"\}\s+([0-9.e+]+)\s*$')


def snapshot(ports):
    total = {}
    for port in ports:
        url = "http://127.0.0.1:%s/metrics" % port
        with urllib.request.urlopen(url, timeout=5) as r:
            text = r.read().decode("utf-8", "replace")
        for line in text.splitlines():
            m = SAMPLE.match(line)
            if m:
                key = "%s v%s" % (m.group(1), m.group(2))
                total[key] = total.get(key, 0) + int(float(m.group(3)))
    return total


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def report(directory, clients):
    per_client = {}
    for c in clients:
        before = load("%s/%s.before.json" % (directory, c))
        after = load("%s/%s.after.json" % (directory, c))
        if before is None or after is None:
            continue
        used = {api: n - before.get(api, 0) for api, n in after.items()}
        per_client[c] = {api: n for api, n in used.items() if n > 0}
    def api_of(key):
        return key.split(" ")[0]

    def version_of(key):
        return int(key.split(" v")[1])

    apis = sorted({api_of(k) for used in per_client.values() for k in used})
    out = ["API requests sent to Gregor, by client (from the brokers' request counters)", ""]
    out.append("| API | clients: versions (requests) |")
    out.append("|---|---|")
    for api in apis:
        users = []
        for c, used in per_client.items():
            keys = sorted((k for k in used if api_of(k) == api), key=version_of)
            if keys:
                users.append("%s %s" % (c, ", ".join("v%d (%d)" % (version_of(k), used[k])
                                                     for k in keys)))
        out.append("| %s | %s |" % (api, "; ".join(users)))
    out.append("")
    for c, used in per_client.items():
        out.append("%s: %s" % (c, ", ".join("%s (%d)" % (k, used[k]) for k in sorted(used))))
    print("\n".join(out))


def main(argv):
    if len(argv) >= 2 and argv[1] == "snapshot":
        json.dump(snapshot(argv[2:]), sys.stdout, sort_keys=True)
        print()
        return 0
    if len(argv) >= 3 and argv[1] == "report":
        report(argv[2], argv[3:])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
