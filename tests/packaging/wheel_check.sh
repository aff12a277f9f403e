#!/usr/bin/env bash
# `make wheel-check`: builds the Python extension as one abi3 wheel (`maturin build --release`),
# installs it into a clean venv of every CPython 3.9-3.13 found on the machine (pyenv's or on
# PATH) and runs tests/packaging/wheel_smoke.py in each. Then makes the sdist (`maturin sdist`),
# builds a wheel from it alone with pip (PEP 517, maturin fetched into an isolated build
# environment) and runs the smoke test with that wheel too.
#
# The wheel is abi3 for CPython >= 3.11 (cp311-abi3): netrt's Buffer implements the buffer
# protocol, which joined the stable ABI in 3.11. For 3.9 and 3.10 the check is that pip refuses
# the wheel as unsupported rather than installing something that cannot load.
#
# Environment: WHEEL_PYTHONS (space-separated interpreters to try instead of the search).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/target/wheel-check"
rm -rf "$out"
mkdir -p "$out"

# maturin from the project venv (pinned in tests/python/requirements.txt).
bash "$root/tests/install-deps.sh"
maturin_pin="$(grep '^maturin==' "$root/tests/python/requirements.txt")"
"$root/.venv/bin/python" -m pip install -q --disable-pip-version-check "$maturin_pin"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
"$root/.venv/bin/maturin" build --release --quiet -m "$root/bindings/python/Cargo.toml" -o "$out/dist"
wheel="$(ls "$out"/dist/netrt-*.whl)"
echo "wheel-check: built $(basename "$wheel")"
case "$(basename "$wheel")" in
  *-cp311-abi3-*) ;;
  *) echo "wheel-check: expected a cp311-abi3 wheel" >&2; exit 1 ;;
esac

find_python() { # the interpreter for version $1, if any
  local v="$1" candidate
  for candidate in "$(command -v "python$v" || true)" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/python"$v"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import venv' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
}

pythons=()
if [ -n "${WHEEL_PYTHONS:-}" ]; then
  read -r -a pythons <<<"$WHEEL_PYTHONS"
else
  for v in 3.9 3.10 3.11 3.12 3.13; do
    p="$(find_python "$v")"
    if [ -n "$p" ]; then pythons+=("$p"); else echo "wheel-check: no CPython $v on this machine"; fi
  done
fi

passed=0
failed=0
for python in "${pythons[@]}"; do
  version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  venv="$out/venv-$version"
  "$python" -m venv "$venv"
  minor="${version#3.}"
  if ((minor < 11)); then
    if "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-index "$wheel" 2>"$out/pip-$version.log"; then
      echo "wheel-check: CPython $version installed a cp311-abi3 wheel" >&2
      failed=$((failed + 1))
    else
      echo "wheel-check: CPython $version: refused as expected (abi3 needs 3.11)"
      passed=$((passed + 1))
    fi
    continue
  fi
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-index "$wheel"
  # Run from outside the source tree so `import netrt` is the installed wheel.
  if (cd "$out" && "$venv/bin/python" "$root/tests/packaging/wheel_smoke.py"); then
    passed=$((passed + 1))
  else
    echo "wheel-check: CPython $version: the smoke test failed" >&2
    failed=$((failed + 1))
  fi
done
# The sdist must carry every source the build needs: build it outside the repository.
last_venv="$(ls -d "$out"/venv-3.1[1-9] 2>/dev/null | sort -V | tail -1)"
if [ -n "$last_venv" ]; then
  "$root/.venv/bin/maturin" sdist -m "$root/bindings/python/Cargo.toml" -o "$out/sdist"
  sdist="$(ls "$out"/sdist/netrt-*.tar.gz)"
  echo "wheel-check: built $(basename "$sdist") ($(tar tzf "$sdist" | wc -l) files)"
  if (cd "$out" && "$last_venv/bin/python" -m pip wheel -q --disable-pip-version-check --no-deps \
        -w "$out/from-sdist" "$sdist") &&
     "$last_venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-index \
        "$out"/from-sdist/netrt-*.whl &&
     (cd "$out" && "$last_venv/bin/python" "$root/tests/packaging/wheel_smoke.py"); then
    echo "wheel-check: the sdist builds a working wheel"
    passed=$((passed + 1))
  else
    echo "wheel-check: building or using a wheel from the sdist failed" >&2
    failed=$((failed + 1))
  fi
fi
echo "wheel-check: $passed passed, $failed failed"
((failed == 0 && passed > 0))
