/*
 * test_gc_doomed.c -- garbage released in slices (src/gc.c section 9, invariant DOOMED):
 * a collection confirms its garbage in one pause and hands what it cannot free within a
 * slice to the doomed list, released by later increments, allocations and steps. One
 * test per hazard of a pending release, each named after it; the differential oracle with
 * release slices interleaved; stress mode; a refused allocation during a slice. Every
 * assertion is an exact outcome; budgets are 0 (one fixed small slice) or unlimited, so
 * nothing depends on timing.
 */
#define _POSIX_C_SOURCE 200809L

#include "differential.h"
#include "rctest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The structure handed over: more than one slice's worth with the default thresholds
 * (a slice releases 16 objects per tracked allocation of threshold[0] / 8). */
#define RING 5000

static size_t doomed(const rc_heap *heap)
{
    return rt_stats(heap).doomed_objects;
}

/* A ring of n objects of type t (pair layout) through field a; each also refers to x
 * through field b when x is not NULL. Returns the first, owned by the caller. */
static rc_object *ring_to(rc_heap *heap, const rc_type *t, int n, rc_object *x)
{
    rc_object *first = rt_pair_new(heap, t, 0);
    rc_object *prev = first;
    for (int i = 1; i < n; i++) {
        rc_object *p = rt_pair_new(heap, t, i);
        rt_pair_set(heap, prev, 0, p);
        if (x != NULL)
            rt_pair_set(heap, p, 1, x);
        rc_decref(heap, p);
        prev = p;
    }
    rt_pair_set(heap, prev, 0, first);
    return first;
}

/* Steps (budget 0) until a collection has handed its garbage over; returns the steps. */
static size_t step_until_doomed(rc_heap *heap)
{
    size_t n = 0;
    while (doomed(heap) == 0) {
        assert_true(n < 1000000);
        n++;
        assert_true(rc_collect_step(heap, 0));
    }
    return n;
}

/* A heap holding `*x` (a live pair every ring node refers to) and, dropped and handed
 * over, a ring of RING pairs: the pending release every hazard test starts from. */
static rc_heap *pending_heap(rt_alloc *alloc, const rc_type **pair, rc_object **x)
{
    rc_heap *heap = rt_step_heap(alloc);
    *pair = rt_pair_type(heap);
    *x = rt_pair_new(heap, *pair, -1);
    rc_decref(heap, ring_to(heap, *pair, RING, *x));
    assert_int_equal(rc_refcount(*x), 1 + (RING - 1));
    step_until_doomed(heap);
    assert_false(rc_gc_is_incremental_running(heap));
    assert_int_equal(doomed(heap), RING);
    return heap;
}

/* ---- what a pending release must not show ------------------------------------------- */

/* get_objects lists the live tracked objects only: never a doomed one (a list holding it
 * would resurrect an object whose references are already given up). */
static void get_objects_during_pending_release(void **state)
{
    (void)state;
    const rc_type *pair;
    rc_object *x;
    rc_heap *heap = pending_heap(NULL, &pair, &x);
    rc_object *all = rc_gc_get_objects(heap, -1);
    assert_non_null(all);
    assert_int_equal(rc_list_len(heap, all), rt_tracked_objects(heap) - 1); /* not itself */
    for (size_t i = 0; i < rc_list_len(heap, all); i++) {
        const rc_object *o = rc_list_get_borrow(heap, all, i);
        assert_true(rc_type_of(heap, o) != pair || o == x);
    }
    rc_decref(heap, all);
    rc_object *gen2 = rc_gc_get_objects(heap, 2);
    assert_non_null(gen2);
    assert_int_equal(rc_list_len(heap, gen2), rt_gen_sizes(heap).n[2]);
    rc_decref(heap, gen2);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_decref(heap, x);
    rt_heap_finish(heap);
}

/* Every doomed ring node still has x in its field b, but holds no count on it: they are
 * no referrers of x, and x's count is the test's reference alone. */
