#!/usr/bin/env bash
# Instructions and heap allocations per C round trip (bench/c/rtt_cost.c), WinRT-shaped
# (`async`, the default) or through the one-call forms (`one`), counted by valgrind: callgrind
# for instructions (of the calling thread), DHAT for allocations. Each is counted at N and 2N
# round trips and the difference divided by N, so start-up (runtime, connect) cancels out.
# Usage: bench/c/rtt_cost.sh BINARY [N] [async|one]
# With PROFILE=FILE, the callgrind output of the 2N run's calling thread is kept in FILE (for
# `callgrind_annotate --inclusive=no FILE`: self cost per function).
set -euo pipefail
bin=$1
n=${2:-5000}
mode=${3:-async}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The calling thread's instructions only: netrt's runtime threads and the echo thread spin and
# park depending on how valgrind schedules them, which would make a whole-process count vary.
instructions() {
  rm -f "$tmp"/cg*
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$tmp/cg" "$bin" "$1" "$mode" >/dev/null 2>&1
  if [ -n "${PROFILE:-}" ]; then cp "$tmp/cg-01" "$PROFILE"; fi
  sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$tmp/cg-01"
}
allocations() {
  valgrind --tool=dhat --dhat-out-file="$tmp/dhat" "$bin" "$1" "$mode" 2>&1 >/dev/null |
    sed -n 's/.*Total: *[0-9,]* bytes in \([0-9,]*\) blocks.*/\1/p' | tr -d ,
}

i1=$(instructions "$n") i2=$(instructions $((2 * n)))
a1=$(allocations "$n") a2=$(allocations $((2 * n)))
case $mode in one) what=one-call ;; *) what=WinRT-shaped ;; esac
echo "per $what round trip (64 B write + 64 B read, $n vs $((2 * n)) round trips):"
echo "  instructions: $(((i2 - i1) / n))"
awk -v a="$a1" -v b="$a2" -v n="$n" 'BEGIN { printf "  allocations:  %.2f\n", (b - a) / n }'
