"""Generates the C++ Kafka message codec from proto/kafka/schema/*.schema.

Run by Bazel (//proto/kafka:messages_gen):

  python3 gen.py --out_dir=<dir> --apis=produce,fetch,... <schema files>

For every API file `<api>.schema` it writes `<api>.h` (request and response
types with Decode/Encode for every version); from `headers.schema`,
`headers.h`. The definitions go into `codec_<i>.cc` and the test values
into `test_values_<i>.cc`, i < --shards, APIs spread so the files are of
similar size (fewer, larger translation units compile faster than one per
API, and several still build in parallel). Once: `api_table.h` (kApis), `all_apis.h`
(VisitApi), `schema_info.h`/`.cc` (the schema as JSON, for the cross-check
test), `test_values.h`/`test_values.cc`. `--apis` must list exactly the API
files present, so the BUILD file and the schema directory cannot drift apart.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emit_extras import (GENERATED, emit_all_apis, emit_api_table, emit_schema_info,  # noqa: E402
                         emit_test_values_cc, emit_test_values_h, emit_test_values_support)
from emit_messages import Out, emit_decl, emit_defs  # noqa: E402
import config  # noqa: E402
from schema_parser import SchemaError, load, snake_case  # noqa: E402


def header_text(base, messages, api, doc):
    guard = config.guard(base)
    out = Out()
    out(GENERATED)
    if doc:
        out("//")
        for line in wrap(doc, 76):
            out("// " + line)
    out(f"#ifndef {guard}")
    out(f"#define {guard}")
    out()
    for inc in ("<cstddef>", "<cstdint>", "<limits>", "<optional>", "<string>", "<string_view>",
                "<vector>"):
        out(f"#include {inc}")
    out()
    out("#include \"absl/status/status.h\"")
    out("#include \"common/bytes.h\"")
    out("#include \"common/uuid.h\"")
    out("#include \"proto/kafka/record_set.h\"")
    out("#include \"proto/kafka/wire_codec.h\"")
    out("#include \"proto/kafka/wire_writer.h\"")
    out()
    out("namespace gregor::kafka {")
    out()
    for m in messages:
        emit_decl(out, m, api)
        out()
    out("}  // namespace gregor::kafka")
    out()
    out(f"#endif  // {guard}")
    return out.text()


def source_text(bases, messages):
    """One .cc defining `messages` (declared in <INCLUDE_DIR>/<base>.h)."""
    out = Out()
    out(GENERATED)
    for base in bases:
        out(f"#include \"{config.INCLUDE_DIR}/{base}.h\"")
    out()
    out("#include <utility>")
    out()
    out("namespace gregor::kafka {")
    out()
    for m in messages:
        emit_defs(out, m)
        out()
    out("}  // namespace gregor::kafka")
    return out.text()


def shard(units, count):
    """Splits (base, messages, weight) units into `count` groups of similar weight."""
    groups = [[] for _ in range(count)]
    loads = [0] * count
    for unit in sorted(units, key=lambda u: (-u[2], u[0])):
        i = loads.index(min(loads))
        groups[i].append(unit)
        loads[i] += unit[2]
    return [sorted(g) for g in groups]


def weight(msgs):
    """Rough amount of generated code: fields times versions."""
    total = 0

    def count(fields):
        n = 0
        for f in fields:
            n += 1
            if f.fields:
                n += count(f.fields)
        return n

    for m in msgs:
        n = count(m.fields) + sum(count(c.fields) for c in m.commons)
        total += n * (m.versions.hi - m.versions.lo + 1 if m.versions.hi is not None else 1) ** 0.5
    return total + 10


def wrap(text, width):
    lines, cur = [], ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    if cur:
        lines.append(cur)
    return lines


def write(out_dir, name, text):
    path = os.path.join(out_dir, name)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--out_dir", required=True)
    p.add_argument("--apis", required=True, help="comma-separated API file names (no suffix)")
    p.add_argument("--shards", type=int, required=True,
                   help="number of codec_<i>.cc and test_values_<i>.cc files")
    p.add_argument("--include_dir", default=config.INCLUDE_DIR,
                   help="the out_dir as included from C++ (its workspace-relative path)")
    p.add_argument("--no_headers", action="store_true",
                   help="generate without headers.schema (for generator tests)")
    p.add_argument("schemas", nargs="+")
    args = p.parse_args(argv)
    config.INCLUDE_DIR = args.include_dir

    expected = sorted(a for a in args.apis.split(",") if a)
    api_files = sorted(os.path.basename(s)[: -len(".schema")] for s in args.schemas
                       if os.path.basename(s) != "headers.schema")
    if expected != api_files:
        missing = sorted(set(api_files) - set(expected))
        extra = sorted(set(expected) - set(api_files))
        raise SchemaError(f"KAFKA_API_FILES in proto/kafka/apis.bzl and proto/kafka/schema/ differ: "
                          f"schema files not listed: {missing}; listed without a file: {extra}")

    apis, headers = load(args.schemas)
    expected_headers = set() if args.no_headers else {"RequestHeader", "ResponseHeader"}
    if set(headers) != expected_headers:
        raise SchemaError("headers.schema must define RequestHeader and ResponseHeader"
                          if expected_headers else "--no_headers with a header schema")
    for a in apis:
        base = os.path.basename(a.path)[: -len(".schema")]
        if base != snake_case(a.name):
            raise SchemaError(f"{a.path}: API {a.name} belongs in {snake_case(a.name)}.schema")

    os.makedirs(args.out_dir, exist_ok=True)
    files = []
    all_messages = []
    units = []
    for a in apis:
        base = snake_case(a.name)
        files.append(base)
        msgs = [a.request, a.response]
        for m in msgs:
            m.api_key = a.key
        all_messages += msgs
        units.append((base, msgs, weight(msgs)))
        write(args.out_dir, f"{base}.h", header_text(base, msgs, a, a.doc))
    if headers:
        hdrs = [headers["RequestHeader"], headers["ResponseHeader"]]
        for m in hdrs:
            m.api_key = None
        all_messages += hdrs
        units.append(("headers", hdrs, weight(hdrs)))
        files.append("headers")
        write(args.out_dir, "headers.h",
              header_text("headers", hdrs, None, "Request header v0-v2 and response header v0-v1."))
    for i, group in enumerate(shard(units, args.shards)):
        bases = [u[0] for u in group]
        msgs = [m for u in group for m in u[1]]
        write(args.out_dir, f"codec_{i}.cc", source_text(bases, msgs))
        write(args.out_dir, f"test_values_{i}.cc", emit_test_values_cc(i, bases, msgs))
    write(args.out_dir, "api_table.h", emit_api_table(apis))
    write(args.out_dir, "all_apis.h", emit_all_apis(apis, files))
    info_h, info_cc = emit_schema_info(apis, headers)
    write(args.out_dir, "schema_info.h", info_h)
    write(args.out_dir, "schema_info.cc", info_cc)
    write(args.out_dir, "test_values.h", emit_test_values_h(all_messages))
    write(args.out_dir, "test_values.cc", emit_test_values_support(args.shards))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except SchemaError as e:
        print(f"gen.py: error: {e}", file=sys.stderr)
        sys.exit(1)
