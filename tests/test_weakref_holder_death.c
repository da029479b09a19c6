/*
 * test_weakref_holder_death.c -- an object holding both a weakref (or weak proxy) with a
 * callback and the weakref's referent dies: every container kind, every field order.
 *
 * The holder releases its references in a fixed order (user types: field by field; tuples
 * and lists: last item first, as CPython's tupledealloc and list_dealloc; dicts: entry by
 * entry, key before value). If the weakref goes first it dies at once, leaves its
 * referent's list and never calls back (CPython's weakref_dealloc); if the referent goes
 * first its death clears the weakref, which is still alive, and the callback runs once.
 * Either way nothing is freed twice: before the fix a weakref released first waited on the
 * pending-free list while still on its referent's list, and the referent's death took a
 * reference to it and ran its callback (release builds crashed in pending_pop, debug
 * builds reported "already freed (type weakref)").
 */
#include "rctest.h"

#include <string.h>

typedef struct cb_count {
    int calls;
    rc_object *wr; /* the weakref or proxy expected in the callback (borrowed) */
} cb_count;

static void count_cb(rc_heap *heap, rc_object *wr, void *user)
{
    cb_count *c = user;
    c->calls++;
    assert_ptr_equal(wr, c->wr);
    if (rc_is_weakref(heap, wr))
        assert_null(rc_weakref_get(heap, wr));
    else
        assert_null(rc_weakproxy_get(heap, wr));
    rc_heap_clear_error(heap);
}

/* ---- holder kinds ------------------------------------------------------------------------ */

typedef struct holder2 {
    rc_object hdr;
    rc_object *f[2];
} holder2;

typedef struct holder3 {
    rc_object hdr;
    rc_object *f[3];
} holder3;

static int holdert_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    holder2 *h = (holder2 *)self;
    for (int i = 0; i < 2; i++) {
        int r = visit(heap, h->f[i], arg);
        if (r != 0)
            return r;
    }
    return 0;
}

static void holdert_clear(rc_heap *heap, rc_object *self)
{
    holder2 *h = (holder2 *)self;
    for (int i = 0; i < 2; i++) {
        rc_object *o = h->f[i];
        h->f[i] = NULL;
        rc_decref(heap, o);
    }
}

enum holder_kind {
    H_FIELDS2,  /* two reference offsets (object.c's two-field path) */
    H_FIELDS3,  /* three reference offsets, None between the two */
    H_TRAVERSE, /* traverse and clear */
    H_TUPLE,
    H_LIST,
    H_DICT_VALUES, /* {0: first, 1: second} */
    H_DICT_ITEM,   /* {first: second}: the weakref or the referent as the key */
    H_KINDS
};

static const char *const kind_names[H_KINDS] = {"fields2", "fields3",     "traverse", "tuple",
                                                "list",    "dict values", "dict item"};

typedef struct types {
    const rc_type *f2, *f3, *tr, *thing;
} types;

static types make_types(rc_heap *heap)
{
    static const size_t off2[2] = {offsetof(holder2, f[0]), offsetof(holder2, f[1])};
    static const size_t off3[3] = {offsetof(holder3, f[0]), offsetof(holder3, f[1]),
                                   offsetof(holder3, f[2])};
    types t;
    rc_type_spec s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    s.name = "holder2";
    s.instance_bytes = sizeof(holder2);
    s.ref_offsets = off2;
    s.n_ref_offsets = 2;
    t.f2 = rc_type_new(heap, &s);
    s.name = "holder3";
    s.instance_bytes = sizeof(holder3);
    s.ref_offsets = off3;
    s.n_ref_offsets = 3;
    t.f3 = rc_type_new(heap, &s);
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    s.name = "holdert";
    s.instance_bytes = sizeof(holder2);
    s.traverse = holdert_traverse;
    s.clear = holdert_clear;
    t.tr = rc_type_new(heap, &s);
    t.thing = rt_pair_type(heap);
    assert_non_null(t.f2);
    assert_non_null(t.f3);
    assert_non_null(t.tr);
    return t;
}

