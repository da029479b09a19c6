/* Differential test of `rcgc snapshot`'s dominators, retained sizes and reachability
 * (tools/rcgc/snapshot/analyze.c) against a brute-force oracle on random graphs: each graph
 * is written as .heapsnapshot text, read back with the tool's loader, and every node's
 * immediate dominator and retained size are compared with those found by deleting each node
 * in turn and searching from the root (a node d dominates v exactly when v is reached
 * before and not after d is deleted). Weak edges are in the graphs and must be ignored.
 * usage: snapdom FIRST_SEED LAST_SEED   (exit 1 and the seed on a mismatch) */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../snapshot/snap.h"

#define MAX_N 64

static uint64_t rng;
static uint64_t next(void)
{
    rng += 0x9E3779B97F4A7C15u;
    uint64_t x = rng;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

struct g {
    unsigned n, m;
    unsigned from[MAX_N * 8], to[MAX_N * 8];
    bool weak[MAX_N * 8];
    uint64_t size[MAX_N];
};

static void random_graph(struct g *g)
{
    unsigned shape = (unsigned)(next() % 4);
    g->n = 1 + (unsigned)(next() % MAX_N);
    g->m = 0;
    for (unsigned i = 0; i < g->n; i++)
        g->size[i] = next() % 100;
    unsigned want = (unsigned)(next() % (g->n * 4 + 1));
    if (shape == 1) { /* a doubly linked list: the iterative algorithm's worst case */
        for (unsigned i = 0; i + 1 < g->n && g->m + 2 < MAX_N * 8; i++) {
            g->from[g->m] = i, g->to[g->m] = i + 1, g->weak[g->m++] = false;
            g->from[g->m] = i + 1, g->to[g->m] = i, g->weak[g->m++] = false;
        }
    }
    for (unsigned k = 0; k < want && g->m < MAX_N * 8; k++) {
        unsigned a = (unsigned)(next() % g->n), b = (unsigned)(next() % g->n);
        if (shape == 2 && a > b)
            continue; /* mostly a DAG */
        g->from[g->m] = a;
        g->to[g->m] = b;
        g->weak[g->m++] = next() % 8 == 0;
    }
}

/* The graph as a .heapsnapshot document (edges grouped by source, as the format wants). */
static char *as_json(const struct g *g, size_t *len)
{
    size_t cap = 4096 + (size_t)g->n * 64 + (size_t)g->m * 40;
    char *t = malloc(cap);
    size_t at = 0;
    at += (size_t)snprintf(
        t + at, cap - at,
        "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_"
        "count\"],"
        "\"node_types\":[[\"hidden\",\"object\",\"synthetic\"],\"string\",\"number\",\"number\","
        "\"number\"],"
        "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
        "\"edge_types\":[[\"element\",\"property\",\"weak\"],\"string_or_number\",\"node\"]},"
        "\"node_count\":%u,\"edge_count\":%u},\n\"nodes\":[",
        g->n, g->m);
    for (unsigned i = 0; i < g->n; i++) {
        unsigned deg = 0;
        for (unsigned e = 0; e < g->m; e++)
            deg += g->from[e] == i;
        at += (size_t)snprintf(t + at, cap - at, "%s%u,%u,%u,%" PRIu64 ",%u", i ? "," : "",
                               i ? 1u : 2u, i % 3, 2 * i + 1, g->size[i], deg);
    }
    at += (size_t)snprintf(t + at, cap - at, "],\n\"edges\":[");
    bool first = true;
    for (unsigned i = 0; i < g->n; i++)
        for (unsigned e = 0; e < g->m; e++) {
            if (g->from[e] != i)
                continue;
            at += (size_t)snprintf(t + at, cap - at, "%s%u,%u,%u", first ? "" : ",",
                                   g->weak[e] ? 2u : 0u, g->weak[e] ? 1u : e, g->to[e] * 5);
            first = false;
        }
    at += (size_t)snprintf(t + at, cap - at, "],\n\"strings\":[\"a\",\"b\",\"c\"]}");
    *len = at;
    return t;
}

/* Nodes reached from 0 over strong edges without passing through `cut` (MAX_N: none). */
static uint64_t reach_without(const struct g *g, unsigned cut)
{
    if (cut == 0)
        return 0;
    uint64_t seen = 1, last = 0;
    while (seen != last) {
        last = seen;
        for (unsigned e = 0; e < g->m; e++)
            if (!g->weak[e] && (seen >> g->from[e] & 1) && g->to[e] != cut)
                seen |= UINT64_C(1) << g->to[e];
    }
    return seen;
}

static int check(const struct g *g, uint64_t seed)
{
    size_t len;
    char *text = as_json(g, &len);
    struct snap s;
    memset(&s, 0, sizeof s);
    if (snap_load_bytes(&s, (const unsigned char *)text, len, "graph") != 0) {
        fprintf(stderr, "snapdom: seed %" PRIu64 ": the loader refused a valid graph\n", seed);
        return 1;
    }
    struct graph sg;
    snap_strong_graph(&s, &sg);
    uint32_t *idom;
    uint64_t *retained;
    size_t bytes;
    uint64_t *marks = snap_reached(&s, &sg, &bytes);
    snap_dominators(&s, &sg, &idom, &retained);
    uint64_t all = reach_without(g, MAX_N);
    uint64_t dom[MAX_N]; /* dom[v]: the nodes dominating v, v included */
    for (unsigned v = 0; v < g->n; v++)
        dom[v] = all >> v & 1 ? UINT64_C(1) << v : 0;
    for (unsigned d = 0; d < g->n; d++) {
        uint64_t without = reach_without(g, d);
        for (unsigned v = 0; v < g->n; v++)
            if ((all >> v & 1) && !(without >> v & 1))
                dom[v] |= UINT64_C(1) << d;
    }
    int bad = 0;
    for (unsigned v = 0; v < g->n && !bad; v++) {
        bool reached = all >> v & 1;
        if (reached != (bool)(marks[v >> 6] >> (v & 63) & 1))
            bad = 1;
        uint32_t want = UINT32_MAX;
        uint64_t want_retained = 0;
        if (reached) {
            want = 0;
            unsigned depth = (unsigned)__builtin_popcountll(dom[v]);
            for (unsigned d = 0; d < g->n; d++)
                if (d != v && (dom[v] >> d & 1) &&
                    (unsigned)__builtin_popcountll(dom[d]) == depth - 1)
                    want = d;
            for (unsigned w = 0; w < g->n; w++)
                if (dom[w] >> v & 1)
                    want_retained += g->size[w];
        }
        if (idom[v] != want || retained[v] != want_retained) {
            fprintf(stderr,
                    "snapdom: seed %" PRIu64 ": node %u: idom %d retained %" PRIu64
                    ", the oracle says %d and %" PRIu64 "\n",
                    seed, v, (int)idom[v], retained[v], (int)want, want_retained);
            bad = 1;
        }
    }
    marks_free(marks, bytes);
    free(idom);
    free(retained);
    snap_free(&s);
    free(text);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    uint64_t first = strtoull(argv[1], NULL, 10), last = strtoull(argv[2], NULL, 10);
    for (uint64_t seed = first; seed <= last; seed++) {
        rng = seed * 0x100000001b3u;
        struct g g;
        random_graph(&g);
        if (check(&g, seed))
            return 1;
    }
    printf("snapdom: seeds %" PRIu64 " to %" PRIu64 " agree with the oracle\n", first, last);
    return 0;
}