static void get_referrers_during_pending_release(void **state)
{
    (void)state;
    const rc_type *pair;
    rc_object *x;
    rc_heap *heap = pending_heap(NULL, &pair, &x);
    assert_int_equal(rc_refcount(x), 1);
    rc_object *holder = rt_list(heap);
    rt_append(heap, holder, x);
    rc_object *refs = rc_gc_get_referrers(heap, &x, 1);
    assert_non_null(refs);
    assert_int_equal(rc_list_len(heap, refs), 1);
    assert_ptr_equal(rc_list_get_borrow(heap, refs, 0), holder);
    rc_decref(heap, refs);
    rc_object *ents = rc_gc_get_referents(heap, &x, 1);
    assert_non_null(ents);
    assert_int_equal(rc_list_len(heap, ents), 0);
    rc_decref(heap, ents);
    rc_decref(heap, holder);
    rc_decref(heap, x);
    rt_heap_finish(heap);
}

/* rc_heap_visit, objgraph's counts and the type's live count see the live objects only. */
static void heap_visit_during_pending_release(void **state)
{
    (void)state;
    const rc_type *pair;
    rc_object *x;
    rc_heap *heap = pending_heap(NULL, &pair, &x);
    assert_int_equal(rt_visit_count(heap), rt_live_objects(heap));
    assert_int_equal(rt_visit_count_type(heap, pair), 1);
    assert_int_equal(rc_type_live_count(pair), 1);
    assert_int_equal(rc_objgraph_count(heap, "pair"), 1);
    rc_object *by = rc_objgraph_by_type(heap, "pair");
    assert_non_null(by);
    assert_int_equal(rc_list_len(heap, by), 1);
    rc_decref(heap, by);
    rc_object *leaking = rc_objgraph_get_leaking_objects(heap);
    assert_non_null(leaking);
    for (size_t i = 0; i < rc_list_len(heap, leaking); i++)
        assert_true(rc_type_of(heap, rc_list_get_borrow(heap, leaking, i)) != pair ||
                    rc_list_get_borrow(heap, leaking, i) == x);
    rc_decref(heap, leaking);
    rc_decref(heap, x);
    rt_heap_finish(heap);
}

/* A heap snapshot has the live objects (and its root) as nodes, not the doomed ones; ids
 * given to the ring nodes by an earlier snapshot are dropped when they are handed over. */
static size_t snapshot_nodes(rc_heap *heap)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(rc_heap_snapshot_write(heap, f, RC_SNAPSHOT_TYPE_NAMES), RC_OK);
    assert_int_equal(fclose(f), 0);
    const char *at = strstr(buf, "\"node_count\":");
    assert_non_null(at);
    size_t n = (size_t)strtoull(at + strlen("\"node_count\":"), NULL, 10);
    free(buf);
    return n;
}

static void snapshot_during_pending_release(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *x = rt_pair_new(heap, pair, -1);
    rc_object *first = ring_to(heap, pair, RING, x);
    size_t with_ring = snapshot_nodes(heap); /* the ring nodes get snapshot ids */
    rc_decref(heap, first);
    step_until_doomed(heap);
    assert_int_equal(doomed(heap), RING);
    assert_int_equal(snapshot_nodes(heap), with_ring - RING);
    assert_int_equal(rc_heap_check(heap), RC_OK); /* the id table holds live objects only */
    rc_decref(heap, x);
    rt_heap_finish(heap);
}

/* The collection counts its garbage as collected when it confirms it (CPython counts at
 * collection time), in rc_gc_stats and in the callbacks; the objects are gone from
 * live_objects, the generations and get_count; their slots are still held
 * (doomed_bytes), and rc_heap_check accepts them. */
typedef struct seen_stop {
    uint64_t collected;
    int stops;
} seen_stop;

static void on_gc(rc_heap *heap, const rc_gc_info *info, void *user)
{
    (void)heap;
    seen_stop *s = user;
    if (info->phase == RC_GC_PHASE_STOP) {
        s->collected += info->collected;
        s->stops++;
    }
}

