/*
 * test_gc_incremental.c -- bounded pauses (src/gc.c section 9): the incremental collection
 * run by rc_collect_step and by automatic increments, the mutator's operations between
 * increments (one test per hazard, named after it), the randomized differential oracle
 * with increments interleaved, stress, fault injection inside increments, the pause
 * budget and statistics. Every assertion is an exact outcome; nothing depends on timing
 * (a budget of 0 makes each step one small fixed amount of work).
 */
#include "differential.h"
#include "rctest.h"

#include <stddef.h>
#include <string.h>

/* A cycle of k pairs through field a, owned by nobody: garbage at once. */
static void make_garbage_cycle(rc_heap *heap, const rc_type *pair, int k)
{
    rc_decref(heap, rt_pair_cycle(heap, pair, k));
}

/* A live list holding n pairs, each also linked to the next (a long live structure). */
static rc_object *make_live(rc_heap *heap, const rc_type *pair, int n)
{
    rc_object *list = rt_list(heap);
    rc_object *prev = NULL;
    for (int i = 0; i < n; i++) {
        rc_object *p = rt_pair_new(heap, pair, 1000 + i);
        rt_append(heap, list, p);
        if (prev != NULL)
            rt_pair_set(heap, prev, 1, p);
        prev = p;
        rc_decref(heap, p);
    }
    return list;
}

/* Steps to the end of the collection; returns the steps taken. */
static size_t step_to_end(rc_heap *heap)
{
    size_t n = 1;
    while (rc_collect_step(heap, 0))
        n++;
    return n;
}

/* ---- the basics ---------------------------------------------------------------------- */

/* Steps of budget 0 run a full collection in many increments: it frees exactly the
 * unreachable cycles, reports one collection of generation 2, and leaves the live
 * structure exact. */
static void steps_find_exactly_the_unreachable_cycles(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *live = make_live(heap, pair, 2000);
    /* Seven cycles of five, examined once while alive (generation 2), then dropped: each
     * loses its one outside reference, so one node per cycle becomes a candidate and the
     * other four are found by the filter alone (the suspected garbage). */
    rc_object *hold = rt_list(heap);
    for (int i = 0; i < 7; i++) {
        rc_object *c = rt_pair_new(heap, pair, 0);
        rc_object *prev = c;
        for (int j = 1; j < 5; j++) {
            rc_object *n = rt_pair_new(heap, pair, j);
            rt_pair_set(heap, prev, 0, n);
            rc_decref(heap, n);
            prev = n;
        }
        rt_pair_set(heap, prev, 0, c);
        rt_append(heap, hold, c);
        rc_decref(heap, c);
    }
    assert_int_equal(rc_collect(heap, 1), 0); /* everything to generation 2 */
    assert_int_equal(rc_list_clear(heap, hold), RC_OK);
    rc_decref(heap, hold);
    size_t before_live = rt_live_objects(heap);
    uint64_t c2 = rt_collections(heap, 2);
    assert_false(rc_gc_is_incremental_running(heap));
    size_t steps = step_to_end(heap);
    assert_true(steps > 10); /* 2000 objects, a few dozen per step */
    assert_false(rc_gc_is_incremental_running(heap));
    assert_int_equal(rt_collected_all(heap), 35);
    assert_int_equal(rt_collections(heap, 2), c2 + 1);
    assert_int_equal(rt_live_objects(heap), before_live - 35);
    rc_gc_pause_stats s = rt_pause_stats(heap);
    assert_int_equal(s.incremental, 1);
    assert_int_equal(s.suspected, 28);
    assert_int_equal(s.pauses, steps);
    assert_int_equal(s.abandoned, 0);
    /* a second collection finds nothing */
    step_to_end(heap);
    assert_int_equal(rt_collected_all(heap), 35);
    assert_int_equal(rt_pause_stats(heap).suspected, 28);
    rc_decref(heap, live);
    rt_heap_finish(heap);
}

/* Live objects never reach the final step: a structure held from outside is not
 * suspected, however large. The root decremented to a non-zero count and referenced
 * again between increments (workload a) stays live. */
