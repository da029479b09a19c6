/*
 * test_gc_generations.c -- generations, counts, thresholds and scheduling: Python's
 * gc.get_count / get_threshold / set_threshold / enable / disable / get_stats, promotion
 * of survivors, which generation frees which garbage, and the long-lived rule that
 * defers full collections (src/gc.c section 5).
 */
#include "rctest.h"

#include <string.h>

/* A heap with automatic collection on and the given thresholds, stress off, under the
 * generational schedule. */
static rc_heap *heap_with_thresholds(size_t t0, size_t t1, size_t t2)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.threshold[0] = t0;
    cfg.threshold[1] = t1;
    cfg.threshold[2] = t2;
    cfg.schedule = RC_GC_SCHEDULE_GENERATIONAL; /* these tests are CPython's schedule */
    return rt_heap_new_cfg(&cfg);
}

/* A cycle of two lists with no outside reference. */
static void make_garbage_cycle(rc_heap *heap)
{
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    rt_append(heap, a, b);
    rt_append(heap, b, a);
    rc_decref(heap, a);
    rc_decref(heap, b);
}

/* Two lists holding each other, returned with the caller holding both. */
static void make_held_cycle(rc_heap *heap, rc_object **a, rc_object **b)
{
    *a = rt_list(heap);
    *b = rt_list(heap);
    rt_append(heap, *a, *b);
    rt_append(heap, *b, *a);
}

static void default_thresholds_are_cpython_313(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new();
    size_t t[3];
    rc_gc_get_threshold(heap, t);
    assert_int_equal(t[0], 2000);
    assert_int_equal(t[1], 10);
    assert_int_equal(t[2], 10);
    rt_heap_finish(heap);
}

static void set_threshold_round_trips(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_int_equal(rc_gc_set_threshold(heap, 700, 3, 4), RC_OK);
    size_t t[3];
    rc_gc_get_threshold(heap, t);
    assert_int_equal(t[0], 700);
    assert_int_equal(t[1], 3);
    assert_int_equal(t[2], 4);
    rt_heap_finish(heap);
}

/* test_gc.py sets (1000, 0, 0); CPython gives 0 its meaning: generation 1 (2) is due as
 * soon as generation 0 (1) has been collected since its own last collection. */
static void set_threshold_accepts_zero_older_thresholds(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_int_equal(rc_gc_set_threshold(heap, 1000, 0, 0), RC_OK);
    size_t t[3];
    rc_gc_get_threshold(heap, t);
    assert_int_equal(t[0], 1000);
    assert_int_equal(t[1], 0);
    assert_int_equal(t[2], 0);
    /* With (1, 0, 0) each automatic collection takes the next generation in turn. */
    assert_int_equal(rc_gc_set_threshold(heap, 1, 0, 0), RC_OK);
    rc_gc_enable(heap);
    rc_object *keep[6];
    uint64_t seen[3][3];
    for (int i = 0; i < 6; i++) {
        keep[i] = rt_list(heap); /* tracked allocations 2, 4 and 6 start a collection */
        if (i % 2 == 1)
            for (int g = 0; g < 3; g++)
                seen[i / 2][g] = rt_collections(heap, g);
    }
    rc_gc_disable(heap);
    assert_int_equal(seen[0][0], 1);
    assert_int_equal(seen[0][1] + seen[0][2], 0);
    assert_int_equal(seen[1][1], 1);
    assert_int_equal(seen[1][0] + seen[1][2], 1);
    assert_int_equal(seen[2][2], 1);
    for (int i = 0; i < 6; i++)
        rc_decref(heap, keep[i]);
    rt_heap_finish(heap);
}

static void enable_and_disable_toggle_is_enabled(void **state)
{
    (void)state;
    rc_heap *heap = heap_with_thresholds(10, 10, 10);
    assert_true(rc_gc_is_enabled(heap));
    rc_gc_disable(heap);
    assert_false(rc_gc_is_enabled(heap));
    rc_gc_enable(heap);
    assert_true(rc_gc_is_enabled(heap));
    rt_heap_finish(heap);
}