/* A holder of kind k whose references are released a first, then b. Takes new references. */
static rc_object *holder_new(rc_heap *heap, const types *t, enum holder_kind k, rc_object *a,
                             rc_object *b)
{
    rc_object *h = NULL;
    switch (k) {
    case H_FIELDS2:
    case H_TRAVERSE:
        h = rc_new(heap, k == H_FIELDS2 ? t->f2 : t->tr);
        assert_non_null(h);
        ((holder2 *)h)->f[0] = rc_newref(a);
        ((holder2 *)h)->f[1] = rc_newref(b);
        break;
    case H_FIELDS3:
        h = rc_new(heap, t->f3);
        assert_non_null(h);
        ((holder3 *)h)->f[0] = rc_newref(a);
        ((holder3 *)h)->f[2] = rc_newref(b);
        break;
    case H_TUPLE: {
        rc_object *items[2] = {b, a}; /* released last first */
        h = rc_tuple_new(heap, 2, items);
        assert_non_null(h);
        break;
    }
    case H_LIST:
        h = rt_list(heap);
        rt_append(heap, h, b);
        rt_append(heap, h, a);
        break;
    case H_DICT_VALUES:
        h = rt_dict(heap);
        assert_int_equal(rc_dict_set(heap, h, rc_int_new(heap, 0), a), RC_OK);
        assert_int_equal(rc_dict_set(heap, h, rc_int_new(heap, 1), b), RC_OK);
        break;
    case H_DICT_ITEM:
        h = rt_dict(heap);
        assert_int_equal(rc_dict_set(heap, h, a, b), RC_OK);
        break;
    case H_KINDS:
        break;
    }
    return h;
}

