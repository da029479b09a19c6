/*
 * test_weakref_basic.c -- weak references and their callbacks, rewritten from CPython's
 * Lib/test/test_weakref.py basics and the weakref cases of Lib/test/test_gc.py
 * (test_callback_in_cycle_*, test_bug1055820b/c: weakrefs to garbage are cleared before
 * finalizers run; callbacks of weakrefs that are garbage do not run).
 */
#include "rctest.h"

#include <string.h>

typedef struct cb_log {
    int calls;
    rc_object *last_wr;     /* the weakref the last callback received (borrowed) */
    int saw_live_referent;  /* callbacks that found their weakref still alive */
    int64_t collect_result; /* for callbacks that collect */
    bool collect;
    bool make_garbage;
} cb_log;

static void record_cb(rc_heap *heap, rc_object *wr, void *user)
{
    cb_log *log = user;
    log->calls++;
    log->last_wr = wr;
    rc_object *r = rc_weakref_get(heap, wr);
    if (r != NULL)
        log->saw_live_referent++;
    rc_decref(heap, r);
    if (log->collect)
        log->collect_result = rc_collect(heap, 2);
    if (log->make_garbage) {
        rc_object *l = rt_list(heap);
        rt_append(heap, l, l);
        rc_decref(heap, l);
    }
}

