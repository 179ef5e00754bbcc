#!/usr/bin/env bash
# Makes sure the two Debian base images the Dockerfile starts from exist:
#   debian:bookworm       build stage (compilers and Bazel are added by apt in the
#                         Dockerfile)
#   debian:bookworm-slim  runtime stage
# On a normal machine it pulls them. Where no image registry answers, it builds
# them with debootstrap from this machine's Debian mirror and `docker import`s
# them, so the same Dockerfile works offline.
#
#   deploy/make-base-images.sh            only what is missing
#   deploy/make-base-images.sh --rebuild  debootstrap both again
#
# What goes into each (when bootstrapped):
#   bookworm-slim: debootstrap --variant=minbase (dpkg, apt, bash, coreutils:
#     what the runtime stage needs to apt-get install the shared libraries),
#     without documentation, man pages and locales, as the official slim image.
#   bookworm: minbase plus ca-certificates (apt over https mirrors and any
#     https fetch in a build), with documentation kept, as the official image.
#     Everything else the build needs (g++, Bazel, the -dev packages of
#     tests/lib.sh) is installed by the Dockerfile itself, so the Dockerfile is
#     the same whether the base was pulled or bootstrapped.
# Both get this machine's apt sources (with -updates and -security), so
# `apt-get install` in `docker build` sees the same versions as the host.
set -euo pipefail
source "$(dirname "$0")/../tests/lib.sh"

REBUILD=0
[ "${1:-}" = "--rebuild" ] && REBUILD=1

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# The machine's Debian mirror (deb822 sources first, then the classic list).
mirror() {
  local m=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    m=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(awk '$1 == "deb" && $0 !~ /security/ {print $2; exit}' /etc/apt/sources.list)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

try_pull() {
  log "docker pull $1"
  timeout "${GREGOR_PULL_TIMEOUT:-60}" docker pull -q "$1" >/dev/null 2>&1
}

bootstrap() {  # bootstrap IMAGE slim|full
  local image="$1" kind="$2" root include=""
  ensure_packages debootstrap
  root=$(mktemp -d /var/tmp/gregor-rootfs.XXXXXX)
  chmod 0755 "$root"   # it becomes the image's /; mktemp's 0700 locks out every non-root user
  [ "$kind" = full ] && include="--include=ca-certificates"
  log "debootstrap --variant=minbase $include bookworm from $(mirror) for $image"
  debootstrap --variant=minbase $include bookworm "$root" "$(mirror)" >"$root.log" 2>&1 ||
    { tail -20 "$root.log" >&2; rm -rf "$root" "$root.log"; return 1; }
  rm -f "$root.log"
  # apt sources: the machine's own (adds -updates and -security), else the mirror.
  rm -f "$root/etc/apt/sources.list"
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
  else
    echo "deb $(mirror) bookworm main" >"$root/etc/apt/sources.list"
  fi
  # No apt caches or lists in the image; images that start from it run apt-get update.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  if [ "$kind" = slim ]; then
    rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
      "$root"/usr/share/locale/* "$root"/usr/share/lintian
    # As the official slim image: dpkg leaves these out on later installs too.
    cat >"$root/etc/dpkg/dpkg.cfg.d/docker-slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
  fi
  log "docker import -> $image"
  local rc=0
  tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - "$image" >/dev/null || rc=$?
  rm -rf "$root"
  return "$rc"
}

make_one() {  # make_one IMAGE slim|full
  if [ "$REBUILD" -eq 0 ] && image_exists "$1"; then
    log "$1 is there"
    return 0
  fi
  if [ "$REBUILD" -eq 0 ] && try_pull "$1"; then
    log "pulled $1"
    return 0
  fi
  bootstrap "$1" "$2"
}

make_one debian:bookworm-slim slim
make_one debian:bookworm full
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^debian:bookworm' >&2
