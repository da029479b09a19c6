#!/usr/bin/python3
"""peer_objgraph.py -- objgraph's side of bench/graph/backrefs.c: the same heap in CPython
and the same questions asked of objgraph (Debian's python3-objgraph) and the gc module.

Heap, as in backrefs.c: top -> 1000 mid lists -> N_INNER inner lists each -> 99 floats
each (10,001,001 objects for N_INNER 100), plus a 7-list chain that also leads to the
target float (inner list N_INNER/2 of mid list 500, item 42): 10,001,008 objects.

top, chain and target are locals of main(), whose frame is never made into an object, so
gc.get_referrers sees no holder for them: like backrefs.c's C variables, they are held
from outside the heap, and both sides draw the same nodes. No closure captures them (a
cell would be a referrer). Only the call is timed, never the building.

What typestats counts here: objgraph.typestats() walks gc.get_objects(), the objects the
collector tracks: the 101,008 lists plus the interpreter's own containers, never the
floats (CPython does not track them). "typestats over all heap objects" passes the
10,001,008 objects of the heap as a prebuilt list (objects=...), so it counts what
rcgc's typestats counts; building that list is not timed.

Prints one line per measurement, in backrefs.c's layout ("NAME: X ms (details)"), or
"NAME: timed out after S s" when an operation runs past the limit.

Usage: /usr/bin/python3 peer_objgraph.py [N_INNER_PER_MID] [--limit SECONDS] [--dir DIR]
"""
import argparse
import contextlib
import functools
import gc
import io
import operator
import os
import re
import signal
import sys
import tempfile
import time

import objgraph


class TimedOut(Exception):
    pass


def on_alarm(signum, frame):
    raise TimedOut()


class Clock:
    """Times one operation at a time, stopped by SIGALRM after limit_s seconds."""

    def __init__(self, limit_s):
        self.limit_s = limit_s
        self.t0 = 0.0

    def start(self):
        signal.setitimer(signal.ITIMER_REAL, self.limit_s)
        self.t0 = time.perf_counter()

    def stop(self):
        ms = (time.perf_counter() - self.t0) * 1e3
        signal.setitimer(signal.ITIMER_REAL, 0)
        return ms

    def timed_out(self, name):
        signal.setitimer(signal.ITIMER_REAL, 0)
        print(f"{name}: timed out after {self.limit_s:g} s", flush=True)


def dot_counts(path):
    """(object nodes, edges between objects) of an objgraph DOT file."""
    nodes = set()
    edges = 0
    with open(path) as f:
        for line in f:
            m = re.match(r"\s+(o\d+)\[label=", line)
            if m:
                nodes.add(m.group(1))
            elif re.match(r"\s+o\d+ -> o\d+", line):
                edges += 1
    return len(nodes), edges


def build(n_inner):
    """The heap of backrefs.c; returns (top, chain, target)."""
    top = []
    target = None
    for m in range(1000):
        mid = []
        for i in range(n_inner):
            inner = [float(k) for k in range(99)]
            if m == 500 and i == n_inner // 2:
                target = inner[42]
            mid.append(inner)
        top.append(mid)
    chain = [target]
    for _ in range(6):
        chain = [chain]
    return top, chain, target


def all_heap_objects(top, chain):
    """A new list of the heap's objects (lists and floats), each once."""
    out = [top]
    for mid in top:
        out.append(mid)
        for inner in mid:
            out.append(inner)
            out.extend(inner)
    while isinstance(chain, list):
        out.append(chain)
        chain = chain[0]
    return out


def show_graph(clock, name, fn, objs, path):
    """Times objgraph.show_refs/show_backrefs writing DOT text only (no Graphviz)."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # "Graph written to ..."
            clock.start()
            fn(objs, max_depth=5, filename=path)
            ms = clock.stop()
    except TimedOut:
        clock.timed_out(name)
        return
    n_nodes, n_edges = dot_counts(path)
    print(f"{name}: {ms:.1f} ms ({n_nodes} nodes, {n_edges} edges)", flush=True)


def timed_call(clock, name, fn, *args, **kwargs):
    """(milliseconds, fn's result), or None after printing that fn ran past the limit."""
    try:
        clock.start()
        result = fn(*args, **kwargs)
        return clock.stop(), result
    except TimedOut:
        clock.timed_out(name)
        return None


def print_stats(name, ms, stats):
    print(f"{name}: {ms:.4f} ms ({len(stats)} types, {sum(stats.values())} objects, "
          f"list {stats.get('list', 0)}, float {stats.get('float', 0)})", flush=True)


def time_typestats(clock, top, chain):
    """objgraph's default typestats and most_common_types (over gc.get_objects()), then
    typestats over every object of the heap."""
    r = timed_call(clock, "typestats", objgraph.typestats)
    if r is not None:
        print_stats("typestats", r[0], r[1])
    r = timed_call(clock, "most_common_types", objgraph.most_common_types)
    if r is not None:
        print(f"most_common_types: {r[0]:.4f} ms ({r[1][0][0]} {r[1][0][1]})", flush=True)
    objs = all_heap_objects(top, chain)
    r = timed_call(clock, "typestats over all heap objects", objgraph.typestats, objects=objs)
    if r is not None:
        print_stats("typestats over all heap objects", r[0], r[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n_inner", nargs="?", type=int, default=100)
    ap.add_argument("--limit", type=float, default=120.0, help="seconds per operation")
    ap.add_argument("--dir", default=None, help="where the DOT files go (default: a temporary directory)")
    a = ap.parse_args()
    signal.signal(signal.SIGALRM, on_alarm)
    clock = Clock(a.limit)
    tmp = None
    if a.dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="peer-objgraph-")
        a.dir = tmp.name

    gc.disable()  # as backrefs.c builds with collections off; objgraph collects itself
    t0 = time.perf_counter()
    top, chain, target = build(a.n_inner)
    n_objects = 1 + 1000 + 1000 * a.n_inner * 100 + 7
    print(f"heap: {n_objects} objects built in {(time.perf_counter() - t0) * 1e3:.0f} ms", flush=True)
    gc.enable()
    gc.collect()

    show_graph(clock, "show_backrefs max_depth 5", objgraph.show_backrefs, [target],
               os.path.join(a.dir, "backrefs.dot"))

    pred = functools.partial(operator.is_, top)  # no closure over top: see the docstring
    try:
        clock.start()
        found = objgraph.find_backref_chain(target, pred)
        ms = clock.stop()
        print(f"find_backref_chain to top: {ms:.1f} ms (chain of {len(found)})", flush=True)
        del found
    except TimedOut:
        clock.timed_out("find_backref_chain to top")
    del pred

    show_graph(clock, "show_refs max_depth 5 from top", objgraph.show_refs, [top],
               os.path.join(a.dir, "refs.dot"))
    big = [float(i) for i in range(1000000)]
    show_graph(clock, "show_refs of a list of a million floats", objgraph.show_refs, [big],
               os.path.join(a.dir, "big.dot"))
    del big

    freed = timed_call(clock, "gc.collect", gc.collect)  # as show_backrefs and find_backref_chain do
    if freed is not None:
        print(f"gc.collect: {freed[0]:.1f} ms ({freed[1]} freed)", flush=True)

    try:
        clock.start()
        refs = gc.get_referrers(target)
        ms = clock.stop()
        print(f"get_referrers: {ms:.1f} ms ({len(refs)})", flush=True)
        del refs
    except TimedOut:
        clock.timed_out("get_referrers")

    time_typestats(clock, top, chain)
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
