/*
 * test_finalize_basic.c -- finalizers with PEP 442 semantics, rewritten from CPython's
 * Lib/test/test_finalization.py (SelfCycle, SimpleBase, resurrection of single objects and
 * of cycles) and the finalizer cases of Lib/test/test_gc.py (test_del, test_del_newclass,
 * garbage created by finalizers, collections asked for from finalizers).
 *
 * The "fin" type below holds two references (offsets) and its finalizer does what the
 * test's mode bits ask; what it did is recorded in a static log the tests read. Every heap
 * is rt_heap_new_exact, so rc_collect's counts are exact.
 */
#include "rctest.h"

#include <string.h>

enum {
    F_RESURRECT = 1,    /* append self to log.keep */
    F_COLLECT = 2,      /* call rc_collect(heap, 2) and record its result */
    F_MAKE_GARBAGE = 4, /* create a new self-referencing list and drop it */
    F_BREAK = 8,        /* drop both references (breaks the cycle it is in) */
    F_WEAK_CHECK = 16,  /* record whether log.wr (a weakref) is already dead */
    F_TO_GARBAGE = 32   /* append self to rc_gc_garbage (resurrects it there) */
};

typedef struct fin {
    rc_object hdr;
    rc_object *ref[2];
    int64_t id;
    unsigned mode;
} fin;

static struct {
    int calls;
    int64_t order[64];
    rc_object *keep; /* list finalizers resurrect into */
    int64_t collect_result;
    rt_misuse_log misuse;
    rc_object *wr; /* weakref F_WEAK_CHECK looks at */
    int wr_dead_seen;
} log_;

static void fin_finalize(rc_heap *heap, rc_object *self)
{
    fin *f = (fin *)self;
    assert_true(rc_gc_is_finalized(heap, self));
    if (log_.calls < 64)
        log_.order[log_.calls] = f->id;
    log_.calls++;
    if (f->mode & F_RESURRECT)
        rt_append(heap, log_.keep, self);
    if (f->mode & F_COLLECT)
        log_.collect_result = rc_collect(heap, 2);
    if (f->mode & F_MAKE_GARBAGE) {
        rc_object *l = rt_list(heap);
        rt_append(heap, l, l);
        rc_decref(heap, l);
    }
    if (f->mode & F_BREAK) {
        for (int i = 0; i < 2; i++) {
            rc_object *old = f->ref[i];
            f->ref[i] = NULL;
            rc_decref(heap, old);
        }
    }
    if (f->mode & F_TO_GARBAGE) {
        rc_object *garbage = rc_gc_garbage(heap);
        rt_append(heap, garbage, self);
        rc_decref(heap, garbage);
    }
    if (f->mode & F_WEAK_CHECK) {
        rc_object *r = rc_weakref_get(heap, log_.wr);
        if (r == NULL)
            log_.wr_dead_seen++;
        rc_decref(heap, r);
    }
}

