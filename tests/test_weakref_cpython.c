/*
 * test_weakref_cpython.c -- weakref behaviours ported case by case from CPython's
 * Lib/test/test_weakref.py that rcgc lacked (issue 16, items 6, 7, 10 and getweakrefs;
 * issue 17, item 4): shared callback-less weakrefs and proxies (test_ref_reuse,
 * test_proxy_reuse, test_shared_ref_without_callback, test_shared_proxy_without_callback),
 * the order of an object's weakrefs and callbacks (test_getweakrefs, CPython's
 * insert_weakref), equality and hashing (test_equality, test_hashing), and callbacks that
 * own their data (a release function for user, an owned callable the collector follows:
 * CPython's wr_callback, test_callback_reachable_one_way and neighbours).
 */
#include "rctest.h"

#include <string.h>

static void count_cb(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    (void)wr;
    (*(int *)user)++;
}

/* test_ref_reuse */
static void test_ref_reuse(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *o = rt_list(heap);
    rc_object *ref1 = rc_weakref_new(heap, o, NULL, NULL);
    /* An intervening proxy makes no difference. */
    rc_object *proxy = rc_weakproxy_new(heap, o, NULL, NULL);
    rc_object *ref2 = rc_weakref_new(heap, o, NULL, NULL);
    assert_ptr_equal(ref1, ref2);
    assert_int_equal(rc_refcount(ref1), 2);
    rc_decref(heap, ref1);
    rc_decref(heap, ref2);
    rc_decref(heap, proxy);
    rc_decref(heap, o);

    o = rt_list(heap);
    proxy = rc_weakproxy_new(heap, o, NULL, NULL);
    ref1 = rc_weakref_new(heap, o, NULL, NULL);
    ref2 = rc_weakref_new(heap, o, NULL, NULL);
    assert_ptr_equal(ref1, ref2);
    assert_int_equal(rc_weakref_count(heap, o), 2);
    rc_decref(heap, proxy);
    assert_int_equal(rc_weakref_count(heap, o), 1);
    rc_decref(heap, ref1);
    rc_decref(heap, ref2);
    rc_decref(heap, o);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* test_proxy_reuse */
static void test_proxy_reuse(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *o = rt_list(heap);
    rc_object *proxy1 = rc_weakproxy_new(heap, o, NULL, NULL);
    rc_object *ref = rc_weakref_new(heap, o, NULL, NULL);
    rc_object *proxy2 = rc_weakproxy_new(heap, o, NULL, NULL);
    assert_ptr_equal(proxy1, proxy2);
    assert_ptr_not_equal(proxy1, ref);
    rc_decref(heap, proxy1);
    rc_decref(heap, proxy2);
    rc_decref(heap, ref);
    rc_decref(heap, o);
    rt_heap_finish(heap);
}

/* test_shared_ref_without_callback and test_shared_proxy_without_callback: a weakref with a
 * callback is never the shared one, and the shared one is made again once it died. */
static void check_shared_without_callback(bool proxy)
{
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *(*make)(rc_heap *, rc_object *, rc_weakref_fn, void *) =
        proxy ? rc_weakproxy_new : rc_weakref_new;
    int calls = 0;
    rc_object *o = rt_list(heap);
    rc_object *with_cb = make(heap, o, count_cb, &calls);
    rc_object *p1 = make(heap, o, NULL, NULL);
    rc_object *p2 = make(heap, o, NULL, NULL);
    assert_ptr_equal(p1, p2);
    assert_ptr_not_equal(p1, with_cb);
    rc_object *with_cb2 = make(heap, o, count_cb, &calls);
    assert_ptr_not_equal(with_cb, with_cb2);
    rc_decref(heap, p1);
    rc_decref(heap, p2);
    p1 = make(heap, o, NULL, NULL); /* made anew: the shared one died */
    assert_int_equal(rc_refcount(p1), 1);
    assert_int_equal(rc_weakref_count(heap, o), 3);
    rc_decref(heap, p1);
    rc_decref(heap, o);
    assert_int_equal(calls, 2);
    rc_decref(heap, with_cb);
    rc_decref(heap, with_cb2);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void test_shared_ref_without_callback(void **state)
{
    (void)state;
    check_shared_without_callback(false);
}

static void test_shared_proxy_without_callback(void **state)
{
    (void)state;
    check_shared_without_callback(true);
}

/* test_getweakrefs, and CPython's insert_weakref order: basic weakref, basic proxy, then
 * the others newest first, whatever the order of creation. */
static void test_getweakrefs(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    int calls = 0;
    rc_object *o = rt_list(heap);
    rc_object *r1 = rc_weakref_new(heap, o, count_cb, &calls);
    rc_object *p = rc_weakproxy_new(heap, o, NULL, NULL);
    rc_object *r0 = rc_weakref_new(heap, o, NULL, NULL);
    rc_object *r2 = rc_weakref_new(heap, o, count_cb, &calls);
    rc_object *l = rc_weakref_get_weakrefs(heap, o);
    assert_non_null(l);
    assert_int_equal(rc_list_len(heap, l), 4);
    assert_ptr_equal(rc_list_get_borrow(heap, l, 0), r0);
    assert_ptr_equal(rc_list_get_borrow(heap, l, 1), p);
    assert_ptr_equal(rc_list_get_borrow(heap, l, 2), r2);
    assert_ptr_equal(rc_list_get_borrow(heap, l, 3), r1);
    rc_decref(heap, l);
    rc_decref(heap, r1);
    l = rc_weakref_get_weakrefs(heap, o);
    assert_int_equal(rc_list_len(heap, l), 3);
    assert_ptr_equal(rc_list_get_borrow(heap, l, 2), r2);
    rc_decref(heap, l);
    rc_decref(heap, r0);
    rc_decref(heap, p);
    rc_decref(heap, r2);
    l = rc_weakref_get_weakrefs(heap, o);
    assert_int_equal(rc_list_len(heap, l), 0);
    rc_decref(heap, l);
    /* Objects that cannot have weakrefs have none. */
    l = rc_weakref_get_weakrefs(heap, rc_int_new(heap, 1));
    assert_int_equal(rc_list_len(heap, l), 0);
    rc_decref(heap, l);
    rc_decref(heap, o);
    rt_heap_finish(heap);
}

typedef struct order_log {
    int n;
    int ids[8];
} order_log;

typedef struct order_arg {
    order_log *log;
    int id;
} order_arg;

static void order_cb(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    (void)wr;
    order_arg *a = user;
    a->log->ids[a->log->n++] = a->id;
}

/* Callbacks run in list order: newest first (PyObject_ClearWeakRefs walks the list). */
static void callbacks_run_newest_first(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    order_log log = {0, {0}};
    order_arg a[3] = {{&log, 1}, {&log, 2}, {&log, 3}};
    rc_object *o = rt_list(heap);
    rc_object *w[3];
    for (int i = 0; i < 3; i++)
        w[i] = rc_weakref_new(heap, o, order_cb, &a[i]);
    rc_object *basic = rc_weakref_new(heap, o, NULL, NULL);
    rc_decref(heap, o);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.ids[0], 3);
    assert_int_equal(log.ids[1], 2);
    assert_int_equal(log.ids[2], 1);
    for (int i = 0; i < 3; i++)
        rc_decref(heap, w[i]);
    rc_decref(heap, basic);
    rt_heap_finish(heap);
}

/* test_equality: live weakrefs compare as their referents; dead ones by identity. */
static void test_equality(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *x = rc_str_from_cstr(heap, "forty-two");
    rc_object *y = rc_str_from_cstr(heap, "forty-two");
    rc_object *z = rc_str_from_cstr(heap, "other");
    rc_object *a = rc_weakref_new(heap, x, NULL, NULL);
    rc_object *b = rc_weakref_new(heap, y, NULL, NULL);
    rc_object *c = rc_weakref_new(heap, z, NULL, NULL);
    assert_ptr_not_equal(a, b);
    assert_true(rc_equal(heap, a, b));
    assert_false(rc_equal(heap, a, c));
    assert_false(rc_equal(heap, a, x)); /* a weakref is not its referent */
    rc_decref(heap, x);
    rc_decref(heap, y);
    rc_decref(heap, z);
    assert_true(rc_equal(heap, a, a));
    assert_false(rc_equal(heap, a, b));
    assert_false(rc_equal(heap, a, c));
    rc_decref(heap, a);
    rc_decref(heap, b);
    rc_decref(heap, c);
    rt_heap_finish(heap);
}

/* test_hashing: a live weakref hashes as its referent and keeps the hash; a dead one never
 * hashed cannot be hashed. */
static void test_hashing(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *x = rc_str_from_cstr(heap, "forty-two");
    rc_object *y = rc_str_from_cstr(heap, "forty-two");
    rc_object *a = rc_weakref_new(heap, x, NULL, NULL);
    rc_object *b = rc_weakref_new(heap, y, NULL, NULL);
    uint64_t hx = rc_hash(heap, x);
    assert_int_equal(rc_hash(heap, a), hx);
    rc_decref(heap, x);
    rc_decref(heap, y);
    assert_int_equal(rc_hash(heap, a), hx);
    rc_heap_clear_error(heap);
    assert_int_equal(rc_hash(heap, b), 0);
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    assert_non_null(strstr(rc_heap_errmsg(heap), "rc_hash: weak object has gone away"));
    /* As a dict key: found while alive by an equal weakref, and by itself once dead. */
    rc_object *v = rc_str_from_cstr(heap, "v");
    rc_object *w = rc_str_from_cstr(heap, "v");
    rc_object *wa = rc_weakref_new(heap, v, NULL, NULL);
    rc_object *wb = rc_weakref_new(heap, w, NULL, NULL);
    rc_object *d = rt_dict(heap);
    assert_int_equal(rc_dict_set(heap, d, wa, a), RC_OK);
    assert_true(rc_dict_contains(heap, d, wb));
    rc_decref(heap, v);
    assert_true(rc_dict_contains(heap, d, wa));
    assert_false(rc_dict_contains(heap, d, wb)); /* wa is dead: identity now */
    /* A tuple holding a weakref hashes through it. */
    rc_object *items[1] = {wb};
    rc_object *t = rc_tuple_new(heap, 1, items);
    rc_object *items2[1] = {w};
    rc_object *t2 = rc_tuple_new(heap, 1, items2);
    assert_int_not_equal(rc_hash(heap, t), 0);
    assert_int_equal(rc_hash(heap, wb), rc_hash(heap, w));
    rc_decref(heap, t);
    rc_decref(heap, t2);
    rc_decref(heap, w);
    rc_decref(heap, wa);
    rc_decref(heap, wb);
    rc_decref(heap, d);
    rc_decref(heap, a);
    rc_decref(heap, b);
    rt_heap_finish(heap);
}

typedef struct user_data {
    int calls;
    int releases;
} user_data;

static void data_cb(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    (void)wr;
    ((user_data *)user)->calls++;
}

static void data_release(rc_heap *heap, void *user)
{
    (void)heap;
    ((user_data *)user)->releases++;
}

/* Issue 16 item 6: a weakref dying before its referent releases its user data; one whose
 * referent dies releases it after the callback; one alive at rc_heap_free releases it
 * then. */
static void release_runs_once_whoever_dies_first(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    user_data first = {0, 0}, second = {0, 0}, third = {0, 0}, garbage = {0, 0};
    rc_object *o = rt_list(heap);
    rc_object *w1 = rc_weakref_new_release(heap, o, data_cb, &first, data_release);
    rc_object *w2 = rc_weakproxy_new_release(heap, o, data_cb, &second, data_release);
    rc_object *keep = rt_list(heap);
    rc_object *w3 = rc_weakref_new_release(heap, keep, data_cb, &third, data_release);
    assert_non_null(w1);
    assert_non_null(w2);
    rc_decref(heap, w1);
    assert_int_equal(first.releases, 1);
    assert_int_equal(first.calls, 0);
    rc_decref(heap, o);
    assert_int_equal(second.calls, 1);
    assert_int_equal(second.releases, 1);
    rc_decref(heap, w2);
    assert_int_equal(second.releases, 1);
    /* A weakref in cyclic garbage never calls back, and still releases. */
    rc_object *cyc = rt_list(heap);
    rc_object *wg = rc_weakref_new_release(heap, keep, data_cb, &garbage, data_release);
    rt_append(heap, cyc, cyc);
    rt_append(heap, cyc, wg);
    rc_decref(heap, wg);
    rc_decref(heap, cyc);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(garbage.calls, 0);
    assert_int_equal(garbage.releases, 1);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_heap_free(heap);
    assert_int_equal(third.calls, 0);
    assert_int_equal(third.releases, 1);
    (void)w3;
    (void)keep;
}

/* A callable object the callback owns: for the embedder's closures (issue 17 item 4). */
typedef struct closure_log {
    int calls;
    rc_object *last_callable;
} closure_log;

static closure_log cl_log;

static void apply_closure(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    (void)wr;
    cl_log.calls++;
    cl_log.last_callable = user;
    assert_true(rc_refcount(user) >= 1);
}

static void owned_callable_lives_until_called_then_is_dropped(void **state)
{
    (void)state;
    memset(&cl_log, 0, sizeof cl_log);
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *o = rt_list(heap);
    rc_object *closure = rt_list(heap);
    rc_object *wr = rc_weakref_new_obj(heap, o, apply_closure, closure);
    assert_non_null(wr);
    assert_int_equal(rc_refcount(closure), 2);
    rc_decref(heap, closure); /* the weakref keeps it */
    assert_int_equal(rc_refcount(closure), 1);
    /* The collector sees the reference. */
    rc_object *refs = rc_gc_get_referents(heap, &wr, 1);
    assert_int_equal(rc_list_len(heap, refs), 1);
    assert_ptr_equal(rc_list_get_borrow(heap, refs, 0), closure);
    rc_decref(heap, refs);
    rc_decref(heap, o);
    assert_int_equal(cl_log.calls, 1);
    assert_ptr_equal(cl_log.last_callable, closure);
    assert_int_equal(rt_live_objects(heap), base + 1); /* the closure went with the call */
    rc_decref(heap, wr);
    assert_int_equal(rt_live_objects(heap), base);
    rc_object *other = rt_list(heap);
    assert_null(rc_weakref_new_obj(heap, other, apply_closure, NULL));
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    rc_decref(heap, other);
    rt_heap_finish(heap);
}

/* test_callback_reachable_one_way-style: a cycle through the owned callable (the closure
 * holds its own weakref) is garbage once dropped, and its callback does not run. A
 * callable that reaches the referent keeps it alive while the weakref lives. */
static void cycle_through_owned_callable_is_collected(void **state)
{
    (void)state;
    memset(&cl_log, 0, sizeof cl_log);
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *o = rt_list(heap);
    rc_object *closure = rt_list(heap);
    rc_object *wr = rc_weakref_new_obj(heap, o, apply_closure, closure);
    rt_append(heap, closure, wr);
    rc_decref(heap, wr);
    rc_decref(heap, closure);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rc_weakref_count(heap, o), 0);
    rc_decref(heap, o);
    assert_int_equal(cl_log.calls, 0);
    assert_int_equal(rt_live_objects(heap), base);

    o = rt_list(heap);
    closure = rt_list(heap);
    rt_append(heap, closure, o);
    wr = rc_weakref_new_obj(heap, o, apply_closure, closure);
    rc_decref(heap, closure);
    rc_decref(heap, o);
    assert_int_equal(rc_collect(heap, 2), 0);
    rc_object *got = rc_weakref_get(heap, wr);
    assert_non_null(got);
    rc_decref(heap, got);
    rc_decref(heap, wr); /* closure and o go with it */
    assert_int_equal(cl_log.calls, 0);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_reuse),
        cmocka_unit_test(test_proxy_reuse),
        cmocka_unit_test(test_shared_ref_without_callback),
        cmocka_unit_test(test_shared_proxy_without_callback),
        cmocka_unit_test(test_getweakrefs),
        cmocka_unit_test(callbacks_run_newest_first),
        cmocka_unit_test(test_equality),
        cmocka_unit_test(test_hashing),
        cmocka_unit_test(release_runs_once_whoever_dies_first),
        cmocka_unit_test(owned_callable_lives_until_called_then_is_dropped),
        cmocka_unit_test(cycle_through_owned_callable_is_collected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
