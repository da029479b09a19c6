/* Public-API tests of the list type: growth, negative indexes, insert clamping, pop,
 * clear, iteration, the _steal variant, errors, buffer accounting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rcgc.h"

static void finish(rc_heap *h)
{
    assert_int_equal(rc_heap_check(h), RC_OK);
    rc_heap_free(h);
}

static int64_t at(rc_heap *h, rc_object *l, int64_t i)
{
    return rc_int_value(h, rc_list_get_borrow(h, l, i));
}

/* A list [0, 1, ..., n-1] of small ints. */
static rc_object *range_list(rc_heap *h, int64_t n)
{
    rc_object *l = rc_list_new(h, 0);
    for (int64_t i = 0; i < n; i++)
        assert_int_equal(rc_list_append(h, l, rc_int_new(h, i)), RC_OK);
    return l;
}

static void append_grows_and_keeps_order(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = range_list(h, 10000);
    assert_int_equal(rc_list_len(h, l), 10000);
    for (int64_t i = 0; i < 10000; i++)
        assert_int_equal(at(h, l, i), i);
    assert_true(rc_gc_is_tracked(h, l));
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_true(st.buffer_bytes >= 10000 * sizeof(rc_object *));
    assert_true(st.buffer_bytes <= 10000 * sizeof(rc_object *) * 5 / 4);
    rc_decref(h, l);
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_int_equal(st.buffer_bytes, 0);
    assert_int_equal(rc_type_live_bytes(rc_heap_builtin_list(h)), 0);
    finish(h);
}

static void append_takes_a_reference_and_steal_does_not(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = rc_list_new(h, 2);
    rc_object *s = rc_str_from_cstr(h, "s");
    assert_int_equal(rc_list_append(h, l, s), RC_OK);
    assert_int_equal(rc_refcount(s), 2);
    assert_int_equal(rc_list_append_steal(h, l, s), RC_OK);
    assert_int_equal(rc_refcount(s), 2);
    assert_int_equal(rc_list_append_steal(h, l, rc_str_from_cstr(h, "t")), RC_OK);
    assert_int_equal(rc_list_append(h, l, NULL), RC_OK);
    assert_int_equal(rc_list_len(h, l), 4);
    rc_decref(h, l);
    finish(h);
}

static void steal_releases_the_item_on_failure(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *d = rc_dict_new(h);
    rc_object *s = rc_str_from_cstr(h, "s");
    rc_incref(s);
    assert_int_equal(rc_list_append_steal(h, d, s), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(h), "rc_list_append_steal: expected a list, got dict");
    assert_int_equal(rc_refcount(s), 1);
    assert_int_equal(rc_list_append(h, d, s), RC_ETYPE);
    assert_int_equal(rc_refcount(s), 1);
    rc_decref(h, s);
    rc_decref(h, d);
    finish(h);
}

static void negative_indexes_count_from_the_end(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = range_list(h, 5);
    assert_int_equal(at(h, l, -1), 4);
    assert_int_equal(at(h, l, -5), 0);
    rc_object *got = NULL;
    assert_int_equal(rc_list_get(h, l, -2, &got), RC_OK);
    assert_int_equal(rc_int_value(h, got), 3);
    assert_int_equal(rc_list_set(h, l, -1, rc_int_new(h, 40)), RC_OK);
    assert_int_equal(at(h, l, 4), 40);
    assert_int_equal(rc_list_get(h, l, -6, &got), RC_EINDEX);
    assert_string_equal(rc_heap_errmsg(h), "rc_list_get: index -6 out of range (length 5)");
    assert_int_equal(rc_list_set(h, l, 5, NULL), RC_EINDEX);
    assert_string_equal(rc_heap_errmsg(h), "rc_list_set: index 5 out of range (length 5)");
    assert_null(rc_list_get_borrow(h, l, 100));
    assert_int_equal(rc_heap_last_error(h), RC_EINDEX);
    rc_decref(h, l);
    finish(h);
}

static void set_replaces_and_releases_the_old_item(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = rc_list_new(h, 0);
    rc_object *a = rc_str_from_cstr(h, "a"), *b = rc_str_from_cstr(h, "b");
    assert_int_equal(rc_list_append(h, l, a), RC_OK);
    assert_int_equal(rc_list_set(h, l, 0, b), RC_OK);
    assert_int_equal(rc_refcount(a), 1);
    assert_int_equal(rc_refcount(b), 2);
    assert_int_equal(rc_list_set(h, l, 0, b), RC_OK);
    assert_int_equal(rc_refcount(b), 2);
    rc_decref(h, a);
    rc_decref(h, b);
    rc_decref(h, l);
    finish(h);
}

static void insert_clamps_like_python(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = range_list(h, 3);                                       /* [0, 1, 2] */
    assert_int_equal(rc_list_insert(h, l, 100, rc_int_new(h, 9)), RC_OK);  /* [0,1,2,9] */
    assert_int_equal(rc_list_insert(h, l, -100, rc_int_new(h, 8)), RC_OK); /* [8,0,1,2,9] */
    assert_int_equal(rc_list_insert(h, l, -1, rc_int_new(h, 7)), RC_OK);   /* [8,0,1,2,7,9] */
    assert_int_equal(rc_list_insert(h, l, 2, rc_int_new(h, 6)), RC_OK);    /* [8,0,6,1,2,7,9] */
    int64_t want[] = {8, 0, 6, 1, 2, 7, 9};
    assert_int_equal(rc_list_len(h, l), 7);
    for (int64_t i = 0; i < 7; i++)
        assert_int_equal(at(h, l, i), want[i]);
    rc_object *empty = rc_list_new(h, 0);
    assert_int_equal(rc_list_insert(h, empty, -3, rc_int_new(h, 1)), RC_OK);
    assert_int_equal(at(h, empty, 0), 1);
    rc_decref(h, empty);
    rc_decref(h, l);
    finish(h);
}

