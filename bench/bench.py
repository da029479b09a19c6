#!/usr/bin/env python3
"""bench.py -- runs rcgc's benchmark workloads beside its peers' and writes the report.

Called by bench/run.sh (make bench) after the build:
    python3 bench/bench.py --build BUILD_DIR [--quick] [--runs N] [--out docs]

Every case (one workload at one size) has rows: rcgc's program and each peer's version
of the same workload. A round runs every row of every case once, in order, so rcgc and
its peers alternate (A B A B ...) through the whole run; the report gives the median and
min-max of the rounds, and ratios computed pair by pair within each round (the median of
peer/rcgc over the rounds). Each program prints "key value" lines; /usr/bin/time adds
whole-process wall time and peak RSS. Results go to docs/BENCHMARKS.md, docs/bench-*.svg
(gnuplot) and docs/bench-results.json, each written to a temporary name and renamed.
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "bench", "peers")
# A run longer than this is stopped and its row is not run again in later rounds: the table
# says "timed out" and gives the cap as a lower bound. It keeps the full run under its 30
# minutes on a slow or loaded machine; on this kind of machine no run comes near it.
CAP_S = 150


class Row:
    """One program of a case: a system's version of the workload."""

    def __init__(self, name, argv, system, note=""):
        self.name = name      # shown in the tables, e.g. "CPython (__slots__)"
        self.argv = argv      # the exact command
        self.system = system  # rcgc, CPython, PHP, Lua, Boehm, malloc
        self.note = note


class Case:
    def __init__(self, cid, title, rows, metrics, ratio_keys, baseline, size_note=""):
        self.cid = cid
        self.title = title
        self.rows = rows
        self.metrics = metrics        # [(key, label, format)]
        self.ratio_keys = ratio_keys  # keys whose peer/rcgc ratio is shown
        self.baseline = baseline      # the row ratios are taken against
        self.size_note = size_note
        self.results = {r.name: [] for r in rows}  # name -> [per-round dict or None]
        self.failures_seen = {}  # name -> [failure texts]


def fmt_count(n):
    if n >= 1000000 and n % 1000000 == 0:
        return f"{n // 1000000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


class Tools:
    """Where each system's program is, and which systems are available."""

    def __init__(self, build):
        b = os.path.join(build, "bench")
        self.rcgc = lambda name: os.path.join(b, f"rcgc-bench-{name}")
        self.malloc = os.path.join(b, "peer-malloc")
        self.boehm = os.path.join(b, "peer-boehm")
        # Debian's CPython (built with PGO and LTO) rather than whatever python3 is first on
        # PATH (a pyenv build without optimizations would understate CPython).
        self.python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else shutil.which("python3")
        self.php = shutil.which("php")
        self.lua = shutil.which("lua5.4")
        self.missing = []
        for what, ok in (("CPython (python3)", self.python), ("PHP (php-cli)", self.php),
                         ("Lua 5.4 (lua5.4)", self.lua),
                         ("Boehm GC (libgc-dev)", os.path.exists(self.boehm))):
            if not ok:
                self.missing.append(what)

    def py(self, *args):
        return [self.python, os.path.join(PEERS, "python", "bench.py"), *args] if self.python else None

    def php_(self, *args):
        return ([self.php, "-d", "memory_limit=-1", os.path.join(PEERS, "php", "bench.php"), *args]
                if self.php else None)

    def lua_(self, *args):
        return [self.lua, os.path.join(PEERS, "lua", "bench.lua"), *args] if self.lua else None

    def boehm_(self, *args):
        return [self.boehm, *args] if os.path.exists(self.boehm) else None


def sizes(quick):
    if quick:
        return dict(runs=3, intlist=1000000, cycles=[100000, 1000000], cycles_py_list_max=1000000,
                    depths=[14, 16], pause_live=1000000, pause_s=1, bytes=1000000,
                    traffic_c=10000000, traffic_interp=2000000, weak=1000000,
                    autogc=[1000000], sites_depth=14)
    return dict(runs=5, intlist=10000000, cycles=[1000000, 10000000], cycles_py_list_max=1000000,
                depths=[16, 20], pause_live=5000000, pause_s=3, bytes=10000000,
                traffic_c=100000000, traffic_interp=20000000, weak=10000000,
                autogc=[1000000, 10000000], sites_depth=16)


