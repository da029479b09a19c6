/*
 * test_finalize_faults.c -- finalizers and weak references under allocation failure: the
 * allocator refuses the N-th request, for N = 0, 1, ... until the scenario runs without a
 * refusal. Whatever fails, no finalizer runs twice, rc_heap_check stays OK and the heap
 * gives back every byte at rc_heap_free. Half the weak references are weak proxies; a
 * second scenario makes a legacy-finalizer cycle uncollectable and then frees it.
 */
#include "rctest.h"

#include <string.h>

typedef struct fobj {
    rc_object hdr;
    rc_object *ref[2];
    int runs; /* times its finalizer ran */
    bool resurrect;
} fobj;

static rc_object *keep; /* where resurrecting finalizers store themselves */

static void fobj_finalize(rc_heap *heap, rc_object *self)
{
    fobj *f = (fobj *)self;
    f->runs++;
    assert_int_equal(f->runs, 1);
    if (f->resurrect && keep != NULL)
        rc_list_append(heap, keep, self);      /* may fail: then it dies */
    rc_object *scratch = rc_list_new(heap, 4); /* allocation inside a finalizer */
    rc_decref(heap, scratch);
}

static void count_cb(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    (void)wr;
    (*(int *)user)++;
}

static const rc_type *fobj_type(rc_heap *heap)
{
    static const size_t offs[2] = {offsetof(fobj, ref[0]), offsetof(fobj, ref[1])};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "fobj";
    spec.instance_bytes = sizeof(fobj);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 2;
    spec.finalize = fobj_finalize;
    return rc_type_new(heap, &spec);
}

/* Returns true if every step succeeded. */
static bool scenario(rc_heap *heap, int *callbacks)
{
    bool ok = true;
    const rc_type *t = fobj_type(heap);
    if (t == NULL)
        return false;
    keep = rc_list_new(heap, 0);
    if (keep == NULL)
        return false;
    rc_object *wrs[6] = {NULL};
    rc_object *prev = NULL, *first = NULL;
    for (int i = 0; i < 6; i++) {
        rc_object *o = rc_new(heap, t);
        if (o == NULL) {
            ok = false;
            break;
        }
        ((fobj *)o)->resurrect = i == 2;
        wrs[i] = i % 2 ? rc_weakproxy_new(heap, o, count_cb, callbacks)
                       : rc_weakref_new(heap, o, count_cb, callbacks);
        ok = ok && wrs[i] != NULL;
        if (prev != NULL) {
            ((fobj *)prev)->ref[0] = o; /* prev's reference to o is the one we hold */
        } else {
            first = o;
        }
        prev = o;
    }
    if (prev != NULL && first != NULL) {
        ((fobj *)prev)->ref[1] = rc_newref(first);
        rc_decref(heap, first);
    }
    if (rc_collect(heap, 2) < 0)
        ok = false;
    if (rc_list_clear(heap, keep) != RC_OK)
        ok = false;
    if (rc_collect(heap, 2) < 0)
        ok = false;
    for (int i = 0; i < 6; i++)
        rc_decref(heap, wrs[i]);
    rc_decref(heap, keep);
    keep = NULL;
    return ok;
}

static int legacy_calls; /* legacy finalizer calls in the current heap */

static void legacy_del(rc_heap *heap, rc_object *self)
{
    (void)heap;
    ((fobj *)self)->runs++;
    assert_int_equal(((fobj *)self)->runs, 1); /* it never resurrects: one death */
    legacy_calls++;
}

/* A legacy-finalizer self-cycle with a weak proxy: uncollectable (into gc.garbage if the
 * list can grow), then taken out and broken, so that it dies by counting. Returns true if
 * every step succeeded; *callbacks counts the proxy's callback. */
