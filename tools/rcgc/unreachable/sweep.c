/* The search over edges as read (struct edge_set, from direct.c or keys.c): passes
 * over the edges in memory, then, if they have not settled, rows for what
 * is left and the breadth-first search of reach.c.
 *
 * A pass reads every edge (a, b) left: if a is marked, b gets marked; an
 * edge whose b is marked can do nothing more and is dropped (compacted
 * away, in place, keeping the order), so each pass reads only edges between
 * unmarked keys. The first pass is made as the input is read (direct.c) or
 * as its names become keys (keys.c), starting from the roots, and only the
 * edges it keeps are ever stored. Marking in a pass carries along chains of
 * edges that come in input order, so on a graph in random order (R-MAT at
 * scale 23) a few passes mark all that is reachable and leave only the
 * edges among the unreachable keys; no edge is ever placed at random in
 * memory, which is what building rows costs (two cache misses per edge).
 *
 * Invariant SETTLED: every dropped edge has its successor marked, and only
 * keys reachable from the roots are marked. So when a whole pass marks
 * nothing, every edge left has an unmarked source (it would have marked its
 * successor or been dropped), the marked set is closed under all edges, and
 * it is exactly the reachable set. When passes stop paying (an input whose
 * chains run against input order, e.g. a path listed backwards, needs one
 * pass per step) the edges left become rows (graph_build) and the search
 * continues from every marked key that has a row: by SETTLED, the dropped
 * edges lead only to marked keys, so the edges left are all it needs.
 *
 * Two threads share `seen`: a bit is set with an atomic OR, only after a
 * plain read found it clear, and the thread whose OR found it clear counts
 * it. Each thread reads and compacts only its own part's edges. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../rcgc_tool.h"

/* Passes always made before the rows are considered, unless settled. */
#define SWEEP_MIN_PASSES 3
/* After those, another pass only if the last one dropped at least this
 * share (1/N) of the edges it read: cost stays a small multiple of the
 * edges. */
#define SWEEP_DROP_SHARE 8
#define SWEEP_MAX_PASSES 16
#define MARKS_HUGE_BYTES ((size_t)4 << 20)

struct sweep_task {
    struct edge_part *p; /* this thread's edges */
    uint64_t *seen;      /* shared marks */
    size_t marked;       /* keys this task marked in the pass */
    size_t dropped;      /* edges this task dropped in the pass */
};

static void sweep_part(void *arg)
{
    struct sweep_task *t = arg;
    uint64_t *seen = t->seen;
    t->marked = t->dropped = 0;
    for (size_t h = 0; h < EDGE_LANES; h++) {
        uint32_t *pair = t->p->c.pair + 2 * t->p->at[h];
        size_t n = t->p->n[h], kept = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t e;
            memcpy(&e, pair + 2 * i, sizeof e);
            memcpy(pair + 2 * kept, &e, sizeof e);
            kept += sweep_edge(seen, (uint32_t)e, (uint32_t)(e >> 32), &t->marked);
        }
        t->p->n[h] = kept;
        t->dropped += n - kept;
    }
}

/* One pass on every part; the keys marked, and the edges dropped in *dropped. */
static size_t sweep_pass(struct edge_set *es, uint64_t *seen, size_t *dropped)
{
    struct sweep_task t[MAX_RANGES];
    for (size_t i = 0; i < es->n_parts; i++)
        t[i] = (struct sweep_task){.p = &es->part[i], .seen = seen};
    parallel_run(sweep_part, t, sizeof *t, es->n_parts);
    size_t marked = 0;
    *dropped = 0;
    for (size_t i = 0; i < es->n_parts; i++) {
        marked += t[i].marked;
        *dropped += t[i].dropped;
    }
    return marked;
}

/* The edges left, as one PACKED chunk per part (lane 1's pairs moved down
 * behind lane 0's); consumes the parts' pairs. */
static void pack_parts(struct edge_set *es, uint32_t n_keys, struct chunk *out)
{
    unsigned bits = packed_bits(n_keys);
    for (size_t i = 0; i < es->n_parts; i++) {
        struct edge_part *p = &es->part[i];
        uint32_t *pair = p->c.pair;
        size_t n = 0;
        for (size_t h = 0; h < EDGE_LANES; h++) {
            memmove(pair + 2 * n, pair + 2 * p->at[h], p->n[h] * 2 * sizeof *pair);
            n += p->n[h];
        }
        struct packer pk;
        packer_start(&pk, &p->c, bits);
        for (size_t j = 0; j < 2 * n; j++)
            packer_put(&pk, pair[j]);
        packer_finish(&pk, &p->c);
        p->c.n_pairs = n;
        out[i] = p->c;
        p->c.pair = NULL;
        p->c.map_bytes = 0;
    }
}

/* Rows for the edges left and the search from the marked keys that have one. */
static int search_rest(struct graph *g, uint64_t *seen)
{
    struct edge_set *es = g->edges;
    struct chunk c[MAX_RANGES];
    size_t n_parts = es->n_parts;
    pack_parts(es, g->n_keys, c);
    edges_free(es);
    g->edges = NULL;
    struct graph rows = {0};
    if (graph_build(c, n_parts, g->n_keys, &rows) != 0) { /* too many edges left, said */
        for (size_t i = 0; i < n_parts; i++)
            chunk_release_pairs(&c[i]);
        return 1;
    }
    uint32_t *from = xmalloc(((size_t)g->n_keys + 1) * sizeof *from);
    size_t n_from = 0;
    for (uint32_t v = 0; v < g->n_keys; v++)
        if (rows.start[v + 1] > rows.start[v] && seen[v >> 6] >> (v & 63) & 1)
            from[n_from++] = v;
    graph_reach_from(&rows, from, n_from, seen);
    free(from);
    graph_free(&rows);
    return 0;
}

int sweep_reach(struct graph *g, uint64_t *seen)
{
    if (!g->edges)
        return 0; /* no nodes, so no roots either */
    int rc = 0;
    size_t left = 0;
    for (size_t i = 0; i < g->edges->n_parts; i++)
        for (size_t h = 0; h < EDGE_LANES; h++)
            left += g->edges->part[i].n[h];
    /* The reading was the first pass. */
    for (unsigned pass = 2; left > 0; pass++) {
        size_t dropped, marked = sweep_pass(g->edges, g->marks, &dropped);
        size_t read = left;
        left -= dropped;
        if (marked == 0 || left == 0)
            break;
        if (pass >= SWEEP_MAX_PASSES ||
            (pass >= SWEEP_MIN_PASSES && dropped < read / SWEEP_DROP_SHARE)) {
            rc = search_rest(g, g->marks);
            break;
        }
    }
    memcpy(seen, g->marks, ((size_t)g->n_keys / 64 + 1) * sizeof *seen);
    graph_free(g);
    return rc;
}

void edges_free(struct edge_set *es)
{
    if (!es)
        return;
    for (size_t i = 0; i < es->n_parts; i++)
        chunk_release_pairs(&es->part[i].c);
    free(es);
}

/* Marks are reserved for the most keys there may be and only touched where
 * keys exist; huge pages once the bitmap is large enough to be read at
 * random across many pages. */
uint64_t *marks_new(uint64_t max_keys, size_t *bytes)
{
    *bytes = (size_t)(max_keys / 64 + 1) * sizeof(uint64_t);
    void *p = mmap(NULL, *bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        die_nomem();
    if (*bytes >= MARKS_HUGE_BYTES)
        advise_huge(p, *bytes);
    return p;
}

void marks_free(uint64_t *marks, size_t bytes)
{
    if (marks)
        munmap(marks, bytes);
}
