/*
 * test_gc_cycles.c -- which cycles the collector frees, rewritten from the finalizer-free
 * cases of CPython's Lib/test/test_gc.py (test_list, test_dict, test_tuple, test_class,
 * test_instance, chains, mixed types) plus the precision cases: garbage that references
 * live objects, cycles holding old objects, long chains and a million-object ring.
 *
 * Every heap here is rt_heap_new_exact: collections run only when a test asks, so
 * rc_collect's counts are exact.
 */
#include "rctest.h"

#include <stdlib.h>
#include <string.h>

/* Drops the caller's reference and checks the object stayed alive (held by a cycle). */
static void drop_keeping(rc_heap *heap, rc_object *obj, int64_t expect_after)
{
    rc_decref(heap, obj);
    assert_int_equal(rc_refcount(obj), expect_after);
}

static void list_self_cycle_freed_by_full_collect(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    assert_int_equal(rc_refcount(l), 2);
    drop_keeping(heap, l, 1);
    assert_int_equal(rt_live_objects(heap), base + 1);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void dict_self_cycle_freed_by_full_collect(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *d = rt_dict(heap);
    rc_object *key = rc_str_from_cstr(heap, "self");
    assert_non_null(key);
    assert_int_equal(rc_dict_set(heap, d, key, d), RC_OK);
    rc_decref(heap, key); /* the dict keeps the key */
    assert_int_equal(rc_refcount(key), 1);
    drop_keeping(heap, d, 1);
    assert_int_equal(rt_live_objects(heap), base + 2);
    /* The str key is atomic, so only the dict is found; the key goes with it. */
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void tuple_holding_list_cycle_freed_by_full_collect(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *l = rt_list(heap);
    rc_object *t = rc_tuple_new(heap, 1, &l);
    assert_non_null(t);
    rt_append(heap, l, t); /* l = [t], t = (l,) */
    rc_decref(heap, t);
    drop_keeping(heap, l, 1);
    assert_int_equal(rt_live_objects(heap), base + 2);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void cycle_of_two_lists_freed_by_full_collect(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    rt_append(heap, a, b);
    rt_append(heap, b, a);
    drop_keeping(heap, a, 1);
    drop_keeping(heap, b, 1);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rt_live_objects(heap), base);
    assert_int_equal(rt_collected(heap, 2), 2);
    rt_heap_finish(heap);
}

static void instance_self_cycle_freed_by_full_collect(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_object *p = rt_pair_new(heap, pair, 1);
    rt_pair_set(heap, p, 0, p);
    drop_keeping(heap, p, 1);
    assert_int_equal(rc_type_live_count(pair), 1);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(rc_type_live_count(pair), 0);
    rt_heap_finish(heap);
}

static void instance_cycle_through_traverse_type_freed(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *bag = rt_bag_type(heap);
    rc_object *a = rt_bag_new(heap, bag, 1), *b = rt_bag_new(heap, bag, 2);
    rt_bag_set(heap, a, 3, b);
    rt_bag_set(heap, b, 0, a);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_type_live_count(bag), 2);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rc_type_live_count(bag), 0);
    rt_heap_finish(heap);
}

/* A dict holding an instance holding the dict: CPython's test_instance/test_class shape
 * (an object whose __dict__ refers back to it). */
static void instance_and_its_dict_cycle_freed(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_object *p = rt_pair_new(heap, pair, 1);
    rc_object *attrs = rt_dict(heap);
    rt_pair_set(heap, p, 1, attrs);
    rc_object *k = rc_str_from_cstr(heap, "me");
    assert_int_equal(rc_dict_set(heap, attrs, k, p), RC_OK);
    rc_decref(heap, k);
    rc_decref(heap, attrs);
    drop_keeping(heap, p, 1);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rc_type_live_count(pair), 0);
    assert_int_equal(rc_type_live_count(rc_heap_builtin_str(heap)), 0);
    rt_heap_finish(heap);
}

