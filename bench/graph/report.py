#!/usr/bin/python3
"""report.py -- writes docs/BENCHMARKS-graphs.md from the runs bench/graph/run.sh made.

Called by run.sh after the runs; reads WORK/R.rcgc.txt, WORK/R.objgraph.txt (lines
"NAME: X ms (details)" or "NAME: timed out after S s"), WORK/R.SIDE.time ("%e %M" of
/usr/bin/time) and WORK/R.SIDE.status (exit status of a failed run). Gives, per operation,
the median and min-max over the runs of each side and the objgraph/rcgc ratio, computed run
by run (run r of rcgc against run r of objgraph, which ran right after it) and then the
median of those ratios; and the status of issue 4's two performance goals.
"""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIDES = ("rcgc", "objgraph")
BACKREFS = "show_backrefs max_depth 5"

# (rcgc's line, objgraph's line, what the row compares). None: the side has no such call.
ROWS = [
    (BACKREFS, BACKREFS, "`show_backrefs([target], max_depth=5)`, DOT text only"),
    ("find_backref_chain to top", "find_backref_chain to top",
     "`find_backref_chain(target, is top)`, default max_depth 20"),
    ("why_alive", None, "`rc_graph_why_alive` (objgraph has no such call)"),
    ("show_refs max_depth 5 from top", "show_refs max_depth 5 from top",
     "`show_refs([top], max_depth=5)`, DOT text only"),
    ("show_refs of a list of a million floats", "show_refs of a list of a million floats",
     "`show_refs([big])`, big a list of 10^6 floats, max_depth 5"),
    ("get_referrers", "get_referrers", "`gc.get_referrers(target)`"),
    ("typestats", "typestats", "**typestats**: rcgc's call vs `objgraph.typestats()`"),
    ("most_common_types", "most_common_types", "`most_common_types()` (limit 10)"),
    ("typestats", "typestats over all heap objects",
     "rcgc's typestats vs `objgraph.typestats(objects=<every heap object>)`"),
    ("typestats over gc_get_objects (bench walk)", "typestats",
     "a walk of the tracked containers on both sides (rcgc: bench code over `rc_gc_get_objects`)"),
    ("typestats over all heap objects (bench walk)", "typestats over all heap objects",
     "a walk of every heap object on both sides (rcgc: bench code over `rc_heap_visit`)"),
    (None, "gc.collect", "`gc.collect()`, which objgraph runs inside show_backrefs and find_backref_chain"),
]
COUNT_ROWS = [
    ("rcgc", "typestats", "rcgc typestats (`rc_objgraph_most_common_types`): per-type live counters"),
    ("rcgc", "typestats over gc_get_objects (bench walk)", "rcgc, bench walk of `rc_gc_get_objects(heap, -1)`"),
    ("rcgc", "typestats over all heap objects (bench walk)", "rcgc, bench walk of `rc_heap_visit`"),
    ("objgraph", "typestats", "`objgraph.typestats()`: walks `gc.get_objects()`"),
    ("objgraph", "typestats over all heap objects", "`objgraph.typestats(objects=...)`: the heap's objects, listed beforehand"),
]

LINE = re.compile(r"^(.+?): (?:([\d.]+) ms(?: \((.*)\))?|timed out after ([\d.]+) s)$")
HEAP = re.compile(r"^heap: (\d+) objects built in ([\d.]+) ms$")


class Run:
    """One process: its measurements, wall time, peak RSS and exit status."""

    def __init__(self, work, r, side):
        self.ms = {}         # name -> milliseconds, or None when timed out
        self.details = {}    # name -> the text in parentheses
        self.timeout_s = {}  # name -> the limit it ran past
        self.heap_objects = self.build_ms = None
        base = os.path.join(work, f"{r}.{side}")
        with open(base + ".txt") as f:
            for line in f.read().splitlines():
                self.parse(line)
        with open(base + ".time") as f:
            last = f.read().split("\n")
        fields = [ln for ln in last if re.match(r"^[\d.]+ \d+$", ln)]
        self.wall_s, self.rss_kb = (float(fields[-1].split()[0]), int(fields[-1].split()[1])) if fields else (None, None)
        self.status = 0
        if os.path.exists(base + ".status"):
            with open(base + ".status") as f:
                self.status = int(f.read().strip() or 1)

    def parse(self, line):
        m = HEAP.match(line)
        if m:
            self.heap_objects, self.build_ms = int(m.group(1)), float(m.group(2))
            return
        m = LINE.match(line)
        if not m or m.group(1) in self.ms:
            return  # a repeated measurement: the first counts
        name = m.group(1)
        if m.group(4):
            self.ms[name] = None
            self.timeout_s[name] = float(m.group(4))
        else:
            self.ms[name] = float(m.group(2))
            self.details[name] = m.group(3) or ""


