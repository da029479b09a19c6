/*
 * test_gc_reentrant.c -- rc_collect called from user code, CPython's rule: gc.collect()
 * returns 0 while a collection runs and collects normally during a deallocation, whatever
 * way the object died; rc_gc_is_collecting tells which. A collection started inside a
 * weakref callback is no heap corruption (RCGC_DEBUG=3 checks the heap around it), and a
 * corruption report quotes the check's message intact. rc_heap_check reports a count too
 * small as CPython's test_gc test_refcount_errors expects: type, count and repr.
 */
#include "rctest.h"

#include <string.h>

typedef struct probe {
    int calls;
    int64_t result;  /* rc_collect's result inside the hook */
    bool collecting; /* rc_gc_is_collecting inside the hook */
    rc_status error; /* the heap's error after it */
    rc_status check; /* rc_heap_check inside the hook (weakref callbacks) */
} probe;

typedef struct fnode {
    rc_object hdr;
    rc_object *ref;
    probe *p;
} fnode;

static void fin_collect(rc_heap *heap, rc_object *self)
{
    probe *p = ((fnode *)self)->p;
    p->calls++;
    p->collecting = rc_gc_is_collecting(heap);
    rc_heap_clear_error(heap);
    p->result = rc_collect(heap, 2);
    p->error = rc_heap_last_error(heap);
}

static const rc_type *fnode_type(rc_heap *heap)
{
    static const size_t offs[1] = {offsetof(fnode, ref)};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "fnode";
    spec.instance_bytes = sizeof(fnode);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 1;
    spec.finalize = fin_collect;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

static rc_object *fnode_new(rc_heap *heap, const rc_type *t, probe *p)
{
    rc_object *o = rc_new(heap, t);
    assert_non_null(o);
    ((fnode *)o)->p = p;
    return o;
}

/* A self-referencing list: one object of cyclic garbage once dropped. */
static void make_garbage_cycle(rc_heap *heap)
{
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_decref(heap, l);
}

static void is_collecting_is_false_outside_collections(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_false(rc_gc_is_collecting(heap));
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_false(rc_gc_is_collecting(heap));
    rt_heap_finish(heap);
}

/* The finalizer of cyclic garbage runs inside the collection: rc_collect gives 0. */
static void collect_from_a_finalizer_in_a_collection_returns_0(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rt_misuse_log log;
    memset(&log, 0, sizeof log);
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &log);
    const rc_type *t = fnode_type(heap);
    probe p;
    memset(&p, 0, sizeof p);
    rc_object *a = fnode_new(heap, t, &p);
    ((fnode *)a)->ref = a; /* the cycle holds the only reference */
    make_garbage_cycle(heap);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(p.calls, 1);
    assert_true(p.collecting);
    assert_int_equal(p.result, 0);
    assert_int_equal(p.error, RC_OK);
    assert_int_equal(log.count, 0);
    assert_int_equal(rt_collections(heap, 2), 1); /* no nested collection ran */
    rt_heap_finish(heap);
}

/* The object's own count reaches zero: a normal collection runs from its finalizer. */
static void collect_from_a_finalizer_at_count_zero_collects(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *t = fnode_type(heap);
    probe p;
    memset(&p, 0, sizeof p);
    rc_object *a = fnode_new(heap, t, &p);
    make_garbage_cycle(heap);
    rc_decref(heap, a);
    assert_int_equal(p.calls, 1);
    assert_false(p.collecting);
    assert_int_equal(p.result, 1);
    assert_int_equal(rc_type_live_count(t), 0);
    rt_heap_finish(heap);
}

/* The finalizer's object dies in a release cascade (a tuple releasing its items, last
 * first): the collection runs while the cascade still has a list to free, whose items
 * (a cycle it holds) must survive it; the cascade then frees the list, and the cycle is
 * garbage for the next collection. Before, rc_collect was refused as misuse here. */
static void collect_during_a_release_cascade_collects(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rt_misuse_log log;
    memset(&log, 0, sizeof log);
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &log);
    const rc_type *t = fnode_type(heap);
    size_t base = rt_live_objects(heap);
    probe p;
    memset(&p, 0, sizeof p);
    rc_object *x = rt_list(heap), *y = rt_list(heap);
    rt_append(heap, x, y);
    rt_append(heap, y, x);
    rc_object *held = rt_list(heap);
    rt_append(heap, held, x);
    rc_decref(heap, x);
    rc_decref(heap, y);
    rc_object *f = fnode_new(heap, t, &p);
    rc_object *items[2] = {f, held}; /* released: held first (pending), then f */
    rc_object *tup = rc_tuple_new(heap, 2, items);
    rc_decref(heap, f);
    rc_decref(heap, held);
    make_garbage_cycle(heap);
    rc_decref(heap, tup);
    assert_int_equal(p.calls, 1);
    assert_false(p.collecting);
    assert_int_equal(p.result, 1); /* the self-cycle; x and y were held by the pending list */
    assert_int_equal(p.error, RC_OK);
    assert_int_equal(log.count, 0);
    assert_int_equal(rt_live_objects(heap), base + 2); /* x and y, now cyclic garbage */
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void cb_collect(rc_heap *heap, rc_object *wr, void *user)
{
    (void)wr;
    probe *p = user;
    p->calls++;
    p->collecting = rc_gc_is_collecting(heap);
    p->result = rc_collect(heap, 2);
    p->check = rc_heap_check(heap);
}