static void weakref_get_gives_referent_then_none_after_death(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *l = rt_list(heap);
    rc_object *wr = rc_weakref_new(heap, l, NULL, NULL);
    assert_non_null(wr);
    assert_true(rc_is_weakref(heap, wr));
    assert_false(rc_is_weakref(heap, l));
    assert_int_equal(rc_refcount(l), 1);
    assert_int_equal(rc_weakref_count(heap, l), 1);
    rc_object *got = rc_weakref_get(heap, wr);
    assert_ptr_equal(got, l);
    assert_int_equal(rc_refcount(l), 2);
    rc_decref(heap, got);
    rc_decref(heap, l);
    assert_null(rc_weakref_get(heap, wr));
    assert_int_equal(rt_live_objects(heap), base + 1);
    rc_decref(heap, wr);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void weakref_to_none_or_small_int_is_rejected(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_null(rc_weakref_new(heap, NULL, NULL, NULL));
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    assert_null(rc_weakref_new(heap, rc_int_new(heap, 3), NULL, NULL));
    rc_object *l = rt_list(heap);
    assert_null(rc_weakref_get(heap, l));
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

static void callback_runs_once_when_referent_count_reaches_zero(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *s = rc_str_from_cstr(heap, "referent");
    rc_object *w1 = rc_weakref_new(heap, s, record_cb, &log);
    rc_object *w2 = rc_weakref_new(heap, s, record_cb, &log);
    assert_int_equal(rc_weakref_count(heap, s), 2);
    rc_decref(heap, s);
    assert_int_equal(log.calls, 2);
    assert_int_equal(log.saw_live_referent, 0);
    assert_ptr_equal(log.last_wr, w1); /* newest first, as CPython */
    rc_decref(heap, w1);
    rc_decref(heap, w2);
    assert_int_equal(log.calls, 2);
    rt_heap_finish(heap);
}

static void weakref_dying_first_never_calls_back(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *l = rt_list(heap);
    rc_object *w = rc_weakref_new(heap, l, record_cb, &log);
    rc_object *keep = rc_weakref_new(heap, l, NULL, NULL);
    rc_decref(heap, w);
    assert_int_equal(rc_weakref_count(heap, l), 1);
    rc_decref(heap, keep);
    assert_int_equal(rc_weakref_count(heap, l), 0);
    rc_decref(heap, l);
    assert_int_equal(log.calls, 0);
    rt_heap_finish(heap);
}

static void callback_runs_when_referent_is_cyclic_garbage(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_object *w = rc_weakref_new(heap, l, record_cb, &log);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(log.calls, 1);
    assert_ptr_equal(log.last_wr, w);
    assert_int_equal(log.saw_live_referent, 0);
    assert_null(rc_weakref_get(heap, w));
    rc_decref(heap, w);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* test_gc.py test_callback_in_cycle: a weakref that is part of the garbage does not call
 * back, even though its referent dies in the same collection. */
static void callback_of_weakref_in_the_garbage_does_not_run(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_object *w = rc_weakref_new(heap, l, record_cb, &log);
    rt_append(heap, l, w); /* the weakref lives inside the cycle */
    rc_decref(heap, w);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(log.calls, 0);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* A weakref in the garbage whose referent survives is detached and never calls back. */
static void garbage_weakref_to_a_survivor_never_calls_back(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *survivor = rt_list(heap);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_object *w = rc_weakref_new(heap, survivor, record_cb, &log);
    rt_append(heap, l, w);
    rc_decref(heap, w);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rc_weakref_count(heap, survivor), 0);
    rc_decref(heap, survivor);
    assert_int_equal(log.calls, 0);
    rt_heap_finish(heap);
}

static void weakref_to_a_survivor_still_works_after_collection(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *survivor = rt_list(heap);
    rc_object *w = rc_weakref_new(heap, survivor, record_cb, &log);
    rc_object *g = rt_list(heap);
    rt_append(heap, g, g);
    rc_decref(heap, g);
    assert_int_equal(rc_collect(heap, 2), 1);
    rc_object *got = rc_weakref_get(heap, w);
    assert_ptr_equal(got, survivor);
    rc_decref(heap, got);
    assert_int_equal(log.calls, 0);
    rc_decref(heap, survivor);
    assert_int_equal(log.calls, 1);
    rc_decref(heap, w);
    rt_heap_finish(heap);
}

/* test_gc.py test_bug1055820c: a finalizer of garbage sees weakrefs to garbage cleared. */
typedef struct fin_obj {
    rc_object hdr;
    rc_object *ref;
    rc_object *wr; /* a weakref the finalizer inspects */
    int *dead_seen;
} fin_obj;

static void fin_check_weak(rc_heap *heap, rc_object *self)
{
    fin_obj *f = (fin_obj *)self;
    rc_object *r = rc_weakref_get(heap, f->wr);
    if (r == NULL)
        (*f->dead_seen)++;
    rc_decref(heap, r);
}

static int fin_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    fin_obj *f = (fin_obj *)self;
    int r = visit(heap, f->ref, arg);
    return r ? r : visit(heap, f->wr, arg);
}

static void fin_clear(rc_heap *heap, rc_object *self)
{
    fin_obj *f = (fin_obj *)self;
    rc_object *a = f->ref, *b = f->wr;
    f->ref = f->wr = NULL;
    rc_decref(heap, a);
    rc_decref(heap, b);
}

static void weakrefs_to_garbage_are_cleared_before_finalizers_run(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "fin_obj";
    spec.instance_bytes = sizeof(fin_obj);
    spec.traverse = fin_traverse;
    spec.clear = fin_clear;
    spec.finalize = fin_check_weak;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    int dead_seen = 0;
    rc_object *a = rc_new(heap, t), *b = rt_list(heap);
    ((fin_obj *)a)->dead_seen = &dead_seen;
    ((fin_obj *)a)->ref = rc_newref(b);
    rt_append(heap, b, a);
    ((fin_obj *)a)->wr = rc_weakref_new(heap, b, NULL, NULL);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_collect(heap, 2), 3); /* a, b, and the weakref a holds */
    assert_int_equal(dead_seen, 1);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* gc.collect() from a weakref callback a collection runs returns 0. */
static void collect_from_a_callback_during_a_collection_returns_0(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rt_misuse_log mlog;
    memset(&mlog, 0, sizeof mlog);
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &mlog);
    cb_log log;
    memset(&log, 0, sizeof log);
    log.collect = true;
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_object *w = rc_weakref_new(heap, l, record_cb, &log);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.collect_result, 0);
    assert_int_equal(mlog.count, 0);
    rc_decref(heap, w);
    rt_heap_finish(heap);
}

static void garbage_made_by_a_callback_is_freed_by_the_next_collection(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    cb_log log;
    memset(&log, 0, sizeof log);
    log.make_garbage = true;
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_object *w = rc_weakref_new(heap, l, record_cb, &log);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(rt_live_objects(heap), base + 2); /* w and the callback's cycle */
    assert_int_equal(rc_heap_check(heap), RC_OK);
    assert_int_equal(rc_collect(heap, 2), 1);
    rc_decref(heap, w);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* A referent released by garbage (outside the collected set) calls back after the
 * collection, once counts are exact. */
static void callback_of_old_referent_released_by_young_garbage(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *old = rt_list(heap);
    rc_object *w = rc_weakref_new(heap, old, record_cb, &log);
    assert_int_equal(rc_collect(heap, 1), 0);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rt_append(heap, l, old);
    rc_decref(heap, old);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 0), 1);
    assert_int_equal(log.calls, 1);
    assert_null(rc_weakref_get(heap, w));
    rc_decref(heap, w);
    rt_heap_finish(heap);
}

