#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ (docs/fuzzing.md), one after the other.
#
#   fuzz/run.sh SECONDS [TARGET...]      (default: every target)
#
# Each target starts from its committed seeds (fuzz/corpus/<target>, never written to) plus
# what earlier runs found (fuzz/target/work/<target>, where new inputs go); a crash, leak or
# slow input (over 10 s) stops the run and is saved as fuzz/artifacts/<target>/crash-... (or
# leak-/timeout-/slow-unit-). The log of each run is fuzz/target/logs/<target>.log; its last
# lines are libFuzzer's final statistics (executions, coverage).
#
# Needs cargo-fuzz (installed here at the pinned version when missing) and a nightly compiler
# feature set, which RUSTC_BOOTSTRAP=1 unlocks on the stable toolchain.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
seconds="${1:?usage: fuzz/run.sh SECONDS [TARGET...]}"
shift
targets=("$@")
((${#targets[@]})) || targets=(data_reader certificate names crl web manifest broker_protocol feed ws_frames transfer)
cargo_fuzz_version=0.13.2

if ! cargo fuzz --version 2>/dev/null | grep -q " $cargo_fuzz_version\$"; then
  echo "fuzz: installing cargo-fuzz $cargo_fuzz_version"
  cargo install -q cargo-fuzz --version "=$cargo_fuzz_version" --locked
fi
export RUSTC_BOOTSTRAP=1
cd "$here"
# cargo-fuzz's default build: optimised, with debug assertions and overflow checks on.
cargo fuzz build
mkdir -p target/logs

for t in "${targets[@]}"; do
  max_len=4096
  [[ "$t" == certificate ]] && max_len=8192 # PEM chains and PKCS#12 files are a few KiB
  mkdir -p "target/work/$t"
  echo "fuzz: $t for ${seconds}s (log: fuzz/target/logs/$t.log)"
  rc=0
  cargo fuzz run "$t" "target/work/$t" "corpus/$t" -- -max_total_time="$seconds" -timeout=10 \
    -max_len="$max_len" -print_final_stats=1 >"target/logs/$t.log" 2>&1 || rc=$?
  grep -E '^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units|^stat::peak_rss_mb' "target/logs/$t.log" || true
  if ((rc != 0)); then
    tail -n 40 "target/logs/$t.log"
    echo "fuzz: $t failed (exit $rc); the input is in fuzz/artifacts/$t/" >&2
    exit 1
  fi
done
echo "fuzz: every target ran ${seconds}s without a finding"