def make_cases(t, sz):
    cases = []

    def rows(*candidates):
        return [Row(n, a, s, note) for (n, a, s, note) in candidates if a is not None]

    n = sz["intlist"]
    N = fmt_count(n)
    cases.append(Case(
        "intlist", f"1. A list of {N} small ints: built, then dropped",
        rows(("rcgc", [t.rcgc("intlist"), N], "rcgc", "rc_list_append_steal(rc_int_new(i))"),
             ("CPython", t.py("intlist", N), "CPython", "[i for i in range(N)]"),
             ("PHP", t.php_("intlist", N), "PHP", "$a[] = $i"),
             ("Lua", t.lua_("intlist", N), "Lua", "a[i] = i"),
             ("Boehm", t.boehm_("intlist", N), "Boehm", "GC_REALLOC-grown word array"),
             ("malloc", [t.malloc, "intlist", N], "malloc", "realloc-grown word array")),
        [("build_s", "build s", "{:.3f}"), ("uss_built_mb", "USS built MB", "{:.1f}"),
         ("uss_dropped_mb", "USS dropped MB", "{:.1f}"), ("drop_s", "drop s", "{:.4f}")],
        ["build_s", "uss_built_mb"], "rcgc"))

    for n in sz["cycles"]:
        N = fmt_count(n)
        for live in (("0", "1") if n == sz["cycles"][-1] else ("0",)):
            title = (f"2. Cyclic garbage: {N} containers, one full collection"
                     if live == "0" else
                     f"2b. Cyclic garbage: {N} containers beside {N} live ones, one full collection")
            cand = [("rcgc (node)", [t.rcgc("cycles"), N, "node", live], "rcgc", "rc_type_new, 2 ref offsets"),
                    ("rcgc (list)", [t.rcgc("cycles"), N, "list", live], "rcgc", "rc_list of 2")]
            cand.append(("CPython (__slots__)", t.py("cycles", N, "slots", live), "CPython", "gc.collect()"))
            if n <= sz["cycles_py_list_max"]:
                cand.append(("CPython (list)", t.py("cycles", N, "list", live), "CPython", "gc.collect()"))
            cand += [("PHP", t.php_("cycles", N, live), "PHP", "gc_collect_cycles()"),
                     ("Lua", t.lua_("cycles", N, live), "Lua", 'collectgarbage("collect")'),
                     ("Boehm", t.boehm_("cycles", N, live), "Boehm", "GC_gcollect()"),
                     ("malloc", [t.malloc, "cycles", N, live], "malloc", "free() of each object")]
            cases.append(Case(f"cycles-{N}-{live}", title, rows(*cand),
                              [("collect_s", "collect s", "{:.4f}"), ("ns_per_obj", "ns/object", "{:.1f}"),
                               ("freed", "freed", "{:.0f}")],
                              ["collect_s"], "rcgc (node)"))

    for d in sz["depths"]:
        D = str(d)
        cases.append(Case(
            f"bintrees-{d}", f"3. binary-trees, depth {d} (whole process)",
            rows(("rcgc", [t.rcgc("bintrees"), D], "rcgc", "rc_new node, rc_decref"),
                 ("CPython", t.py("bintrees", D), "CPython", "tuples"),
                 ("PHP", t.php_("bintrees", D), "PHP", "arrays"),
                 ("Lua", t.lua_("bintrees", D), "Lua", "tables"),
                 ("Boehm", t.boehm_("bintrees", D), "Boehm", "GC_MALLOC"),
                 ("malloc", [t.malloc, "bintrees", D], "malloc", "malloc/free")),
            [("wall_s", "wall s", "{:.3f}"), ("peak_rss_mb", "peak RSS MB", "{:.1f}")],
            ["wall_s", "peak_rss_mb"], "rcgc"))

    L, S = fmt_count(sz["pause_live"]), str(sz["pause_s"])
    cases.append(Case(
        "pauses", f"4. Pauses: {L} live containers in the oldest generation, short-lived cycles for {S} s",
        rows(("rcgc", [t.rcgc("pauses"), L, S], "rcgc", "gc callbacks (rc_gc_callback_add), duration_ns"),
             ("CPython", t.py("pauses", L, S), "CPython", "gc.callbacks start/stop"),
             ("PHP", t.php_("pauses", L, S), "PHP", "iterations during which gc_status()['runs'] grew"),
             ("Boehm", t.boehm_("pauses", L, S), "Boehm", "GC_set_on_collection_event START/END")),
        [("pause_count", "collections", "{:.0f}"), ("pause_p50", "p50 ms", "{:.3f}"),
         ("pause_p99", "p99 ms", "{:.3f}"), ("pause_max", "max ms", "{:.3f}"),
         ("peak_uss_mb", "peak USS MB", "{:.1f}"), ("loop_iterations", "cycles made", "{:.3g}")],
        ["pause_p99", "pause_max"], "rcgc"))

    N = fmt_count(sz["bytes"])
    cases.append(Case(
        "bytes", f"5. Bytes per tracked two-reference object (USS slope over {N} objects)",
        rows(("rcgc (node)", [t.rcgc("bytes"), N, "node"], "rcgc", "user type, 2 ref offsets"),
             ("rcgc (tuple)", [t.rcgc("bytes"), N, "tuple"], "rcgc", "rc_tuple_new(2)"),
             ("rcgc (list)", [t.rcgc("bytes"), N, "list"], "rcgc", "rc_list of 2"),
             ("CPython (__slots__)", t.py("bytes", N, "slots"), "CPython", ""),
             ("CPython (tuple)", t.py("bytes", N, "tuple"), "CPython", "(none, none), built at run time"),
             ("CPython (list)", t.py("bytes", N, "list"), "CPython", "[None, None]"),
             ("PHP (object)", t.php_("bytes", N, "object"), "PHP", "2 declared properties"),
             ("PHP (array)", t.php_("bytes", N, "array"), "PHP", "[null, $i]"),
             ("Lua (table)", t.lua_("bytes", N), "Lua", "{false, false}"),
             ("Boehm", t.boehm_("bytes", N), "Boehm", "GC_MALLOC(16), no interior pointers"),
             ("Boehm (interior)", (["env", "BOEHM_INTERIOR=1"] + t.boehm_("bytes", N)) if t.boehm_() else None,
              "Boehm", "library default: interior pointers"),
             ("malloc", [t.malloc, "bytes", N], "malloc", "malloc(16)")),
        [("bytes_per_obj", "bytes/object", "{:.1f}"), ("uss_total_mb", "USS MB", "{:.1f}")],
        ["bytes_per_obj"], "rcgc (node)"))

    C, I = fmt_count(sz["traffic_c"]), fmt_count(sz["traffic_interp"])
    cases.append(Case(
        "rctraffic", "6. Reference-count traffic: stores into a slot table; allocate-link-drop",
        rows(("rcgc", [t.rcgc("rctraffic"), C], "rcgc", f"N={C}"),
             ("CPython", t.py("rctraffic", I), "CPython", f"N={I}"),
             ("PHP", t.php_("rctraffic", I), "PHP", f"N={I}"),
             ("Lua", t.lua_("rctraffic", I), "Lua", f"N={I}, no counts"),
             ("Boehm", t.boehm_("rctraffic", C), "Boehm", f"N={C}, no counts"),
             ("malloc", [t.malloc, "rctraffic", C], "malloc", f"N={C}, no counts")),
        [("store_ns", "store ns", "{:.2f}"), ("alloc_ns", "alloc-link-drop ns", "{:.2f}")],
        ["store_ns", "alloc_ns"], "rcgc"))

    W = fmt_count(sz["weak"])
    cases.append(Case(
        "weakref", f"7. Weak references: create, dereference and drop one ({W} times)",
        rows(("rcgc", [t.rcgc("weakrefs"), W], "rcgc", "rc_weakref_new(x, callback); rc_weakref_get; drop"),
             ("CPython", t.py("weakref", W), "CPython", "weakref.ref(x, callback); w(); drop"),
             ("PHP", t.php_("weakref", W), "PHP", "WeakReference::create($x)->get() (no callbacks in PHP)")),
        [("weak_ns", "ns each", "{:.1f}")], ["weak_ns"], "rcgc"))

    D = str(sz["sites_depth"])
    cases.append(Case(
        "sites", f"8. Allocation sites (issue 4): binary-trees depth {D}, recording off and on",
        rows(("rcgc", [t.rcgc("bintrees"), D], "rcgc", "built without RC_RECORD_ORIGINS"),
             ("rcgc sites off", [t.rcgc("bintrees-sites"), D, "off"], "rcgc",
              "RC_RECORD_ORIGINS, recording off"),
             ("rcgc sites on", [t.rcgc("bintrees-sites"), D, "on"], "rcgc",
              "RC_RECORD_ORIGINS, every node's site recorded")),
        [("wall_s", "wall s", "{:.3f}"), ("peak_rss_mb", "peak RSS MB", "{:.1f}")],
        ["wall_s", "peak_rss_mb"], "rcgc"))

    for n in sz["autogc"]:
        N = fmt_count(n)
        cases.append(Case(
            f"autogc-{N}", f"Issue 2: allocating {N} long-lived containers, automatic collection on vs off",
            rows(("rcgc gc on", [t.rcgc("autogc"), N, "on"], "rcgc", "default thresholds"),
                 ("rcgc gc off", [t.rcgc("autogc"), N, "off"], "rcgc", "rc_gc_disable")),
            [("alloc_s", "alloc s", "{:.3f}"), ("ns_per_obj", "ns/object", "{:.1f}"),
             ("collections", "collections", "{:.0f}")],
            ["alloc_s"], "rcgc gc off"))
    return cases


