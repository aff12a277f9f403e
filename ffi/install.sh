#!/usr/bin/env bash
# Installs libnetrt (run by `make install`):
#   ffi/install.sh DEST_PREFIX LIB_DIR [PREFIX]
# DEST_PREFIX  where files go ($DESTDIR$PREFIX); PREFIX (default DEST_PREFIX) is what netrt.pc
# names; LIB_DIR holds the built libnetrt.so and libnetrt.a. Installs lib/libnetrt.so.X.Y.Z with
# the libnetrt.so.X (SONAME) and libnetrt.so links, lib/libnetrt.a, include/netrt.h,
# include/netrt.hpp + include/netrt/ (C++), lib/pkgconfig/netrt.pc and
# lib/cmake/netrt/netrt-config{,-version}.cmake.
set -euo pipefail
dest="$1"
libdir="$2"
prefix="${3:-$1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
version="$(sed -n 's/^#define NETRT_VERSION_STRING "\(.*\)"$/\1/p' "$root/include/netrt.h")"
major="${version%%.*}"
minor="${version#*.}"
minor="${minor%%.*}"
for f in libnetrt.so libnetrt.a; do
  [[ -f "$libdir/$f" ]] || { echo "install.sh: $libdir/$f not built" >&2; exit 1; }
done
subst() { sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" -e "s|@MAJOR@|$major|g" \
  -e "s|@MINOR@|$minor|g" "$1"; }

install -d "$dest/lib/pkgconfig" "$dest/lib/cmake/netrt" "$dest/include"
install -m 0755 "$libdir/libnetrt.so" "$dest/lib/libnetrt.so.$version"
ln -sf "libnetrt.so.$version" "$dest/lib/libnetrt.so.$major"
ln -sf "libnetrt.so.$major" "$dest/lib/libnetrt.so"
install -m 0644 "$libdir/libnetrt.a" "$dest/lib/libnetrt.a"
install -m 0644 "$root/include/netrt.h" "$dest/include/netrt.h"
# The header-only C++ projection (netrt.hpp, the C++/WinRT-style forwarding headers).
cpp="$root/bindings/cpp/include"
install -d "$dest/include/netrt/impl"
install -m 0644 "$cpp/netrt.hpp" "$dest/include/netrt.hpp"
install -m 0644 "$cpp"/netrt/*.h "$dest/include/netrt/"
install -m 0644 "$cpp"/netrt/impl/*.hpp "$dest/include/netrt/impl/"
subst "$here/netrt.pc.in" >"$dest/lib/pkgconfig/netrt.pc"
subst "$here/netrt-config.cmake.in" >"$dest/lib/cmake/netrt/netrt-config.cmake"
subst "$here/netrt-config-version.cmake.in" >"$dest/lib/cmake/netrt/netrt-config-version.cmake"
chmod 0644 "$dest/lib/pkgconfig/netrt.pc" "$dest/lib/cmake/netrt/"*.cmake
echo "installed netrt $version into $dest"
