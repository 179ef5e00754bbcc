"""gregor_fuzzers: one libFuzzer binary per *_fuzzer.cc in the package.

Each binary is tagged "fuzzer" and "manual": `bazel build //...` (g++) skips
them; tests/fuzz/run.sh builds them with clang, ASan and libFuzzer
(`--config=fuzz` from tests/fuzz/fuzz.bazelrc) in a separate output base.
Every fuzzer gets `default_deps`; `extra_deps` adds per-fuzzer ones. A
fuzzer that needs more control can have its own cc_binary (named like its
source, declared before gregor_fuzzers()); it is left alone here. run.sh runs
every cc_binary of tests/fuzz whose name ends in `_fuzzer`.
"""

def gregor_fuzzers(default_deps, extra_deps = {}):
    for src in native.glob(["*_fuzzer.cc"]):
        name = src[:-len(".cc")]
        if native.existing_rule(name):
            continue
        native.cc_binary(
            name = name,
            testonly = True,
            srcs = [src],
            deps = default_deps + extra_deps.get(name, []),
            linkopts = ["-fsanitize=fuzzer"],
            tags = ["fuzzer", "manual"],
        )
