/*
 * test_gc_tracking.c -- what the collector tracks (containers, never atomic objects),
 * rc_gc_track / rc_gc_untrack and their effect on cycles and generation sizes, and
 * rc_collect's refusals: a bad generation, and a collection asked for from inside a
 * collection or while objects are being freed.
 */
#include "rctest.h"

#include <string.h>

static void atomic_objects_are_never_tracked(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t tracked = rt_tracked_objects(heap);
    rc_object *s = rc_str_from_cstr(heap, "text");
    rc_object *f = rc_float_new(heap, 3.25);
    rc_object *big = rc_int_new(heap, INT64_MIN);
    rc_object *small = rc_int_new(heap, 42);
    assert_true(rc_is_heap_object(big));
    assert_false(rc_is_heap_object(small));
    assert_false(rc_gc_is_tracked(heap, s));
    assert_false(rc_gc_is_tracked(heap, f));
    assert_false(rc_gc_is_tracked(heap, big));
    assert_false(rc_gc_is_tracked(heap, small));
    assert_false(rc_gc_is_tracked(heap, NULL));
    assert_int_equal(rt_tracked_objects(heap), tracked);
    /* rc_gc_track has no effect on types that cannot hold references. */
    rc_gc_track(heap, s);
    rc_gc_track(heap, f);
    assert_false(rc_gc_is_tracked(heap, s));
    assert_false(rc_gc_is_tracked(heap, f));
    assert_int_equal(rt_tracked_objects(heap), tracked);
    rc_decref(heap, s);
    rc_decref(heap, f);
    rc_decref(heap, big);
    rt_heap_finish(heap);
}

static void containers_are_tracked_at_creation(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    const rc_type *bag = rt_bag_type(heap);
    size_t tracked = rt_tracked_objects(heap);
    rc_object *l = rt_list(heap);
    rc_object *d = rt_dict(heap);
    rc_object *t = rc_tuple_new(heap, 2, NULL);
    rc_object *p = rt_pair_new(heap, pair, 1);
    rc_object *b = rt_bag_new(heap, bag, 2);
    rc_object *objs[] = {l, d, t, p, b};
    for (size_t i = 0; i < 5; i++)
        assert_true(rc_gc_is_tracked(heap, objs[i]));
    assert_int_equal(rt_tracked_objects(heap), tracked + 5);
    assert_int_equal(rt_gen_sizes(heap).n[0], tracked + 5);
    for (size_t i = 0; i < 5; i++)
        rc_decref(heap, objs[i]);
    assert_int_equal(rt_tracked_objects(heap), tracked);
    rt_heap_finish(heap);
}

static void untracked_type_instances_are_not_tracked(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    static const size_t offs[1] = {offsetof(rt_pair, a)};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "untracked_pair";
    spec.instance_bytes = sizeof(rt_pair);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 1;
    spec.flags = RC_TYPE_UNTRACKED;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    rc_object *o = rc_new(heap, t);
    assert_non_null(o);
    assert_false(rc_gc_is_tracked(heap, o));
    /* What it holds stays alive: its references count as outside references. */
    rc_object *l = rt_list(heap);
    ((rt_pair *)o)->a = rc_newref(l);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rc_refcount(l), 1);
    rc_decref(heap, o); /* releases l through the reference offsets */
    assert_int_equal(rc_type_live_count(t), 0);
    assert_int_equal(rc_type_live_count(rc_heap_builtin_list(heap)), 0);
    rt_heap_finish(heap);
}

static void untracked_cycle_is_never_collected_until_tracked_again(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    size_t gen0 = rt_gen_sizes(heap).n[0];
    rc_gc_untrack(heap, l);
    assert_false(rc_gc_is_tracked(heap, l));
    assert_int_equal(rt_gen_sizes(heap).n[0], gen0 - 1);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rt_live_objects(heap), base + 1);
    rc_gc_track(heap, l);
    assert_true(rc_gc_is_tracked(heap, l));
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* An untracked object in the middle of a cycle keeps the whole cycle alive. */
static void untracked_member_keeps_its_cycle_alive(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    rt_append(heap, a, b);
    rt_append(heap, b, a);
    rc_gc_untrack(heap, b);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rc_refcount(a), 1);
    assert_int_equal(rc_refcount(b), 1);
    rc_gc_track(heap, b);
    assert_int_equal(rc_collect(heap, 2), 2);
    rt_heap_finish(heap);
}

