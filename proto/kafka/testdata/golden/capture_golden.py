#!/usr/bin/env python3
"""Captures real client requests as golden bytes for proto/kafka's golden test.

A minimal fake Kafka broker listens on 127.0.0.1, answers just enough for a
client to bootstrap and produce (ApiVersions, Metadata, Produce, in whatever
version the client picks), and stores the first request frame of each API
that each client sends, byte for byte as it came off the socket (the 4-byte
size prefix included), as <client>_<api>.bin next to this script.

Clients:
  kcat          kcat 1.7.1 / librdkafka 2.0.2 (Debian package `kcat`):
                `kcat -L`, then `kcat -P -z zstd` of three records.
  kafka_python  kafka-python (newest 3.x from PyPI): a KafkaProducer with
                gzip compression producing three records.

Usage: capture_golden.sh (sets up kafka-python in a venv), or
       python3 capture_golden.py --out DIR   with kafka-python importable.
Re-running overwrites the .bin files; commit them with the test update.
"""

import argparse
import os
import socket
import socketserver
import struct
import subprocess
import sys
import threading

TOPIC = "golden"
RECORDS = [b"golden-record-1", b"golden-record-2", b"golden-record-3"]

# The APIs the fake broker answers (with the codec's ranges for them)...
SUPPORTED = {18: (0, 4), 3: (0, 12), 0: (0, 11)}
# ...and what it advertises besides: clients derive features from these
# (librdkafka only writes RecordBatch v2 when Fetch v4+ is there too, and
# only zstd with Fetch v10+); such requests are never sent in a capture run.
ADVERTISED_ONLY = {1: (0, 17), 2: (0, 10), 8: (0, 9), 9: (0, 9), 10: (0, 6), 11: (0, 9),
                   12: (0, 4), 13: (0, 5), 14: (0, 5)}
FIRST_FLEXIBLE = {18: 3, 3: 9, 0: 9}
API_NAMES = {18: "api_versions", 3: "metadata", 0: "produce"}


# ---- Encoding helpers (just enough of the Kafka wire format) -------------------

def i8(v):
    return struct.pack(">b", v)


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def uvarint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def string(s, flexible):
    if s is None:
        return uvarint(0) if flexible else i16(-1)
    b = s.encode()
    return (uvarint(len(b) + 1) if flexible else i16(len(b))) + b


def array(items, flexible):
    head = uvarint(len(items) + 1) if flexible else i32(len(items))
    return head + b"".join(items)


def tags(flexible):
    return uvarint(0) if flexible else b""


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        b = self.data[self.pos:self.pos + n]
        if len(b) != n:
            raise ValueError("truncated request")
        self.pos += n
        return b

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def uvarint(self):
        v, shift = 0, 0
        while True:
            b = self.take(1)[0]
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
            shift += 7

    def length(self, flexible, int16):
        if flexible:
            return self.uvarint() - 1
        return self.i16() if int16 else self.i32()

    def string(self, flexible):
        n = self.length(flexible, True)
        return None if n < 0 else self.take(n).decode()

    def bytes_(self, flexible):
        n = self.length(flexible, False)
        return None if n < 0 else self.take(n)

    def skip_tags(self, flexible):
        if not flexible:
            return
        for _ in range(self.uvarint()):
            self.uvarint()
            self.take(self.uvarint())


# ---- Responses ---------------------------------------------------------------------

def api_versions_response(version):
    if version > SUPPORTED[18][1]:
        # Like Kafka: UNSUPPORTED_VERSION in a v0 body with our own range.
        return i16(35) + array([i16(18) + i16(0) + i16(4)], False)
    flex = version >= 3
    advertised = sorted({**SUPPORTED, **ADVERTISED_ONLY}.items())
    keys = [i16(k) + i16(lo) + i16(hi) + tags(flex) for k, (lo, hi) in advertised]
    body = i16(0) + array(keys, flex)
    if version >= 1:
        body += i32(0)
    return body + tags(flex)


def metadata_response(version, topics, port):
    flex = version >= 9
    body = i32(0) if version >= 3 else b""
    broker = i32(0) + string("127.0.0.1", flex) + i32(port)
    if version >= 1:
        broker += string(None, flex)
    body += array([broker + tags(flex)], flex)
    if version >= 2:
        body += string("gregor-golden", flex)
    if version >= 1:
        body += i32(0)
    out = []
    for name in topics:
        t = i16(0) + string(name, flex)
        if version >= 10:
            t += bytes(range(1, 17))  # topic id
        if version >= 1:
            t += i8(0)
        p = i16(0) + i32(0) + i32(0)
        if version >= 7:
            p += i32(0)
        p += array([i32(0)], flex) + array([i32(0)], flex)
        if version >= 5:
            p += array([], flex)
        t += array([p + tags(flex)], flex)
        if version >= 8:
            t += i32(-2147483648)
        out.append(t + tags(flex))
    body += array(out, flex)
    if 8 <= version <= 10:
        body += i32(-2147483648)
    return body + tags(flex)


