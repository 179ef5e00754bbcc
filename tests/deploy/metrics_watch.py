#!/usr/bin/env python3
"""Samples one gauge from several nodes' /metrics (Prometheus text format,
parsed with prometheus_client's parser) and checks how it moved.

  metrics_watch.py watch --metric NAME --out FILE URL...
      every --interval seconds until SIGTERM, appends one JSON line:
      {"t_ms", "total" (sum over the nodes that answered), "values": {url: v|null}}
  metrics_watch.py check --metric NAME --log FILE --result DEMO_RESULT.json URL...
      after deploy/failover-demo.sh: the gauge was above 0 at some sample between
      the kill and the rejoin, and it is back to 0 on every node (polls up to
      --settle-timeout seconds). Prints one line per check; exit 1 on a failure.
  metrics_watch.py get --metric NAME URL
      prints the gauge's value on one node (null when the node lacks it)
  metrics_watch.py names --role broker|controller URL...
      checks that the metric families issue 7 names exist on some node
      (Kafka's names), with the labels they are broken down by; controllers:
      exactly one reports itself the active controller
"""
import argparse
import json
import signal
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def fetch(url, timeout=2.0):
    with urllib.request.urlopen(url.rstrip("/") + "/metrics", timeout=timeout) as r:
        return r.read().decode("utf-8")


def gauge(text, name):
    """Sum of the family's samples named exactly `name`; None when absent."""
    total, found = 0.0, False
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            if s.name == name:
                total += s.value
                found = True
    return total if found else None


def sample(urls, name):
    values = {}
    for u in urls:
        try:
            values[u] = gauge(fetch(u), name)
        except Exception:  # a killed node: no answer
            values[u] = None
    known = [v for v in values.values() if v is not None]
    return {"t_ms": int(time.time() * 1000), "total": sum(known) if known else None, "values": values}


def watch(a):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(a.out, "a") as out:
        while not stop:
            out.write(json.dumps(sample(a.urls, a.metric)) + "\n")
            out.flush()
            time.sleep(a.interval)


def check(a):
    failed = 0

    def report(name, ok, detail):
        nonlocal failed
        failed += 0 if ok else 1
        print(f"{'ok  ' if ok else 'FAIL'} {name} ({detail})")

    result = json.load(open(a.result))
    kill_ms, rejoin_ms = result.get("kill_time_ms"), result.get("rejoin_time_ms")
    rows = [json.loads(line) for line in open(a.log) if line.strip()]
    if not rows or kill_ms is None:
        report(f"{a.metric} sampled during the failover", False, f"{len(rows)} samples, kill time {kill_ms}")
        return 1
    during = [r for r in rows if r["t_ms"] >= kill_ms and (rejoin_ms is None or r["t_ms"] <= rejoin_ms)]
    peak = max((r["total"] or 0 for r in during), default=0)
    missing = all(v is None for r in rows for v in r["values"].values())
    report(f"{a.metric} rose after the kill", peak > 0 and not missing,
           f"peak {peak} over {len(during)} samples" + ("; no node exports it" if missing else ""))
    deadline = time.time() + a.settle_timeout
    while True:
        s = sample(a.urls, a.metric)
        settled = all(v == 0 for v in s["values"].values())
        if settled or time.time() >= deadline:
            break
        time.sleep(1)
    report(f"{a.metric} back to 0 on every node after the restart", settled, json.dumps(s["values"]))
    return 1 if failed else 0


# Family names as prometheus_client reports them (counters lose "_total"),
# with the labels their samples must carry.
REQUIRED = {
    "broker": {
        "kafka_server_under_replicated_partitions": set(),
        "kafka_server_under_min_isr_partitions": set(),
        "kafka_server_isr_shrinks": set(),
        "kafka_server_isr_expands": set(),
        "kafka_server_leader_elections": set(),
        "kafka_server_leader_count": set(),
        "kafka_network_requests": {"request"},
        "kafka_network_request_latency_ms": {"request"},
        "kafka_server_brokertopicmetrics_bytes_in": {"topic"},
        "kafka_server_brokertopicmetrics_bytes_out": {"topic"},
        "kafka_server_brokertopicmetrics_messages_in": {"topic"},
        "kafka_server_produce_purgatory_size": set(),
        "kafka_server_fetch_purgatory_size": set(),
        "kafka_log_size_bytes": {"topic", "partition"},
        "kafka_consumergroup_lag": {"group", "topic", "partition"},
    },
    "controller": {
        "kafka_controller_active_controller_count": set(),
        "kafka_controller_offline_partitions_count": set(),
        "kafka_controller_global_partition_count": set(),
        "kafka_controller_fenced_broker_count": set(),
    },
}


def names(a):
    """Every family present on at least one of the nodes (with a sample
    carrying its labels, when labelled: a group's lag is reported by its
    coordinator only)."""
    present, active = set(), 0.0
    for url in a.urls:
        fams = {f.name: f for f in text_string_to_metric_families(fetch(url))}
        for name, labels in REQUIRED[a.role].items():
            fam = fams.get(name)
            if fam is not None and (not labels or any(labels <= set(s.labels) for s in fam.samples)):
                present.add(name)
        if "kafka_controller_active_controller_count" in fams:
            active += sum(s.value for s in fams["kafka_controller_active_controller_count"].samples)
    missing = [n for n in REQUIRED[a.role] if n not in present]
    for name in missing:
        labels = REQUIRED[a.role][name]
        print(f"missing {name}" + (f" with labels {sorted(labels)}" if labels else ""))
    if a.role == "controller" and active != 1:
        print(f"kafka_controller_active_controller_count sums to {active} over the controllers, not 1")
        return 1
    print(f"{len(present)} of {len(REQUIRED[a.role])} families present ({a.role}s)"
          + (f"; missing {', '.join(missing)}" if missing else ""))
    return 1 if missing else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("watch")
    w.add_argument("--metric", required=True)
    w.add_argument("--out", required=True)
    w.add_argument("--interval", type=float, default=0.5)
    w.add_argument("urls", nargs="+")
    c = sub.add_parser("check")
    c.add_argument("--metric", required=True)
    c.add_argument("--log", required=True)
    c.add_argument("--result", required=True)
    c.add_argument("--settle-timeout", type=float, default=120)
    c.add_argument("urls", nargs="+")
    g = sub.add_parser("get")
    g.add_argument("--metric", required=True)
    g.add_argument("url")
    n = sub.add_parser("names")
    n.add_argument("--role", choices=sorted(REQUIRED), required=True)
    n.add_argument("urls", nargs="+")
    a = ap.parse_args()
    if a.cmd == "names":
        sys.exit(names(a))
    if a.cmd == "watch":
        watch(a)
    elif a.cmd == "check":
        sys.exit(check(a))
    else:
        print(json.dumps(gauge(fetch(a.url), a.metric)))


if __name__ == "__main__":
    main()
