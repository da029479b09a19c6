/* Public-API tests of the dict type: order, replacement in place, deletion holes,
 * numeric keys (1 == 1.0), tuple keys, identity keys, growth under collisions, errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "rcgc.h"

static void finish(rc_heap *h)
{
    assert_int_equal(rc_heap_check(h), RC_OK);
    rc_heap_free(h);
}

static rc_object *str(rc_heap *h, const char *s)
{
    return rc_str_from_cstr(h, s);
}

/* d[key] as an int, the key given as a C string. */
static int64_t get_int(rc_heap *h, rc_object *d, const char *key)
{
    rc_object *k = str(h, key), *v = NULL;
    assert_int_equal(rc_dict_get(h, d, k, &v), RC_OK);
    rc_decref(h, k);
    int64_t r = rc_int_value(h, v);
    rc_decref(h, v);
    return r;
}

static void set_get_and_insertion_order(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *d = rc_dict_new(h);
    assert_true(rc_gc_is_tracked(h, d));
    const char *keys[] = {"b", "a", "c", "z", "y", "x", "w"};
    for (int i = 0; i < 7; i++) {
        rc_object *k = str(h, keys[i]);
        assert_int_equal(rc_dict_set(h, d, k, rc_int_new(h, i)), RC_OK);
        rc_decref(h, k);
    }
    assert_int_equal(rc_dict_len(h, d), 7);
    rc_object *k2 = str(h, "a");
    assert_int_equal(rc_dict_set(h, d, k2, rc_int_new(h, 100)), RC_OK); /* keeps position */
    rc_decref(h, k2);
    assert_int_equal(rc_dict_len(h, d), 7);
    assert_int_equal(get_int(h, d, "a"), 100);
    size_t pos = 0;
    rc_object *k, *v;
    int i = 0;
    while (rc_dict_next(h, d, &pos, &k, &v)) {
        assert_string_equal(rc_str_data(h, k), keys[i]);
        assert_int_equal(rc_int_value(h, v), i == 1 ? 100 : i);
        i++;
    }
    assert_int_equal(i, 7);
    rc_decref(h, d);
    finish(h);
}

static void set_takes_references_and_del_releases_them(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *d = rc_dict_new(h);
    rc_object *k = str(h, "key"), *v = str(h, "value"), *v2 = str(h, "other");
    assert_int_equal(rc_dict_set(h, d, k, v), RC_OK);
    assert_int_equal(rc_refcount(k), 2);
    assert_int_equal(rc_refcount(v), 2);
    assert_int_equal(rc_dict_set(h, d, k, v2), RC_OK);
    assert_int_equal(rc_refcount(v), 1);
    assert_int_equal(rc_refcount(v2), 2);
    rc_object *got = NULL;
    assert_int_equal(rc_dict_get(h, d, k, &got), RC_OK);
    assert_ptr_equal(got, v2);
    assert_int_equal(rc_refcount(v2), 3);
    rc_decref(h, got);
    assert_true(rc_dict_contains(h, d, k));
    assert_int_equal(rc_dict_del(h, d, k), RC_OK);
    assert_false(rc_dict_contains(h, d, k));
    assert_int_equal(rc_refcount(k), 1);
    assert_int_equal(rc_refcount(v2), 1);
    assert_int_equal(rc_dict_len(h, d), 0);
    assert_int_equal(rc_dict_del(h, d, k), RC_EKEY);
    assert_string_equal(rc_heap_errmsg(h), "rc_dict_del: key 'key' not found");
    assert_int_equal(rc_dict_get(h, d, k, &got), RC_EKEY);
    assert_string_equal(rc_heap_errmsg(h), "rc_dict_get: key 'key' not found");
    rc_decref(h, k);
    rc_decref(h, v);
    rc_decref(h, v2);
    rc_decref(h, d);
    finish(h);
}

