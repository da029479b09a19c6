/* The reachability search over the rows of graph.c: breadth-first, level by
 * level, over one queue of keys.
 *
 * Invariant QUEUE: a key is marked in `seen` exactly when it has been put in
 * the queue, and it is put there once, so the queue never holds more than
 * n_keys entries and input-controlled depth never meets the C stack.
 *
 * A level of at least REACH_PARALLEL_MIN keys is expanded by two threads.
 * They take blocks of REACH_BLOCK keys of the level from a shared counter
 * (R-MAT rows differ in length by orders of magnitude, so fixed halves would
 * leave one thread idle), claim a successor by setting its bit with an atomic
 * OR (the thread that saw the bit clear owns the key), and put what they
 * claim into the free part of the queue from its two ends: thread 0 upwards
 * from the level's end, thread 1 downwards from entry n_keys - 1. By QUEUE
 * the two never meet. Thread 1's keys are then moved down after thread 0's.
 * Which thread claims a key changes the queue's order, never the set of keys
 * marked, which is all the caller reads.
 *
 * Within a thread the queue says which rows come next: the row bounds of
 * the key REACH_AHEAD places ahead and the successors of the key half as
 * far ahead are prefetched, so the cache misses of several rows overlap. */
#include <stdlib.h>
#include <string.h>

#include "../rcgc_tool.h"

#define REACH_AHEAD 16
#define REACH_BLOCK 1024u
#define REACH_PARALLEL_MIN 8192u

struct level {
    const struct graph *g; /* the rows */
    uint64_t *seen;        /* QUEUE marks */
    uint32_t *queue;       /* n_keys entries */
    size_t lo, hi;         /* the level: queue[lo, hi) */
    size_t next_block;     /* shared: first key of the level not yet taken */
};

struct worker {
    struct level *lv; /* the level being expanded */
    size_t count;     /* keys this worker claimed */
    bool downwards;   /* thread 1: fills from the queue's end */
};

static inline void prefetch_rows(const struct graph *g, const uint32_t *queue, size_t at,
                                 size_t end)
{
    if (at + REACH_AHEAD < end)
        __builtin_prefetch(&g->start[queue[at + REACH_AHEAD]]);
    if (at + REACH_AHEAD / 2 < end)
        __builtin_prefetch(&g->succ[g->start[queue[at + REACH_AHEAD / 2]]]);
}

/* Expands queue[lo, hi) on the calling thread; returns the new tail. */
static size_t expand_serial(struct level *lv)
{
    const struct graph *g = lv->g;
    uint64_t *seen = lv->seen;
    uint32_t *queue = lv->queue;
    size_t tail = lv->hi;
    for (size_t at = lv->lo; at < lv->hi; at++) {
        prefetch_rows(g, queue, at, lv->hi);
        uint32_t v = queue[at];
        for (uint32_t e = g->start[v], end = g->start[v + 1]; e < end; e++) {
            uint32_t w = g->succ[e];
            uint64_t m = (uint64_t)1 << (w & 63);
            if (!(seen[w >> 6] & m)) {
                seen[w >> 6] |= m;
                queue[tail++] = w;
            }
        }
    }
    return tail;
}

static void expand_blocks(void *arg)
{
    struct worker *wk = arg;
    struct level *lv = wk->lv;
    const struct graph *g = lv->g;
    size_t out = wk->downwards ? lv->g->n_keys : lv->hi;
    for (;;) {
        size_t at = __atomic_fetch_add(&lv->next_block, REACH_BLOCK, __ATOMIC_RELAXED);
        if (at >= lv->hi)
            break;
        size_t end = at + REACH_BLOCK < lv->hi ? at + REACH_BLOCK : lv->hi;
        for (; at < end; at++) {
            prefetch_rows(g, lv->queue, at, end);
            uint32_t v = lv->queue[at];
            for (uint32_t e = g->start[v], stop = g->start[v + 1]; e < stop; e++) {
                uint32_t w = g->succ[e];
                uint64_t m = (uint64_t)1 << (w & 63), *word = &lv->seen[w >> 6];
                if (__atomic_load_n(word, __ATOMIC_RELAXED) & m)
                    continue;
                if (__atomic_fetch_or(word, m, __ATOMIC_RELAXED) & m)
                    continue;
                if (wk->downwards)
                    lv->queue[--out] = w;
                else
                    lv->queue[out++] = w;
                wk->count++;
            }
        }
    }
}

/* Expands queue[lo, hi) on two threads; returns the new tail. */
static size_t expand_parallel(struct level *lv)
{
    struct worker wk[2] = {{lv, 0, false}, {lv, 0, true}};
    lv->next_block = lv->lo;
    parallel_run(expand_blocks, wk, sizeof wk[0], 2);
    size_t n_keys = lv->g->n_keys;
    memmove(lv->queue + lv->hi + wk[0].count, lv->queue + n_keys - wk[1].count,
            wk[1].count * sizeof *lv->queue);
    return lv->hi + wk[0].count + wk[1].count;
}

/* The search from queue[0, tail), whose keys are marked. */
static void search(const struct graph *g, uint32_t *queue, size_t tail, uint64_t *seen)
{
    struct level lv = {.g = g, .seen = seen, .queue = queue, .lo = 0, .hi = tail};
    bool two = parallel_threads() > 1;
    while (lv.lo < lv.hi) {
        size_t next =
            two && lv.hi - lv.lo >= REACH_PARALLEL_MIN ? expand_parallel(&lv) : expand_serial(&lv);
        lv.lo = lv.hi;
        lv.hi = next;
    }
}

void graph_reach_from(const struct graph *g, const uint32_t *from, size_t n_from, uint64_t *seen)
{
    uint32_t *queue = xmalloc(((size_t)g->n_keys + 1) * sizeof *queue);
    memcpy(queue, from, n_from * sizeof *queue);
    search(g, queue, n_from, seen);
    free(queue);
}
