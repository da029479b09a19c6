#!/usr/bin/env bash
# The example Scheme interpreter (examples/scheme) on rcgc, on Boehm GC and on malloc that
# never frees, side by side: CPU time (user + system) and peak RSS of each program, the
# median of ROUNDS runs (default 5), the three builds interleaved within each round.
#
# usage: bash bench/interp/run.sh [ROUNDS]     (after `make`; BUILD=dir picks the build tree)
# Builds a Release tree in build-interp-bench unless BUILD names one with the three programs,
# without Graphviz (-DRCGC_WITH_GRAPHVIZ=OFF): its shared libraries, linked by the graph
# tools, add about 1 MiB to every process's RSS at start, whatever the program does.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
build=${BUILD:-build-interp-bench}
if [ ! -x "$build/bench/interp/scheme-boehm" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DRCGC_WITH_GRAPHVIZ=OFF \
    -DRCGC_BUILD_TOOLS=OFF >/dev/null
  cmake --build "$build" -j 2 --target rcgc-scheme scheme-boehm scheme-nofree >/dev/null
fi
declare -A bin=([rcgc]=$build/examples/scheme/rcgc-scheme [boehm]=$build/bench/interp/scheme-boehm
                [nofree]=$build/bench/interp/scheme-nofree)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The churn loop at four times the length: flat memory means the same peak RSS.
sed 's/(churn 500000)/(churn 2000000)/' bench/interp/churn.scm > "$tmp/churn-2m.scm"
programs=(fib tak queens bintrees churn churn-2m)
path() { if [ "$1" = churn-2m ]; then echo "$tmp/churn-2m.scm"; else echo "bench/interp/$1.scm"; fi; }

for ((r = 1; r <= rounds; r++)); do
  for p in "${programs[@]}"; do
    for impl in rcgc boehm nofree; do
      [ "$impl" = nofree ] && [ "$p" = churn-2m ] && continue
      /usr/bin/time -f "%U %S %M" -o "$tmp/t" "${bin[$impl]}" "$(path "$p")" > "$tmp/out.$p.$impl"
      read -r u s m < "$tmp/t"
      echo "$p $impl $(echo "$u + $s" | bc) $m" >> "$tmp/all"
    done
  done
  echo "round $r of $rounds done" >&2
done

# Every build must print the same answer.
for p in "${programs[@]}"; do
  cmp -s "$tmp/out.$p.rcgc" "$tmp/out.$p.boehm" || { echo "run.sh: $p: rcgc and Boehm outputs differ" >&2; exit 1; }
done

python3 - "$tmp/all" "$rounds" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    p, impl, cpu, rss = line.split()
    rows.setdefault((p, impl), []).append((float(cpu), int(rss)))
print(f"medians of {sys.argv[2]} runs; CPU = user + system seconds; RSS = peak KiB")
print()
print("| program | rcgc CPU s | Boehm CPU s | rcgc/Boehm | malloc-no-free CPU s | rcgc RSS KiB | Boehm RSS KiB | rcgc/Boehm | malloc-no-free RSS KiB |")
print("|---|---|---|---|---|---|---|---|---|")
for p in ["fib", "tak", "queens", "bintrees", "churn", "churn-2m"]:
    med = {}
    for impl in ["rcgc", "boehm", "nofree"]:
        v = rows.get((p, impl))
        med[impl] = (statistics.median(c for c, _ in v), statistics.median(m for _, m in v)) if v else None
    r, b, n = med["rcgc"], med["boehm"], med["nofree"]
    ncpu = f"{n[0]:.2f}" if n else "-"
    nrss = f"{n[1]:.0f}" if n else "-"
    print(f"| {p} | {r[0]:.2f} | {b[0]:.2f} | {r[0]/b[0]:.2f} | {ncpu} | {r[1]:.0f} | {b[1]:.0f} | {r[1]/b[1]:.2f} | {nrss} |")
PY