def percentile(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = (len(sorted_vals) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


TIMED_OUT = "timed out after {:g} s"


def run_once(argv, cap_s):
    """Runs one program; returns (dict of results or None, error text)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        cmd = ["/usr/bin/time", "-f", "%e %M", "-o", tf.name] + argv
        t0 = time.perf_counter()
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=cap_s)
        except subprocess.TimeoutExpired:
            return None, TIMED_OUT.format(cap_s)
        wall = time.perf_counter() - t0
        timing = tf.read().strip().splitlines()
    if p.returncode != 0:
        return None, f"exit {p.returncode}: {p.stderr.strip()[-300:]}"
    res, lists = {}, {}
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue
        try:
            v = float(parts[1])
        except ValueError:
            continue
        lists.setdefault(parts[0], []).append(v)
    for k, v in lists.items():
        res[k] = v[0] if len(v) == 1 else v
    # Whole-process wall time from fork to exit (/usr/bin/time's %e has only 10 ms steps).
    res["wall_s"] = wall
    if timing:
        res["peak_rss_mb"] = float(timing[-1].split()[1]) / 1024.0
    pauses = lists.get("pause_ms")
    if "n_pauses" in res:
        ps = sorted(pauses or [])
        res["pause_list"] = ps
        res["pause_count"] = len(ps)
        res["pause_p50"] = percentile(ps, 0.50)
        res["pause_p99"] = percentile(ps, 0.99)
        res["pause_max"] = ps[-1] if ps else float("nan")
    res.pop("pause_ms", None)
    for g in range(3):
        res.pop(f"pause_gen{g}_ms", None)
    return res, ""


def failure_of(case, row, res):
    """A run that completed but did not do the workload's job (garbage left alive)."""
    if case.cid.startswith("cycles") and res is not None:
        if res.get("retained_samples", 0) > 0:
            return f"kept {res['retained_samples']:.0f}/1024 sampled garbage objects alive"
        n = int(re.match(r"cycles-(\w+)-", case.cid).group(1).replace("M", "000000").replace("k", "000"))
        if row.system in ("rcgc", "CPython", "PHP") and res.get("freed", n) < n:
            return f"freed {res['freed']:.0f} of {n}"
    return ""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_rounds(cases, runs, log_path, after_round, cap_s):
    """Runs the rounds; after_round(done, failures) is called after each one, so an
    interrupted run still leaves a report of the rounds it completed. A row whose run
    timed out is not run again (its later rounds count as timed out too)."""
    failures = {}  # (cid, row) -> [texts]
    timed_out = set()
    with open(log_path, "w") as lf:
        for r in range(runs):
            for case in cases:
                # Each round starts the case at the next row, so that no system always runs
                # first, right after the previous case freed its memory (on a VM, memory
                # just freed by a large run can be slow to touch again).
                k = r % len(case.rows)
                for row in case.rows[k:] + case.rows[:k]:
                    t0 = time.time()
                    if (case.cid, row.name) in timed_out:
                        res, err = None, TIMED_OUT.format(cap_s) + " (not rerun)"
                    else:
                        res, err = run_once(row.argv, cap_s)
                        if err.startswith("timed out"):
                            timed_out.add((case.cid, row.name))
                    fail = err or failure_of(case, row, res)
                    if fail:
                        failures.setdefault((case.cid, row.name), []).append(fail)
                        case.failures_seen.setdefault(row.name, []).append(fail)
                    if err:
                        res = None
                    elif fail:
                        res["failed"] = 1  # kept for the log, left out of medians and ratios
                    case.results[row.name].append(res)
                    line = f"round {r + 1}/{runs} {case.cid} {row.name}: {time.time() - t0:.1f}s" + \
                           (f"  FAILED: {fail}" if fail else "")
                    log(line)
                    lf.write(line + "\n" + " ".join(row.argv) + "\n" +
                             json.dumps({k: v for k, v in (res or {}).items() if k != "pause_list"}) + "\n")
                    lf.flush()
            after_round(r + 1, failures)
    return failures


def stat(case, row_name, key):
    vals = [res[key] for res in case.results[row_name]
            if res is not None and key in res and not res.get("failed")]
    vals = [v for v in vals if isinstance(v, (int, float)) and v == v]
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals), len(vals)


def ratio(case, row_name, key):
    """Median over rounds of row/baseline for key, pairing runs of the same round."""
    if case.baseline is None:
        return None
    rs = []
    for a, b in zip(case.results[row_name], case.results[case.baseline]):
        if (a is not None and b is not None and key in a and key in b and b[key]
                and not a.get("failed") and not b.get("failed")):
            rs.append(a[key] / b[key])
    return statistics.median(rs) if rs else None


def fmt_stat(s, f):
    if s is None:
        return "n/a"
    med, lo, hi, _ = s
    return f"{f.format(med)} ({f.format(lo)}-{f.format(hi)})"


def timed_out_row(case, name):
    return any(t.startswith("timed out") for t in case.failures_seen.get(name, []))


def case_table(case, failures):
    head = ["system", "how"] + [m[1] for m in case.metrics]
    head += [f"x rcgc: {dict((m[0], m[1]) for m in case.metrics)[k]}" for k in case.ratio_keys]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in case.rows:
        cells = [row.name, row.note]
        for key, _, f in case.metrics:
            cells.append(fmt_stat(stat(case, row.name, key), f))
        for key in case.ratio_keys:
            rr = ratio(case, row.name, key)
            cells.append("1" if row.name == case.baseline else ("n/a" if rr is None else f"{rr:.2f}"))
        fl = failures.get((case.cid, row.name))
        if fl and all(t.startswith("timed out") for t in fl):
            cells[0] += f" **timed out** ({fl[0].split(' (')[0]}; not rerun)"
        elif fl:
            cells[0] += f" **failed {len(fl)}/{len(case.results[row.name])}** (left out of the figures)"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def med(case, row, key):
    s = stat(case, row, key) if case is not None else None
    return None if s is None else s[0]


def find(cases, cid):
    for c in cases:
        if c.cid == cid:
            return c
    return None


def goals(cases, sz, quick):
    """(goal, target, rcgc figure, peers today, status, gap note) rows."""
    out = []
    q = " (QUICK size)" if quick else ""

    def add(goal, target, value, fmt, ok, peers, gap):
        if value is None:
            out.append((goal, target, "n/a", peers, "not measured", ""))
        else:
            out.append((goal, target, fmt.format(value), peers, "met" if ok(value) else "**missed**",
                        "" if ok(value) else gap(value)))

    def peers_of(case, key, names, f):
        parts = []
        for nm in names:
            v = med(case, nm, key)
            if v is not None:
                parts.append(f"{nm} {f.format(v)}")
            elif case is not None and case.results.get(nm) and all(
                    r is None or r.get("failed") for r in case.results[nm]):
                parts.append(f"{nm} " + ("timed out" if timed_out_row(case, nm) else "failed every run"))
        return ", ".join(parts)

    c = find(cases, "intlist")
    N = fmt_count(sz["intlist"])
    v = med(c, "rcgc", "uss_built_mb")
    scale = 10000000 / sz["intlist"]
    add(f"1. {N}-int list: USS above start{q}", f"<= {85 / scale:.1f} MB" if quick else "<= 85 MB", v,
        "{:.1f} MB", lambda x: x <= 85 / scale,
        peers_of(c, "uss_built_mb", ["CPython", "PHP", "Lua", "Boehm", "malloc"], "{:.1f}"),
        lambda x: f"rcgc uses {x - 85 / scale:.1f} MB more than the goal")
    rr = ratio(c, "CPython", "build_s") if c else None
    add(f"1. {N}-int list: built faster than CPython's list comprehension{q}", ">= 10x", rr, "{:.1f}x",
        lambda x: x >= 10, peers_of(c, "build_s", ["CPython", "malloc"], "{:.3f} s"),
        lambda x: f"only {x:.1f}x faster than CPython")

    big = fmt_count(sz["cycles"][-1])
    c = find(cases, f"cycles-{big}-0")
    for row in ("rcgc (node)", "rcgc (list)"):
        add(f"2. full collection of {big} cyclic garbage, {row}{q}", "<= 100 ns/object",
            med(c, row, "ns_per_obj"), "{:.1f} ns", lambda x: x <= 100,
            peers_of(c, "ns_per_obj", ["CPython (__slots__)", "PHP", "Lua", "Boehm", "malloc"], "{:.1f}"),
            lambda x: f"{x - 100:.1f} ns/object over the goal")
    c = find(cases, f"cycles-{big}-1")
    lim = 2.5 * sz["cycles"][-1] / 10000000
    for row in ("rcgc (node)", "rcgc (list)"):
        add(f"2b. the same beside {big} live, {row}{q}", f"< {lim:g} s", med(c, row, "collect_s"), "{:.3f} s",
            lambda x: x < lim,
            peers_of(c, "collect_s", ["CPython (__slots__)", "PHP", "Lua", "Boehm", "malloc"], "{:.3f} s"),
            lambda x: f"{x - lim:.3f} s over the goal")
    for d, lim in ((16, 0.64), (20, 14.8)):
        c = find(cases, f"bintrees-{d}")
        if c is None:
            out.append((f"3. binary-trees depth {d}", f"<= {lim} s", "n/a", "",
                        "not run" + (" in QUICK mode" if quick else ""), ""))
            continue
        add(f"3. binary-trees depth {d}", f"<= {lim} s", med(c, "rcgc", "wall_s"), "{:.3f} s",
            lambda x, lim=lim: x <= lim,
            peers_of(c, "wall_s", ["CPython", "PHP", "Lua", "Boehm", "malloc"], "{:.3f}"),
            lambda x, lim=lim: f"{x - lim:.3f} s over the goal")
        mal = med(c, "malloc", "wall_s")
        if mal is not None:
            rr = ratio(c, "malloc", "wall_s")
            add(f"3. binary-trees depth {d}, vs malloc in this run", "rcgc/malloc <= 1",
                None if rr is None else 1 / rr, "{:.2f}x", lambda x: x <= 1.0,
                f"malloc {mal:.3f} s",
                lambda x: f"rcgc takes {x:.2f}x malloc's time")
    c = find(cases, "pauses")
    if c is not None:
        p99, mx = med(c, "rcgc", "pause_p99"), med(c, "rcgc", "pause_max")
        out.append(("4. pauses (report only)", "report",
                    "n/a" if p99 is None else f"p99 {p99:.3f} ms, max {mx:.3f} ms",
                    peers_of(c, "pause_p99", ["CPython", "PHP", "Boehm"], "p99 {:.3f} ms"), "reported", ""))
    c = find(cases, "bytes")
    add(f"5. bytes per two-reference container (rcgc node){q}", "<= 32 (stretch 24)",
        med(c, "rcgc (node)", "bytes_per_obj"), "{:.1f} B", lambda x: x <= 32.5,
        peers_of(c, "bytes_per_obj", ["CPython (__slots__)", "CPython (tuple)", "CPython (list)", "Boehm",
                                       "Boehm (interior)", "malloc"], "{:.1f}"),
        lambda x: f"{x - 32:.1f} bytes over the goal (slopes are read to +-0.5 B)")
    v = med(c, "rcgc (node)", "bytes_per_obj")
    if v is not None:
        out.append(("5. stretch", "<= 24", f"{v:.1f} B", "", "met" if v <= 24.5 else "not reached", ""))
    for n in sz["autogc"]:
        N = fmt_count(n)
        c = find(cases, f"autogc-{N}")
        rr = ratio(c, "rcgc gc on", "alloc_s") if c else None
        add(f"issue 2: collector share while allocating {N} long-lived containers", "< 10%",
            None if rr is None else (rr - 1) * 100, "{:.1f}%", lambda x: x < 10,
            "", lambda x: f"automatic collection adds {x:.1f}% to the allocation time")
    c = find(cases, "weakref")
    rr = ratio(c, "CPython", "weak_ns") if c else None
    add("7. weak references with callbacks: created, read, dropped (issue 3)", ">= 5x faster than CPython",
        rr, "{:.1f}x", lambda x: x >= 5,
        peers_of(c, "weak_ns", ["CPython", "PHP"], "{:.1f} ns") if c else "",
        lambda x: f"only {x:.1f}x faster than CPython")
    c = find(cases, "sites")
    if c is not None:
        for row, what in (("rcgc sites off", "macros compiled in, recording off"),
                          ("rcgc sites on", "every allocation's site recorded")):
            rr = ratio(c, row, "wall_s")
            out.append((f"8. allocation sites (issue 4), {what}", "report: time vs rcgc without",
                        "n/a" if rr is None else f"{rr:.3f}x", f"rcgc {med(c, 'rcgc', 'wall_s'):.3f} s"
                        if med(c, "rcgc", "wall_s") is not None else "", "reported", ""))
    return out


def callgrind(t, quick):
    """Instruction counts for rcgc's workloads 2, 3 and 6 on small sizes."""
    vg = shutil.which("valgrind")
    if vg is None:
        return [], "valgrind is not installed"
    jobs = [("2. cycles 100k node, rc_collect only", [t.rcgc("cycles"), "100k", "node", "0"],
             ["--toggle-collect=rc_collect"], 100000, "object freed"),
            ("2. cycles 100k list, rc_collect only", [t.rcgc("cycles"), "100k", "list", "0"],
             ["--toggle-collect=rc_collect"], 100000, "object freed"),
            ("3. binary-trees depth 12, whole program", [t.rcgc("bintrees"), "12"], [], None, ""),
            ("6. rctraffic 1M stores + 100k allocate-link-drop, whole program",
             [t.rcgc("rctraffic"), "1M"], [], 1100000, "operation")]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for label, argv, extra, per, unit in jobs:
            out = os.path.join(d, "cg.out")
            cmd = [vg, "--tool=callgrind", f"--callgrind-out-file={out}"] + extra + argv
            p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            m = re.search(r"Collected : (\d+)", p.stderr)
            ir = int(m.group(1)) if m else None
            rows.append((label, " ".join(["valgrind", "--tool=callgrind"] + extra +
                                         [os.path.relpath(argv[0], ROOT)] + argv[1:]),
                         ir, (ir / per) if (ir and per) else None, unit))
    return rows, ""


def cmd_text(argv):
    parts = []
    for a in argv:
        if a.startswith(ROOT + "/"):
            a = os.path.relpath(a, ROOT)
        parts.append(a)
    return " ".join(parts)


def machine():
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["mem"] = f.readline().split(":", 1)[1].strip()
    except OSError:
        pass
    info["cores"] = os.cpu_count()
    try:
        info["load"] = " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        info["load"] = "?"
    try:
        info["commit"] = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True).stdout.strip() or "?"
    except OSError:
        info["commit"] = "?"
    info["kernel"] = platform.release()
    try:
        with open("/etc/debian_version") as f:
            info["debian"] = f.read().strip()
    except OSError:
        info["debian"] = "?"

    def ver(cmd):
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=20)
            return p.stdout.strip().splitlines()[0] if p.stdout.strip() else "?"
        except (OSError, subprocess.SubprocessError):
            return "not installed"
    info["cc"] = ver(["cc", "--version"])
    info["python"] = ver(["/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3", "--version"])
    info["php"] = ver(["php", "--version"])
    info["lua"] = ver(["lua5.4", "-v"])
    info["libgc"] = ver(["dpkg-query", "-W", "-f=${Version}", "libgc-dev"])
    info["valgrind"] = ver(["valgrind", "--version"])
    return info


