#!/usr/bin/env python3
"""Turns tests/bench/run.sh's results.tsv into one Markdown table.

Input lines: SCENARIO <TAB> METRIC <TAB> SYSTEM <TAB> VALUE, and notes as
"#note <TAB> TEXT". Each row shows, per system, the median of its runs with
the spread (min-max, n runs), and the ratio Gregor/Kafka of the medians.
Failover (scenario g) shows p50 and p99 over all kills instead.

Usage: report.py results.tsv
"""
import statistics
import sys


def higher_is_better(metric):
    return "MB/s" in metric or "records/s" in metric


def fmt(v):
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(p * (len(s) - 1) + 0.5))]


def cell(values):
    if not values:
        return "—"
    m = statistics.median(values)
    if len(values) == 1:
        return fmt(m)
    return f"{fmt(m)} ({fmt(min(values))}–{fmt(max(values))}, n={len(values)})"


def ratio(metric, k, g):
    if not k or not g:
        return "—"
    km, gm = statistics.median(k), statistics.median(g)
    if km == 0 or gm == 0:
        return "—"
    r = gm / km
    better = "higher" if higher_is_better(metric) else "lower"
    return f"{r:.2f}× ({better} is better)"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: report.py results.tsv")
    notes, order, data = [], [], {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "#note":
                notes.append(parts[1])
                continue
            if len(parts) != 4:
                continue
            scenario, metric, system, value = parts
            try:
                v = float(value)
            except ValueError:
                continue
            key = (scenario, metric)
            if key not in data:
                data[key] = {"kafka": [], "gregor": []}
                order.append(key)
            data[key].setdefault(system, []).append(v)
    for n in notes:
        print(f"- {n}")
    print()
    print("| scenario | Kafka | Gregor | Gregor/Kafka |")
    print("|---|---|---|---|")
    for key in sorted(order, key=lambda k: (k[0], order.index(k))):
        scenario, metric = key
        k, g = data[key]["kafka"], data[key]["gregor"]
        if scenario == "g":
            for name, p in (("p50", 0.5), ("p99", 0.99)):
                kv = [percentile(k, p)] if k else []
                gv = [percentile(g, p)] if g else []
                label = metric.replace("(ms)", f"{name} ms (kills: Kafka {len(k)}, Gregor {len(g)})")
                print(f"| {label} | {cell(kv)} | {cell(gv)} | {ratio(metric, kv, gv)} |")
            continue
        print(f"| {metric} | {cell(k)} | {cell(g)} | {ratio(metric, k, g)} |")


if __name__ == "__main__":
    main()