static void track_and_untrack_are_idempotent(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l = rt_list(heap);
    size_t tracked = rt_tracked_objects(heap);
    rc_gc_track(heap, l);
    assert_int_equal(rt_tracked_objects(heap), tracked);
    rc_gc_untrack(heap, l);
    rc_gc_untrack(heap, l);
    assert_int_equal(rt_tracked_objects(heap), tracked - 1);
    rt_gens g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0] + g.n[1] + g.n[2], tracked - 1);
    rc_gc_track(heap, l);
    rc_gc_track(heap, l);
    assert_int_equal(rt_tracked_objects(heap), tracked);
    g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0] + g.n[1] + g.n[2], tracked);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

/* Untracking an old object then tracking it again puts it back in a generation. */
static void retracked_old_object_is_collected_again(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_collect(heap, 2);
    assert_int_equal(rt_gen_sizes(heap).n[2], 1);
    rc_gc_untrack(heap, l);
    rt_gens g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0] + g.n[1] + g.n[2], 0);
    rc_gc_track(heap, l);
    g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0] + g.n[1] + g.n[2], 1);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 1);
    rt_heap_finish(heap);
}

static void collect_rejects_bad_generation(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_int_equal(rc_collect(heap, 3), -1);
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    assert_true(strstr(rc_heap_errmsg(heap), "rc_collect") != NULL);
    assert_true(strstr(rc_heap_errmsg(heap), "3") != NULL);
    rc_heap_clear_error(heap);
    assert_int_equal(rc_collect(heap, -1), -1);
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    assert_int_equal(rt_collections(heap, 0), 0);
    assert_int_equal(rt_collections(heap, 2), 0);
    rt_heap_finish(heap);
}

typedef struct reentry {
    int calls;       /* rc_collect attempts made from inside */
    int64_t result;  /* what the last one returned */
    rc_status error; /* the heap's error right after it */
} reentry;

static void collect_from_hook(rc_heap *heap, rc_object *self, void *user)
{
    (void)self;
    reentry *r = user;
    r->calls++;
    r->result = rc_collect(heap, 0);
    r->error = rc_heap_last_error(heap);
}

/* CPython's rule: gc.collect() returns 0 while a collection runs. */
static void collect_during_collection_returns_0(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rt_misuse_log log;
    memset(&log, 0, sizeof log);
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &log);
    const rc_type *bag = rt_bag_type(heap);
    rc_object *a = rt_bag_new(heap, bag, 1), *b = rt_bag_new(heap, bag, 2);
    rt_bag_set(heap, a, 0, b);
    rt_bag_set(heap, b, 0, a);
    reentry r;
    memset(&r, 0, sizeof r);
    ((rt_bag *)a)->on_traverse = collect_from_hook;
    ((rt_bag *)a)->hook_user = &r;
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_true(r.calls >= 1);
    assert_int_equal(r.result, 0);
    assert_int_equal(r.error, RC_OK);
    assert_int_equal(log.count, 0);
    assert_int_equal(rt_collections(heap, 0), 0);
    assert_int_equal(rt_collections(heap, 2), 1);
    rt_heap_finish(heap);
}

/* CPython's rule: gc.collect() during a deallocation collects. */
static void collect_while_freeing_collects(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rt_misuse_log log;
    memset(&log, 0, sizeof log);
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &log);
    const rc_type *bag = rt_bag_type(heap);
    rc_object *a = rt_bag_new(heap, bag, 1);
    reentry r;
    memset(&r, 0, sizeof r);
    ((rt_bag *)a)->on_clear = collect_from_hook;
    ((rt_bag *)a)->hook_user = &r;
    rc_decref(heap, a);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.result, 0);
    assert_int_equal(r.error, RC_OK);
    assert_int_equal(log.count, 0);
    assert_int_equal(rc_type_live_count(bag), 0);
    assert_int_equal(rt_collections(heap, 0), 1);
    rt_heap_finish(heap);
}

