/* graph.c -- the edge graph in compressed rows (CSR): adjacency built in parallel from the
 * chunks' packed pairs. (The reachability search over the rows is reach.c's.)
 *
 * Build: each chunk (PACKED in chunk.c, by keys_assign) counts the
 * out-degrees of its sources into an array of its own, in parallel. One
 * pass over the keys turns the counts into fill positions: row v holds the
 * successors from chunk 0, then chunk 1, and so on, so each chunk owns a
 * disjoint slice of every row and its thread scatters into it without
 * synchronisation (invariant ROW_FILL: fill_c[v] is the next free place of
 * chunk c in row v). A chunk's pairs are returned as soon as they are
 * scattered. After the scatter the last chunk's fill positions are the row
 * ends, and one shift turns them into row starts. No allocation per edge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rcgc_tool.h"

#define MAX_CHUNKS 9

struct build_task {
    struct chunk *c; /* this task's chunk, PACKED */
    uint32_t *fill;  /* out-degrees by key, then ROW_FILL positions; n_keys + 1 */
    uint32_t *succ;  /* scatter: the successor array */
};

static void count_task(void *arg)
{
    struct build_task *t = arg;
    const uint32_t *p = t->c->pair;
    unsigned bits = t->c->bits;
    uint32_t *deg = t->fill, none = (uint32_t)(((uint64_t)1 << bits) - 1);
    for (size_t i = 0; i < t->c->n_pairs; i++) {
        uint32_t s = packed_get(p, 2 * i, bits), d = packed_get(p, 2 * i + 1, bits);
        deg[s] += d != none;
    }
}

static void scatter_task(void *arg)
{
    struct build_task *t = arg;
    const uint32_t *p = t->c->pair;
    unsigned bits = t->c->bits;
    uint32_t *fill = t->fill, *succ = t->succ, none = (uint32_t)(((uint64_t)1 << bits) - 1);
    for (size_t i = 0; i < t->c->n_pairs; i++) {
        uint32_t s = packed_get(p, 2 * i, bits), d = packed_get(p, 2 * i + 1, bits);
        if (d != none)
            succ[fill[s]++] = d;
    }
    chunk_release_pairs(t->c);
}

/* Turns per-chunk degrees into ROW_FILL positions; the edge count, or
 * UINT32_MAX if there are too many. */
static uint32_t fill_positions(struct build_task *ts, size_t n, uint32_t n_keys)
{
    uint64_t total = 0;
    for (uint32_t v = 0; v < n_keys; v++) {
        for (size_t i = 0; i < n; i++) {
            uint32_t d = ts[i].fill[v];
            ts[i].fill[v] = (uint32_t)total;
            total += d;
        }
        if (total >= UINT32_MAX)
            return UINT32_MAX;
    }
    return (uint32_t)total;
}

int graph_build(struct chunk *chunks, size_t n_chunks, uint32_t n_keys, struct graph *g)
{
    struct build_task ts[MAX_CHUNKS];
    size_t n = n_chunks < MAX_CHUNKS ? n_chunks : MAX_CHUNKS;
    for (size_t i = 0; i < n; i++) {
        ts[i].c = &chunks[i];
        ts[i].fill = xalloc_big(((size_t)n_keys + 1) * sizeof(uint32_t));
    }
    parallel_run(count_task, ts, sizeof *ts, n);
    uint32_t edges = fill_positions(ts, n, n_keys);
    if (edges == UINT32_MAX) {
        for (size_t i = 0; i < n; i++)
            xfree_big(ts[i].fill, ((size_t)n_keys + 1) * sizeof(uint32_t));
        fputs("rcgc: too many edges (the limit is 4294967294)\n", stderr);
        return 1;
    }
    g->n_keys = n_keys;
    g->n_edges = edges;
    g->succ = xalloc_big((size_t)edges * sizeof *g->succ);
    for (size_t i = 0; i < n; i++)
        ts[i].succ = g->succ;
    parallel_run(scatter_task, ts, sizeof *ts, n);
    g->start = n ? ts[n - 1].fill : xalloc_big(((size_t)n_keys + 1) * sizeof *g->start);
    for (size_t i = 0; i + 1 < n; i++)
        xfree_big(ts[i].fill, ((size_t)n_keys + 1) * sizeof(uint32_t));
    memmove(g->start + 1, g->start, (size_t)n_keys * sizeof *g->start);
    g->start[0] = 0;
    return 0;
}

void graph_free(struct graph *g)
{
    xfree_big(g->start, ((size_t)g->n_keys + 1) * sizeof *g->start);
    xfree_big(g->succ, (size_t)g->n_edges * sizeof *g->succ);
    g->start = g->succ = NULL;
    edges_free(g->edges);
    g->edges = NULL;
    marks_free(g->marks, g->marks_bytes);
    g->marks = NULL;
}
