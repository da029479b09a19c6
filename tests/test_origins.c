/* Allocation sites (issue 4): the RC_RECORD_ORIGINS macros, recording on and off, the side
 * table under churn, sites in graph labels, growth reports and leak-guard reports, and the
 * AT rule (origin.c): a site is charged only to the object its call makes and returns.
 *
 * Calls written with the function name in parentheses, `(rc_list_new)(h, 0)`, are not
 * macro-expanded: they stand for code compiled without RC_RECORD_ORIGINS. */
#define _POSIX_C_SOURCE 200809L
#define RC_RECORD_ORIGINS
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

static rc_heap *recording_heap(void)
{
    rc_heap *h = rt_heap_new_exact();
    rc_origins_enable(h, true);
    return h;
}

static char *stream_text(FILE *f)
{
    long len = ftell(f);
    rewind(f);
    char *text = calloc((size_t)len + 1, 1);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return text;
}

static void assert_site(rc_heap *h, rc_object *obj, int line)
{
    rc_origin o = {NULL, 0};
    assert_true(rc_origin_of(h, obj, &o));
    assert_string_equal(o.file, __FILE__);
    assert_int_equal(o.line, line);
}

static void off_by_default_then_on_then_off(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    assert_false(rc_origins_enabled(h));
    rc_object *before = rc_list_new(h, 0);
    assert_false(rc_origin_of(h, before, NULL));

    rc_origins_enable(h, true);
    assert_true(rc_origins_enabled(h));
    int line = __LINE__ + 1;
    rc_object *during = rc_list_new(h, 0);
    assert_site(h, during, line);

    rc_origins_enable(h, false);
    rc_object *after = rc_dict_new(h);
    assert_false(rc_origin_of(h, after, NULL));
    assert_site(h, during, line); /* kept while the object lives */
    rc_decref(h, before);
    rc_decref(h, during);
    rc_decref(h, after);
    rt_heap_finish(h);
}

static void config_field_starts_recording(void **state)
{
    (void)state;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.gc_disabled = true;
    cfg.stress = false;
    cfg.record_origins = true;
    rc_heap *h = rt_heap_new_cfg(&cfg);
    assert_true(rc_origins_enabled(h));
    int line = __LINE__ + 1;
    rc_object *f = rc_float_new(h, 1.5);
    assert_site(h, f, line);
    rc_decref(h, f);
    rt_heap_finish(h);
}

static void every_constructor_records_its_line(void **state)
{
    (void)state;
    rc_heap *h = recording_heap();
    static const size_t offs[1] = {sizeof(rc_object)};
    rc_type_spec spec = {.size = sizeof spec,
                         .name = "node",
                         .instance_bytes = sizeof(rc_object) + sizeof(rc_object *),
                         .ref_offsets = offs,
                         .n_ref_offsets = 1};
    rc_type *node = rc_type_new(h, &spec);
    assert_non_null(node);
    rc_object *objs[13];
    int lines[13];
    int n = 0;
    rc_object *items[2] = {NULL, NULL};
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_new(h, node);
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_new_var(h, node, 64);
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_int_new(h, INT64_C(1) << 62); /* outside the small range: boxed */
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_float_new(h, 2.5);
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_str_new(h, "abc", 3);
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_str_from_cstr(h, "xyz");
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_tuple_new(h, 2, items);
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_list_new(h, 4);
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_dict_new(h);
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_repr(h, objs[7]);
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_weakref_new(h, objs[0], NULL, NULL);
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_weakset_new(h);
    lines[n] = __LINE__ + 1;
    objs[n++] = rc_weakproxy_new(h, objs[7], NULL, NULL);
    for (int i = 0; i < n; i++) {
        assert_non_null(objs[i]);
        assert_site(h, objs[i], lines[i]);
    }
    for (int i = n - 1; i >= 0; i--)
        rc_decref(h, objs[i]);
    rt_heap_finish(h);
}

static void weak_containers_record_their_line(void **state)
{
    (void)state;
    rc_heap *h = recording_heap();
    int line = __LINE__ + 1;
    rc_object *wv = rc_weakvaluedict_new(h), *wk = rc_weakkeydict_new(h);
    assert_site(h, wv, line);
    assert_site(h, wk, line);
    rc_decref(h, wv);
    rc_decref(h, wk);
    rt_heap_finish(h);
}

