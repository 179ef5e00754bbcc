#!/usr/bin/env bash
# Builds every libFuzzer target in tests/fuzz (each *_fuzzer.cc, see fuzz.bzl)
# with clang + AddressSanitizer in a separate Bazel output base, seeds a corpus
# per target from the golden captures and generated requests, and runs each
# for ${FUZZ_SECONDS:-60} seconds. Exits non-zero when a target fails to build
# or a run finds a crash (the input is kept under $WORK/artifacts/).
#
#   FUZZ_SECONDS=300 tests/fuzz/run.sh                 all targets
#   tests/fuzz/run.sh request_decoder_fuzzer           some targets
#
# Environment: FUZZ_SECONDS, GREGOR_FUZZ_OUTPUT_BASE (default
# ~/.cache/gregor-fuzz), GREGOR_FUZZ_WORK (default .cache/fuzz: corpora,
# seeds, crash artifacts, logs), FUZZ_JOBS (libFuzzer -jobs, default 1).
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$GREGOR_ROOT"

FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
OUTPUT_BASE="${GREGOR_FUZZ_OUTPUT_BASE:-$HOME/.cache/gregor-fuzz}"
WORK="${GREGOR_FUZZ_WORK:-$GREGOR_ROOT/.cache/fuzz}"
FUZZ_BAZEL=(bazel "--bazelrc=tests/fuzz/fuzz.bazelrc" "--output_base=$OUTPUT_BASE")

ensure_packages clang libclang-rt-14-dev || { echo "cannot install clang"; exit 1; }
mkdir -p "$WORK/seeds" "$WORK/artifacts" "$WORK/logs"

# Every fuzz target (a cc_binary named *_fuzzer) unless some were named.
if [ $# -gt 0 ]; then
  targets=()
  for t in "$@"; do targets+=("//tests/fuzz:$t"); done
else
  mapfile -t targets < <("${FUZZ_BAZEL[@]}" query \
    'attr(name, "_fuzzer$", kind("cc_binary rule", //tests/fuzz:all))' 2>/dev/null)
fi
if [ ${#targets[@]} -eq 0 ]; then
  log "no fuzz targets found"
  exit 1
fi
log "fuzz targets: ${targets[*]}"

log "building the fuzzers (clang, ASan, libFuzzer; output base $OUTPUT_BASE)"
if ! "${FUZZ_BAZEL[@]}" build --config=fuzz "${targets[@]}"; then
  log "fuzzer build failed"
  exit 1
fi
bin_dir="$("${FUZZ_BAZEL[@]}" info --config=fuzz bazel-bin 2>/dev/null)"

log "writing seed corpora"
if ! bazel build //tests/fuzz:write_seeds ||
   ! "$(bazel info bazel-bin 2>/dev/null)/tests/fuzz/write_seeds" \
       proto/kafka/testdata/golden "$WORK/seeds"; then
  log "could not write the seeds"
  exit 1
fi

# Seeds for a target: its own directory when there is one, else all of them.
seed_dirs_for() {
  case "$1" in
    request_decoder_fuzzer) echo "$WORK/seeds/requests $GREGOR_ROOT/tests/fuzz/regressions" ;;
    record_batch_fuzzer) echo "$WORK/seeds/record_batches" ;;
    *) echo "$WORK/seeds/requests $WORK/seeds/record_batches" ;;
  esac
}

failed=()
for target in "${targets[@]}"; do
  name="${target##*:}"
  corpus="$WORK/corpus/$name"
  mkdir -p "$corpus"
  log "fuzzing $name for ${FUZZ_SECONDS}s (corpus $corpus)"
  parallel=()
  if [ "${FUZZ_JOBS:-1}" -gt 1 ]; then
    parallel=(-jobs="$FUZZ_JOBS" -workers="$FUZZ_JOBS")
  fi
  # (In the logs directory: libFuzzer writes fuzz-<job>.log files to the cwd.)
  # shellcheck disable=SC2046
  (cd "$WORK/logs" && "$bin_dir/tests/fuzz/$name" \
    -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 "${parallel[@]}" -artifact_prefix="$WORK/artifacts/$name-" \
    "$corpus" $(seed_dirs_for "$name")) >"$WORK/logs/$name.log" 2>&1
  rc=$?
  tail -n 12 "$WORK/logs/$name.log" >&2
  if [ $rc -ne 0 ]; then
    log "$name FAILED (exit $rc); log $WORK/logs/$name.log, artifacts $WORK/artifacts/$name-*"
    failed+=("$name")
  else
    log "$name: no crash in ${FUZZ_SECONDS}s"
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${FUZZ_SECONDS}s each without a crash"