/* gc.get_count()[0]: tracked allocations minus deallocations; atomic objects don't count. */
static void count_zero_is_tracked_allocations_minus_deallocations(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rt_gc_count(heap).n[0], 0);
    rc_object *l[5];
    for (int i = 0; i < 5; i++)
        l[i] = rt_list(heap);
    assert_int_equal(rt_gc_count(heap).n[0], 5);
    rc_object *s = rc_str_from_cstr(heap, "atomic");
    rc_object *f = rc_float_new(heap, 1.0);
    rc_object *big = rc_int_new(heap, INT64_MAX);
    assert_int_equal(rt_gc_count(heap).n[0], 5);
    rc_decref(heap, l[0]);
    rc_decref(heap, l[1]);
    assert_int_equal(rt_gc_count(heap).n[0], 3);
    rc_decref(heap, s);
    rc_decref(heap, f);
    rc_decref(heap, big);
    assert_int_equal(rt_gc_count(heap).n[0], 3);
    for (int i = 2; i < 5; i++)
        rc_decref(heap, l[i]);
    assert_int_equal(rt_gc_count(heap).n[0], 0);
    rt_heap_finish(heap);
}

/* get_count()[1] and [2] count collections of the younger generation; a collection of a
 * generation resets its own count and the younger ones'. */
static void counts_track_collections_of_younger_generations(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_int_equal(rc_collect(heap, 2), 0);
    rt_gens c = rt_gc_count(heap);
    assert_int_equal(c.n[0], 0);
    assert_int_equal(c.n[1], 0);
    assert_int_equal(c.n[2], 0);
    rc_object *l = rt_list(heap);
    rc_collect(heap, 0);
    rc_collect(heap, 0);
    c = rt_gc_count(heap);
    assert_int_equal(c.n[0], 0);
    assert_int_equal(c.n[1], 2);
    assert_int_equal(c.n[2], 0);
    rc_collect(heap, 1);
    c = rt_gc_count(heap);
    assert_int_equal(c.n[0], 0);
    assert_int_equal(c.n[1], 0);
    assert_int_equal(c.n[2], 1);
    rc_collect(heap, 2);
    c = rt_gc_count(heap);
    assert_int_equal(c.n[0], 0);
    assert_int_equal(c.n[1], 0);
    assert_int_equal(c.n[2], 0);
    assert_int_equal(rt_collections(heap, 0), 2);
    assert_int_equal(rt_collections(heap, 1), 1);
    assert_int_equal(rt_collections(heap, 2), 2);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

/* Survivors move up one generation; a full collection keeps them in generation 2. */
static void survivors_promoted_one_generation(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rt_gens g0 = rt_gen_sizes(heap);
    rc_object *l[3];
    for (int i = 0; i < 3; i++)
        l[i] = rt_list(heap);
    rt_gens g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0], g0.n[0] + 3);
    assert_int_equal(g.n[1], g0.n[1]);
    assert_int_equal(g.n[2], g0.n[2]);
    size_t tracked = g.n[0] + g.n[1] + g.n[2];
    assert_int_equal(rt_tracked_objects(heap), tracked);

    rc_collect(heap, 0);
    g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0], 0);
    assert_int_equal(g.n[1], g0.n[0] + g0.n[1] + 3);
    assert_int_equal(g.n[2], g0.n[2]);

    rc_object *young = rt_list(heap);
    rc_collect(heap, 1);
    g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0], 0);
    assert_int_equal(g.n[1], 0);
    assert_int_equal(g.n[2], tracked + 1);

    rc_collect(heap, 2);
    g = rt_gen_sizes(heap);
    assert_int_equal(g.n[2], tracked + 1);
    for (int i = 0; i < 3; i++)
        rc_decref(heap, l[i]);
    rc_decref(heap, young);
    g = rt_gen_sizes(heap);
    assert_int_equal(g.n[2], tracked - 3);
    rt_heap_finish(heap);
}

