#!/usr/bin/env bash
# Fails if the static library defines writable data (D/B/C symbols in .data/.bss/common):
# rcgc keeps all state in rc_heap (STYLE 3). Constant tables (R) are fine.
set -euo pipefail
lib=${1:?usage: check-no-globals.sh librcgc.a}
found=$(nm -A "$lib" | awk '$(NF-1) ~ /^[dDbBcCgGsS]$/ {print}')
if [ -n "$found" ]; then
  echo "writable data symbols in $lib:" >&2
  echo "$found" >&2
  exit 1
fi
echo "no writable data symbols in $lib"
