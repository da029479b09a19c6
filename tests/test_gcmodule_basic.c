/*
 * test_gcmodule_basic.c -- the gc module around the collector, rewritten from CPython's
 * Lib/test/test_gc.py: test_freeze, GCCallbackTests (test_collect, test_collect_generation,
 * test_collect_garbage), test_saveall, the DEBUG_STATS messages and is_finalized.
 */
#include "rctest.h"

#include <stdio.h>
#include <string.h>

static rc_object *garbage_cycle(rc_heap *heap)
{
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_decref(heap, l);
    return l;
}

static void freeze_moves_every_tracked_object_to_the_permanent_generation(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *a = rt_list(heap), *b = rt_dict(heap);
    garbage_cycle(heap);
    size_t tracked = rt_tracked_objects(heap);
    assert_int_equal(rc_gc_freeze(heap), RC_OK);
    assert_int_equal(rc_gc_get_freeze_count(heap), tracked);
    rt_gens g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0] + g.n[1] + g.n[2], 0);
    assert_int_equal(rt_gc_count(heap).n[0], 0);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    /* The frozen cycle is never collected. */
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rc_gc_unfreeze(heap), RC_OK);
    assert_int_equal(rc_gc_get_freeze_count(heap), 0);
    assert_int_equal(rt_gen_sizes(heap).n[2], tracked);
    assert_int_equal(rc_collect(heap, 2), 1);
    rc_decref(heap, a);
    rc_decref(heap, b);
    rt_heap_finish(heap);
}

typedef struct cb_rec {
    int n;
    rc_gc_info info[8];
    int64_t collect_result;
    bool collect;
} cb_rec;

static void record_gc_cb(rc_heap *heap, const rc_gc_info *info, void *user)
{
    cb_rec *r = user;
    if (r->n < 8)
        r->info[r->n] = *info;
    r->n++;
    if (r->collect)
        r->collect_result = rc_collect(heap, 0);
}

static void callbacks_see_start_and_stop_with_counts(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    cb_rec r;
    memset(&r, 0, sizeof r);
    assert_int_equal(rc_gc_callback_add(heap, record_gc_cb, &r), RC_OK);
    garbage_cycle(heap);
    garbage_cycle(heap);
    assert_int_equal(rc_collect(heap, 1), 2);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.info[0].phase, RC_GC_PHASE_START);
    assert_int_equal(r.info[0].generation, 1);
    assert_int_equal(r.info[0].collected, 0);
    assert_int_equal(r.info[1].phase, RC_GC_PHASE_STOP);
    assert_int_equal(r.info[1].generation, 1);
    assert_int_equal(r.info[1].collected, 2);
    assert_int_equal(r.info[1].uncollectable, 0);
    assert_int_equal(r.info[1].size, sizeof(rc_gc_info));
    assert_int_equal(rc_gc_callback_remove(heap, record_gc_cb, &r), RC_OK);
    assert_int_equal(rc_gc_callback_remove(heap, record_gc_cb, &r), RC_EINVAL);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(rc_gc_callback_add(heap, NULL, NULL), RC_EINVAL);
    rt_heap_finish(heap);
}

/* gc.collect() from a gc.callbacks function returns 0: a collection is running. */
static void collect_from_a_gc_callback_returns_0(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rt_misuse_log mlog;
    memset(&mlog, 0, sizeof mlog);
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &mlog);
    cb_rec r;
    memset(&r, 0, sizeof r);
    r.collect = true;
    assert_int_equal(rc_gc_callback_add(heap, record_gc_cb, &r), RC_OK);
    assert_int_equal(rc_collect(heap, 0), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.collect_result, 0);
    assert_int_equal(mlog.count, 0);
    assert_int_equal(rc_heap_last_error(heap), RC_OK);
    rt_heap_finish(heap);
}

static void callbacks_run_in_registration_order(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    cb_rec r1, r2;
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    assert_int_equal(rc_gc_callback_add(heap, record_gc_cb, &r1), RC_OK);
    assert_int_equal(rc_gc_callback_add(heap, record_gc_cb, &r2), RC_OK);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(r1.n, 2);
    assert_int_equal(r2.n, 2);
    assert_int_equal(r2.info[1].generation, 2);
    rt_heap_finish(heap);
}

