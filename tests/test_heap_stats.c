/*
 * test_heap_stats.c -- memory accounting: rc_heap_get_stats (live objects and bytes,
 * tracked objects, buffers, peak, totals), per-type rc_type_live_count/_bytes, and that
 * these agree with what rc_heap_visit finds.
 */
#include "rctest.h"

#include <string.h>

typedef struct type_sums {
    size_t count, bytes;
} type_sums;

static type_sums sum_over_types(const rc_heap *heap)
{
    type_sums s = {0, 0};
    size_t n = rc_heap_type_count(heap);
    for (size_t i = 0; i < n; i++) {
        const rc_type *t = rc_heap_type_at(heap, i);
        assert_non_null(t);
        s.count += rc_type_live_count(t);
        s.bytes += rc_type_live_bytes(t);
    }
    return s;
}

/* The per-type figures, the heap's counters and a walk of the heap agree. */
static void check_consistent(rc_heap *heap)
{
    rc_heap_stats st = rt_stats(heap);
    type_sums s = sum_over_types(heap);
    assert_int_equal(s.count, st.live_objects);
    assert_int_equal(s.bytes, st.live_bytes);
    assert_int_equal(rt_visit_count(heap), st.live_objects);
    assert_true(st.peak_live_bytes >= st.live_bytes);
    assert_int_equal(st.total_allocated - st.total_freed, st.live_objects);
    rt_gens g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0] + g.n[1] + g.n[2], st.tracked_objects);
}

static void builtin_types_registered_first(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_true(rc_heap_type_count(heap) >= 6);
    const rc_type *expect[6] = {rc_heap_builtin_int(heap),  rc_heap_builtin_float(heap),
                                rc_heap_builtin_str(heap),  rc_heap_builtin_tuple(heap),
                                rc_heap_builtin_list(heap), rc_heap_builtin_dict(heap)};
    const char *names[6] = {"int", "float", "str", "tuple", "list", "dict"};
    for (size_t i = 0; i < 6; i++) {
        assert_ptr_equal(rc_heap_type_at(heap, i), expect[i]);
        assert_string_equal(rc_type_name(expect[i]), names[i]);
    }
    const rc_type *pair = rt_pair_type(heap);
    assert_ptr_equal(rc_heap_type_at(heap, rc_heap_type_count(heap) - 1), pair);
    assert_string_equal(rc_type_name(pair), "pair");
    rt_heap_finish(heap);
}

static void stats_reject_bad_size(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_heap_stats st;
    memset(&st, 0, sizeof st);
    assert_int_not_equal(rc_heap_get_stats(heap, &st), RC_OK);
    rt_heap_finish(heap);
}

static void live_objects_and_bytes_exact_after_known_allocations(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_heap_stats st0 = rt_stats(heap);
    rc_object *p[100];
    p[0] = rt_pair_new(heap, pair, 0);
    size_t one = rc_type_live_bytes(pair);
    assert_true(one >= sizeof(rt_pair));
    assert_true(one <= sizeof(rt_pair) + sizeof(rt_pair) / 4 + 16);
    for (int i = 1; i < 100; i++)
        p[i] = rt_pair_new(heap, pair, i);
    rc_heap_stats st = rt_stats(heap);
    assert_int_equal(st.live_objects, st0.live_objects + 100);
    assert_int_equal(st.live_bytes, st0.live_bytes + 100 * one);
    assert_int_equal(st.tracked_objects, st0.tracked_objects + 100);
    assert_int_equal(st.total_allocated, st0.total_allocated + 100);
    assert_int_equal(rc_type_live_count(pair), 100);
    assert_int_equal(rc_type_live_bytes(pair), 100 * one);
    assert_int_equal(rt_visit_count_type(heap, pair), 100);
    check_consistent(heap);
    for (int i = 0; i < 100; i++)
        rc_decref(heap, p[i]);
    st = rt_stats(heap);
    assert_int_equal(st.live_objects, st0.live_objects);
    assert_int_equal(st.live_bytes, st0.live_bytes);
    assert_int_equal(st.tracked_objects, st0.tracked_objects);
    assert_int_equal(st.total_freed, st0.total_freed + 100);
    assert_int_equal(rc_type_live_count(pair), 0);
    assert_int_equal(rc_type_live_bytes(pair), 0);
    check_consistent(heap);
    rt_heap_finish(heap);
}

