"""gregor_proto_library: protoc + grpc_cpp_plugin from the system, as a genrule.

Generates <name>.pb.{h,cc} (and .grpc.pb.{h,cc} when grpc = True) for one
.proto file and wraps them in a cc_library. Include them as
`#include "proto/<name>.pb.h"`.
"""

def gregor_proto_library(name, src, proto_deps = [], deps = [], grpc = False, visibility = None):
    base = src[:-len(".proto")]
    outs = [base + ".pb.h", base + ".pb.cc"]
    cmd = "protoc -I. --cpp_out=$(GENDIR) "
    if grpc:
        outs += [base + ".grpc.pb.h", base + ".grpc.pb.cc"]
        cmd += "--grpc_out=$(GENDIR) --plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin "
    cmd += "$(location " + src + ")"
    native.genrule(
        name = name + "_gen",
        srcs = [src] + [d + "_srcs" for d in proto_deps],
        outs = outs,
        cmd = cmd,
    )
    native.filegroup(name = name + "_srcs", srcs = [src] + [d + "_srcs" for d in proto_deps])
    native.cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = proto_deps + deps + (["@system//:grpc"] if grpc else ["@system//:protobuf"]),
        visibility = visibility,
    )
