/*
 * test_builtin_equal.c -- rc_equal on lists and dicts is Python's ==, after CPython's
 * Lib/test/test_richcmp.py (ListTest, DictTest.test_dicts, MiscTest.test_recursion) and
 * list_tests.py: items compared in order with the identity shortcut, dicts by key lookup
 * whatever their order, never a list equal to a tuple; containers that contain themselves
 * answer by identity where CPython's identity shortcut does, and fail with RC_ELIMIT where
 * CPython raises RecursionError. Nesting is walked without C recursion.
 */
#include "rctest.h"

#include <math.h>
#include <string.h>

static rc_object *list_of(rc_heap *h, size_t n, rc_object *const *items)
{
    rc_object *l = rt_list(h);
    for (size_t i = 0; i < n; i++)
        rt_append(h, l, items[i]);
    return l;
}

static void both_ways(rc_heap *h, rc_object *a, rc_object *b, bool want)
{
    rc_heap_clear_error(h);
    assert_true(rc_equal(h, a, b) == want);
    assert_true(rc_equal(h, b, a) == want);
    assert_int_equal(rc_heap_last_error(h), RC_OK);
}

static void test_list_equality_is_item_by_item(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *two = rc_int_new(h, 2), *one = rc_int_new(h, 1);
    rc_object *f1 = rc_float_new(h, 1.0), *s = rc_str_from_cstr(h, "x");
    rc_object *s2 = rc_str_from_cstr(h, "x");
    rc_object *a = list_of(h, 1, &two), *b = list_of(h, 1, &two);
    both_ways(h, a, b, true); /* [2] == [2] */
    rc_object *i12[2] = {one, two}, *i21[2] = {two, one};
    rc_object *l12 = list_of(h, 2, i12), *l21 = list_of(h, 2, i21);
    both_ways(h, l12, l21, false); /* order matters */
    both_ways(h, a, l12, false);   /* length matters */
    rc_object *lf = list_of(h, 1, &f1), *li = list_of(h, 1, &one);
    both_ways(h, lf, li, true); /* [1.0] == [1] */
    rc_object *ls = list_of(h, 1, &s), *ls2 = list_of(h, 1, &s2);
    both_ways(h, ls, ls2, true);
    rc_object *t = rc_tuple_new(h, 1, &two);
    both_ways(h, a, t, false); /* [2] != (2,) */
    /* nesting: [[2], (2,)] == [[2], (2,)] */
    rc_object *n1[2] = {a, t}, *n2[2] = {b, t};
    rc_object *m1 = list_of(h, 2, n1), *m2 = list_of(h, 2, n2);
    both_ways(h, m1, m2, true);
    /* a tuple holding lists compares them by value too */
    rc_object *ta = rc_tuple_new(h, 1, &a), *tb = rc_tuple_new(h, 1, &b);
    both_ways(h, ta, tb, true);
    /* NaN: the same object is equal to itself inside a container (identity first) */
    rc_object *nan = rc_float_new(h, NAN), *nan2 = rc_float_new(h, NAN);
    rc_object *ln = list_of(h, 1, &nan), *ln1 = list_of(h, 1, &nan), *ln2 = list_of(h, 1, &nan2);
    both_ways(h, ln, ln1, true);
    both_ways(h, ln, ln2, false);
    rc_object *e1 = rt_list(h), *e2 = rt_list(h);
    both_ways(h, e1, e2, true);
    rc_object *objs[] = {f1, s,  s2, a,  b,   l12,  l21, lf,  li,  ls, ls2, t,
                         m1, m2, ta, tb, nan, nan2, ln,  ln1, ln2, e1, e2};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(h, objs[i]);
    rt_heap_finish(h);
}

