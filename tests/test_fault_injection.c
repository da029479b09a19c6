/*
 * test_fault_injection.c -- allocation failure (STYLE 9): a scenario touching every
 * built-in type, a user type, a cycle, a growing dict and list, repr and a collection
 * runs with an allocator that refuses its N-th request, for N = 0, 1, 2, ... until the
 * scenario completes untouched. Each failure must surface as NULL or RC_ENOMEM with a
 * message, change nothing (lengths and counts as before the call), leave rc_heap_check
 * at RC_OK, and after rc_heap_free every byte must be back with the allocator.
 */
#include "rctest.h"

#include <inttypes.h>
#include <string.h>

#define DICT_KEYS 300
#define LIST_ITEMS 3000

typedef struct run {
    rc_heap *heap;
    const char *step; /* the step that failed, for messages */
    int64_t n;        /* the request refused */
} run;

static void expect_enomem(run *r, const char *step)
{
    r->step = step;
    rc_status e = rc_heap_last_error(r->heap);
    if (e != RC_ENOMEM)
        fail_msg("N=%" PRId64 " %s: last error %s (%s), expected RC_ENOMEM", r->n, step,
                 rc_status_str(e), rc_heap_errmsg(r->heap));
    if (rc_heap_errmsg(r->heap)[0] == '\0')
        fail_msg("N=%" PRId64 " %s: RC_ENOMEM without a message", r->n, step);
}

#define NEW_OR_FAIL(r, var, expr, step)                                                            \
    do {                                                                                           \
        (var) = (expr);                                                                            \
        if ((var) == NULL) {                                                                       \
            expect_enomem((r), (step));                                                            \
            return false;                                                                          \
        }                                                                                          \
    } while (0)

static bool status_ok(run *r, rc_status st, const char *step)
{
    if (st == RC_OK)
        return true;
    if (st != RC_ENOMEM)
        fail_msg("N=%" PRId64 " %s returned %s: %s", r->n, step, rc_status_str(st),
                 rc_heap_errmsg(r->heap));
    expect_enomem(r, step);
    return false;
}

/* The objects of the scenario; references still held when a step fails are left to
 * rc_heap_free, which must release them. */
static bool scenario_body(run *r)
{
    rc_heap *h = r->heap;
    rc_type *pair_type;
    rc_type_spec spec;
    static const size_t offs[2] = {offsetof(rt_pair, a), offsetof(rt_pair, b)};
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "pair";
    spec.instance_bytes = sizeof(rt_pair);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 2;
    NEW_OR_FAIL(r, pair_type, rc_type_new(h, &spec), "rc_type_new");

    rc_object *big, *f, *s, *t, *a, *b, *d, *p, *text;
    NEW_OR_FAIL(r, big, rc_int_new(h, INT64_MAX), "rc_int_new");
    NEW_OR_FAIL(r, f, rc_float_new(h, 0.25), "rc_float_new");
    NEW_OR_FAIL(r, s, rc_str_from_cstr(h, "a string long enough to own a buffer of its own"),
                "rc_str_from_cstr");
    rc_object *items[3] = {big, f, s};
    t = rc_tuple_new(h, 3, items);
    if (t == NULL) {
        expect_enomem(r, "rc_tuple_new");
        for (int i = 0; i < 3; i++)
            assert_int_equal(rc_refcount(items[i]), 1);
        return false;
    }
    NEW_OR_FAIL(r, a, rc_list_new(h, 0), "rc_list_new a");
    NEW_OR_FAIL(r, b, rc_list_new(h, 0), "rc_list_new b");
    NEW_OR_FAIL(r, d, rc_dict_new(h), "rc_dict_new");
    NEW_OR_FAIL(r, p, rc_new(h, pair_type), "rc_new pair");

    /* A cycle a <-> b through a pair and the tuple. */
    ((rt_pair *)p)->a = rc_newref(a);
    ((rt_pair *)p)->b = rc_newref(t);
    if (!status_ok(r, rc_list_append(h, a, b), "append b to a"))
        return false;
    if (!status_ok(r, rc_list_append(h, b, p), "append p to b"))
        return false;

    /* A dict that grows. */
    for (int64_t i = 0; i < DICT_KEYS; i++) {
        rc_object *key = rc_int_new(h, i);
        size_t len = rc_dict_len(h, d);
        int64_t fc = rc_refcount(f);
        if (!status_ok(r, rc_dict_set(h, d, key, f), "rc_dict_set")) {
            assert_int_equal(rc_dict_len(h, d), len);
            assert_false(rc_dict_contains(h, d, key));
            assert_int_equal(rc_refcount(f), fc);
            return false;
        }
    }
    if (!status_ok(r, rc_dict_set(h, d, s, a), "rc_dict_set str key"))
        return false;

    /* A list that grows. */
    for (int64_t i = 0; i < LIST_ITEMS; i++) {
        size_t len = rc_list_len(h, a);
        int64_t tc = rc_refcount(t);
        if (!status_ok(r, rc_list_append(h, a, t), "rc_list_append")) {
            assert_int_equal(rc_list_len(h, a), len);
            assert_int_equal(rc_refcount(t), tc);
            return false;
        }
    }
    size_t len = rc_list_len(h, a);
    if (!status_ok(r, rc_list_insert(h, a, 0, d), "rc_list_insert")) {
        assert_int_equal(rc_list_len(h, a), len);
        assert_int_equal(rc_refcount(d), 1);
        return false;
    }

    /* An object larger than a page, in the cycle, and a long string. */
    rc_object *large, *long_str;
    NEW_OR_FAIL(r, large, rc_new_var(h, pair_type, 3 * RC_PAGE_BYTES / 2), "rc_new_var large");
    ((rt_pair *)large)->a = rc_newref(b);
    if (!status_ok(r, rc_list_append_steal(h, a, large), "append large"))
        return false;
    char buf[20000];
    memset(buf, 'x', sizeof buf);
    NEW_OR_FAIL(r, long_str, rc_str_new(h, buf, sizeof buf), "rc_str_new long");
    if (!status_ok(r, rc_list_append_steal(h, b, long_str), "append long str"))
        return false;

    NEW_OR_FAIL(r, text, rc_repr(h, b), "rc_repr");
    assert_true(rc_str_len(h, text) > 0);
    rc_decref(h, text);

    /* Drop everything; the cycle needs the collector. */
    rc_object *all[] = {big, f, s, t, a, b, d, p};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        rc_decref(h, all[i]);
    int64_t found = rc_collect(h, 2);
    if (found < 5)
        fail_msg("N=%" PRId64 ": rc_collect returned %" PRId64 " (%s)", r->n, found,
                 rc_heap_errmsg(h));
    assert_int_equal(rc_type_live_count(pair_type), 0);
    return true;
}

