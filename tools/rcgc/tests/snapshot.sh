#!/bin/bash
# Tests of `rcgc snapshot`, one case per run: snapshot.sh RCGC SNAPGEN CASE
# Exit 0 pass, 1 fail, 77 skipped (a tool the case needs is missing).
set -u
rcgc=$1
gen=$2
case=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_bad STATUS FILE-CONTENT...: the summary of that file exits STATUS with an
# `rcgc: ` message and prints nothing on standard output.
expect_bad() {
    printf '%s' "$1" > "$work/bad.heapsnapshot"
    "$rcgc" snapshot summary "$work/bad.heapsnapshot" > "$work/out" 2> "$work/err"
    local st=$?
    [ $st -eq 1 ] || fail "status $st for: $1"
    [ ! -s "$work/out" ] || fail "output for: $1"
    grep -q '^rcgc: .*heapsnapshot: ' "$work/err" || fail "no message for: $1: $(cat "$work/err")"
    [ -n "${2:-}" ] && { grep -q -- "$2" "$work/err" || fail "message '$(cat "$work/err")' lacks '$2'"; }
    return 0
}

meta='"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden","object","synthetic"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element","property","weak"],"string_or_number","node"]}'
good="{\"snapshot\":{$meta,\"node_count\":2,\"edge_count\":1},\"nodes\":[2,0,1,0,1,1,1,3,8,0],\"edges\":[1,1,5],\"strings\":[\"r\",\"x\"]}"

roundtrip() { # roundtrip SEED OBJECTS
    "$gen" "$1" "$2" "$work/s.heapsnapshot" "$work/expected" "$work/survivors" || fail "snapgen"
    "$rcgc" snapshot dump "$work/s.heapsnapshot" > "$work/dump" || fail "dump"
    "$rcgc" snapshot garbage "$work/s.heapsnapshot" > "$work/garbage" || fail "garbage"
    python3 "$here/snapshot_check.py" "$work/expected" "$work/survivors" "$work/dump" "$work/garbage" || fail "seed $1"
}

case $case in
roundtrip_small_heaps_match_the_library)
    for seed in $(seq 1 16); do roundtrip "$seed" 80; done ;;
roundtrip_3000_object_heaps_match_the_library)
    for seed in 101 102 103 104; do roundtrip "$seed" 3000; done ;;
garbage_count_matches_listing)
    "$gen" 7 500 "$work/s.heapsnapshot" "$work/e" "$work/v" || fail snapgen
    n=$("$rcgc" snapshot garbage --count "$work/s.heapsnapshot")
    m=$("$rcgc" snapshot garbage "$work/s.heapsnapshot" | wc -l)
    [ "$n" = "$m" ] || fail "count $n, listed $m" ;;
dominators_match_brute_force_on_3000_random_graphs)
    "$(dirname "$gen")/rcgc_snapdom" 1 3000 || fail "snapdom" ;;
stdin_reads_the_same_snapshot)
    "$gen" 3 300 "$work/s.heapsnapshot" "$work/e" "$work/v" || fail snapgen
    "$rcgc" snapshot summary "$work/s.heapsnapshot" | tail -n +2 > "$work/a"
    "$rcgc" snapshot summary - < "$work/s.heapsnapshot" | tail -n +2 > "$work/b"
    cmp -s "$work/a" "$work/b" || fail "stdin differs" ;;
summary_counts_types_and_totals)
    "$gen" grow "$work/a.heapsnapshot" "$work/b.heapsnapshot" || fail snapgen
    "$rcgc" snapshot summary "$work/b.heapsnapshot" > "$work/out" || fail summary
    head -1 "$work/out" | grep -q ': 141 objects, 141 edges, ' || fail "totals: $(head -1 "$work/out")"
    grep -qE '^ +100 +[0-9]+ +[0-9]+  dict$' "$work/out" || fail "dict row: $(cat "$work/out")"
    grep -qE '^ +41 +[0-9]+ +[0-9]+  list$' "$work/out" || fail "list row: $(cat "$work/out")" ;;
diff_reports_growth_and_new_objects_by_site)
    "$gen" grow "$work/a.heapsnapshot" "$work/b.heapsnapshot" || fail snapgen
    "$rcgc" snapshot diff "$work/a.heapsnapshot" "$work/b.heapsnapshot" > "$work/out" || fail diff
    grep -q ': 51 -> 141 objects; 100 new' "$work/out" || fail "head: $(cat "$work/out")"
    grep -qE '^ +100 +\+100 +[0-9]+ +\+[0-9]+  dict$' "$work/out" || fail "dict growth: $(cat "$work/out")"
    grep -qE '^ +41 +-10 ' "$work/out" || fail "list shrink: $(cat "$work/out")"
    grep -qE '^ +100 +[0-9]+  dict@app.c:42  dict$' "$work/out" || fail "site: $(cat "$work/out")" ;;
