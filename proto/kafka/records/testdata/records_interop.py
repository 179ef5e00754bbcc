#!/usr/bin/env python3
"""Interop between Gregor's record batches and kafka-python, without a broker.

    records_interop.py gen   DIR   writes python_*.bin + python_*.txt, built with
                                   kafka.record.default_records.DefaultRecordBatchBuilder
    records_interop.py check DIR   parses every *.bin in DIR with kafka-python's
                                   MemoryRecords/DefaultRecordBatch (CRC checked) and
                                   compares it with the *.txt manifest beside it

Needs kafka-python plus python-snappy, lz4 and zstandard (interop.sh installs
them into a virtualenv). The record set and the manifest format are the same
as RecordsInterop.java's; README.md describes the format.
"""
import glob
import os
import struct
import sys

from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder
from kafka.record.memory_records import MemoryRecords

BASE_TS = 1700000000000
CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}


def key(i):
    if i % 7 == 3:
        return None
    if i % 11 == 5:
        return b""
    return ("key-%d" % i).encode()


def value(i):
    if i % 13 == 6:
        return None
    if i == 10:
        # Same bytes as RecordsInterop.java: an incompressible LCG half and a
        # repetitive half.
        out = bytearray(70000)
        x = 1
        for j in range(len(out)):
            x = (x * 1103515245 + 12345) & 0x7FFFFFFF
            out[j] = ((x >> 16) & 0xFF) if j < 35000 else (j % 251)
        return bytes(out)
    return (("value-%d-" % i) * (i % 5 + 1)).encode()


def headers(i):
    if i % 4 == 0:
        return [("h1", b"x"), ("h-null", None)]
    if i % 6 == 1:
        return [("", b"")]
    return []


def timestamp(i):
    return BASE_TS + 3 * i - (50 if i % 5 == 2 else 0)


def hexs(b):
    return "-" if b is None else "=" + bytes(b).hex()


def batch_line(b):
    return "batch %d %d %d %d %d %d %d %d %d %d" % (
        b.base_offset, b.compression_type, b.records_count, b.producer_id,
        b.producer_epoch, b.base_sequence, int(b.is_transactional),
        int(b.is_control_batch), b.leader_epoch, b.timestamp_type)


def record_line(batch, r):
    if batch.is_control_batch and r.type in (0, 1):
        _, epoch = struct.unpack(">hi", bytes(r.value)[:6])
        return "control %d %d %s %d" % (r.offset, r.timestamp,
                                        "COMMIT" if r.type == 1 else "ABORT", epoch)
    parts = ["record", str(r.offset), str(r.timestamp), hexs(r.key), hexs(r.value),
             str(len(r.headers))]
    for k, v in r.headers:
        parts += [hexs(k.encode()), hexs(v)]
    return " ".join(parts)


def describe(data):
    """The manifest of a buffer of batches, as kafka-python reads it."""
    lines = []
    records = MemoryRecords(bytes(data))
    while records.has_next():
        batch = records.next_batch()
        if not isinstance(batch, DefaultRecordBatch):
            raise ValueError("not a v2 batch: %r" % (batch,))
        if not batch.validate_crc():
            raise ValueError("CRC mismatch in batch at offset %d" % batch.base_offset)
        lines.append(batch_line(batch))
        for r in batch:
            lines.append(record_line(batch, r))
    if records.valid_bytes() != len(data):
        raise ValueError("%d trailing bytes" % (len(data) - records.valid_bytes()))
    return "".join(line + "\n" for line in lines)


def build(codec, n, producer=(-1, -1, -1)):
    b = DefaultRecordBatchBuilder(magic=2, compression_type=codec, is_transactional=False,
                                  producer_id=producer[0], producer_epoch=producer[1],
                                  base_sequence=producer[2], batch_size=1 << 30)
    for i in range(n):
        if b.append(i, timestamp=timestamp(i), key=key(i), value=value(i),
                    headers=headers(i)) is None:
            raise RuntimeError("record %d did not fit" % i)
    return bytes(b.build())


def write(directory, name, data):
    with open(os.path.join(directory, name + ".bin"), "wb") as f:
        f.write(data)
    with open(os.path.join(directory, name + ".txt"), "w") as f:
        f.write(describe(data))


def gen(directory):
    os.makedirs(directory, exist_ok=True)
    for name, codec in CODECS.items():
        write(directory, "python_" + name, build(codec, 40))
    # An idempotent producer's batch.
    write(directory, "python_idempotent_zstd", build(CODECS["zstd"], 7, (1234, 2, 17)))
    # librdkafka compresses snappy batches as one raw snappy block (no xerial
    # framing). kafka-python cannot write that, so recompress the records of
    # an uncompressed batch that way and fix the attributes and CRC.
    write(directory, "python_raw_snappy", raw_snappy(build(CODECS["none"], 40)))
    write(directory, "python_small_raw_snappy", raw_snappy(build(CODECS["none"], 6)))


def raw_snappy(batch):
    import snappy
    from kafka.record.util import calc_crc32c
    header = bytearray(batch[:61])
    body = snappy.compress(batch[61:])
    struct.pack_into(">i", header, 8, 49 + len(body))  # batchLength
    attrs = struct.unpack_from(">h", header, 21)[0]
    struct.pack_into(">h", header, 21, (attrs & ~7) | CODECS["snappy"])
    out = bytes(header) + body
    struct.pack_into(">I", header, 17, calc_crc32c(out[21:]))
    return bytes(header) + body


def check(directory):
    checked = failed = 0
    for path in sorted(glob.glob(os.path.join(directory, "*.bin"))):
        name = os.path.basename(path)[:-4]
        with open(path, "rb") as f:
            data = f.read()
        with open(os.path.join(directory, name + ".txt")) as f:
            expected = f.read()
        try:
            got = describe(data)
        except Exception as e:  # report, keep checking the others
            got = "exception: %r\n" % (e,)
        checked += 1
        if got != expected:
            failed += 1
            print("MISMATCH %s\n--- expected\n%s--- kafka-python read\n%s" %
                  (name, expected[:2000], got[:2000]))
        else:
            print("ok " + name)
    print("python checked %d files, %d mismatches" % (checked, failed))
    return 0 if checked and not failed else 1


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("gen", "check"):
        print(__doc__)
        return 2
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
        return 0
    return check(sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
