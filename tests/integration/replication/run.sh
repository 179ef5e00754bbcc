#!/usr/bin/env bash
# The replication integration suite (issue 6): installs what it needs (a venv
# with confluent-kafka and kafka-python, the Java producer built with Maven),
# builds the binaries (deploy/cluster.sh up), and runs test_replication.py
# against a 3+3 cluster on ports offset by GREGOR_PORT_OFFSET (default 350)
# in a temporary GREGOR_CLUSTER_DIR.
#
#   tests/integration/replication/run.sh [test_replication.py options and scenarios]
#
# Exit status 0 when every scenario passed. Takes about 5 minutes (after the build).
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../../interop/lib.sh
source "$HERE/../../interop/lib.sh"
INTEROP_CACHE="$GREGOR_ROOT/.cache/replication"
mkdir -p "$INTEROP_CACHE"
export GREGOR_PORT_OFFSET="${GREGOR_PORT_OFFSET:-350}"  # see harness.py

ensure_venv replication "$HERE/requirements.txt" || { log "cannot create the venv"; exit 1; }

build_java() {
  command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1 ||
    ensure_packages openjdk-17-jdk-headless maven || return 1
  local project="$HERE/java" stamp
  stamp="$(cat "$project/pom.xml" $(find "$project/src" -type f | sort) | sha256sum | cut -c1-16)"
  [ "$(cat "$project/target/.stamp" 2>/dev/null)" = "$stamp" ] && [ -d "$project/target/lib" ] && return 0
  log "building $project"
  rm -rf "$project/target"
  mvn -q -B -f "$project/pom.xml" package -DskipTests || return 1
  echo "$stamp" >"$project/target/.stamp"
}
build_java || { log "cannot build the Java producer"; exit 1; }
# ControllerService calls (ElectLeaders, AlterPartitionReassignments) for the
# rebalance and reassign scenarios; deploy/cluster.sh up builds the rest.
ensure_build_deps || exit 1
(cd "$GREGOR_ROOT" && bazel build //tests/integration/controller:gregor-controller-cli) || exit 1

exec "$(venv_dir replication)/bin/python" "$HERE/test_replication.py" "$@"