/* One case: a holder {weak, referent} in the given order dies by counting. */
static void one_case(enum holder_kind k, bool weak_first, bool proxy, bool dict_referent)
{
    rc_heap *heap = rt_heap_new_exact();
    types t = make_types(heap);
    size_t base = rt_live_objects(heap);
    rc_object *obj = dict_referent ? rt_dict(heap) : rt_pair_new(heap, t.thing, 1);
    cb_count c = {0, NULL};
    rc_object *w =
        proxy ? rc_weakproxy_new(heap, obj, count_cb, &c) : rc_weakref_new(heap, obj, count_cb, &c);
    assert_non_null(w);
    c.wr = w;
    rc_object *h = weak_first ? holder_new(heap, &t, k, w, obj) : holder_new(heap, &t, k, obj, w);
    rc_decref(heap, w);
    rc_decref(heap, obj);
    assert_int_equal(rc_refcount(w), 1);
    assert_int_equal(rc_refcount(obj), 1);
    rc_decref(heap, h);
    if (c.calls != (weak_first ? 0 : 1))
        fail_msg("%s, %s first, %s to a %s: %d callbacks", kind_names[k],
                 weak_first ? "weakref" : "referent", proxy ? "proxy" : "weakref",
                 dict_referent ? "dict" : "pair", c.calls);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* The shape first: a user type {wr, obj}, obj a dict, a weakref with a callback. */
static void holder_with_weakref_before_its_referent_dies_cleanly(void **state)
{
    (void)state;
    one_case(H_FIELDS2, true, false, true);
}

static void every_holder_kind_and_field_order(void **state)
{
    (void)state;
    for (int k = 0; k < H_KINDS; k++)
        for (int order = 0; order < 2; order++)
            for (int proxy = 0; proxy < 2; proxy++)
                for (int dict = 0; dict < 2; dict++) {
                    if (k == H_DICT_ITEM && proxy && order == 1)
                        continue; /* a proxy cannot be a dict key (unhashable) */
                    if (k == H_DICT_ITEM && proxy && order == 0) {
                        /* {obj: proxy}: the referent is the key, released first */
                        one_case((enum holder_kind)k, false, true, dict != 0);
                        continue;
                    }
                    one_case((enum holder_kind)k, order == 0, proxy != 0, dict != 0);
                }
}

/* The weakref sits one level down, in a tuple the holder releases first: the tuple waits on
 * the pending-free list (its items are released after the holder's), so the referent dies
 * while the weakref is alive and the callback runs (CPython frees the inner tuple before
 * moving on, except beyond its trashcan depth; rcgc.h says so). */
static void weakref_in_a_nested_holder_calls_back_once(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *obj = rt_dict(heap);
    cb_count c = {0, NULL};
    rc_object *w = rc_weakref_new(heap, obj, count_cb, &c);
    c.wr = w;
    rc_object *inner = rc_tuple_new(heap, 1, &w);
    rc_decref(heap, w);
    rc_object *outer_items[2] = {obj, inner}; /* inner released first */
    rc_object *outer = rc_tuple_new(heap, 2, outer_items);
    rc_decref(heap, inner);
    rc_decref(heap, obj);
    rc_decref(heap, outer);
    assert_int_equal(c.calls, 1);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* Several weakrefs to one referent in one holder, some released before it, some after:
 * only those still alive when it dies call back. */
static void weakrefs_on_both_sides_of_their_referent(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *obj = rt_list(heap);
    cb_count c[4];
    rc_object *l = rt_list(heap);
    memset(c, 0, sizeof c);
    /* list [w3, w2, obj, w1, w0] releases w0, w1, obj, w2, w3 */
    rc_object *w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = rc_weakref_new(heap, obj, count_cb, &c[i]);
        c[i].wr = w[i];
    }
    rt_append(heap, l, w[3]);
    rt_append(heap, l, w[2]);
    rt_append(heap, l, obj);
    rt_append(heap, l, w[1]);
    rt_append(heap, l, w[0]);
    for (int i = 0; i < 4; i++)
        rc_decref(heap, w[i]);
    rc_decref(heap, obj);
    assert_int_equal(rc_weakref_count(heap, obj), 4);
    rc_decref(heap, l);
    assert_int_equal(c[0].calls, 0);
    assert_int_equal(c[1].calls, 0);
    assert_int_equal(c[2].calls, 1);
    assert_int_equal(c[3].calls, 1);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* The holder dies during a collection: a garbage object's finalizer drops the last
 * reference to it (the release waits for the end of the collection). */
static rc_object *fin_drops; /* the holder the finalizer releases */

static void fin_drop_holder(rc_heap *heap, rc_object *self)
{
    (void)self;
    rc_object *h = fin_drops;
    fin_drops = NULL;
    rc_decref(heap, h);
}

static void holder_released_by_a_finalizer_during_a_collection(void **state)
{
    (void)state;
    for (int order = 0; order < 2; order++) {
        rc_heap *heap = rt_heap_new_exact();
        types t = make_types(heap);
        rc_type_spec s;
        memset(&s, 0, sizeof s);
        static const size_t off[1] = {offsetof(holder2, f[0])};
        s.size = sizeof s;
        s.name = "dropper";
        s.instance_bytes = sizeof(holder2);
        s.ref_offsets = off;
        s.n_ref_offsets = 1;
        s.finalize = fin_drop_holder;
        const rc_type *dropper = rc_type_new(heap, &s);
        size_t base = rt_live_objects(heap);
        rc_object *obj = rt_dict(heap);
        cb_count c = {0, NULL};
        rc_object *w = rc_weakref_new(heap, obj, count_cb, &c);
        c.wr = w;
        fin_drops = order == 0 ? holder_new(heap, &t, H_FIELDS2, w, obj)
                               : holder_new(heap, &t, H_FIELDS2, obj, w);
        rc_decref(heap, w);
        rc_decref(heap, obj);
        rc_object *d = rc_new(heap, dropper); /* a cycle: d -> d */
        ((holder2 *)d)->f[0] = rc_newref(d);
        rc_decref(heap, d);
        assert_int_equal(rc_collect(heap, 2), 1);
        assert_null(fin_drops);
        assert_int_equal(c.calls, order == 0 ? 0 : 1);
        assert_int_equal(rt_live_objects(heap), base);
        rt_heap_finish(heap);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(holder_with_weakref_before_its_referent_dies_cleanly),
        cmocka_unit_test(every_holder_kind_and_field_order),
        cmocka_unit_test(weakref_in_a_nested_holder_calls_back_once),
        cmocka_unit_test(weakrefs_on_both_sides_of_their_referent),
        cmocka_unit_test(holder_released_by_a_finalizer_during_a_collection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