/* list -> dict -> tuple -> pair -> list. */
static void cycle_through_four_types_freed(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *l = rt_list(heap);
    rc_object *d = rt_dict(heap);
    rc_object *p = rt_pair_new(heap, pair, 7);
    rc_object *t = rc_tuple_new(heap, 1, &p);
    assert_non_null(t);
    rt_append(heap, l, d);
    assert_int_equal(rc_dict_set(heap, d, rc_int_new(heap, 1), t), RC_OK);
    rt_pair_set(heap, p, 0, l);
    rc_decref(heap, d);
    rc_decref(heap, t);
    rc_decref(heap, p);
    drop_keeping(heap, l, 1);
    assert_int_equal(rt_live_objects(heap), base + 4);
    assert_int_equal(rc_collect(heap, 2), 4);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* A ring of n pairs, each holding the next; returns the first with one caller reference. */
static rc_object *make_ring(rc_heap *heap, const rc_type *pair, size_t n)
{
    rc_object *first = rt_pair_new(heap, pair, 0);
    rc_object *prev = first;
    for (size_t i = 1; i < n; i++) {
        rc_object *p = rt_pair_new(heap, pair, (int64_t)i);
        rt_pair_set(heap, prev, 0, p);
        if (prev != first)
            rc_decref(heap, prev);
        prev = p;
    }
    rt_pair_set(heap, prev, 0, first);
    if (prev != first)
        rc_decref(heap, prev);
    return first;
}

static void chain_of_thousand_pairs_in_a_ring_freed(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_object *ring = make_ring(heap, pair, 1000);
    drop_keeping(heap, ring, 1);
    assert_int_equal(rc_type_live_count(pair), 1000);
    assert_int_equal(rc_collect(heap, 2), 1000);
    assert_int_equal(rc_type_live_count(pair), 0);
    rt_heap_finish(heap);
}

/* Precision: a ring of a million objects is found in full by one collection, each time. */
static void million_object_cycle_freed_by_one_collection_each_time(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    size_t base_bytes = rt_live_bytes(heap);
    for (int round = 0; round < 3; round++) {
        rc_object *ring = make_ring(heap, pair, 1000000);
        rc_decref(heap, ring);
        assert_int_equal(rc_type_live_count(pair), 1000000);
        assert_int_equal(rc_collect(heap, 2), 1000000);
        assert_int_equal(rc_type_live_count(pair), 0);
        assert_int_equal(rt_live_bytes(heap), base_bytes);
    }
    assert_int_equal(rt_collected(heap, 2), 3000000);
    rt_heap_finish(heap);
}

/* A long acyclic chain is freed by counting alone, without recursion. */
static void dropped_chain_of_million_nested_lists_freed_by_refcount(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    size_t base_bytes = rt_live_bytes(heap);
    rc_object *head = rt_list(heap);
    for (int i = 1; i < 1000000; i++) {
        rc_object *outer = rt_list(heap);
        assert_int_equal(rc_list_append_steal(heap, outer, head), RC_OK);
        head = outer;
    }
    assert_int_equal(rt_live_objects(heap), base + 1000000);
    rc_decref(heap, head);
    assert_int_equal(rt_live_objects(heap), base);
    assert_int_equal(rt_live_bytes(heap), base_bytes);
    assert_int_equal(rc_collect(heap, 2), 0);
    rt_heap_finish(heap);
}

/* Garbage that references live objects: the live ones survive with their counts exactly
 * as the program holds them once the garbage's references are gone. */
static void garbage_referencing_live_objects_restores_exact_counts(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_object *live_list = rt_list(heap);
    rc_object *live_pair = rt_pair_new(heap, pair, 1);
    rc_object *live_str = rc_str_from_cstr(heap, "kept");
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    rt_append(heap, a, b);
    rt_append(heap, b, a);
    rt_append(heap, a, live_list);
    rt_append(heap, a, live_pair);
    rt_append(heap, b, live_pair);
    rt_append(heap, b, live_str);
    assert_int_equal(rc_refcount(live_list), 2);
    assert_int_equal(rc_refcount(live_pair), 3);
    assert_int_equal(rc_refcount(live_str), 2);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rc_refcount(live_list), 1);
    assert_int_equal(rc_refcount(live_pair), 1);
    assert_int_equal(rc_refcount(live_str), 1);
    assert_int_equal(rc_list_len(heap, live_list), 0);
    assert_string_equal(rc_str_data(heap, live_str), "kept");
    assert_int_equal(((rt_pair *)live_pair)->id, 1);
    rc_decref(heap, live_list);
    rc_decref(heap, live_pair);
    rc_decref(heap, live_str);
    rt_heap_finish(heap);
}

