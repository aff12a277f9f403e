#!/usr/bin/env bash
# Installs netrt into a temporary prefix with `make install` and builds a C program outside the
# repository against the installed copy: with pkg-config (shared, and static with --static), and
# with CMake's find_package(netrt) (imported target netrt::netrt). Each program must run.
#   tests/c/install_test.sh            (INSTALL_PROFILE=debug|release, default debug)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="$(mktemp -d -t netrt-install.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
profile="${INSTALL_PROFILE:-debug}"

make -s -C "$root" install PREFIX="$prefix" INSTALL_PROFILE="$profile"
for f in lib/libnetrt.so lib/libnetrt.so.0 lib/libnetrt.a include/netrt.h lib/pkgconfig/netrt.pc \
  lib/cmake/netrt/netrt-config.cmake lib/cmake/netrt/netrt-config-version.cmake bin/netrt-brokerd \
  lib/systemd/user/netrt-brokerd.socket lib/systemd/user/netrt-brokerd.service; do
  [[ -e "$prefix/$f" ]] || { echo "install_test: $f missing" >&2; exit 1; }
done

mkdir -p "$tmp/app"
cat >"$tmp/app/app.c" <<'C'
#include <netrt.h>
#include <stdio.h>
#include <string.h>
_Static_assert(NETRT_VERSION_AT_LEAST(0, 1, 0), "netrt >= 0.1.0");
int main(void) {
  netrt_handle host = 0;
  char name[64];
  size_t needed = 0;
  if (strcmp(netrt_version(), NETRT_VERSION_STRING) != 0) return 1;
  if (netrt_host_name_create("127.0.0.1", &host) != NETRT_S_OK) return 2;
  if (netrt_host_name_get_canonical_name(host, name, sizeof name, &needed) != NETRT_S_OK) return 3;
  netrt_release(host);
  if (netrt_release(host) != NETRT_RO_E_CLOSED) return 4;
  printf("installed netrt %s works (%s)\n", netrt_version(), name);
  return 0;
}
C
cd "$tmp/app"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[[ "$(pkg-config --modversion netrt)" == "$(sed -n 's/^#define NETRT_VERSION_STRING "\(.*\)"$/\1/p' "$root/include/netrt.h")" ]]
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Wextra -Werror app.c $(pkg-config --cflags --libs netrt) -Wl,-rpath,"$prefix/lib" -o app-pc
./app-pc
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Wextra -Werror app.c $(pkg-config --cflags netrt) "$prefix/lib/libnetrt.a" \
  $(pkg-config --libs-only-other --libs-only-l --static netrt | sed 's/-lnetrt//') -o app-static
./app-static

# C++: the installed header-only projection through the same CMake target.
cat >app.cpp <<'CPP'
#include <netrt/Windows.Networking.Sockets.h>
#include <cstdio>
int main() {
    netrt::Windows::Networking::HostName host{ L"127.0.0.1" };
    netrt::Windows::Networking::Sockets::StreamSocket socket;
    auto status = netrt::Windows::Networking::Sockets::SocketError::GetStatus(static_cast<int32_t>(0x8007274D));
    if (status != netrt::Windows::Networking::Sockets::SocketErrorStatus::ConnectionRefused) return 1;
    std::printf("installed C++ projection works (%s)\n", netrt::to_string(host.CanonicalName()).c_str());
    return 0;
}
CPP
cat >CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(netrt_install_test C CXX)
find_package(netrt 0.1 REQUIRED)
add_executable(app app.c)
add_executable(app_cpp app.cpp)
set_target_properties(app_cpp PROPERTIES CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON)
target_link_libraries(app_cpp PRIVATE netrt::netrt)
target_link_libraries(app PRIVATE netrt::netrt)
add_executable(app_static app.c)
target_link_libraries(app_static PRIVATE netrt::netrt_static)
CMAKE
cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build >/dev/null
build/app
build/app_static
build/app_cpp
echo "install test passed (pkg-config shared + static, CMake find_package netrt::netrt from C and C++)"
