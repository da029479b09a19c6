#!/usr/bin/env bash
# Graph tools on a heap of ten million objects, rcgc against objgraph, side by side in one
# run: bench/graph/backrefs.c (rcgc) and bench/graph/peer_objgraph.py (Debian's
# python3-objgraph on Debian's /usr/bin/python3) build the same heap and time the same
# calls; runs are interleaved (rcgc, objgraph, rcgc, objgraph ...), each a new process under
# /usr/bin/time -f '%e %M'. bench/graph/report.py then writes the medians, min-max, ratios
# and the status of issue 4's goals to docs/BENCHMARKS-graphs.md.
#
# usage: bash bench/graph/run.sh [--quick] [--runs N] [--limit S] [--out DIR]
#   --quick  a heap of a million objects (10 inner lists per mid list, not 100); the
#            report goes to bench/out/graph/ unless --out says otherwise
#   --runs   runs of each side (default 5)
#   --limit  seconds an objgraph operation may take before it is reported as timed out
#            (default 120)
#   --out    the directory the report is written to (default docs, or bench/out/graph)
# Environment: BENCH_BUILD, a Release build directory to use as it is (default
# build-graphbench, configured here without tests and tools).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BENCH_BUILD:-$root/build-graphbench}
quick=0 runs=5 limit=120 out_dir=""
argv_line="bash bench/graph/run.sh${*:+ $*}"
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --runs) runs=$2; shift ;;
    --limit) limit=$2; shift ;;
    --out) out_dir=$2; shift ;;
    *) echo "usage: $0 [--quick] [--runs N] [--limit S] [--out DIR]" >&2; exit 2 ;;
    esac
    shift
done
py=/usr/bin/python3 # Debian's CPython, not a pyenv build first on PATH
for need in "$py" /usr/bin/time; do
    [ -x "$need" ] || { echo "rcgc: bench/graph: $need is required" >&2; exit 1; }
done
if ! "$py" -c 'import objgraph' 2> /dev/null; then
    echo "rcgc: bench/graph: objgraph is missing (apt-get install python3-objgraph)" >&2
    exit 1
fi
n_inner=100
[ $quick -eq 1 ] && n_inner=10
work=$root/bench/out/graph
[ -n "$out_dir" ] || { [ $quick -eq 1 ] && out_dir=$work || out_dir=$root/docs; }
mkdir -p "$work" "$out_dir"
started=$(date +%s)

echo "bench/graph: building in $build (Release)" >&2
mkdir -p "$build"
if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build/CMakeCache.txt" 2> /dev/null; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
        -DRCGC_BUILD_TOOLS=OFF > "$build/graphbench-configure.log" 2>&1 ||
        { cat "$build/graphbench-configure.log" >&2; exit 1; }
fi
cmake --build "$build" -j "$(nproc 2> /dev/null || echo 2)" --target rcgc-bench-graph-backrefs >&2
rcgc_bin=$build/bench/graph/rcgc-bench-graph-backrefs

# measure SIDE RUN CMD...: one timed process; its lines go to $work/RUN.SIDE.txt, its wall
# time and peak RSS to $work/RUN.SIDE.time, a failure's status to $work/RUN.SIDE.status.
measure() {
    local side=$1 r=$2
    shift 2
    local status=0
    /usr/bin/time -f '%e %M' -o "$work/$r.$side.time" "$@" > "$work/$r.$side.txt" || status=$?
    [ $status -eq 0 ] || echo "$status" > "$work/$r.$side.status"
    echo "bench/graph: run $r $side: $(tail -1 "$work/$r.$side.time")" >&2
}

rm -f "$work"/*.txt "$work"/*.time "$work"/*.status
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Whole-process cap: the limit for each of the five objgraph graph operations, plus room
# for building the heap and the rest.
cap=$(awk -v l="$limit" 'BEGIN {printf "%d", l * 6 + 300}')
for r in $(seq 1 "$runs"); do
    measure rcgc "$r" timeout "$cap" "$rcgc_bin" "$n_inner" 1
    measure objgraph "$r" timeout "$cap" "$py" "$root/bench/graph/peer_objgraph.py" "$n_inner" \
        --limit "$limit"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

exec "$py" "$root/bench/graph/report.py" --work "$work" --runs "$runs" --out "$out_dir" \
    --load-before "$load_before" --load-after "$load_after" --started "$started" \
    --limit "$limit" --command "$argv_line" \
    --rcgc-command "$(realpath --relative-to="$root" "$rcgc_bin") $n_inner 1" \
    --peer-command "$py bench/graph/peer_objgraph.py $n_inner --limit $limit"
