#!/bin/bash
# Real clients of rcgc's heap snapshots: memlab and Chrome DevTools load a snapshot that
# rc_heap_snapshot_write made and must agree with `rcgc snapshot`.
# usage: clients.sh RCGC SNAPGEN memlab|devtools
# The clients' npm packages (memlab, playwright-core) are looked for in
# $RCGC_CLIENTS_DIR/node_modules (default: bench/out/clients, where .ci/run installs them);
# DevTools needs Debian's chromium. A missing one skips the case (exit 77) with one line.
set -u
rcgc=$1
gen=$2
what=$3
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
modules=${RCGC_CLIENTS_DIR:-$root/bench/out/clients}/node_modules
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "clients: $* (skipped)"; exit 77; }
command -v node > /dev/null || skip "node is not installed"
"$gen" 5 3000 "$work/heap.heapsnapshot" "$work/e" "$work/v" || fail snapgen
"$rcgc" snapshot summary -n 0 "$work/heap.heapsnapshot" > "$work/summary" || fail summary
awk 'NR > 2 {print $4, $1}' "$work/summary" | sort > "$work/rcgc.counts"
total=$(head -1 "$work/summary" | sed 's/.*: \([0-9]*\) objects,.*/\1/')

case $what in
memlab)
    [ -d "$modules/@memlab/heap-analysis" ] || skip "memlab is not installed in $modules (npm install memlab)"
    NODE_PATH=$modules node "$here/memlab_check.js" "$work/heap.heapsnapshot" > "$work/memlab" 2> "$work/err" ||
        fail "memlab could not load the snapshot: $(tail -3 "$work/err")"
    awk '$1 == "count" {print $2, $3}' "$work/memlab" | sort > "$work/memlab.counts"
    cmp -s "$work/rcgc.counts" "$work/memlab.counts" ||
        fail "counts by class differ: $(diff "$work/rcgc.counts" "$work/memlab.counts" | head)"
    # retained sizes of every object the roots reach (memlab counts an unreachable
    # object's own size as its retained size; rcgc reports those objects as garbage)
    "$rcgc" snapshot dominators --all "$work/heap.heapsnapshot" | awk 'NR > 1 && $2 != "-" {print $1, $3}' | sort > "$work/rcgc.retained"
    awk '$1 == "retained" {print $2, $3}' "$work/memlab" | sort | join - "$work/rcgc.retained" -o 1.1,1.2 > "$work/memlab.retained"
    [ "$(wc -l < "$work/rcgc.retained")" -gt 1000 ] || fail "too few reachable objects"
    cmp -s "$work/rcgc.retained" "$work/memlab.retained" ||
        fail "retained sizes differ: $(diff "$work/rcgc.retained" "$work/memlab.retained" | head)"
    echo "memlab agrees: $(wc -l < "$work/rcgc.counts") classes, $(wc -l < "$work/rcgc.retained") retained sizes" ;;
devtools)
    [ -d "$modules/playwright-core" ] || skip "playwright-core is not installed in $modules (npm install playwright-core)"
    [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || skip "chromium is not installed (apt-get install chromium)"
    NODE_PATH=$modules timeout 300 node "$here/devtools_load.js" "$work/heap.heapsnapshot" > "$work/devtools" 2> "$work/err" ||
        fail "DevTools did not show the snapshot: $(grep -v 'unexpected operator' "$work/err" | tail -3)"
    awk '$1 == "class" {print $2, $3}' "$work/devtools" | sort > "$work/devtools.counts"
    cmp -s "$work/rcgc.counts" "$work/devtools.counts" ||
        fail "counts by class differ: $(diff "$work/rcgc.counts" "$work/devtools.counts" | head)"
    grep -q "^total $(printf "%'d" "$total" 2> /dev/null || echo "$total") objects" "$work/devtools" ||
        grep -q "^total ${total} objects\|^total $(echo "$total" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') objects" "$work/devtools" ||
        fail "DevTools total: $(grep total "$work/devtools"), rcgc: $total"
    echo "DevTools agrees: $(wc -l < "$work/rcgc.counts") classes, $total objects" ;;
*)
    echo "unknown case $what" >&2
    exit 2 ;;
esac
