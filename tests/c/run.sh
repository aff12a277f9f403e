#!/usr/bin/env bash
# Builds and runs the C test suite against a built libnetrt.
#
#   tests/c/run.sh [plain|asan|valgrind|all]        (default: all)
#
# NETRT_LIB_DIR   directory holding libnetrt.so and libnetrt.a (default: <repo>/target/debug)
# NETRT_C_BUILD   where test binaries go (default: <repo>/target/c-tests)
# NETRT_BROKERD   the socket broker daemon test_broker runs (default: <repo>/target/debug/netrt-brokerd)
# CC              C compiler (default: gcc)
# NETRT_C_ONLY    run only these tests and examples (space-separated names, e.g.
#                 "test_completion_queue epoll_echo"); default: all of them
# NETRT_TEST_PYTHON  the Python with the test peers (default: <repo>/.venv/bin/python, made by
#                 tests/install-deps.sh); the WebSocket tests run tests/peers/ws_server.py with it
# NETRT_TEST_PKI  the TLS tests' certificates (default: <repo>/target/test-pki, made or reused
#                 by `tests/peers/launch pki --reuse`; the peers are started by tests/peers/launch)
#
# plain     links libnetrt.so (-L + rpath; a libnetrt.so.0 symlink satisfies the SONAME).
# asan      links libnetrt.a into each test with -fsanitize=address,undefined (+ -lpthread -ldl
#           -lm for the Rust runtime), so no LD_PRELOAD is needed; LeakSanitizer is on. Each
#           binary is deleted once it passes (they are large; disk on CI machines is not).
# Every mode also builds and runs the completion-queue examples (examples/c/epoll_echo.c and
# glib_echo.c, the latter with pkg-config glib-2.0) the same way.
#
# valgrind  runs the plain binaries under memcheck; definite and indirect leaks are errors.
#           What the runtime keeps until exit (worker threads, the leaked tokio runtime) is
#           "still reachable" or "possibly lost" and is not reported. One suppression
#           (valgrind.supp): glibc's per-thread resolver context on a still-running thread.
#           Forked children are not checked (--child-silent-after-fork): test_fork's child
#           abandons the runtime it inherited, by design (docs/threading.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lib="${NETRT_LIB_DIR:-$root/target/debug}"
build="${NETRT_C_BUILD:-$root/target/c-tests}"
cc="${CC:-gcc}"
mode="${1:-all}"
tests=(test_version test_echo test_refused test_misuse test_callbacks test_fuzz test_tls_connect
  test_tls_upgrade test_tls_misuse test_fork test_dlopen test_exit_inflight test_fastpath
  test_fastpath_write test_handle_race test_certificate_chain test_cancel_stream test_blocking_io
  test_closed_objects test_completion_queue test_chain_building test_uri test_web_socket
  test_web_socket_faults test_web_socket_pull test_app_manifest test_broker test_syndication test_syndication_client test_atompub
  test_storage test_background_transfer test_control_channel)
if [[ -n "${NETRT_C_ONLY:-}" ]]; then
  read -r -a only <<<"$NETRT_C_ONLY"
  keep() { local n; for n in "${only[@]}"; do [[ "$n" == "$1" ]] && return 0; done; return 1; }
  picked=()
  for t in "${tests[@]}"; do if keep "$t"; then picked+=("$t"); fi; done
  tests=("${picked[@]}")
fi
cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -g -pthread -I"$root/include"
  -DNETRT_PEER_LAUNCH="\"$root/tests/peers/launch\"")

for f in libnetrt.so libnetrt.a; do
  [[ -f "$lib/$f" ]] || { echo "run.sh: $lib/$f not found (build netrt-ffi first)" >&2; exit 2; }
done
mkdir -p "$build/lib" "$build/plain" "$build/asan"
ln -sf "$lib/libnetrt.so" "$build/lib/libnetrt.so"
ln -sf "$lib/libnetrt.so" "$build/lib/libnetrt.so.0"

if [[ -z "${NETRT_TEST_PKI:-}" ]]; then
  NETRT_TEST_PKI="$root/target/test-pki"
  "$root/tests/peers/launch" pki --reuse "$NETRT_TEST_PKI"