static void young_garbage_freed_by_generation_zero_collection(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    make_garbage_cycle(heap);
    assert_int_equal(rc_collect(heap, 0), 2);
    assert_int_equal(rt_collected(heap, 0), 2);
    assert_int_equal(rt_gen_sizes(heap).n[1], 0);
    rt_heap_finish(heap);
}

static void middle_garbage_survives_gen0_and_is_freed_by_gen1(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *a, *b;
    make_held_cycle(heap, &a, &b);
    assert_int_equal(rc_collect(heap, 0), 0); /* now in generation 1 */
    assert_int_equal(rt_gen_sizes(heap).n[1], 2);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_collect(heap, 0), 0);
    assert_int_equal(rt_live_objects(heap), base + 2);
    assert_int_equal(rc_collect(heap, 1), 2);
    assert_int_equal(rt_live_objects(heap), base);
    assert_int_equal(rt_collected(heap, 1), 2);
    rt_heap_finish(heap);
}

static void old_garbage_survives_young_collections_and_is_freed_by_gen2(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *a, *b;
    make_held_cycle(heap, &a, &b);
    assert_int_equal(rc_collect(heap, 2), 0); /* now in generation 2 */
    assert_int_equal(rt_gen_sizes(heap).n[2], 2);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_collect(heap, 0), 0);
    assert_int_equal(rc_collect(heap, 1), 0);
    assert_int_equal(rt_live_objects(heap), base + 2);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rt_live_objects(heap), base);
    assert_int_equal(rt_collected(heap, 2), 2);
    rt_heap_finish(heap);
}

/* A cycle spanning generations 0 and 2 is only found when both are collected. */
static void cycle_across_generations_needs_collection_of_the_oldest(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *old = rt_list(heap);
    rc_collect(heap, 2);
    rc_object *young = rt_list(heap);
    rt_append(heap, old, young);
    rt_append(heap, young, old);
    rc_decref(heap, old);
    rc_decref(heap, young);
    assert_int_equal(rc_collect(heap, 0), 0); /* young is held from generation 2 */
    assert_int_equal(rc_collect(heap, 1), 0);
    assert_int_equal(rc_collect(heap, 2), 2);
    rt_heap_finish(heap);
}

/* With threshold t, an allocation that takes get_count()[0] above t collects generation 0
 * first: keeping n tracked objects alive runs n / (t + 1) collections. */
static void threshold_triggers_young_collections(void **state)
{
    (void)state;
    rc_heap *heap = heap_with_thresholds(5, 1000, 1000);
    rc_object *keep = rt_list(heap);
    for (int i = 0; i < 59; i++) {
        rc_object *l = rt_list(heap);
        rt_append(heap, keep, l);
        rc_decref(heap, l);
    }
    assert_int_equal(rt_collections(heap, 0), 10);
    assert_int_equal(rt_collections(heap, 1), 0);
    assert_int_equal(rt_collections(heap, 2), 0);
    rc_decref(heap, keep);
    rt_heap_finish(heap);
}

/* Automatic collection frees cycles without an explicit rc_collect. */
static void automatic_collection_frees_cycles(void **state)
{
    (void)state;
    rc_heap *heap = heap_with_thresholds(10, 1000, 1000);
    size_t base = rt_live_objects(heap);
    for (int i = 0; i < 6; i++)
        make_garbage_cycle(heap); /* 12 allocations: one collection at the 11th */
    assert_int_equal(rt_collections(heap, 0), 1);
    assert_int_equal(rt_collected(heap, 0), 10);
    assert_int_equal(rt_live_objects(heap), base + 2);
    rt_heap_finish(heap);
}

static void threshold_zero_disables_automatic_collection(void **state)
{
    (void)state;
    rc_heap *heap = heap_with_thresholds(0, 1, 1);
    size_t base = rt_live_objects(heap);
    for (int i = 0; i < 5000; i++)
        make_garbage_cycle(heap);
    assert_int_equal(rt_collections(heap, 0), 0);
    assert_int_equal(rt_collections(heap, 1), 0);
    assert_int_equal(rt_collections(heap, 2), 0);
    assert_int_equal(rt_live_objects(heap), base + 10000);
    assert_int_equal(rc_collect(heap, 2), 10000);
    rt_heap_finish(heap);
}