def fmt_ms(v):
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 1:
        return f"{v:.1f}"
    if v >= 0.01:
        return f"{v:.3f}"
    return f"{v:.4f}"


def fmt_ratio(v):
    if v >= 100:
        return f"{v:,.0f}x"
    if v >= 10:
        return f"{v:.1f}x"
    return f"{v:.2f}x"


def side_stat(runs, name):
    """(median, min, max, n measured, n timed out, limit) of name over runs."""
    vals = [r.ms[name] for r in runs if name in r.ms and r.ms[name] is not None]
    outs = [r.timeout_s[name] for r in runs if name in r.timeout_s]
    if not vals:
        return None, None, None, 0, len(outs), max(outs, default=None)
    return statistics.median(vals), min(vals), max(vals), len(vals), len(outs), max(outs, default=None)


def ratios(rc_runs, og_runs, rname, oname):
    """objgraph/rcgc per run pair, both measured; and whether a timeout made a bound."""
    out = []
    for a, b in zip(rc_runs, og_runs):
        x, y = a.ms.get(rname), b.ms.get(oname)
        if x and y is not None:
            out.append(y / x)
    return out


def first_details(runs, name):
    """What the first run of a side said about name ("9 nodes, 8 edges"), or "-"."""
    return (runs[0].details.get(name, "") if name and runs else "") or "-"


def cell(stat):
    med, lo, hi, n, n_out, lim = stat
    if med is None and n_out:
        return f"timed out after {lim:g} s (all {n_out} runs)", ""
    if med is None:
        return "-", ""
    text = fmt_ms(med)
    if n_out:
        text += f" (timed out after {lim:g} s in {n_out} of {n + n_out} runs)"
    return text, f"{fmt_ms(lo)}-{fmt_ms(hi)}"


def ops_table(rc, og):
    L = ["| operation | rcgc ms (median) | rcgc min-max | objgraph ms (median) | objgraph min-max "
         "| objgraph / rcgc | drawn or found (rcgc / objgraph) |",
         "|---|---|---|---|---|---|---|"]
    for rname, oname, what in ROWS:
        rs = side_stat(rc, rname) if rname else (None, None, None, 0, 0, None)
        os_ = side_stat(og, oname) if oname else (None, None, None, 0, 0, None)
        rmed, rrange = cell(rs)
        omed, orange = cell(os_)
        ratio = "-"
        if rname and oname:
            rr = ratios(rc, og, rname, oname)
            if rr:
                ratio = f"{fmt_ratio(statistics.median(rr))} ({fmt_ratio(min(rr))}-{fmt_ratio(max(rr))})"
            elif os_[4] and rs[0]:
                ratio = f"> {fmt_ratio(os_[5] * 1000 / rs[0])}"
        if (rname or "").startswith("typestats") or (oname or "").startswith("typestats"):
            dets = "see below"
        else:
            dets = f"{first_details(rc, rname)} / {first_details(og, oname)}"
        L.append(f"| {what} | {rmed} | {rrange or '-'} | {omed} | {orange or '-'} | {ratio} | {dets} |")
    return "\n".join(L)


def slower_rows(rc, og):
    """The rows whose median objgraph/rcgc ratio is under 1."""
    out = []
    for rname, oname, what in ROWS:
        rr = ratios(rc, og, rname, oname) if rname and oname else []
        if rr and statistics.median(rr) < 1:
            out.append(f"{what} ({fmt_ratio(statistics.median(rr))})")
    return out


def tracked_count(og):
    """How many objects objgraph.typestats() counted (gc.get_objects()), as text."""
    m = re.search(r", (\d+) objects", og[0].details.get("typestats", "") if og else "")
    return f"{int(m.group(1)):,}" if m else "?"


def counts_table(rc, og):
    L = ["| count | types | objects | lists | floats |", "|---|---|---|---|---|"]
    for side, name, what in COUNT_ROWS:
        runs = rc if side == "rcgc" else og
        d = runs[0].details.get(name) if runs else None
        m = re.match(r"(\d+) types, (\d+) objects, list (\d+), float (\d+)", d or "")
        if not m:
            L.append(f"| {what} | - | - | - | - |")
            continue
        L.append(f"| {what} | {m.group(1)} | {int(m.group(2)):,} | {int(m.group(3)):,} | {int(m.group(4)):,} |")
    return "\n".join(L)


