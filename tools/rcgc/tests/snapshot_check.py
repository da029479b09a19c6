#!/usr/bin/env python3
"""Compares `rcgc snapshot dump` and `rcgc snapshot garbage` of an rcgc snapshot with what
the library's public API said about the heap (snapgen.c's EXPECTED and SURVIVORS files).
usage: snapshot_check.py EXPECTED SURVIVORS DUMP GARBAGE"""
import collections
import re
import sys


def fail(msg):
    print("snapshot_check: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    expected, survivors, dump, garbage = sys.argv[1:5]
    want_nodes, want_strong, want_weak, want_roots, want_bytes = {}, collections.Counter(), collections.Counter(), {}, None
    for line in open(expected):
        f = line.split()
        if f[0] == "node":
            want_nodes[int(f[1])] = " ".join(f[2:])
        elif f[0] == "strong":
            want_strong[(int(f[1]), int(f[2]))] += 1
        elif f[0] == "weak":
            want_weak[(int(f[1]), int(f[2]))] += 1
        elif f[0] == "root":
            want_roots[int(f[1])] = int(f[2])
        elif f[0] == "bytes":
            want_bytes = int(f[1])
    got_nodes, got_strong, got_weak, got_roots = {}, collections.Counter(), collections.Counter(), {}
    got_bytes, root_id, cur = 0, None, None
    for line in open(dump, encoding="utf-8", errors="replace"):
        if line.startswith("node "):
            head = line[5:].split(" | ")[0].split(" ", 3)
            cur = int(head[0])
            if root_id is None:
                root_id = cur
                if head[1] != "synthetic":
                    fail("node 0 is %s, not the synthetic root" % head[1])
                continue
            got_nodes[cur] = head[3]
            got_bytes += int(head[2])
        elif line.startswith("  edge "):
            kind, target, rest = line[7:].split(" ", 2)
            name = rest[2:].rstrip("\n")
            if cur == root_id:
                m = re.fullmatch(r"held from outside \((\d+) refs\)", name)
                if not m or kind != "property":
                    fail("root edge %r %r" % (kind, name))
                got_roots[int(target)] = int(m.group(1))
            elif kind == "weak":
                got_weak[(cur, int(target))] += 1
            else:
                got_strong[(cur, int(target))] += 1
        else:
            fail("unexpected dump line %r" % line)
    for what, want, got in (("nodes", want_nodes, got_nodes), ("strong edges", want_strong, got_strong),
                            ("weak edges", want_weak, got_weak), ("roots", want_roots, got_roots)):
        if want != got:
            w, g = set(want.items()), set(got.items())
            fail("%s differ: only in the heap %s; only in the snapshot %s" % (what, sorted(w - g)[:5], sorted(g - w)[:5]))
    if want_bytes != got_bytes:
        fail("self sizes add up to %d, live_bytes is %d" % (got_bytes, want_bytes))
    alive = {int(l.split()[1]) for l in open(survivors)}
    want_garbage = set(want_nodes) - alive
    got_garbage = set()
    for line in open(garbage, encoding="utf-8", errors="replace"):
        m = re.search(r" @(\d+)", line)
        got_garbage.add(int(m.group(1)))
    if want_garbage != got_garbage:
        fail("garbage differs from what rc_collect(heap, 2) freed: freed only %s; listed only %s"
             % (sorted(want_garbage - got_garbage)[:5], sorted(got_garbage - want_garbage)[:5]))
    print("ok: %d objects, %d strong and %d weak edges, %d roots, %d garbage"
          % (len(got_nodes), sum(got_strong.values()), sum(got_weak.values()), len(got_roots), len(got_garbage)))


main()
