#!/usr/bin/env bash
# The Java client (org.apache.kafka:kafka-clients 4.1.1, default settings):
# java/src/main/java/dev/gregor/interop/Scenario.java, built with Maven.
#   clients/java.sh install      mvn -q package (only when the sources changed)
#   clients/java.sh run BOOTSTRAP OUT_DIR
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
NAME=java
PROJECT="$INTEROP_DIR/java"
TARGET="$PROJECT/target"

build() {
  command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1 ||
    ensure_packages openjdk-17-jdk-headless maven || return 1
  ensure_python || return 1
  local stamp
  stamp="$(cat "$PROJECT/pom.xml" $(find "$PROJECT/src" -type f | sort) | sha256sum | cut -c1-16)"
  [ "$(cat "$TARGET/.stamp" 2>/dev/null)" = "$stamp" ] && [ -d "$TARGET/lib" ] && return 0
  log "building $PROJECT"
  rm -rf "$TARGET"
  mvn -q -B -f "$PROJECT/pom.xml" package -DskipTests || return 1
  echo "$stamp" >"$TARGET/.stamp"
}

case "${1:-}" in
  install) build ;;
  run)
    interop_names "$NAME"
    # shellcheck disable=SC2046
    java -Xmx512m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$TARGET/classes:$TARGET/lib/*" \
      dev.gregor.interop.Scenario $(scenario_args "$2" "$3") --codecs "$INTEROP_CODECS" || exit 1
    interop_check "$NAME" "$3" --codecs "$INTEROP_CODECS" ;;
  *) echo "usage: $0 install | run BOOTSTRAP OUT_DIR" >&2; exit 2 ;;
esac