def process_table(rc, og):
    L = ["| process | heap objects | heap built, ms (median) | wall s (median, min-max) "
         "| peak RSS MB (median, min-max) | failed runs |",
         "|---|---|---|---|---|---|"]
    for side, runs in (("rcgc (`backrefs.c`)", rc), ("CPython + objgraph (`peer_objgraph.py`)", og)):
        walls = [r.wall_s for r in runs if r.wall_s is not None]
        rss = [r.rss_kb / 1024 for r in runs if r.rss_kb is not None]
        builds = [r.build_ms for r in runs if r.build_ms is not None]
        objs = next((r.heap_objects for r in runs if r.heap_objects), None)
        failed = sum(1 for r in runs if r.status)
        w = f"{statistics.median(walls):.2f} ({min(walls):.2f}-{max(walls):.2f})" if walls else "-"
        m = f"{statistics.median(rss):.0f} ({min(rss):.0f}-{max(rss):.0f})" if rss else "-"
        b = f"{statistics.median(builds):.0f}" if builds else "-"
        L.append(f"| {side} | {objs:,} | {b} | {w} | {m} | {failed} |" if objs else
                 f"| {side} | - | {b} | {w} | {m} | {failed} |")
    return "\n".join(L)


def goals(rc, og, quick):
    """Rows (goal, target, measured, status) for issue 4's two performance goals."""
    out = []
    med, lo, hi, n, _, _ = side_stat(rc, BACKREFS)
    if med is None:
        out.append(("show_backrefs, max_depth 5, one object of 10M", "< 1 s", "not measured", "not met"))
    else:
        ok = hi < 1000
        status = "met" if ok else "not met"
        if quick:
            status = f"not judged (--quick: heap of {rc[0].heap_objects:,} objects)"
        out.append(("show_backrefs, max_depth 5, one object of a 10M-object heap", "< 1 s",
                    f"median {fmt_ms(med)} ms, slowest of {n} runs {fmt_ms(hi)} ms", status))
    rr = ratios(rc, og, "typestats", "typestats")
    ra = ratios(rc, og, "typestats", "typestats over all heap objects")
    if not rr:
        out.append(("typestats vs objgraph's", ">= 20x faster", "not measured", "not met"))
    else:
        ok = min(rr) >= 20 and (not ra or min(ra) >= 20)
        status = "met" if ok else "not met"
        if quick:
            status = "not judged (--quick)"
        measured = (f"objgraph.typestats() / rcgc: median {fmt_ratio(statistics.median(rr))}, "
                    f"lowest {fmt_ratio(min(rr))}")
        if ra:
            measured += (f"; typestats(objects=every heap object) / rcgc: median "
                         f"{fmt_ratio(statistics.median(ra))}, lowest {fmt_ratio(min(ra))}")
        out.append(("typestats over 10M objects vs objgraph's on a CPython heap of the same size",
                    ">= 20x faster", measured, status))
    return out


def machine():
    def first(cmd):
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=20)
            return p.stdout.strip().splitlines()[0] if p.stdout.strip() else "?"
        except (OSError, subprocess.SubprocessError):
            return "?"

    info = {"cpu": "?", "mem": "?"}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        kb = int(f.readline().split()[1])
        info["mem"] = f"{kb / 1024 / 1024:.1f} GiB"
    info["cores"] = os.cpu_count()
    try:
        with open("/etc/debian_version") as f:
            info["debian"] = f.read().strip()
    except OSError:
        info["debian"] = "?"
    info["kernel"] = platform.release()
    info["cc"] = first(["cc", "--version"])
    info["python"] = first(["/usr/bin/python3", "--version"])
    info["objgraph"] = first(["dpkg-query", "-W", "-f=${Version}", "python3-objgraph"])
    info["commit"] = first(["git", "-C", ROOT, "describe", "--always", "--dirty"])
    return info


METHOD = """\
- **Heap.** Both sides build top -> 1000 mid lists -> N inner lists each -> 99 floats each
  (N = 100: 10,001,001 objects), plus a chain of 7 one-item lists whose innermost holds the
  target (float 42 of inner list N/2 of mid list 500): 10,001,008 objects, lists and floats
  only. top, the chain and the target are held from outside the heap (C variables; locals
  of a Python function whose frame is never made an object, so `gc.get_referrers` does not
  see them), so both sides draw the same graph: show_backrefs with max_depth 5 from the
  target gives 9 nodes and 8 edges on each side. rcgc's collector is off while building, as
  is CPython's (`gc.disable()`, re-enabled and run once before the first measurement).
- **What is timed.** Only the call, with a monotonic clock inside the process
  (`clock_gettime(CLOCK_MONOTONIC)`, `time.perf_counter()`), once per process: building the
  heap and starting the interpreter are not timed (the process table gives them). Drawings
  are DOT text only: rcgc writes to a temporary stream (`output_stream`), objgraph to a
  `.dot` file (`filename=...dot`, which never calls Graphviz); no image is rendered on
  either side. objgraph's `show_backrefs` and `find_backref_chain` start with
  `gc.collect()`, which is part of their time (the `gc.collect()` row times one alone);
  rcgc's never collect.
- **What typestats counts.** rcgc's typestats (`rc_objgraph_most_common_types` with room
  for every type) reads per-type live counters: every live object, floats included, in
  O(types), without walking the heap. `objgraph.typestats()` walks `gc.get_objects()`,
  which holds only the containers CPython's collector tracks: the 101,008 lists of the heap
  plus the interpreter's own containers, never a float. So rcgc's count covers the
  10,001,008 heap objects while objgraph's default covers about 115,000. Two more rows make
  the counted objects the same: `objgraph.typestats(objects=...)` over a prebuilt list of
  the 10,001,008 heap objects (building the list is not timed), and, on rcgc's side, the
  same per-type count done by bench code walking `rc_gc_get_objects(heap, -1)` (the
  tracked containers, like `gc.get_objects()`) or `rc_heap_visit` (every object). Those two
  walks are not rcgc functions; they show what a walk costs on each side. A typestats of
  under a microsecond is close to the clock's resolution, so its ratios are rough (but
  orders of magnitude above 20x either way).
- **Runs and ratios.** Each run is a new process; the two sides alternate (rcgc run 1,
  objgraph run 1, rcgc run 2, ...). A ratio is objgraph's time over rcgc's in the same
  pair of runs; the table gives the median of the ratios and their range. An objgraph
  operation still running after the time limit is stopped by SIGALRM and reported as timed
  out (none was in the runs below unless the table says so).
- **Peak RSS** is `/usr/bin/time`'s `%M` for the whole process: the heap, plus on the Python
  side the interpreter, the 10^6-float list of the show_refs row and the list of every heap
  object for the typestats row.
"""


