"""Differential test against networkx: random edge lists and JSON graphs.

usage: networkx_check.py RCGC SEED EDGES
Exits 77 (skipped) when networkx is not installed.
"""
import json
import random
import subprocess
import sys
import tempfile

try:
    import networkx as nx
except ImportError:
    print("networkx not installed; skipping")
    sys.exit(77)


def expected(order, edges, roots):
    g = nx.DiGraph()
    g.add_nodes_from(order)
    g.add_edges_from(edges)
    seen = set(roots)
    for r in roots:
        seen |= nx.descendants(g, r)
    return [v for v in order if v not in seen]


def first_seen(items):
    order, met = [], set()
    for v in items:
        if v not in met:
            met.add(v)
            order.append(v)
    return order


def run(rcgc, path, roots):
    args = [rcgc, "unreachable", path]
    for r in roots:
        args += ["-r", r]
    out = subprocess.run(args, check=True, capture_output=True).stdout
    return out.decode().splitlines()


def main():
    rcgc, seed, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(seed)
    n = max(2, m // 2)
    names = [str(i) if i % 3 else "0%d" % i if i % 2 else "v%d" % i for i in range(n)]
    edges = [(rnd.choice(names), rnd.choice(names)) for _ in range(m)]
    order = first_seen(v for e in edges for v in e)
    roots = [rnd.choice(order) for _ in range(2)]
    want = expected(order, edges, roots)
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
        f.write("".join("%s\t%s\n" % e for e in edges))
        f.flush()
        if run(rcgc, f.name, roots) != want:
            sys.exit("edge list differs from networkx (seed %d)" % seed)
    doc = {}
    for s, d in edges:
        doc.setdefault(s, []).append(d)
    order = first_seen(v for k, vs in doc.items() for v in [k] + vs)
    want = expected(order, edges, roots)
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        json.dump(doc, f)
        f.flush()
        if run(rcgc, f.name, roots) != want:
            sys.exit("JSON differs from networkx (seed %d)" % seed)


main()
