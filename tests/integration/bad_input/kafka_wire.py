"""Just enough of the Kafka wire protocol, by hand, to send well-formed and
hostile requests from tests: request framing, a few non-flexible request
versions, RecordBatch v2 with CRC-32C, and response parsing helpers.
Standard library only."""

import socket
import struct
import time

# ---- CRC-32C (Castagnoli), table-driven ---------------------------------------------------

_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = (c >> 8) ^ _CRC_TABLE[(c ^ b) & 0xFF]
    return c ^ 0xFFFFFFFF


# ---- encoding helpers -----------------------------------------------------------------------

def i8(v): return struct.pack(">b", v)
def i16(v): return struct.pack(">h", v)
def i32(v): return struct.pack(">i", v)
def i64(v): return struct.pack(">q", v)


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode()
    return i16(len(b)) + b


def nbytes(b):
    if b is None:
        return i32(-1)
    return i32(len(b)) + b


def varint(v):
    v = (v << 1) ^ (v >> 63)  # zigzag
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def array(items):
    return i32(len(items)) + b"".join(items)


def frame(api_key, version, corr, body, client_id="bad-input-test"):
    """A request with header v1 (non-flexible versions)."""
    payload = i16(api_key) + i16(version) + i32(corr) + string(client_id) + body
    return i32(len(payload)) + payload


def record(key: bytes, value: bytes, offset_delta: int) -> bytes:
    body = (i8(0) + varint(0) + varint(offset_delta) +
            varint(len(key)) + key + varint(len(value)) + value + varint(0))
    return varint(len(body)) + body


def record_batch(records, timestamp_ms=None, corrupt_crc=False):
    """An uncompressed RecordBatch v2 of (key, value) pairs."""
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    recs = b"".join(record(k, v, i) for i, (k, v) in enumerate(records))
    after_crc = (i16(0) + i32(len(records) - 1) + i64(ts) + i64(ts) + i64(-1) + i16(-1) +
                 i32(-1) + i32(len(records)) + recs)
    crc = crc32c(after_crc)
    if corrupt_crc:
        crc ^= 0xDEADBEEF
    after_len = i32(-1) + i8(2) + struct.pack(">I", crc) + after_crc
    return i64(0) + i32(len(after_len)) + after_len


# ---- requests ---------------------------------------------------------------------------------

def api_versions(corr, version=0):
    return frame(18, version, corr, b"")


def metadata_v1(corr, topics):
    return frame(3, 1, corr, array([string(t) for t in topics]) if topics is not None else i32(-1))


def create_topics_v2(corr, name, partitions, replication_factor, timeout_ms=30000,
                     assignment=None):
    """assignment: {partition: [broker ids]}; when given, partitions and
    replication_factor must be -1 (Kafka's rule for manual assignments)."""
    assignments = [i32(p) + array([i32(b) for b in brokers])
                   for p, brokers in sorted((assignment or {}).items())]
    topic = (string(name) + i32(partitions) + i16(replication_factor) + array(assignments) +
             array([]))
    return frame(19, 2, corr, array([topic]) + i32(timeout_ms) + i8(0))


def produce_v3(corr, topic, partition, batch, acks=1, timeout_ms=10000):
    part = i32(partition) + nbytes(batch)
    return frame(0, 3, corr, string(None) + i16(acks) + i32(timeout_ms) +
                 array([string(topic) + array([part])]))


def fetch_v4(corr, topic_partitions, max_wait_ms=0, min_bytes=0, max_bytes=1 << 20):
    """topic_partitions: [(topic, [(partition, offset), ...]), ...]"""
    topics = []
    for topic, parts in topic_partitions:
        topics.append(string(topic) + array([i32(p) + i64(o) + i32(max_bytes) for p, o in parts]))
    return frame(1, 4, corr, i32(-1) + i32(max_wait_ms) + i32(min_bytes) + i32(max_bytes) + i8(0) +
                 array(topics))


# ---- connection ---------------------------------------------------------------------------------

class Conn:
    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)

    def send(self, data: bytes):
        self.sock.sendall(data)

    def recv_frame(self):
        """The next response frame's body (correlation id first), or None when
        the broker closed the connection."""
        size = self._recv_exact(4)
        if size is None:
            return None
        (n,) = struct.unpack(">i", size)
        return self._recv_exact(n)

    def closed_by_peer(self, timeout=10.0) -> bool:
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def _recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except ConnectionResetError:
                return None
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def close(self):
        self.sock.close()


class Reader:
    def __init__(self, data: bytes):
        self.d, self.p = data, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.d, self.p)
        self.p += struct.calcsize(fmt)
        return v[0]

    def i16(self): return self.take(">h")
    def i32(self): return self.take(">i")
    def i64(self): return self.take(">q")

    def string(self):
        n = self.i16()
        if n < 0:
            return None
        s = self.d[self.p:self.p + n].decode()
        self.p += n
        return s

    def nbytes(self):
        n = self.i32()
        if n < 0:
            return None
        b = self.d[self.p:self.p + n]
        self.p += n
        return b


def parse_produce_v3(body):
    """[(topic, partition, error_code, base_offset)]"""
    r = Reader(body)
    r.i32()  # correlation id
    out = []
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            p, err, base = r.i32(), r.i16(), r.i64()
            r.i64()  # log append time
            out.append((topic, p, err, base))
    return out


def parse_fetch_v4(body):
    """[(topic, partition, error_code, high_watermark, records bytes)]"""
    r = Reader(body)
    r.i32()  # correlation id
    r.i32()  # throttle
    out = []
    for _ in range(r.i32()):
        topic = r.string()
        for _ in range(r.i32()):
            p, err, hw = r.i32(), r.i16(), r.i64()
            r.i64()  # last stable offset
            n_aborted = r.i32()
            for _ in range(max(n_aborted, 0)):
                r.i64()
                r.i64()
            out.append((topic, p, err, hw, r.nbytes()))
    return out


def parse_create_topics_v2(body):
    r = Reader(body)
    r.i32()
    r.i32()  # throttle
    out = []
    for _ in range(r.i32()):
        name, err = r.string(), r.i16()
        r.string()  # message
        out.append((name, err))
    return out


def count_records(batches: bytes) -> int:
    """Records in a buffer of RecordBatch v2 (header fields only)."""
    n, pos = 0, 0
    while len(batches) - pos >= 61:
        length = struct.unpack_from(">i", batches, pos + 8)[0]
        n += struct.unpack_from(">i", batches, pos + 57)[0]
        pos += 12 + length
    return n