static void numeric_keys_compare_by_value(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *d = rc_dict_new(h);
    rc_object *one_f = rc_float_new(h, 1.0), *zero_neg = rc_float_new(h, -0.0);
    rc_object *big = rc_int_new(h, INT64_MAX), *big_f = rc_float_new(h, 9223372036854775807.0);
    assert_int_equal(rc_dict_set(h, d, rc_int_new(h, 1), NULL), RC_OK);
    assert_true(rc_dict_contains(h, d, one_f));
    assert_int_equal(rc_dict_set(h, d, one_f, NULL), RC_OK);
    assert_int_equal(rc_dict_len(h, d), 1);
    assert_int_equal(rc_dict_set(h, d, zero_neg, NULL), RC_OK);
    assert_true(rc_dict_contains(h, d, rc_int_new(h, 0)));
    assert_int_equal(rc_dict_set(h, d, big, NULL), RC_OK);
    assert_false(rc_dict_contains(h, d, big_f)); /* 2^63 as a double is not INT64_MAX */
    assert_int_equal(rc_dict_len(h, d), 3);
    rc_object *objs[] = {one_f, zero_neg, big, big_f, d};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(h, objs[i]);
    finish(h);
}

static void nan_keys_match_only_themselves(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *d = rc_dict_new(h);
    rc_object *n1 = rc_float_new(h, NAN), *n2 = rc_float_new(h, NAN);
    assert_int_equal(rc_dict_set(h, d, n1, rc_int_new(h, 1)), RC_OK);
    assert_int_equal(rc_dict_set(h, d, n2, rc_int_new(h, 2)), RC_OK);
    assert_int_equal(rc_dict_len(h, d), 2);
    assert_true(rc_dict_contains(h, d, n1));
    assert_int_equal(rc_dict_set(h, d, n1, rc_int_new(h, 3)), RC_OK);
    assert_int_equal(rc_dict_len(h, d), 2);
    rc_decref(h, n1);
    rc_decref(h, n2);
    rc_decref(h, d);
    finish(h);
}

static void tuple_and_none_keys_by_value_others_by_identity(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *d = rc_dict_new(h);
    rc_object *a = str(h, "a"), *a2 = str(h, "a");
    rc_object *ta[2] = {a, rc_int_new(h, 1)}, *tb[2] = {a2, NULL};
    rc_object *fl = rc_float_new(h, 1.0);
    tb[1] = fl;
    rc_object *t1 = rc_tuple_new(h, 2, ta), *t2 = rc_tuple_new(h, 2, tb);
    assert_int_equal(rc_dict_set(h, d, t1, rc_int_new(h, 5)), RC_OK);
    assert_true(rc_dict_contains(h, d, t2));
    assert_int_equal(rc_dict_set(h, d, NULL, rc_int_new(h, 6)), RC_OK);
    assert_true(rc_dict_contains(h, d, NULL));
    rc_object *l1 = rc_list_new(h, 0), *l2 = rc_list_new(h, 0);
    assert_int_equal(rc_dict_set(h, d, l1, NULL), RC_OK);
    assert_true(rc_dict_contains(h, d, l1));
    assert_false(rc_dict_contains(h, d, l2));
    assert_int_equal(rc_dict_len(h, d), 3);
    assert_int_equal(rc_dict_get(h, d, l2, &a2), RC_EKEY);
    assert_string_equal(rc_heap_errmsg(h), "rc_dict_get: key <list object> not found");
    rc_object *objs[] = {a, tb[0], fl, t1, t2, l1, l2, d};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(h, objs[i]);
    finish(h);
}

