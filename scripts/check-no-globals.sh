#!/usr/bin/env bash
# Fails if the static library has writable data: objects in .data, .bss or common
# (STYLE 3: all state lives in rc_heap). Read-only data is fine, including .data.rel.ro,
# where the compiler puts constant tables holding function pointers in position-independent code.
set -euo pipefail
lib=${1:?usage: check-no-globals.sh librcgc.a}
found=$(objdump -t "$lib" | awk '$0 ~ /[[:space:]](\.data|\.bss|\.tbss|\.tdata|\*COM\*)(\.[^r[:space:]][^[:space:]]*)?[[:space:]]/ && $0 !~ /\.data\.rel\.ro/ && $0 ~ / O /')
if [ -n "$found" ]; then
  echo "writable data objects in $lib:" >&2
  echo "$found" >&2
  exit 1
fi
echo "no writable data objects in $lib"
