#!/usr/bin/env bash
# Compiles tests/inline/probe.c at -O2 with the build's C compiler and checks that its object
# code contains no call and no jump out of a function: rc_type_index, rc_is_type,
# rc_is_small_int, rc_is_int, rc_small_int_value and rc_int_value's small-int path are inline
# (issue 17, item 1),
# and so are rc_incref_value and rc_incref_obj.
# usage: run.sh C_COMPILER SOURCE_DIR WORK_DIR
set -euo pipefail
cc=$1 src=$2 work=$3
mkdir -p "$work"
obj=$work/inline-probe.o
"$cc" -std=c11 -O2 -fno-pic -I"$src/include" -c "$src/tests/inline/probe.c" -o "$obj"
dis=$work/inline-probe.dis
objdump -d -r "$obj" >"$dis"
# Every function of the probe must be present.
for f in probe_is_pair probe_is_list probe_type_index probe_is_int probe_add_small \
         probe_small_int_value probe_incref_value probe_incref_obj; do
  grep -q "<$f>:" "$dis" || { echo "inline probe: $f missing from the object code" >&2; exit 1; }
done
# A call, or a relocation (a tail call or a reference to another symbol), means out of line.
if grep -E '\bcall|R_X86_64_(PLT|PC)32|R_AARCH64_(CALL|JUMP)26|\bbl\b' "$dis"; then
  echo "inline probe: the code above calls out; the inline type tests are not inline" >&2
  exit 1
fi
echo "inline probe: 8 functions, no call"
echo "1 passed, 0 failed"
