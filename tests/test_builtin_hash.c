/* Public-API tests of rc_equal and rc_hash: Python's == across int and float, NaN,
 * identity for user types, tuples by items (order matters), deep nesting. Lists and dicts
 * by value: test_builtin_equal.c. */
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

static void check_equal(rc_heap *h, rc_object *a, rc_object *b)
{
    assert_true(rc_equal(h, a, b));
    assert_true(rc_equal(h, b, a));
    assert_true(rc_hash(h, a) == rc_hash(h, b));
}

static void ints_and_floats_compare_by_value(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *f1 = rc_float_new(h, 1.0), *fz = rc_float_new(h, -0.0), *f15 = rc_float_new(h, 1.5);
    rc_object *big = rc_int_new(h, ((int64_t)1 << 53) + 1);
    rc_object *fbig = rc_float_new(h, 9007199254740992.0); /* 2^53 */
    rc_object *imin = rc_int_new(h, INT64_MIN), *fmin = rc_float_new(h, -9223372036854775808.0);
    check_equal(h, rc_int_new(h, 1), f1);
    check_equal(h, rc_int_new(h, 0), fz);
    check_equal(h, rc_int_new(h, (int64_t)1 << 53), fbig);
    check_equal(h, imin, fmin);
    assert_false(rc_equal(h, big, fbig)); /* no rounding through double */
    assert_false(rc_equal(h, rc_int_new(h, 1), f15));
    assert_false(rc_equal(h, rc_int_new(h, 1), rc_int_new(h, 2)));
    rc_object *boxed = rc_int_new(h, INT64_MAX), *boxed2 = rc_int_new(h, INT64_MAX);
    check_equal(h, boxed, boxed2);
    rc_object *objs[] = {f1, fz, f15, big, fbig, imin, fmin, boxed, boxed2};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(h, objs[i]);
    finish(h);
}

static void nan_equals_only_itself(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *a = rc_float_new(h, NAN), *b = rc_float_new(h, NAN);
    assert_true(rc_equal(h, a, a));
    assert_false(rc_equal(h, a, b));
    rc_object *ta = rc_tuple_new(h, 1, &a), *ta2 = rc_tuple_new(h, 1, &a),
              *tb = rc_tuple_new(h, 1, &b);
    check_equal(h, ta, ta2); /* same NaN object inside: equal, as in Python */
    assert_false(rc_equal(h, ta, tb));
    rc_object *objs[] = {a, b, ta, ta2, tb};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(h, objs[i]);
    finish(h);
}

static void other_objects_compare_by_identity(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l1 = rc_list_new(h, 0), *l2 = rc_list_new(h, 0);
    rc_object *d1 = rc_dict_new(h), *d2 = rc_dict_new(h);
    assert_true(rc_equal(h, l1, l1));
    /* Python's ==: two empty lists (dicts) are equal (test_builtin_equal.c has the rest);
     * as dict keys they stay distinct, hashed by identity */
    assert_true(rc_equal(h, l1, l2));
    assert_true(rc_equal(h, d1, d2));
    assert_false(rc_equal(h, l1, d1));
    assert_true(rc_hash(h, l1) == rc_hash(h, l1));
    assert_true(rc_hash(h, l1) != rc_hash(h, l2));
    assert_true(rc_equal(h, NULL, NULL));
    assert_false(rc_equal(h, NULL, rc_int_new(h, 0)));
    rc_object *s = rc_str_from_cstr(h, "1");
    assert_false(rc_equal(h, s, rc_int_new(h, 1)));
    rc_object *objs[] = {l1, l2, d1, d2, s};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(h, objs[i]);
    finish(h);
}

static void tuple_hash_depends_on_order(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *ab[2] = {rc_int_new(h, 1), rc_int_new(h, 2)};
    rc_object *ba[2] = {rc_int_new(h, 2), rc_int_new(h, 1)};
    rc_object *t1 = rc_tuple_new(h, 2, ab), *t2 = rc_tuple_new(h, 2, ba);
    assert_false(rc_equal(h, t1, t2));
    assert_true(rc_hash(h, t1) != rc_hash(h, t2));
    rc_object *e1 = rc_tuple_new(h, 0, NULL), *e2 = rc_tuple_new(h, 0, NULL);
    check_equal(h, e1, e2);
    rc_object *objs[] = {t1, t2, e1, e2};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(h, objs[i]);
    finish(h);
}

/* ((((x,),),),...) nested depth times around leaf. */
static rc_object *nest(rc_heap *h, rc_object *leaf, int depth)
{
    rc_object *t = rc_tuple_new(h, 1, &leaf);
    for (int i = 1; i < depth; i++) {
        rc_object *outer = rc_tuple_new(h, 1, &t);
        rc_decref(h, t);
        t = outer;
    }
    return t;
}

static void deeply_nested_tuples_without_recursion(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    enum { DEPTH = 1000000 };
    rc_object *s1 = rc_str_from_cstr(h, "leaf"), *s2 = rc_str_from_cstr(h, "leaf");
    rc_object *s3 = rc_str_from_cstr(h, "leaf!");
    rc_object *a = nest(h, s1, DEPTH), *b = nest(h, s2, DEPTH), *c = nest(h, s3, DEPTH);
    assert_true(rc_equal(h, a, b)); /* compared before any hash is cached */
    assert_false(rc_equal(h, a, c));
    check_equal(h, a, b);
    assert_true(rc_hash(h, a) != rc_hash(h, c));
    assert_int_equal(rc_heap_last_error(h), RC_OK);
    rc_object *d = rc_dict_new(h);
    assert_int_equal(rc_dict_set(h, d, a, NULL), RC_OK);
    assert_true(rc_dict_contains(h, d, b));
    assert_false(rc_dict_contains(h, d, c));
    rc_object *objs[] = {s1, s2, s3, a, b, c, d};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(h, objs[i]);
    finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ints_and_floats_compare_by_value),
        cmocka_unit_test(nan_equals_only_itself),
        cmocka_unit_test(other_objects_compare_by_identity),
        cmocka_unit_test(tuple_hash_depends_on_order),
        cmocka_unit_test(deeply_nested_tuples_without_recursion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