static void test_dicts(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *k1 = rc_int_new(h, 1), *k2 = rc_int_new(h, 2);
    rc_object *fa = rc_float_new(h, 1.0);
    rc_object *va = rc_str_from_cstr(h, "a"), *vb = rc_str_from_cstr(h, "b");
    rc_object *vb2 = rc_str_from_cstr(h, "b");
    rc_object *d1 = rt_dict(h), *d2 = rt_dict(h), *d3 = rt_dict(h), *d4 = rt_dict(h);
    assert_int_equal(rc_dict_set(h, d1, k1, va), RC_OK);
    assert_int_equal(rc_dict_set(h, d1, k2, vb), RC_OK);
    assert_int_equal(rc_dict_set(h, d2, k2, vb2), RC_OK); /* other order, equal values */
    assert_int_equal(rc_dict_set(h, d2, fa, va), RC_OK);  /* key 1.0 is key 1 */
    both_ways(h, d1, d2, true);
    assert_int_equal(rc_dict_set(h, d3, k1, va), RC_OK);
    both_ways(h, d1, d3, false); /* lengths differ */
    assert_int_equal(rc_dict_set(h, d3, rc_int_new(h, 3), vb), RC_OK);
    both_ways(h, d1, d3, false); /* a key differs */
    assert_int_equal(rc_dict_set(h, d4, k1, va), RC_OK);
    assert_int_equal(rc_dict_set(h, d4, k2, va), RC_OK);
    both_ways(h, d1, d4, false); /* a value differs */
    /* after a deletion (a hole in the entries) and re-insertion */
    assert_int_equal(rc_dict_del(h, d4, k1), RC_OK);
    assert_int_equal(rc_dict_set(h, d4, k2, vb), RC_OK);
    assert_int_equal(rc_dict_set(h, d4, k1, va), RC_OK);
    both_ways(h, d1, d4, true);
    /* values that are containers compare by value */
    rc_object *la = list_of(h, 1, &va), *lb = list_of(h, 1, &va);
    rc_object *d5 = rt_dict(h), *d6 = rt_dict(h);
    assert_int_equal(rc_dict_set(h, d5, k1, la), RC_OK);
    assert_int_equal(rc_dict_set(h, d6, k1, lb), RC_OK);
    both_ways(h, d5, d6, true);
    /* keys are looked up as the dict looks them up: lists by identity (Python's are
     * unhashable and cannot be keys at all) */
    rc_object *d7 = rt_dict(h), *d8 = rt_dict(h);
    assert_int_equal(rc_dict_set(h, d7, la, k1), RC_OK);
    assert_int_equal(rc_dict_set(h, d8, lb, k1), RC_OK);
    both_ways(h, d7, d8, false);
    both_ways(h, d1, la, false);
    rc_object *objs[] = {fa, va, vb, vb2, d1, d2, d3, d4, la, lb, d5, d6, d7, d8};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(h, objs[i]);
    rt_heap_finish(h);
}

/* test_richcmp.MiscTest.test_recursion: a = [b], b = [a]; CPython raises RecursionError
 * for a == b. rcgc returns false with RC_ELIMIT and says why; the identity shortcut still
 * answers for a container compared with itself. */
static void test_recursion(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *a = rt_list(h), *b = rt_list(h);
    rt_append(h, a, b);
    rt_append(h, b, a);
    rc_heap_clear_error(h);
    assert_false(rc_equal(h, a, b));
    assert_int_equal(rc_heap_last_error(h), RC_ELIMIT);
    assert_non_null(strstr(rc_heap_errmsg(h), "rc_equal: comparing list"));
    assert_non_null(strstr(rc_heap_errmsg(h), "never ends"));
    rc_heap_clear_error(h);
    assert_true(rc_equal(h, a, a)); /* identity */
    /* self = [self]: [self] == [self] by identity of the items */
    rc_object *self = rt_list(h);
    rt_append(h, self, self);
    rc_object *x = list_of(h, 1, &self), *y = list_of(h, 1, &self);
    both_ways(h, x, y, true);
    /* two distinct self-containing lists: never-ending, even with an unequal item after */
    rc_object *p = rt_list(h), *q = rt_list(h);
    rt_append(h, p, p);
    rt_append(h, p, rc_int_new(h, 1));
    rt_append(h, q, q);
    rt_append(h, q, rc_int_new(h, 2));
    rc_heap_clear_error(h);
    assert_false(rc_equal(h, p, q));
    assert_int_equal(rc_heap_last_error(h), RC_ELIMIT);
    /* but a difference met before the recursion ends the comparison first */
    rc_object *r = rt_list(h), *u = rt_list(h);
    rt_append(h, r, rc_int_new(h, 1));
    rt_append(h, r, r);
    rt_append(h, u, rc_int_new(h, 2));
    rt_append(h, u, u);
    both_ways(h, r, u, false);
    /* dicts too */
    rc_object *d1 = rt_dict(h), *d2 = rt_dict(h);
    assert_int_equal(rc_dict_set(h, d1, rc_int_new(h, 0), d1), RC_OK);
    assert_int_equal(rc_dict_set(h, d2, rc_int_new(h, 0), d2), RC_OK);
    rc_heap_clear_error(h);
    assert_false(rc_equal(h, d1, d2));
    assert_int_equal(rc_heap_last_error(h), RC_ELIMIT);
    assert_non_null(strstr(rc_heap_errmsg(h), "comparing dict"));
    rc_heap_clear_error(h);
    /* break the cycles so counting frees them */
    assert_int_equal(rc_list_clear(h, a), RC_OK);
    assert_int_equal(rc_list_clear(h, self), RC_OK);
    assert_int_equal(rc_list_clear(h, p), RC_OK);
    assert_int_equal(rc_list_clear(h, q), RC_OK);
    assert_int_equal(rc_list_clear(h, r), RC_OK);
    assert_int_equal(rc_list_clear(h, u), RC_OK);
    assert_int_equal(rc_dict_del(h, d1, rc_int_new(h, 0)), RC_OK);
    assert_int_equal(rc_dict_del(h, d2, rc_int_new(h, 0)), RC_OK);
    rc_object *objs[] = {a, b, self, x, y, p, q, r, u, d1, d2};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(h, objs[i]);
    rt_heap_finish(h);
}

