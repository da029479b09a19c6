"""Peer for `rcgc unreachable`: networkx DiGraph and nx.descendants.

usage: peer_networkx.py ROOT FILE
"""
import sys

import networkx as nx


def main():
    root, path = sys.argv[1], sys.argv[2]
    g = nx.DiGraph()
    with open(path, "rb") as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0][:1] in (b"#", b"%"):
                continue
            if len(parts) > 1:
                g.add_edge(parts[0], parts[1])
            else:
                g.add_node(parts[0])
    r = root.encode()
    seen = nx.descendants(g, r) | {r}
    sys.stdout.buffer.writelines(v + b"\n" for v in g.nodes if v not in seen)


main()
