"""Generator settings shared by the emitters (set once by gen.py)."""

# Where the generated files are included from (their Bazel package path).
INCLUDE_DIR = "proto/kafka/messages"


def guard(name):
    """Header guard for <INCLUDE_DIR>/<name>.h."""
    return (INCLUDE_DIR + "/" + name).upper().replace("/", "_").replace(".", "_") + "_H_"