static void disabled_gc_never_collects_automatically(void **state)
{
    (void)state;
    rc_heap *heap = heap_with_thresholds(1, 1, 1);
    rc_gc_disable(heap);
    for (int i = 0; i < 1000; i++)
        make_garbage_cycle(heap);
    assert_int_equal(rt_collections(heap, 0), 0);
    assert_int_equal(rt_collections(heap, 2), 0);
    assert_int_equal(rt_gc_count(heap).n[0], 2000);
    /* Explicit collections still work while disabled. */
    assert_int_equal(rc_collect(heap, 0), 2000);
    rc_gc_enable(heap);
    make_garbage_cycle(heap); /* count 1 then 2 > 1: one collection */
    assert_int_equal(rt_collections(heap, 0), 2);
    rt_heap_finish(heap);
}

/* The older thresholds: with (1, 2, big) a generation-1 collection comes after every three
 * of generation 0 (count[1] must exceed 2). */
static void older_thresholds_schedule_generation_one(void **state)
{
    (void)state;
    rc_heap *heap = heap_with_thresholds(1, 2, 1000);
    rc_object *keep = rt_list(heap);
    /* keep is allocation 1; 17 more: collections at allocations 2, 4, ..., 18 = 9. */
    for (int i = 0; i < 17; i++) {
        rc_object *l = rt_list(heap);
        rt_append(heap, keep, l);
        rc_decref(heap, l);
    }
    /* 0 0 0 1 0 0 0 1 0: the 4th and 8th collections are of generation 1. */
    assert_int_equal(rt_collections(heap, 0), 7);
    assert_int_equal(rt_collections(heap, 1), 2);
    assert_int_equal(rt_collections(heap, 2), 0);
    rc_decref(heap, keep);
    rt_heap_finish(heap);
}

/* CPython's long-lived rule: with thresholds (1, 1, 1) full collections run constantly on
 * a heap without long-lived objects ... */
static void full_collections_run_often_without_long_lived_objects(void **state)
{
    (void)state;
    rc_heap *heap = heap_with_thresholds(1, 1, 1);
    rc_object *keep = rt_list(heap);
    for (int i = 0; i < 100; i++) {
        rc_object *l = rt_list(heap);
        rt_append(heap, keep, l);
        rc_decref(heap, l);
    }
    assert_true(rt_collections(heap, 2) >= 5);
    rc_decref(heap, keep);
    rt_heap_finish(heap);
}

/* ... but are skipped while the objects promoted into generation 2 since the last full
 * collection are under a quarter of those it left there. */
static void full_collections_deferred_while_few_objects_promoted(void **state)
{
    (void)state;
    rc_heap *heap = heap_with_thresholds(0, 1, 1);
    rc_object *old = rt_list(heap);
    for (int i = 0; i < 1000; i++) {
        rc_object *l = rt_list(heap);
        rt_append(heap, old, l);
        rc_decref(heap, l);
    }
    assert_int_equal(rc_collect(heap, 2), 0); /* long-lived total: 1001 */
    assert_int_equal(rt_collections(heap, 2), 1);
    assert_int_equal(rc_gc_set_threshold(heap, 1, 1, 1), RC_OK);

    rc_object *keep = rt_list(heap);
    for (int i = 0; i < 99; i++) {
        rc_object *l = rt_list(heap);
        rt_append(heap, keep, l);
        rc_decref(heap, l);
    }
    /* At most 100 promoted, under 1001 / 4: no automatic full collection yet ... */
    assert_true(rt_collections(heap, 1) > 10);
    assert_int_equal(rt_collections(heap, 2), 1);

    for (int i = 0; i < 300; i++) {
        rc_object *l = rt_list(heap);
        rt_append(heap, keep, l);
        rc_decref(heap, l);
    }
    /* ... and exactly one once 250 had been promoted (the next needs 313 more). */
    assert_int_equal(rt_collections(heap, 2), 2);
    rc_decref(heap, keep);
    rc_decref(heap, old);
    rt_heap_finish(heap);
}