static void saveall_keeps_garbage_in_the_garbage_list(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_gc_set_debug(heap, RC_GC_DEBUG_SAVEALL);
    assert_int_equal(rc_gc_get_debug(heap), RC_GC_DEBUG_SAVEALL);
    rc_object *l = garbage_cycle(heap);
    assert_int_equal(rc_collect(heap, 2), 1);
    rc_object *garbage = rc_gc_garbage(heap);
    assert_non_null(garbage);
    assert_int_equal(rc_list_len(heap, garbage), 1);
    assert_ptr_equal(rc_list_get_borrow(heap, garbage, 0), l);
    assert_int_equal(rc_refcount(l), 2); /* itself and the garbage list */
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_gc_set_debug(heap, 0);
    assert_int_equal(rc_list_clear(heap, garbage), RC_OK);
    rc_decref(heap, garbage);
    assert_int_equal(rc_collect(heap, 2), 1);
    rt_heap_finish(heap);
}

typedef struct out_rec {
    int n;
    char lines[16][128];
} out_rec;

static void record_out(rc_heap *heap, const char *line, void *user)
{
    (void)heap;
    out_rec *o = user;
    if (o->n < 16)
        snprintf(o->lines[o->n], sizeof o->lines[0], "%s", line);
    o->n++;
}

static void debug_stats_writes_cpython_style_messages(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    out_rec o;
    memset(&o, 0, sizeof o);
    rc_gc_set_debug_output(heap, record_out, &o);
    rc_gc_set_debug(heap, RC_GC_DEBUG_STATS);
    garbage_cycle(heap);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(o.n, 4);
    assert_string_equal(o.lines[0], "gc: collecting generation 2...");
    assert_string_equal(o.lines[1], "gc: objects in each generation: 1 0 0");
    assert_string_equal(o.lines[2], "gc: objects in permanent generation: 0");
    assert_memory_equal(o.lines[3], "gc: done, 1 unreachable, 0 uncollectable, ", 42);
    assert_non_null(strstr(o.lines[3], "s elapsed"));
    rt_heap_finish(heap);
}

static void debug_collectable_names_each_garbage_object(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    out_rec o;
    memset(&o, 0, sizeof o);
    rc_gc_set_debug_output(heap, record_out, &o);
    rc_gc_set_debug(heap, RC_GC_DEBUG_COLLECTABLE);
    rc_object *l = garbage_cycle(heap);
    char want[64];
    snprintf(want, sizeof want, "gc: collectable <list %p>", (void *)l);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(o.n, 1);
    assert_string_equal(o.lines[0], want);
    rt_heap_finish(heap);
}

static void debug_leak_is_collectable_uncollectable_and_saveall(void **state)
{
    (void)state;
    assert_int_equal(RC_GC_DEBUG_LEAK,
                     RC_GC_DEBUG_COLLECTABLE | RC_GC_DEBUG_UNCOLLECTABLE | RC_GC_DEBUG_SAVEALL);
    assert_int_equal(RC_GC_DEBUG_SAVEALL, 32);
}

static void freeze_in_callback(rc_heap *heap, const rc_gc_info *info, void *user)
{
    (void)info;
    *(rc_status *)user = rc_gc_freeze(heap);
}

static void freeze_during_a_collection_is_refused(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_status st = RC_OK;
    assert_int_equal(rc_gc_callback_add(heap, freeze_in_callback, &st), RC_OK);
    assert_int_equal(rc_collect(heap, 0), 0);
    assert_int_equal(st, RC_ESTATE);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(freeze_moves_every_tracked_object_to_the_permanent_generation),
        cmocka_unit_test(callbacks_see_start_and_stop_with_counts),
        cmocka_unit_test(collect_from_a_gc_callback_returns_0),
        cmocka_unit_test(callbacks_run_in_registration_order),
        cmocka_unit_test(saveall_keeps_garbage_in_the_garbage_list),
        cmocka_unit_test(debug_stats_writes_cpython_style_messages),
        cmocka_unit_test(debug_collectable_names_each_garbage_object),
        cmocka_unit_test(debug_leak_is_collectable_uncollectable_and_saveall),
        cmocka_unit_test(freeze_during_a_collection_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
