"""CPython's side of rcgc's benchmark workloads (see docs/BENCHMARKS.md).

usage: python3 bench.py intlist N | cycles N slots|list LIVE | bintrees DEPTH |
                        pauses LIVE SECONDS | bytes N slots|tuple|list | rctraffic N |
                        weakref N | autogc N on|off chain|lists | ring LIVE STEPS

Prints "key value" lines on stdout for bench/bench.py. Settings are those a careful user
would pick: gc.disable() while building large structures, then gc.collect(); pauses use
gc.callbacks, CPython's own hook around every collection.
"""
import gc
import os
import sys
import time
import weakref


def uss_bytes():
    """Private_Clean + Private_Dirty of /proc/self/smaps_rollup (psutil's uss)."""
    total = 0
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1]) * 1024
    return total


def mib(b):
    return b / (1024.0 * 1024.0)


def report(key, value):
    print(f"{key} {value:.9g}")


def count(s):
    mult = {"k": 1000, "K": 1000, "M": 1000000, "m": 1000000}
    if s[-1] in mult:
        return int(s[:-1]) * mult[s[-1]]
    return int(s)


class Node:
    __slots__ = ("next", "other")

    def __init__(self):
        self.next = None
        self.other = None


def intlist(n):
    gc.disable()
    uss0 = uss_bytes()
    t0 = time.perf_counter()
    a = [i for i in range(n)]
    t1 = time.perf_counter()
    uss1 = uss_bytes()
    t2 = time.perf_counter()
    del a
    gc.collect()
    t3 = time.perf_counter()
    uss2 = uss_bytes()
    report("build_s", t1 - t0)
    report("drop_s", t3 - t2)
    report("uss_start_mb", mib(uss0))
    report("uss_built_mb", mib(uss1) - mib(uss0))
    report("uss_dropped_mb", mib(uss2) - mib(uss0))


def build(n, kind):
    if kind == "slots":
        objs = [Node() for _ in range(n)]
        for i in range(n):
            o = objs[i]
            o.next = objs[(i + 1) % n]
            o.other = objs[(i * 2654435761 + 12345) % n]
    else:
        objs = [[] for _ in range(n)]
        for i in range(n):
            o = objs[i]
            o.append(objs[(i + 1) % n])
            o.append(objs[(i * 2654435761 + 12345) % n])
    return objs


def cycles(n, kind, live):
    gc.disable()
    kept = build(n, kind) if live else None
    garbage = build(n, kind)
    del garbage
    t0 = time.perf_counter()
    freed = gc.collect()
    t1 = time.perf_counter()
    report("collect_s", t1 - t0)
    report("freed", freed)
    report("ns_per_obj", (t1 - t0) * 1e9 / max(freed, 1))
    if kept is not None and kept[0] is None:
        sys.exit(1)
    # Not measured: interpreter shutdown, whose final collection would traverse the live
    # ring once more. Leave at once.
    sys.stdout.flush()
    os._exit(0)


def bintrees(max_depth):
    min_depth = 4
    max_depth = max(min_depth + 2, max_depth)

    def make(d):
        return (make(d - 1), make(d - 1)) if d > 0 else (None, None)

    def check(t):
        left, right = t
        return 1 if left is None else 1 + check(left) + check(right)

    t0 = time.perf_counter()
    total = check(make(max_depth + 1))
    long_lived = make(max_depth)
    for d in range(min_depth, max_depth + 1, 2):
        iterations = 1 << (max_depth - d + min_depth)
        for _ in range(iterations):
            total += check(make(d))
    total += check(long_lived)
    report("check", total)
    report("time_s", time.perf_counter() - t0)


def pauses(live, seconds):
    gc.disable()
    first = Node()
    prev = first
    for _ in range(live - 1):
        x = Node()
        prev.next = x
        prev = x
    prev.next = first
    del prev, x
    gc.collect()
    gc.collect()
    gc.enable()
    times = []
    start = [0]
    collected = [0]
    clock = time.perf_counter_ns

    def on_gc(phase, info):
        if phase == "start":
            start[0] = clock()
        else:
            times.append(((clock() - start[0]) * 1e-6, info["generation"]))
            collected[0] += info["collected"]

    gc.callbacks.append(on_gc)
    peak = uss_bytes()
    end = time.perf_counter() + seconds
    iterations = 0
    max_waiting = 0
    while time.perf_counter() < end:
        for _ in range(1000):
            a = Node()
            b = Node()
            a.next = b
            b.next = a
        iterations += 1000
        # waiting garbage: the cycles' nodes dropped minus what collections freed
        max_waiting = max(max_waiting, 2 * iterations - collected[0])
        if iterations % 65536 < 1000:
            peak = max(peak, uss_bytes())
    gc.callbacks.remove(on_gc)
    peak = max(peak, uss_bytes())
    for ms, gen in times:
        report("pause_ms", ms)
        report(f"pause_gen{gen}_ms", ms)
    report("n_pauses", len(times))
    report("loop_iterations", iterations)
    report("peak_uss_mb", mib(peak))
    report("max_waiting", max_waiting)


def autogc(n, on, shape):
    """Issue 2/11: N long-lived containers, automatic collection on or off."""
    if not on:
        gc.disable()
    t = time.perf_counter()
    if shape == "lists":
        head = []
        for i in range(n):
            head.append([i, i])
    else:
        head = None
        for _ in range(n):
            x = Node()
            x.next = head
            head = x
    t1 = time.perf_counter()
    report("alloc_s", t1 - t)
    report("ns_per_obj", (t1 - t) * 1e9 / n)
    report("collections", sum(s["collections"] for s in gc.get_stats()))


