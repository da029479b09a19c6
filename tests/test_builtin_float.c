/* Public-API tests of the float type. */
#include <math.h>
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

static void float_keeps_its_value(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    double values[] = {0.0, -0.0, 1.5, -1e300, INFINITY, 5e-324};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        rc_object *f = rc_float_new(h, values[i]);
        assert_non_null(f);
        assert_int_equal(rc_refcount(f), 1);
        assert_ptr_equal(rc_type_of(h, f), rc_heap_builtin_float(h));
        assert_false(rc_gc_is_tracked(h, f));
        double got = rc_float_value(h, f);
        assert_memory_equal(&got, &values[i], sizeof got);
        rc_decref(h, f);
    }
    rc_object *nan = rc_float_new(h, NAN);
    assert_true(isnan(rc_float_value(h, nan)));
    rc_decref(h, nan);
    finish(h);
}

static void float_value_of_non_float_is_type_error(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *i = rc_int_new(h, 3);
    assert_true(rc_float_value(h, i) == 0.0);
    assert_int_equal(rc_heap_last_error(h), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(h), "rc_float_value: expected a float, got int");
    finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(float_keeps_its_value),
        cmocka_unit_test(float_value_of_non_float_is_type_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