/* A weakref callback run by a death by counting, in a cascade or not, collects. */
static void collect_from_a_weakref_callback_at_count_zero_collects(void **state)
{
    (void)state;
    for (int nested = 0; nested < 2; nested++) {
        rc_heap *heap = rt_heap_new_exact();
        probe p;
        memset(&p, 0, sizeof p);
        rc_object *obj = rt_dict(heap);
        rc_object *w = rc_weakref_new(heap, obj, cb_collect, &p);
        rc_object *holder = NULL;
        if (nested) {
            holder = rt_list(heap);
            rt_append(heap, holder, obj);
        }
        make_garbage_cycle(heap);
        rc_decref(heap, obj);    /* not nested: obj dies now */
        rc_decref(heap, holder); /* nested: obj dies in holder's cascade */
        assert_int_equal(p.calls, 1);
        assert_false(p.collecting);
        assert_int_equal(p.result, 1);
        /* rc_heap_check inside the callback: RC_OK at a death outside a cascade (the
         * callback queued is no corruption), RC_ESTATE inside one */
        assert_int_equal(p.check, nested ? RC_ESTATE : RC_OK);
        rc_decref(heap, w);
        rt_heap_finish(heap);
    }
}

static void cb_allocate(rc_heap *heap, rc_object *wr, void *user)
{
    (void)wr;
    probe *p = user;
    p->calls++;
    for (int i = 0; i < 10; i++)
        make_garbage_cycle(heap);
}

/* A weakref callback allocates; with threshold 1 the allocation starts a collection while
 * the callback is still queued. Under RCGC_DEBUG=3 the heap is checked around that
 * collection; before, the queued callback was reported as corruption ("callbacks left
 * between collections"). */
static void collection_started_inside_a_callback_is_no_corruption(void **state)
{
    (void)state;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.threshold[0] = 1;
    rc_heap *heap = rt_heap_new_cfg(&cfg);
    rt_misuse_log log;
    memset(&log, 0, sizeof log);
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &log);
    probe p;
    memset(&p, 0, sizeof p);
    rc_object *obj = rt_dict(heap);
    rc_object *w = rc_weakref_new(heap, obj, cb_allocate, &p);
    uint64_t before = rt_collections(heap, 0) + rt_collections(heap, 1) + rt_collections(heap, 2);
    rc_decref(heap, obj);
    assert_int_equal(p.calls, 1);
    uint64_t after = rt_collections(heap, 0) + rt_collections(heap, 1) + rt_collections(heap, 2);
    assert_true(after > before);
    if (log.count != 0)
        fail_msg("misuse reported: %s", log.message);
    rc_decref(heap, w);
    rc_collect(heap, 2);
    rt_heap_finish(heap);
}

/* test_gc.py test_refcount_errors: a list [1, 2, 3] held by one more reference than its
 * count says. rc_heap_check names its type, count and repr. */
static void test_refcount_errors(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_object *l = rt_list(heap);
    for (int i = 1; i <= 3; i++)
        rt_append(heap, l, rc_int_new(heap, i));
    rc_object *holder = rt_pair_new(heap, pair, 1);
    ((rt_pair *)holder)->a = l; /* a reference taken without rc_incref: the count is 1 */
    ((rt_pair *)holder)->b = l; /* and another: two references held by heap objects */
    assert_int_equal(rc_heap_check(heap), RC_ECORRUPT);
    const char *msg = rc_heap_errmsg(heap);
    assert_non_null(strstr(msg, "rc_heap_check: refcount is too small: object 0x"));
    assert_non_null(strstr(msg, "of type 'list' has refcount 1"));
    assert_non_null(strstr(msg, "heap objects hold 2 references"));
    assert_non_null(strstr(msg, "repr [1, 2, 3]"));
    /* Under RCGC_DEBUG=3 a collection reports it through the misuse hook, the check's
     * message quoted intact (it used to be formatted into itself). */
    rt_misuse_log log;
    memset(&log, 0, sizeof log);
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &log);
    rc_collect(heap, 0);
    if (log.count > 0) {
        assert_int_equal(log.count, 2); /* before and after the collection */
        assert_int_equal(log.kind, RC_MISUSE_CORRUPT_HEAP);
        assert_non_null(strstr(log.message, "heap check failed after a collection: "
                                            "rc_heap_check: refcount is too small: object 0x"));
        assert_non_null(strstr(log.message, "of type 'list' has refcount 1"));
    }
    ((rt_pair *)holder)->a = NULL;
    ((rt_pair *)holder)->b = NULL;
    rc_heap_clear_error(heap);
    rc_decref(heap, holder);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

