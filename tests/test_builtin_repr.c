/* Public-API tests of rc_repr and rc_repr_into: Python formatting of every built-in,
 * cycles shown as [...], truncation, user repr functions, deep nesting. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rcgc.h"

static void finish(rc_heap *h)
{
    assert_int_equal(rc_heap_check(h), RC_OK);
    rc_heap_free(h);
}

/* Asserts that obj's repr (both forms) is want. */
static void check_repr(rc_heap *h, rc_object *obj, const char *want)
{
    char buf[256];
    size_t n = rc_repr_into(h, obj, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
    rc_object *s = rc_repr(h, obj);
    assert_non_null(s);
    assert_string_equal(rc_str_data(h, s), want);
    rc_decref(h, s);
}

/* Checks and releases obj. */
static void check_repr_drop(rc_heap *h, rc_object *obj, const char *want)
{
    check_repr(h, obj, want);
    rc_decref(h, obj);
}

static void numbers_and_none(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    check_repr(h, NULL, "None");
    check_repr(h, rc_int_new(h, 0), "0");
    check_repr(h, rc_int_new(h, -42), "-42");
    check_repr_drop(h, rc_int_new(h, INT64_MIN), "-9223372036854775808");
    check_repr_drop(h, rc_int_new(h, INT64_MAX), "9223372036854775807");
    struct {
        double v;
        const char *want;
    } floats[] = {{0.0, "0.0"},       {-0.0, "-0.0"},
                  {1.0, "1.0"},       {1.5, "1.5"},
                  {0.1, "0.1"},       {1.0 / 3, "0.3333333333333333"},
                  {1e16, "1e+16"},    {1e15, "1000000000000000.0"},
                  {1e-5, "1e-05"},    {0.0001, "0.0001"},
                  {1e100, "1e+100"},  {2.5e-7, "2.5e-07"},
                  {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
                  {INFINITY, "inf"},  {-INFINITY, "-inf"},
                  {NAN, "nan"},       {123456789.0, "123456789.0"}};
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
        check_repr_drop(h, rc_float_new(h, floats[i].v), floats[i].want);
    finish(h);
}

static void strings_are_quoted_and_escaped(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    check_repr_drop(h, rc_str_from_cstr(h, "abc"), "'abc'");
    check_repr_drop(h, rc_str_from_cstr(h, ""), "''");
    check_repr_drop(h, rc_str_from_cstr(h, "it's"), "\"it's\"");
    check_repr_drop(h, rc_str_from_cstr(h, "say \"hi\""), "'say \"hi\"'");
    check_repr_drop(h, rc_str_from_cstr(h, "both ' and \""), "'both \\' and \"'");
    check_repr_drop(h, rc_str_from_cstr(h, "a\nb\tc\rd\\e"), "'a\\nb\\tc\\rd\\\\e'");
    check_repr_drop(h, rc_str_new(h, "\x00\x01\x1f\x7f", 4), "'\\x00\\x01\\x1f\\x7f'");
    check_repr_drop(h, rc_str_from_cstr(h, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
                    "'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80'");
    check_repr_drop(h, rc_str_from_cstr(h, "\xc2\x85"), "'\\x85'");
    finish(h);
}

static void containers_like_python(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *one = rc_int_new(h, 1), *two = rc_int_new(h, 2);
    rc_object *pair[2] = {one, two};
    check_repr_drop(h, rc_tuple_new(h, 0, NULL), "()");
    check_repr_drop(h, rc_tuple_new(h, 1, pair), "(1,)");
    check_repr_drop(h, rc_tuple_new(h, 2, pair), "(1, 2)");
    rc_object *l = rc_list_new(h, 0);
    check_repr(h, l, "[]");
    rc_list_append(h, l, one);
    rc_list_append_steal(h, l, rc_str_from_cstr(h, "x"));
    rc_list_append(h, l, NULL);
    rc_list_append_steal(h, l, rc_tuple_new(h, 1, pair));
    rc_list_append_steal(h, l, rc_list_new(h, 0));
    check_repr(h, l, "[1, 'x', None, (1,), []]");
    rc_object *d = rc_dict_new(h);
    check_repr(h, d, "{}");
    rc_object *k = rc_str_from_cstr(h, "a");
    rc_dict_set(h, d, k, one);
    rc_dict_set(h, d, two, l);
    rc_object *tk = rc_tuple_new(h, 2, pair), *empty = rc_dict_new(h);
    rc_dict_set(h, d, tk, empty);
    rc_decref(h, empty);
    check_repr(h, d, "{'a': 1, 2: [1, 'x', None, (1,), []], (1, 2): {}}");
    rc_dict_del(h, d, two);
    check_repr(h, d, "{'a': 1, (1, 2): {}}");
    rc_decref(h, k);
    rc_decref(h, tk);
    rc_decref(h, l);
    rc_decref(h, d);
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_int_equal(st.live_objects, 0);
    finish(h);
}

static void none_key_and_nested_dict(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *d = rc_dict_new(h), *inner = rc_dict_new(h);
    rc_dict_set(h, d, NULL, inner);
    rc_decref(h, inner);
    check_repr(h, d, "{None: {}}");
    rc_decref(h, d);
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_int_equal(st.live_objects, 0);
    finish(h);
}

static void cycles_print_as_ellipsis(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = rc_list_new(h, 0);
    rc_list_append(h, l, rc_int_new(h, 1));
    rc_list_append(h, l, l);
    check_repr(h, l, "[1, [...]]");
    rc_object *d = rc_dict_new(h);
    rc_dict_set(h, d, rc_int_new(h, 0), d);
    rc_dict_set(h, d, rc_int_new(h, 1), l);
    check_repr(h, d, "{0: {...}, 1: [1, [...]]}");
    rc_object *t = rc_tuple_new(h, 1, &l);
    rc_list_append(h, l, t);
    check_repr(h, t, "([1, [...], (...)],)");
    rc_list_clear(h, l);
    rc_dict_del(h, d, rc_int_new(h, 0));
    check_repr(h, d, "{1: []}");
    rc_decref(h, t);
    rc_decref(h, d);
    rc_decref(h, l);
    finish(h);
}

static void repr_into_truncates_with_dots(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = rc_list_new(h, 0);
    for (int i = 0; i < 100; i++)
        rc_list_append(h, l, rc_int_new(h, i));
    char buf[16];
    size_t n = rc_repr_into(h, l, buf, sizeof buf);
    assert_int_equal(n, 15);
    assert_string_equal(buf, "[0, 1, 2, 3,...");
    char exact[8];
    rc_object *s = rc_str_from_cstr(h, "abcde"); /* 'abcde' is 7 bytes: fits in 8 */
    assert_int_equal(rc_repr_into(h, s, exact, sizeof exact), 7);
    assert_string_equal(exact, "'abcde'");
    assert_int_equal(rc_repr_into(h, s, exact, 7), 6);
    assert_string_equal(exact, "'ab...");
    char tiny[3];
    assert_int_equal(rc_repr_into(h, s, tiny, sizeof tiny), 2);
    assert_string_equal(tiny, "..");
    assert_int_equal(rc_repr_into(h, s, tiny, 1), 0);
    assert_string_equal(tiny, "");
    rc_object *e = rc_str_from_cstr(h, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac");
    char cut[8]; /* "'€€€'" is 11 bytes; keep whole characters before the dots */
    n = rc_repr_into(h, e, cut, sizeof cut);
    assert_string_equal(cut, "'\xe2\x82\xac...");
    assert_int_equal(n, 7);
    rc_decref(h, e);
    rc_decref(h, s);
    rc_decref(h, l);
    finish(h);
}

/* A user type with and without a repr function. */
typedef struct point {
    rc_object hdr;
    rc_object *x;
} point;

static rc_status point_repr(rc_heap *h, rc_object *self, rc_strbuf *out)
{
    char inner[64];
    rc_repr_into(h, ((point *)self)->x, inner, sizeof inner);
    return rc_strbuf_printf(out, "Point(x=%s)", inner);
}

static void user_types_use_their_repr_or_the_default(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    size_t off = offsetof(point, x);
    rc_type_spec spec = {.size = sizeof spec,
                         .name = "Point",
                         .instance_bytes = sizeof(point),
                         .ref_offsets = &off,
                         .n_ref_offsets = 1,
                         .repr = point_repr};
    rc_type *pt = rc_type_new(h, &spec);
    spec.name = "Plain";
    spec.repr = NULL;
    rc_type *plain = rc_type_new(h, &spec);
    rc_object *p = rc_new(h, pt), *q = rc_new(h, plain);
    rc_object *l = rc_list_new(h, 0);
    ((point *)p)->x = rc_newref(l);
    rc_list_append(h, l, p);
    check_repr(h, p, "Point(x=[Point(x=[...])])");
    char want[64], got[64];
    snprintf(want, sizeof want, "<Plain object at %p>", (void *)q);
    rc_repr_into(h, q, got, sizeof got);
    assert_string_equal(got, want);
    rc_list_clear(h, l);
    rc_decref(h, l);
    rc_decref(h, p);
    rc_decref(h, q);
    finish(h);
}

static rc_status bad_repr(rc_heap *h, rc_object *self, rc_strbuf *out)
{
    (void)h;
    (void)self;
    return rc_strbuf_append(out, "\xff", 1);
}

static rc_status failing_repr(rc_heap *h, rc_object *self, rc_strbuf *out)
{
    (void)h;
    (void)self;
    (void)out;
    return RC_EINVAL;
}

static void failing_user_repr_propagates_and_clears_busy(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_type_spec spec = {
        .size = sizeof spec, .name = "Bad", .instance_bytes = sizeof(rc_object), .repr = bad_repr};
    rc_type *bad = rc_type_new(h, &spec);
    spec.name = "Failing";
    spec.repr = failing_repr;
    rc_type *failing = rc_type_new(h, &spec);
    rc_object *b = rc_new(h, bad), *f = rc_new(h, failing), *l = rc_list_new(h, 0);
    rc_list_append(h, l, b);
    assert_null(rc_repr(h, l));
    assert_int_equal(rc_heap_last_error(h), RC_EINVAL);
    assert_string_equal(rc_heap_errmsg(h), "rc_repr: a type's repr function wrote invalid UTF-8");
    rc_list_set(h, l, 0, f);
    rc_heap_clear_error(h);
    assert_null(rc_repr(h, l));
    assert_int_equal(rc_heap_last_error(h), RC_EINVAL);
    assert_string_equal(rc_heap_errmsg(h),
                        "rc_repr: the repr function of type Failing failed: invalid argument");
    rc_list_clear(h, l);
    check_repr(h, l, "[]"); /* not [...]: the busy mark was cleared on the error path */
    rc_decref(h, b);
    rc_decref(h, f);
    rc_decref(h, l);
    finish(h);
}

static void huge_list_truncated_early(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = rc_list_new(h, 1000000);
    for (int i = 0; i < 1000000; i++)
        rc_list_append(h, l, rc_int_new(h, 1234567));
    char buf[60];
    assert_int_equal(rc_repr_into(h, l, buf, sizeof buf), 59);
    assert_memory_equal(buf + 56, "...", 4);
    rc_decref(h, l);
    finish(h);
}

static void deep_nesting_without_recursion(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    enum { DEPTH = 1000000 };
    rc_object *outer = rc_list_new(h, 0);
    for (int i = 0; i < DEPTH; i++) {
        rc_object *l = rc_list_new(h, 1);
        rc_list_append_steal(h, l, outer);
        outer = l;
    }
    rc_object *s = rc_repr(h, outer);
    assert_non_null(s);
    assert_int_equal(rc_str_len(h, s), 2 * (size_t)(DEPTH + 1));
    const char *text = rc_str_data(h, s);
    assert_int_equal(text[0], '[');
    assert_int_equal(text[DEPTH], '[');
    assert_int_equal(text[DEPTH + 1], ']');
    rc_decref(h, s);
    char buf[32];
    assert_int_equal(rc_repr_into(h, outer, buf, sizeof buf), 31);
    assert_string_equal(buf, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[...");
    rc_decref(h, outer);
    finish(h);
}

static void busy_flags_are_cleared(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *l = rc_list_new(h, 0), *inner = rc_list_new(h, 0);
    rc_list_append(h, inner, rc_int_new(h, 5));
    for (int i = 0; i < 50; i++)
        rc_list_append(h, l, inner);
    char buf[10];
    rc_repr_into(h, l, buf, sizeof buf); /* stops inside inner */
    check_repr(h, inner, "[5]");         /* not shown as [...] */
    rc_decref(h, inner);
    rc_decref(h, l);
    finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_and_none),
        cmocka_unit_test(strings_are_quoted_and_escaped),
        cmocka_unit_test(containers_like_python),
        cmocka_unit_test(none_key_and_nested_dict),
        cmocka_unit_test(cycles_print_as_ellipsis),
        cmocka_unit_test(repr_into_truncates_with_dots),
        cmocka_unit_test(user_types_use_their_repr_or_the_default),
        cmocka_unit_test(failing_user_repr_propagates_and_clears_busy),
        cmocka_unit_test(huge_list_truncated_early),
        cmocka_unit_test(deep_nesting_without_recursion),
        cmocka_unit_test(busy_flags_are_cleared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