path_shows_the_chain_from_the_roots)
    "$gen" grow "$work/a.heapsnapshot" "$work/b.heapsnapshot" || fail snapgen
    id=$("$rcgc" snapshot dump "$work/b.heapsnapshot" | awk '$5 == "dict" {print $2; exit}')
    "$rcgc" snapshot path "$work/b.heapsnapshot" "$id" > "$work/out" || fail path
    [ "$(wc -l < "$work/out")" = 3 ] || fail "chain: $(cat "$work/out")"
    grep -q 'held from outside (1 refs)\]-> list @' "$work/out" || fail "chain: $(cat "$work/out")"
    grep -q "^  -\[\[[0-9]*\]\]-> dict @$id\$" "$work/out" || fail "chain end: $(cat "$work/out")" ;;
dominators_lists_the_top_retainer)
    "$gen" grow "$work/a.heapsnapshot" "$work/b.heapsnapshot" || fail snapgen
    "$rcgc" snapshot dominators -n 1 "$work/b.heapsnapshot" > "$work/out" || fail dominators
    [ "$(wc -l < "$work/out")" = 2 ] || fail "$(cat "$work/out")"
    total=$("$rcgc" snapshot dump "$work/b.heapsnapshot" | awk '$1 == "node" {s += $4} END {print s}')
    sed -n 2p "$work/out" | grep -qE "^ +$total +[0-9]+  list @[0-9]+  \(\(synthetic\) @1 \(rcgc roots\)\)$" ||
        fail "top: $(cat "$work/out") (total $total)" ;;
refs_and_backrefs_write_text_and_dot)
    "$gen" grow "$work/a.heapsnapshot" "$work/b.heapsnapshot" || fail snapgen
    id=$("$rcgc" snapshot dump "$work/b.heapsnapshot" | awk '$5 == "list" {print $2; exit}')
    "$rcgc" snapshot refs --too-many 3 "$work/b.heapsnapshot" "$id" > "$work/out" || fail refs
    [ "$(grep -c -- '-\[' "$work/out")" = 3 ] || fail "refs: $(cat "$work/out")"
    grep -q ": 137 more$" "$work/out" || fail "more: $(cat "$work/out")"
    "$rcgc" snapshot refs --filter dict --too-many 200 "$work/b.heapsnapshot" "$id" | grep -c 'dict @' > "$work/n"
    [ "$(cat "$work/n")" = 100 ] || fail "filter: $(cat "$work/n")"
    leaf=$("$rcgc" snapshot dump "$work/b.heapsnapshot" | awk '$5 == "dict" {print $2; exit}')
    "$rcgc" snapshot backrefs -o "$work/g.dot" "$work/b.heapsnapshot" "$leaf" || fail backrefs
    grep -q 'peripheries=2' "$work/g.dot" || fail "no root mark: $(cat "$work/g.dot")"
    grep -q 'fontcolor=red' "$work/g.dot" || fail "no start mark"
    if command -v dot > /dev/null; then
        "$rcgc" snapshot backrefs -o "$work/g.svg" "$work/b.heapsnapshot" "$leaf" || fail svg
        grep -q '<svg' "$work/g.svg" || fail "not svg"
    fi ;;
reads_a_snapshot_node_wrote)
    command -v node > /dev/null || { echo "node is not installed"; exit 77; }
    node -e 'globalThis.keep = []; for (let i = 0; i < 500; i++) keep.push({i}); require("v8").writeHeapSnapshot(process.argv[1])' "$work/n.heapsnapshot" || fail node
    want=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["snapshot"]["node_count"] - 1)' "$work/n.heapsnapshot")
    "$rcgc" snapshot summary -n 0 "$work/n.heapsnapshot" > "$work/out" || fail summary
    head -1 "$work/out" | grep -q ": $want objects," || fail "$(head -1 "$work/out") (want $want)"
    got=$(awk 'NR > 2 {s += $1} END {print s}' "$work/out")
    [ "$got" = "$want" ] || fail "rows add up to $got"
    "$rcgc" snapshot dominators "$work/n.heapsnapshot" > /dev/null || fail dominators
    "$rcgc" snapshot garbage --count "$work/n.heapsnapshot" > /dev/null || fail garbage
    id=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["nodes"][len(d["snapshot"]["meta"]["node_fields"]) * 100 + 2])' "$work/n.heapsnapshot")
    "$rcgc" snapshot path "$work/n.heapsnapshot" "$id" > /dev/null || fail path ;;