static void atomic_objects_counted_live_but_not_tracked(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_heap_stats st0 = rt_stats(heap);
    const rc_type *tf = rc_heap_builtin_float(heap), *ts = rc_heap_builtin_str(heap);
    const rc_type *ti = rc_heap_builtin_int(heap);
    rc_object *f = rc_float_new(heap, 0.5);
    rc_object *s = rc_str_from_cstr(heap, "hello");
    rc_object *big = rc_int_new(heap, RC_SMALL_INT_MAX + (int64_t)1);
    rc_object *small = rc_int_new(heap, RC_SMALL_INT_MAX);
    assert_false(rc_is_heap_object(small));
    assert_true(rc_is_heap_object(big));
    assert_int_equal(rc_int_value(heap, big), RC_SMALL_INT_MAX + (int64_t)1);
    assert_int_equal(rc_int_value(heap, small), RC_SMALL_INT_MAX);
    assert_ptr_equal(rc_type_of(heap, small), ti);
    assert_ptr_equal(rc_type_of(heap, big), ti);
    assert_null(rc_type_of(heap, NULL));
    rc_heap_stats st = rt_stats(heap);
    assert_int_equal(st.live_objects, st0.live_objects + 3);
    assert_int_equal(st.tracked_objects, st0.tracked_objects);
    assert_int_equal(rc_type_live_count(tf), 1);
    assert_int_equal(rc_type_live_count(ts), 1);
    assert_int_equal(rc_type_live_count(ti), 1);
    assert_int_equal(st.live_bytes, st0.live_bytes + rc_type_live_bytes(tf) +
                                        rc_type_live_bytes(ts) + rc_type_live_bytes(ti));
    check_consistent(heap);
    rc_decref(heap, f);
    rc_decref(heap, s);
    rc_decref(heap, big);
    rc_decref(heap, small);
    assert_int_equal(rt_live_objects(heap), st0.live_objects);
    assert_int_equal(rt_live_bytes(heap), st0.live_bytes);
    rt_heap_finish(heap);
}

/* A list's item buffer is charged to the list type and to buffer_bytes, and given back. */
static void list_buffer_charged_to_list_type(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *tl = rc_heap_builtin_list(heap);
    rc_heap_stats st0 = rt_stats(heap);
    rc_object *l = rt_list(heap);
    size_t empty_bytes = rc_type_live_bytes(tl);
    for (int i = 0; i < 10000; i++)
        rt_append(heap, l, rc_int_new(heap, i));
    rc_heap_stats st = rt_stats(heap);
    assert_true(rc_type_live_bytes(tl) >= empty_bytes + 10000 * sizeof(rc_object *));
    assert_true(st.buffer_bytes >= st0.buffer_bytes + 10000 * sizeof(rc_object *));
    assert_int_equal(st.live_bytes - st0.live_bytes, rc_type_live_bytes(tl));
    check_consistent(heap);
    rc_decref(heap, l);
    st = rt_stats(heap);
    assert_int_equal(st.live_bytes, st0.live_bytes);
    assert_int_equal(st.buffer_bytes, st0.buffer_bytes);
    assert_int_equal(rc_type_live_bytes(tl), 0);
    rt_heap_finish(heap);
}

