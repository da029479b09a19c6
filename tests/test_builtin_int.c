/* Public-API tests of the int type: tagged small ints, boxed large ones, type errors. */
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

static void small_ints_are_not_allocated(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_heap_stats before = {.size = sizeof before}, after = {.size = sizeof after};
    assert_int_equal(rc_heap_get_stats(h, &before), RC_OK);
    int64_t values[] = {0, 1, -1, 42, RC_SMALL_INT_MIN, RC_SMALL_INT_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        rc_object *o = rc_int_new(h, values[i]);
        assert_false(rc_is_heap_object(o));
        assert_true(rc_is_int(h, o));
        assert_int_equal(rc_int_value(h, o), values[i]);
        assert_int_equal(rc_refcount(o), -1);
        assert_ptr_equal(rc_type_of(h, o), rc_heap_builtin_int(h));
        rc_decref(h, o);
    }
    assert_int_equal(rc_heap_get_stats(h, &after), RC_OK);
    assert_int_equal(after.total_allocated, before.total_allocated);
    finish(h);
}

static void large_ints_are_boxed_objects(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    int64_t values[] = {INT64_MIN, INT64_MAX, RC_SMALL_INT_MIN - 1, RC_SMALL_INT_MAX + 1};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        rc_object *o = rc_int_new(h, values[i]);
        assert_non_null(o);
        assert_true(rc_is_heap_object(o));
        assert_int_equal(rc_refcount(o), 1);
        assert_true(rc_is_int(h, o));
        assert_int_equal(rc_int_value(h, o), values[i]);
        assert_ptr_equal(rc_type_of(h, o), rc_heap_builtin_int(h));
        assert_false(rc_gc_is_tracked(h, o));
        assert_int_equal(rc_type_live_count(rc_heap_builtin_int(h)), 1);
        rc_decref(h, o);
        assert_int_equal(rc_type_live_count(rc_heap_builtin_int(h)), 0);
    }
    finish(h);
}

static void int_value_of_non_int_is_type_error(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *f = rc_float_new(h, 1.0);
    assert_int_equal(rc_int_value(h, f), 0);
    assert_int_equal(rc_heap_last_error(h), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(h), "rc_int_value: expected an int, got float");
    assert_int_equal(rc_int_value(h, NULL), 0);
    assert_string_equal(rc_heap_errmsg(h), "rc_int_value: expected an int, got None");
    assert_false(rc_is_int(h, f));
    assert_false(rc_is_int(h, NULL));
    rc_decref(h, f);
    finish(h);
}

static void boxed_int_made_by_rc_new_is_zero(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *o = rc_new(h, rc_heap_builtin_int(h));
    assert_non_null(o);
    assert_int_equal(rc_int_value(h, o), 0);
    rc_object *zero = rc_int_new(h, 0);
    assert_true(rc_equal(h, o, zero));
    assert_int_equal(rc_hash(h, o), rc_hash(h, zero));
    rc_decref(h, o);
    finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(small_ints_are_not_allocated),
        cmocka_unit_test(large_ints_are_boxed_objects),
        cmocka_unit_test(int_value_of_non_int_is_type_error),
        cmocka_unit_test(boxed_int_made_by_rc_new_is_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