malformed_files_get_clear_errors)
    expect_bad '' 'truncated'
    expect_bad '{' 'truncated'
    expect_bad '[]' "expected '{'"
    expect_bad '{"nodes":[1]}' 'before "snapshot"'
    expect_bad "{\"snapshot\":{\"meta\":{}}}" 'node_fields lacks'
    expect_bad "${good%?}" 'truncated'
    expect_bad "${good}x" 'after the end'
    expect_bad "$(echo "$good" | sed 's/"node_count":2/"node_count":3/')" 'node_count 3 does not fit\|more than\|expected'
    expect_bad "$(echo "$good" | sed 's/"node_count":2/"node_count":99999999999/')" 'does not fit'
    expect_bad "$(echo "$good" | sed 's/"node_count":2/"node_count":0/')" 'no nodes'
    expect_bad "$(echo "$good" | sed 's/"edges":\[1,1,5\]/"edges":[1,1,6]/')" 'not the start of one of the 2 nodes'
    expect_bad "$(echo "$good" | sed 's/"edges":\[1,1,5\]/"edges":[1,1,50]/')" 'not the start'
    expect_bad "$(echo "$good" | sed 's/"edges":\[1,1,5\]/"edges":[7,1,5]/')" 'edge 0 has type 7'
    expect_bad "$(echo "$good" | sed 's/"edges":\[1,1,5\]/"edges":[1,9,5]/')" 'names string 9'
    expect_bad "$(echo "$good" | sed 's/"nodes":\[2,0/"nodes":[5,0/')" 'has type 5'
    expect_bad "$(echo "$good" | sed 's/"nodes":\[2,0/"nodes":[-2,0/')" 'negative'
    expect_bad "$(echo "$good" | sed 's/"nodes":\[2,0/"nodes":[2.5,0/')" 'whole number'
    expect_bad "$(echo "$good" | sed 's/"edge_count":1/"edge_count":2/')" 'edge_count is 2'
    expect_bad "$(echo "$good" | sed 's/"x"/"\\q"/')" 'bad escape'
    expect_bad "$(echo "$good" | sed 's/"x"/"\\u12"/')" 'escape'
    expect_bad "$(echo "$good" | sed 's/,"strings":\["r","x"\]//')" 'no "strings"'
    # deep nesting in a skipped member must not reach the C stack
    deep=$(python3 -c 'print("[" * 200000 + "]" * 200000)')
    expect_bad "{\"x\":$deep,\"snapshot\":{}}" 'meta is missing'
    deep_tree=$(python3 -c 'print("[1,0,1,1," * 100000 + "[]" + "]" * 100000)')
    expect_bad "$(echo "$good" | sed 's/,"strings"/,"trace_tree":'"$deep_tree"'XX,"strings"/')" 'expected'
    # every prefix of a real snapshot is refused cleanly
    "$gen" grow "$work/a.heapsnapshot" "$work/b.heapsnapshot" || fail snapgen
    size=$(stat -c %s "$work/a.heapsnapshot")
    for cut in $(seq 0 97 $((size - 1))); do
        head -c "$cut" "$work/a.heapsnapshot" > "$work/cut.heapsnapshot"
        "$rcgc" snapshot summary "$work/cut.heapsnapshot" > /dev/null 2> "$work/err"
        [ $? -eq 1 ] || fail "prefix of $cut bytes accepted"
        grep -q '^rcgc: ' "$work/err" || fail "prefix $cut: $(cat "$work/err")"
    done ;;
usage_errors_exit_2)
    for args in "" "frobnicate x" "summary" "summary a b" "path f" "path f notanid" "diff - -" "summary --bogus f" "refs --too-many 0 f 1" "dominators -n x f"; do
        # shellcheck disable=SC2086
        "$rcgc" snapshot $args > "$work/out" 2> "$work/err"
        st=$?
        [ $st -eq 2 ] || fail "'$args': status $st"
        grep -q '^rcgc: snapshot: ' "$work/err" || fail "'$args': $(cat "$work/err")"
    done
    "$rcgc" snapshot --help | grep -q '^usage: rcgc snapshot' || fail help
    printf '%s' "$good" > "$work/g.heapsnapshot"
    "$rcgc" snapshot path "$work/g.heapsnapshot" 12345 2> "$work/err"
    [ $? -eq 1 ] || fail "unknown id status"
    grep -q 'no object with id 12345' "$work/err" || fail "unknown id: $(cat "$work/err")"
    "$rcgc" snapshot summary "$work/missing.heapsnapshot" 2> "$work/err"
    [ $? -eq 1 ] || fail "missing file status" ;;
*)
    echo "unknown case $case" >&2
    exit 2 ;;
esac
exit 0
