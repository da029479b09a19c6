#!/usr/bin/env bash
# make bench: builds rcgc and the C peers (Release), installs missing peers when run as
# root on Debian, then runs bench/bench.py, which interleaves rcgc and its peers, prints
# the tables and rewrites docs/BENCHMARKS.md and docs/bench-*.svg.
#
# usage: bash bench/run.sh [--quick] [--runs N] [--only CASE-PREFIXES]
#   --quick  3 rounds and smaller sizes (under 3 minutes on 2 cores); the full run takes
#            about half an hour.
# Environment: BENCH_BUILD (default build-bench), the Release build directory.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BENCH_BUILD:-$root/build-bench}

need=()
[ -x /usr/bin/python3 ] || need+=(python3)  # the CPython peer is Debian's python3
command -v php > /dev/null || need+=(php-cli)
command -v lua5.4 > /dev/null || need+=(lua5.4)
command -v gnuplot > /dev/null || need+=(gnuplot-nox)
command -v valgrind > /dev/null || need+=(valgrind)
command -v pkg-config > /dev/null || need+=(pkg-config)
[ -x /usr/bin/time ] || need+=(time)
[ -f /usr/include/gc/gc.h ] || [ -f /usr/include/gc.h ] || need+=(libgc-dev)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        echo "bench: installing ${need[*]}" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2 ||
            { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2; }
    else
        echo "bench: missing ${need[*]} (run as root to install them); those peers are skipped" >&2
    fi
fi
if [ ! -x /usr/bin/time ] || ! command -v python3 > /dev/null; then
    echo "rcgc: bench: python3 and /usr/bin/time are required" >&2
    exit 1
fi

echo "bench: building in $build (Release)" >&2
mkdir -p "$build"
# An existing Release build (e.g. BENCH_BUILD=build-release from the Makefile) is used as it
# is configured; anything else is configured here, without tests and tools.
if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build/CMakeCache.txt" 2> /dev/null; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
        -DRCGC_BUILD_TOOLS=OFF > "$build/bench-configure.log" 2>&1 ||
        { cat "$build/bench-configure.log" >&2; exit 1; }
fi
targets=$(cd "$root/bench/rcgc" && for f in *.c; do printf 'rcgc-bench-%s ' "${f%.c}"; done)
targets="$targets rcgc-bench-bintrees-sites"
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target $targets peer-malloc \
    $(grep -q '^BDWGC_FOUND:INTERNAL=1' "$build/CMakeCache.txt" && echo peer-boehm) >&2

exec python3 "$root/bench/bench.py" --build "$build" "$@"