static void root_decremented_and_rereferenced_between_slices(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *live = make_live(heap, pair, 3000);
    rc_object *holder = rt_list(heap);
    rt_append(heap, holder, live); /* live: count 2 */
    rc_object *root = rt_pair_new(heap, pair, 1);
    rt_pair_set(heap, root, 0, live);
    size_t steps = 0;
    while (rc_collect_step(heap, 0)) {
        /* drop one reference (a decrement to non-zero), then take it again */
        rc_object *out = NULL;
        if (rc_list_len(heap, holder) > 0) {
            assert_int_equal(rc_list_pop(heap, holder, 0, &out), RC_OK);
            rc_decref(heap, out);
        } else {
            rt_append(heap, holder, live);
        }
        steps++;
    }
    assert_true(steps > 10);
    assert_int_equal(rt_collected_all(heap), 0);
    assert_int_equal(rt_pause_stats(heap).suspected, 0);
    rc_decref(heap, root);
    rc_decref(heap, holder);
    rc_decref(heap, live);
    rt_heap_finish(heap);
}

/* ---- one test per hazard ---------------------------------------------------------------- */

/* Objects of the set freed by counting between increments, their pages emptied and given
 * back, slots and pages reused by new objects: the run never reads freed memory (the
 * debug and ASan builds check), and the outcome is exact. */
static void objects_freed_between_slices_while_in_set(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *doomed = make_live(heap, pair, 6000); /* several pages */
    rc_object *keep = make_live(heap, pair, 500);
    for (int i = 0; i < 4; i++)
        make_garbage_cycle(heap, pair, 3);
    size_t steps = 0;
    rc_object *fresh = NULL;
    while (rc_collect_step(heap, 0)) {
        steps++;
        if (steps == 3) {
            rc_decref(heap, doomed); /* 6001 objects freed, pages released */
            doomed = NULL;
        } else if (steps == 6) {
            fresh = make_live(heap, pair, 6000); /* their slots and pages again */
            make_garbage_cycle(heap, pair, 4);   /* garbage made during the run */
        }
    }
    assert_true(steps > 6);
    assert_null(doomed);
    /* the cycles that existed at the start are found; the new one may be */
    uint64_t found = rt_collected_all(heap);
    assert_true(found == 12 || found == 16);
    assert_int_equal(rc_collect(heap, 2), (int64_t)(16 - found));
    assert_int_equal(rc_list_len(heap, fresh), 6000);
    assert_int_equal(rc_refcount(rc_list_get_borrow(heap, fresh, 0)), 1);
    rc_decref(heap, fresh);
    rc_decref(heap, keep);
    rt_heap_finish(heap);
}

/* A reference moved out of a member without a count change (rc_list_pop hands the list's
 * reference to the caller): the filter may suspect the moved object, and the final step,
 * which counts again, keeps it. */
static void steal_out_of_a_member_between_slices(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *pad = make_live(heap, pair, 1000);
    rc_object *list = rt_list(heap);
    /* x <-> y, held only by the list */
    rc_object *x = rt_pair_new(heap, pair, 1);
    rc_object *y = rt_pair_new(heap, pair, 2);
    rt_pair_set(heap, x, 0, y);
    rt_pair_set(heap, y, 0, x);
    rc_decref(heap, y);
    rt_append(heap, list, x);
    rc_decref(heap, x);
    assert_true(rc_collect_step(heap, 0));
    while (rc_collect_step(heap, 0)) {
        /* Once the scan has counted list -> x, steal x out of the list. */
        if (rc_list_len(heap, list) == 1) {
            rc_object *out = NULL;
            assert_int_equal(rc_list_pop(heap, list, 0, &out), RC_OK);
            assert_ptr_equal(out, x); /* the caller owns the list's reference now */
        }
    }
    assert_int_equal(rt_collected_all(heap), 0);
    assert_int_equal(rc_refcount(x), 2); /* ours and y's */
    assert_int_equal(rc_refcount(y), 1);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_decref(heap, x);
    assert_int_equal(rc_collect(heap, 2), 2);
    rc_decref(heap, list);
    rc_decref(heap, pad);
    rt_heap_finish(heap);
}