static void counts_during_pending_release(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    seen_stop seen = {0, 0};
    assert_int_equal(rc_gc_callback_add(heap, on_gc, &seen), RC_OK);
    rc_object *x = rt_pair_new(heap, pair, -1);
    rc_decref(heap, ring_to(heap, pair, RING, x));
    size_t live = rt_live_objects(heap), tracked = rt_tracked_objects(heap);
    uint64_t freed = rt_stats(heap).total_freed;
    step_until_doomed(heap);
    assert_int_equal(rt_collected_all(heap), RING);
    assert_int_equal(seen.collected, RING);
    assert_int_equal(seen.stops, 1);
    rc_heap_stats st = rt_stats(heap);
    assert_int_equal(st.live_objects, live - RING);
    assert_int_equal(st.tracked_objects, tracked - RING);
    assert_int_equal(st.total_freed, freed + RING);
    assert_int_equal(st.doomed_objects, RING);
    assert_true(st.doomed_bytes >= RING * sizeof(rt_pair));
    rt_gens g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0] + g.n[1] + g.n[2], tracked - RING);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    /* released: nothing counted twice */
    while (rc_collect_step(heap, 0)) {
    }
    st = rt_stats(heap);
    assert_int_equal(st.doomed_objects, 0);
    assert_int_equal(st.doomed_bytes, 0);
    assert_int_equal(st.live_objects, live - RING);
    assert_int_equal(st.total_freed, freed + RING);
    assert_int_equal(rt_collected_all(heap), RING);
    assert_int_equal(seen.stops, 1);
    assert_int_equal(rc_gc_callback_remove(heap, on_gc, &seen), RC_OK);
    rc_decref(heap, x);
    rt_heap_finish(heap);
}

/* ---- what finishes a pending release -------------------------------------------------- */

/* rc_collect is one complete stop-the-world collection: the garbage confirmed before it
 * is released first, and the collection itself frees in its pause. */
static void collect_finishes_pending_release(void **state)
{
    (void)state;
    for (int gen = 0; gen <= 2; gen++) {
        const rc_type *pair;
        rc_object *x;
        rc_heap *heap = pending_heap(NULL, &pair, &x);
        rc_decref(heap, ring_to(heap, pair, RING, NULL)); /* found by rc_collect(2) only */
        assert_int_equal(rc_collect(heap, gen), gen == 2 ? RING : 0);
        assert_int_equal(doomed(heap), 0);
        assert_int_equal(rt_stats(heap).doomed_bytes, 0);
        assert_int_equal(rt_visit_count(heap), rt_live_objects(heap));
        assert_int_equal(rc_refcount(x), 1);
        rc_collect(heap, 2);
        rc_decref(heap, x);
        rt_heap_finish(heap);
    }
}

/* rc_heap_free with garbage still to release: each object's destroy runs exactly once,
 * and nothing leaks. */
static size_t destroyed; /* test code: a writable static is fine here */

static void count_destroy(rc_heap *heap, rc_object *self)
{
    (void)heap;
    (void)self;
    destroyed++;
}

static void heap_free_with_pending_release(void **state)
{
    (void)state;
    rt_alloc a;
    rt_alloc_init(&a, -1);
    rc_heap *heap = rt_step_heap(&a);
    static const size_t offs[2] = {offsetof(rt_pair, a), offsetof(rt_pair, b)};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "counted";
    spec.instance_bytes = sizeof(rt_pair);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 2;
    spec.destroy = count_destroy;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    destroyed = 0;
    rc_decref(heap, ring_to(heap, t, RING, NULL));
    step_until_doomed(heap);
    assert_int_equal(doomed(heap), RING);
    assert_int_equal(destroyed, 0);        /* handed over: not destroyed yet */
    assert_true(rc_collect_step(heap, 0)); /* one slice of a budget-0 step */
    size_t after_slice = destroyed;
    assert_true(after_slice > 0 && after_slice < RING);
    assert_int_equal(doomed(heap), RING - after_slice);
    rt_heap_finish(heap);
    assert_int_equal(destroyed, RING);
    assert_int_equal(a.outstanding_bytes, 0);
    assert_int_equal(a.outstanding_blocks, 0);
}

/* rc_collect_step releases what an earlier collection confirmed, a slice per step, says
 * work remains until the last is released, then ends; each call is one pause. */
