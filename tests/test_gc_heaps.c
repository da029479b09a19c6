/*
 * test_gc_heaps.c -- heaps are independent (no global state, STYLE 3): several heaps with
 * different configurations side by side, types and objects that belong to one heap, and
 * rc_heap_free releasing everything, live cycles included, back to the allocator.
 */
#include "rctest.h"

#include <string.h>

static void make_garbage_cycle(rc_heap *heap)
{
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    rt_append(heap, a, b);
    rt_append(heap, b, a);
    rc_decref(heap, a);
    rc_decref(heap, b);
}

static rc_heap *heap_with(rt_alloc *alloc, size_t t0, bool disabled)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.threshold[0] = t0;
    cfg.threshold[1] = 1000; /* only generation 0 is collected automatically */
    cfg.threshold[2] = 1000;
    cfg.gc_disabled = disabled;
    cfg.schedule = RC_GC_SCHEDULE_GENERATIONAL; /* counts allocations, as asserted below */
    cfg.allocator = alloc ? &alloc->iface : NULL;
    return rt_heap_new_cfg(&cfg);
}

static void heaps_with_different_configs_do_not_interfere(void **state)
{
    (void)state;
    rc_heap *eager = heap_with(NULL, 3, false);
    rc_heap *off = heap_with(NULL, 3, true);
    rc_heap *lazy = heap_with(NULL, 0, false);
    size_t base_off = rt_live_objects(off), base_lazy = rt_live_objects(lazy);
    for (int i = 0; i < 100; i++) {
        make_garbage_cycle(eager);
        make_garbage_cycle(off);
        make_garbage_cycle(lazy);
    }
    /* eager collected at every 4th allocation; the others never. */
    assert_int_equal(rt_collections(eager, 0), 50);
    assert_int_equal(rt_collections(off, 0), 0);
    assert_int_equal(rt_collections(lazy, 0), 0);
    assert_int_equal(rt_live_objects(off), base_off + 200);
    assert_int_equal(rt_live_objects(lazy), base_lazy + 200);
    assert_int_equal(rt_gc_count(off).n[0], 200);
    size_t t[3];
    rc_gc_get_threshold(off, t);
    assert_int_equal(t[0], 3);
    rc_gc_get_threshold(lazy, t);
    assert_int_equal(t[0], 0);
    assert_true(rc_gc_is_enabled(eager));
    assert_false(rc_gc_is_enabled(off));

    /* A collection of one heap touches no other heap. */
    assert_int_equal(rc_collect(off, 2), 200);
    assert_int_equal(rt_live_objects(lazy), base_lazy + 200);
    assert_int_equal(rt_collections(lazy, 2), 0);
    assert_int_equal(rc_collect(lazy, 2), 200);
    rt_heap_finish(eager);
    rt_heap_finish(off);
    rt_heap_finish(lazy);
}

static void errors_stay_in_their_heap(void **state)
{
    (void)state;
    rc_heap *a = rt_heap_new_exact(), *b = rt_heap_new_exact();
    assert_int_equal(rc_collect(a, 7), -1);
    assert_int_equal(rc_heap_last_error(a), RC_EINVAL);
    assert_int_equal(rc_heap_last_error(b), RC_OK);
    assert_string_equal(rc_heap_errmsg(b), "");
    rc_heap_clear_error(a);
    assert_int_equal(rc_heap_last_error(a), RC_OK);
    rt_heap_finish(a);
    rt_heap_finish(b);
}

static void interleaved_objects_of_two_heaps_counted_apart(void **state)
{
    (void)state;
    rc_heap *a = rt_heap_new_exact(), *b = rt_heap_new_exact();
    const rc_type *pa = rt_pair_type(a), *pb = rt_pair_type(b);
    size_t base_a = rt_live_objects(a), base_b = rt_live_objects(b);
    rc_object *ra[10], *rb[10];
    for (int i = 0; i < 10; i++) {
        ra[i] = rt_pair_new(a, pa, i);
        rb[i] = rt_pair_new(b, pb, 100 + i);
        rt_pair_set(a, ra[i], 0, ra[i]);
        rt_pair_set(b, rb[i], 0, rb[i]);
    }
    assert_int_equal(rc_type_live_count(pa), 10);
    assert_int_equal(rc_type_live_count(pb), 10);
    assert_int_equal(rt_live_objects(a), base_a + 10);
    assert_int_equal(rt_live_objects(b), base_b + 10);
    for (int i = 0; i < 10; i++) {
        rc_decref(a, ra[i]);
        if (i % 2)
            rc_decref(b, rb[i]);
    }
    assert_int_equal(rc_collect(a, 2), 10);
    assert_int_equal(rc_type_live_count(pb), 10);
    assert_int_equal(rc_collect(b, 2), 5);
    assert_int_equal(rc_type_live_count(pb), 5);
    for (int i = 0; i < 10; i += 2) {
        assert_int_equal(((rt_pair *)rb[i])->id, 100 + i);
        assert_int_equal(rc_refcount(rb[i]), 2);
    }
    rt_heap_finish(a);
    rt_heap_finish(b); /* frees the five live self-cycles */
}