/* gc.get_objects / gc.get_referrers from a finalizer during a collection (CPython 3.13):
 * the garbage being finalized, itself included, and the uncollectable part are not seen. */
typedef struct peek {
    rc_object *a, *b, *legacy; /* garbage of the collection (borrowed) */
    rc_object *keep;           /* a live list that refers to nothing collected */
    int calls;
    int seen_in_objects;   /* garbage objects get_objects returned */
    int seen_as_referrers; /* garbage objects get_referrers returned */
    bool keep_seen;        /* the live list is still listed */
} peek;

static peek *cur_peek;

static int count_in(rc_heap *heap, rc_object *list, const peek *p)
{
    int n = 0;
    size_t pos = 0;
    rc_object *item;
    while (rc_list_next(heap, list, &pos, &item))
        n += item == p->a || item == p->b || item == p->legacy;
    return n;
}

static void fin_peek(rc_heap *heap, rc_object *self)
{
    (void)self;
    peek *p = cur_peek;
    p->calls++;
    rc_object *all = rc_gc_get_objects(heap, -1);
    assert_non_null(all);
    p->seen_in_objects += count_in(heap, all, p);
    size_t pos = 0;
    rc_object *item;
    while (rc_list_next(heap, all, &pos, &item))
        p->keep_seen = p->keep_seen || item == p->keep;
    rc_decref(heap, all);
    rc_object *targets[2] = {p->a, p->b};
    rc_object *refs = rc_gc_get_referrers(heap, targets, 2);
    assert_non_null(refs);
    p->seen_as_referrers += count_in(heap, refs, p);
    rc_decref(heap, refs);
}

static void legacy_noop(rc_heap *heap, rc_object *self)
{
    (void)heap;
    (void)self;
}

static void get_objects_and_referrers_hide_the_garbage_during_its_collection(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    static const size_t offs[1] = {offsetof(fnode, ref)};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "peeker";
    spec.instance_bytes = sizeof(fnode);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 1;
    spec.finalize = fin_peek;
    const rc_type *pt = rc_type_new(heap, &spec);
    spec.name = "legacy";
    spec.finalize = NULL;
    spec.legacy_finalize = legacy_noop;
    const rc_type *lt = rc_type_new(heap, &spec);
    assert_non_null(pt);
    assert_non_null(lt);
    peek p;
    memset(&p, 0, sizeof p);
    cur_peek = &p;
    p.keep = rt_list(heap);
    p.a = rc_new(heap, pt);
    p.b = rt_list(heap);
    ((fnode *)p.a)->ref = rc_newref(p.b); /* a <-> b, garbage with a finalizer */
    rt_append(heap, p.b, p.a);
    p.legacy = rc_new(heap, lt);
    ((fnode *)p.legacy)->ref = rc_newref(p.legacy); /* uncollectable */
    rc_decref(heap, p.a);
    rc_decref(heap, p.b);
    rc_decref(heap, p.legacy);
    assert_int_equal(rc_collect(heap, 2), 3); /* a and b freed, the legacy one kept */
    assert_int_equal(p.calls, 1);
    assert_int_equal(p.seen_in_objects, 0);
    assert_int_equal(p.seen_as_referrers, 0);
    assert_true(p.keep_seen);
    /* after the collection the uncollectable object is visible again */
    p.a = p.b = NULL;
    rc_object *all = rc_gc_get_objects(heap, -1);
    assert_int_equal(count_in(heap, all, &p), 1);
    rc_decref(heap, all);
    rc_object *garbage = rc_gc_garbage(heap);
    ((fnode *)p.legacy)->ref = NULL;
    rc_decref(heap, p.legacy);
    assert_int_equal(rc_list_clear(heap, garbage), RC_OK);
    rc_decref(heap, garbage);
    rc_decref(heap, p.keep);
    cur_peek = NULL;
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(is_collecting_is_false_outside_collections),
        cmocka_unit_test(collect_from_a_finalizer_in_a_collection_returns_0),
        cmocka_unit_test(collect_from_a_finalizer_at_count_zero_collects),
        cmocka_unit_test(collect_during_a_release_cascade_collects),
        cmocka_unit_test(collect_from_a_weakref_callback_at_count_zero_collects),
        cmocka_unit_test(collection_started_inside_a_callback_is_no_corruption),
        cmocka_unit_test(test_refcount_errors),
        cmocka_unit_test(get_objects_and_referrers_hide_the_garbage_during_its_collection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