static void pop_hands_over_the_reference(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = range_list(h, 4);
    rc_object *s = rc_str_from_cstr(h, "s");
    assert_int_equal(rc_list_insert(h, l, 1, s), RC_OK); /* [0, s, 1, 2, 3] */
    rc_decref(h, s);
    rc_object *out = NULL;
    assert_int_equal(rc_list_pop(h, l, 1, &out), RC_OK);
    assert_ptr_equal(out, s);
    assert_int_equal(rc_refcount(s), 1);
    rc_decref(h, out);
    assert_int_equal(rc_list_pop(h, l, -1, &out), RC_OK);
    assert_int_equal(rc_int_value(h, out), 3);
    assert_int_equal(rc_list_len(h, l), 3);
    assert_int_equal(at(h, l, 0), 0);
    assert_int_equal(at(h, l, 2), 2);
    assert_int_equal(rc_list_clear(h, l), RC_OK);
    assert_int_equal(rc_list_pop(h, l, 0, &out), RC_EINDEX);
    assert_string_equal(rc_heap_errmsg(h), "rc_list_pop: index 0 out of range (length 0)");
    rc_decref(h, l);
    finish(h);
}

static void clear_releases_items_and_buffer(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = rc_list_new(h, 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(rc_list_append_steal(h, l, rc_float_new(h, i)), RC_OK);
    assert_int_equal(rc_type_live_count(rc_heap_builtin_float(h)), 100);
    assert_int_equal(rc_list_clear(h, l), RC_OK);
    assert_int_equal(rc_list_len(h, l), 0);
    assert_int_equal(rc_type_live_count(rc_heap_builtin_float(h)), 0);
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_int_equal(st.buffer_bytes, 0);
    assert_int_equal(rc_list_append(h, l, NULL), RC_OK);
    assert_int_equal(rc_list_len(h, l), 1);
    rc_decref(h, l);
    finish(h);
}

static void next_iterates_in_order(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = range_list(h, 50);
    size_t pos = 0;
    rc_object *item;
    int64_t expect = 0;
    while (rc_list_next(h, l, &pos, &item))
        assert_int_equal(rc_int_value(h, item), expect++);
    assert_int_equal(expect, 50);
    assert_int_equal(rc_heap_last_error(h), RC_OK);
    rc_object *t = rc_tuple_new(h, 0, NULL);
    pos = 0;
    assert_false(rc_list_next(h, t, &pos, &item));
    assert_int_equal(rc_heap_last_error(h), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(h), "rc_list_next: expected a list, got tuple");
    rc_decref(h, t);
    rc_decref(h, l);
    finish(h);
}

static void list_calls_reject_non_lists(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *i = rc_int_new(h, 5), *out = NULL;
    assert_int_equal(rc_list_len(h, i), 0);
    assert_string_equal(rc_heap_errmsg(h), "rc_list_len: expected a list, got int");
    assert_int_equal(rc_list_get(h, NULL, 0, &out), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(h), "rc_list_get: expected a list, got None");
    assert_int_equal(rc_list_set(h, i, 0, NULL), RC_ETYPE);
    assert_int_equal(rc_list_insert(h, i, 0, NULL), RC_ETYPE);
    assert_int_equal(rc_list_pop(h, i, 0, &out), RC_ETYPE);
    assert_int_equal(rc_list_clear(h, i), RC_ETYPE);
    finish(h);
}

static void list_made_by_rc_new_is_empty_and_usable(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = rc_new(h, rc_heap_builtin_list(h));
    assert_int_equal(rc_list_len(h, l), 0);
    assert_int_equal(rc_list_append(h, l, rc_int_new(h, 1)), RC_OK);
    assert_int_equal(at(h, l, 0), 1);
    rc_decref(h, l);
    finish(h);
}

static void self_cycle_is_collected_and_buffer_freed(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = rc_list_new(h, 0);
    assert_int_equal(rc_list_append(h, l, l), RC_OK);
    assert_int_equal(rc_refcount(l), 2);
    rc_decref(h, l);
    assert_int_equal(rc_collect(h, 2), 1);
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_int_equal(st.live_objects, 0);
    assert_int_equal(st.buffer_bytes, 0);
    finish(h);
}

static void deep_nesting_is_freed_without_recursion(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *outer = rc_list_new(h, 0);
    for (int i = 0; i < 1000000; i++) {
        rc_object *l = rc_list_new(h, 1);
        assert_int_equal(rc_list_append_steal(h, l, outer), RC_OK);
        outer = l;
    }
    rc_decref(h, outer);
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_int_equal(st.live_objects, 0);
    finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_grows_and_keeps_order),
        cmocka_unit_test(append_takes_a_reference_and_steal_does_not),
        cmocka_unit_test(steal_releases_the_item_on_failure),
        cmocka_unit_test(negative_indexes_count_from_the_end),
        cmocka_unit_test(set_replaces_and_releases_the_old_item),
        cmocka_unit_test(insert_clamps_like_python),
        cmocka_unit_test(pop_hands_over_the_reference),
        cmocka_unit_test(clear_releases_items_and_buffer),
        cmocka_unit_test(next_iterates_in_order),
        cmocka_unit_test(list_calls_reject_non_lists),
        cmocka_unit_test(list_made_by_rc_new_is_empty_and_usable),
        cmocka_unit_test(self_cycle_is_collected_and_buffer_freed),
        cmocka_unit_test(deep_nesting_is_freed_without_recursion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
