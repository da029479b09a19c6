/* Caller-supplied allocation sites (issue 17, item 3): rc_origin_set, rc_origin_set_line,
 * rc_origin_current. */
#include "rctest.h"

#include <stdio.h>
#include <string.h>

static void site_of(rc_heap *h, rc_object *o, const char *file, int line)
{
    rc_origin got;
    assert_true(rc_origin_of(h, o, &got));
    assert_string_equal(got.file, file);
    assert_int_equal(got.line, line);
}

static void objects_made_now_get_the_site(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new();
    rc_origins_enable(h, true);
    const rc_type *pt = rt_pair_type(h);
    char name[32];
    snprintf(name, sizeof name, "script.scm");
    assert_int_equal(rc_origin_set(h, name, 12), RC_OK);
    strcpy(name, "overwritten"); /* the heap has its own copy */
    rc_object *l = rt_list(h);
    rc_object *s = rc_str_from_cstr(h, "text");
    rc_object *p = rt_pair_new(h, pt, 1);
    rc_object *w1 = rc_weakref_new(h, p, NULL, NULL);
    rc_object *w2 = rc_weakref_new(h, l, NULL, NULL);
    rc_object *w3 = rc_weakref_new(h, l, NULL, NULL); /* l's basic weakref again: shared */
    assert_ptr_equal(w3, w2);
    rc_object *all[] = {l, s, p, w1, w2, w3};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        site_of(h, all[i], "script.scm", 12);
    rc_origin a, b;
    assert_true(rc_origin_of(h, l, &a));
    assert_true(rc_origin_of(h, s, &b));
    assert_ptr_equal(a.file, b.file); /* one copy */
    rc_origin cur;
    assert_true(rc_origin_current(h, &cur));
    assert_ptr_equal(cur.file, a.file);
    assert_int_equal(cur.line, 12);

    rc_origin_set_line(h, 13);
    rc_object *d = rt_dict(h);
    site_of(h, d, "script.scm", 13);
    /* The caller's site wins over the C site of the RC_RECORD_ORIGINS wrappers. */
    rc_object *viamacro = rc__list_new_at(h, 0, "lisp.c", 433);
    site_of(h, viamacro, "script.scm", 13);

    /* Reports show it. */
    rc_site_count top[4];
    size_t n = rc_objgraph_most_common_sites(h, top, 4);
    assert_true(n >= 2);
    bool seen = false;
    for (size_t i = 0; i < n && i < 4; i++)
        if (strcmp(top[i].file, "script.scm") == 0 && top[i].line == 12 &&
            strcmp(top[i].type_name, "weakref") == 0) {
            assert_int_equal(top[i].count, 2); /* w1 and the shared w2 == w3 */
            seen = true;
        }
    assert_true(seen);

    /* Unset: objects get no site (no macro here). */
    assert_int_equal(rc_origin_set(h, NULL, 0), RC_OK);
    assert_false(rc_origin_current(h, NULL));
    rc_object *none = rt_list(h);
    assert_false(rc_origin_of(h, none, NULL));
    /* Without the macros and without a set site the C site applies again. */
    rc_object *csite = rc__list_new_at(h, 0, "lisp.c", 433);
    site_of(h, csite, "lisp.c", 433);

    rc_object *rest[] = {none, csite, viamacro, d, w3, w2, w1, p, s, l};
    for (size_t i = 0; i < sizeof rest / sizeof rest[0]; i++)
        rc_decref(h, rest[i]);
    rt_heap_finish(h);
}

static void on_death(rc_heap *h, rc_object *wr, void *user)
{
    (void)h;
    (void)wr;
    (void)user;
}

/* rc_weakref_new's fast path (a callback, a referent that already has a weakref entry)
 * records the site too, and stops recording when the site is unset or recording is off. */