def ring(live, steps):
    """Workload 9 (bench/rcgc/ring.c): cyclic garbage waiting to be found."""
    head = None
    for _ in range(live):
        x = Node()
        x.next = head
        head = x
    slots = 20000
    ring_ = [None] * slots
    ring_k = [0] * slots
    collected = [0]
    times = []
    start = [0]
    clock = time.perf_counter_ns

    def on_gc(phase, info):
        if phase == "start":
            start[0] = clock()
        else:
            collected[0] += info["collected"]
            times.append(((clock() - start[0]) * 1e-6, info["generation"]))

    def make_cycle(k):
        first = Node()
        prev = first
        for _ in range(k - 1):
            n = Node()
            prev.next = n
            prev = n
        prev.next = first
        return first

    gc.callbacks.append(on_gc)
    rng = 0x9e3779b97f4a7c15
    mask = (1 << 64) - 1
    dropped = 0
    max_waiting = 0
    sum_waiting = 0
    peak = uss_bytes()
    t = time.perf_counter()
    for i in range(steps):
        rng ^= (rng << 13) & mask
        rng ^= rng >> 7
        rng ^= (rng << 17) & mask
        k = 2 + rng % 7
        s = i % slots
        old = ring_[s]
        ring_[s] = make_cycle(k)
        if old is not None:
            old = None
            dropped += ring_k[s]
        ring_k[s] = k
        make_cycle(3)
        dropped += 3
        waiting = dropped - collected[0]
        if waiting > max_waiting:
            max_waiting = waiting
        sum_waiting += waiting
        if i % 65536 == 0:
            peak = max(peak, uss_bytes())
    t1 = time.perf_counter()
    gc.callbacks.remove(on_gc)
    peak = max(peak, uss_bytes())
    for ms, gen in times:
        report("pause_ms", ms)
        report(f"pause_gen{gen}_ms", ms)
    report("n_pauses", len(times))
    report("max_waiting", max_waiting)
    report("mean_waiting", sum_waiting / steps)
    report("steps_per_s", steps / (t1 - t))
    report("collected", collected[0])
    report("peak_uss_mb", mib(peak))


def bytes_per(n, kind):
    gc.disable()
    objs = [None] * n
    xs, ys = [], []
    made = 0
    for s in range(5):
        target = n if s == 4 else n // 4 * s
        if kind == "slots":
            for i in range(made, target):
                objs[i] = Node()
        elif kind == "tuple":
            # (none, none) from a variable: built at run time, one tuple each (the literal
            # (None, None) would be one shared constant).
            none = None
            for i in range(made, target):
                objs[i] = (none, none)
        else:
            for i in range(made, target):
                objs[i] = [None, None]
        made = target
        xs.append(made)
        ys.append(uss_bytes())
    mx, my = sum(xs) / 5, sum(ys) / 5
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    report("bytes_per_obj", slope)
    report("uss_total_mb", mib(ys[4] - ys[0]))


def rctraffic(n):
    pool = [Node() for _ in range(64)]
    slots = [pool[i & 63] for i in range(1024)]
    t0 = time.perf_counter()
    for i in range(n):
        slots[i & 1023] = pool[(i * 7) & 63]
    t1 = time.perf_counter()
    n_alloc = max(n // 10, 1)
    anchor = pool[0]
    t2 = time.perf_counter()
    for _ in range(n_alloc):
        x = Node()
        x.next = anchor
        del x
    t3 = time.perf_counter()
    report("store_ns", (t1 - t0) * 1e9 / n)
    report("alloc_ns", (t3 - t2) * 1e9 / n_alloc)


class Target:
    __slots__ = ("__weakref__",)


def weakrefs(n):
    targets = [Target() for _ in range(1024)]
    ref = weakref.ref
    deaths = []
    callback = deaths.append
    t0 = time.perf_counter()
    alive = 0
    for i in range(n):
        w = ref(targets[i & 1023], callback)
        if w() is not None:
            alive += 1
    t1 = time.perf_counter()
    # Weak references cleared by their targets' death.
    refs = [ref(Target(), callback) for _ in range(n // 10 or 1)]
    t2 = time.perf_counter()
    dead = sum(1 for w in refs if w() is None)
    report("weak_ns", (t1 - t0) * 1e9 / n)
    report("weak_create_check_ns", (t1 - t0) * 1e9 / n)
    report("cleared", dead)
    report("check_ns", (time.perf_counter() - t2) * 1e9 / len(refs))
    if alive != n:
        sys.exit(1)


def main(argv):
    sys.setrecursionlimit(100000)
    w = argv[1] if len(argv) > 1 else ""
    if w == "intlist":
        intlist(count(argv[2]))
    elif w == "cycles":
        cycles(count(argv[2]), argv[3], argv[4] == "1")
    elif w == "bintrees":
        bintrees(int(argv[2]))
    elif w == "pauses":
        pauses(count(argv[2]), float(argv[3]))
    elif w == "bytes":
        bytes_per(count(argv[2]), argv[3])
    elif w == "rctraffic":
        rctraffic(count(argv[2]))
    elif w == "weakref":
        weakrefs(count(argv[2]))
    elif w == "autogc":
        autogc(count(argv[2]), argv[3] == "on", argv[4] if len(argv) > 4 else "chain")
    elif w == "ring":
        ring(count(argv[2]), count(argv[3]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