static void peak_live_bytes_remembers_the_maximum(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_heap_stats st0 = rt_stats(heap);
    assert_int_equal(st0.peak_live_bytes, st0.live_bytes);
    rc_object *p[50];
    for (int i = 0; i < 50; i++)
        p[i] = rt_pair_new(heap, pair, i);
    size_t high = rt_live_bytes(heap);
    assert_int_equal(rt_stats(heap).peak_live_bytes, high);
    for (int i = 0; i < 50; i++)
        rc_decref(heap, p[i]);
    rc_heap_stats st = rt_stats(heap);
    assert_int_equal(st.live_bytes, st0.live_bytes);
    assert_int_equal(st.peak_live_bytes, high);
    for (int i = 0; i < 10; i++)
        p[i] = rt_pair_new(heap, pair, i);
    assert_int_equal(rt_stats(heap).peak_live_bytes, high);
    for (int i = 0; i < 10; i++)
        rc_decref(heap, p[i]);
    rt_heap_finish(heap);
}

static void large_object_counted_in_large_bytes(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_heap_stats st0 = rt_stats(heap);
    rc_object *big = rc_new_var(heap, pair, 200000);
    assert_non_null(big);
    rc_heap_stats st = rt_stats(heap);
    assert_true(st.large_bytes >= st0.large_bytes + 200000);
    assert_true(rc_type_live_bytes(pair) >= 200000);
    assert_int_equal(st.live_objects, st0.live_objects + 1);
    check_consistent(heap);
    rc_decref(heap, big);
    st = rt_stats(heap);
    assert_int_equal(st.large_bytes, st0.large_bytes);
    assert_int_equal(st.live_bytes, st0.live_bytes);
    rt_heap_finish(heap);
}

/* rc_new of a type whose instances are larger than any size class (no pool of its own):
 * a large object, zeroed, counted in large_bytes and given back when freed. */
static void rc_new_of_a_large_type(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "big";
    spec.instance_bytes = 20000;
    rc_type *big_type = rc_type_new(heap, &spec);
    assert_non_null(big_type);
    rc_heap_stats st0 = rt_stats(heap);
    rc_object *big = rc_new(heap, big_type);
    assert_non_null(big);
    const unsigned char *bytes = (const unsigned char *)big;
    for (size_t i = sizeof(rc_object); i < 20000; i++)
        assert_int_equal(bytes[i], 0);
    assert_true(rt_stats(heap).large_bytes >= st0.large_bytes + 20000);
    assert_int_equal(rc_type_live_count(big_type), 1);
    rc_decref(heap, big);
    assert_int_equal(rt_stats(heap).large_bytes, st0.large_bytes);
    assert_int_equal(rc_type_live_count(big_type), 0);
    rt_heap_finish(heap);
}

/* Freed pages go back: after 200,000 pairs come and go, page_bytes returns to where it
 * was, give or take the pages the heap keeps on purpose: each pool's current page (pair,
 * list) and the one spare page left when no object is alive (src/page.c, SPARES). */
static void pages_returned_after_mass_free(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_heap_stats st0 = rt_stats(heap);
    rc_object *keep = rt_list(heap);
    for (int i = 0; i < 200000; i++) {
        rc_object *p = rt_pair_new(heap, pair, i);
        assert_int_equal(rc_list_append_steal(heap, keep, p), RC_OK);
    }
    assert_true(rt_stats(heap).page_bytes >= st0.page_bytes + 200000 * sizeof(rt_pair));
    rc_decref(heap, keep);
    rc_heap_stats st = rt_stats(heap);
    assert_int_equal(st.live_objects, st0.live_objects);
    assert_true(st.page_bytes <= st0.page_bytes + 3 * RC_PAGE_BYTES);
    rt_heap_finish(heap);
}

static rc_object *pairs_list(rc_heap *heap, const rc_type *pair, int n)
{
    rc_object *list = rt_list(heap);
    for (int i = 0; i < n; i++)
        assert_int_equal(rc_list_append_steal(heap, list, rt_pair_new(heap, pair, i)), RC_OK);
    return list;
}

/* SPARES (src/page.c): while 100,000 pairs stay alive, the pages of 50,000 pairs freed
 * beside them are all kept (page_bytes does not move), and building 50,000 pairs again
 * takes exactly those pages (it does not move either); once everything is freed, the
 * spares go back, bar one. */
