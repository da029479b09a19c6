/*
 * test_heap_error_contract.c -- the error contract (heap.c, ERRORS; internal.h, SIZE): a
 * successful call leaves the caller's last error alone; every failure leaves a message
 * naming the call, const getters included; every size-versioned struct is checked by one
 * rule with one wording; and work lost for lack of memory during a collection or a release
 * (a finalizer, a weakref callback, an object for rc_gc_garbage) is counted in
 * rc_heap_stats, not only said in the last error.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "rctest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void assert_message_has(const rc_heap *heap, const char *part)
{
    if (strstr(rc_heap_errmsg(heap), part) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", rc_heap_errmsg(heap), part);
}

/* Sets a known last error: rc_collect of a generation out of range. */
static void set_known_error(rc_heap *heap)
{
    assert_int_equal(rc_collect(heap, 7), -1);
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    assert_message_has(heap, "rc_collect: generation 7");
}

static void show_growth_success_keeps_the_callers_last_error(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *keep = rt_list(heap);
    rc_objgraph_peaks peaks = {.size = sizeof peaks};
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    set_known_error(heap);
    assert_int_equal(rc_objgraph_show_growth(heap, &peaks, 10, out), RC_OK);
    fclose(out);
    assert_non_null(strstr(text, "list"));
    free(text);
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    assert_message_has(heap, "rc_collect: generation 7");
    rc_objgraph_peaks_free(heap, &peaks);
    rc_decref(heap, keep);
    rt_heap_finish(heap);
}

static void show_growth_failure_names_itself(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_objgraph_peaks peaks = {.size = 1};
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(rc_objgraph_show_growth(heap, &peaks, 10, out), RC_EINVAL);
    fclose(out);
    assert_message_has(heap, "rc_objgraph_show_growth: peaks->size is 1, expected");
    rt_heap_finish(heap);
}

static void gc_get_stats_failures_leave_a_message(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_heap *ro = heap;
    rc_gc_stats st = {.size = sizeof st};
    assert_int_equal(rc_gc_get_stats(ro, 3, &st), RC_EINVAL);
    assert_message_has(heap, "rc_gc_get_stats: generation 3 out of range");
    rc_heap_clear_error(heap);
    assert_int_equal(rc_gc_get_stats(ro, 0, NULL), RC_EINVAL);
    assert_message_has(heap, "rc_gc_get_stats: out is NULL");
    rc_heap_clear_error(heap);
    st.size = 0;
    assert_int_equal(rc_gc_get_stats(ro, 0, &st), RC_EINVAL);
    assert_message_has(heap, "rc_gc_get_stats: out->size is 0, expected at least");
    /* A success leaves the last error alone. */
    st.size = sizeof st;
    assert_int_equal(rc_gc_get_stats(ro, 0, &st), RC_OK);
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    rt_heap_finish(heap);
}

static void heap_get_stats_failures_leave_a_message(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_heap *ro = heap;
    assert_int_equal(rc_heap_get_stats(ro, NULL), RC_EINVAL);
    assert_message_has(heap, "rc_heap_get_stats: out is NULL");
    rc_heap_clear_error(heap);
    rc_heap_stats st = {.size = 3};
    assert_int_equal(rc_heap_get_stats(ro, &st), RC_EINVAL);
    assert_message_has(heap, "rc_heap_get_stats: out->size is 3, expected at least");
    rt_heap_finish(heap);
}

/* An older rc_heap_stats (ending at total_freed) gets exactly its fields. */
static void heap_stats_of_an_older_layout_gets_its_fields_only(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_heap_stats st;
    memset(&st, 0xAB, sizeof st);
    st.size = offsetof(rc_heap_stats, lost_finalizers);
    assert_int_equal(rc_heap_get_stats(heap, &st), RC_OK);
    assert_int_equal(st.size, offsetof(rc_heap_stats, lost_finalizers));
    unsigned char ab[sizeof st.lost_finalizers];
    memset(ab, 0xAB, sizeof ab);
    assert_memory_equal(&st.lost_finalizers, ab, sizeof ab);
    rt_heap_finish(heap);
}

static rc_status bad_repr(rc_heap *heap, rc_object *self, rc_strbuf *out)
{
    (void)heap;
    (void)self;
    return rc_strbuf_append(out, NULL, 3);
}

