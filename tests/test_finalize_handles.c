/*
 * test_finalize_handles.c -- Python's weakref.finalize as rcgc's finalize handles, ported
 * from CPython's Lib/test/test_weakref.py FinalizeTestCase (test_finalize, test_order,
 * test_arg_errors-style refusals, test_atexit) and the handle's API (detach, peek, alive,
 * calling early, atexit): issue 16, item 2 (registrations made while rc_heap_free runs
 * finalizers run too), item 11 (newest first, at death and at exit), the missing pieces,
 * and issue 17 item 4 (a finalizer owning a callable object).
 */
#include "rctest.h"

#include <stdio.h>
#include <string.h>

typedef struct res_log {
    int n;
    char items[16][8];
} res_log;

static res_log res;

static void append(rc_heap *heap, void *user)
{
    (void)heap;
    snprintf(res.items[res.n++], 8, "%s", (const char *)user);
}

static void assert_res(const char *const *expected, int n)
{
    assert_int_equal(res.n, n);
    for (int i = 0; i < n; i++)
        assert_string_equal(res.items[i], expected[i]);
}

/* test_finalize: the function runs once when the object dies; the handle then is dead. */
static void test_finalize(void **state)
{
    (void)state;
    memset(&res, 0, sizeof res);
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *a = rt_list(heap);
    rc_object *f = rc_finalize_new(heap, a, append, "f", NULL);
    assert_non_null(f);
    assert_true(rc_is_finalize(heap, f));
    assert_true(rc_finalize_alive(heap, f));
    assert_true(rc_finalize_atexit(heap, f));
    assert_int_equal(rc_finalize_pending(heap), 1);
    rc_finalize_info info;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    assert_int_equal(rc_finalize_peek(heap, f, &info), RC_OK);
    assert_ptr_equal(info.obj, a);
    assert_ptr_equal(info.fn, append);
    assert_string_equal((const char *)info.user, "f");
    assert_null(info.callable);
    rc_decref(heap, info.obj);
    rc_decref(heap, a);
    assert_int_equal(res.n, 1);
    assert_false(rc_finalize_alive(heap, f));
    assert_int_equal(rc_finalize_peek(heap, f, &info), RC_OK);
    assert_null(info.obj);
    bool ran = true;
    assert_int_equal(rc_finalize_call(heap, f, &ran), RC_OK);
    assert_false(ran);
    assert_int_equal(res.n, 1);
    assert_int_equal(rc_finalize_pending(heap), 0);
    rc_decref(heap, f);
    assert_int_equal(rt_live_objects(heap), base);
    /* Refusals. */
    rc_object *l = rt_list(heap);
    assert_null(rc_finalize_new(heap, l, NULL, NULL, NULL));
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    assert_null(rc_finalize_new(heap, rc_int_new(heap, 3), append, "x", NULL));
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    assert_false(rc_finalize_alive(heap, l));
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    assert_int_equal(rc_finalize_call(heap, l, NULL), RC_ETYPE);
    assert_non_null(strstr(rc_heap_errmsg(heap), "rc_finalize_call: expected a finalize handle"));
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

/* test_order, step for step. */
static void test_order(void **state)
{
    (void)state;
    memset(&res, 0, sizeof res);
    rc_heap *heap = rt_heap_new_exact();
    rc_object *a = rt_list(heap);
    rc_object *f1 = rc_finalize_new(heap, a, append, "f1", NULL);
    rc_object *f2 = rc_finalize_new(heap, a, append, "f2", NULL);
    rc_object *f3 = rc_finalize_new(heap, a, append, "f3", NULL);
    rc_object *f4 = rc_finalize_new(heap, a, append, "f4", NULL);
    rc_object *f5 = rc_finalize_new(heap, a, append, "f5", NULL);
    /* Finalizers keep themselves alive. */
    rc_decref(heap, f1);
    rc_decref(heap, f4);
    assert_true(rc_finalize_alive(heap, f2));
    assert_true(rc_finalize_alive(heap, f3));
    assert_true(rc_finalize_alive(heap, f5));
    rc_finalize_info info;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    assert_int_equal(rc_finalize_detach(heap, f5, &info), RC_OK);
    assert_ptr_equal(info.obj, a);
    rc_decref(heap, info.obj);
    assert_false(rc_finalize_alive(heap, f5));
    assert_int_equal(rc_finalize_call(heap, f5, NULL), RC_OK); /* nothing: detached */
    append(heap, "A");
    bool ran = false;
    assert_int_equal(rc_finalize_call(heap, f3, &ran), RC_OK);
    assert_true(ran);
    assert_false(rc_finalize_alive(heap, f3));
    append(heap, "B");
    assert_int_equal(rc_finalize_call(heap, f3, &ran), RC_OK); /* nothing: called */
    assert_false(ran);
    append(heap, "C");
    rc_decref(heap, a);
    assert_false(rc_finalize_alive(heap, f2));
    append(heap, "D");
    assert_int_equal(rc_finalize_call(heap, f2, NULL), RC_OK); /* nothing: called by death */
    static const char *const expected[] = {"A", "f3", "B", "C", "f4", "f2", "f1", "D"};
    assert_res(expected, 8);
    rc_decref(heap, f2);
    rc_decref(heap, f3);
    rc_decref(heap, f5);
    rt_heap_finish(heap);
}

static rc_object *cls; /* test_atexit's `cls` */

static void error_fn(rc_heap *heap, void *user)
{
    (void)user;
    /* An atexit finalizer made from inside one called at exit: the next to run. */
    assert_int_equal(rc_finalize_register(heap, cls, append, "g1"), RC_OK);
    append(heap, "f3");
}

/* test_atexit: at rc_heap_free the atexit finalizers run newest first, one registered by
 * another runs next, and atexit-off ones never run (issue 16, items 2 and 11). */
static void test_atexit(void **state)
{
    (void)state;
    memset(&res, 0, sizeof res);
    rc_heap *heap = rt_heap_new_exact();
    cls = rt_list(heap);
    rc_object *a = rt_list(heap), *b = rt_list(heap), *c = rt_list(heap);
    rc_object *f1 = rc_finalize_new(heap, a, append, "f1", NULL);
    assert_int_equal(rc_finalize_register(heap, b, append, "f2"), RC_OK);
    assert_int_equal(rc_finalize_register(heap, c, error_fn, NULL), RC_OK);
    assert_int_equal(rc_finalize_register(heap, c, append, "f4"), RC_OK);
    assert_int_equal(rc_finalize_set_atexit(heap, f1, false), RC_OK);
    assert_false(rc_finalize_atexit(heap, f1));
    rc_decref(heap, f1);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_heap_free(heap);
    static const char *const expected[] = {"f4", "f3", "g1", "f2"};
    assert_res(expected, 4);
}

static int chain_left;

static void chain_fn(rc_heap *heap, void *user)
{
    append(heap, "c");
    if (--chain_left > 0)
        assert_int_equal(rc_finalize_register(heap, user, chain_fn, user), RC_OK);
}

/* Issue 16 item 2: registrations made while rc_heap_free runs finalizers run too, however
 * many, and each registration says RC_OK truthfully (the shutdown loop used to lose them
 * when registration compacted the array it walked). */
static void registrations_during_heap_free_all_run(void **state)
{
    (void)state;
    memset(&res, 0, sizeof res);
    rc_heap *heap = rt_heap_new_exact();
    rc_object *o = rt_list(heap);
    chain_left = 12;
    for (int i = 0; i < 3; i++) { /* dead records for registration to compact away */
        rc_object *l = rt_list(heap);
        assert_int_equal(rc_finalize_register(heap, l, append, "dead"), RC_OK);
        rc_decref(heap, l);
    }
    assert_int_equal(res.n, 3);
    assert_int_equal(rc_finalize_register(heap, o, chain_fn, o), RC_OK);
    res.n = 0;
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_heap_free(heap);
    assert_int_equal(res.n, 12);
}

typedef struct rel_count {
    int calls;
    int releases;
} rel_count;

static void rel_fn(rc_heap *heap, void *user)
{
    (void)heap;
    ((rel_count *)user)->calls++;
}

static void rel_release(rc_heap *heap, void *user)
{
    (void)heap;
    ((rel_count *)user)->releases++;
}

/* The release function: after the function ran, or when it never will (atexit off); not
 * after detach, which gives user back. */
static void finalize_release_runs_once_unless_detached(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rel_count ran = {0, 0}, off = {0, 0}, detached = {0, 0};
    rc_object *a = rt_list(heap), *b = rt_list(heap), *c = rt_list(heap);
    rc_object *fa = rc_finalize_new(heap, a, rel_fn, &ran, rel_release);
    rc_object *fb = rc_finalize_new(heap, b, rel_fn, &off, rel_release);
    rc_object *fc = rc_finalize_new(heap, c, rel_fn, &detached, rel_release);
    rc_decref(heap, a);
    assert_int_equal(ran.calls, 1);
    assert_int_equal(ran.releases, 1);
    assert_int_equal(rc_finalize_set_atexit(heap, fb, false), RC_OK);
    rc_finalize_info info;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    assert_int_equal(rc_finalize_detach(heap, fc, &info), RC_OK);
    assert_ptr_equal(info.user, &detached);
    assert_ptr_equal(info.release, rel_release);
    rc_decref(heap, info.obj);
    rc_decref(heap, fa);
    rc_decref(heap, fb);
    rc_decref(heap, fc);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_heap_free(heap);
    assert_int_equal(off.calls, 0);
    assert_int_equal(off.releases, 1);
    assert_int_equal(detached.calls, 0);
    assert_int_equal(detached.releases, 0);
    (void)b;
    (void)c;
}

static int closure_calls;

static void apply(rc_heap *heap, void *user)
{
    (void)heap;
    assert_true(rc_refcount(user) >= 1);
    closure_calls++;
}

/* Issue 17 item 4: a finalizer owning a callable object, which the collector sees through
 * the handle and which goes once the finalizer ran. */
static void finalize_owns_its_callable(void **state)
{
    (void)state;
    closure_calls = 0;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *o = rt_list(heap);
    rc_object *closure = rt_list(heap);
    rc_object *f = rc_finalize_new_obj(heap, o, apply, closure);
    assert_non_null(f);
    rc_decref(heap, closure);
    assert_int_equal(rc_refcount(closure), 1);
    rc_object *refs = rc_gc_get_referents(heap, &f, 1);
    bool seen = false;
    for (size_t i = 0; i < rc_list_len(heap, refs); i++)
        seen = seen || rc_list_get_borrow(heap, refs, (int64_t)i) == closure;
    assert_true(seen);
    rc_decref(heap, refs);
    rc_finalize_info info;
    memset(&info, 0, sizeof info);
    info.size = sizeof info;
    assert_int_equal(rc_finalize_peek(heap, f, &info), RC_OK);
    assert_ptr_equal(info.callable, closure);
    rc_decref(heap, info.obj);
    rc_decref(heap, info.callable);
    /* A collection keeps everything: the heap holds the alive handle. */
    assert_int_equal(rc_collect(heap, 2), 0);
    rc_decref(heap, f);
    rc_decref(heap, o);
    assert_int_equal(closure_calls, 1);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_finalize),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_atexit),
        cmocka_unit_test(registrations_during_heap_free_all_run),
        cmocka_unit_test(finalize_release_runs_once_unless_detached),
        cmocka_unit_test(finalize_owns_its_callable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