def report(a, rc, og, info, quick):
    n_objects = rc[0].heap_objects if rc and rc[0].heap_objects else 0
    elapsed = time.time() - a.started
    L = ["# Graph tools: rcgc against objgraph", "",
         "Generated by `bench/graph/run.sh` (bench/graph/report.py); do not edit by hand. "
         "Issue 4's performance requirement: show_backrefs with max_depth 5 on one object of a "
         "heap of 10 million objects in under a second, and typestats over 10 million objects "
         "at least 20 times faster than objgraph's on a CPython heap of the same size, measured "
         "side by side. The guide to the tools is [GRAPHS.md](GRAPHS.md).", "",
         "## Machine and run", "",
         f"- {info['cpu']}, {info['cores']} cores (shared with other work), {info['mem']} RAM",
         f"- Debian {info['debian']}, Linux {info['kernel']}; {info['cc']}",
         f"- {info['python']} (`/usr/bin/python3`), python3-objgraph {info['objgraph']}",
         f"- {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; "
         f"source `{info['commit']}`" + (" (-dirty: uncommitted changes in the tree)"
                                          if info["commit"].endswith("-dirty") else ""),
         f"- load average before the runs: {a.load_before}; after: {a.load_after}",
         f"- command: `{a.command}`; {a.runs} runs of each side, interleaved; heap of "
         f"{n_objects:,} objects; objgraph time limit {a.limit:g} s per operation; "
         f"whole script {elapsed:.0f} s", ""]
    L += ["## Goals", "", "| goal | target | measured | status |", "|---|---|---|---|"]
    for g in goals(rc, og, quick):
        L.append("| " + " | ".join(g) + " |")
    L += ["", "## Operations", "", ops_table(rc, og), ""]
    slower = slower_rows(rc, og)
    if slower:
        L += ["rcgc was slower than the peer (median ratio under 1) in: " + "; ".join(slower)
              + ". rcgc's `get_referrers` and `gc_get_objects` walk every object of the heap "
              f"through `rc_heap_visit`, floats included ({n_objects:,} objects), while CPython's "
              f"walk only its list of tracked containers ({tracked_count(og)} objects).", ""]
    L += ["## What typestats counts", "", counts_table(rc, og), "",
          "## Processes", "", process_table(rc, og), "",
          "## Method", "", METHOD,
          "## Exact commands", "",
          "Run from the repository's top directory, each under `/usr/bin/time -f '%e %M'` and "
          f"`timeout`, alternating, {a.runs} times:", "", "```",
          a.rcgc_command, a.peer_command, "```", ""]
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--load-before", default="?")
    ap.add_argument("--load-after", default="?")
    ap.add_argument("--started", type=float, default=time.time())
    ap.add_argument("--limit", type=float, default=120)
    ap.add_argument("--command", default="bash bench/graph/run.sh")
    ap.add_argument("--rcgc-command", default="")
    ap.add_argument("--peer-command", default="")
    a = ap.parse_args()
    rc = [Run(a.work, r, "rcgc") for r in range(1, a.runs + 1)]
    og = [Run(a.work, r, "objgraph") for r in range(1, a.runs + 1)]
    quick = "--quick" in a.command.split()
    text = report(a, rc, og, machine(), quick)
    path = os.path.join(a.out, "BENCHMARKS-graphs.md")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    print(text)
    print(f"bench/graph: report written to {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
