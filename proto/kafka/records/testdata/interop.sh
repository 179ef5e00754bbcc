#!/usr/bin/env bash
# Record-batch interop with real clients, both directions. Needs the package
# registries (PyPI, Maven Central) the first time; caches under
# $GREGOR_INTEROP_CACHE (default <repo>/.cache/records-interop).
#
#   interop.sh check   build Gregor's batches (every codec, a transaction with
#                      its COMMIT marker, an idempotent batch) and have
#                      kafka-python and the Java client's MemoryRecords parse
#                      them and compare every record with what was written.
#   interop.sh regen   rewrite the golden files in this directory from
#                      kafka-python and the Java client (then run
#                      `bazel test //proto/kafka/records:golden_interop_test`).
#
# Prints "N passed, N failed" and exits non-zero on any mismatch.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../../.." && pwd)"
CACHE="${GREGOR_INTEROP_CACHE:-$ROOT/.cache/records-interop}"
PY_PACKAGES=(kafka-python==3.0.12 python-snappy==0.7.3 lz4==4.4.5 zstandard==0.25.0)

setup_python() {
  if [ ! -x "$CACHE/venv/bin/python" ]; then
    python3 -m venv "$CACHE/venv"
  fi
  "$CACHE/venv/bin/pip" install -q "${PY_PACKAGES[@]}"
}

setup_java() {
  if [ ! -f "$CACHE/lib/kafka-clients-4.1.1.jar" ]; then
    (cd "$CACHE" && mvn -q -B -f "$HERE/interop-pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$CACHE/lib")
  fi
}

run_java() {
  java -cp "$CACHE/lib/*" "$HERE/RecordsInterop.java" "$@" 2> >(grep -v '^SLF4J' >&2)
}

main() {
  # shellcheck source=/dev/null
  source "$ROOT/tests/lib.sh"
  ensure_packages python3-venv maven openjdk-17-jdk-headless || exit 1
  mkdir -p "$CACHE"
  setup_python
  setup_java
  case "${1:-check}" in
    regen)
      "$CACHE/venv/bin/python" "$HERE/records_interop.py" gen "$HERE"
      run_java gen "$HERE"
      echo "regenerated goldens in $HERE"
      ;;
    check)
      local passed=0 failed=0
      OUT="$(mktemp -d)"
      trap 'rm -rf "$OUT"' EXIT
      (cd "$ROOT" && bazel build //proto/kafka/records:interop_writer)
      "$ROOT/bazel-bin/proto/kafka/records/interop_writer" "$OUT"
      if "$CACHE/venv/bin/python" "$HERE/records_interop.py" check "$OUT"; then
        passed=$((passed + 1)); else failed=$((failed + 1)); fi
      if run_java check "$OUT"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
      echo "$passed passed, $failed failed"
      [ "$failed" -eq 0 ]
      ;;
    *)
      echo "usage: $0 check|regen" >&2
      exit 2
      ;;
  esac
}

main "$@"
