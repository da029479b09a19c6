/* Public-API tests of the str type: strict UTF-8, length, data, hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rcgc.h"

static void finish(rc_heap *h)
{
    assert_int_equal(rc_heap_check(h), RC_OK);
    rc_heap_free(h);
}

static void str_keeps_bytes_and_nul(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *s = rc_str_new(h, "hello world", 5);
    assert_non_null(s);
    assert_int_equal(rc_str_len(h, s), 5);
    assert_string_equal(rc_str_data(h, s), "hello");
    assert_false(rc_gc_is_tracked(h, s));
    assert_ptr_equal(rc_type_of(h, s), rc_heap_builtin_str(h));
    rc_object *e = rc_str_from_cstr(h, "");
    assert_int_equal(rc_str_len(h, e), 0);
    assert_string_equal(rc_str_data(h, e), "");
    rc_object *nul = rc_str_new(h, "a\0b", 3);
    assert_int_equal(rc_str_len(h, nul), 3);
    assert_memory_equal(rc_str_data(h, nul), "a\0b", 4);
    rc_decref(h, s);
    rc_decref(h, e);
    rc_decref(h, nul);
    finish(h);
}

static void str_accepts_valid_utf8(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    const char *ok[] = {"\xc3\xa9",     "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf",
                        "\xed\x9f\xbf", "\xee\x80\x80", "\xc2\x80",         "\x7f"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        rc_object *s = rc_str_from_cstr(h, ok[i]);
        assert_non_null(s);
        assert_string_equal(rc_str_data(h, s), ok[i]);
        rc_decref(h, s);
    }
    finish(h);
}

static void str_rejects_invalid_utf8(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    const char *bad[] = {
        "\xc0\x80",         /* overlong NUL */
        "\xc1\xbf",         /* overlong */
        "\xe0\x80\xaf",     /* overlong 3-byte */
        "\xf0\x80\x80\xaf", /* overlong 4-byte */
        "\xed\xa0\x80",     /* surrogate U+D800 */
        "\xed\xbf\xbf",     /* surrogate U+DFFF */
        "\xf4\x90\x80\x80", /* U+110000 */
        "\xf5\x80\x80\x80", /* lead byte beyond range */
        "\x80",             /* lone continuation */
        "\xc3",             /* truncated */
        "abc\xe2\x82",      /* truncated at the end */
        "\xe2\x28\xa1",     /* bad continuation */
        "\xff",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc_heap_clear_error(h);
        assert_null(rc_str_from_cstr(h, bad[i]));
        assert_int_equal(rc_heap_last_error(h), RC_EINVAL);
    }
    assert_null(rc_str_new(h, "abcdefghij\xed\xa0\x80", 13));
    assert_string_equal(rc_heap_errmsg(h), "rc_str_new: invalid UTF-8 at byte 10 (length 13)");
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_int_equal(st.live_objects, 0);
    finish(h);
}

static void str_errors(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    assert_null(rc_str_new(h, NULL, 3));
    assert_int_equal(rc_heap_last_error(h), RC_EINVAL);
    assert_null(rc_str_from_cstr(h, NULL));
    assert_int_equal(rc_heap_last_error(h), RC_EINVAL);
    rc_object *l = rc_list_new(h, 0);
    assert_null(rc_str_data(h, l));
    assert_int_equal(rc_heap_last_error(h), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(h), "rc_str_data: expected a str, got list");
    assert_int_equal(rc_str_len(h, rc_int_new(h, 4)), 0);
    assert_string_equal(rc_heap_errmsg(h), "rc_str_len: expected a str, got int");
    rc_decref(h, l);
    finish(h);
}

static void equal_strs_hash_equal_and_seed_changes_hash(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *a = rc_str_from_cstr(h, "the quick brown fox");
    rc_object *b = rc_str_from_cstr(h, "the quick brown fox");
    rc_object *c = rc_str_from_cstr(h, "the quick brown fax");
    assert_true(rc_equal(h, a, b));
    assert_false(rc_equal(h, a, c));
    assert_int_equal(rc_hash(h, a), rc_hash(h, b));
    assert_int_not_equal(rc_hash(h, a), rc_hash(h, c));
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.hash_seed = 12345;
    rc_heap *h2 = rc_heap_new(&cfg);
    rc_object *a2 = rc_str_from_cstr(h2, "the quick brown fox");
    assert_int_not_equal(rc_hash(h, a), rc_hash(h2, a2));
    rc_decref(h2, a2);
    finish(h2);
    rc_decref(h, a);
    rc_decref(h, b);
    rc_decref(h, c);
    finish(h);
}

static void long_str_lives_outside_pages(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    size_t n = 100000;
    char *text = test_malloc(n);
    memset(text, 'x', n);
    rc_object *s = rc_str_new(h, text, n);
    assert_non_null(s);
    assert_int_equal(rc_str_len(h, s), n);
    assert_memory_equal(rc_str_data(h, s), text, n);
    assert_int_equal(rc_str_data(h, s)[n], '\0');
    test_free(text);
    rc_decref(h, s);
    finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(str_keeps_bytes_and_nul),
        cmocka_unit_test(str_accepts_valid_utf8),
        cmocka_unit_test(str_rejects_invalid_utf8),
        cmocka_unit_test(str_errors),
        cmocka_unit_test(equal_strs_hash_equal_and_seed_changes_hash),
        cmocka_unit_test(long_str_lives_outside_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