/* Weakref reads between increments: a weakref to a member of an unreachable cycle hands
 * it out while it is alive, the program may resurrect it that way, and the step that
 * frees it clears the weakref in the same pause: a weakref never hands out freed memory
 * or an object the final step then frees. */
static void weakref_read_between_slices(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *pad = make_live(heap, pair, 1000);
    rc_object *holder = rt_list(heap);
    rc_object *a = rt_pair_new(heap, pair, 7);
    rc_object *b = rt_pair_new(heap, pair, 8);
    rt_pair_set(heap, a, 0, b);
    rt_pair_set(heap, b, 0, a);
    rc_object *wr = rc_weakref_new(heap, a, NULL, NULL);
    assert_non_null(wr);
    rc_decref(heap, b);
    rc_decref(heap, a); /* a <-> b is garbage now, a weakly referenced */

    /* 1. read at every step, and resurrect through the weakref halfway */
    size_t steps = 0;
    while (rc_collect_step(heap, 0)) {
        rc_object *got = rc_weakref_get(heap, wr);
        assert_ptr_equal(got, a);
        assert_int_equal(((rt_pair *)got)->id, 7);
        if (++steps == 5)
            rt_append(heap, holder, got);
        rc_decref(heap, got);
    }
    assert_int_equal(rt_collected_all(heap), 0);
    rc_object *got = rc_weakref_get(heap, wr);
    assert_ptr_equal(got, a);
    rc_decref(heap, got);

    /* 2. garbage again; reads that drop what they get at once: the weakref gives a until
     * the step that frees a, then NULL, never anything else */
    assert_int_equal(rc_list_clear(heap, holder), RC_OK);
    bool cleared = false;
    for (int round = 0; round < 3 && !cleared; round++) {
        bool more = true;
        while (more) {
            more = rc_collect_step(heap, 0);
            got = rc_weakref_get(heap, wr);
            if (got == NULL) {
                cleared = true;
                continue;
            }
            assert_false(cleared);
            assert_ptr_equal(got, a);
            rc_decref(heap, got);
        }
    }
    /* a read between increments makes a live for that run only: a run without reads
     * frees it */
    if (!cleared)
        step_to_end(heap);
    assert_null(rc_weakref_get(heap, wr));
    assert_int_equal(rt_collected_all(heap), 2);
    rc_decref(heap, wr);
    rc_decref(heap, holder);
    rc_decref(heap, pad);
    rt_heap_finish(heap);
}

/* A finalizer that resurrects its object: it runs once, in the final step, and the
 * object and what it reaches survive with exact counts; the next run frees them. */
static void resurrecting_finalizer_in_final_step(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    const rc_type *rt = rt_rez_type(heap);
    rc_object *pad = make_live(heap, pair, 800);
    rc_object *p = rt_pair_new(heap, rt, 1);
    rc_object *q = rt_pair_new(heap, pair, 2);
    rt_pair_set(heap, p, 0, q);
    rt_pair_set(heap, q, 0, p);
    rc_decref(heap, q);
    rc_decref(heap, p);
    step_to_end(heap);
    assert_int_equal(rt_rez.runs, 1);
    assert_int_equal(rt_collected_all(heap), 0); /* resurrected: not counted (CPython 3.9+) */
    assert_int_equal(rc_list_len(heap, rt_rez.holder), 1);
    assert_int_equal(rc_refcount(p), 2);
    assert_int_equal(rc_refcount(q), 1);
    assert_int_equal(rc_list_clear(heap, rt_rez.holder), RC_OK);
    step_to_end(heap);
    assert_int_equal(rt_rez.runs, 1); /* never again (PEP 442) */
    assert_int_equal(rt_collected_all(heap), 2);
    rc_decref(heap, rt_rez.holder);
    rc_decref(heap, pad);
    rt_heap_finish(heap);
}

/* Objects made between increments are outside the set (or, in a reused slot, checked
 * exactly by the final step): live ones survive; garbage made during the run is found by
 * it or by the next collection, never lost. */
