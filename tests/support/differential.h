/*
 * differential.h -- the randomized differential test: random create / link / unlink /
 * hold / drop / collect / untrack / track / configure sequences run against rcgc and against the oracle
 * (oracle.h), compared after every operation.
 *
 * What is compared (after each operation, from rc_heap_visit and the objects' own ids):
 *  - every node rcgc freed was unreachable from the held nodes;
 *  - a phoenix node's finalizer resurrects it the first time it runs, once; a collection
 *    resurrects every unfinalized phoenix of its garbage with what it reaches, frees the
 *    rest, and counts only what it freed (CPython 3.9+);
 *  - every live node's rc_refcount equals its holds plus the slots of live nodes naming it,
 *    and is positive (reference counting frees acyclic garbage at once);
 *  - the model also keeps each node's generation: every collection, explicit or run by an
 *    allocation, finds exactly the members of the collected generations that nothing
 *    outside them reaches (rc_collect's result, or rc_gc_stats.collected for automatic
 *    ones), frees them, and promotes the rest, so generation sizes match the model;
 *  - after a full collection the live nodes are exactly the reachable ones; while the test
 *    has untracked some nodes (rc_gc_untrack), what those reach counts as reachable too;
 *  - collections happen only in explicit rc_collect calls and in constructors, exactly when
 *    the model of the schedule says (gc.get_count arithmetic, thresholds, enable/disable,
 *    stress, CPython's long-lived rule), and rc_gc_get_count always matches it;
 *  - rc_gc_is_tracked is true exactly for the nodes the test has not untracked;
 *  - live_objects, tracked_objects and the generation sizes agree with the live nodes,
 *    and rc_heap_check says RC_OK.
 * A failure prints the graph's seed; RCGC_SEED=<seed> replays that graph alone and
 * RCGC_ITERATIONS=<n> changes how many graphs run.
 */
#ifndef RCTEST_DIFFERENTIAL_H
#define RCTEST_DIFFERENTIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rt_diff_params {
    uint64_t iterations; /* graphs to run unless RCGC_ITERATIONS says otherwise */
    uint64_t base_seed;  /* graph i uses seed rt_mix64(base_seed + i) */
    size_t max_nodes;    /* nodes created per graph at most */
    size_t n_ops;        /* operations per graph */
    bool candidates;     /* the candidate schedule (RC_GC_SCHEDULE_CANDIDATES) instead of the
                            generational one: which objects a partial run examines is not
                            modelled, so automatic runs and rc_collect(0 or 1) are checked
                            only to free unreachable nodes; rc_collect(2) must free exactly
                            the unreachable ones */
    bool complete;       /* with candidates: neighbourhood budgets never run out (threshold[2]
                            is max_nodes), and while no node was ever untracked, rc_collect(1)
                            must free every unreachable node too: the graphs change references
                            only through rc_decref and reference-taking stores (no steals), so
                            every garbage cycle has a candidate (src/gc.c, section 5a) */
    bool arrays;         /* bags are instances of a described type instead of a traverse one:
                            slot 0 a reference offset, slots 1-3 a trailing array
                            (rc_type_spec.ref_array_offset), which the collector reads inline
                            (src/gc.c, DESCRIBED), mixed in every collection with pairs
                            (offsets only) and lists, tuples and dicts (traverse) */
    bool increments;     /* with candidates: before every operation, 0 to 3 calls of
                            rc_collect_step(heap, 0) (one small increment each; src/gc.c
                            section 9), each checked like an automatic collection: what it
                            frees was unreachable, counts stay exact */
    bool stress;         /* every graph's heap in stress mode (rc_heap_config.stress): a
                            collection at every tracked allocation, and with candidates a
                            release slice too (section 9, DOOMED) */
    bool short_pauses;   /* with candidates: a pause budget of 1 ns, so that every automatic
                            partial run examines the smallest chunk (256 objects: src/gc.c
                            section 9, CHUNKS), threshold[0] of 50, 300 or 600 and one
                            rc_collect for 16 of the other graphs, so that runs set
                            candidates aside and take them back */
} rt_diff_params;

/* The collections rc_collect_step ran (all generations) in the graphs so far: a test of
 * increments checks the workload reached their final step. */
uint64_t rt_diff_step_collections(void);
/* The automatic pauses and steps that released garbage in slices (rc_gc_pause_stats
 * .release_slices) in the graphs so far: a test of release slices checks they ran. */
uint64_t rt_diff_release_slices(void);

/* What the graphs exercised, printed after a run so that a change which stops the
 * workload from reaching the collector shows. */
typedef struct rt_diff_totals {
    uint64_t graphs, ops, nodes;
    uint64_t explicit_collections; /* rc_collect calls */
    uint64_t auto_collections;     /* collections the heap started by itself */
    uint64_t freed_by_collections; /* nodes freed during explicit rc_collect calls */
    uint64_t freed_otherwise;      /* by reference counting or automatic collections */
    uint64_t resurrected;          /* phoenixes their finalizer resurrected */
} rt_diff_totals;

/* Runs one graph; fails the calling cmocka test (printing the seed) on a mismatch.
 * totals may be NULL. */
void rt_diff_run_one(uint64_t seed, const rt_diff_params *p, rt_diff_totals *totals);
/* Runs RCGC_SEED's graph if set, else the configured number of graphs. */
void rt_diff_run(const rt_diff_params *p);

#endif /* RCTEST_DIFFERENTIAL_H */
