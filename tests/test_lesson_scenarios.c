/*
 * test_lesson_scenarios.c -- the lesson on Python's memory management, scene by scene:
 * a large list built inside a function is freed when the function returns; kept in a
 * "global" or returned, it stays; reference counts through a call and through aliases;
 * explicit release; two lists holding each other outlive their names until a full
 * collection; what the generations hold before and after.
 *
 * Python's variables become C variables holding references: a function's local is a
 * reference released on return, a global is a reference the caller keeps.
 */
#include "rctest.h"

#include <string.h>

#define TEN_MILLION 10000000
#define MB ((size_t)1 << 20)

/* def build(): return list(range(n)) -- ints up to 10M are small: the list holds values
 * and its only allocation besides itself is the item buffer. */
static rc_object *build_int_list(rc_heap *heap, int64_t n)
{
    rc_object *l = rc_list_new(heap, 0);
    assert_non_null(l);
    for (int64_t i = 0; i < n; i++)
        assert_int_equal(rc_list_append(heap, l, rc_int_new(heap, i)), RC_OK);
    return l;
}

/* def build(): return [float(i) for i in range(n)] -- one object per item. */
static rc_object *build_float_list(rc_heap *heap, int64_t n)
{
    rc_object *l = rc_list_new(heap, 0);
    assert_non_null(l);
    for (int64_t i = 0; i < n; i++) {
        rc_object *f = rc_float_new(heap, (double)i);
        assert_non_null(f);
        assert_int_equal(rc_list_append_steal(heap, l, f), RC_OK);
    }
    return l;
}

static size_t uss_bytes(rc_heap *heap)
{
    rc_process_memory m;
    memset(&m, 0, sizeof m);
    m.size = sizeof m;
    rc_status st = rc_process_memory_get(heap, &m);
    if (st != RC_OK)
        fail_msg("rc_process_memory_get: %s", rc_heap_errmsg(heap));
    assert_true(m.uss_bytes > 0);
    assert_true(m.rss_bytes >= m.uss_bytes);
    return m.uss_bytes;
}

/* def f(): x = list(range(10_000_000)); f() */
static void local_list_of_ten_million_freed_when_function_returns(rc_heap *heap)
{
    rc_object *x = build_int_list(heap, TEN_MILLION);
    assert_int_equal(rc_list_len(heap, x), TEN_MILLION);
    assert_true(rt_live_bytes(heap) >= TEN_MILLION * sizeof(rc_object *));
    rc_decref(heap, x); /* the local goes out of scope */
}

static void list_of_ten_million_freed_on_return(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_heap_stats st0 = rt_stats(heap);
    size_t uss0 = !rt_uss_checks() ? 0 : uss_bytes(heap);
    local_list_of_ten_million_freed_when_function_returns(heap);
    rc_heap_stats st = rt_stats(heap);
    assert_int_equal(st.live_objects, st0.live_objects);
    assert_int_equal(st.live_bytes, st0.live_bytes);
    assert_int_equal(st.buffer_bytes, st0.buffer_bytes);
    assert_true(st.peak_live_bytes >= st0.live_bytes + TEN_MILLION * sizeof(rc_object *));
    if (rt_uss_checks()) {
        size_t uss = uss_bytes(heap);
        if (uss > uss0 + 5 * MB)
            fail_msg("USS %zu bytes after return, %zu before: not given back", uss, uss0);
    }
    rt_heap_finish(heap);
}

static void local_list_of_million_floats(rc_heap *heap)
{
    rc_object *x = build_float_list(heap, 1000000);
    assert_int_equal(rc_type_live_count(rc_heap_builtin_float(heap)), 1000000);
    rc_decref(heap, x);
}

static void list_of_million_float_objects_freed_on_return(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_heap_stats st0 = rt_stats(heap);
    local_list_of_million_floats(heap);
    rc_heap_stats st = rt_stats(heap);
    assert_int_equal(st.live_objects, st0.live_objects);
    assert_int_equal(st.live_bytes, st0.live_bytes);
    assert_int_equal(st.total_allocated, st0.total_allocated + 1000001);
    assert_int_equal(st.total_freed, st0.total_freed + 1000001);
    assert_int_equal(rc_type_live_count(rc_heap_builtin_float(heap)), 0);
    rt_heap_finish(heap);
}

/* global x; def f(): global x; x = [...] -- the caller's reference keeps it alive. */
static void store_in_global(rc_heap *heap, rc_object **global)
{
    rc_object *x = build_float_list(heap, 1000);
    *global = x; /* the reference moves to the global */
}