static const rc_type *fin_type(rc_heap *heap)
{
    static const size_t offs[2] = {offsetof(fin, ref[0]), offsetof(fin, ref[1])};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "fin";
    spec.instance_bytes = sizeof(fin);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 2;
    spec.finalize = fin_finalize;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

static rc_object *fin_new(rc_heap *heap, const rc_type *t, int64_t id, unsigned mode)
{
    rc_object *o = rc_new(heap, t);
    assert_non_null(o);
    ((fin *)o)->id = id;
    ((fin *)o)->mode = mode;
    return o;
}

static void fin_set(rc_heap *heap, rc_object *o, int i, rc_object *v)
{
    fin *f = (fin *)o;
    rc_object *old = f->ref[i];
    f->ref[i] = rc_newref(v);
    rc_decref(heap, old);
}

static rc_heap *setup(void)
{
    memset(&log_, 0, sizeof log_);
    rc_heap *heap = rt_heap_new_exact();
    log_.keep = rt_list(heap);
    return heap;
}

static void teardown(rc_heap *heap)
{
    rc_decref(heap, log_.keep);
    rc_decref(heap, log_.wr);
    log_.keep = log_.wr = NULL;
    rt_heap_finish(heap);
}

static void finalizer_runs_once_when_count_reaches_zero(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *a = fin_new(heap, t, 1, 0);
    assert_false(rc_gc_is_finalized(heap, a));
    rc_decref(heap, a);
    assert_int_equal(log_.calls, 1);
    assert_int_equal(rt_live_objects(heap), base);
    teardown(heap);
}

static void single_object_resurrected_at_count_zero_lives_and_is_not_finalized_again(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *a = fin_new(heap, t, 1, F_RESURRECT);
    rc_decref(heap, a);
    assert_int_equal(log_.calls, 1);
    assert_int_equal(rt_live_objects(heap), base + 1);
    assert_int_equal(rc_refcount(a), 1); /* held by log_.keep only */
    assert_true(rc_gc_is_finalized(heap, a));
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_object *popped = NULL;
    assert_int_equal(rc_list_pop(heap, log_.keep, -1, &popped), RC_OK);
    assert_ptr_equal(popped, a);
    rc_decref(heap, popped);
    assert_int_equal(log_.calls, 1);
    assert_int_equal(rt_live_objects(heap), base);
    teardown(heap);
}

static void self_cycle_with_finalizer_is_finalized_and_freed(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *a = fin_new(heap, t, 1, 0);
    fin_set(heap, a, 0, a);
    rc_decref(heap, a);
    assert_int_equal(log_.calls, 0);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(log_.calls, 1);
    assert_int_equal(rt_live_objects(heap), base);
    teardown(heap);
}

static void cycle_of_two_finalizers_each_runs_once(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *a = fin_new(heap, t, 1, 0), *b = fin_new(heap, t, 2, 0);
    fin_set(heap, a, 0, b);
    fin_set(heap, b, 0, a);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(log_.calls, 2);
    assert_int_equal(rt_live_objects(heap), base);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(log_.calls, 2);
    teardown(heap);
}

static void resurrected_cycle_survives_and_is_not_finalized_again(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *a = fin_new(heap, t, 1, F_RESURRECT), *b = fin_new(heap, t, 2, 0);
    fin_set(heap, a, 0, b);
    fin_set(heap, b, 0, a);
    rc_decref(heap, a);
    rc_decref(heap, b);
    /* Both were unreachable, then a's finalizer stored a; b is reachable from a, so neither
     * is freed, and neither is counted (CPython 3.9+: gc.collect() returns 0). */
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(log_.calls, 2);
    assert_int_equal(rt_live_objects(heap), base + 2);
    assert_int_equal(rc_refcount(a), 2);
    assert_int_equal(rc_refcount(b), 1);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    size_t gens[3];
    rc_gc_get_generation_sizes(heap, gens);
    assert_int_equal(gens[2], 3); /* a, b and the keep list */
    assert_int_equal(rc_list_clear(heap, log_.keep), RC_OK);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(log_.calls, 2); /* no second run */
    assert_int_equal(rt_live_objects(heap), base);
    teardown(heap);
}

/* CPython 3.9+ (handle_resurrected_objects): only what the finalizers made reachable
 * survives; an independent garbage cycle found in the same collection is freed. */
static void resurrection_keeps_only_what_became_reachable(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *a = fin_new(heap, t, 1, F_RESURRECT), *b = fin_new(heap, t, 2, 0);
    rc_object *c = fin_new(heap, t, 3, 0), *d = fin_new(heap, t, 4, 0);
    fin_set(heap, a, 0, b);
    fin_set(heap, b, 0, a);
    fin_set(heap, c, 0, d);
    fin_set(heap, d, 0, c);
    rc_decref(heap, a);
    rc_decref(heap, b);
    rc_decref(heap, c);
    rc_decref(heap, d);
    assert_int_equal(rc_collect(heap, 2), 2); /* c and d; not the resurrected a and b */
    assert_int_equal(log_.calls, 4);
    assert_int_equal(rt_live_objects(heap), base + 2);
    assert_int_equal(rc_refcount(a), 2);
    teardown(heap);
}

static void finalizer_breaking_its_cycle_frees_the_rest_by_counting(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *a = fin_new(heap, t, 1, F_BREAK), *b = fin_new(heap, t, 2, 0);
    rc_object *c = fin_new(heap, t, 3, 0);
    fin_set(heap, a, 0, b);
    fin_set(heap, b, 0, c);
    fin_set(heap, c, 0, a);
    rc_decref(heap, a);
    rc_decref(heap, b);
    rc_decref(heap, c);
    /* a's finalizer frees b, which frees c, which frees a once it returns: all by counting,
     * so nothing is left for the collection to free or count (CPython 3.9+: they leave its
     * unreachable list as they are deallocated). */
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(log_.calls, 3);
    assert_int_equal(rt_live_objects(heap), base);
    teardown(heap);
}

/* test_gc.py's test_garbage_at_shutdown/test_bug21435 spirit: garbage a finalizer creates
 * during a collection is not part of it; the next collection frees it. */
static void garbage_created_by_a_finalizer_waits_for_the_next_collection(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *a = fin_new(heap, t, 1, F_MAKE_GARBAGE);
    fin_set(heap, a, 0, a);
    rc_decref(heap, a);
    assert_int_equal(rc_collect(heap, 0), 1);
    assert_int_equal(log_.calls, 1);
    assert_int_equal(rt_live_objects(heap), base + 1); /* the new self-cycle list */
    assert_int_equal(rc_heap_check(heap), RC_OK);
    size_t gens[3];
    rc_gc_get_generation_sizes(heap, gens);
    assert_int_equal(gens[0], 1);
    assert_int_equal(rc_collect(heap, 0), 1);
    assert_int_equal(rt_live_objects(heap), base);
    teardown(heap);
}

/* CPython's gc.collect() returns 0 while a collection runs: no misuse. */
static void collect_from_a_finalizer_during_a_collection_returns_0(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &log_.misuse);
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *a = fin_new(heap, t, 1, F_COLLECT);
    fin_set(heap, a, 0, a);
    rc_decref(heap, a);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(log_.collect_result, 0);
    assert_int_equal(log_.misuse.count, 0);
    assert_int_equal(rc_heap_last_error(heap), RC_OK);
    assert_int_equal(rt_live_objects(heap), base);
    teardown(heap);
}