static void spare_pages_reused_while_alive_and_returned_after(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_heap_stats st0 = rt_stats(heap);
    rc_object *keep = pairs_list(heap, pair, 100000);
    rc_object *tmp = pairs_list(heap, pair, 50000);
    size_t built = rt_stats(heap).page_bytes;
    assert_true(built >= st0.page_bytes + 150000 * sizeof(rt_pair));
    for (int round = 0; round < 3; round++) {
        rc_decref(heap, tmp);
        assert_int_equal(rt_stats(heap).page_bytes, built);
        tmp = pairs_list(heap, pair, 50000);
        assert_int_equal(rt_stats(heap).page_bytes, built);
    }
    rc_decref(heap, tmp);
    rc_decref(heap, keep);
    rc_heap_stats st = rt_stats(heap);
    assert_int_equal(st.live_objects, st0.live_objects);
    assert_true(st.page_bytes <= st0.page_bytes + 3 * RC_PAGE_BYTES);
    rt_heap_finish(heap);
}

/* SPARES: the bound follows the live objects' bytes, not the page count at the last
 * release: spares kept while a big structure lived are trimmed once it dies even if no
 * page is returned then (its objects shared pages with survivors), at the next
 * collection. */
static void spare_pages_trimmed_when_live_bytes_fall_without_a_page_event(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_heap_stats st0 = rt_stats(heap);
    /* Interleaved: survivors at even positions, the big structure's pairs at odd ones. */
    rc_object *survivors = rt_list(heap);
    rc_object *big = rt_list(heap);
    for (int i = 0; i < 200000; i++) {
        rc_object *p = rt_pair_new(heap, pair, i);
        assert_int_equal(rc_list_append_steal(heap, (i % 2) ? big : survivors, p), RC_OK);
    }
    /* 150,000 pairs: fewer pages than the 200,000 alive, more than the 100,000 survivors. */
    rc_object *tmp = pairs_list(heap, pair, 150000);
    size_t built = rt_stats(heap).page_bytes;
    rc_decref(heap, tmp); /* its pages become spares: big and survivors are alive */
    assert_int_equal(rt_stats(heap).page_bytes, built);
    rc_decref(heap, big); /* frees half of each page: no page is returned */
    assert_int_equal(rt_stats(heap).page_bytes, built);
    rc_collect(heap, 2);
    /* Left: the survivors' pages (each half full), what they and the rest of the heap
     * hold in pages of spares, and the pools' current pages. */
    rc_heap_stats st = rt_stats(heap);
    size_t pages_of_200k = (200000 * sizeof(rt_pair)) / RC_PAGE_BYTES + 1;
    size_t live_pages = (st.live_bytes - st.buffer_bytes) / RC_PAGE_BYTES;
    assert_true(st.page_bytes <= st0.page_bytes + (pages_of_200k + live_pages + 3) * RC_PAGE_BYTES);
    assert_true(st.page_bytes < built);
    rc_decref(heap, survivors);
    st = rt_stats(heap);
    assert_int_equal(st.live_objects, st0.live_objects);
    assert_true(st.page_bytes <= st0.page_bytes + 3 * RC_PAGE_BYTES);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_types_registered_first),
        cmocka_unit_test(stats_reject_bad_size),
        cmocka_unit_test(live_objects_and_bytes_exact_after_known_allocations),
        cmocka_unit_test(atomic_objects_counted_live_but_not_tracked),
        cmocka_unit_test(list_buffer_charged_to_list_type),
        cmocka_unit_test(peak_live_bytes_remembers_the_maximum),
        cmocka_unit_test(large_object_counted_in_large_bytes),
        cmocka_unit_test(rc_new_of_a_large_type),
        cmocka_unit_test(pages_returned_after_mass_free),
        cmocka_unit_test(spare_pages_reused_while_alive_and_returned_after),
        cmocka_unit_test(spare_pages_trimmed_when_live_bytes_fall_without_a_page_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
