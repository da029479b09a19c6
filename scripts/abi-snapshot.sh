#!/usr/bin/env bash
# The public ABI of rcgc as text, to compare two versions with diff: the sorted dynamic
# symbols the shared library defines, the layout (sizeof, and offset and size of every
# field, as gdb's `ptype /o` prints it) of every struct include/rcgc.h declares, every enum
# with its values, and the value of every object-like RC_ macro. A change of ABI shows as a
# difference; a pure reordering of the header shows none.
#   bash scripts/abi-snapshot.sh BUILD_DIR [HEADER_DIR] > abi.txt
# BUILD_DIR holds src/librcgc.so (any build type); HEADER_DIR defaults to this tree's include/.
# Needs gdb, nm and a C compiler.
set -euo pipefail
build=${1:?usage: abi-snapshot.sh BUILD_DIR [HEADER_DIR]}
inc=${2:-$(cd "$(dirname "$0")/.." && pwd)/include}
hdr=$inc/rcgc.h
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== dynamic symbols"
lib=$(ls "$build"/src/librcgc.so* | head -n 1)
nm -D --defined-only "$lib" | awk '{print $2, $3}' | sort -k2

structs=$(grep -oE '^(typedef )?struct rc_[a-z_0-9]+ \{' "$hdr" | awk '{print $(NF-1)}' | sort)
enums=$(grep -oE '^typedef enum rc_[a-z_0-9]+ \{' "$hdr" | awk '{print $3}' | sort)
macros=$(grep -oE '^#define RC_[A-Z_0-9]+ ' "$hdr" | awk '{print $2}' | grep -v '^RC_API$' | sort -u)

{
    echo '#include "rcgc.h"'
    echo '#include <stdio.h>'
    for s in $structs; do echo "struct $s v_$s;"; done
    for e in $enums; do echo "enum $e e_$e;"; done
    echo 'int main(void) {'
    for m in $macros; do echo "    printf(\"%s = %lld\\n\", \"$m\", (long long)($m));"; done
    echo '    return 0; }'
} > "$tmp/abi.c"
cc -std=c11 -g -O0 -I"$inc" "$tmp/abi.c" -o "$tmp/abi"

echo "== structs"
for s in $structs; do echo "ptype /o struct $s"; done > "$tmp/cmds"
for e in $enums; do
    for v in $(sed -n "/^typedef enum $e {/,/}/p" "$hdr" | grep -oE '^ *RC_[A-Z_0-9]+' | tr -d ' '); do
        echo "echo $e $v = "
        echo "output (long)$v"
        echo "echo \\n"
    done
done >> "$tmp/cmds"
gdb -batch -nx -x "$tmp/cmds" "$tmp/abi" 2>&1 | grep -v '^$'
echo "== macros"
"$tmp/abi"