static void new_objects_between_slices(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *old = make_live(heap, pair, 1500);
    rc_object *young = rt_list(heap);
    int made = 0;
    while (rc_collect_step(heap, 0)) {
        rc_object *p = rt_pair_new(heap, pair, made);
        rt_pair_set(heap, p, 0, rc_list_get_borrow(heap, old, made % 1500)); /* new -> old */
        rt_append(heap, young, p);
        rt_pair_set(heap, rc_list_get_borrow(heap, old, made % 1500), 0, p); /* old -> new */
        rc_decref(heap, p);
        make_garbage_cycle(heap, pair, 3);
        made++;
    }
    uint64_t found = rt_collected_all(heap);
    assert_true(found <= (uint64_t)made * 3);
    assert_int_equal(rc_collect(heap, 2), (int64_t)((uint64_t)made * 3 - found));
    assert_int_equal(rc_list_len(heap, young), (size_t)made);
    for (int i = 0; i < made; i++)
        assert_int_equal(rc_refcount(rc_list_get_borrow(heap, young, i)), i >= made - 1500 ? 2 : 1);
    rc_decref(heap, young);
    rc_decref(heap, old);
    rt_heap_finish(heap);
}

/* rc_collect(heap, 2) during a run abandons it and is one complete stop-the-world
 * collection with the exact result; a later step starts a new run. */
static void collect_full_during_run(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *pad = make_live(heap, pair, 1000);
    make_garbage_cycle(heap, pair, 4);
    assert_true(rc_collect_step(heap, 0));
    assert_true(rc_collect_step(heap, 0));
    assert_true(rc_gc_is_incremental_running(heap));
    make_garbage_cycle(heap, pair, 2);
    assert_int_equal(rc_collect(heap, 2), 6);
    assert_false(rc_gc_is_incremental_running(heap));
    assert_int_equal(rt_pause_stats(heap).abandoned, 1);
    assert_int_equal(rt_pause_stats(heap).incremental, 0);
    make_garbage_cycle(heap, pair, 3);
    step_to_end(heap);
    assert_int_equal(rt_collected_all(heap), 9);
    assert_int_equal(rt_pause_stats(heap).incremental, 1);
    rc_decref(heap, pad);
    rt_heap_finish(heap);
}

/* rc_heap_free during a run: its tables are freed with the heap (the allocator counts every
 * byte back). */
static void heap_teardown_during_run(void **state)
{
    (void)state;
    rt_alloc a;
    rt_alloc_init(&a, -1);
    rc_heap *heap = rt_step_heap(&a);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *pad = make_live(heap, pair, 3000);
    make_garbage_cycle(heap, pair, 4);
    for (int i = 0; i < 20; i++)
        assert_true(rc_collect_step(heap, 0));
    assert_true(rc_gc_is_incremental_running(heap));
    (void)pad; /* freed with the heap */
    rt_heap_finish(heap);
    assert_int_equal(a.outstanding_bytes, 0);
    assert_int_equal(a.outstanding_blocks, 0);
}

/* Every allocation a run makes (its tables, work list, suspected list, and the final
 * step's) refused in turn: the run is abandoned cleanly and a stop-the-world collection
 * does its work, or the run copes; either way exactly the garbage is freed, nothing more,
 * and every byte comes back. */
static void allocation_failure_inside_increments(void **state)
{
    (void)state;
    uint64_t span = 0;
    for (int64_t k = -1; k < (int64_t)span + 2; k++) {
        rt_alloc a;
        rt_alloc_init(&a, -1);
        rc_heap *heap = rt_step_heap(&a);
        const rc_type *pair = rt_pair_type(heap);
        rc_object *pad = make_live(heap, pair, 1200);
        for (int i = 0; i < 5; i++)
            make_garbage_cycle(heap, pair, 40); /* the suspected list grows more than once */
        uint64_t r0 = a.requests;
        if (k >= 0)
            a.fail_at = (int64_t)r0 + k;
        step_to_end(heap);
        if (k < 0) {
            span = a.requests - r0; /* the requests of an undisturbed run */
            assert_int_equal(rt_collected_all(heap), 200);
        }
        assert_false(rc_gc_is_incremental_running(heap));
        /* Nothing is lost: what a refusal kept from this run (a suspect left out of the
         * final step for want of room) a full collection finds. */
        if (k >= 0 && a.refused == 1 && rt_pause_stats(heap).abandoned == 1)
            assert_int_equal(rt_collections(heap, 2), 1); /* the stop-the-world fallback */
        uint64_t found = rt_collected_all(heap);
        assert_int_equal(rc_collect(heap, 2), (int64_t)(200 - found));
        assert_int_equal(rc_refcount(rc_list_get_borrow(heap, pad, 0)), 1);
        rc_decref(heap, pad);
        rt_heap_finish(heap);
        assert_int_equal(a.outstanding_bytes, 0);
    }
    assert_true(span >= 4);
}

