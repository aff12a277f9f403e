#!/usr/bin/env bash
# The async and cancellation tests again on every other CPython >= 3.12 on the machine: asyncio
# changed under netrt's await in 3.12 (`wait_for` is built on `asyncio.timeout`, whose timer
# cancels the awaiting task itself) and bugs there do not show on the suite's Python. Called
# by run.sh after the full suite, with the wheel it built (abi3: one wheel for every version)
# and the suite's Python version. Each version gets its own venv, .venv-<major.minor>, with the
# pinned pytest tools only. Prints a line and succeeds when no such Python exists.
#
# Environment: OTHER_PYTHONS (interpreters to use instead of searching; "none" skips this);
# PYTEST_ARGS (extra pytest arguments, as for the full suite).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
wheel="$1"
suite_version="$2"
req="$root/tests/python/requirements.txt"

# "major.minor" when $1 runs and is CPython >= 3.12; nothing otherwise (a pyenv shim for a
# version that is installed but not selected does not run).
cpython_version() {
  "$1" -c 'import sys
if sys.implementation.name == "cpython" and sys.version_info >= (3, 12):
    print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true
}

# python3.12, python3.13, ... on PATH, then pyenv's installs (its shims run only the
# versions selected).
candidates() {
  local minor exe
  for minor in $(seq 12 30); do
    exe="$(command -v "python3.$minor" || true)"
    [ -n "$exe" ] && echo "$exe"
  done
  if command -v pyenv >/dev/null; then
    ls -d "$(pyenv root)"/versions/3.*/bin/python3.* 2>/dev/null | grep -E '/python3\.[0-9]+$' || true
  fi
}

if [ "${OTHER_PYTHONS:-}" = none ]; then
  echo "tests/python: other Pythons skipped (OTHER_PYTHONS=none)"
  exit 0
fi
declare -A seen=(["$suite_version"]=1)
pythons=()
for exe in ${OTHER_PYTHONS:-$(candidates)}; do
  version="$(cpython_version "$exe")"
  if [ -n "$version" ] && [ -z "${seen[$version]:-}" ]; then
    seen[$version]=1
    pythons+=("$version=$exe")
  fi
done
if [ "${#pythons[@]}" -eq 0 ]; then
  echo "tests/python: no other CPython >= 3.12 found (python3.12, python3.13, ... on PATH or in pyenv); the async tests ran on $suite_version only"
  exit 0
fi

failed=()
cd "$root/tests/python"
tests=(test_cancel_stream.py test_await_iter.py test_async*.py test_loop_*.py)
for entry in "${pythons[@]}"; do
  version="${entry%%=*}"
  exe="${entry#*=}"
  venv="$root/.venv-$version"
  py="$venv/bin/python"
  stamp="$venv/.async-tests-installed"
  # Only what these tests need, at the suite's pins.
  tools="$(grep -E '^(pytest|pytest-asyncio|pytest-timeout)==' "$req")"
  if [ ! -x "$py" ]; then
    "$exe" -m venv "$venv"
  fi
  if [ ! -f "$stamp" ] || ! cmp -s <(echo "$tools") "$stamp"; then
    echo "tests/python: installing pytest into .venv-$version"
    # shellcheck disable=SC2086  # one requirement per word
    "$py" -m pip install -q --disable-pip-version-check $tools
    echo "$tools" >"$stamp"
  fi
  "$py" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"
  echo "tests/python: the async and cancellation tests on Python $version ($exe)"
  set +e
  # shellcheck disable=SC2086  # PYTEST_ARGS is a list of words
  "$py" -m pytest -c "$root/tests/python/pytest.ini" --rootdir "$root/tests/python" ${PYTEST_ARGS:-} "${tests[@]}"
  rc=$?
  set -e
  # 5: PYTEST_ARGS selected none of these tests (the full suite checks that it collected some).
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then
    failed+=("$version")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "tests/python: the async tests failed on Python ${failed[*]}" >&2
  exit 1
fi
