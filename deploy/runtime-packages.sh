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

owner() {  # owner /path/to/lib -> package (usrmerge: try /usr/lib and /lib spellings)
  local p="$1" real cand pkg
  real=$(readlink -f "$p")
  for cand in "$p" "$real" "${p/#\/usr\/lib/\/lib}" "${p/#\/lib/\/usr\/lib}" \
    "${real/#\/usr\/lib/\/lib}" "${real/#\/lib/\/usr\/lib}"; do
    pkg=$(dpkg-query -S "$cand" 2>/dev/null | head -1 | cut -d: -f1) || true
    if [ -n "$pkg" ]; then echo "$pkg"; return 0; fi
  done
  echo "runtime-packages.sh: no package owns $p" >&2
  return 1
}

libs=$(ldd "$@" | awk '/=> not found/ {print "NOTFOUND " $1} /=> \// {print $3}' | sort -u)
if grep -q '^NOTFOUND' <<<"$libs"; then
  echo "runtime-packages.sh: missing libraries: $(grep '^NOTFOUND' <<<"$libs" | cut -d' ' -f2 | tr '\n' ' ')" >&2
  exit 1
fi
for lib in $libs; do owner "$lib"; done | sort -u | while read -r pkg; do
  case " $ALWAYS_THERE " in *" $pkg "*) ;; *) echo "$pkg" ;; esac
done