/* ---- the randomized differential oracle, increments interleaved --------------------- */

static void random_small_graphs_with_increments(void **state)
{
    (void)state;
    uint64_t before = rt_diff_step_collections();
    rt_diff_params p = {.iterations = 1500,
                        .base_seed = 0x5eed0021u,
                        .max_nodes = 24,
                        .n_ops = 80,
                        .candidates = true,
                        .increments = true};
    rt_diff_run(&p);
    assert_true(rt_diff_step_collections() > before);
}

static void random_medium_graphs_with_increments(void **state)
{
    (void)state;
    rt_diff_params p = {.iterations = 40,
                        .base_seed = 0x5eed0022u,
                        .max_nodes = 150,
                        .n_ops = 600,
                        .candidates = true,
                        .increments = true};
    rt_diff_run(&p);
}

/* ---- automatic increments -------------------------------------------------------------- */

/* The workload of a truncated neighbourhood: a long live chain whose head keeps becoming
 * a candidate, while cycles are dropped; automatic full collections become due. Run with
 * increments (the default) and with stop_the_world: the same garbage is freed in the end,
 * and only the first ran increments. */
static void run_truncating_workload(bool stw, rc_gc_pause_stats *out, uint64_t *found)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.schedule = RC_GC_SCHEDULE_CANDIDATES;
    cfg.threshold[0] = 50;
    cfg.threshold[1] = 1;
    cfg.threshold[2] = 1;
    cfg.stop_the_world = stw;
    rc_heap *heap = rt_heap_new_cfg(&cfg);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *live = make_live(heap, pair, 400);
    rc_object *grow = rt_list(heap);
    for (int i = 0; i < 3000; i++) {
        rc_incref(live);
        rc_decref(heap, live); /* a candidate whose neighbourhood is truncated */
        rc_object *p = rt_pair_new(heap, pair, i);
        rt_pair_set(heap, p, 0, rc_list_get_borrow(heap, live, i % 400));
        rt_append(heap, grow, p); /* the tracked objects grow */
        rc_decref(heap, p);
        make_garbage_cycle(heap, pair, 3);
    }
    /* what is left is found by a full collection */
    rc_collect(heap, 2);
    *found = rt_collected_all(heap);
    *out = rt_pause_stats(heap);
    rc_decref(heap, grow);
    rc_decref(heap, live);
    rt_heap_finish(heap);
}

static void automatic_full_collections_run_in_increments(void **state)
{
    (void)state;
    rc_gc_pause_stats inc, stw;
    uint64_t found_inc, found_stw;
    run_truncating_workload(false, &inc, &found_inc);
    run_truncating_workload(true, &stw, &found_stw);
    assert_int_equal(found_inc, 9000);
    assert_int_equal(found_stw, 9000);
    assert_true(inc.increments > 0);
    assert_true(inc.incremental > 0);
    assert_int_equal(stw.increments, 0);
    assert_int_equal(stw.incremental, 0);
    assert_true(stw.pauses > 0);
}

/* The structure's links: each of the n pairs in list refers to the next (a ring) and to
 * the one at half its index. */
static void link_structure(rc_heap *heap, rc_object *list, int n)
{
    for (int i = 0; i < n; i++) {
        rc_object *p = rc_list_get_borrow(heap, list, i);
        rt_pair_set(heap, p, 0, rc_list_get_borrow(heap, list, (i + 1) % n));
        rt_pair_set(heap, p, 1, rc_list_get_borrow(heap, list, i / 2));
    }
}

/* A ring of n pairs with chords (node i's field b points to node i / 2), held by the
 * returned list only. */