static void step_releases_pending_in_slices(void **state)
{
    (void)state;
    const rc_type *pair;
    rc_object *x;
    rc_heap *heap = pending_heap(NULL, &pair, &x);
    rc_gc_pause_stats p0 = rt_pause_stats(heap);
    size_t steps = 0, left = doomed(heap);
    bool more = true;
    while (more) {
        more = rc_collect_step(heap, 0);
        steps++;
        assert_true(doomed(heap) < left || left == 0);
        left = doomed(heap);
        assert_int_equal(more, left > 0);
        assert_int_equal(rc_heap_check(heap), RC_OK);
    }
    assert_true(steps > 10);
    rc_gc_pause_stats p1 = rt_pause_stats(heap);
    assert_int_equal(p1.pauses, p0.pauses + steps);
    assert_int_equal(p1.incremental, p0.incremental); /* no collection started meanwhile */
    assert_false(rc_gc_is_incremental_running(heap));
    /* an unlimited budget releases all in one step */
    rc_decref(heap, ring_to(heap, pair, RING, NULL));
    step_until_doomed(heap);
    assert_false(rc_collect_step(heap, UINT64_MAX));
    assert_int_equal(doomed(heap), 0);
    rc_decref(heap, x);
    rt_heap_finish(heap);
}

/* ---- what stays atomic ------------------------------------------------------------------ */

/* A weakref to a ring node reads dead as soon as the collection that confirmed the ring
 * ends, before any of it is released; its callback ran once, in that pause. */
static int wr_calls; /* test code */

static void on_wr(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    (void)wr;
    (void)user;
    wr_calls++;
}

static void weakref_to_doomed_object_reads_dead(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *first = ring_to(heap, pair, RING, NULL);
    rc_object *mid = rt_pair_get(first, 0);
    for (int i = 0; i < RING / 2; i++)
        mid = rt_pair_get(mid, 0);
    wr_calls = 0;
    rc_object *wr = rc_weakref_new(heap, mid, on_wr, NULL);
    assert_non_null(wr);
    rc_object *plain = rc_weakref_new(heap, first, NULL, NULL);
    assert_non_null(plain);
    rc_decref(heap, first);
    step_until_doomed(heap);
    assert_int_equal(doomed(heap), RING);
    assert_null(rc_weakref_get(heap, wr));
    assert_null(rc_weakref_get(heap, plain));
    assert_int_equal(wr_calls, 1);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    while (rc_collect_step(heap, 0)) {
    }
    assert_null(rc_weakref_get(heap, wr));
    assert_int_equal(wr_calls, 1);
    rc_decref(heap, wr);
    rc_decref(heap, plain);
    rt_heap_finish(heap);
}

/* A finalizer in the garbage resurrects its object, which holds part of the ring: that
 * part survives with exact counts and is never handed over; the rest is. */
static void resurrecting_finalizer_not_released(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    const rc_type *rt = rt_rez_type(heap);
    /* the ring, and hanging off one node a phoenix holding a cycle of 3 of its own */
    rc_object *first = ring_to(heap, pair, RING, NULL);
    rc_object *phoenix = rt_pair_new(heap, rt, 77);
    rc_object *tail = rt_pair_cycle(heap, pair, 3);
    rt_pair_set(heap, phoenix, 0, tail);
    rc_decref(heap, tail);
    rt_pair_set(heap, first, 1, phoenix);
    rc_decref(heap, phoenix);
    rc_decref(heap, first);
    step_until_doomed(heap);
    assert_int_equal(rt_rez.runs, 1);
    assert_int_equal(doomed(heap), RING);
    assert_int_equal(rc_list_len(heap, rt_rez.holder), 1);
    assert_ptr_equal(rc_list_get_borrow(heap, rt_rez.holder, 0), phoenix);
    assert_int_equal(rc_refcount(phoenix), 1);
    assert_int_equal(rc_refcount(tail), 2); /* the phoenix and the cycle's last node */
    while (rc_collect_step(heap, 0)) {
    }
    assert_int_equal(((rt_pair *)phoenix)->id, 77);
    assert_ptr_equal(rt_pair_get(phoenix, 0), tail);
    assert_int_equal(rc_refcount(phoenix), 1);
    assert_int_equal(rt_visit_count_type(heap, rt), 1);
    assert_int_equal(rt_visit_count_type(heap, pair), 3);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_decref(heap, rt_rez.holder); /* frees the phoenix by counting */
    assert_int_equal(rc_collect(heap, 2), 3);
    assert_int_equal(rt_rez.runs, 1); /* PEP 442: never again */
    rt_heap_finish(heap);
}

