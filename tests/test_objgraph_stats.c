/* Public-API tests of objgraph's counters on known heaps: count, most common types,
 * by_type, growth with peaks, leaking objects, at(address), the leak guard. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rcgc.h"
#include "rctest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Heaps come from rt_heap_new_exact (tests/support): collections happen only where a test
 * asks, also in RCGC_STRESS_GC builds, since the tests hold borrowed pointers to garbage. */

/* Runs fn's output into a string (free it). */
static char *read_all(FILE *f)
{
    long len = ftell(f);
    rewind(f);
    char *text = calloc((size_t)len + 1, 1);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return text;
}

/* 3 lists, 2 dicts, 4 floats, 1 str; the lists hold everything else. */
static rc_object *known_heap(rc_heap *h)
{
    rc_object *top = rc_list_new(h, 0);
    rc_object *a = rc_list_new(h, 0), *b = rc_list_new(h, 0);
    rc_list_append_steal(h, top, a);
    rc_list_append_steal(h, top, b);
    rc_list_append_steal(h, top, rc_dict_new(h));
    rc_list_append_steal(h, top, rc_dict_new(h));
    for (int i = 0; i < 4; i++)
        rc_list_append_steal(h, a, rc_float_new(h, i + 0.5));
    rc_list_append_steal(h, b, rc_str_from_cstr(h, "s"));
    rc_list_append_steal(h, b, rc_int_new(h, 7)); /* a small int: a value, not an object */
    return top;
}

static void counts_and_most_common_types(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *top = known_heap(h);
    assert_int_equal(rc_objgraph_count(h, "list"), 3);
    assert_int_equal(rc_objgraph_count(h, "float"), 4);
    assert_int_equal(rc_objgraph_count(h, "int"), 0);
    assert_int_equal(rc_objgraph_count(h, "nosuch"), 0);
    rc_type_count top3[3];
    assert_int_equal(rc_objgraph_most_common_types(h, top3, 3), 4);
    assert_string_equal(top3[0].name, "float");
    assert_int_equal(top3[0].count, 4);
    assert_string_equal(top3[1].name, "list");
    assert_string_equal(top3[2].name, "dict");
    FILE *f = tmpfile();
    assert_int_equal(rc_objgraph_show_most_common_types(h, 10, f), RC_OK);
    char *text = read_all(f);
    assert_string_equal(text, "float 4\nlist  3\ndict  2\nstr   1\n");
    free(text);
    rc_object *floats = rc_objgraph_by_type(h, "float");
    assert_int_equal(rc_list_len(h, floats), 4);
    rc_object *lists = rc_objgraph_by_type(h, "list");
    assert_int_equal(rc_list_len(h, lists), 4); /* top, a, b and floats; never itself */
    rc_decref(h, floats);
    rc_decref(h, lists);
    rc_decref(h, top);
    rt_heap_finish(h);
}

static void growth_reports_rises_above_peaks(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_objgraph_peaks peaks = {.size = sizeof peaks};
    rc_object *top = known_heap(h);
    rc_type_count out[8];
    assert_int_equal(rc_objgraph_growth(h, &peaks, out, 8), 4);
    assert_string_equal(out[0].name, "float");
    assert_int_equal(out[0].delta, 4);
    assert_int_equal(rc_objgraph_growth(h, &peaks, out, 8), 0);
    rc_list_append_steal(h, top, rc_list_new(h, 0));
    rc_list_append_steal(h, top, rc_list_new(h, 0));
    rc_list_append_steal(h, top, rc_dict_new(h));
    FILE *f = tmpfile();
    assert_int_equal(rc_objgraph_show_growth(h, &peaks, 10, f), RC_OK);
    char *text = read_all(f);
    assert_string_equal(text, "list        5        +2\ndict        3        +1\n");
    free(text);
    /* falling below the peak and coming back is not growth */
    rc_object *last = NULL;
    rc_list_pop(h, top, -1, &last);
    rc_decref(h, last);
    assert_int_equal(rc_objgraph_growth(h, &peaks, out, 8), 0);
    rc_list_append_steal(h, top, rc_dict_new(h));
    assert_int_equal(rc_objgraph_growth(h, &peaks, out, 8), 0);
    rc_objgraph_peaks_free(h, &peaks);
    rc_decref(h, top);
    rt_heap_finish(h);
}