static rc_object *make_structure(rc_heap *heap, const rc_type *pair, int n)
{
    rc_object *list = rt_list(heap);
    for (int i = 0; i < n; i++) {
        rc_object *p = rt_pair_new(heap, pair, i);
        rt_append(heap, list, p);
        rc_decref(heap, p);
    }
    link_structure(heap, list, n);
    return list;
}

static rc_heap *auto_heap(size_t t0)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.schedule = RC_GC_SCHEDULE_CANDIDATES;
    cfg.threshold[0] = t0;
    return rt_heap_new_cfg(&cfg);
}

/* An old cyclic structure larger than a partial run's neighbourhood (8192 objects with
 * increments on) dies: the partial run that meets its dropped root is truncated and
 * starts a neighbourhood run, whose increments find the whole structure; no full
 * collection is needed (workload b). */
static void old_structure_beyond_the_neighbourhood_found_in_increments(void **state)
{
    (void)state;
    rc_heap *heap = auto_heap(64);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *pad = make_live(heap, pair, 3000);
    rc_object *st = make_structure(heap, pair, 20000);
    rc_object *root = rt_pair_new(heap, pair, -1);
    rt_pair_set(heap, root, 0, rc_list_get_borrow(heap, st, 0));
    rc_decref(heap, st); /* the pairs hold each other; root holds them */
    rc_collect(heap, 2); /* old: generation 2 */
    size_t base = rt_live_objects(heap);
    uint64_t full = rt_collections(heap, 2);
    rc_decref(heap, root); /* 20001 objects become cyclic garbage (the list was freed) */
    int i = 0;
    for (; i < 20000; i++) {
        make_garbage_cycle(heap, pair, 2);
        /* the structure is gone once fewer than 20001 objects wait (the churn's own
         * garbage waits for partial runs: at most 16 t0 candidates) */
        if (rt_live_objects(heap) + 20001 <= base + 2 * 16 * 64 + 2)
            break;
    }
    assert_true(i < 20000);
    assert_int_equal(rt_collections(heap, 2), full); /* no full collection */
    assert_true(rt_pause_stats(heap).incremental >= 1);
    assert_true(rc_collect(heap, 2) >= 0);
    assert_int_equal(rt_live_objects(heap), base - 20001);
    rc_decref(heap, pad);
    rt_heap_finish(heap);
}

/* SKIPS (gcincr.c): a neighbourhood run whose members are sparse in their pages (one slot
 * in 64 here, the others live objects it never reaches) passes over the other slots in
 * its MARK and LIST sweeps; that work is charged, and one look passes at most a bounded
 * number of slots before the clock is read. With a 1 ns budget every automatic increment
 * is one CHUNK of 64 units, so the sweeps over 9001 x 64 slots take at least
 * 2 x 9001 x 64 / 16 / 64 increments (about 1125); charged by member alone they took
 * about 3 x 9001 / 64 (about 420). The structure is found all the same. */
static void sparse_neighbourhood_sweeps_are_charged(void **state)
{
    (void)state;
    rc_heap *heap = auto_heap(64);
    rc_gc_set_pause_budget(heap, 1);
    const rc_type *pair = rt_pair_type(heap);
    enum { N = 9000, GAP = 63 };
    rc_object *pad = rt_list(heap), *st = rt_list(heap);
    for (int i = 0; i < N; i++) {
        rc_object *p = rt_pair_new(heap, pair, i);
        rt_append(heap, st, p);
        rc_decref(heap, p);
        for (int j = 0; j < GAP; j++) {
            rc_object *q = rt_pair_new(heap, pair, -1);
            rt_append(heap, pad, q);
            rc_decref(heap, q);
        }
    }
    link_structure(heap, st, N);
    rc_object *root = rt_pair_new(heap, pair, -2);
    rt_pair_set(heap, root, 0, rc_list_get_borrow(heap, st, 0));
    rc_decref(heap, st);
    rc_collect(heap, 2); /* old: generation 2 */
    size_t base = rt_live_objects(heap);
    uint64_t inc0 = rt_pause_stats(heap).increments;
    rc_decref(heap, root); /* N + 1 objects become cyclic garbage */
    int i = 0;
    for (; i < 100000; i++) {
        make_garbage_cycle(heap, pair, 2);
        if (rt_live_objects(heap) + N + 1 <= base + 2 * 16 * 64 + 2)
            break;
    }
    assert_true(i < 100000);
    assert_true(rt_pause_stats(heap).incremental >= 1);
    assert_true(rt_pause_stats(heap).increments - inc0 >= 2u * N * (GAP + 1) / 16u / 64u);
    assert_true(rc_collect(heap, 2) >= 0);
    assert_int_equal(rt_live_objects(heap), base - (N + 1));
    rc_decref(heap, pad);
    rt_heap_finish(heap);
}

