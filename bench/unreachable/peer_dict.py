"""Peer for `rcgc unreachable`: a plain Python dict of lists plus a stack.

usage: peer_dict.py ROOT FILE   (prints the unreachable nodes, first-seen order)
Reads the edge list the way the benchmark files are written: SRC DST per
line, '#'/'%' comments.
"""
import sys


def main():
    root, path = sys.argv[1], sys.argv[2]
    adj = {}
    with open(path, "rb") as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0][:1] in (b"#", b"%"):
                continue
            src = parts[0]
            succ = adj.setdefault(src, [])
            if len(parts) > 1:
                succ.append(parts[1])
                adj.setdefault(parts[1], [])
    seen = {root.encode()}
    stack = [root.encode()]
    while stack:
        for w in adj[stack.pop()]:
            if w not in seen:
                seen.add(w)
                stack.append(w)
    out = sys.stdout.buffer
    out.writelines(v + b"\n" for v in adj if v not in seen)


main()
