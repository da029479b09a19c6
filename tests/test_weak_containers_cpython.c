/*
 * test_weak_containers_cpython.c -- weak dicts and weak sets, ported from CPython's
 * Lib/test/test_weakref.py (MappingTestCase: test_weak_keyed_bad_delitem and friends,
 * test_weak_valued_iters, test_weak_keyed_iters, test_weak_valued_dict_setdefault,
 * test_weak_keyed_dict_setdefault, test_weak_valued_dict_update, test_weak_keyed_dict_update,
 * test_weak_keyed_dict_popitem-style pop, copy) and Lib/test/test_weakset.py (test_len,
 * test_pop, test_update, test_copy, test_contains): issue 16, item 9 (a key that cannot be
 * weakly referenced fails the same way in every call) and the missing pieces.
 */
#include "rctest.h"

#include <stdio.h>
#include <string.h>

static rc_object *str(rc_heap *heap, const char *s)
{
    rc_object *o = rc_str_from_cstr(heap, s);
    assert_non_null(o);
    return o;
}

static void assert_type_error(rc_heap *heap, rc_status st, const char *call)
{
    assert_int_equal(st, RC_ETYPE);
    char want[128];
    snprintf(want, sizeof want, "%s: cannot create weak reference to 'int' object", call);
    assert_string_equal(rc_heap_errmsg(heap), want);
}

/* test_weak_keyed_bad_delitem and item 9: get, del, set, pop and setdefault of a small-int
 * key all fail with RC_ETYPE (CPython's TypeError); weak sets likewise, contains says no. */
static void test_weak_keyed_bad_key(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *d = rc_weakkeydict_new(heap);
    rc_object *k = rc_int_new(heap, 5), *v = str(heap, "v"), *out = NULL;
    assert_type_error(heap, rc_weakdict_get(heap, d, k, &out), "rc_weakdict_get");
    assert_type_error(heap, rc_weakdict_del(heap, d, k), "rc_weakdict_del");
    assert_type_error(heap, rc_weakdict_set(heap, d, k, v), "rc_weakdict_set");
    assert_type_error(heap, rc_weakdict_pop(heap, d, k, &out), "rc_weakdict_pop");
    assert_type_error(heap, rc_weakdict_setdefault(heap, d, k, v, &out), "rc_weakdict_setdefault");
    assert_null(out);
    rc_object *vd = rc_weakvaluedict_new(heap);
    assert_type_error(heap, rc_weakdict_set(heap, vd, v, k), "rc_weakdict_set");
    rc_object *s = rc_weakset_new(heap);
    assert_type_error(heap, rc_weakset_add(heap, s, k), "rc_weakset_add");
    assert_type_error(heap, rc_weakset_discard(heap, s, k), "rc_weakset_discard");
    assert_false(rc_weakset_contains(heap, s, k));
    /* A key that is absent (not unusable) is RC_EKEY. */
    rc_object *absent = rt_list(heap);
    assert_int_equal(rc_weakdict_get(heap, d, absent, &out), RC_EKEY);
    assert_int_equal(rc_weakdict_del(heap, d, absent), RC_EKEY);
    rc_decref(heap, absent);
    rc_decref(heap, v);
    rc_decref(heap, d);
    rc_decref(heap, vd);
    rc_decref(heap, s);
    rt_heap_finish(heap);
}

/* test_weak_valued_iters / test_weak_keyed_iters: iteration yields live entries only, in
 * insertion order, and survives entries vanishing meanwhile. */
static void test_weak_iters(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *vd = rc_weakvaluedict_new(heap), *kd = rc_weakkeydict_new(heap);
    rc_object *objs[4], *keys[4];
    char name[8];
    for (int i = 0; i < 4; i++) {
        objs[i] = rt_list(heap);
        snprintf(name, sizeof name, "k%d", i);
        keys[i] = str(heap, name);
        assert_int_equal(rc_weakdict_set(heap, vd, keys[i], objs[i]), RC_OK);
        assert_int_equal(rc_weakdict_set(heap, kd, objs[i], keys[i]), RC_OK);
    }
    rc_decref(heap, objs[1]);
    objs[1] = NULL;
    size_t pos = 0;
    rc_object *k, *v;
    static const int expected[2] = {0, 3};
    int seen = 0;
    while (rc_weakdict_next(heap, vd, &pos, &k, &v)) {
        assert_true(seen < 2);
        assert_ptr_equal(k, keys[expected[seen]]);
        assert_ptr_equal(v, objs[expected[seen]]);
        if (seen == 0) { /* an entry dies during the iteration */
            rc_decref(heap, objs[2]);
            objs[2] = NULL;
        }
        seen++;
    }
    assert_int_equal(seen, 2);
    pos = 0;
    seen = 0;
    while (rc_weakdict_next(heap, kd, &pos, &k, &v)) {
        assert_ptr_equal(k, objs[3 * seen]);
        assert_ptr_equal(v, keys[3 * seen]);
        seen++;
    }
    assert_int_equal(seen, 2);
    assert_int_equal(rc_weakdict_len(heap, kd), 2);
    rc_object *s = rc_weakset_new(heap);
    assert_int_equal(rc_weakset_add(heap, s, objs[0]), RC_OK);
    assert_int_equal(rc_weakset_add(heap, s, objs[3]), RC_OK);
    pos = 0;
    rc_object *item;
    assert_true(rc_weakset_next(heap, s, &pos, &item));
    assert_ptr_equal(item, objs[0]);
    assert_true(rc_weakset_next(heap, s, &pos, &item));
    assert_ptr_equal(item, objs[3]);
    assert_false(rc_weakset_next(heap, s, &pos, &item));
    assert_false(rc_weakdict_next(heap, s, &pos, &k, &v)); /* not a dict */
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    for (int i = 0; i < 4; i++) {
        rc_decref(heap, objs[i]);
        rc_decref(heap, keys[i]);
    }
    rc_decref(heap, vd);
    rc_decref(heap, kd);
    rc_decref(heap, s);
    rt_heap_finish(heap);
}