static void untrack_self_from_hook(rc_heap *heap, rc_object *self, void *user)
{
    ++*(int *)user;
    rc_gc_untrack(heap, self);
}

/* Untracking mid-collection would corrupt the generation the collector is walking:
 * refused as misuse, the object stays tracked. */
static void untrack_during_collection_is_refused(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rt_misuse_log log;
    memset(&log, 0, sizeof log);
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &log);
    const rc_type *bag = rt_bag_type(heap);
    rc_object *a = rt_bag_new(heap, bag, 1);
    int calls = 0;
    ((rt_bag *)a)->on_traverse = untrack_self_from_hook;
    ((rt_bag *)a)->hook_user = &calls;
    assert_int_equal(rc_collect(heap, 0), 0);
    assert_true(calls >= 1);
    assert_true(log.count >= 1);
    assert_int_equal(log.kind, RC_MISUSE_REENTRANT_COLLECT);
    assert_ptr_equal(log.address, a);
    assert_true(rc_gc_is_tracked(heap, a));
    assert_int_equal(rt_gen_sizes(heap).n[1], 1);
    ((rt_bag *)a)->on_traverse = NULL;
    rc_decref(heap, a);
    rt_heap_finish(heap);
}

static void allocate_from_hook(rc_heap *heap, rc_object *self, void *user)
{
    (void)self;
    uint64_t *collections_seen = user;
    for (int i = 0; i < 20; i++) {
        rc_object *l = rc_list_new(heap, 0);
        assert_non_null(l);
        rc_object *m = rc_list_new(heap, 0);
        assert_non_null(m);
        rt_append(heap, l, m);
        rt_append(heap, m, l);
        rc_decref(heap, l);
        rc_decref(heap, m);
    }
    *collections_seen = rt_collections(heap, 0) + rt_collections(heap, 1) + rt_collections(heap, 2);
}

/* A clear function may allocate, but no automatic collection starts while objects are
 * being freed (src/gc.c section 6), whatever the thresholds say. */
static void allocation_while_freeing_never_starts_a_collection(void **state)
{
    (void)state;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.threshold[0] = 1;
    cfg.threshold[1] = 1000;
    cfg.threshold[2] = 1000;
    rc_heap *heap = rt_heap_new_cfg(&cfg);
    const rc_type *bag = rt_bag_type(heap);
    rc_object *a = rt_bag_new(heap, bag, 1);
    uint64_t before = rt_collections(heap, 0);
    uint64_t during = 99;
    ((rt_bag *)a)->on_clear = allocate_from_hook;
    ((rt_bag *)a)->hook_user = &during;
    rc_decref(heap, a);
    assert_int_equal(during, before);
    assert_int_equal(rt_collections(heap, 0), before);
    /* The 20 cycles made meanwhile are ordinary garbage for the next collection. */
    assert_int_equal(rc_collect(heap, 2), 40);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(atomic_objects_are_never_tracked),
        cmocka_unit_test(containers_are_tracked_at_creation),
        cmocka_unit_test(untracked_type_instances_are_not_tracked),
        cmocka_unit_test(untracked_cycle_is_never_collected_until_tracked_again),
        cmocka_unit_test(untracked_member_keeps_its_cycle_alive),
        cmocka_unit_test(track_and_untrack_are_idempotent),
        cmocka_unit_test(retracked_old_object_is_collected_again),
        cmocka_unit_test(collect_rejects_bad_generation),
        cmocka_unit_test(collect_during_collection_returns_0),
        cmocka_unit_test(collect_while_freeing_collects),
        cmocka_unit_test(untrack_during_collection_is_refused),
        cmocka_unit_test(allocation_while_freeing_never_starts_a_collection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