static bool legacy_scenario(rc_heap *heap, int *callbacks)
{
    static const size_t offs[2] = {offsetof(fobj, ref[0]), offsetof(fobj, ref[1])};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "legacy";
    spec.instance_bytes = sizeof(fobj);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 2;
    spec.legacy_finalize = legacy_del;
    const rc_type *t = rc_type_new(heap, &spec);
    if (t == NULL)
        return false;
    rc_object *l = rc_new(heap, t);
    if (l == NULL)
        return false;
    ((fobj *)l)->ref[0] = rc_newref(l);
    rc_object *w = rc_weakproxy_new(heap, l, count_cb, callbacks);
    rc_decref(heap, l);
    bool ok = w != NULL && rc_collect(heap, 2) == 1;
    rc_object *garbage = rc_gc_garbage(heap);
    ok = ok && garbage != NULL && rc_list_len(heap, garbage) == 1;
    if (ok) {
        assert_ptr_equal(rc_list_get_borrow(heap, garbage, 0), l);
        assert_int_equal(rc_refcount(l), 2);
        assert_int_equal(legacy_calls, 0);
        rc_object *self = ((fobj *)l)->ref[0];
        ((fobj *)l)->ref[0] = NULL;
        rc_decref(heap, self);
        ok = rc_list_clear(heap, garbage) == RC_OK; /* l dies: proxy cleared, legacy runs */
    }
    rc_decref(heap, garbage);
    rc_decref(heap, w);
    return ok;
}

static void legacy_cycle_survives_every_failure_point(void **state)
{
    (void)state;
    for (int64_t n = 0;; n++) {
        rt_alloc a;
        rt_alloc_init(&a, n);
        rc_heap_config cfg;
        rc_heap_config_init(&cfg);
        cfg.allocator = &a.iface;
        cfg.gc_disabled = true;
        cfg.stress = false;
        rc_heap *heap = rc_heap_new(&cfg);
        if (heap == NULL) {
            assert_int_equal(a.outstanding_bytes, 0);
            continue;
        }
        int callbacks = 0;
        legacy_calls = 0;
        bool ok = legacy_scenario(heap, &callbacks);
        assert_true(callbacks <= 1 && legacy_calls <= 1);
        rc_status st = rc_heap_check(heap);
        if (st != RC_OK)
            fail_msg("fail_at %lld: %s", (long long)n, rc_heap_errmsg(heap));
        rc_heap_free(heap);
        assert_int_equal(a.outstanding_bytes, 0);
        assert_int_equal(a.bad_frees, 0);
        if (a.refused == 0) {
            assert_true(ok);
            assert_int_equal(callbacks, 1);
            assert_int_equal(legacy_calls, 1);
            assert_true(n > 5);
            break;
        }
    }
}

static void every_failure_point_leaves_a_consistent_heap(void **state)
{
    (void)state;
    for (int64_t n = 0;; n++) {
        rt_alloc a;
        rt_alloc_init(&a, n);
        rc_heap_config cfg;
        rc_heap_config_init(&cfg);
        cfg.allocator = &a.iface;
        cfg.gc_disabled = true;
        cfg.stress = false;
        rc_heap *heap = rc_heap_new(&cfg);
        if (heap == NULL) {
            assert_int_equal(a.outstanding_bytes, 0);
            continue;
        }
        int callbacks = 0;
        bool ok = scenario(heap, &callbacks);
        assert_true(callbacks <= 6);
        rc_status st = rc_heap_check(heap);
        if (st != RC_OK)
            fail_msg("fail_at %lld: %s", (long long)n, rc_heap_errmsg(heap));
        rc_heap_free(heap);
        assert_int_equal(a.outstanding_bytes, 0);
        assert_int_equal(a.bad_frees, 0);
        if (a.refused == 0) {
            assert_true(ok);
            assert_int_equal(callbacks, 6);
            assert_true(n > 20); /* the scenario made enough requests to be worth it */
            break;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_failure_point_leaves_a_consistent_heap),
        cmocka_unit_test(legacy_cycle_survives_every_failure_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
