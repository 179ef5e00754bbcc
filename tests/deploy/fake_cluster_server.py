#!/usr/bin/env python3
"""A stand-in node for developing the cluster view page: serves /ui (the same
page the binaries embed, built by common/ui/embed_page.py) and /api/cluster
from a simulated cluster (3 controllers, 3 brokers, topic "orders" with 3
partitions at RF=3, one consumer group) that can fail over.

Not a broker: it speaks no Kafka and stores nothing. It exists so the page
and its browser test (ui_test.mjs) can be developed without a cluster.

  fake_cluster_server.py [--port 8080] [--script]

Control endpoints (GET, answer JSON):
  /fake/kill?broker=N      broker N dies: fenced, out of every ISR, its
                           partitions move to the next in-sync replica
  /fake/restart?broker=N   broker N comes back: unfenced at once, back in the
                           ISRs after --catch-up-seconds
  /fake/kill_controller    the Raft leader among the controllers dies; the
                           next one wins an election with a higher term
--script loops a failover of the leader of orders-0 every 30 s (kill at
+5 s, restart at +15 s) for watching the page by hand.
"""
import argparse
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "common", "ui"))
import embed_page  # noqa: E402


def now_ms():
    return int(time.time() * 1000)


class Cluster:
    """The simulated cluster. All methods hold the lock."""

    def __init__(self, catch_up_seconds):
        self.lock = threading.Lock()
        self.catch_up = catch_up_seconds
        self.term = 3
        self.controller_leader = 1
        self.controllers_down = set()
        self.brokers_down = set()
        self.rejoin_at = {}  # broker -> time it re-enters the ISRs
        self.epoch = {b: 10 + b for b in (1, 2, 3)}
        self.partitions = []
        for p in range(3):
            replicas = [(p + i) % 3 + 1 for i in range(3)]
            self.partitions.append({"partition": p, "leader": replicas[0], "leader_epoch": 0,
                                    "replicas": replicas, "isr": list(replicas), "leo": 1000 * (p + 1)})
        self.committed = {p["partition"]: p["leo"] - 40 for p in self.partitions}
        self.events = []
        self.started = time.time()

    def _event(self, kind, detail, **fields):
        e = {"time_ms": now_ms(), "kind": kind, "topic": "", "partition": None, "node": None,
             "previous_leader": None, "leader": None, "previous_isr": [], "isr": [], "term": None,
             "detail": detail}
        e.update(fields)
        self.events.append(e)
        del self.events[:-200]

    def _set_isr(self, p, isr):
        old = p["isr"]
        name = f"orders-{p['partition']}"
        out = [b for b in old if b not in isr]
        new = [b for b in isr if b not in old]
        p["isr"] = isr
        join = lambda ids: ",".join(map(str, ids)) or "none"  # noqa: E731
        if out:
            self._event("isr_shrink", f"{name}: ISR shrank {join(old)} -> {join(isr)} (out: {join(out)})",
                        topic="orders", partition=p["partition"], previous_isr=old, isr=isr)
        if new:
            self._event("isr_expand", f"{name}: ISR expanded {join(old)} -> {join(isr)} (in: {join(new)})",
                        topic="orders", partition=p["partition"], previous_isr=old, isr=isr)

    def kill_broker(self, b):
        with self.lock:
            if b in self.brokers_down or b not in self.epoch:
                return False
            self.brokers_down.add(b)
            self.rejoin_at.pop(b, None)
            self._event("broker_fenced", f"broker {b} fenced", node=b)
            for p in self.partitions:
                if p["leader"] == b:
                    candidates = [r for r in p["isr"] if r != b and r not in self.brokers_down]
                    new = candidates[0] if candidates else -1
                    p["leader_epoch"] += 1
                    p["leader"] = new
                    detail = (f"orders-{p['partition']}: leader {b} -> {new} (leader epoch {p['leader_epoch']})"
                              if new >= 0 else f"orders-{p['partition']}: leader {b} lost, partition offline")
                    self._event("leader_election", detail, topic="orders", partition=p["partition"],
                                previous_leader=b, leader=new)
                if b in p["isr"] and len(p["isr"]) > 1:
                    self._set_isr(p, [r for r in p["isr"] if r != b])
            return True

    def restart_broker(self, b):
        with self.lock:
            if b not in self.brokers_down:
                return False
            self.brokers_down.discard(b)
            self.epoch[b] += 100
            self._event("broker_unfenced", f"broker {b} unfenced", node=b)
            self.rejoin_at[b] = time.time() + self.catch_up
            return True

    def kill_controller(self):
        with self.lock:
            old = self.controller_leader
            self.controllers_down = {old}
            self.term += 1
            self.controller_leader = old % 3 + 1
            self._event("controller_leader", f"controller {self.controller_leader} became the Raft leader "
                        f"(term {self.term})", node=self.controller_leader, previous_leader=old,
                        leader=self.controller_leader, term=self.term)
            return True

    def _tick(self):
        t = time.time()
        for b, at in list(self.rejoin_at.items()):
            if t >= at:
                del self.rejoin_at[b]
                for p in self.partitions:
                    if b in p["replicas"] and b not in p["isr"]:
                        self._set_isr(p, p["isr"] + [b])
                    if p["leader"] == -1:
                        p["leader"], p["leader_epoch"] = b, p["leader_epoch"] + 1
        # Records keep arriving; the consumer group follows a little behind.
        grow = int((t - self.started) * 50)
        for p in self.partitions:
            if p["leader"] >= 0:
                p["leo"] = max(p["leo"], 1000 * (p["partition"] + 1) + grow)
            self.committed[p["partition"]] = max(self.committed[p["partition"]], p["leo"] - 40)

    def view(self, port):
        with self.lock:
            self._tick()
            last_index = 500 + int(time.time() - self.started) * 3
            controllers = []
            for c in (1, 2, 3):
                down = c in self.controllers_down
                controllers.append({
                    "id": c, "address": f"controller{c}:9093",
                    "role": "unknown" if down else ("leader" if c == self.controller_leader else "follower"),
                    "is_leader": c == self.controller_leader, "term": None if down else self.term,
                    "commit_index": None if down else last_index - 1,
                    "last_index": None if down else last_index - (0 if c == self.controller_leader else 1),
                    "lag": None if down else (0 if c == self.controller_leader else 1),
                    "last_contact_ms": None if down or c == self.controller_leader else 40})
            brokers = [{"id": b, "address": f"localhost:{19091 + b}", "http_address": f"broker{b}:8080",
                        "rack": "", "epoch": self.epoch[b], "alive": b not in self.brokers_down,
                        "fenced": b in self.brokers_down, "in_controlled_shutdown": False}
                       for b in (1, 2, 3)]
            parts = []
            for p in self.partitions:
                lead = p["leader"]
                parts.append({"partition": p["partition"], "leader": lead, "leader_epoch": p["leader_epoch"],
                              "replicas": p["replicas"], "isr": p["isr"],
                              "high_watermark": p["leo"] - (5 if len(p["isr"]) > 1 else 0) if lead >= 0 else None,
                              "log_end_offset": p["leo"] if lead >= 0 else None,
                              "under_replicated": len(p["isr"]) < len(p["replicas"]), "offline": lead < 0})
            offsets = [{"topic": "orders", "partition": p["partition"], "committed_offset": self.committed[p["partition"]],
                        "log_end_offset": p["leo"], "lag": p["leo"] - self.committed[p["partition"]]}
                       for p in self.partitions]
            alive = [b for b in (1, 2, 3) if b not in self.brokers_down]
            group = {"group_id": "orders-readers", "state": "Stable", "protocol_type": "consumer",
                     "protocol": "range", "generation": 4, "coordinator": alive[0] if alive else -1,
                     "members": [{"member_id": "reader-1-4f2a", "group_instance_id": "", "client_id": "reader-1",
                                  "client_host": "/172.18.0.1", "assigned_partitions": 3}],
                     "offsets": offsets, "total_lag": sum(o["lag"] for o in offsets)}
            return {
                "generated_ms": now_ms(), "cluster_id": "fake-cluster", "served_by": port,
                "served_by_role": "fake", "controller_leader": self.controller_leader,
                "summary": {"controllers": 3, "brokers": 3, "brokers_alive": len(alive), "topics": 1,
                            "partitions": len(parts),
                            "under_replicated_partitions": sum(p["under_replicated"] for p in parts),
                            "offline_partitions": sum(p["offline"] for p in parts), "groups": 1},
                "controllers": controllers, "brokers": brokers,
                "topics": [{"name": "orders", "id": "", "partitions": parts}],
                "groups": [group], "events": list(self.events), "truncated": False}

    def leader_of(self, partition):
        with self.lock:
            return self.partitions[partition]["leader"]