/* One run refusing request n (or every request from n on). True if it completed. */
static bool run_once(int64_t n, bool persistent, rt_alloc *alloc)
{
    rt_alloc_init(alloc, n);
    alloc->fail_all_after = persistent;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.allocator = &alloc->iface;
    cfg.threshold[0] = 50; /* collections run during the scenario */
    run r = {NULL, NULL, n};
    r.heap = rc_heap_new(&cfg);
    bool done = false;
    if (r.heap != NULL) {
        done = scenario_body(&r);
        rc_status st = rc_heap_check(r.heap);
        if (st != RC_OK)
            fail_msg("N=%" PRId64 " after %s: rc_heap_check: %s", n, r.step ? r.step : "success",
                     rc_heap_errmsg(r.heap));
        rc_heap_free(r.heap);
    }
    if (alloc->outstanding_bytes != 0 || alloc->outstanding_blocks != 0)
        fail_msg("N=%" PRId64 " (%s): %zu bytes in %zu blocks not given back", n,
                 r.step ? r.step : "rc_heap_new", alloc->outstanding_bytes,
                 alloc->outstanding_blocks);
    assert_int_equal(alloc->bad_frees, 0);
    return done;
}

static void run_until_success(bool persistent)
{
    rt_alloc alloc;
    int failures = 0;
    int64_t n;
    for (n = 0; n < 100000; n++) {
        bool done = run_once(n, persistent, &alloc);
        if (done && alloc.refused == 0)
            break;
        failures += !done;
    }
    assert_true(n < 100000);
    /* The scenario makes dozens of requests: each refusal must have been seen. */
    assert_true(failures > 20);
    print_message("%s: %d failing runs, success after %" PRId64 " requests\n",
                  persistent ? "persistent" : "single", failures, n);
}

static void every_single_allocation_failure_is_clean(void **state)
{
    (void)state;
    run_until_success(false);
}

static void persistent_allocation_failure_is_clean(void **state)
{
    (void)state;
    run_until_success(true);
}

/* Without any refusal the allocator sees everything given back too. */
static void counting_allocator_balances_without_failures(void **state)
{
    (void)state;
    rt_alloc alloc;
    assert_true(run_once(-1, false, &alloc));
    assert_true(alloc.requests > 0);
    assert_int_equal(alloc.refused, 0);
}

/* The collector needs no memory to finish (src/gc.c phase 2): with every request refused
 * from the collection on, a root holding 20,000 lists (all pushed on the mark stack at
 * once) is still marked and a cycle beside it still freed, exactly. */
static void collection_completes_when_mark_stack_cannot_grow(void **state)
{
    (void)state;
    rt_alloc alloc;
    rt_alloc_init(&alloc, -1);
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.allocator = &alloc.iface;
    cfg.gc_disabled = true;
    cfg.stress = false;
    rc_heap *heap = rt_heap_new_cfg(&cfg);
    rc_object *root = rt_list(heap);
    for (int i = 0; i < 20000; i++) {
        rc_object *l = rt_list(heap);
        rc_object *m = rt_list(heap);
        rt_append(heap, l, m); /* each child reaches one more, so marking goes two deep */
        rc_decref(heap, m);
        assert_int_equal(rc_list_append_steal(heap, root, l), RC_OK);
    }
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    rt_append(heap, a, b);
    rt_append(heap, b, a);
    rc_decref(heap, a);
    rc_decref(heap, b);
    size_t live = rt_live_objects(heap);
    alloc.fail_at = (int64_t)alloc.requests;
    alloc.fail_all_after = true;
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rt_live_objects(heap), live - 2);
    assert_int_equal(rc_refcount(root), 1);
    assert_int_equal(rc_refcount(rc_list_get_borrow(heap, root, 19999)), 1);
    assert_true(alloc.refused > 0);
    assert_int_equal(rc_collect(heap, 0), 0);
    alloc.fail_at = -1;
    rc_decref(heap, root);
    assert_int_equal(rt_live_objects(heap), live - 2 - 40001);
    rt_heap_finish(heap);
    assert_int_equal(alloc.outstanding_bytes, 0);
    assert_int_equal(alloc.outstanding_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counting_allocator_balances_without_failures),
        cmocka_unit_test(every_single_allocation_failure_is_clean),
        cmocka_unit_test(persistent_allocation_failure_is_clean),
        cmocka_unit_test(collection_completes_when_mark_stack_cannot_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