/* A large live structure whose root keeps becoming a candidate (workload a): the first
 * neighbourhood run examines it and finds nothing; the next waits for four times its
 * members' worth of allocations, so the structure is not examined again and again. */
static void neighbourhood_runs_back_off_on_live_data(void **state)
{
    (void)state;
    rc_heap *heap = auto_heap(64);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *live = make_structure(heap, pair, 12000);
    rc_collect(heap, 2);
    for (int i = 0; i < 3000; i++) {
        rc_incref(live);
        rc_decref(heap, live); /* a candidate reaching 12000 objects */
        make_garbage_cycle(heap, pair, 2);
    }
    rc_gc_pause_stats s = rt_pause_stats(heap);
    /* 3000 rounds allocate 6000 objects: under 4 x 12000, so one run at most completed
     * and no second one started after it */
    assert_true(s.incremental <= 1);
    assert_true(s.increments > 0);
    assert_true(rc_collect(heap, 2) >= 0);
    assert_int_equal(rt_collected_all(heap), 6000);
    rc_decref(heap, live);
    rt_heap_finish(heap);
}

/* Stress (RCGC_STRESS_GC's mode): an increment at every tracked allocation besides the
 * partial run; the outcome is exact. */
static void stress_increment_at_every_allocation(void **state)
{
    (void)state;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = true;
    cfg.schedule = RC_GC_SCHEDULE_CANDIDATES;
    rc_heap *heap = rt_heap_new_cfg(&cfg);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *live = make_live(heap, pair, 300);
    rc_object *keep = rt_list(heap);
    for (int i = 0; i < 400; i++) {
        make_garbage_cycle(heap, pair, 2 + i % 4);
        rc_object *p = rt_pair_new(heap, pair, i);
        rt_pair_set(heap, p, 0, rc_list_get_borrow(heap, live, i % 300));
        rt_append(heap, keep, p);
        rc_decref(heap, p);
    }
    rc_collect(heap, 2);
    uint64_t want = 0;
    for (int i = 0; i < 400; i++)
        want += (uint64_t)(2 + i % 4);
    assert_int_equal(rt_collected_all(heap), want);
    rc_gc_pause_stats s = rt_pause_stats(heap);
    assert_true(s.increments > 1000);
    assert_true(s.incremental > 0);
    assert_int_equal(rc_list_len(heap, keep), 400);
    rc_decref(heap, keep);
    rc_decref(heap, live);
    rt_heap_finish(heap);
}

/* ---- configuration and statistics ----------------------------------------------------- */

static void pause_budget_and_config_versions(void **state)
{
    (void)state;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    assert_false(cfg.stop_the_world);
    assert_int_equal(cfg.pause_budget_ns, 0);
    cfg.pause_budget_ns = 250000;
    rc_heap *heap = rt_heap_new_cfg(&cfg);
    assert_int_equal(rc_gc_get_pause_budget(heap), 250000);
    rc_gc_set_pause_budget(heap, 0);
    assert_int_equal(rc_gc_get_pause_budget(heap), RC_GC_DEFAULT_PAUSE_BUDGET_NS);
    rc_gc_set_pause_budget(heap, 5000);
    assert_int_equal(rc_gc_get_pause_budget(heap), 5000);
    rt_heap_finish(heap);

    /* a config built against the header before these fields: their defaults */
    rc_heap_config_init(&cfg);
    cfg.stop_the_world = true;
    cfg.pause_budget_ns = 7;
    cfg.size = offsetof(rc_heap_config, stop_the_world);
    heap = rc_heap_new(&cfg);
    assert_non_null(heap);
    assert_int_equal(rc_gc_get_pause_budget(heap), RC_GC_DEFAULT_PAUSE_BUDGET_NS);
    rt_heap_finish(heap);
    cfg.size = offsetof(rc_heap_config, stop_the_world) + 1;
    assert_null(rc_heap_new(&cfg));
}

