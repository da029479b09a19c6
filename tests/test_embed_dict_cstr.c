/* Dict lookup by C string and length (issue 17, item 7): rc_dict_get_cstr and
 * rc_dict_find_cstr find str keys without making an object and without an error on a miss. */
#include "rctest.h"

#include <stdio.h>
#include <string.h>

static uint64_t allocated(const rc_heap *h)
{
    return rt_stats(h).total_allocated;
}

static void set_str(rc_heap *h, rc_object *d, const char *k, size_t len, rc_object *v)
{
    rc_object *key = rc_str_new(h, k, len);
    assert_non_null(key);
    assert_int_equal(rc_dict_set(h, d, key, v), RC_OK);
    rc_decref(h, key);
}

static void finds_str_keys_without_allocating(void **state)
{
    (void)state;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.hash_seed = 0x1234567890abcdefu; /* the hash must follow the heap's seed */
    rc_heap *h = rt_heap_new_cfg(&cfg);
    rc_object *d = rt_dict(h);
    /* An empty dict: a miss. */
    assert_null(rc_dict_get_cstr(h, d, "car", 3));
    set_str(h, d, "car", 3, rc_int_new(h, 1));
    set_str(h, d, "a\0b", 3, rc_int_new(h, 2)); /* bytes, not a C string */
    set_str(h, d, "", 0, rc_int_new(h, 3));
    set_str(h, d, "nothing", 7, NULL); /* a None value */
    rc_object *one = rc_int_new(h, 1);
    assert_int_equal(rc_dict_set(h, d, one, rc_int_new(h, 4)), RC_OK); /* not a str key */
    rc_heap_clear_error(h);
    uint64_t before = allocated(h);

    assert_int_equal(rc_int_value(h, rc_dict_get_cstr(h, d, "car!", 3)), 1);
    assert_int_equal(rc_int_value(h, rc_dict_get_cstr(h, d, "a\0b", 3)), 2);
    assert_int_equal(rc_int_value(h, rc_dict_get_cstr(h, d, "", 0)), 3);
    assert_int_equal(rc_int_value(h, rc_dict_get_cstr(h, d, NULL, 0)), 3);
    assert_null(rc_dict_get_cstr(h, d, "a", 1));    /* a prefix of "a\0b" */
    assert_null(rc_dict_get_cstr(h, d, "cdr", 3));  /* absent */
    assert_null(rc_dict_get_cstr(h, d, "1", 1));    /* the int key 1 is not "1" */
    assert_null(rc_dict_get_cstr(h, d, "\xff", 1)); /* no str holds invalid UTF-8 */
    /* None value against a miss. */
    rc_object *k = NULL, *v = rc_int_new(h, 9);
    assert_true(rc_dict_find_cstr(h, d, "nothing", 7, &k, &v));
    assert_null(v);
    assert_string_equal(rc_str_data(h, k), "nothing");
    assert_true(rc_dict_contains(h, d, k));
    assert_false(rc_dict_find_cstr(h, d, "nothin", 6, &k, &v));
    assert_null(k);
    assert_null(v);
    assert_true(rc_dict_find_cstr(h, d, "car", 3, NULL, NULL));

    assert_int_equal(allocated(h), before);
    assert_int_equal(rc_heap_last_error(h), RC_OK);
    assert_string_equal(rc_heap_errmsg(h), "");
    rc_decref(h, d);
    rt_heap_finish(h);
}

/* Many keys (growth, collisions) and deleted ones (dummies on the probe sequence). */
static void agrees_with_rc_dict_get(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new();
    rc_object *d = rt_dict(h);
    char name[32];
    for (int i = 0; i < 2000; i++) {
        int n = snprintf(name, sizeof name, "sym%d", i);
        set_str(h, d, name, (size_t)n, rc_int_new(h, i));
    }
    for (int i = 0; i < 2000; i += 3) {
        int n = snprintf(name, sizeof name, "sym%d", i);
        rc_object *key = rc_str_new(h, name, (size_t)n);
        assert_int_equal(rc_dict_del(h, d, key), RC_OK);
        rc_decref(h, key);
    }
    rc_heap_clear_error(h);
    uint64_t before = allocated(h);
    for (int i = 0; i < 2100; i++) {
        int n = snprintf(name, sizeof name, "sym%d", i);
        rc_object *v = NULL;
        bool found = rc_dict_find_cstr(h, d, name, (size_t)n, NULL, &v);
        bool want = i < 2000 && i % 3 != 0;
        assert_int_equal(found, want);
        if (want)
            assert_int_equal(rc_int_value(h, v), i);
    }
    assert_int_equal(allocated(h), before);
    assert_int_equal(rc_heap_last_error(h), RC_OK);
    rc_decref(h, d);
    rt_heap_finish(h);
}

static void errors_and_proxies(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new();
    rc_object *l = rt_list(h);
    assert_null(rc_dict_get_cstr(h, l, "x", 1));
    assert_int_equal(rc_heap_last_error(h), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(h), "rc_dict_find_cstr: expected a dict, got list");
    rc_object *d = rt_dict(h);
    rc_heap_clear_error(h);
    assert_false(rc_dict_find_cstr(h, d, NULL, 2, NULL, NULL));
    assert_int_equal(rc_heap_last_error(h), RC_EINVAL);
    assert_string_equal(rc_heap_errmsg(h), "rc_dict_find_cstr: NULL text with length 2");
    set_str(h, d, "x", 1, rc_int_new(h, 5));
    rc_object *p = rc_weakproxy_new(h, d, NULL, NULL);
    assert_int_equal(rc_int_value(h, rc_dict_get_cstr(h, p, "x", 1)), 5);
    rc_decref(h, p);
    rc_decref(h, d);
    rc_decref(h, l);
    rt_heap_finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_str_keys_without_allocating),
        cmocka_unit_test(agrees_with_rc_dict_get),
        cmocka_unit_test(errors_and_proxies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