/* Live objects that reference garbage-looking structures keep them alive, with exact
 * counts after the collection (trial deletion must restore them). */
static void reachable_cycle_survives_with_exact_counts(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *a = rt_list(heap), *b = rt_list(heap), *c = rt_list(heap);
    rt_append(heap, a, b);
    rt_append(heap, b, c);
    rt_append(heap, c, a);
    rt_append(heap, c, b);
    rc_decref(heap, b);
    rc_decref(heap, c);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rc_refcount(a), 2);
    assert_int_equal(rc_refcount(b), 2);
    assert_int_equal(rc_refcount(c), 1);
    rc_decref(heap, a);
    assert_int_equal(rc_collect(heap, 2), 3);
    rt_heap_finish(heap);
}

/* A young cycle referencing an old long-lived object: the cycle goes, the old object
 * stays with its count back to what the program holds. */
static void young_cycle_referencing_old_object_frees_only_the_cycle(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *old = rt_list(heap);
    assert_int_equal(rc_collect(heap, 2), 0); /* old now lives in generation 2 */
    rt_gens g = rt_gen_sizes(heap);
    assert_int_equal(g.n[2], 1);
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    rt_append(heap, a, b);
    rt_append(heap, b, a);
    rt_append(heap, a, old);
    rt_append(heap, old, b); /* old holds the cycle too ... */
    rc_decref(heap, a);
    rc_decref(heap, b);
    /* ... so it is reachable from old and must survive a young collection. */
    assert_int_equal(rc_collect(heap, 0), 0);
    assert_int_equal(rc_refcount(old), 2);
    rc_object *out = NULL;
    assert_int_equal(rc_list_pop(heap, old, 0, &out), RC_OK);
    rc_decref(heap, out);
    /* Now the cycle is garbage; it sits in generation 1 after the collection above. */
    assert_int_equal(rc_collect(heap, 1), 2);
    assert_int_equal(rc_refcount(old), 1);
    assert_int_equal(rc_list_len(heap, old), 0);
    g = rt_gen_sizes(heap);
    assert_int_equal(g.n[0] + g.n[1] + g.n[2], 1);
    rc_decref(heap, old);
    rt_heap_finish(heap);
}

/* An old cycle that a young object keeps alive survives a young collection. */
static void old_cycle_held_by_young_object_survives(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    rt_append(heap, a, b);
    rt_append(heap, b, a);
    assert_int_equal(rc_collect(heap, 2), 0);
    rc_object *holder = rt_list(heap);
    rt_append(heap, holder, a);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_collect(heap, 0), 0);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rc_refcount(a), 2);
    assert_int_equal(rc_refcount(b), 1);
    rc_decref(heap, holder);
    assert_int_equal(rc_collect(heap, 2), 2);
    rt_heap_finish(heap);
}

/* Cyclic garbage whose only link to an acyclic tail is through the cycle: the tail is
 * freed too, and counted if it is tracked. */