static void list_stored_in_global_stays_alive(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *global = NULL;
    store_in_global(heap, &global);
    assert_int_equal(rt_live_objects(heap), base + 1001);
    assert_int_equal(rc_refcount(global), 1);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rt_live_objects(heap), base + 1001);
    assert_true(rc_float_value(heap, rc_list_get_borrow(heap, global, 999)) == 999.0);
    rc_decref(heap, global);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void list_returned_from_function_stays_alive(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *y = build_float_list(heap, 1000);
    assert_int_equal(rc_refcount(y), 1);
    assert_int_equal(rt_live_objects(heap), base + 1001);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rc_list_len(heap, y), 1000);
    rc_decref(heap, y);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* def f(arg): held = arg; ... -- a function given a borrowed reference takes its own
 * while it keeps the object, and releases it when done. */
static void hold_during_call(rc_heap *heap, rc_object *arg, int64_t *inside)
{
    rc_object *held = rc_newref(arg);
    *inside = rc_refcount(arg);
    rc_decref(heap, held);
}

static void refcount_through_a_call(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *x = rt_list(heap);
    assert_int_equal(rc_refcount(x), 1); /* Python's sys.getrefcount would say 2 */
    int64_t inside = 0;
    hold_during_call(heap, x, &inside);
    assert_int_equal(inside, 2);
    assert_int_equal(rc_refcount(x), 1);
    rc_decref(heap, x);
    rt_heap_finish(heap);
}

/* a = x; b = a; ... eight more names: each is a reference, so the count is 1 + 8 = 9
 * (sys.getrefcount would print 10: its own argument is one more). */
static void refcount_through_eight_aliases(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *x = rt_list(heap);
    rc_object *alias[8];
    for (int i = 0; i < 8; i++) {
        alias[i] = rc_newref(i == 0 ? x : alias[i - 1]);
        assert_int_equal(rc_refcount(x), 2 + i);
    }
    assert_int_equal(rc_refcount(x), 9);
    for (int i = 0; i < 8; i++)
        rc_decref(heap, alias[i]);
    assert_int_equal(rc_refcount(x), 1);
    rc_decref(heap, x);
    rt_heap_finish(heap);
}

/* del x -- the last reference goes and the object with it, at once, no collection. */
static void explicit_release_frees_at_once(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_heap_stats st0 = rt_stats(heap);
    rc_object *x = build_float_list(heap, 100);
    assert_int_equal(rt_live_objects(heap), st0.live_objects + 101);
    rc_decref(heap, x);
    rc_heap_stats st = rt_stats(heap);
    assert_int_equal(st.live_objects, st0.live_objects);
    assert_int_equal(st.live_bytes, st0.live_bytes);
    assert_int_equal(rt_collections(heap, 0) + rt_collections(heap, 1) + rt_collections(heap, 2),
                     0);
    rt_heap_finish(heap);
}

/* a = []; b = []; a.append(b); b.append(a); del a, b -- the counts never reach zero; the
 * lists stay until gc.collect() finds both. */
static void two_lists_holding_each_other_survive_until_full_collect(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    rt_append(heap, a, b);
    rt_append(heap, b, a);
    assert_int_equal(rc_refcount(a), 2);
    assert_int_equal(rc_refcount(b), 2);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rt_live_objects(heap), base + 2);
    assert_int_equal(rc_refcount(a), 1);
    assert_int_equal(rc_refcount(b), 1);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* gc.get_count() and the generations around that collection. */
static void generation_counts_before_and_after_collect(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_int_equal(rc_collect(heap, 2), 0);
    rt_gens g0 = rt_gen_sizes(heap);
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    rt_append(heap, a, b);
    rt_append(heap, b, a);
    rc_decref(heap, a);
    rc_decref(heap, b);
    rt_gens c = rt_gc_count(heap);
    assert_int_equal(c.n[0], 2);
    assert_int_equal(c.n[1], 0);
    assert_int_equal(c.n[2], 0);
    rt_gens g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0], g0.n[0] + 2);
    assert_int_equal(g.n[1], g0.n[1]);
    assert_int_equal(g.n[2], g0.n[2]);
    assert_int_equal(rc_collect(heap, 2), 2);
    c = rt_gc_count(heap);
    assert_int_equal(c.n[0], 0);
    assert_int_equal(c.n[1], 0);
    assert_int_equal(c.n[2], 0);
    g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0], 0);
    assert_int_equal(g.n[1], 0);
    assert_int_equal(g.n[2], g0.n[0] + g0.n[1] + g0.n[2]);
    assert_int_equal(rt_collections(heap, 2), 2);
    assert_int_equal(rt_collected(heap, 2), 2);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_of_ten_million_freed_on_return),
        cmocka_unit_test(list_of_million_float_objects_freed_on_return),
        cmocka_unit_test(list_stored_in_global_stays_alive),
        cmocka_unit_test(list_returned_from_function_stays_alive),
        cmocka_unit_test(refcount_through_a_call),
        cmocka_unit_test(refcount_through_eight_aliases),
        cmocka_unit_test(explicit_release_frees_at_once),
        cmocka_unit_test(two_lists_holding_each_other_survive_until_full_collect),
        cmocka_unit_test(generation_counts_before_and_after_collect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
