#!/usr/bin/env bash
# Prints the Debian packages that provide the shared libraries the given
# binaries load (by ldd), one per line, sorted, without libc6 & co. that every
# Debian image has. The Dockerfile's runtime stage installs exactly these.
#
#   deploy/runtime-packages.sh BINARY...
# Fails when a library is not found or belongs to no package.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 BINARY..." >&2; exit 2; }

ALWAYS_THERE="libc6 libgcc-s1 libstdc++6"   # in debian:bookworm-slim already

libs=$(ldd "$@" | awk '/=> not found/ {print "NOTFOUND " $1} /=> \// {print $3}' | sort -u)
if grep -q '^NOTFOUND' <<<"$libs"; then
  echo "runtime-packages.sh: missing libraries: $(grep '^NOTFOUND' <<<"$libs" | cut -d' ' -f2 | tr '\n' ' ')" >&2
  exit 1
fi

# Every spelling of each library's path (usrmerge: /lib and /usr/lib; the
# symlink and its target), asked of dpkg in one call (dpkg-query -S reads all
# file lists on each call: one call per library takes minutes on a busy disk).
declare -A spellings=()
candidates=()
for lib in $libs; do
  real=$(readlink -f "$lib")
  for cand in "$lib" "$real" "${lib/#\/usr\/lib/\/lib}" "${lib/#\/lib/\/usr\/lib}" \
    "${real/#\/usr\/lib/\/lib}" "${real/#\/lib/\/usr\/lib}"; do
    spellings[$cand]+="$lib "
    candidates+=("$cand")
  done
done
declare -A owner_of=()
while IFS= read -r line; do
  pkg="${line%%: *}"; path="${line#*: }"
  pkg="${pkg%%:*}"  # drop the architecture qualifier (libfoo:amd64)
  for lib in ${spellings[$path]:-}; do owner_of[$lib]="$pkg"; done
done < <(printf '%s\n' "${candidates[@]}" | sort -u | xargs dpkg-query -S 2>/dev/null | grep -v ', ')

for lib in $libs; do
  if [ -z "${owner_of[$lib]:-}" ]; then
    echo "runtime-packages.sh: no package owns $lib" >&2
    exit 1
  fi
  echo "${owner_of[$lib]}"
done | sort -u | while read -r pkg; do
  case " $ALWAYS_THERE " in *" $pkg "*) ;; *) echo "$pkg" ;; esac
done