def make_handler(cluster, page_dir, port):
    class Handler(BaseHTTPRequestHandler):
        def _send(self, code, body, ctype):
            data = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802
            url = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(url.query)
            if url.path in ("/ui", "/ui/"):
                # Rebuilt on every request so edits to common/ui/page show on reload.
                self._send(200, embed_page.page_from_dir(page_dir), "text/html; charset=utf-8")
            elif url.path == "/api/cluster":
                self._send(200, json.dumps(cluster.view(port)), "application/json")
            elif url.path == "/status":
                self._send(200, json.dumps({"ready": True, "role": "fake"}), "application/json")
            elif url.path in ("/fake/kill", "/fake/restart"):
                try:
                    b = int(q.get("broker", [""])[0])
                except ValueError:
                    self._send(400, json.dumps({"error": "broker=N required"}), "application/json")
                    return
                fn = cluster.kill_broker if url.path == "/fake/kill" else cluster.restart_broker
                self._send(200, json.dumps({"changed": fn(b)}), "application/json")
            elif url.path == "/fake/kill_controller":
                self._send(200, json.dumps({"changed": cluster.kill_controller()}), "application/json")
            else:
                self._send(404, json.dumps({"error": "not found"}), "application/json")

        def log_message(self, fmt, *args):
            pass

    return Handler


def script(cluster, stop):
    while not stop.is_set():
        if stop.wait(5):
            return
        victim = cluster.leader_of(0)
        cluster.kill_broker(victim)
        if stop.wait(10):
            return
        cluster.restart_broker(victim)
        stop.wait(15)


def main():
    ap = argparse.ArgumentParser(description="Fake cluster for the cluster view page.")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--catch-up-seconds", type=float, default=2.0)
    ap.add_argument("--script", action="store_true", help="fail over by itself every 30 s")
    a = ap.parse_args()
    cluster = Cluster(a.catch_up_seconds)
    server = ThreadingHTTPServer((a.host, a.port), None)
    server.RequestHandlerClass = make_handler(cluster, os.path.join(ROOT, "common", "ui", "page"),
                                              server.server_address[1])
    stop = threading.Event()
    if a.script:
        threading.Thread(target=script, args=(cluster, stop), daemon=True).start()
    print(f"fake cluster on http://{a.host}:{server.server_address[1]}/ui", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()


if __name__ == "__main__":
    main()
