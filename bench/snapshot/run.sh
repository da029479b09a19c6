#!/usr/bin/env bash
# Heap snapshots on a heap of ten million objects (issue 13's goals), side by side with
# memlab: rc_heap_snapshot_write_path (bench/snapshot/heap.c), then `rcgc snapshot
# dominators` and `diff` on the files, and memlab's own loader and dominator computation
# (tools/rcgc/tests/memlab_check.js) on the same file. Each measurement is a new process
# under /usr/bin/time (wall and CPU seconds, peak RSS); medians of --runs runs go to
# docs/BENCHMARKS-snapshot.md. CPU seconds are reported beside wall seconds because a shared
# machine's wall clock counts time spent waiting for a core.
#
# usage: bash bench/snapshot/run.sh [--objects N] [--runs N] [--memlab-limit S] [--out DIR]
# Environment: BENCH_BUILD (default build-snapbench: Release, configured here);
# RCGC_CLIENTS_DIR, where memlab is installed (default bench/out/clients).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BENCH_BUILD:-$root/build-snapbench}
objects=10000000 runs=5 limit=600 out_dir=$root/docs
argv_line="bash bench/snapshot/run.sh${*:+ $*}"
while [ $# -gt 0 ]; do
    case $1 in
    --objects) objects=$2; shift ;;
    --runs) runs=$2; shift ;;
    --memlab-limit) limit=$2; shift ;;
    --out) out_dir=$2; shift ;;
    *) echo "usage: $0 [--objects N] [--runs N] [--memlab-limit S] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done
[ -x /usr/bin/time ] || { echo "rcgc: bench/snapshot: /usr/bin/time is required" >&2; exit 1; }
work=$root/bench/out/snapshot
mkdir -p "$work" "$out_dir"
if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build/CMakeCache.txt" 2> /dev/null; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF > "$work/configure.log" 2>&1 ||
        { cat "$work/configure.log" >&2; exit 1; }
fi
cmake --build "$build" -j 2 --target rcgc rcgc-bench-snapshot >&2
gen=$build/bench/snapshot/rcgc-bench-snapshot
rcgc=$build/tools/rcgc/rcgc
old=$work/old.heapsnapshot new=$work/new.heapsnapshot
: > "$work/results.txt"
record() { echo "$*" >> "$work/results.txt"; }
timed() { # timed NAME CMD...: one run, "NAME SECONDS PEAK_KB" recorded
    local name=$1
    shift
    /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" "$@" > "$work/$name.out"
    record "$name $(cat "$work/time.txt")"
}
for r in $(seq 1 "$runs"); do
    echo "bench/snapshot: run $r of $runs" >&2
    /usr/bin/time -f '%e %M' -o "$work/time.txt" "$gen" "$objects" "$old" "$new" > "$work/write.out"
    awk 'NR == 1 {print "write_first", $2, $3, $4, $5} NR == 2 {print "write_again", $2, $3, $4, $5}' "$work/write.out" >> "$work/results.txt"
    record "heap_process $(cat "$work/time.txt")"
    timed dominators nice "$rcgc" snapshot dominators "$old"
    timed diff nice "$rcgc" snapshot diff "$old" "$new"
    timed summary nice "$rcgc" snapshot summary "$old"
done
counts=$(head -1 "$work/summary.out")
memlab_status="not run: memlab is not installed (npm install memlab in ${RCGC_CLIENTS_DIR:-$root/bench/out/clients})"
modules=${RCGC_CLIENTS_DIR:-$root/bench/out/clients}/node_modules
if [ -d "$modules/@memlab/heap-analysis" ]; then
    echo "bench/snapshot: memlab on the same file (limit ${limit}s)" >&2
    set +e
    NODE_PATH=$modules /usr/bin/time -f '%e %M %U %S' -o "$work/time.txt" timeout "$limit" \
        node --max-old-space-size=8192 "$root/tools/rcgc/tests/memlab_check.js" "$old" > /dev/null 2> "$work/memlab.err"
    st=$?
    set -e
    if [ $st -eq 0 ]; then
        memlab_status="loaded: $(cat "$work/time.txt")"
    elif [ $st -eq 124 ]; then
        memlab_status="did not finish within ${limit} s"
    else
        memlab_status="failed (status $st): $(grep -v '^\s*$' "$work/memlab.err" | grep -v '\[K' | tail -2 | tr '\n' ' ')"
    fi
fi
python3 "$root/bench/snapshot/report.py" "$work/results.txt" "$out_dir/BENCHMARKS-snapshot.md" \
    "$argv_line" "$counts" "$memlab_status" "$objects"