/* ---- faults, the oracle, automatic slices, stress -------------------------------------- */

/* A release needs no memory: with every allocation refused from the handover on, the
 * slices (steps and allocations' ticks) still release everything, and the heap stays
 * consistent. */
static void refused_allocation_during_slice(void **state)
{
    (void)state;
    rt_alloc a;
    rt_alloc_init(&a, -1);
    const rc_type *pair;
    rc_object *x;
    rc_heap *heap = pending_heap(&a, &pair, &x);
    a.fail_at = (int64_t)a.requests;
    a.fail_all_after = true;
    while (rc_collect_step(heap, 0))
        assert_int_equal(rc_heap_check(heap), RC_OK);
    assert_int_equal(doomed(heap), 0);
    /* an allocation refused during a pending release leaves it pending and consistent */
    a.fail_at = -1;
    a.fail_all_after = false;
    rc_decref(heap, ring_to(heap, pair, RING, NULL));
    step_until_doomed(heap);
    a.fail_at = (int64_t)a.requests;
    a.fail_all_after = true;
    rc_gc_enable(heap);
    for (int i = 0; i < 4000; i++) {
        rc_object *o = rc_list_new(heap, 1000); /* its item buffer is refused */
        assert_null(o);
    }
    assert_true(a.refused >= 4000);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    a.fail_at = -1;
    a.fail_all_after = false;
    rc_decref(heap, x);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(doomed(heap), 0);
    rt_heap_finish(heap);
    assert_int_equal(a.outstanding_bytes, 0);
}

/* The differential oracle (tests/support/differential.h) with increments and release
 * slices interleaved between its operations: in stress mode every automatic collection
 * hands its garbage over and each allocation, like each budget-0 step, releases 64
 * objects, so every check (only unreachable nodes freed, exact counts, live and tracked
 * totals, rc_heap_check) runs while releases are pending. */
static void random_graphs_with_release_slices(void **state)
{
    (void)state;
    uint64_t before = rt_diff_release_slices();
    rt_diff_params p = {.iterations = 200,
                        .base_seed = 0x5eed0031u,
                        .max_nodes = 300,
                        .n_ops = 400,
                        .candidates = true,
                        .increments = true,
                        .stress = true};
    rt_diff_run(&p);
    assert_true(rt_diff_release_slices() > before);
}

/* Automatic collection with increments: dropped structures are confirmed and handed
 * over, and the allocations' slices keep up: the doomed objects never exceed what one
 * collection confirmed plus the garbage confirmed while it drains, and none is left
 * after a few thousand allocations. */
static void automatic_release_keeps_up(void **state)
{
    (void)state;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.schedule = RC_GC_SCHEDULE_CANDIDATES;
    cfg.threshold[0] = 64;                /* slices of 16 * 8 = 128 objects every 8 allocations */
    cfg.pause_budget_ns = UINT64_MAX / 2; /* no clock: exact outcomes */
    rc_heap *heap = rt_heap_new_cfg(&cfg);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *live = rt_list(heap);
    size_t max_doomed = 0;
    for (int round = 0; round < 12; round++) {
        rc_object *s = ring_to(heap, pair, 1000, NULL);
        rt_append(heap, live, s);
        rc_decref(heap, s);
        if (round > 0) /* drop the one built the round before (old by now) */
            assert_int_equal(rc_list_pop(heap, live, 0, &s), RC_OK), rc_decref(heap, s);
        for (int i = 0; i < 3000; i++) {
            rc_decref(heap, rt_pair_cycle(heap, pair, 2));
            size_t d = doomed(heap);
            max_doomed = d > max_doomed ? d : max_doomed;
        }
    }
    rc_gc_pause_stats p = rt_pause_stats(heap);
    assert_true(p.release_slices > 0);
    assert_true(max_doomed >= 1000);
    assert_true(max_doomed <= 2 * 1000);
    for (int i = 0; i < 2000; i++)
        rc_decref(heap, rt_pair_new(heap, pair, i));
    assert_int_equal(doomed(heap), 0);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_decref(heap, live);
    rt_heap_finish(heap);
}

/* A pause budget too small to release anything still releases two objects per tracked
 * allocation of the interval (250 with the default threshold): the list drains faster
 * than any program could refill it, and automatic collection off does not stop it. */