static void type_of_another_heap_is_refused(void **state)
{
    (void)state;
    rc_heap *a = rt_heap_new_exact(), *b = rt_heap_new_exact();
    rt_misuse_log log;
    memset(&log, 0, sizeof log);
    rc_heap_set_misuse_hook(b, rt_misuse_record, &log);
    const rc_type *pa = rt_pair_type(a);
    size_t base_b = rt_live_objects(b);
    assert_null(rc_new(b, pa));
    assert_int_equal(rc_heap_last_error(b), RC_EMISUSE);
    assert_int_equal(log.count, 1);
    assert_int_equal(log.kind, RC_MISUSE_WRONG_HEAP);
    assert_true(strstr(log.message, "pair") != NULL);
    assert_int_equal(rt_live_objects(b), base_b);
    assert_int_equal(rc_type_live_count(pa), 0);
    assert_int_equal(rc_heap_last_error(a), RC_OK);
    rt_heap_finish(a);
    rt_heap_finish(b);
}

/* rc_heap_free returns every byte to the allocator, live cycles and all. */
static void heap_free_with_live_cycles_returns_all_memory(void **state)
{
    (void)state;
    rt_alloc alloc;
    rt_alloc_init(&alloc, -1);
    rc_heap *heap = heap_with(&alloc, 0, true);
    const rc_type *pair = rt_pair_type(heap);
    const rc_type *bag = rt_bag_type(heap);
    rc_object *held = rt_list(heap);
    for (int i = 0; i < 1000; i++) {
        make_garbage_cycle(heap);
        rc_object *p = rt_pair_new(heap, pair, i);
        rc_object *b = rt_bag_new(heap, bag, i);
        rt_pair_set(heap, p, 0, b);
        rt_bag_set(heap, b, 0, p);
        rt_append(heap, held, p);
        rc_decref(heap, p);
        rc_decref(heap, b);
        rc_object *d = rt_dict(heap);
        rc_object *s = rc_str_from_cstr(heap, "a string that owns a buffer");
        assert_int_equal(rc_dict_set(heap, d, s, d), RC_OK);
        assert_int_equal(rc_dict_set(heap, d, rc_int_new(heap, i), held), RC_OK);
        rc_decref(heap, s);
        rc_decref(heap, d);
    }
    rc_object *big = rc_new_var(heap, pair, 100000); /* larger than a page */
    assert_non_null(big);
    rt_pair_set(heap, big, 1, big);
    assert_true(alloc.outstanding_bytes > 0);
    rt_heap_finish(heap);
    assert_int_equal(alloc.outstanding_bytes, 0);
    assert_int_equal(alloc.outstanding_blocks, 0);
    assert_int_equal(alloc.bad_frees, 0);
}

/* An empty heap also gives everything back. */
static void empty_heap_returns_all_memory(void **state)
{
    (void)state;
    rt_alloc alloc;
    rt_alloc_init(&alloc, -1);
    rc_heap *heap = heap_with(&alloc, 10, false);
    assert_true(alloc.requests > 0);
    rt_heap_finish(heap);
    assert_int_equal(alloc.outstanding_bytes, 0);
    assert_int_equal(alloc.outstanding_blocks, 0);
    rc_heap_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(heaps_with_different_configs_do_not_interfere),
        cmocka_unit_test(errors_stay_in_their_heap),
        cmocka_unit_test(interleaved_objects_of_two_heaps_counted_apart),
        cmocka_unit_test(type_of_another_heap_is_refused),
        cmocka_unit_test(heap_free_with_live_cycles_returns_all_memory),
        cmocka_unit_test(empty_heap_returns_all_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