static void collect_from_a_finalizer_at_count_zero_is_allowed(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    rc_object *a = fin_new(heap, t, 1, F_COLLECT);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_decref(heap, l);
    rc_decref(heap, a);
    assert_int_equal(log_.calls, 1);
    assert_int_equal(log_.collect_result, 1);
    teardown(heap);
}

/* An object outside the collected set (untracked here) whose last reference is held by
 * garbage reaches zero while counts are inexact: its finalizer runs after the collection. */
static void finalizer_of_object_released_by_garbage_runs_after_the_collection(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *x = fin_new(heap, t, 7, F_RESURRECT);
    rc_gc_untrack(heap, x);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rt_append(heap, l, x);
    rc_decref(heap, x);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(log_.calls, 1);
    assert_int_equal(log_.order[0], 7);
    assert_int_equal(rt_live_objects(heap), base + 1); /* resurrected into keep */
    assert_int_equal(rc_refcount(x), 1);
    assert_int_equal(rc_list_clear(heap, log_.keep), RC_OK);
    assert_int_equal(log_.calls, 1);
    assert_int_equal(rt_live_objects(heap), base);
    teardown(heap);
}

static void finalizer_of_old_object_released_by_young_garbage(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *x = fin_new(heap, t, 9, 0);
    assert_int_equal(rc_collect(heap, 1), 0); /* x (and keep) to generation 2 */
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rt_append(heap, l, x);
    rc_decref(heap, x);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 0), 1);
    assert_int_equal(log_.calls, 1);
    assert_int_equal(rt_live_objects(heap), base);
    teardown(heap);
}

/* test_finalization.py SelfCycleResurrector (test_cycle_resurrect): the resurrected
 * object lives, but weakrefs to it were cleared before its finalizer ran. */