static void many_referents_grow_and_shrink_the_side_table(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    enum { N = 2000 };
    static rc_object *objs[N], *wrs[N];
    for (int i = 0; i < N; i++) {
        objs[i] = rt_list(heap);
        wrs[i] = rc_weakref_new(heap, objs[i], NULL, NULL);
        assert_non_null(wrs[i]);
    }
    for (int i = 0; i < N; i += 2)
        rc_decref(heap, objs[i]);
    for (int i = 0; i < N; i++) {
        rc_object *got = rc_weakref_get(heap, wrs[i]);
        if (i % 2 == 0)
            assert_null(got);
        else
            assert_ptr_equal(got, objs[i]);
        rc_decref(heap, got);
    }
    for (int i = 1; i < N; i += 2)
        rc_decref(heap, wrs[i]);
    for (int i = 1; i < N; i += 2) {
        assert_int_equal(rc_weakref_count(heap, objs[i]), 0);
        rc_decref(heap, objs[i]);
    }
    for (int i = 0; i < N; i += 2)
        rc_decref(heap, wrs[i]);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void weakrefs_alive_at_heap_free_are_released(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *l = rt_list(heap);
    rc_object *w = rc_weakref_new(heap, l, record_cb, &log);
    assert_non_null(w);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_heap_free(heap);
    assert_int_equal(log.calls, 0);
}

/* A basic (callback-less) weakref made when the referent's list is empty (its entry kept
 * from an earlier weakref: rc_weakref_new's fast path) is the one later calls share, and
 * stays first: CPython's order, basic weakref, basic proxy, then the others newest first. */
static void basic_weakref_on_an_empty_list_is_shared_and_first(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l = rt_list(heap);
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_decref(heap, rc_weakref_new(heap, l, record_cb, &log)); /* the entry stays, empty */
    assert_int_equal(rc_weakref_count(heap, l), 0);
    rc_object *b = rc_weakref_new(heap, l, NULL, NULL);
    assert_non_null(b);
    assert_ptr_equal(rc_weakref_new(heap, l, NULL, NULL), b); /* shared: a new reference */
    assert_int_equal(rc_refcount(b), 2);
    rc_decref(heap, b);
    rc_object *c = rc_weakref_new(heap, l, record_cb, &log);
    rc_object *p = rc_weakproxy_new(heap, l, NULL, NULL);
    rc_object *d = rc_weakref_new(heap, l, record_cb, &log);
    rc_object *refs = rc_weakref_get_weakrefs(heap, l);
    assert_int_equal(rc_list_len(heap, refs), 4);
    rc_object *want[] = {b, p, d, c};
    for (size_t i = 0; i < 4; i++)
        assert_ptr_equal(rc_list_get_borrow(heap, refs, (int64_t)i), want[i]);
    rc_decref(heap, refs);
    rc_object *got = rc_weakref_get(heap, b);
    assert_ptr_equal(got, l);
    rc_decref(heap, got);
    rc_decref(heap, l); /* c and d call back; b and p are cleared */
    assert_int_equal(log.calls, 2);
    assert_null(rc_weakref_get(heap, b));
    rc_decref(heap, d);
    rc_decref(heap, p);
    rc_decref(heap, c);
    rc_decref(heap, b);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weakref_get_gives_referent_then_none_after_death),
        cmocka_unit_test(weakref_to_none_or_small_int_is_rejected),
        cmocka_unit_test(callback_runs_once_when_referent_count_reaches_zero),
        cmocka_unit_test(weakref_dying_first_never_calls_back),
        cmocka_unit_test(callback_runs_when_referent_is_cyclic_garbage),
        cmocka_unit_test(callback_of_weakref_in_the_garbage_does_not_run),
        cmocka_unit_test(garbage_weakref_to_a_survivor_never_calls_back),
        cmocka_unit_test(weakref_to_a_survivor_still_works_after_collection),
        cmocka_unit_test(weakrefs_to_garbage_are_cleared_before_finalizers_run),
        cmocka_unit_test(collect_from_a_callback_during_a_collection_returns_0),
        cmocka_unit_test(garbage_made_by_a_callback_is_freed_by_the_next_collection),
        cmocka_unit_test(callback_of_old_referent_released_by_young_garbage),
        cmocka_unit_test(many_referents_grow_and_shrink_the_side_table),
        cmocka_unit_test(weakrefs_alive_at_heap_free_are_released),
        cmocka_unit_test(basic_weakref_on_an_empty_list_is_shared_and_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
