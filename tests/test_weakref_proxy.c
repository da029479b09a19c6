/*
 * test_weakref_proxy.c -- weak proxies (Python's weakref.proxy), rewritten from CPython's
 * Lib/test/test_weakref.py: test_basic_proxy (forwarding of len, append, item get/set,
 * contains), test_proxy_ref (ReferenceError once the referent died, callbacks),
 * test_getweakrefcount (proxies counted), test_proxy_hash (unhashable), the proxy repr,
 * test_callback_in_cycle-style collector rules (cleared before finalizers, no callback
 * for a proxy that is garbage itself).
 */
#include "rctest.h"

#include <stdio.h>
#include <string.h>

typedef struct cb_log {
    int calls;
    rc_object *last;       /* the weakref or proxy the last callback received (borrowed) */
    int saw_live_referent; /* callbacks that could still reach the referent */
} cb_log;

static void record_cb(rc_heap *heap, rc_object *wr, void *user)
{
    cb_log *log = user;
    log->calls++;
    log->last = wr;
    rc_object *r =
        rc_is_weakproxy(heap, wr) ? rc_weakproxy_get(heap, wr) : rc_weakref_get(heap, wr);
    if (r != NULL)
        log->saw_live_referent++;
    rc_decref(heap, r);
}

/* test_basic_proxy with a list. */
static void proxy_forwards_list_operations_to_its_referent(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l = rt_list(heap);
    rc_object *p = rc_weakproxy_new(heap, l, NULL, NULL);
    assert_non_null(p);
    assert_true(rc_is_weakproxy(heap, p));
    assert_false(rc_is_weakref(heap, p));
    assert_int_equal(rc_refcount(l), 1);
    assert_int_equal(rc_list_len(heap, p), 0);
    assert_int_equal(rc_list_append(heap, p, rc_int_new(heap, 12)), RC_OK);
    assert_int_equal(rc_list_len(heap, l), 1);
    assert_int_equal(rc_list_len(heap, p), 1);
    assert_int_equal(rc_list_append_steal(heap, p, rc_int_new(heap, 3)), RC_OK);
    assert_int_equal(rc_list_set(heap, p, 1, rc_int_new(heap, 5)), RC_OK);
    assert_int_equal(rc_int_value(heap, rc_list_get_borrow(heap, l, 1)), 5);
    assert_int_equal(rc_int_value(heap, rc_list_get_borrow(heap, p, 1)), 5);
    rc_object *got = NULL;
    assert_int_equal(rc_list_get(heap, p, -1, &got), RC_OK);
    assert_int_equal(rc_int_value(heap, got), 5);
    assert_int_equal(rc_list_insert(heap, p, 0, rc_int_new(heap, 9)), RC_OK);
    assert_int_equal(rc_list_pop(heap, p, 0, &got), RC_OK);
    assert_int_equal(rc_int_value(heap, got), 9);
    size_t pos = 0, n = 0;
    rc_object *item;
    while (rc_list_next(heap, p, &pos, &item))
        n++;
    assert_int_equal(n, 2);
    assert_true(rc_equal(heap, p, l)); /* proxy_richcompare unwraps */
    assert_true(rc_equal(heap, l, p));
    assert_int_equal(rc_list_clear(heap, p), RC_OK);
    assert_int_equal(rc_list_len(heap, l), 0);
    /* A proxy stored as an item stays a proxy. */
    rc_object *holder = rt_list(heap);
    rt_append(heap, holder, p);
    assert_ptr_equal(rc_list_get_borrow(heap, holder, 0), p);
    rc_decref(heap, holder);
    rc_decref(heap, p);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

static void proxy_forwards_dict_and_value_operations(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *d = rt_dict(heap);
    rc_object *pd = rc_weakproxy_new(heap, d, NULL, NULL);
    rc_object *k = rc_str_from_cstr(heap, "k");
    assert_int_equal(rc_dict_set(heap, pd, k, rc_int_new(heap, 1)), RC_OK);
    assert_int_equal(rc_dict_len(heap, d), 1);
    assert_int_equal(rc_dict_len(heap, pd), 1);
    assert_true(rc_dict_contains(heap, pd, k));
    rc_object *v = NULL;
    assert_int_equal(rc_dict_get(heap, pd, k, &v), RC_OK);
    assert_int_equal(rc_int_value(heap, v), 1);
    size_t pos = 0;
    rc_object *key, *val;
    assert_true(rc_dict_next(heap, pd, &pos, &key, &val));
    assert_ptr_equal(key, k);
    assert_int_equal(rc_dict_del(heap, pd, k), RC_OK);
    assert_int_equal(rc_dict_len(heap, d), 0);

    rc_object *ps = rc_weakproxy_new(heap, k, NULL, NULL);
    assert_string_equal(rc_str_data(heap, ps), "k");
    assert_int_equal(rc_str_len(heap, ps), 1);
    rc_object *k2 = rc_str_from_cstr(heap, "k");
    assert_true(rc_equal(heap, ps, k2));
    rc_decref(heap, k2);
    rc_object *f = rc_float_new(heap, 2.5);
    rc_object *pf = rc_weakproxy_new(heap, f, NULL, NULL);
    assert_true(rc_float_value(heap, pf) == 2.5);
    rc_object *boxed = rc_int_new(heap, INT64_MAX);
    rc_object *pi = rc_weakproxy_new(heap, boxed, NULL, NULL);
    assert_int_equal(rc_int_value(heap, pi), INT64_MAX);
    rc_object *t = rc_tuple_new(heap, 1, &k);
    rc_object *pt = rc_weakproxy_new(heap, t, NULL, NULL);
    assert_int_equal(rc_tuple_len(heap, pt), 1);
    assert_ptr_equal(rc_tuple_get_borrow(heap, pt, 0), k);
    /* A proxy to the wrong type is a type error naming the referent's type. */
    assert_int_equal(rc_list_len(heap, pt), 0);
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(heap), "rc_list_len: expected a list, got tuple");
    rc_object *objs[] = {pd, d, ps, k, pf, f, pi, boxed, pt, t};
    for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++)
        rc_decref(heap, objs[i]);
    rt_heap_finish(heap);
}