static void resurrected_self_cycle_lives_with_its_weakrefs_cleared(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    rc_object *a = fin_new(heap, t, 1, F_RESURRECT | F_WEAK_CHECK);
    fin_set(heap, a, 0, a);
    log_.wr = rc_weakref_new(heap, a, NULL, NULL);
    rc_decref(heap, a);
    assert_int_equal(rc_collect(heap, 2), 0); /* resurrected: not counted (CPython 3.9+) */
    assert_int_equal(log_.calls, 1);
    assert_int_equal(log_.wr_dead_seen, 1);
    assert_null(rc_weakref_get(heap, log_.wr));
    assert_int_equal(rc_refcount(a), 2); /* itself and keep */
    assert_int_equal(rc_list_clear(heap, log_.keep), RC_OK);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(log_.calls, 1);
    teardown(heap);
}

/* test_gc.py test_saveall's neighbour: a finalizer that puts its object into gc.garbage
 * resurrects it there. */
static void finalizer_adding_itself_to_garbage_list_survives_there(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *a = fin_new(heap, t, 1, F_TO_GARBAGE), *b = fin_new(heap, t, 2, 0);
    fin_set(heap, a, 0, b);
    fin_set(heap, b, 0, a);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_collect(heap, 2), 0); /* resurrected into the list: not counted */
    rc_object *garbage = rc_gc_garbage(heap);
    assert_int_equal(rc_list_len(heap, garbage), 1);
    assert_ptr_equal(rc_list_get_borrow(heap, garbage, 0), a);
    assert_int_equal(rt_live_objects(heap), base + 3); /* a, b and the garbage list */
    assert_int_equal(rc_list_clear(heap, garbage), RC_OK);
    rc_decref(heap, garbage);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(log_.calls, 2);
    teardown(heap);
}

static void is_finalized_false_for_values_and_types_without_finalizer(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    assert_false(rc_gc_is_finalized(heap, NULL));
    assert_false(rc_gc_is_finalized(heap, rc_int_new(heap, 5)));
    assert_false(rc_gc_is_finalized(heap, log_.keep));
    teardown(heap);
}

static void long_chain_of_finalizers_in_garbage_all_run(void **state)
{
    (void)state;
    rc_heap *heap = setup();
    const rc_type *t = fin_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *first = fin_new(heap, t, 0, 0), *prev = first;
    for (int i = 1; i < 1000; i++) {
        rc_object *o = fin_new(heap, t, i, 0);
        fin_set(heap, prev, 0, o);
        rc_decref(heap, o);
        prev = o;
    }
    fin_set(heap, prev, 0, first);
    rc_decref(heap, first);
    assert_int_equal(rc_collect(heap, 2), 1000);
    assert_int_equal(log_.calls, 1000);
    assert_int_equal(rt_live_objects(heap), base);
    teardown(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finalizer_runs_once_when_count_reaches_zero),
        cmocka_unit_test(single_object_resurrected_at_count_zero_lives_and_is_not_finalized_again),
        cmocka_unit_test(self_cycle_with_finalizer_is_finalized_and_freed),
        cmocka_unit_test(cycle_of_two_finalizers_each_runs_once),
        cmocka_unit_test(resurrected_cycle_survives_and_is_not_finalized_again),
        cmocka_unit_test(resurrection_keeps_only_what_became_reachable),
        cmocka_unit_test(finalizer_breaking_its_cycle_frees_the_rest_by_counting),
        cmocka_unit_test(garbage_created_by_a_finalizer_waits_for_the_next_collection),
        cmocka_unit_test(collect_from_a_finalizer_during_a_collection_returns_0),
        cmocka_unit_test(collect_from_a_finalizer_at_count_zero_is_allowed),
        cmocka_unit_test(finalizer_of_object_released_by_garbage_runs_after_the_collection),
        cmocka_unit_test(finalizer_of_old_object_released_by_young_garbage),
        cmocka_unit_test(resurrected_self_cycle_lives_with_its_weakrefs_cleared),
        cmocka_unit_test(finalizer_adding_itself_to_garbage_list_survives_there),
        cmocka_unit_test(is_finalized_false_for_values_and_types_without_finalizer),
        cmocka_unit_test(long_chain_of_finalizers_in_garbage_all_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
