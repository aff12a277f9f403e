#!/usr/bin/env bash
# The Python suite: makes .venv if needed, installs the test tools and the netrt package
# (pip install ./bindings/python, built by maturin), then runs pytest on tests/python.
# The third-party Python peers the tests start (tests/peers/requirements.txt: the `websockets`
# server, ...) are installed too. Idempotent. Fails if pytest fails, and also if it collected
# no tests (its exit code 5).
#
# Environment: PYTEST_ARGS (extra pytest arguments); CARGO_TARGET_DIR (defaults to the
# workspace's target/ so the wheel build reuses compiled dependencies); NETRT_BROKERD (the
# netrt-brokerd the broker tests run; defaults to the debug build this script makes).
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

echo "tests/python: building and installing netrt (pip install ./bindings/python)"
export PATH="$venv/bin:$PATH"  # the build backend runs the venv's maturin
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
# No build isolation: maturin comes from requirements.txt (pinned), nothing is fetched per run.
"$py" -m pip install -q --disable-pip-version-check --no-build-isolation --force-reinstall --no-deps \
  "$root/bindings/python"

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
  exit 1
fi
exit "$rc"