def keep_other_sections(path, text):
    """The report's sections written by other suites (between "<!-- NAME:begin" and
    "<!-- NAME:end -->", e.g. bench/interp/run.sh's) survive a rewrite."""
    try:
        old = open(path).read()
    except OSError:
        return text
    for m in re.finditer(r"<!-- (\w+):begin.*?<!-- \1:end -->\n", old, re.S):
        if m.group(0) not in text:
            text = text.rstrip("\n") + "\n\n" + m.group(0)
    return text


def write_atomic(path, text):
    if os.path.basename(path) == "BENCHMARKS.md":
        text = keep_other_sections(path, text)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


CHART_KEYS = [("intlist", "build_s", "1 build"), ("intlist", "uss_built_mb", "1 USS"),
              ("cycles-{big}-0", "collect_s", "2 collect"), ("cycles-{big}-1", "collect_s", "2b +live"),
              ("bintrees-{d0}", "wall_s", "3 bt{d0}"), ("bintrees-{d1}", "wall_s", "3 bt{d1}"),
              ("bytes", "bytes_per_obj", "5 bytes"), ("rctraffic", "store_ns", "6 store"),
              ("rctraffic", "alloc_ns", "6 alloc")]
CHART_SYSTEMS = ["CPython", "PHP", "Lua", "Boehm", "malloc"]