fi
export NETRT_TEST_PKI
export NETRT_TEST_PYTHON="${NETRT_TEST_PYTHON:-$root/.venv/bin/python}"
[[ -x "$NETRT_TEST_PYTHON" ]] || { echo "run.sh: $NETRT_TEST_PYTHON not found (run tests/install-deps.sh)" >&2; exit 2; }
export NETRT_WS_SERVER="$root/tests/peers/ws_server.py"
# test_broker runs the socket broker daemon (built by `make test-c`).
export NETRT_BROKERD="${NETRT_BROKERD:-$root/target/debug/netrt-brokerd}"
[[ -x "$NETRT_BROKERD" ]] || { echo "run.sh: $NETRT_BROKERD not found (cargo build -p netrt-broker)" >&2; exit 2; }
export NETRT_DIGEST_SERVER="$root/tests/peers/digest_server.py"
# test_dlopen loads the shared library itself.
export NETRT_LIB_SO="$build/lib/libnetrt.so.0"

failures=0
run() { # name, timeout, command...
  local name="$1" limit="$2"
  shift 2
  if timeout "$limit" "$@"; then
    echo "ok   $name"
  else
    echo "FAIL $name (exit $?)"
    failures=$((failures + 1))
  fi
}

# The completion-queue examples: name and extra compiler flags (GLib's from pkg-config).
examples=(epoll_echo glib_echo)
if [[ -n "${NETRT_C_ONLY:-}" ]]; then
  picked=()
  for e in "${examples[@]}"; do if keep "$e"; then picked+=("$e"); fi; done
  examples=("${picked[@]}")
fi
example_flags() {
  if [[ "$1" == glib_echo ]]; then pkg-config --cflags --libs glib-2.0; fi
}

build_plain() {
  for t in "${tests[@]}"; do
    "$cc" "${cflags[@]}" "$here/$t.c" -L"$build/lib" -lnetrt -ldl -Wl,-rpath,"$build/lib" -o "$build/plain/$t"
  done
  for e in "${examples[@]}"; do
    # shellcheck disable=SC2046
    "$cc" "${cflags[@]}" "$root/examples/c/$e.c" $(example_flags "$e") -L"$build/lib" -lnetrt \
      -Wl,-rpath,"$build/lib" -o "$build/plain/$e"
  done
}

# One ASan binary: libnetrt.a is linked into each (about 100 MB with its debug info), so each is
# built, run and deleted in turn; a failing one is kept for a debugger.
asan_one() { # name, source, extra flags...
  local name="$1" src="$2"
  shift 2
  "$cc" "${cflags[@]}" -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
    -fno-sanitize-recover=all "$src" "$@" "$lib/libnetrt.a" -lpthread -ldl -lm -o "$build/asan/$name"
  local before=$failures
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run "$name" 300 "$build/asan/$name"
  if ((failures == before)); then rm -f "$build/asan/$name"; fi
}

if [[ "$mode" == plain || "$mode" == all || "$mode" == valgrind ]]; then
  build_plain
fi
if [[ "$mode" == plain || "$mode" == all ]]; then
  echo "== C tests (plain)"
  for t in "${tests[@]}" "${examples[@]}"; do run "$t" 120 "$build/plain/$t"; done
fi
if [[ "$mode" == asan || "$mode" == all ]]; then
  echo "== C tests (ASan + UBSan, static libnetrt.a)"
  for t in "${tests[@]}"; do asan_one "$t" "$here/$t.c"; done
  for e in "${examples[@]}"; do
    # shellcheck disable=SC2046
    asan_one "$e" "$root/examples/c/$e.c" $(example_flags "$e")
  done
fi
if [[ "$mode" == valgrind || "$mode" == all ]]; then
  echo "== C tests (valgrind memcheck)"
  for t in "${tests[@]}" "${examples[@]}"; do
    NETRT_TEST_SLOW=1 run "$t" 600 valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
      --errors-for-leak-kinds=definite,indirect --error-exitcode=1 --suppressions="$here/valgrind.supp" \
      --child-silent-after-fork=yes \
      "$build/plain/$t"
  done
fi

if ((failures)); then
  echo "$failures C test run(s) failed"
  exit 1
fi
echo "all C test runs passed"
