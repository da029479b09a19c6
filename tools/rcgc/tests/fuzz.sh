#!/bin/bash
# Builds the libFuzzer targets of `rcgc unreachable` (edge list and JSON)
# and of `rcgc snapshot`'s reader and analyses with clang, ASan and UBSan,
# and runs each for a bounded time.
# usage: fuzz.sh [SECONDS_PER_TARGET]   (default 30)
# Exits non-zero on any crash, hang, leak or sanitizer report; the input
# that caused it is copied to the current directory (crash-*, leak-*,
# timeout-*, as libFuzzer names them).
set -eu
secs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
src=$here/..
cc=${CC:-}
if [ -z "$cc" ]; then
    for c in clang clang-14; do
        command -v "$c" > /dev/null && { cc=$c; break; }
    done
fi
[ -n "$cc" ] || { echo "fuzz.sh: clang not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lib="$src/cli.c $src/unreachable/input.c $src/unreachable/chunk.c $src/unreachable/parse_edges.c $src/unreachable/parse_json.c $src/unreachable/intern.c $src/unreachable/keys.c
     $src/unreachable/graph.c $src/unreachable/reach.c $src/unreachable/sweep.c $src/unreachable/direct.c $src/parallel.c $src/xalloc.c $src/progress.c $src/unreachable/output.c"

seed() { # seed TARGET NAME CONTENT
    mkdir -p "$work/corpus_$1"
    printf '%b' "$3" > "$work/corpus_$1/$2"
}
seed edges lesson 'A B\nA C\nB A\nB E\nC E\nD F\nF D\n'
seed edges ints '1 2\n01 1\n3\n2 1\r\n# c\n%% d\n\n4294967296 5 6\n'
seed edges dense '1 2\n2 3\n10 1\n 4\t5 0.5\r\n# x\n7\n12345678 0\n3 99999999\n2147483646 1\n'
seed edges mm '%%MatrixMarket matrix coordinate\n3 3 2\n1 2 1.0\n2 3 2.0\n'
seed edges bytes '\xff\xfe a\n\ta\t\xc3\xa9  x y z\r\n \r\n'
seed json lesson '{"A":["B","C"],"B":["A","D","E"],"G":["H"],"H":["G"]}'
seed json escapes ' {"\\u0041" : ["\\ud83d\\ude00", "a\\"b\\\\"], "1": [], "01": ["1"]}\n'
seed json bad '{"A":["B"] "C"'
meta='"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id"],"node_types":[["hidden","object","synthetic"],"string","number","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element","property","weak"],"string_or_number","node"]}'
seed snapshot small "{\"snapshot\":{$meta,\"node_count\":3,\"edge_count\":3},\"nodes\":[2,0,1,0,1,0,1,1,3,16,2,2,1,2,5,8,0,0],\"edges\":[1,0,6,0,0,12,2,1,6],\"trace_function_infos\":[1,0,1,0,0,0],\"trace_tree\":[1,0,1,2,[2,0,1,1,[]]],\"strings\":[\"(root)\",\"a\\u00e9\\n\",\"b\"]}"
seed snapshot cycle "{\"snapshot\":{$meta,\"node_count\":2,\"edge_count\":2},\"nodes\":[2,0,1,0,1,0,1,1,3,16,1,0],\"edges\":[1,1,6,0,5,6],\"strings\":[\"r\",\"x\"]}"

status=0
for target in edges json snapshot; do
    json=0
    [ "$target" = json ] && json=1
    if [ "$target" = snapshot ]; then
        "$cc" -std=c11 -g -O1 -pthread -fsanitize=fuzzer,address,undefined \
            -fno-sanitize-recover=all -DRCGC_SERIAL_TASKS \
            "$here/fuzz_snapshot.c" $lib "$src/snapshot/load.c" "$src/snapshot/analyze.c" \
            -o "$work/fuzz_$target"
    else
    "$cc" -std=c11 -g -O1 -pthread -fsanitize=fuzzer,address,undefined \
        -fno-sanitize-recover=all -DFUZZ_JSON=$json -DRCGC_SERIAL_TASKS \
        "$here/fuzz_unreachable.c" $lib -o "$work/fuzz_$target"
    fi
    mkdir -p "$work/art_$target"
    echo "fuzz.sh: running $target for ${secs}s"
    if ! "$work/fuzz_$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=4096 -print_final_stats=1 -artifact_prefix="$work/art_$target/" \
        "$work/corpus_$target" > "$work/$target.log" 2>&1; then
        echo "fuzz.sh: $target found a problem:" >&2
        grep -av '^#[0-9]' "$work/$target.log" | tail -40 >&2
        cp "$work/art_$target"/* . 2> /dev/null || true
        status=1
    else
        grep -aE 'stat::number_of_executed_units|cov:' "$work/$target.log" | tail -2
    fi
done
exit $status