def system_row(case, system):
    """The row of a case that stands for a system in the ratio chart (its first row)."""
    for r in case.rows:
        if r.system == system:
            return r.name
    return None


def charts(cases, sz, out_dir):
    gp = shutil.which("gnuplot")
    if gp is None:
        return "gnuplot is not installed: no charts"
    big = fmt_count(sz["cycles"][-1])
    d0, d1 = sz["depths"][0], sz["depths"][-1]
    with tempfile.TemporaryDirectory() as d:
        rat = os.path.join(d, "ratios.dat")
        with open(rat, "w") as f:
            f.write("metric " + " ".join(CHART_SYSTEMS) + "\n")
            for cid, key, label in CHART_KEYS:
                cid = cid.format(big=big, d0=d0, d1=d1)
                label = label.format(d0=d0, d1=d1)
                c = find(cases, cid)
                vals = []
                for s in CHART_SYSTEMS:
                    rn = system_row(c, s) if c else None
                    rr = ratio(c, rn, key) if rn else None
                    vals.append("-" if rr is None or rr <= 0 else f"{rr:.4g}")
                f.write(f'"{label}" ' + " ".join(vals) + "\n")
        pc = find(cases, "pauses")
        pause_files = []
        for row in (pc.rows if pc else []):
            allp = sorted(p for res in pc.results[row.name] if res for p in res.get("pause_list", []))
            if not allp:
                continue
            pf = os.path.join(d, f"pause{len(pause_files)}.dat")
            with open(pf, "w") as f:
                step = max(1, len(allp) // 2000)
                for i in range(0, len(allp), step):
                    f.write(f"{max(allp[i], 1e-4):.6g} {(i + 1) / len(allp):.6g}\n")
                f.write(f"{max(allp[-1], 1e-4):.6g} 1\n")
            pause_files.append((pf, row.name))
        script = os.path.join(d, "plot.gp")
        ratios_svg = os.path.join(out_dir, "bench-ratios.svg")
        pauses_svg = os.path.join(out_dir, "bench-pauses.svg")
        with open(script, "w") as f:
            f.write(f"""set terminal svg size 900,480 dynamic font 'sans,11' background rgb 'white'
set output '{ratios_svg}.tmp'
set title 'peer / rcgc (median of per-round ratios; above 1: rcgc better)'
set datafile missing '-'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [0.001:*]
set grid ytics
set key top left
set xtics rotate by -30
plot '{rat}' using 2:xtic(1) title columnheader(2), '' using 3 title columnheader(3), \\
     '' using 4 title columnheader(4), '' using 5 title columnheader(5), '' using 6 title columnheader(6), \\
     1 with lines lc rgb 'black' notitle
""")
            if pause_files:
                f.write(f"""set output '{pauses_svg}.tmp'
unset style
set style data lines
set title 'collection pauses: cumulative fraction (all rounds pooled)'
unset logscale y
set yrange [0:1]
set logscale x
set xlabel 'pause (ms)'
set ylabel 'fraction of collections'
set key bottom right
set xtics norotate
plot """ + ", ".join(f"'{pf}' using 1:2 with steps lw 2 title '{name}'" for pf, name in pause_files)
                        + "\n")
        p = subprocess.run([gp, script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            return "gnuplot failed: " + p.stdout[-400:]
        os.replace(ratios_svg + ".tmp", ratios_svg)
        if pause_files:
            os.replace(pauses_svg + ".tmp", pauses_svg)
    return ""


METHOD = """\
- **Rounds.** A round runs every program of every case once, rcgc and its peers alternating
  (A B A B ...); round r starts each case at its row r (mod the rows), so that no system always
  runs first, right after a big case has freed its memory (on this VM, memory just freed can be
  slow to touch again: a 10M-int list once took 0.2 s instead of 0.02 s). Tables give the median over the rounds and (min-max); a ratio column is the
  median over the rounds of peer / rcgc within the same round, so above 1 means rcgc needed less
  time or memory.
- **Memory.** USS is Private_Clean + Private_Dirty of /proc/self/smaps_rollup, read by each
  program itself (rcgc through rc_process_memory_get); peak RSS is /usr/bin/time's %M.
- **Settings.** CPython runs gc.disable() while building large structures, then gc.collect();
  PHP gc_disable() while building and dropping, then gc_enable() + gc_collect_cycles(); Lua
  collectgarbage("stop") while building, then collectgarbage("collect"); Boehm GC_INIT, a 64 MB
  initial heap (GC_expand_hp), interior pointers off (safe here: only base pointers are kept; the
  default is also measured for workload 5); parallel markers are off because they made Boehm
  slower on 2 cores (BOEHM_PARALLEL=1 turns them on). rcgc disables automatic collection while
  building in workloads 2 and 5, as the CPython side does; binary-trees, pauses and rctraffic run
  every system at its defaults.
- **Workload 2.** Each container holds two references: the next on a ring and the one at
  (i * 2654435761 + 12345) mod N, the same in every language. ns/object is the time of the one
  full collection divided by the objects it freed (by N for Lua, Boehm and malloc, which do not
  count). Boehm's run is checked through 1024 disappearing links on sampled garbage objects: a run
  where any survives is counted as failed (a conservative scan found a stale pointer into the ring,
  which keeps all of it alive). The malloc row frees every object itself: the floor, not a
  collector.
- **Workload 4.** rcgc reports each collection's duration to a collection callback
  (rc_gc_callback_add; rc_gc_info.duration_ns, CLOCK_MONOTONIC around the collection), as
  CPython does through gc.callbacks; Boehm uses
  GC_set_on_collection_event; PHP 8.2 has neither, so each loop iteration is timed and counted
  as a pause when gc_status()['runs'] grew during it (the iteration's own work, about 0.3 us,
  included). Lua and malloc have no stop-the-world collections to time.
- **Workload 5.** The objects are held by a preallocated array whose memory is touched before the
  first USS sample; the slope of USS over 5 samples (0, N/4, N/2, 3N/4, N objects) is the cost of
  one object including allocator pages and slack. CPython's tuple is built at run time from a
  variable holding None (a literal (None, None) would be one shared constant); PHP's array is
  [null, $i] for the same reason (its ints are stored inline, not allocated).
- **Workload 6.** "store" is `slots[i & 1023] = pool[(i * 7) & 63]`: one increment and one
  decrement per store in rcgc, CPython and PHP, a plain store in Lua, Boehm and malloc.
  "alloc-link-drop" allocates a two-reference object, points it at a live object and drops it.
  Interpreters run a smaller N (the figure is per operation).
- **Teardown.** After reporting, the CPython and PHP peers of workload 2 leave without a final
  collection (os._exit; gc_disable() before the live ring is released), which is not measured
  and made PHP's 10M runs take 100 s.
- **Time cap.** A run that takes over {cap:g} s is stopped and reported as timed out, and its row
  is not rerun in later rounds, so that the full run stays under 30 minutes.
- **Workload 8.** binary-trees (depth {sites_depth}) built three ways from the same source:
  without RC_RECORD_ORIGINS (what every other workload uses), with the constructor macros
  compiled in but recording off, and with allocation sites recorded for every node.
- **Issue 2.** The same allocation of N long-lived containers (a chain) with automatic collection
  on and off; the collector's share is (on - off) / off, paired per round.
"""


def report(cases, failures, sz, quick, mach, cg, cg_err, chart_err, tools, elapsed, argv_line, done):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    L = ["# rcgc benchmarks", "",
         f"Generated by `{argv_line}` on {now}; bench/bench.py rewrites this file on every run, "
         "so edit the suite, not this page.", ""]
    if quick:
        L += [f"**QUICK run**: {sz['runs']} rounds and smaller sizes (labelled in each title); "
              "the goals' sizes are those of the full run (`make bench`).", ""]
    else:
        L += [f"Full run: {sz['runs']} rounds.", ""]
    if done < sz["runs"]:
        L += [f"**Incomplete: {done} of {sz['runs']} rounds done** when this was written (the run "
              "was stopped or is still going); medians are of the rounds done.", ""]
    L += [f"Wall time of the whole run: {elapsed / 60:.1f} min." if elapsed is not None else
          "Rewritten from the per-run log of the run (bench.py --rewrite).", "",
          "## Machine", "",
          f"- CPU: {mach.get('cpu', '?')}, {mach.get('cores')} cores; memory {mach.get('mem', '?')}",
          f"- Debian {mach.get('debian')}, Linux {mach.get('kernel')}; {mach.get('cc')}",
          f"- {mach.get('python')}; {mach.get('php')}; {mach.get('lua')}; libgc-dev {mach.get('libgc')}; "
          f"{mach.get('valgrind')}",
          "- rcgc and the C peers: CMake Release build (-O3), see bench/run.sh; "
          f"source `{mach.get('commit')}` (-dirty: uncommitted changes in the tree)",
          f"- load average when the report was written: {mach.get('load')} (other work on the "
          "machine shows as wider min-max ranges)", ""]
    if tools.missing:
        L += ["Peers not available in this run: " + ", ".join(tools.missing) + ".", ""]
    L += ["More suites have their own commands and reports: `bash bench/unreachable/run.sh` "
          "(`rcgc unreachable` against networkx, a Python search and `wc -l`, issue 5) writes "
          "[BENCHMARKS-unreachable.md](BENCHMARKS-unreachable.md); `bash bench/graph/run.sh` "
          "(the graph tools against objgraph, issue 4) writes "
          "[BENCHMARKS-graphs.md](BENCHMARKS-graphs.md); `python3 bench/schedule/run.py BUILD_DIR` "
          "(the collector's schedule against malloc, Boehm and CPython, issue 11) writes "
          "[BENCHMARKS-schedule.md](BENCHMARKS-schedule.md). `bash bench/interp/run.sh` (the example "
          "Scheme interpreter on rcgc, Boehm GC and malloc, issue 17) writes its own section at "
          "the end of this page, which `make bench` keeps.", ""]
    L += ["## Goals", "",
          "| goal | target | rcgc (median) | peers in this run (median) | status |",
          "|---|---|---|---|---|"]
    gl = goals(cases, sz, quick)
    for g in gl:
        L.append(f"| {g[0]} | {g[1]} | {g[2]} | {g[3]} | {g[4]} |")
    gaps = [g for g in gl if g[5]]
    if gaps:
        L += ["", "Gaps:", ""]
        for g in gaps:
            L.append(f"- {g[0]}: {g[5]}.")
    L += ["", "![ratios](bench-ratios.svg)", "", "![pauses](bench-pauses.svg)", ""]
    if chart_err:
        L += [f"Charts: {chart_err}.", ""]
    L += ["## Results", ""]
    for case in cases:
        L += [f"### {case.title}", "", case_table(case, failures), ""]
        fl = [(k[1], v) for k, v in failures.items() if k[0] == case.cid]
        for name, texts in fl:
            L.append(f"- {name} failed {len(texts)} of {len(case.results[name])} runs: "
                     + "; ".join(sorted(set(texts))))
        if fl:
            L.append("")
        if case.cid == "pauses":
            L += ["Lua (incremental collector, no discrete collections) and malloc (no collector) "
                  "have no pauses to report.", ""]
    L += ["## Callgrind instruction counts (rcgc, smaller sizes)", ""]
    if cg_err:
        L += [cg_err, ""]
    else:
        L += ["| run | command | instructions | per unit |", "|---|---|---|---|"]
        for label, cmd, ir, per, unit in cg:
            L.append(f"| {label} | `{cmd}` | {ir if ir is not None else 'n/a'} | "
                     + (f"{per:.1f} per {unit}" if per else "") + " |")
        L.append("")
    L += ["## Method", "", METHOD.format(cap=sz.get("cap", CAP_S), sites_depth=sz["sites_depth"]),
          "## Exact commands", "",
          "Each command below runs under `/usr/bin/time -f '%e %M'`; paths are relative to the "
          "repository, the rcgc and C peer programs are in the build directory's bench/.", "", "```"]
    for case in cases:
        for row in case.rows:
            L.append(cmd_text(row.argv))
    L += ["```", ""]
    return "\n".join(L)


def rewrite(a, cases, sz, tools, started):
    """Rebuilds the report from a per-run log written by run_rounds (e.g. of a run stopped
    before its last round), with callgrind rerun. The log holds each run's figures, not its
    pause lists, so the pause chart is left as it is."""
    by_id = {c.cid: c for c in cases}
    failures = {}
    with open(a.rewrite) as f:
        lines = f.read().splitlines()
    for i in range(0, len(lines) - 2, 3):
        m = re.match(r"round (\d+)/\d+ (\S+) (.+?): [\d.]+s", lines[i])
        case = by_id.get(m.group(2)) if m else None
        if case is None or m.group(3) not in case.results:
            continue
        res = json.loads(lines[i + 2]) or None
        row = next(r for r in case.rows if r.name == m.group(3))
        said = re.search(r"FAILED: (.*)$", lines[i])
        fail = ((said.group(1) if said else "did not complete") if res is None
                else failure_of(case, row, res))
        if fail:
            failures.setdefault((case.cid, row.name), []).append(fail)
            case.failures_seen.setdefault(row.name, []).append(fail)
            if res is not None:
                res["failed"] = 1
        case.results[row.name].append(res)
    # Only whole rounds count: a round cut short would pair unevenly.
    done = min((len(v) for c in cases for v in c.results.values()), default=0)
    for c in cases:
        for name in c.results:
            c.results[name] = c.results[name][:done]
    failures = {k: v[:done] for k, v in failures.items() if v[:done]}
    log("bench: callgrind")
    cg, cg_err = callgrind(tools, a.quick)
    chart_err = charts(cases, sz, a.out)
    text = report(cases, failures, sz, a.quick, machine(), cg, cg_err, chart_err, tools,
                  None, "make bench QUICK=1" if a.quick else "make bench", done)
    write_atomic(os.path.join(a.out, "BENCHMARKS.md"), text)
    raw = {c.cid: {r: c.results[r] for r in c.results} for c in cases}
    write_atomic(os.path.join(a.out, "bench-results.json"), json.dumps(raw, indent=1) + "\n")
    print(text)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"))
    ap.add_argument("--only", default="", help="comma-separated case id prefixes (testing)")
    ap.add_argument("--cap", type=float, default=CAP_S,
                    help=f"seconds a run may take before it is stopped and its row is not rerun "
                         f"(default {CAP_S})")
    ap.add_argument("--rewrite", default="",
                    help="rewrite the report from a bench-runs.log instead of running the rounds "
                         "(callgrind is rerun; the pause chart is left as it is)")
    a = ap.parse_args()
    started = time.time()
    sz = sizes(a.quick)
    sz["cap"] = a.cap
    if a.runs:
        sz["runs"] = a.runs
    tools = Tools(os.path.abspath(a.build))
    cases = make_cases(tools, sz)
    if a.only:
        cases = [c for c in cases if any(c.cid.startswith(p) for p in a.only.split(","))]
    os.makedirs(a.out, exist_ok=True)
    log_path = os.path.join(os.path.abspath(a.build), "bench-runs.log")
    log(f"bench: {len(cases)} cases, {sz['runs']} rounds; per-run log in {log_path}")
    if a.rewrite:
        return rewrite(a, cases, sz, tools, started)
    log("bench: callgrind")
    cg, cg_err = callgrind(tools, a.quick)
    argv_line = "make bench QUICK=1" if a.quick else "make bench"
    texts = []

    def write_report(done, failures):
        chart_err = charts(cases, sz, a.out)
        text = report(cases, failures, sz, a.quick, machine(), cg, cg_err, chart_err, tools,
                      time.time() - started, argv_line, done)
        write_atomic(os.path.join(a.out, "BENCHMARKS.md"), text)
        raw = {c.cid: {r: [{k: v for k, v in (res or {}).items() if k != "pause_list"} if res else None
                           for res in c.results[r]] for r in c.results} for c in cases}
        write_atomic(os.path.join(a.out, "bench-results.json"), json.dumps(raw, indent=1) + "\n")
        log(f"bench: report written after round {done} of {sz['runs']}")
        texts[:] = [text]

    run_rounds(cases, sz["runs"], log_path, write_report, a.cap)
    print(texts[0] if texts else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