static rc_status bad_format_repr(rc_heap *heap, rc_object *self, rc_strbuf *out)
{
    (void)heap;
    (void)self;
    const char *fmt = NULL;
    return rc_strbuf_printf(out, fmt);
}

static void strbuf_failures_leave_a_message(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_type_spec spec = {.size = sizeof spec, .name = "bad", .instance_bytes = sizeof(rc_object)};
    spec.repr = bad_repr;
    const rc_type *bad = rc_type_new(heap, &spec);
    spec.name = "badfmt";
    spec.repr = bad_format_repr;
    const rc_type *badfmt = rc_type_new(heap, &spec);
    assert_non_null(bad);
    assert_non_null(badfmt);
    rc_object *a = rc_new(heap, bad), *b = rc_new(heap, badfmt);
    assert_null(rc_repr(heap, a));
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    assert_message_has(heap, "rc_strbuf_append: NULL bytes with length 3");
    rc_heap_clear_error(heap);
    assert_null(rc_repr(heap, b));
    assert_message_has(heap, "rc_strbuf_printf: fmt is NULL");
    rc_decref(heap, a);
    rc_decref(heap, b);
    rt_heap_finish(heap);
}

/* SIZE: one rule, one wording, for every size-versioned struct a call reads. */
static void every_size_versioned_struct_is_checked_the_same_way(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *obj = rt_list(heap);

    rc_process_memory pm = {.size = 5};
    assert_int_equal(rc_process_memory_get(heap, &pm), RC_EINVAL);
    assert_message_has(heap, "rc_process_memory_get: out->size is 5, expected");
    assert_int_equal(rc_process_memory_get(NULL, &pm), RC_EINVAL); /* no heap, no message */

    rc_leak_guard guard = {.size = 0};
    assert_int_equal(rc_leak_guard_begin(heap, &guard), RC_EINVAL);
    assert_message_has(heap, "rc_leak_guard_begin: guard->size is 0, expected");
    assert_int_equal(rc_leak_guard_end(heap, &guard, NULL), -1);
    assert_message_has(heap, "rc_leak_guard_end: guard->size is 0, expected");

    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.output_stream = stdout;
    opt.size = 1;
    assert_int_equal(rc_graph_show_refs(heap, &obj, 1, &opt), RC_EINVAL);
    assert_message_has(heap, "rc_graph_show_refs: opt->size is 1, expected");
    rc_graph_result res = {.size = 2};
    rc_graph_options_init(&opt);
    opt.output_stream = stdout;
    opt.result = &res;
    assert_int_equal(rc_graph_show_refs(heap, &obj, 1, &opt), RC_EINVAL);
    assert_message_has(heap, "rc_graph_show_refs: opt->result->size is 2, expected");

    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.size = 9;
    assert_null(rc_heap_new(&cfg));

    rc_decref(heap, obj);
    rt_heap_finish(heap);
}

static void noop_finalize(rc_heap *heap, void *user)
{
    (void)heap;
    (*(int *)user)++;
}

static void finalize_info_size_is_checked(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *obj = rt_list(heap);
    int runs = 0;
    rc_object *f = rc_finalize_new(heap, obj, noop_finalize, &runs, NULL);
    assert_non_null(f);
    rc_finalize_info info = {.size = 4};
    assert_int_equal(rc_finalize_peek(heap, f, &info), RC_EINVAL);
    assert_message_has(heap, "rc_finalize_peek: out->size is 4, expected");
    rc_decref(heap, obj);
    assert_int_equal(runs, 1);
    rc_decref(heap, f);
    rt_heap_finish(heap);
}

/* ---- lost work, counted ---------------------------------------------------------------- */

static void count_call(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    (void)wr;
    (*(int *)user)++;
}

static rc_heap *failing_heap(rt_alloc *a)
{
    rt_alloc_init(a, -1);
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.allocator = &a->iface;
    cfg.gc_disabled = true;
    cfg.stress = false;
    cfg.schedule = RC_GC_SCHEDULE_GENERATIONAL;
    return rt_heap_new_cfg(&cfg);
}

static void fail_from_now(rt_alloc *a)
{
    a->fail_at = (int64_t)a->requests;
    a->fail_all_after = true;
}

static void fail_never(rt_alloc *a)
{
    a->fail_at = -1;
    a->fail_all_after = false;
}

