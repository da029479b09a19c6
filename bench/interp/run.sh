#!/usr/bin/env bash
# The example Scheme interpreter (examples/scheme) on rcgc, on Boehm GC and on malloc that
# never frees, side by side: CPU time (user + system) and peak RSS of each program, the
# median of ROUNDS runs (default 5), the three builds interleaved within each round.
#
# usage: bash bench/interp/run.sh [ROUNDS]     (BUILD=dir picks the build tree)
# Builds (or brings up to date) a Release tree in build-interp-bench, or in BUILD.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
build=${BUILD:-build-interp-bench}
[ -f "$build/CMakeCache.txt" ] ||
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DRCGC_BUILD_TOOLS=OFF >/dev/null
targets="rcgc-scheme scheme-nofree"
pkg-config --exists bdw-gc 2>/dev/null && targets="$targets scheme-boehm"
cmake --build "$build" -j 2 --target $targets >/dev/null
declare -A bin=([rcgc]=$build/examples/scheme/rcgc-scheme [boehm]=$build/bench/interp/scheme-boehm
                [nofree]=$build/bench/interp/scheme-nofree)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The churn loop at four times the length: flat memory means the same peak RSS.
sed 's/(churn 500000)/(churn 2000000)/' bench/interp/churn.scm > "$tmp/churn-2m.scm"
programs=(fib tak queens bintrees churn churn-2m)
# Runs a program with its output to $1; prints its CPU time (user + system, from wait4:
# microseconds, where GNU time prints hundredths) and its peak RSS in KiB (GNU time's, of
# the program alone). The CPU figure includes GNU time's own start, about a millisecond,
# alike for every build.
cpu_rss() {
  python3 -c 'import os, sys
out, rss = sys.argv[1], sys.argv[1] + ".rss"
argv = ["/usr/bin/time", "-f", "%M", "-o", rss] + sys.argv[2:]
fa = [(os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=fa)
_, status, ru = os.wait4(pid, 0)
if status != 0:
    sys.exit(f"run.sh: {sys.argv[2]} failed")
print(f"{ru.ru_utime + ru.ru_stime:.6f} {open(rss).read().split()[-1]}")' "$@"
}
path() { if [ "$1" = churn-2m ]; then echo "$tmp/churn-2m.scm"; else echo "bench/interp/$1.scm"; fi; }

for ((r = 1; r <= rounds; r++)); do
  for p in "${programs[@]}"; do
    for impl in rcgc boehm nofree; do
      [ "$impl" = nofree ] && [ "$p" = churn-2m ] && continue
      res=$(cpu_rss "$tmp/out.$p.$impl" "${bin[$impl]}" "$(path "$p")")
      echo "$p $impl $res" >> "$tmp/all"
    done
  done
  echo "round $r of $rounds done" >&2
done

# Every build must print the same answer.
for p in "${programs[@]}"; do
  cmp -s "$tmp/out.$p.rcgc" "$tmp/out.$p.boehm" || { echo "run.sh: $p: rcgc and Boehm outputs differ" >&2; exit 1; }
done

# Instruction counts (deterministic, unlike the times) at smaller sizes, when valgrind is here.
if command -v valgrind >/dev/null; then
  sed 's/(fib 30)/(fib 22)/' bench/interp/fib.scm > "$tmp/cg-fib.scm"
  sed 's/(repeat 20)/(repeat 2)/' bench/interp/tak.scm > "$tmp/cg-tak.scm"
  sed 's/(repeat 40 0)/(repeat 3 0)/' bench/interp/queens.scm > "$tmp/cg-queens.scm"
  sed 's/(main 16)/(main 12)/' bench/interp/bintrees.scm > "$tmp/cg-bintrees.scm"
  sed 's/(churn 500000)/(churn 50000)/' bench/interp/churn.scm > "$tmp/cg-churn.scm"
  for p in fib tak queens bintrees churn; do
    for impl in rcgc boehm; do
      n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "${bin[$impl]}" "$tmp/cg-$p.scm" 2>&1 >/dev/null |
          sed -n 's/.*Collected : \([0-9]*\).*/\1/p; s/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d , | head -1)
      echo "$p $impl $n" >> "$tmp/cg"
    done
  done
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit-dirty"
python3 - "$tmp" "$rounds" "$cpu, $(nproc) cores" "$(cut -d' ' -f1-3 /proc/loadavg)" "$commit" \
    "$(cc --version | head -1)" "$(dpkg-query -W -f='${Version}' libgc-dev 2>/dev/null || echo '?')" <<'PY'
import datetime, os, re, statistics, sys
tmp, rounds, cpu, load, commit, cc, gcver = sys.argv[1:8]
rows = {}
for line in open(os.path.join(tmp, "all")):
    p, impl, cpu_s, rss = line.split()
    rows.setdefault((p, impl), []).append((float(cpu_s), int(rss)))
med = {k: (statistics.median(c for c, _ in v), statistics.median(m for _, m in v)) for k, v in rows.items()}
progs = ["fib", "tak", "queens", "bintrees", "churn", "churn-2m"]
L = ["<!-- interp:begin (written by bench/interp/run.sh; bench/bench.py keeps it) -->",
     "## The example Scheme interpreter (issue 17)", "",
     f"`bash bench/interp/run.sh {rounds}` on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC: the interpreter of "
     "[examples/scheme](../examples/scheme/) on rcgc, on Boehm GC (GC_MALLOC, never free; "
     f"libgc-dev {gcver}) and on malloc that never frees, the same source built three ways "
     f"(CMake Release, -O3). Machine: {cpu}; {cc}; load average {load} when the report was written (a shared "
     f"machine: other work widens the spread). Source `{commit}`. Medians of {rounds} runs per "
     "program and build, the three builds interleaved in each round; CPU time is user + system "
     "(wait4, in microseconds), memory is peak RSS (GNU time). churn-2m is churn run four times as long: flat memory means "
     "the same peak.", "",
     "Programs (bench/interp/): fib 30; tak 18 12 6, 20 times; all 92 solutions of 8 queens as "
     "lists, 40 times; binary-trees depth 16 on pairs; closure churn, 500,000 objects of about "
     "ten rcgc objects each (a frame, three procedures closing over it, a vector, three pairs) "
     "in cycles, dropped at once.", "",
     "| program | rcgc CPU s | Boehm CPU s | rcgc / Boehm | no-free CPU s | rcgc RSS KiB | Boehm RSS KiB | rcgc / Boehm | no-free RSS KiB |",
     "|---|---|---|---|---|---|---|---|---|"]
for p in progs:
    r, b, n = med.get((p, "rcgc")), med.get((p, "boehm")), med.get((p, "nofree"))
    L.append(f"| {p} | {r[0]:.3f} | {b[0]:.3f} | {r[0]/b[0]:.3f} | {n[0]:.3f} | {r[1]:.0f} | {b[1]:.0f} | {r[1]/b[1]:.2f} | {n[1]:.0f} |"
             if n else f"| {p} | {r[0]:.3f} | {b[0]:.3f} | {r[0]/b[0]:.3f} | - | {r[1]:.0f} | {b[1]:.0f} | {r[1]/b[1]:.2f} | - |")
L.append("")
cpu_ok = [p for p in progs if med[(p, "rcgc")][0] <= med[(p, "boehm")][0]]
rss_ok = [p for p in progs if med[(p, "rcgc")][1] <= med[(p, "boehm")][1]]
flat = med[("churn-2m", "rcgc")][1] / med[("churn", "rcgc")][1]
L.append("Goals: CPU time at or below Boehm's on every program: "
         + ("met." if len(cpu_ok) == len(progs) else
            "met on " + (", ".join(cpu_ok) or "none") + "; missed on "
            + ", ".join(f"{p} ({med[(p,'rcgc')][0]/med[(p,'boehm')][0]:.3f}x)" for p in progs if p not in cpu_ok) + ".")
         + " Peak RSS at or below Boehm's on every program: "
         + ("met." if len(rss_ok) == len(progs) else "missed on " + ", ".join(p for p in progs if p not in rss_ok) + ".")
         + f" Flat under closure churn: peak RSS at 2,000,000 objects is {flat:.2f}x the peak at 500,000.")
L.append("")
cgf = os.path.join(tmp, "cg")
if os.path.exists(cgf):
    cg = {}
    for line in open(cgf):
        p, impl, n = line.split()
        cg[(p, impl)] = int(n) if n.isdigit() else None
    L += ["Instructions (callgrind, deterministic) at smaller sizes: fib 22, tak twice, queens 3 times, "
          "binary-trees 12, churn 50,000.", "",
          "| program | rcgc | Boehm | rcgc / Boehm |", "|---|---|---|---|"]
    for p in ["fib", "tak", "queens", "bintrees", "churn"]:
        r, b = cg.get((p, "rcgc")), cg.get((p, "boehm"))
        if r and b:
            L.append(f"| {p} | {r:,} | {b:,} | {r/b:.2f} |")
    L.append("")
notes = os.path.join("bench", "interp", "NOTES.md")
if os.path.exists(notes):
    L += [open(notes).read().rstrip(), ""]
L.append("<!-- interp:end -->")
block = "\n".join(L) + "\n"
path = os.path.join("docs", "BENCHMARKS.md")
text = open(path).read()
m = re.search(r"<!-- interp:begin.*?<!-- interp:end -->\n", text, re.S)
text = text[:m.start()] + block + text[m.end():] if m else text.rstrip("\n") + "\n\n" + block
open(path, "w").write(text)
print(block)
PY
