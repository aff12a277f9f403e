#!/usr/bin/env bash
# Builds and runs the C++ test suite (bindings/cpp/include/netrt.hpp) against a built libnetrt.
#
#   tests/cpp/run.sh [plain|asan|all]        (default: all)
#
# NETRT_LIB_DIR     directory holding libnetrt.so and libnetrt.a (default: <repo>/target/debug)
# NETRT_CPP_BUILD   where test binaries go (default: <repo>/target/cpp-tests)
# CXX               C++ compiler (default: g++; needs C++20 coroutines)
# NETRT_TEST_PKI    the TLS tests' certificates (default: <repo>/target/test-pki, made or reused
#                   by `tests/peers/launch pki --reuse`; the peers are started by tests/peers/launch)
#
# Every test is built as C++20; the tests without coroutines also as C++17. All with
# -Wall -Wextra -Werror.
# plain  links libnetrt.so (-L + rpath; a libnetrt.so.0 symlink satisfies the SONAME).
# asan   links libnetrt.a with -fsanitize=address,undefined (+ -lpthread -ldl -lm for the Rust
#        runtime); LeakSanitizer is on.
# A test exiting 77 is reported as SKIP (a capability missing from the library) and counted.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lib="${NETRT_LIB_DIR:-$root/target/debug}"
build="${NETRT_CPP_BUILD:-$root/target/cpp-tests}"
cxx="${CXX:-g++}"
mode="${1:-all}"
# name:standards — the C++17 builds are the tests that use no coroutines.
tests=(test_basics:17,20 test_echo:17,20 test_coroutines:20 test_sample_connect_tls:20 test_sample_upgrade_tls:20
  test_certificates:17,20 test_closed_objects:17,20 test_threading:20 test_chain_building:17,20 test_web_socket:17,20
  test_app_manifest:17,20 test_broker:17,20 test_syndication:17,20 test_storage:17,20
  test_background_transfer:17,20 test_control_channel:17,20)
cxxflags=(-Wall -Wextra -Werror -g -pthread -I"$root/include" -I"$root/bindings/cpp/include"
  -DNETRT_PEER_LAUNCH="\"$root/tests/peers/launch\"")

for f in libnetrt.so libnetrt.a; do
  [[ -f "$lib/$f" ]] || { echo "run.sh: $lib/$f not found (build netrt-ffi first)" >&2; exit 2; }
done
command -v openssl >/dev/null || { echo "run.sh: the openssl command is required" >&2; exit 2; }
command -v python3 >/dev/null || { echo "run.sh: python3 is required" >&2; exit 2; }
# test_web_socket runs tests/peers/ws_server.py with the venv made by tests/install-deps.sh.
export NETRT_TEST_PYTHON="${NETRT_TEST_PYTHON:-$root/.venv/bin/python}"
[[ -x "$NETRT_TEST_PYTHON" ]] || { echo "run.sh: $NETRT_TEST_PYTHON not found (run tests/install-deps.sh)" >&2; exit 2; }
export NETRT_WS_SERVER="$root/tests/peers/ws_server.py"
# test_broker runs the socket broker daemon (built by `make test-cpp`).
export NETRT_BROKERD="${NETRT_BROKERD:-$root/target/debug/netrt-brokerd}"
[[ -x "$NETRT_BROKERD" ]] || { echo "run.sh: $NETRT_BROKERD not found (cargo build -p netrt-broker)" >&2; exit 2; }
export NETRT_DIGEST_SERVER="$root/tests/peers/digest_server.py"
mkdir -p "$build/lib" "$build/plain" "$build/asan"
if [[ -z "${NETRT_TEST_PKI:-}" ]]; then
  NETRT_TEST_PKI="$root/target/test-pki"
  "$root/tests/peers/launch" pki --reuse "$NETRT_TEST_PKI"
fi
export NETRT_TEST_PKI
ln -sf "$lib/libnetrt.so" "$build/lib/libnetrt.so"
ln -sf "$lib/libnetrt.so" "$build/lib/libnetrt.so.0"

failures=0
skips=0
run() { # name, timeout, command...
  local name="$1" limit="$2" rc=0
  shift 2
  timeout "$limit" "$@" || rc=$?
  if ((rc == 0)); then
    echo "ok   $name"
  elif ((rc == 77)); then
    echo "SKIP $name (needs a capability the library does not have yet)"
    skips=$((skips + 1))
  else
    echo "FAIL $name (exit $rc)"
    failures=$((failures + 1))
  fi
}

# Prints "name-cxxNN" for every build of every test.
variants() {
  local t name stds std
  for t in "${tests[@]}"; do
    name="${t%%:*}"
    stds="${t#*:}"
    for std in ${stds//,/ }; do echo "$name-cxx$std"; done
  done
}

build_one() { # kind, variant
  local kind="$1" v="$2" name std
  name="${v%-cxx*}"
  std="${v##*-cxx}"
  if [[ "$kind" == plain ]]; then
    "$cxx" -std=c++"$std" "${cxxflags[@]}" "$here/$name.cpp" -L"$build/lib" -lnetrt \
      -Wl,-rpath,"$build/lib" -o "$build/plain/$v"
  else
    "$cxx" -std=c++"$std" "${cxxflags[@]}" -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
      -fno-sanitize-recover=all "$here/$name.cpp" "$lib/libnetrt.a" -lpthread -ldl -lm \
      -o "$build/asan/$v"
  fi
}

mapfile -t all_variants < <(variants)

# The examples in examples/cpp/ must keep compiling (C++20; run by hand or by `make demo-cpp`).
build_examples() {
  local e
  mkdir -p "$build/examples"
  for e in "$root"/examples/cpp/*.cpp; do
    "$cxx" -std=c++20 "${cxxflags[@]}" "$e" -L"$build/lib" -lnetrt -Wl,-rpath,"$build/lib" \
      -o "$build/examples/$(basename "$e" .cpp)"
  done
  echo "ok   examples/cpp build"
}

# Every C++ enum member equals its C constant (static_asserts generated from both headers;
# a member without a C constant fails the generator).
check_enum_values() {
  local std
  python3 "$here/enum_asserts.py" "$root/bindings/cpp/include/netrt/impl/enums.hpp" \
    "$root/include/netrt.h" "$build/enum_values.cpp"
  for std in 17 20; do
    "$cxx" -std=c++"$std" "${cxxflags[@]}" -fsyntax-only "$build/enum_values.cpp"
  done
  echo "ok   enum values (C++17, C++20)"
}

if [[ "$mode" == plain || "$mode" == all ]]; then
  for v in "${all_variants[@]}"; do build_one plain "$v"; done
  echo "== C++ tests (plain)"
  check_enum_values
  build_examples
  run listener_echo-example 60 "$build/examples/listener_echo"
  for v in "${all_variants[@]}"; do run "$v" 120 "$build/plain/$v"; done
fi
if [[ "$mode" == asan || "$mode" == all ]]; then
  echo "== C++ tests (ASan + UBSan, static libnetrt.a)"
  # Built, run and deleted one at a time (each carries libnetrt.a, ~100 MB); a failing one stays.
  for v in "${all_variants[@]}"; do
    build_one asan "$v"
    before=$failures
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      run "$v" 300 "$build/asan/$v"
    if ((failures == before)); then rm -f "$build/asan/$v"; fi
  done
fi

if ((failures)); then
  echo "$failures C++ test run(s) failed"
  exit 1
fi
if ((skips)); then
  echo "all C++ test runs passed ($skips skipped)"
else
  echo "all C++ test runs passed"
fi