/* test_weak_valued_dict_setdefault and test_weak_keyed_dict_setdefault. */
static void test_weak_dict_setdefault(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *vd = rc_weakvaluedict_new(heap), *kd = rc_weakkeydict_new(heap);
    rc_object *key = str(heap, "key"), *v1 = rt_list(heap), *v2 = rt_list(heap), *out = NULL;
    assert_int_equal(rc_weakdict_setdefault(heap, vd, key, v1, &out), RC_OK);
    assert_ptr_equal(out, v1);
    rc_decref(heap, out);
    assert_int_equal(rc_weakdict_setdefault(heap, vd, key, v2, &out), RC_OK);
    assert_ptr_equal(out, v1);
    rc_decref(heap, out);
    rc_decref(heap, v1); /* dead: setdefault binds again */
    assert_int_equal(rc_weakdict_setdefault(heap, vd, key, v2, &out), RC_OK);
    assert_ptr_equal(out, v2);
    rc_decref(heap, out);
    assert_int_equal(rc_weakdict_setdefault(heap, kd, v2, key, &out), RC_OK);
    assert_ptr_equal(out, key);
    rc_decref(heap, out);
    assert_int_equal(rc_weakdict_setdefault(heap, kd, v2, v2, &out), RC_OK);
    assert_ptr_equal(out, key);
    rc_decref(heap, out);
    assert_int_equal(rc_weakdict_len(heap, kd), 1);
    rc_decref(heap, key);
    rc_decref(heap, v2);
    assert_int_equal(rc_weakdict_len(heap, vd), 0);
    assert_int_equal(rc_weakdict_len(heap, kd), 0);
    rc_decref(heap, vd);
    rc_decref(heap, kd);
    rt_heap_finish(heap);
}

