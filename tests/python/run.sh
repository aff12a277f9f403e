#!/usr/bin/env bash
# The Python suite: makes .venv if needed, installs the test tools and the netrt package
# (a wheel of ./bindings/python, built by maturin), then runs pytest on tests/python.
# The third-party Python peers the tests start (tests/peers/requirements.txt: the `websockets`
# server, ...) are installed too. Idempotent. Fails if pytest fails, and also if it collected
# no tests (its exit code 5). Then the async and cancellation tests run again on each other
# CPython >= 3.12 found (other-pythons.sh; a line says so when there is none).
#
# Environment: PYTEST_ARGS (extra pytest arguments); OTHER_PYTHONS (see other-pythons.sh);
# CARGO_TARGET_DIR (defaults to the workspace's target/ so the wheel build reuses compiled
# dependencies); NETRT_BROKERD (the netrt-brokerd the broker tests run; defaults to the debug
# build this script makes).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.venv"
py="$venv/bin/python"
req="$root/tests/python/requirements.txt"
peers_req="$root/tests/peers/requirements.txt"
stamp="$venv/.python-suite-installed"

if [ ! -x "$py" ]; then
  python3 -m venv "$venv"
fi
if [ ! -f "$stamp" ] || ! cat "$req" "$peers_req" | cmp -s - "$stamp"; then
  echo "tests/python: installing test tools and peers into .venv"
  "$py" -m pip install -q --disable-pip-version-check -r "$req" -r "$peers_req"
  cat "$req" "$peers_req" >"$stamp"
fi

echo "tests/python: building and installing netrt (pip wheel ./bindings/python)"
export PATH="$venv/bin:$PATH"  # the build backend runs the venv's maturin
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
# Built as a wheel first: the other Pythons (other-pythons.sh) install the same one (abi3).
wheels="$CARGO_TARGET_DIR/python-wheel"
rm -rf "$wheels"
# No build isolation: maturin comes from requirements.txt (pinned), nothing is fetched per run.
"$py" -m pip wheel -q --disable-pip-version-check --no-build-isolation --no-deps -w "$wheels" \
  "$root/bindings/python"
wheel="$(echo "$wheels"/netrt-*.whl)"
"$py" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"

# The socket broker tests (test_broker.py) run a private netrt-brokerd: build it and name it.
echo "tests/python: building netrt-brokerd (cargo build -p netrt-broker)"
cargo build -q -p netrt-broker --bin netrt-brokerd --manifest-path "$root/Cargo.toml"
export NETRT_BROKERD="${NETRT_BROKERD:-$CARGO_TARGET_DIR/debug/netrt-brokerd}"

cd "$root/tests/python"
set +e
# Run from outside the source tree so `import netrt` is the installed package.
"$py" -m pytest -c "$root/tests/python/pytest.ini" --rootdir "$root/tests/python" ${PYTEST_ARGS:-} "$root/tests/python"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "tests/python: pytest collected no tests; that is a failure" >&2
  rc=1
fi
# Then the async and cancellation tests on the other CPythons >= 3.12 found, if any.
suite_version="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
others=0
bash "$root/tests/python/other-pythons.sh" "$wheel" "$suite_version" || others=$?
if [ "$rc" -ne 0 ]; then
  exit "$rc"
fi
exit "$others"