/* AT: small ints and failed calls make no object, and leave no site behind for the next
 * unannotated allocation to inherit. */
static void no_object_no_site_left_armed(void **state)
{
    (void)state;
    rc_heap *h = recording_heap();
    rc_object *small = rc_int_new(h, 5);
    assert_false(rc_origin_of(h, small, NULL));
    rc_object *plain = (rc_list_new)(h, 0);
    assert_false(rc_origin_of(h, plain, NULL));

    assert_null(rc_str_new(h, "\xff", 1)); /* invalid UTF-8: RC_EINVAL, no object */
    rc_object *plain2 = (rc_dict_new)(h);
    assert_false(rc_origin_of(h, plain2, NULL));
    rc_decref(h, plain);
    rc_decref(h, plain2);
    rt_heap_finish(h);
}

/* A finalizer that allocates, run by the collection an annotated allocation triggers: its
 * object is not charged to that allocation's site; the annotated object is. */
static rc_object *made_by_finalizer;

static void allocating_finalizer(rc_heap *heap, rc_object *self)
{
    (void)self;
    made_by_finalizer = (rc_list_new)(heap, 0);
}

static void collection_inside_allocation_does_not_take_the_site(void **state)
{
    (void)state;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.threshold[0] = 1;
    cfg.schedule = RC_GC_SCHEDULE_GENERATIONAL; /* an allocation over the threshold collects */
    cfg.record_origins = true;
    rc_heap *h = rt_heap_new_cfg(&cfg);
    static const size_t offs[1] = {sizeof(rc_object)};
    rc_type_spec spec = {.size = sizeof spec,
                         .name = "fin",
                         .instance_bytes = sizeof(rc_object) + sizeof(rc_object *),
                         .ref_offsets = offs,
                         .n_ref_offsets = 1,
                         .finalize = allocating_finalizer};
    rc_gc_disable(h);
    rc_type *fin = rc_type_new(h, &spec);
    rc_object *a = rc_new(h, fin);
    ((rc_object **)(a + 1))[0] = rc_newref(a); /* a self-cycle with a finalizer */
    rc_decref(h, a);
    made_by_finalizer = NULL;
    rc_gc_enable(h);
    int line = __LINE__ + 1;
    rc_object *l = rc_list_new(h, 0); /* over threshold 1: collects first */
    rc_gc_disable(h);
    assert_non_null(made_by_finalizer);
    assert_false(rc_origin_of(h, made_by_finalizer, NULL));
    assert_site(h, l, line);
    rc_decref(h, made_by_finalizer);
    rc_decref(h, l);
    rt_heap_finish(h);
}

/* The side table under churn: random creations and drops; every live object keeps its
 * own site, the per-site counts match, and rc_heap_check finds the tables consistent. */
static void table_survives_random_churn(void **state)
{
    (void)state;
    rc_heap *h = recording_heap();
    enum { N = 20000, ROUNDS = 200000 };
    rc_object **live = calloc(N, sizeof *live);
    int *line = calloc(N, sizeof *line);
    rt_rng rng;
    rt_rng_seed(&rng, 42);
    size_t expect[3] = {0, 0, 0};
    int site_line[3];
    for (int r = 0; r < ROUNDS; r++) {
        uint32_t i = rt_rng_below(&rng, N);
        if (live[i] != NULL) {
            for (int s = 0; s < 3; s++)
                if (line[i] == site_line[s])
                    expect[s]--;
            rc_decref(h, live[i]);
            live[i] = NULL;
            continue;
        }
        switch (rt_rng_below(&rng, 4)) {
        case 0:
            site_line[0] = line[i] = __LINE__ + 1;
            live[i] = rc_float_new(h, (double)r);
            expect[0]++;
            break;
        case 1:
            site_line[1] = line[i] = __LINE__ + 1;
            live[i] = rc_list_new(h, 0);
            expect[1]++;
            break;
        case 2:
            site_line[2] = line[i] = __LINE__ + 1;
            live[i] = rc_str_from_cstr(h, "churn");
            expect[2]++;
            break;
        default:
            line[i] = 0;
            live[i] = (rc_float_new)(h, 0.5);
            break;
        }
    }
    assert_int_equal(rc_heap_check(h), RC_OK);
    for (uint32_t i = 0; i < N; i++) {
        if (live[i] == NULL)
            continue;
        if (line[i] == 0)
            assert_false(rc_origin_of(h, live[i], NULL));
        else
            assert_site(h, live[i], line[i]);
    }
    rc_site_count sites[4];
    size_t kinds = rc_objgraph_most_common_sites(h, sites, 4);
    size_t want_kinds = (expect[0] != 0) + (expect[1] != 0) + (expect[2] != 0);
    assert_int_equal(kinds, want_kinds);
    for (size_t k = 0; k < kinds; k++) {
        int s = sites[k].line == site_line[0] ? 0 : sites[k].line == site_line[1] ? 1 : 2;
        assert_int_equal(sites[k].line, site_line[s]);
        assert_int_equal(sites[k].count, expect[s]);
        if (k > 0)
            assert_true(sites[k - 1].count >= sites[k].count);
    }
    assert_int_equal(rc_origins_lost(h), 0);
    for (uint32_t i = 0; i < N; i++)
        if (live[i] != NULL)
            rc_decref(h, live[i]);
    assert_int_equal(rc_objgraph_most_common_sites(h, sites, 4), 0);
    free(live);
    free(line);
    rt_heap_finish(h);
}

