#!/usr/bin/env bash
# Runs the storage benchmark and prints a Markdown table of Gregor's append
# and read bandwidth next to the raw disk's, measured in the same run.
#   tests/bench/storage/run.sh [--dir=/path/on/the/disk] [--total_mib=256] [--repeat=3]
set -euo pipefail
cd "$(dirname "$0")/../../.."
bazel build -c opt //tests/bench/storage:storage_bench >&2
exec bazel-bin/tests/bench/storage/storage_bench "$@"