static void leaking_objects_are_those_nothing_refers_to(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *top = known_heap(h);
    rc_object *lone = rc_str_from_cstr(h, "lone");
    rc_object *leaks = rc_objgraph_get_leaking_objects(h);
    assert_int_equal(rc_list_len(h, leaks), 2);
    bool saw_top = false, saw_lone = false;
    for (size_t i = 0; i < 2; i++) {
        rc_object *o = rc_list_get_borrow(h, leaks, (int64_t)i);
        saw_top |= o == top;
        saw_lone |= o == lone;
    }
    assert_true(saw_top && saw_lone);
    rc_decref(h, leaks);
    rc_decref(h, lone);
    rc_decref(h, top);
    rt_heap_finish(h);
}

static void at_finds_only_live_objects(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *top = known_heap(h);
    rc_object *got = rc_objgraph_at(h, (uintptr_t)top);
    assert_ptr_equal(got, top);
    assert_int_equal(rc_refcount(top), 2);
    rc_decref(h, got);
    assert_null(rc_objgraph_at(h, (uintptr_t)top + 8));
    assert_null(rc_objgraph_at(h, 12345));
    assert_null(rc_objgraph_at(h, 0));
    rc_decref(h, top);
    rt_heap_finish(h);
}

static void leak_guard_reports_survivors_by_type(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *keep = rc_list_new(h, 0);
    rc_leak_guard g = {.size = sizeof g};
    assert_int_equal(rc_leak_guard_begin(h, &g), RC_OK);
    /* code under test: leaks two floats and a dict into keep, makes a freed cycle */
    rc_list_append_steal(h, keep, rc_float_new(h, 1.5));
    rc_list_append_steal(h, keep, rc_float_new(h, 2.5));
    rc_list_append_steal(h, keep, rc_dict_new(h));
    rc_object *a = rc_list_new(h, 0), *b = rc_list_new(h, 0);
    rc_list_append(h, a, b);
    rc_list_append(h, b, a);
    rc_decref(h, a);
    rc_decref(h, b);
    rc_decref(h, rc_str_from_cstr(h, "temporary"));
    FILE *f = tmpfile();
    assert_int_equal(rc_leak_guard_end(h, &g, f), 3);
    char *text = read_all(f);
    assert_string_equal(text, "float 2\ndict 1\n");
    free(text);
    assert_int_equal(rc_leak_guard_end(h, &g, NULL), -1); /* not begun */
    assert_int_equal(rc_heap_last_error(h), RC_EINVAL);
    /* nothing new: zero */
    assert_int_equal(rc_leak_guard_begin(h, &g), RC_OK);
    assert_int_equal(rc_leak_guard_end(h, &g, NULL), 0);
    rc_decref(h, keep);
    rt_heap_finish(h);
}

/* A guard begun and never ended: rc_heap_free frees its snapshot with everything else
 * (before, 4,128 bytes stayed allocated). Two guards, one ended, one not. */
static void leak_guard_never_ended_is_freed_with_the_heap(void **state)
{
    (void)state;
    rt_alloc fa;
    rt_alloc_init(&fa, -1);
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.allocator = &fa.iface;
    rc_heap *h = rt_heap_new_cfg(&cfg);
    rc_object *l = rc_list_new(h, 0);
    rc_leak_guard g1 = {.size = sizeof g1}, g2 = {.size = sizeof g2}, g3 = {.size = sizeof g3};
    assert_int_equal(rc_leak_guard_begin(h, &g1), RC_OK);
    assert_int_equal(rc_leak_guard_begin(h, &g2), RC_OK);
    assert_int_equal(rc_leak_guard_begin(h, &g3), RC_OK);
    assert_int_equal(rc_leak_guard_end(h, &g2, NULL), 0);
    rc_decref(h, l);
    rt_heap_finish(h);
    assert_int_equal(fa.outstanding_bytes, 0);
    assert_int_equal(fa.outstanding_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_and_most_common_types),
        cmocka_unit_test(leak_guard_never_ended_is_freed_with_the_heap),
        cmocka_unit_test(growth_reports_rises_above_peaks),
        cmocka_unit_test(leaking_objects_are_those_nothing_refers_to),
        cmocka_unit_test(at_finds_only_live_objects),
        cmocka_unit_test(leak_guard_reports_survivors_by_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