/* Cyclic garbage freed by a collection leaves the table too. */
static void collected_cycles_leave_the_table(void **state)
{
    (void)state;
    rc_heap *h = recording_heap();
    for (int i = 0; i < 1000; i++) {
        rc_object *a = rc_list_new(h, 0), *b = rc_list_new(h, 0);
        rc_list_append(h, a, b);
        rc_list_append_steal(h, b, a);
        rc_decref(h, b);
    }
    rc_site_count s[1];
    assert_int_equal(rc_objgraph_most_common_sites(h, s, 1), 1);
    assert_int_equal(s[0].count, 2000);
    assert_int_equal(rc_collect(h, 2), 2000);
    assert_int_equal(rc_objgraph_most_common_sites(h, s, 1), 0);
    assert_int_equal(rc_heap_check(h), RC_OK);
    rt_heap_finish(h);
}

static void graph_labels_show_the_site(void **state)
{
    (void)state;
    rc_heap *h = recording_heap();
    int line = __LINE__ + 1;
    rc_object *a = rc_list_new(h, 0);
    rc_object *plain = (rc_list_new)(h, 0);
    rc_list_append(h, a, plain);
    FILE *f = tmpfile();
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.output_stream = f;
    assert_int_equal(rc_graph_show_refs(h, &a, 1, &opt), RC_OK);
    char *dot = stream_text(f);
    char want[64];
    snprintf(want, sizeof want, "\\ntest_origins.c:%d\"", line);
    assert_non_null(strstr(dot, want));
    /* one site label only: the unannotated list has none */
    assert_null(strstr(strstr(dot, want) + strlen(want), "test_origins.c:"));
    free(dot);
    rc_decref(h, plain);
    rc_decref(h, a);
    rt_heap_finish(h);
}

static void growth_lists_sites_under_types(void **state)
{
    (void)state;
    rc_heap *h = recording_heap();
    rc_objgraph_peaks peaks;
    memset(&peaks, 0, sizeof peaks);
    peaks.size = sizeof peaks;
    FILE *f = tmpfile();
    assert_int_equal(rc_objgraph_show_growth(h, &peaks, 10, f), RC_OK);
    free(stream_text(f));

    rc_object *keep = (rc_list_new)(h, 0);
    int line_a = __LINE__ + 2;
    for (int i = 0; i < 30; i++)
        rc_list_append_steal(h, keep, rc_dict_new(h));
    int line_b = __LINE__ + 2;
    for (int i = 0; i < 20; i++)
        rc_list_append_steal(h, keep, rc_dict_new(h));
    for (int i = 0; i < 5; i++)
        rc_list_append_steal(h, keep, (rc_dict_new)(h));
    f = tmpfile();
    assert_int_equal(rc_objgraph_show_growth(h, &peaks, 10, f), RC_OK);
    char *text = stream_text(f);
    char want[512];
    snprintf(want, sizeof want, "dict       55       +55\n    at %s:%d +30\n    at %s:%d +20\nlist",
             __FILE__, line_a, __FILE__, line_b);
    if (strstr(text, want) == NULL)
        fail_msg("growth report:\n%s\nwanted:\n%s", text, want);
    free(text);

    /* no new growth: nothing, and the site peaks were kept */
    rc_site_count grew[4];
    assert_int_equal(rc_objgraph_site_growth(h, &peaks, grew, 4), 0);
    rc_list_append_steal(h, keep, rc_dict_new(h));
    int line_c = __LINE__ - 1;
    assert_int_equal(rc_objgraph_site_growth(h, &peaks, grew, 4), 1);
    assert_int_equal(grew[0].line, line_c);
    assert_int_equal(grew[0].delta, 1);
    assert_string_equal(grew[0].type_name, "dict");
    rc_objgraph_peaks_free(h, &peaks);
    rc_decref(h, keep);
    rt_heap_finish(h);
}

