/* Adjacency in compressed rows (CSR) and the reachability search.
 *
 * Build: each chunk counts the out-degrees of its sources into an array of
 * its own (in parallel), the counts are summed into row starts, then each
 * thread scatters the successors of one range of source keys, reading all
 * chunks in input order. Invariant ROW_FILL: during the scatter start[v] is
 * the next free place of row v; afterwards it is the end of row v, and one
 * shift turns ends into starts. Ranges are disjoint, so threads never write
 * the same element. No allocation per edge: three arrays in all.
 *
 * Search: depth-first with an explicit stack of keys (a key is pushed once,
 * when it is marked), so input-controlled depth never meets the C stack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rcgc_tool.h"

struct build_task {
    const struct chunk *cs; /* all chunks */
    size_t n_chunks;        /* their number */
    size_t self;            /* count: this task's chunk */
    uint32_t *deg;          /* count: out-degrees by key, n_keys + 1 */
    uint32_t lo, hi;        /* scatter: source keys [lo, hi) of this task */
    uint32_t *fill;         /* scatter: ROW_FILL positions */
    uint32_t *succ;         /* scatter: the successor array */
};

static void count_task(void *arg)
{
    struct build_task *t = arg;
    const struct chunk *c = &t->cs[t->self];
    const uint32_t *p = c->pair;
    uint32_t *deg = t->deg;
    for (size_t i = 0; i < c->n_pairs; i++)
        if (p[2 * i + 1] != TOK_NONE) deg[p[2 * i]]++;
}

static void scatter_task(void *arg)
{
    struct build_task *t = arg;
    uint32_t lo = t->lo, span = t->hi - t->lo, *fill = t->fill, *succ = t->succ;
    for (size_t k = 0; k < t->n_chunks; k++) {
        const uint32_t *p = t->cs[k].pair;
        size_t n = t->cs[k].n_pairs;
        for (size_t i = 0; i < n; i++) {
            uint32_t s = p[2 * i], d = p[2 * i + 1];
            if (s - lo < span && d != TOK_NONE) succ[fill[s]++] = d;
        }
    }
}

/* Turns per-chunk degrees into row starts in tasks[0].deg; 1 if too many edges. */
static int sum_degrees(struct build_task *ts, size_t n, uint32_t n_keys)
{
    uint32_t *start = ts[0].deg;
    uint64_t total = 0;
    for (uint32_t v = 0; v < n_keys; v++) {
        uint64_t d = start[v];
        for (size_t i = 1; i < n; i++)
            d += ts[i].deg[v];
        start[v] = (uint32_t)total;
        total += d;
        if (total >= UINT32_MAX) return 1;
    }
    start[n_keys] = (uint32_t)total;
    for (size_t i = 1; i < n; i++)
        free(ts[i].deg);
    return 0;
}

static void split_rows(struct build_task *ts, size_t n, const uint32_t *start, uint32_t n_keys)
{
    uint64_t total = start[n_keys];
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        ts[i].lo = v;
        uint64_t goal = total * (i + 1) / n;
        while (v < n_keys && (i + 1 == n || start[v] < goal))
            v++;
        ts[i].hi = v;
    }
}

int graph_build(struct chunk *chunks, size_t n_chunks, uint32_t n_keys, struct graph *g)
{
    size_t n = n_chunks ? n_chunks : 1;
    struct build_task ts[9];
    if (n > 9) n = 9;
    for (size_t i = 0; i < n; i++) {
        ts[i] = (struct build_task){.cs = chunks, .n_chunks = n_chunks, .self = i};
        ts[i].deg = xcalloc((size_t)n_keys + 1, sizeof(uint32_t));
    }
    parallel_run(count_task, ts, sizeof *ts, n_chunks);
    if (sum_degrees(ts, n, n_keys) != 0) {
        fputs("rcgc: too many edges (the limit is 4294967294)\n", stderr);
        return 1;
    }
    g->n_keys = n_keys;
    g->start = ts[0].deg;
    g->succ = xmalloc((size_t)g->start[n_keys] * sizeof *g->succ);
    size_t workers = parallel_threads() < n ? parallel_threads() : n;
    split_rows(ts, workers, g->start, n_keys);
    for (size_t i = 0; i < workers; i++) {
        ts[i].fill = g->start;
        ts[i].succ = g->succ;
    }
    parallel_run(scatter_task, ts, sizeof *ts, workers);
    memmove(g->start + 1, g->start, (size_t)n_keys * sizeof *g->start);
    g->start[0] = 0;
    return 0;
}

void graph_reach(const struct graph *g, const uint32_t *roots, size_t n_roots, uint64_t *seen)
{
    uint32_t *stack = xmalloc(((size_t)g->n_keys + 1) * sizeof *stack);
    size_t top = 0;
    for (size_t i = 0; i < n_roots; i++) {
        uint32_t r = roots[i];
        if (!(seen[r >> 6] >> (r & 63) & 1)) {
            seen[r >> 6] |= (uint64_t)1 << (r & 63);
            stack[top++] = r;
        }
    }
    while (top > 0) {
        uint32_t v = stack[--top];
        for (uint32_t e = g->start[v], end = g->start[v + 1]; e < end; e++) {
            uint32_t w = g->succ[e];
            uint64_t m = (uint64_t)1 << (w & 63);
            if (!(seen[w >> 6] & m)) {
                seen[w >> 6] |= m;
                stack[top++] = w;
            }
        }
    }
    free(stack);
}

void graph_free(struct graph *g)
{
    free(g->start);
    free(g->succ);
    g->start = g->succ = NULL;
}