static void weakrefs_with_callbacks_get_the_site(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new();
    rc_object *p = rt_pair_new(h, rt_pair_type(h), 1);
    rc_object *w0 = rc_weakref_new(h, p, on_death, NULL); /* the type and p's entry exist */
    assert_false(rc_origin_of(h, w0, NULL));
    rc_origins_enable(h, true);
    assert_int_equal(rc_origin_set(h, "weak.scm", 7), RC_OK);
    rc_object *w1 = rc_weakref_new(h, p, on_death, NULL);
    site_of(h, w1, "weak.scm", 7);
    rc_origin_set_line(h, 8);
    rc_object *w2 = rc_weakref_new(h, p, on_death, NULL);
    site_of(h, w2, "weak.scm", 8);
    rc_origins_enable(h, false); /* the site stays set, recording is off */
    rc_object *w3 = rc_weakref_new(h, p, on_death, NULL);
    assert_false(rc_origin_of(h, w3, NULL));
    rc_origins_enable(h, true);
    rc_object *w4 = rc_weakref_new(h, p, on_death, NULL);
    site_of(h, w4, "weak.scm", 8);
    assert_int_equal(rc_origin_set(h, NULL, 0), RC_OK);
    rc_object *w5 = rc_weakref_new(h, p, on_death, NULL);
    assert_false(rc_origin_of(h, w5, NULL));
    assert_int_equal(rc_weakref_count(h, p), 6);
    rc_object *all[] = {w5, w4, w3, w2, w1, w0, p};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        rc_decref(h, all[i]);
    rt_heap_finish(h);
}

static void interning_and_recording_switch(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new();
    char one[16] = "lib.scm", two[16] = "lib.scm";
    assert_int_equal(rc_origin_set(h, one, 1), RC_OK);
    rc_origin first;
    assert_true(rc_origin_current(h, &first));
    assert_ptr_not_equal(first.file, one);
    assert_int_equal(rc_origin_set(h, "main.scm", 5), RC_OK);
    assert_int_equal(rc_origin_set(h, two, 2), RC_OK);
    rc_origin again;
    assert_true(rc_origin_current(h, &again));
    assert_ptr_equal(again.file, first.file);
    assert_int_equal(again.line, 2);
    /* Saving and restoring through rc_origin_current. */
    assert_int_equal(rc_origin_set(h, first.file, 40), RC_OK);
    assert_true(rc_origin_current(h, &again));
    assert_ptr_equal(again.file, first.file);

    /* Recording off: a set site records nothing; on again: it applies. */
    rc_object *off = rt_list(h);
    assert_false(rc_origin_of(h, off, NULL));
    rc_origins_enable(h, true);
    rc_object *on = rt_list(h);
    site_of(h, on, "lib.scm", 40);
    rc_origins_enable(h, false);
    rc_object *off2 = rt_list(h);
    assert_false(rc_origin_of(h, off2, NULL));

    assert_int_equal(rc_origin_set(h, "x.scm", -1), RC_EINVAL);
    assert_string_equal(rc_heap_errmsg(h), "rc_origin_set: line -1 is negative");
    assert_true(rc_origin_current(h, &again)); /* unchanged */
    assert_int_equal(again.line, 40);
    rc_origin_set_line(h, -5); /* ignored */
    assert_true(rc_origin_current(h, &again));
    assert_int_equal(again.line, 40);
    rc_decref(h, off);
    rc_decref(h, on);
    rc_decref(h, off2);
    rt_heap_finish(h);
}

/* Out of memory copying the name: RC_ENOMEM, the previous site stays. */
static void out_of_memory_keeps_previous_site(void **state)
{
    (void)state;
    for (int64_t fail = 0; fail < 64; fail++) {
        rt_alloc a;
        rt_alloc_init(&a, -1);
        rc_heap_config cfg;
        rc_heap_config_init(&cfg);
        cfg.allocator = &a.iface;
        rc_heap *h = rt_heap_new_cfg(&cfg);
        assert_int_equal(rc_origin_set(h, "kept.scm", 3), RC_OK);
        a.fail_at = (int64_t)a.requests + fail;
        rc_status st = rc_origin_set(h, "new.scm", 4);
        rc_origin cur;
        assert_true(rc_origin_current(h, &cur));
        if (st == RC_OK) {
            assert_string_equal(cur.file, "new.scm");
            a.fail_at = -1;
            rt_heap_finish(h);
            assert_int_equal(a.outstanding_bytes, 0);
            return; /* every earlier request has failed once */
        }
        assert_int_equal(st, RC_ENOMEM);
        assert_string_equal(rc_heap_errmsg(h),
                            "rc_origin_set: out of memory copying file name 'new.scm'");
        assert_string_equal(cur.file, "kept.scm");
        assert_int_equal(cur.line, 3);
        a.fail_at = -1;
        rt_heap_finish(h);
        assert_int_equal(a.outstanding_bytes, 0);
    }
    fail_msg("rc_origin_set never succeeded");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(objects_made_now_get_the_site),
        cmocka_unit_test(weakrefs_with_callbacks_get_the_site),
        cmocka_unit_test(interning_and_recording_switch),
        cmocka_unit_test(out_of_memory_keeps_previous_site),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