static void tiny_budget_release_keeps_up(void **state)
{
    (void)state;
    const rc_type *pair;
    rc_object *x;
    rc_heap *heap = pending_heap(NULL, &pair, &x); /* automatic collection off */
    rc_gc_set_pause_budget(heap, 1);
    rc_object *keep = rt_list(heap);
    /* eleven slices: of 64 objects each (one look at the clock), 704 in all, without the
     * floor; of 564 with it */
    for (int i = 0; i < 2600; i++) {
        rc_object *p = rt_pair_new(heap, pair, i);
        rt_append(heap, keep, p);
        rc_decref(heap, p);
    }
    assert_int_equal(doomed(heap), 0);
    assert_true(rt_pause_stats(heap).release_slices >= 9);
    rc_decref(heap, keep);
    rc_decref(heap, x);
    rt_heap_finish(heap);
}

/* Stress mode: every tracked allocation runs an increment and a partial run and then
 * releases a slice of 64; any garbage is handed over, so releases are pending across the
 * program's operations, and each allocation leaves the heap consistent. */
static void stress_release_slice_at_every_allocation(void **state)
{
    (void)state;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = true;
    cfg.schedule = RC_GC_SCHEDULE_CANDIDATES;
    rc_heap *heap = rt_heap_new_cfg(&cfg);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *keep = rt_list(heap);
    rc_object *first = rt_pair_cycle(heap, pair, 300);
    rc_decref(heap, first);
    size_t pending_seen = 0;
    for (int i = 0; i < 40; i++) {
        rc_object *p = rt_pair_new(heap, pair, i);
        rt_append(heap, keep, p);
        rc_decref(heap, p);
        if (doomed(heap) > 0) {
            pending_seen++;
            assert_int_equal(rc_heap_check(heap), RC_OK);
            assert_int_equal(rt_visit_count_type(heap, pair), (size_t)i + 1);
        }
    }
    assert_true(pending_seen >= 3); /* 300 objects, 64 per allocation */
    assert_int_equal(doomed(heap), 0);
    assert_true(rt_pause_stats(heap).release_slices >= 5);
    assert_int_equal(rc_collect(heap, 2), 0);
    rc_decref(heap, keep);
    rt_heap_finish(heap);
}

/* The stop-the-world configuration frees in its pauses: nothing is ever handed over. */
static void stop_the_world_hands_nothing_over(void **state)
{
    (void)state;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.schedule = RC_GC_SCHEDULE_CANDIDATES;
    cfg.threshold[0] = 64;
    cfg.stop_the_world = true;
    rc_heap *heap = rt_heap_new_cfg(&cfg);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *live = rt_list(heap);
    for (int round = 0; round < 4; round++) {
        rc_object *s = ring_to(heap, pair, 1000, NULL);
        rc_decref(heap, s);
        for (int i = 0; i < 3000; i++) {
            rc_decref(heap, rt_pair_cycle(heap, pair, 2));
            assert_int_equal(doomed(heap), 0);
        }
    }
    assert_int_equal(rt_pause_stats(heap).release_slices, 0);
    assert_true(rt_collected_all(heap) > 0);
    rc_decref(heap, live);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_objects_during_pending_release),
        cmocka_unit_test(get_referrers_during_pending_release),
        cmocka_unit_test(heap_visit_during_pending_release),
        cmocka_unit_test(snapshot_during_pending_release),
        cmocka_unit_test(counts_during_pending_release),
        cmocka_unit_test(collect_finishes_pending_release),
        cmocka_unit_test(heap_free_with_pending_release),
        cmocka_unit_test(step_releases_pending_in_slices),
        cmocka_unit_test(weakref_to_doomed_object_reads_dead),
        cmocka_unit_test(resurrecting_finalizer_not_released),
        cmocka_unit_test(refused_allocation_during_slice),
        cmocka_unit_test(random_graphs_with_release_slices),
        cmocka_unit_test(automatic_release_keeps_up),
        cmocka_unit_test(tiny_budget_release_keeps_up),
        cmocka_unit_test(stress_release_slice_at_every_allocation),
        cmocka_unit_test(stop_the_world_hands_nothing_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