static void gc_stats_reject_bad_generation_and_size(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_gc_stats s;
    s.size = sizeof s;
    assert_int_equal(rc_gc_get_stats(heap, 3, &s), RC_EINVAL);
    assert_int_equal(rc_gc_get_stats(heap, -1, &s), RC_EINVAL);
    s.size = 0;
    assert_int_equal(rc_gc_get_stats(heap, 0, &s), RC_EINVAL);
    s.size = sizeof s;
    assert_int_equal(rc_gc_get_stats(heap, 0, &s), RC_OK);
    assert_int_equal(s.collections, 0);
    assert_int_equal(s.collected, 0);
    assert_int_equal(s.uncollectable, 0);
    rt_heap_finish(heap);
}

/* Freeing old objects right after a collection leaves get_count()[0] at 0, not below. */
static void count_zero_never_goes_below_zero(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l[4];
    for (int i = 0; i < 4; i++)
        l[i] = rt_list(heap);
    rc_collect(heap, 2);
    rc_object *young = rt_list(heap);
    assert_int_equal(rt_gc_count(heap).n[0], 1);
    for (int i = 0; i < 4; i++)
        rc_decref(heap, l[i]);
    assert_int_equal(rt_gc_count(heap).n[0], 0);
    rc_decref(heap, young);
    assert_int_equal(rt_gc_count(heap).n[0], 0);
    rt_heap_finish(heap);
}

/* Instances of a type declared RC_TYPE_UNTRACKED are never tracked: creating and freeing
 * one is neither a tracked allocation nor a tracked deallocation. */
static void count_unchanged_by_untracked_type_instances(void **state)
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
    rc_object *l[3];
    for (int i = 0; i < 3; i++)
        l[i] = rt_list(heap);
    assert_int_equal(rt_gc_count(heap).n[0], 3);
    rc_object *u = rc_new(heap, t);
    assert_non_null(u);
    assert_int_equal(rt_gc_count(heap).n[0], 3);
    rc_decref(heap, u);
    assert_int_equal(rt_gc_count(heap).n[0], 3);
    for (int i = 0; i < 3; i++)
        rc_decref(heap, l[i]);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_thresholds_are_cpython_313),
        cmocka_unit_test(set_threshold_round_trips),
        cmocka_unit_test(set_threshold_accepts_zero_older_thresholds),
        cmocka_unit_test(enable_and_disable_toggle_is_enabled),
        cmocka_unit_test(count_zero_is_tracked_allocations_minus_deallocations),
        cmocka_unit_test(count_zero_never_goes_below_zero),
        cmocka_unit_test(count_unchanged_by_untracked_type_instances),
        cmocka_unit_test(counts_track_collections_of_younger_generations),
        cmocka_unit_test(survivors_promoted_one_generation),
        cmocka_unit_test(young_garbage_freed_by_generation_zero_collection),
        cmocka_unit_test(middle_garbage_survives_gen0_and_is_freed_by_gen1),
        cmocka_unit_test(old_garbage_survives_young_collections_and_is_freed_by_gen2),
        cmocka_unit_test(cycle_across_generations_needs_collection_of_the_oldest),
        cmocka_unit_test(threshold_triggers_young_collections),
        cmocka_unit_test(automatic_collection_frees_cycles),
        cmocka_unit_test(threshold_zero_disables_automatic_collection),
        cmocka_unit_test(disabled_gc_never_collects_automatically),
        cmocka_unit_test(older_thresholds_schedule_generation_one),
        cmocka_unit_test(full_collections_run_often_without_long_lived_objects),
        cmocka_unit_test(full_collections_deferred_while_few_objects_promoted),
        cmocka_unit_test(gc_stats_reject_bad_generation_and_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