/* pop (MappingTestCase's popitem/pop cases) and WeakSet test_pop. */
static void test_weak_pop(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *kd = rc_weakkeydict_new(heap);
    rc_object *k = rt_list(heap), *v = str(heap, "v"), *out = NULL;
    assert_int_equal(rc_weakdict_set(heap, kd, k, v), RC_OK);
    assert_int_equal(rc_weakdict_pop(heap, kd, k, &out), RC_OK);
    assert_ptr_equal(out, v);
    rc_decref(heap, out);
    assert_int_equal(rc_weakdict_pop(heap, kd, k, &out), RC_EKEY);
    assert_null(out);
    assert_int_equal(rc_weakref_count(heap, k), 0);
    rc_object *s = rc_weakset_new(heap);
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    assert_int_equal(rc_weakset_add(heap, s, a), RC_OK);
    assert_int_equal(rc_weakset_add(heap, s, b), RC_OK);
    rc_decref(heap, a); /* dead members are skipped */
    assert_int_equal(rc_weakset_pop(heap, s, &out), RC_OK);
    assert_ptr_equal(out, b);
    rc_decref(heap, out);
    assert_int_equal(rc_weakset_pop(heap, s, &out), RC_EKEY);
    assert_string_equal(rc_heap_errmsg(heap), "rc_weakset_pop: pop from an empty weakset");
    assert_int_equal(rc_weakset_len(heap, s), 0);
    rc_decref(heap, b);
    rc_decref(heap, s);
    rc_decref(heap, k);
    rc_decref(heap, v);
    rc_decref(heap, kd);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* test_weak_valued_dict_update and test_weak_keyed_dict_update: from a dict and from a weak
 * dict; a failing update changes nothing. */
static void test_weak_dict_update(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *vd = rc_weakvaluedict_new(heap);
    rc_object *src = rt_dict(heap);
    rc_object *k1 = str(heap, "a"), *k2 = str(heap, "b"), *o1 = rt_list(heap), *o2 = rt_list(heap);
    assert_int_equal(rc_dict_set(heap, src, k1, o1), RC_OK);
    assert_int_equal(rc_dict_set(heap, src, k2, o2), RC_OK);
    assert_int_equal(rc_weakdict_update(heap, vd, src), RC_OK);
    assert_int_equal(rc_weakdict_len(heap, vd), 2);
    rc_object *out = NULL;
    assert_int_equal(rc_weakdict_get(heap, vd, k2, &out), RC_OK);
    assert_ptr_equal(out, o2);
    rc_decref(heap, out);
    /* A bad value anywhere: nothing is added. */
    rc_object *k3 = str(heap, "c");
    assert_int_equal(rc_dict_set(heap, src, k3, rc_int_new(heap, 1)), RC_OK);
    rc_object *vd2 = rc_weakvaluedict_new(heap);
    assert_int_equal(rc_weakdict_update(heap, vd2, src), RC_ETYPE);
    assert_int_equal(rc_weakdict_len(heap, vd2), 0);
    assert_int_equal(rc_weakdict_update(heap, vd2, vd), RC_OK);
    assert_int_equal(rc_weakdict_len(heap, vd2), 2);
    rc_object *kd = rc_weakkeydict_new(heap);
    assert_int_equal(rc_weakdict_set(heap, kd, o1, k1), RC_OK);
    rc_object *kd2 = rc_weakkeydict_new(heap);
    assert_int_equal(rc_weakdict_update(heap, kd2, kd), RC_OK);
    assert_int_equal(rc_weakdict_get(heap, kd2, o1, &out), RC_OK);
    assert_ptr_equal(out, k1);
    rc_decref(heap, out);
    assert_int_equal(rc_weakdict_update(heap, kd2, o1), RC_ETYPE); /* a list */
    rc_decref(heap, src);                                          /* it held o1 strongly */
    rc_decref(heap, o1);
    assert_int_equal(rc_weakdict_len(heap, vd), 1);
    assert_int_equal(rc_weakdict_len(heap, vd2), 1);
    assert_int_equal(rc_weakdict_len(heap, kd2), 0);
    rc_object *all[] = {vd, vd2, kd, kd2, k1, k2, k3, o2};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        rc_decref(heap, all[i]);
    rt_heap_finish(heap);
}

/* test_weakset's test_len, test_update, test_copy; weak dict copy. */
static void test_weakset_len_update_copy(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *s = rc_weakset_new(heap);
    rc_object *a = rt_list(heap), *b = rt_list(heap), *c = rt_dict(heap);
    rc_object *items[3] = {a, b, a};
    rc_object *t = rc_tuple_new(heap, 3, items);
    assert_int_equal(rc_weakset_update(heap, s, t), RC_OK);
    assert_int_equal(rc_weakset_len(heap, s), 2);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, c);
    assert_int_equal(rc_weakset_update(heap, s, l), RC_OK);
    assert_int_equal(rc_weakset_len(heap, s), 3);
    rt_append(heap, l, rc_int_new(heap, 2));
    rc_object *s2 = rc_weakset_new(heap);
    assert_int_equal(rc_weakset_update(heap, s2, l), RC_ETYPE);
    assert_int_equal(rc_weakset_len(heap, s2), 0);
    rc_object *cp = rc_weakset_copy(heap, s);
    assert_non_null(cp);
    assert_int_equal(rc_weakset_len(heap, cp), 3);
    assert_int_equal(rc_weakset_update(heap, s2, cp), RC_OK);
    assert_int_equal(rc_weakset_len(heap, s2), 3);
    assert_int_equal(rc_weakset_len(heap, l), 0); /* not a weakset */
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    rc_decref(heap, t);
    rc_decref(heap, l);
    rc_decref(heap, b);
    assert_int_equal(rc_weakset_len(heap, s), 2);
    assert_int_equal(rc_weakset_len(heap, cp), 2);
    assert_true(rc_weakset_contains(heap, cp, a));
    assert_true(rc_weakset_contains(heap, cp, c));
    rc_object *vd = rc_weakvaluedict_new(heap);
    rc_object *key = str(heap, "k");
    assert_int_equal(rc_weakdict_set(heap, vd, key, a), RC_OK);
    rc_object *vcp = rc_weakdict_copy(heap, vd);
    rc_decref(heap, vd); /* the copy has its own weakrefs */
    rc_object *out = NULL;
    assert_int_equal(rc_weakdict_get(heap, vcp, key, &out), RC_OK);
    assert_ptr_equal(out, a);
    rc_decref(heap, out);
    rc_decref(heap, a);
    assert_int_equal(rc_weakdict_len(heap, vcp), 0);
    assert_int_equal(rc_weakset_len(heap, cp), 1);
    rc_object *all[] = {vcp, key, c, s, s2, cp};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        rc_decref(heap, all[i]);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weak_keyed_bad_key),   cmocka_unit_test(test_weak_iters),
        cmocka_unit_test(test_weak_dict_setdefault), cmocka_unit_test(test_weak_pop),
        cmocka_unit_test(test_weak_dict_update),     cmocka_unit_test(test_weakset_len_update_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
