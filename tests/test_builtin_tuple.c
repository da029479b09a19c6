/* Public-API tests of the tuple type. */
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

static void tuple_holds_references_to_items(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *s = rc_str_from_cstr(h, "x");
    rc_object *items[3] = {rc_int_new(h, 7), s, NULL};
    rc_object *t = rc_tuple_new(h, 3, items);
    assert_non_null(t);
    assert_int_equal(rc_refcount(s), 2);
    assert_int_equal(rc_tuple_len(h, t), 3);
    assert_int_equal(rc_int_value(h, rc_tuple_get_borrow(h, t, 0)), 7);
    assert_ptr_equal(rc_tuple_get_borrow(h, t, 1), s);
    assert_null(rc_tuple_get_borrow(h, t, 2));
    assert_int_equal(rc_heap_last_error(h), RC_OK);
    assert_true(rc_gc_is_tracked(h, t));
    assert_ptr_equal(rc_type_of(h, t), rc_heap_builtin_tuple(h));
    rc_decref(h, t);
    assert_int_equal(rc_refcount(s), 1);
    rc_decref(h, s);
    finish(h);
}

static void tuple_without_items_is_all_none(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *t = rc_tuple_new(h, 4, NULL);
    assert_int_equal(rc_tuple_len(h, t), 4);
    for (size_t i = 0; i < 4; i++)
        assert_null(rc_tuple_get_borrow(h, t, i));
    rc_object *e = rc_tuple_new(h, 0, NULL);
    assert_int_equal(rc_tuple_len(h, e), 0);
    rc_decref(h, t);
    rc_decref(h, e);
    finish(h);
}

static void tuple_index_and_type_errors(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *t = rc_tuple_new(h, 2, NULL);
    assert_null(rc_tuple_get_borrow(h, t, 2));
    assert_int_equal(rc_heap_last_error(h), RC_EINDEX);
    assert_string_equal(rc_heap_errmsg(h), "rc_tuple_get_borrow: index 2 out of range (length 2)");
    rc_object *l = rc_list_new(h, 0);
    assert_int_equal(rc_tuple_len(h, l), 0);
    assert_int_equal(rc_heap_last_error(h), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(h), "rc_tuple_len: expected a tuple, got list");
    rc_decref(h, l);
    rc_decref(h, t);
    finish(h);
}

static void tuple_cycle_through_list_is_collected(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = rc_list_new(h, 0);
    rc_object *t = rc_tuple_new(h, 1, &l);
    assert_int_equal(rc_list_append(h, l, t), RC_OK);
    rc_decref(h, t);
    rc_decref(h, l);
    assert_int_equal(rc_collect(h, 2), 2);
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_int_equal(st.live_objects, 0);
    assert_int_equal(st.buffer_bytes, 0);
    finish(h);
}

static void tuple_equality_and_hash_are_by_items(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *s1 = rc_str_from_cstr(h, "a"), *s2 = rc_str_from_cstr(h, "a");
    rc_object *f = rc_float_new(h, 2.0);
    rc_object *ia[2] = {s1, rc_int_new(h, 2)}, *ib[2] = {s2, f}, *ic[2] = {f, s2};
    rc_object *a = rc_tuple_new(h, 2, ia), *b = rc_tuple_new(h, 2, ib), *c = rc_tuple_new(h, 2, ic);
    assert_true(rc_equal(h, a, b));
    assert_int_equal(rc_hash(h, a), rc_hash(h, b));
    assert_false(rc_equal(h, a, c));
    assert_int_not_equal(rc_hash(h, a), rc_hash(h, c));
    rc_object *shorter = rc_tuple_new(h, 1, ia);
    assert_false(rc_equal(h, a, shorter));
    rc_object *objs[] = {s1, s2, f, a, b, c, shorter};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(h, objs[i]);
    finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tuple_holds_references_to_items),
        cmocka_unit_test(tuple_without_items_is_all_none),
        cmocka_unit_test(tuple_index_and_type_errors),
        cmocka_unit_test(tuple_cycle_through_list_is_collected),
        cmocka_unit_test(tuple_equality_and_hash_are_by_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