static void cycle_with_acyclic_tail_frees_tail(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *a = rt_list(heap);
    rt_append(heap, a, a);
    rc_object *tail = rt_list(heap);
    rc_object *f = rc_float_new(heap, 2.5);
    rt_append(heap, tail, f);
    rc_decref(heap, f);
    assert_int_equal(rc_list_append_steal(heap, a, tail), RC_OK);
    rc_decref(heap, a);
    assert_int_equal(rt_live_objects(heap), base + 3);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* Two separate cycles and a live structure in one collection. */
static void several_cycles_counted_together(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_object *r1 = make_ring(heap, pair, 10);
    rc_object *r2 = make_ring(heap, pair, 25);
    rc_object *keep = make_ring(heap, pair, 5);
    rc_decref(heap, r1);
    rc_decref(heap, r2);
    assert_int_equal(rc_collect(heap, 2), 35);
    assert_int_equal(rc_type_live_count(pair), 5);
    assert_int_equal(rc_refcount(keep), 2);
    rc_decref(heap, keep);
    assert_int_equal(rc_collect(heap, 2), 5);
    rt_heap_finish(heap);
}

/* Nothing to find: a collection of an empty heap returns 0 and changes no count. */
static void collect_without_garbage_returns_zero(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l = rt_list(heap);
    for (int g = 0; g < 3; g++)
        assert_int_equal(rc_collect(heap, g), 0);
    assert_int_equal(rc_refcount(l), 1);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

/* Large objects (a page each) take part in cycles like any other, in every generation. */
static void cycle_of_large_objects_freed_young_and_old(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_heap_stats st0 = rt_stats(heap);
    rc_object *a = rc_new_var(heap, pair, 3 * RC_PAGE_BYTES);
    rc_object *b = rc_new_var(heap, pair, 70000);
    assert_non_null(a);
    assert_non_null(b);
    assert_true(rc_gc_is_tracked(heap, a));
    rt_pair_set(heap, a, 0, b);
    rt_pair_set(heap, b, 1, a);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_collect(heap, 0), 2);
    assert_int_equal(rt_stats(heap).large_bytes, st0.large_bytes);

    a = rc_new_var(heap, pair, 100000);
    assert_non_null(a);
    rt_pair_set(heap, a, 0, a);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rt_gen_sizes(heap).n[2], 1);
    rc_decref(heap, a);
    assert_int_equal(rc_collect(heap, 0), 0);
    assert_int_equal(rc_collect(heap, 2), 1);
    rc_heap_stats st = rt_stats(heap);
    assert_int_equal(st.large_bytes, st0.large_bytes);
    assert_int_equal(st.live_objects, st0.live_objects);
    rt_heap_finish(heap);
}

/* A dict that is its own key, and a pair used as a key that holds the dict: cycles
 * through dict keys, not just values. */
static void cycles_through_dict_keys_freed(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *d = rt_dict(heap);
    assert_int_equal(rc_dict_set(heap, d, d, NULL), RC_OK);
    rc_object *e = rt_dict(heap);
    rc_object *k = rt_pair_new(heap, pair, 3);
    rt_pair_set(heap, k, 0, e);
    assert_int_equal(rc_dict_set(heap, e, k, rc_int_new(heap, 1)), RC_OK);
    rc_decref(heap, k);
    assert_int_equal(rc_refcount(k), 1);
    rc_decref(heap, d);
    rc_decref(heap, e);
    assert_int_equal(rt_live_objects(heap), base + 3);
    assert_int_equal(rc_collect(heap, 2), 3);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* A type that counts how often destroy and clear run on its instances. */
typedef struct counted {
    rc_object hdr;
    rc_object *ref;
    int *destroyed; /* incremented by destroy */
    int *cleared;   /* incremented by clear */
} counted;

static int counted_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    return visit(heap, ((counted *)self)->ref, arg);
}

static void counted_clear(rc_heap *heap, rc_object *self)
{
    counted *c = (counted *)self;
    ++*c->cleared;
    rc_object *old = c->ref;
    c->ref = NULL;
    rc_decref(heap, old);
}

static void counted_destroy(rc_heap *heap, rc_object *self)
{
    (void)heap;
    ++*((counted *)self)->destroyed;
}