static void weakref_callback_dropped_for_lack_of_memory_is_counted(void **state)
{
    (void)state;
    rt_alloc a;
    rc_heap *heap = failing_heap(&a);
    int calls = 0;
    rc_object *obj = rt_list(heap);
    rc_object *wr = rc_weakref_new(heap, obj, count_call, &calls);
    assert_non_null(wr);
    assert_int_equal(rt_stats(heap).lost_callbacks, 0);
    fail_from_now(&a);
    rc_decref(heap, obj); /* the callback queue cannot be allocated */
    fail_never(&a);
    assert_int_equal(calls, 0);
    assert_int_equal(rt_stats(heap).lost_callbacks, 1);
    assert_int_equal(rc_heap_last_error(heap), RC_ENOMEM);
    assert_message_has(heap, "weakref callback");
    rc_decref(heap, wr);
    rt_heap_finish(heap);
}

static int finalized;

static void count_finalize(rc_heap *heap, rc_object *self)
{
    (void)heap;
    (void)self;
    finalized++;
}

/* An untracked object with a finalizer, held only by a garbage cycle, dies in the
 * collection's release phase, where its finalizer must wait for the end of the collection:
 * with no memory to wait, the finalizer is skipped, and counted. */
static void finalizer_skipped_for_lack_of_memory_is_counted(void **state)
{
    (void)state;
    rt_alloc a;
    rc_heap *heap = failing_heap(&a);
    rc_type_spec spec = {.size = sizeof spec, .name = "fin", .instance_bytes = sizeof(rc_object)};
    spec.finalize = count_finalize;
    spec.flags = RC_TYPE_UNTRACKED;
    const rc_type *fin = rc_type_new(heap, &spec);
    assert_non_null(fin);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *p = rt_pair_new(heap, pair, 1), *q = rt_pair_new(heap, pair, 2);
    rc_object *x = rc_new(heap, fin);
    rt_pair_set(heap, p, 0, q);
    rt_pair_set(heap, q, 0, p);
    rt_pair_set(heap, p, 1, x);
    rc_decref(heap, x);
    rc_decref(heap, p);
    rc_decref(heap, q);
    finalized = 0;
    fail_from_now(&a);
    assert_int_equal(rc_collect(heap, 2), 2);
    fail_never(&a);
    assert_int_equal(finalized, 0);
    assert_int_equal(rt_stats(heap).lost_finalizers, 1);
    assert_message_has(heap, "finalizer of");
    assert_int_equal(rt_live_objects(heap), 0);
    rt_heap_finish(heap);
}

static void garbage_not_saved_for_lack_of_memory_is_counted(void **state)
{
    (void)state;
    rt_alloc a;
    rc_heap *heap = failing_heap(&a);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *p = rt_pair_new(heap, pair, 1), *q = rt_pair_new(heap, pair, 2);
    rt_pair_set(heap, p, 0, q);
    rt_pair_set(heap, q, 0, p);
    rc_decref(heap, p);
    rc_decref(heap, q);
    rc_gc_set_debug(heap, RC_GC_DEBUG_SAVEALL);
    fail_from_now(&a);
    rc_collect(heap, 2); /* rc_gc_garbage cannot be made */
    fail_never(&a);
    assert_int_equal(rt_stats(heap).unsaved_garbage, 2);
    assert_message_has(heap, "not saved in the garbage list");
    rc_gc_set_debug(heap, 0);
    assert_int_equal(rc_collect(heap, 2), 2); /* they survived as garbage: freed now */
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(show_growth_success_keeps_the_callers_last_error),
        cmocka_unit_test(show_growth_failure_names_itself),
        cmocka_unit_test(gc_get_stats_failures_leave_a_message),
        cmocka_unit_test(heap_get_stats_failures_leave_a_message),
        cmocka_unit_test(heap_stats_of_an_older_layout_gets_its_fields_only),
        cmocka_unit_test(strbuf_failures_leave_a_message),
        cmocka_unit_test(every_size_versioned_struct_is_checked_the_same_way),
        cmocka_unit_test(finalize_info_size_is_checked),
        cmocka_unit_test(weakref_callback_dropped_for_lack_of_memory_is_counted),
        cmocka_unit_test(finalizer_skipped_for_lack_of_memory_is_counted),
        cmocka_unit_test(garbage_not_saved_for_lack_of_memory_is_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
