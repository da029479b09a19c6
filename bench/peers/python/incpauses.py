"""CPython's side of workloads (a) and (b) of bench/rcgc/incpauses.c (issue 12, bounded pauses).

usage: python3 incpauses.py a|b LIVE ROUNDS [STRUCT]

The same rounds as the rcgc program: (a) a ring of LIVE nodes whose root loses and regains
one of its two references each round while 1000 short-lived two-node cycles are made;
(b) a ring of LIVE nodes, and each round a new cyclic structure of STRUCT nodes (default
100000; a ring with chords), 100 x 1000 short-lived cycles, then the structure of the
round before dropped. The live data is built with gc disabled, then gc.collect() twice
(a careful user's setup); the rounds run with automatic collection on. Pauses come from
gc.callbacks (start/stop, time.perf_counter_ns), CPython's own hook around every
collection. Waiting garbage (max_waiting), as bench.py's ring does: objects dropped as
cyclic garbage minus what collections report collected (the callbacks' info["collected"]),
sampled every 1000 cycles made; CPython has no cheap count of live objects
(len(gc.get_objects()) would walk the heap at every sample).
"""
import gc
import sys
import time

from bench import Node, count, uss_bytes  # bench.py beside this file: one copy of each


def ring(n, chords):
    nodes = [Node() for _ in range(n)]
    for i in range(n - 1):
        nodes[i].next = nodes[i + 1]
    nodes[n - 1].next = nodes[0]
    if chords:
        for i in range(1, n):
            nodes[i].other = nodes[i // 2]
    return nodes[0]


def churn(k):
    for _ in range(k):
        a = Node()
        b = Node()
        a.next = b
        b.next = a


def main():
    w = sys.argv[1]
    live = count(sys.argv[2])
    rounds = count(sys.argv[3])
    st = count(sys.argv[4]) if len(sys.argv) > 4 else 100000
    pauses = []
    start = [0]
    collected = [0]

    def cb(phase, info):
        if phase == "start":
            start[0] = time.perf_counter_ns()
        else:
            pauses.append(time.perf_counter_ns() - start[0])
            collected[0] += info["collected"]

    gc.disable()
    root = ring(live, False)
    second = root
    old = ring(st, True) if w == "b" else None
    gc.collect()
    gc.collect()
    gc.callbacks.append(cb)
    gc.enable()
    peak = uss_bytes()
    dropped = 0
    max_waiting = 0
    t0 = time.perf_counter()
    for r in range(rounds):
        if w == "a":
            second = None
            second = root
            churn(1000)
            dropped += 2000
            max_waiting = max(max_waiting, dropped - collected[0])
        else:
            fresh = ring(st, True)
            for _ in range(100):
                churn(1000)
                dropped += 2000
                max_waiting = max(max_waiting, dropped - collected[0])
            old = fresh
            dropped += st
        if r % 16 == 0:
            peak = max(peak, uss_bytes())
    wall = time.perf_counter() - t0
    peak = max(peak, uss_bytes())
    gc.callbacks.remove(cb)
    ps = sorted(pauses)
    n = len(ps)

    def q(x):
        return ps[min(n - 1, int(n * x))] / 1e6 if n else 0.0

    print(f"n_pauses {n}")
    print(f"max_pause_ms {ps[-1] / 1e6 if n else 0.0:.4f}")
    print(f"p99_pause_ms {q(0.99):.4f}")
    print(f"p50_pause_ms {q(0.50):.4f}")
    print(f"collector_ms {sum(ps) / 1e6:.1f}")
    print(f"max_waiting {max_waiting}")
    print(f"peak_uss_mb {peak / 1048576:.1f}")
    print(f"wall_s {wall:.3f}")
    del old, root, second


main()