/* Many keys, interleaved deletions and re-insertions, checked against a plain array. */
static void many_keys_with_deletions_stay_consistent(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *d = rc_dict_new(h);
    enum { N = 50000 };
    static signed char present[N];
    for (int64_t i = 0; i < N; i++) {
        assert_int_equal(rc_dict_set(h, d, rc_int_new(h, i * 1024), rc_int_new(h, i)), RC_OK);
        present[i] = 1;
        if (i % 3 == 0) {
            int64_t victim = i / 2;
            if (present[victim]) {
                assert_int_equal(rc_dict_del(h, d, rc_int_new(h, victim * 1024)), RC_OK);
                present[victim] = 0;
            }
        }
    }
    size_t live = 0;
    for (int64_t i = 0; i < N; i++) {
        rc_object *k = rc_int_new(h, i * 1024);
        assert_int_equal(rc_dict_contains(h, d, k), present[i] == 1);
        if (present[i]) {
            rc_object *v = NULL;
            assert_int_equal(rc_dict_get(h, d, k, &v), RC_OK);
            assert_int_equal(rc_int_value(h, v), i);
            live++;
        }
    }
    assert_int_equal(rc_dict_len(h, d), live);
    size_t pos = 0, seen = 0;
    rc_object *k, *v;
    int64_t last = -1;
    while (rc_dict_next(h, d, &pos, &k, &v)) {
        assert_true(rc_int_value(h, v) > last); /* insertion order survives compaction */
        last = rc_int_value(h, v);
        seen++;
    }
    assert_int_equal(seen, live);
    rc_decref(h, d);
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_int_equal(st.buffer_bytes, 0);
    finish(h);
}

static void string_keys_under_growth(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *d = rc_dict_new(h);
    char buf[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(buf, sizeof buf, "k%d", i);
        rc_object *k = str(h, buf);
        assert_int_equal(rc_dict_set(h, d, k, rc_int_new(h, i)), RC_OK);
        rc_decref(h, k);
    }
    for (int i = 0; i < 20000; i += 7) {
        snprintf(buf, sizeof buf, "k%d", i);
        assert_int_equal(get_int(h, d, buf), i);
    }
    assert_int_equal(rc_type_live_count(rc_heap_builtin_str(h)), 20000);
    rc_decref(h, d);
    assert_int_equal(rc_type_live_count(rc_heap_builtin_str(h)), 0);
    finish(h);
}

static void dict_cycle_is_collected(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *d = rc_dict_new(h);
    rc_object *k = str(h, "self");
    assert_int_equal(rc_dict_set(h, d, k, d), RC_OK);
    rc_decref(h, k);
    rc_decref(h, d);
    assert_int_equal(rc_collect(h, 2), 1); /* the str key is not tracked, as in Python */
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_int_equal(st.live_objects, 0);
    assert_int_equal(st.buffer_bytes, 0);
    finish(h);
}

static void dict_calls_reject_non_dicts(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = rc_list_new(h, 0), *out = NULL;
    size_t pos = 0;
    assert_int_equal(rc_dict_set(h, l, NULL, NULL), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(h), "rc_dict_set: expected a dict, got list");
    assert_int_equal(rc_dict_get(h, l, NULL, &out), RC_ETYPE);
    assert_false(rc_dict_contains(h, l, NULL));
    assert_int_equal(rc_dict_del(h, l, NULL), RC_ETYPE);
    assert_int_equal(rc_dict_len(h, l), 0);
    assert_false(rc_dict_next(h, l, &pos, &out, &out));
    assert_int_equal(rc_heap_last_error(h), RC_ETYPE);
    rc_object *d = rc_new(h, rc_heap_builtin_dict(h));
    assert_int_equal(rc_dict_len(h, d), 0);
    assert_false(rc_dict_contains(h, d, NULL));
    assert_int_equal(rc_dict_set(h, d, NULL, l), RC_OK);
    assert_int_equal(rc_dict_len(h, d), 1);
    rc_decref(h, d);
    rc_decref(h, l);
    finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_get_and_insertion_order),
        cmocka_unit_test(set_takes_references_and_del_releases_them),
        cmocka_unit_test(numeric_keys_compare_by_value),
        cmocka_unit_test(nan_keys_match_only_themselves),
        cmocka_unit_test(tuple_and_none_keys_by_value_others_by_identity),
        cmocka_unit_test(many_keys_with_deletions_stay_consistent),
        cmocka_unit_test(string_keys_under_growth),
        cmocka_unit_test(dict_cycle_is_collected),
        cmocka_unit_test(dict_calls_reject_non_dicts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