/* test_proxy_ref: two proxies with callbacks; once the referent dies every operation is a
 * ReferenceError and each callback ran once, with its proxy. */
static void dead_proxy_raises_reference_error_and_calls_back(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *l = rt_list(heap);
    rc_object *p1 = rc_weakproxy_new(heap, l, record_cb, &log);
    rc_object *p2 = rc_weakproxy_new(heap, l, record_cb, &log);
    rc_decref(heap, l);
    assert_int_equal(log.calls, 2);
    assert_int_equal(log.saw_live_referent, 0);
    assert_ptr_equal(log.last, p1); /* newest first */
    assert_int_equal(rc_list_len(heap, p1), 0);
    assert_int_equal(rc_heap_last_error(heap), RC_EREFERENCE);
    assert_string_equal(rc_heap_errmsg(heap),
                        "rc_list_len: weakly-referenced object no longer exists");
    assert_int_equal(rc_list_append(heap, p2, NULL), RC_EREFERENCE);
    assert_int_equal(rc_dict_set(heap, p2, NULL, NULL), RC_EREFERENCE);
    assert_null(rc_str_data(heap, p2));
    assert_int_equal(rc_heap_last_error(heap), RC_EREFERENCE);
    assert_null(rc_weakproxy_get(heap, p1));
    assert_int_equal(rc_heap_last_error(heap), RC_EREFERENCE);
    assert_string_equal(rc_heap_errmsg(heap),
                        "rc_weakproxy_get: weakly-referenced object no longer exists");
    rc_heap_clear_error(heap);
    assert_false(rc_equal(heap, p1, p2));
    assert_int_equal(rc_heap_last_error(heap), RC_EREFERENCE);
    assert_string_equal(rc_status_str(RC_EREFERENCE), "weakly-referenced object no longer exists");
    rc_decref(heap, p1);
    rc_decref(heap, p2);
    /* ref3 = weakref.proxy(C()): dead at once. */
    rc_object *tmp = rt_list(heap);
    rc_object *p3 = rc_weakproxy_new(heap, tmp, NULL, NULL);
    rc_decref(heap, tmp);
    assert_null(rc_weakproxy_get(heap, p3));
    rc_decref(heap, p3);
    assert_int_equal(log.calls, 2);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void weakproxy_get_gives_referent_and_refuses_other_objects(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l = rt_list(heap);
    rc_object *p = rc_weakproxy_new(heap, l, NULL, NULL);
    rc_object *w = rc_weakref_new(heap, l, NULL, NULL);
    rc_object *got = rc_weakproxy_get(heap, p);
    assert_ptr_equal(got, l);
    assert_int_equal(rc_refcount(l), 2);
    rc_decref(heap, got);
    assert_null(rc_weakproxy_get(heap, w));
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    assert_null(rc_weakref_get(heap, p));
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    /* A proxy cannot be weakly referenced (CPython: no tp_weaklistoffset). */
    assert_null(rc_weakref_new(heap, p, NULL, NULL));
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    assert_null(rc_weakproxy_new(heap, p, NULL, NULL));
    assert_null(rc_weakproxy_new(heap, NULL, NULL, NULL));
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    /* A weakref can be proxied. */
    rc_object *pw = rc_weakproxy_new(heap, w, NULL, NULL);
    assert_non_null(pw);
    rc_decref(heap, pw);
    rc_decref(heap, w);
    rc_decref(heap, p);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

/* test_getweakrefcount: refs and proxies, with and without callbacks. */
static void weakref_count_counts_proxies(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *o = rt_list(heap);
    rc_object *r1 = rc_weakref_new(heap, o, NULL, NULL);
    rc_object *r2 = rc_weakref_new(heap, o, record_cb, &log);
    assert_int_equal(rc_weakref_count(heap, o), 2);
    rc_object *p1 = rc_weakproxy_new(heap, o, NULL, NULL);
    rc_object *p2 = rc_weakproxy_new(heap, o, record_cb, &log);
    assert_int_equal(rc_weakref_count(heap, o), 4);
    rc_decref(heap, r1);
    rc_decref(heap, r2);
    rc_decref(heap, p1);
    rc_decref(heap, p2);
    assert_int_equal(rc_weakref_count(heap, o), 0);
    assert_int_equal(rc_weakref_count(heap, rc_int_new(heap, 1)), 0);
    rc_decref(heap, o);
    assert_int_equal(log.calls, 0);
    rt_heap_finish(heap);
}

/* test_proxy_hash: hashing a proxy is a TypeError, even when its referent hashes. */
static void proxy_is_unhashable(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *s = rc_str_from_cstr(heap, "hashable");
    rc_object *p = rc_weakproxy_new(heap, s, NULL, NULL);
    rc_heap_clear_error(heap);
    assert_int_equal(rc_hash(heap, p), 0);
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(heap), "rc_hash: unhashable type: 'weakproxy'");
    /* Nor is a tuple holding one, however deep (and no hash is cached on the way). */
    rc_object *inner = rc_tuple_new(heap, 1, &p);
    rc_object *outer = rc_tuple_new(heap, 1, &inner);
    rc_heap_clear_error(heap);
    assert_int_equal(rc_hash(heap, outer), 0);
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    rc_heap_clear_error(heap);
    assert_int_equal(rc_hash(heap, outer), 0);
    assert_int_equal(rc_heap_last_error(heap), RC_ETYPE);
    rc_decref(heap, outer);
    rc_decref(heap, inner);
    rc_object *d = rt_dict(heap);
    assert_int_equal(rc_dict_set(heap, d, p, NULL), RC_ETYPE);
    assert_false(rc_dict_contains(heap, d, p));
    assert_int_equal(rc_dict_len(heap, d), 0);
    rc_decref(heap, d);
    rc_decref(heap, p);
    rc_decref(heap, s);
    rt_heap_finish(heap);
}

/* CPython 3.13's proxy_repr, live and dead. */
static void proxy_repr_names_referent_then_dead(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l = rt_list(heap);
    rc_object *p = rc_weakproxy_new(heap, l, NULL, NULL);
    char want[128], got[128];
    snprintf(want, sizeof want, "<weakproxy at %p; to 'list' at %p>", (void *)p, (void *)l);
    rc_repr_into(heap, p, got, sizeof got);
    assert_string_equal(got, want);
    rc_decref(heap, l);
    snprintf(want, sizeof want, "<weakproxy at %p; dead>", (void *)p);
    rc_repr_into(heap, p, got, sizeof got);
    assert_string_equal(got, want);
    rc_decref(heap, p);
    rt_heap_finish(heap);
}

static void proxy_callback_runs_when_referent_is_cyclic_garbage(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_object *p = rc_weakproxy_new(heap, l, record_cb, &log);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(log.calls, 1);
    assert_ptr_equal(log.last, p);
    assert_int_equal(log.saw_live_referent, 0);
    assert_int_equal(rc_weakref_count(heap, l), 0);
    assert_int_equal(rc_list_len(heap, p), 0);
    assert_int_equal(rc_heap_last_error(heap), RC_EREFERENCE);
    rc_decref(heap, p);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* test_callback_in_cycle with a proxy: a proxy in the garbage never calls back, whether
 * its referent is garbage too or survives (it is detached). */
static void proxy_in_the_garbage_never_calls_back(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    cb_log log;
    memset(&log, 0, sizeof log);
    rc_object *survivor = rt_list(heap);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_object *p = rc_weakproxy_new(heap, l, record_cb, &log);
    rc_object *ps = rc_weakproxy_new(heap, survivor, record_cb, &log);
    rt_append(heap, l, p);
    rt_append(heap, l, ps);
    rc_decref(heap, p);
    rc_decref(heap, ps);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 3);
    assert_int_equal(log.calls, 0);
    assert_int_equal(rc_weakref_count(heap, survivor), 0);
    rc_decref(heap, survivor);
    assert_int_equal(log.calls, 0);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* test_bug1055820c with a proxy: a finalizer of garbage finds the proxy to other garbage
 * already dead. */
typedef struct fin_obj {
    rc_object hdr;
    rc_object *ref;
    rc_object *proxy;
    int *dead_seen;
} fin_obj;

static void fin_check_proxy(rc_heap *heap, rc_object *self)
{
    fin_obj *f = (fin_obj *)self;
    rc_list_len(heap, f->proxy);
    if (rc_heap_last_error(heap) == RC_EREFERENCE)
        (*f->dead_seen)++;
}

static void proxies_to_garbage_are_cleared_before_finalizers_run(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    static const size_t offs[2] = {offsetof(fin_obj, ref), offsetof(fin_obj, proxy)};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "fin_obj";
    spec.instance_bytes = sizeof(fin_obj);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 2;
    spec.finalize = fin_check_proxy;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    int dead_seen = 0;
    rc_object *a = rc_new(heap, t), *b = rt_list(heap);
    ((fin_obj *)a)->dead_seen = &dead_seen;
    ((fin_obj *)a)->ref = rc_newref(b);
    rt_append(heap, b, a);
    ((fin_obj *)a)->proxy = rc_weakproxy_new(heap, b, NULL, NULL);
    rc_decref(heap, a);
    rc_decref(heap, b);
    rc_heap_clear_error(heap);
    assert_int_equal(rc_collect(heap, 2), 3);
    assert_int_equal(dead_seen, 1);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(proxy_forwards_list_operations_to_its_referent),
        cmocka_unit_test(proxy_forwards_dict_and_value_operations),
        cmocka_unit_test(dead_proxy_raises_reference_error_and_calls_back),
        cmocka_unit_test(weakproxy_get_gives_referent_and_refuses_other_objects),
        cmocka_unit_test(weakref_count_counts_proxies),
        cmocka_unit_test(proxy_is_unhashable),
        cmocka_unit_test(proxy_repr_names_referent_then_dead),
        cmocka_unit_test(proxy_callback_runs_when_referent_is_cyclic_garbage),
        cmocka_unit_test(proxy_in_the_garbage_never_calls_back),
        cmocka_unit_test(proxies_to_garbage_are_cleared_before_finalizers_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