static const rc_type *counted_type(rc_heap *heap)
{
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "counted";
    spec.instance_bytes = sizeof(counted);
    spec.traverse = counted_traverse;
    spec.clear = counted_clear;
    spec.destroy = counted_destroy;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

static rc_object *counted_new(rc_heap *heap, const rc_type *t, int *destroyed, int *cleared)
{
    rc_object *o = rc_new(heap, t);
    assert_non_null(o);
    ((counted *)o)->destroyed = destroyed;
    ((counted *)o)->cleared = cleared;
    return o;
}

/* rc_type_spec: clear runs when a count reaches zero; a collection frees cyclic garbage
 * without clear; destroy runs exactly once either way. */
static void collected_garbage_destroyed_once_without_clear(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *t = counted_type(heap);
    int destroyed = 0, cleared = 0;
    rc_object *a = counted_new(heap, t, &destroyed, &cleared);
    rc_object *b = counted_new(heap, t, &destroyed, &cleared);
    ((counted *)a)->ref = rc_newref(b);
    ((counted *)b)->ref = rc_newref(a);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(destroyed, 0);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(destroyed, 2);
    assert_int_equal(cleared, 0);

    rc_object *c = counted_new(heap, t, &destroyed, &cleared);
    rc_decref(heap, c);
    assert_int_equal(destroyed, 3);
    assert_int_equal(cleared, 1);
    rt_heap_finish(heap);
}

/* rc_heap_free destroys each live object once, cycles and acyclic ones alike. */
static void heap_free_destroys_each_live_object_once(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *t = counted_type(heap);
    int destroyed = 0, cleared = 0;
    rc_object *a = counted_new(heap, t, &destroyed, &cleared);
    rc_object *b = counted_new(heap, t, &destroyed, &cleared);
    ((counted *)a)->ref = rc_newref(b);
    ((counted *)b)->ref = rc_newref(a);
    rc_decref(heap, b);
    rc_object *lone = counted_new(heap, t, &destroyed, &cleared);
    rc_object *held = counted_new(heap, t, &destroyed, &cleared);
    ((counted *)held)->ref = rc_newref(lone);
    (void)a;
    rt_heap_finish(heap);
    assert_int_equal(destroyed, 4);
}

/* Wraps inner in a new container of kind i % 5 (list, dict value, tuple, pair, bag),
 * stealing the caller's reference to inner; returns the new container. */
static rc_object *wrap(rc_heap *heap, const rc_type *pair, const rc_type *bag, int i,
                       rc_object *inner)
{
    rc_object *o = NULL;
    switch (i % 5) {
    case 0:
        o = rt_list(heap);
        rt_append(heap, o, inner);
        break;
    case 1:
        o = rt_dict(heap);
        assert_int_equal(rc_dict_set(heap, o, rc_int_new(heap, i), inner), RC_OK);
        break;
    case 2:
        o = rc_tuple_new(heap, 1, &inner);
        assert_non_null(o);
        break;
    case 3:
        o = rt_pair_new(heap, pair, i);
        rt_pair_set(heap, o, 1, inner);
        break;
    default:
        o = rt_bag_new(heap, bag, i);
        rt_bag_set(heap, o, 2, inner);
        break;
    }
    rc_decref(heap, inner);
    return o;
}

#define MIXED_DEPTH 300000

/* CPython's test_trashcan, with every container kind in the chain. */
static void dropped_chain_of_mixed_containers_freed_without_recursion(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap), *bag = rt_bag_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *head = rc_float_new(heap, 1.0);
    for (int i = 0; i < MIXED_DEPTH; i++)
        head = wrap(heap, pair, bag, i, head);
    assert_int_equal(rt_live_objects(heap), base + MIXED_DEPTH + 1);
    rc_decref(heap, head);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* The same chain closed into a ring through a list at its bottom: one collection. */
static void ring_of_mixed_containers_freed_by_one_collection(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap), *bag = rt_bag_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *bottom = rt_list(heap);
    rc_object *head = rc_newref(bottom);
    for (int i = 0; i < MIXED_DEPTH; i++)
        head = wrap(heap, pair, bag, i, head);
    rt_append(heap, bottom, head);
    rc_decref(heap, head);
    rc_decref(heap, bottom);
    assert_int_equal(rt_live_objects(heap), base + MIXED_DEPTH + 1);
    assert_int_equal(rc_collect(heap, 0), MIXED_DEPTH + 1);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

#define TREE_NODES 100000

/* Precision and count restoration at scale: a reachable structure of 100,000 lists with
 * shared children and cycles of its own, beside a garbage ring of 100,000 pairs that
 * each reference one of the lists. One collection frees exactly the ring, and every list
 * ends with exactly the references the live structure holds. */
static void large_live_structure_keeps_exact_counts_beside_garbage(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    rc_object **node = malloc(TREE_NODES * sizeof *node);
    int64_t *expect = calloc(TREE_NODES, sizeof *expect);
    assert_non_null(node);
    assert_non_null(expect);
    for (int i = 0; i < TREE_NODES; i++) {
        node[i] = rt_list(heap);
        if (i > 0) {
            rt_append(heap, node[(i - 1) / 4], node[i]); /* tree edge */
            expect[i]++;
        }
        if (i >= 7) {
            rt_append(heap, node[i / 7], node[i]); /* shared child */
            expect[i]++;
        }
        if (i % 5 == 0 && i > 0) {
            rt_append(heap, node[i], node[i / 3]); /* back edge: live cycles */
            expect[i / 3]++;
        }
    }
    for (int i = 1; i < TREE_NODES; i++)
        rc_decref(heap, node[i]);
    expect[0]++; /* the test's own reference to the root */

    rc_object *first = rt_pair_new(heap, pair, 0), *prev = first;
    rt_pair_set(heap, first, 1, node[0]);
    for (int j = 1; j < TREE_NODES; j++) {
        rc_object *p = rt_pair_new(heap, pair, j);
        rt_pair_set(heap, p, 1, node[j]);
        rt_pair_set(heap, prev, 0, p);
        rc_decref(heap, p);
        prev = p;
    }
    rt_pair_set(heap, prev, 0, first);
    rc_decref(heap, first);
    for (int i = 0; i < TREE_NODES; i++)
        assert_int_equal(rc_refcount(node[i]), expect[i] + 1);

    assert_int_equal(rc_collect(heap, 0), TREE_NODES);
    assert_int_equal(rc_type_live_count(pair), 0);
    for (int i = 0; i < TREE_NODES; i++)
        if (rc_refcount(node[i]) != expect[i])
            fail_msg("list %d: rc_refcount %lld, expected %lld", i, (long long)rc_refcount(node[i]),
                     (long long)expect[i]);
    assert_int_equal(rt_gen_sizes(heap).n[1], TREE_NODES);
    rc_gc_stats st;
    st.size = sizeof st;
    assert_int_equal(rc_gc_get_stats(heap, 0, &st), RC_OK);
    assert_int_equal(st.collected, TREE_NODES);
    assert_int_equal(st.uncollectable, 0);

    /* Dropping the root frees by counting what no cycle holds; the collector finds the
     * rest, every list still alive. */
    rc_decref(heap, node[0]);
    size_t left = rc_type_live_count(rc_heap_builtin_list(heap));
    assert_true(left > TREE_NODES / 2 && left < TREE_NODES);
    assert_int_equal(rc_collect(heap, 1), left);
    assert_int_equal(rc_type_live_count(rc_heap_builtin_list(heap)), 0);
    free(node);
    free(expect);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_self_cycle_freed_by_full_collect),
        cmocka_unit_test(dict_self_cycle_freed_by_full_collect),
        cmocka_unit_test(tuple_holding_list_cycle_freed_by_full_collect),
        cmocka_unit_test(cycle_of_two_lists_freed_by_full_collect),
        cmocka_unit_test(instance_self_cycle_freed_by_full_collect),
        cmocka_unit_test(instance_cycle_through_traverse_type_freed),
        cmocka_unit_test(instance_and_its_dict_cycle_freed),
        cmocka_unit_test(cycle_through_four_types_freed),
        cmocka_unit_test(chain_of_thousand_pairs_in_a_ring_freed),
        cmocka_unit_test(million_object_cycle_freed_by_one_collection_each_time),
        cmocka_unit_test(dropped_chain_of_million_nested_lists_freed_by_refcount),
        cmocka_unit_test(dropped_chain_of_mixed_containers_freed_without_recursion),
        cmocka_unit_test(ring_of_mixed_containers_freed_by_one_collection),
        cmocka_unit_test(garbage_referencing_live_objects_restores_exact_counts),
        cmocka_unit_test(reachable_cycle_survives_with_exact_counts),
        cmocka_unit_test(large_live_structure_keeps_exact_counts_beside_garbage),
        cmocka_unit_test(young_cycle_referencing_old_object_frees_only_the_cycle),
        cmocka_unit_test(old_cycle_held_by_young_object_survives),
        cmocka_unit_test(cycle_with_acyclic_tail_frees_tail),
        cmocka_unit_test(several_cycles_counted_together),
        cmocka_unit_test(collect_without_garbage_returns_zero),
        cmocka_unit_test(cycle_of_large_objects_freed_young_and_old),
        cmocka_unit_test(cycles_through_dict_keys_freed),
        cmocka_unit_test(collected_garbage_destroyed_once_without_clear),
        cmocka_unit_test(heap_free_destroys_each_live_object_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
