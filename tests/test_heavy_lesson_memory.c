/*
 * test_heavy_lesson_memory.c -- the lesson's large cases at full size (label "heavy",
 * outside `make check`): ten million float objects built in a function and given back to
 * the kernel on return, and a chain of ten million nested lists freed by counting alone.
 */
#include "rctest.h"

#include <string.h>

#define TEN_MILLION 10000000
#define MB ((size_t)1 << 20)

static size_t uss_bytes(rc_heap *heap)
{
    rc_process_memory m;
    memset(&m, 0, sizeof m);
    m.size = sizeof m;
    rc_status st = rc_process_memory_get(heap, &m);
    if (st != RC_OK)
        fail_msg("rc_process_memory_get: %s", rc_heap_errmsg(heap));
    return m.uss_bytes;
}

/* def f(): x = [float(i) for i in range(10_000_000)] */
static void build_and_drop_floats(rc_heap *heap, size_t *uss_peak)
{
    rc_object *x = rc_list_new(heap, 0);
    assert_non_null(x);
    for (int64_t i = 0; i < TEN_MILLION; i++) {
        rc_object *f = rc_float_new(heap, (double)i);
        assert_non_null(f);
        assert_int_equal(rc_list_append_steal(heap, x, f), RC_OK);
    }
    assert_int_equal(rc_type_live_count(rc_heap_builtin_float(heap)), TEN_MILLION);
    *uss_peak = !rt_uss_checks() ? 0 : uss_bytes(heap);
    rc_decref(heap, x);
}

static void ten_million_floats_given_back_on_return(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_heap_stats st0 = rt_stats(heap);
    size_t uss0 = !rt_uss_checks() ? 0 : uss_bytes(heap);
    size_t peak = 0;
    build_and_drop_floats(heap, &peak);
    rc_heap_stats st = rt_stats(heap);
    assert_int_equal(st.live_objects, st0.live_objects);
    assert_int_equal(st.live_bytes, st0.live_bytes);
    /* Kept: each pool's current page (float, list) and one spare (page.c, SPARES). */
    assert_true(st.page_bytes <= st0.page_bytes + 3 * RC_PAGE_BYTES);
    if (rt_uss_checks()) {
        assert_true(peak > uss0 + 100 * MB); /* it really was resident */
        size_t uss = uss_bytes(heap);
        if (uss > uss0 + 5 * MB)
            fail_msg("USS %zu bytes after return, %zu before, %zu at the peak", uss, uss0, peak);
    }
    rt_heap_finish(heap);
}

static void dropped_chain_of_ten_million_nested_lists_freed(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *head = rt_list(heap);
    for (int i = 1; i < TEN_MILLION; i++) {
        rc_object *outer = rt_list(heap);
        assert_int_equal(rc_list_append_steal(heap, outer, head), RC_OK);
        head = outer;
    }
    assert_int_equal(rt_live_objects(heap), base + TEN_MILLION);
    rc_decref(heap, head);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* The same chain closed into a ring: only the collector can free it, in one pass. */
static void ring_of_ten_million_lists_freed_by_one_collection(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *tail = rt_list(heap);
    rc_object *head = tail;
    rc_incref(tail);
    for (int i = 1; i < TEN_MILLION; i++) {
        rc_object *outer = rt_list(heap);
        assert_int_equal(rc_list_append_steal(heap, outer, head), RC_OK);
        head = outer;
    }
    assert_int_equal(rc_list_append_steal(heap, tail, head), RC_OK);
    rc_decref(heap, tail);
    assert_int_equal(rt_live_objects(heap), base + TEN_MILLION);
    assert_int_equal(rc_collect(heap, 2), TEN_MILLION);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ten_million_floats_given_back_on_return),
        cmocka_unit_test(dropped_chain_of_ten_million_nested_lists_freed),
        cmocka_unit_test(ring_of_ten_million_lists_freed_by_one_collection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
