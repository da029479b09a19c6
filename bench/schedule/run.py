#!/usr/bin/env python3
"""Issue 11's goals side by side in one run: the collector's automatic work.

usage: python3 bench/schedule/run.py BUILD_DIR [--runs N] [--quick] [--out FILE]
BUILD_DIR is a Release build holding bench/rcgc-bench-* and bench/peer-malloc (and
bench/peer-boehm when libgc-dev is installed), e.g. the one bench/run.sh makes
(build-bench). Rounds are interleaved (every program once per round); figures are medians
over the rounds. Writes the Markdown report to --out (default docs/BENCHMARKS-schedule.md).

Workloads (bench/rcgc/*.c, bench/peers/python/bench.py):
  binary-trees 16 and 20: wall time and peak RSS of the whole process (/usr/bin/time),
    rcgc (default schedule), malloc/free, Boehm GC.
  autogc: N long-lived containers built with automatic collection on and off (chain of
    user nodes; list of 2-element lists), rcgc and CPython; share = on / off - 1.
  ring (workload 9): 2M live nodes, 2-8-node cycles in a 20,000-slot ring, a 3-node cycle
    dropped each step; max cyclic garbage waiting, throughput, peak USS, pauses; the run
    five times longer; CPython (gc.callbacks) at the base length.
  no regressions: one full collection of 10M cyclic garbage (alone, and beside 10M live),
    workload 4's pause p99, weak references.
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PY = "/usr/bin/python3"
PYBENCH = os.path.join(ROOT, "bench", "peers", "python", "bench.py")


def run(cmd):
    """Runs cmd under /usr/bin/time; returns (dict of key -> list of floats, wall s, peak RSS MB)."""
    t = subprocess.run(["/usr/bin/time", "-f", "@@time %e %M"] + cmd, capture_output=True, text=True)
    if t.returncode != 0:
        sys.stderr.write(f"failed: {' '.join(cmd)}\n{t.stderr[-2000:]}\n")
        return None
    vals = {}
    for line in t.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                vals.setdefault(parts[0], []).append(float(parts[1]))
            except ValueError:
                pass
    wall = rss = None
    for line in t.stderr.splitlines():
        if line.startswith("@@time"):
            _, e, m = line.split()
            wall, rss = float(e), float(m) / 1024.0
    vals["wall_s"] = [wall]
    vals["peak_rss_mb"] = [rss]
    return vals


def pct(vals, p):
    s = sorted(vals)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "BENCHMARKS-schedule.md"))
    a = ap.parse_args()
    b = os.path.join(a.build, "bench")
    rc = lambda name: os.path.join(b, "rcgc-bench-" + name)
    boehm = os.path.join(b, "peer-boehm")
    q = a.quick
    depths = [14, 16] if q else [16, 20]
    sizes = ["100k", "1M"] if q else ["1M", "10M"]
    ring_steps = "60k" if q else "300k"
    ring_long = "300k" if q else "1500k"
    cyc = "1M" if q else "10M"
    cases = []  # (case id, label, cmd)
    for d in depths:
        cases.append((f"bt{d}", "rcgc", [rc("bintrees"), str(d)]))
        cases.append((f"bt{d}", "malloc", [os.path.join(b, "peer-malloc"), "bintrees", str(d)]))
        if os.path.exists(boehm):
            cases.append((f"bt{d}", "Boehm", [boehm, "bintrees", str(d)]))
    for n in sizes:
        for shape in ("chain", "lists"):
            for on in ("on", "off"):
                cases.append((f"auto-{shape}-{n}", f"rcgc {on}", [rc("autogc"), n, on, shape]))
                cases.append((f"auto-{shape}-{n}", f"CPython {on}", [PY, PYBENCH, "autogc", n, on, shape]))
    cases.append(("ring", "rcgc", [rc("ring"), "2M", ring_steps]))
    cases.append(("ring", "rcgc x5", [rc("ring"), "2M", ring_long]))
    cases.append(("ring", "rcgc generational", [rc("ring"), "2M", ring_steps, "generational"]))
    cases.append(("ring", "CPython", [PY, PYBENCH, "ring", "2M", ring_steps]))
    cases.append(("cycles", "10M garbage", [rc("cycles"), cyc, "node", "0"]))
    cases.append(("cycles", "10M+10M live", [rc("cycles"), cyc, "node", "1"]))
    cases.append(("pauses", "rcgc", [rc("pauses"), "1M" if q else "5M", "1" if q else "3"]))
    cases.append(("weak", "rcgc", [rc("weakrefs"), "1M" if q else "10M"]))

    res = {}
    t_start = time.time()
    load0 = os.getloadavg()
    for r in range(a.runs):
        for cid, label, cmd in cases:
            v = run(cmd)
            sys.stderr.write(f"round {r + 1}/{a.runs}: {cid} {label}\n")
            if v is not None:
                res.setdefault((cid, label), []).append(v)
    load1 = os.getloadavg()

    def med(cid, label, key):
        rs = res.get((cid, label), [])
        xs = [x[key][0] for x in rs if key in x and x[key][0] is not None]
        return statistics.median(xs) if xs else float("nan")

    def pooled(cid, label, key):
        out = []
        for x in res.get((cid, label), []):
            out += x.get(key, [])
        return out

    L = ["# rcgc benchmarks: the collector's schedule (issue 11)", "",
         f"Generated by `python3 bench/schedule/run.py {a.build}{' --quick' if q else ''} --runs {a.runs}` "
         f"on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; rerun it to refresh this page. "
         f"Medians of {a.runs} interleaved rounds. Wall time of the run: {(time.time() - t_start) / 60:.1f} min.",
         "",
         f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Linux "
         f"{platform.release()}; Python {platform.python_version()}. **The machine was shared with "
         f"other jobs** (load average {load0[0]:.2f} at the start, {load1[0]:.2f} at the end): wall "
         "times are noisy; ratios within one round are the figures to read.", "",
         "rcgc runs with its defaults: the candidate schedule (src/gc.c, section 5a), thresholds "
         "2000, 10, 10. `rcgc generational` is RC_GC_SCHEDULE_GENERATIONAL (CPython 3.13's "
         "schedule, the previous default).", ""]

    L += ["## binary-trees (whole process)", "",
          "| depth | rcgc s | malloc s | Boehm s | rcgc/malloc | rcgc/Boehm | rcgc RSS MB | malloc RSS MB | Boehm RSS MB |",
          "|---|---|---|---|---|---|---|---|---|"]
    for d in depths:
        c = f"bt{d}"
        r_, m_, g_ = med(c, "rcgc", "wall_s"), med(c, "malloc", "wall_s"), med(c, "Boehm", "wall_s")
        L.append(f"| {d} | {r_:.3f} | {m_:.3f} | {g_:.3f} | {r_ / m_:.2f} | {r_ / g_:.2f} | "
                 f"{med(c, 'rcgc', 'peak_rss_mb'):.1f} | {med(c, 'malloc', 'peak_rss_mb'):.1f} | "
                 f"{med(c, 'Boehm', 'peak_rss_mb'):.1f} |")
    L += ["", "## Building long-lived containers: automatic collection on vs off", "",
          "chain: each new user node takes over the reference to the previous one; lists: "
          "`rc_list_append(outer, [i, i])` then `rc_decref` of the inner list (every inner list "
          "becomes a candidate); CPython: `x.next = head` and `outer.append([i, i])`. Time of "
          "the build only (alloc_s).", "",
          "| shape | N | rcgc on s | rcgc off s | rcgc share | CPython on s | CPython off s | CPython share |",
          "|---|---|---|---|---|---|---|---|"]
    for shape in ("chain", "lists"):
        for n in sizes:
            c = f"auto-{shape}-{n}"
            ron, roff = med(c, "rcgc on", "alloc_s"), med(c, "rcgc off", "alloc_s")
            pon, poff = med(c, "CPython on", "alloc_s"), med(c, "CPython off", "alloc_s")
            L.append(f"| {shape} | {n} | {ron:.3f} | {roff:.3f} | {(ron / roff - 1) * 100:+.1f}% | "
                     f"{pon:.3f} | {poff:.3f} | {(pon / poff - 1) * 100:+.1f}% |")
    L += ["", "## Garbage latency: the ring workload (workload 9, bench/rcgc/ring.c)", "",
          f"2M live nodes; each step a 2-8-node cycle replaces the oldest in a 20,000-slot ring "
          f"(the old one is dropped) and a 3-node cycle is dropped at once. Steps: {ring_steps} "
          f"({ring_long} for x5). Waiting = nodes dropped - nodes freed by collections, after "
          "every step. Pauses pooled over the rounds.", "",
          "| run | max waiting | mean waiting | steps/s | peak USS MB | collections | pause p50 ms | p99 ms | max ms |",
          "|---|---|---|---|---|---|---|---|---|"]
    for label in ("rcgc", "rcgc x5", "rcgc generational", "CPython"):
        ps = pooled("ring", label, "pause_ms")
        L.append(f"| {label} | {med('ring', label, 'max_waiting'):.0f} | {med('ring', label, 'mean_waiting'):.0f} | "
                 f"{med('ring', label, 'steps_per_s'):.0f} | {med('ring', label, 'peak_uss_mb'):.1f} | "
                 f"{med('ring', label, 'n_pauses'):.0f} | {pct(ps, 50):.3f} | {pct(ps, 99):.3f} | "
                 f"{max(ps) if ps else float('nan'):.3f} |")
    L += ["", "## No regressions", "",
          "| workload | figure | median |", "|---|---|---|",
          f"| one full collection of {cyc} cyclic garbage (node) | ns/object | {med('cycles', '10M garbage', 'ns_per_obj'):.1f} |",
          f"| the same beside {cyc} live | collect s | {med('cycles', '10M+10M live', 'collect_s'):.3f} |"]
    ps = pooled("pauses", "rcgc", "pause_ms")
    L += [f"| workload 4, pauses | p99 ms (pooled) | {pct(ps, 99):.3f} |",
          f"| workload 4, pauses | collections | {med('pauses', 'rcgc', 'n_pauses'):.0f} |",
          f"| weak references | ns each | {med('weak', 'rcgc', 'weak_ns'):.1f} |", ""]
    with open(a.out, "w") as f:
        f.write("\n".join(L) + "\n")
    print("\n".join(L))


if __name__ == "__main__":
    main()
