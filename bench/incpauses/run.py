#!/usr/bin/env python3
"""Bounded pauses (issue 12): workloads (a) and (b) of bench/rcgc/incpauses.c, rcgc with
increments (the default) and with stop_the_world, and CPython's peer, interleaved, medians
of RUNS runs. Prints a markdown table (docs/BENCHMARKS-pauses.md holds a copy).

usage: python3 bench/incpauses/run.py --build BUILD_DIR [--runs 5] [--a-live 10M]
           [--a-rounds 2000] [--b-live 5M] [--b-rounds 8] [--only a|b] [--no-python]
BUILD_DIR is a Release build (cmake -DCMAKE_BUILD_TYPE=Release) holding
bench/rcgc-bench-incpauses.
"""
import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KEYS = ["max_pause_ms", "p99_pause_ms", "p50_pause_ms", "n_pauses", "collector_ms",
        "max_waiting", "peak_uss_mb", "wall_s", "cpu_s"]


def run(cmd):
    # /usr/bin/time -f gives the process's CPU time (user + sys)
    p = subprocess.run(["/usr/bin/time", "-f", "cpu_s %U %S"] + cmd, capture_output=True,
                       text=True, check=True)
    out = {}
    for line in p.stdout.splitlines() + p.stderr.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "cpu_s":
            out["cpu_s"] = float(parts[1]) + float(parts[2])
        elif len(parts) == 2 and parts[0] in KEYS:
            out[parts[0]] = float(parts[1])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--a-live", default="10M")
    ap.add_argument("--a-rounds", default="2000")
    ap.add_argument("--b-live", default="5M")
    ap.add_argument("--b-rounds", default="8")
    ap.add_argument("--only", default="ab")
    ap.add_argument("--no-python", action="store_true")
    args = ap.parse_args()
    prog = os.path.join(args.build, "bench", "rcgc-bench-incpauses")
    py = os.path.join(ROOT, "bench", "peers", "python", "incpauses.py")
    rows = []
    for w in args.only:
        live, rounds = (args.a_live, args.a_rounds) if w == "a" else (args.b_live, args.b_rounds)
        variants = [("rcgc increments", [prog, w, live, rounds, "inc"]),
                    ("rcgc stop-the-world", [prog, w, live, rounds, "stw"])]
        if not args.no_python:
            variants.append(("CPython " + sys.version.split()[0], ["python3", py, w, live, rounds]))
        res = {name: [] for name, _ in variants}
        for r in range(args.runs):
            for name, cmd in variants:
                print(f"({w}) run {r + 1}/{args.runs}: {name}", file=sys.stderr)
                res[name].append(run(cmd))
        for name, _ in variants:
            med = {}
            for k in KEYS:
                vals = [x[k] for x in res[name] if k in x]
                med[k] = statistics.median(vals) if vals else None
            rows.append((w, name, med))
    print("| workload | collector | max pause ms | p99 ms | p50 ms | pauses | collector ms |"
          " max waiting garbage | peak USS MiB | wall s | CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for w, name, m in rows:
        def f(k, fmt):
            return "n/a" if m[k] is None else format(m[k], fmt)
        print(f"| ({w}) | {name} | {f('max_pause_ms', '.3f')} | {f('p99_pause_ms', '.3f')} |"
              f" {f('p50_pause_ms', '.3f')} | {f('n_pauses', '.0f')} | {f('collector_ms', '.0f')} |"
              f" {f('max_waiting', '.0f')} | {f('peak_uss_mb', '.1f')} | {f('wall_s', '.2f')} |"
              f" {f('cpu_s', '.2f')} |")


main()