static void pause_histogram_buckets(void **state)
{
    (void)state;
    assert_int_equal(rc_gc_pause_bucket_ns(0), 0);
    assert_int_equal(rc_gc_pause_bucket_ns(1), 1000);
    assert_int_equal(rc_gc_pause_bucket_ns(2), 1250);
    assert_int_equal(rc_gc_pause_bucket_ns(4), 1750);
    assert_int_equal(rc_gc_pause_bucket_ns(5), 2000);
    assert_int_equal(rc_gc_pause_bucket_ns(6), 2500);
    assert_int_equal(rc_gc_pause_bucket_ns(9), 4000);
    assert_int_equal(rc_gc_pause_bucket_ns(RC_GC_PAUSE_BUCKETS + 5),
                     rc_gc_pause_bucket_ns(RC_GC_PAUSE_BUCKETS - 1));
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *pad = make_live(heap, pair, 500);
    size_t steps = step_to_end(heap);
    rc_gc_pause_stats s = rt_pause_stats(heap);
    uint64_t sum = 0;
    for (unsigned b = 0; b < RC_GC_PAUSE_BUCKETS; b++)
        sum += s.histogram[b];
    assert_int_equal(sum, steps);
    assert_int_equal(s.pauses, steps);
    assert_true(s.max_ns <= s.total_ns);
    /* a short size gets a prefix; a size under one field is refused */
    rc_gc_pause_stats small;
    memset(&small, 0xff, sizeof small);
    small.size = offsetof(rc_gc_pause_stats, total_ns);
    assert_int_equal(rc_gc_get_pause_stats(heap, &small), RC_OK);
    assert_int_equal(small.pauses, steps);
    assert_int_equal(small.max_ns, UINT64_MAX); /* untouched */
    small.size = 1;
    assert_int_equal(rc_gc_get_pause_stats(heap, &small), RC_EINVAL);
    assert_int_equal(rc_gc_get_pause_stats(heap, NULL), RC_EINVAL);
    /* every failure leaves a message naming the call (SIZE) */
    assert_non_null(strstr(rc_heap_errmsg(heap), "rc_gc_get_pause_stats"));
    rc_decref(heap, pad);
    rt_heap_finish(heap);
}

/* Under the generational schedule a step is one full stop-the-world collection. */
static void step_under_generational_schedule(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    make_garbage_cycle(heap, pair, 3);
    assert_false(rc_collect_step(heap, 0));
    assert_int_equal(rt_collected_all(heap), 3);
    assert_int_equal(rt_collections(heap, 2), 1);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(steps_find_exactly_the_unreachable_cycles),
        cmocka_unit_test(root_decremented_and_rereferenced_between_slices),
        cmocka_unit_test(objects_freed_between_slices_while_in_set),
        cmocka_unit_test(steal_out_of_a_member_between_slices),
        cmocka_unit_test(weakref_read_between_slices),
        cmocka_unit_test(resurrecting_finalizer_in_final_step),
        cmocka_unit_test(new_objects_between_slices),
        cmocka_unit_test(collect_full_during_run),
        cmocka_unit_test(heap_teardown_during_run),
        cmocka_unit_test(allocation_failure_inside_increments),
        cmocka_unit_test(random_small_graphs_with_increments),
        cmocka_unit_test(random_medium_graphs_with_increments),
        cmocka_unit_test(automatic_full_collections_run_in_increments),
        cmocka_unit_test(old_structure_beyond_the_neighbourhood_found_in_increments),
        cmocka_unit_test(neighbourhood_runs_back_off_on_live_data),
        cmocka_unit_test(sparse_neighbourhood_sweeps_are_charged),
        cmocka_unit_test(stress_increment_at_every_allocation),
        cmocka_unit_test(pause_budget_and_config_versions),
        cmocka_unit_test(pause_histogram_buckets),
        cmocka_unit_test(step_under_generational_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