def parse_metadata_topics(r, version):
    flex = version >= 9
    n = r.uvarint() - 1 if flex else r.i32()
    if n < 0 or (n == 0 and version == 0):
        return [TOPIC]
    names = []
    for _ in range(n):
        if version >= 10:
            r.take(16)
        names.append(r.string(flex) or TOPIC)
        r.skip_tags(flex)
    return names


def produce_response(version, r):
    """Returns None for acks=0 (no response)."""
    flex = version >= 9
    if version >= 3:
        r.string(flex)
    acks = r.i16()
    r.i32()
    topics = []
    for _ in range(r.uvarint() - 1 if flex else r.i32()):
        name = r.string(flex)
        parts = []
        for _ in range(r.uvarint() - 1 if flex else r.i32()):
            index = r.i32()
            r.bytes_(flex)
            r.skip_tags(flex)
            p = i32(index) + i16(0) + i64(0)
            if version >= 2:
                p += i64(-1)
            if version >= 5:
                p += i64(0)
            if version >= 8:
                p += array([], flex) + string(None, flex)
            parts.append(p + tags(flex))
        r.skip_tags(flex)
        topics.append(string(name, flex) + array(parts, flex) + tags(flex))
    if acks == 0:
        return None
    body = array(topics, flex)
    if version >= 1:
        body += i32(0)
    return body + tags(flex)


# ---- The fake broker ----------------------------------------------------------------

class State:
    label = "unset"
    out_dir = "."
    port = 0
    saved = []
    lock = threading.Lock()


def save(api_key, frame):
    name = f"{State.label}_{API_NAMES[api_key]}.bin"
    path = os.path.join(State.out_dir, name)
    with State.lock:
        if name in State.saved:
            return
        State.saved.append(name)
    with open(path, "wb") as fh:
        fh.write(frame)


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        while True:
            head = recv_exact(sock, 4)
            if head is None:
                return
            size = struct.unpack(">i", head)[0]
            payload = recv_exact(sock, size)
            if payload is None:
                return
            r = Reader(payload)
            key, version, corr = r.i16(), r.i16(), r.i32()
            if key not in SUPPORTED:
                print(f"[{State.label}] unexpected api {key} v{version}; closing", file=sys.stderr)
                return
            flex = version >= FIRST_FLEXIBLE[key]
            r.string(False)  # client id
            r.skip_tags(flex)
            save(key, head + payload)
            if key == 18:
                body = api_versions_response(version)
                header = i32(corr)
            elif key == 3:
                body = metadata_response(version, parse_metadata_topics(r, version), State.port)
                header = i32(corr) + tags(flex)
            else:
                body = produce_response(version, r)
                header = i32(corr) + tags(flex)
            if body is None:
                continue
            frame = header + body
            sock.sendall(i32(len(frame)) + frame)


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


# ---- Clients ------------------------------------------------------------------------

def run_kcat(port):
    State.label = "kcat"
    broker = f"127.0.0.1:{port}"
    subprocess.run(["kcat", "-b", broker, "-L", "-t", TOPIC], check=True, timeout=60,
                   stdout=subprocess.DEVNULL)
    subprocess.run(["kcat", "-b", broker, "-P", "-t", TOPIC, "-p", "0", "-z", "zstd",
                    "-X", "linger.ms=100"],
                   input=b"\n".join(RECORDS) + b"\n", check=True, timeout=60)


def run_kafka_python(port):
    State.label = "kafka_python"
    from kafka import KafkaProducer  # noqa: import here so kcat capture works without it
    import kafka
    print(f"kafka-python {kafka.__version__}", file=sys.stderr)
    producer = KafkaProducer(bootstrap_servers=f"127.0.0.1:{port}", compression_type="gzip",
                             enable_idempotence=False, acks=1, linger_ms=100,
                             client_id="kafka-python-golden")
    for value in RECORDS:
        producer.send(TOPIC, value=value, partition=0)
    producer.flush(timeout=30)
    producer.close(timeout=10)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    p.add_argument("--clients", default="kcat,kafka_python")
    args = p.parse_args()
    State.out_dir = args.out
    server = Server(("127.0.0.1", 0), Handler)
    State.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for client in args.clients.split(","):
        {"kcat": run_kcat, "kafka_python": run_kafka_python}[client](State.port)
    server.shutdown()
    for name in sorted(State.saved):
        print(f"captured {name} ({os.path.getsize(os.path.join(args.out, name))} bytes)")
    expected = {f"{c}_{a}.bin" for c in args.clients.split(",") for a in API_NAMES.values()}
    missing = expected - set(State.saved)
    if missing:
        print(f"missing captures: {sorted(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