static void leak_guard_groups_by_site(void **state)
{
    (void)state;
    rc_heap *h = recording_heap();
    rc_object *global = (rc_list_new)(h, 0);
    rc_leak_guard g = {sizeof g, NULL};
    assert_int_equal(rc_leak_guard_begin(h, &g), RC_OK);
    int line = __LINE__ + 2;
    for (int i = 0; i < 3; i++)
        rc_list_append_steal(h, global, rc_float_new(h, i));
    rc_list_append_steal(h, global, (rc_float_new)(h, 9.0));
    rc_object *tmp = rc_list_new(h, 0); /* dropped before the end: not a leak */
    rc_decref(h, tmp);
    FILE *f = tmpfile();
    assert_int_equal(rc_leak_guard_end(h, &g, f), 4);
    char *text = stream_text(f);
    char want[256];
    snprintf(want, sizeof want, "float 4\n    at %s:%d 3\n    no recorded site 1\n", __FILE__,
             line);
    assert_string_equal(text, want);
    free(text);
    rc_decref(h, global);
    rt_heap_finish(h);
}

/* Out of memory while the side table grows: the object is still made, its site dropped,
 * and nothing leaks. Each allocator request in turn is refused once. */
static void table_growth_failure_keeps_the_object(void **state)
{
    (void)state;
    for (int64_t fail_at = 0; fail_at < 64; fail_at++) {
        rt_alloc a;
        rt_alloc_init(&a, -1);
        rc_heap_config cfg;
        rc_heap_config_init(&cfg);
        cfg.allocator = &a.iface;
        cfg.gc_disabled = true;
        cfg.stress = false;
        cfg.record_origins = true;
        rc_heap *h = rc_heap_new(&cfg);
        assert_non_null(h);
        a.fail_at = (int64_t)a.requests + fail_at;
        rc_object *objs[8];
        size_t made = 0;
        for (int i = 0; i < 8; i++) {
            objs[i] = rc_float_new(h, i);
            made += objs[i] != NULL;
        }
        size_t sited = 0;
        for (int i = 0; i < 8; i++)
            sited += objs[i] != NULL && rc_origin_of(h, objs[i], NULL);
        assert_int_equal(sited + rc_origins_lost(h), made);
        assert_int_equal(rc_heap_check(h), RC_OK);
        for (int i = 0; i < 8; i++)
            if (objs[i] != NULL)
                rc_decref(h, objs[i]);
        rc_heap_free(h);
        assert_int_equal(a.outstanding_blocks, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(off_by_default_then_on_then_off),
        cmocka_unit_test(config_field_starts_recording),
        cmocka_unit_test(every_constructor_records_its_line),
        cmocka_unit_test(weak_containers_record_their_line),
        cmocka_unit_test(no_object_no_site_left_armed),
        cmocka_unit_test(collection_inside_allocation_does_not_take_the_site),
        cmocka_unit_test(table_survives_random_churn),
        cmocka_unit_test(collected_cycles_leave_the_table),
        cmocka_unit_test(graph_labels_show_the_site),
        cmocka_unit_test(growth_lists_sites_under_types),
        cmocka_unit_test(leak_guard_groups_by_site),
        cmocka_unit_test(table_growth_failure_keeps_the_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