/* [[[...[leaf]...]]] depth levels deep. */
static rc_object *nest_lists(rc_heap *h, rc_object *leaf, int depth)
{
    rc_object *l = list_of(h, 1, &leaf);
    for (int i = 1; i < depth; i++) {
        rc_object *outer = list_of(h, 1, &l);
        rc_decref(h, l);
        l = outer;
    }
    return l;
}

static void deeply_nested_lists_without_recursion(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    enum { DEPTH = 200000 };
    rc_object *a = nest_lists(h, rc_int_new(h, 7), DEPTH),
              *b = nest_lists(h, rc_int_new(h, 7), DEPTH);
    rc_object *c = nest_lists(h, rc_int_new(h, 8), DEPTH);
    both_ways(h, a, b, true);
    both_ways(h, a, c, false);
    rc_decref(h, a);
    rc_decref(h, b);
    rc_decref(h, c);
    rt_heap_finish(h);
}

/* A weak proxy inside a list compares as its referent; a dead one cannot be compared. */
static void proxies_inside_containers_compare_as_their_referent(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *x = list_of(h, 1, (rc_object *[]){rc_int_new(h, 5)});
    rc_object *y = list_of(h, 1, (rc_object *[]){rc_int_new(h, 5)});
    rc_object *p = rc_weakproxy_new(h, x, NULL, NULL);
    assert_non_null(p);
    rc_object *lp = list_of(h, 1, &p), *ly = list_of(h, 1, &y);
    both_ways(h, lp, ly, true);
    rc_decref(h, x);
    rc_heap_clear_error(h);
    assert_false(rc_equal(h, lp, ly));
    assert_int_equal(rc_heap_last_error(h), RC_EREFERENCE);
    rc_heap_clear_error(h);
    rc_decref(h, p);
    rc_decref(h, y);
    rc_decref(h, lp);
    rc_decref(h, ly);
    rt_heap_finish(h);
}

/* Every allocation the comparison makes (frames and pairs beyond their inline room) fails
 * in turn: rc_equal returns false with RC_ENOMEM and leaves nothing behind. */
static void comparison_out_of_memory_fails_cleanly(void **state)
{
    (void)state;
    for (int64_t n = 0;; n++) {
        rt_alloc fa;
        rt_alloc_init(&fa, -1);
        rc_heap_config cfg;
        rc_heap_config_init(&cfg);
        cfg.allocator = &fa.iface;
        cfg.gc_disabled = true;
        cfg.stress = false;
        rc_heap *h = rt_heap_new_cfg(&cfg);
        rc_object *a = nest_lists(h, rc_int_new(h, 1), 100);
        rc_object *b = nest_lists(h, rc_int_new(h, 1), 100);
        fa.fail_at = (int64_t)fa.requests + n;
        rc_heap_clear_error(h);
        bool eq = rc_equal(h, a, b);
        bool failed = fa.refused > 0;
        fa.fail_at = -1;
        if (failed) {
            assert_false(eq);
            assert_int_equal(rc_heap_last_error(h), RC_ENOMEM);
        } else {
            assert_true(eq);
        }
        rc_decref(h, a);
        rc_decref(h, b);
        rt_heap_finish(h);
        assert_int_equal(fa.outstanding_bytes, 0);
        if (!failed)
            break;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_equality_is_item_by_item),
        cmocka_unit_test(test_dicts),
        cmocka_unit_test(test_recursion),
        cmocka_unit_test(deeply_nested_lists_without_recursion),
        cmocka_unit_test(proxies_inside_containers_compare_as_their_referent),
        cmocka_unit_test(comparison_out_of_memory_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
