/*
 * test_release_leaf.c -- LEAF (src/object.c): in a drain, a plain referent of its holder's
 * own two-field type that holds nothing is freed at once by its holder's release, before
 * the holder, without passing through the pending list; every other referent is released
 * as rc_decref releases it.
 */
#include "rctest.h"

static rc_object *pair_with(rc_heap *heap, const rc_type *pair, rc_object *a, rc_object *b)
{
    rc_object *p = rt_pair_new(heap, pair, 0);
    rt_pair_set(heap, p, 0, a);
    rt_pair_set(heap, p, 1, b);
    return p;
}

/* The two leaves are freed first, field 0 then field 1, then their holder: the slots come
 * back in the reverse order (each page's free list is last in, first out). Through the
 * pending list the holder was freed first and the leaves after it, field 1 first. */
static void leaves_freed_before_their_holder(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *a = rt_pair_new(heap, pair, 1), *b = rt_pair_new(heap, pair, 2);
    rc_object *p = pair_with(heap, pair, a, b);
    rc_decref(heap, a);
    rc_decref(heap, b);
    rc_object *was_p = p, *was_a = a, *was_b = b;
    rc_decref(heap, p);
    assert_int_equal(rt_live_objects(heap), base);
    rc_object *n1 = rt_pair_new(heap, pair, 3), *n2 = rt_pair_new(heap, pair, 4);
    rc_object *n3 = rt_pair_new(heap, pair, 5);
    assert_ptr_equal(n1, was_p);
    assert_ptr_equal(n2, was_b);
    assert_ptr_equal(n3, was_a);
    rc_decref(heap, n1);
    rc_decref(heap, n2);
    rc_decref(heap, n3);
    rt_heap_finish(heap);
}

static void count_death(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    (void)wr;
    (*(int *)user)++;
}

/* Referents that look like leaves but are not plain keep their rules: one with a weakref
 * (its callback runs), one held elsewhere (it lives on), an immortal one (it lives on),
 * an untracked one and one of another type (freed, the books exact). A tree of pairs is
 * freed whole with exact counts. */
static void leaf_release_keeps_every_rule(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    size_t base = rt_live_objects(heap);
    rt_gens g0 = rt_gen_sizes(heap);
    int deaths = 0;
    rc_object *weak_leaf = rt_pair_new(heap, pair, 1);
    rc_object *wr = rc_weakref_new(heap, weak_leaf, count_death, &deaths);
    assert_non_null(wr);
    rc_object *held = rt_pair_new(heap, pair, 2);
    rc_object *immortal = rt_pair_new(heap, pair, 3);
    assert_int_equal(rc_make_immortal(heap, immortal), RC_OK);
    rc_object *untracked = rt_pair_new(heap, pair, 4);
    rc_gc_untrack(heap, untracked);
    rc_object *other = rt_list(heap);
    rc_object *p1 = pair_with(heap, pair, weak_leaf, held);
    rc_object *p2 = pair_with(heap, pair, immortal, untracked);
    rc_object *p3 = pair_with(heap, pair, other, NULL);
    rc_object *root = pair_with(heap, pair, p1, p2);
    rc_object *top = pair_with(heap, pair, root, p3);
    rc_object *dropped[] = {weak_leaf, untracked, other, p1, p2, p3, root};
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        rc_decref(heap, dropped[i]);
    rc_decref(heap, top);
    assert_int_equal(deaths, 1);
    rc_object *got = rc_weakref_get(heap, wr);
    assert_null(got);
    assert_int_equal(rc_refcount(held), 1);
    assert_true(rc_is_immortal(heap, immortal));
    assert_int_equal(rt_live_objects(heap), base + 3); /* held, immortal, wr */
    rt_gens g1 = rt_gen_sizes(heap);
    assert_int_equal(g1.n[0], g0.n[0] + 2); /* held and wr */
    rc_decref(heap, held);
    rc_decref(heap, wr);

    /* A full tree of depth 10: 2047 pairs, 1024 of them leaves. */
    rc_object *level[1024];
    for (int i = 0; i < 1024; i++)
        level[i] = rt_pair_new(heap, pair, i);
    for (int n = 1024; n > 1; n /= 2) {
        for (int i = 0; i < n / 2; i++) {
            rc_object *q = pair_with(heap, pair, level[2 * i], level[2 * i + 1]);
            rc_decref(heap, level[2 * i]);
            rc_decref(heap, level[2 * i + 1]);
            level[i] = q;
        }
    }
    assert_int_equal(rt_live_objects(heap), base + 1 + 2047);
    rc_decref(heap, level[0]);
    assert_int_equal(rt_live_objects(heap), base + 1);
    assert_int_equal(rt_gen_sizes(heap).n[0], g0.n[0]);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(leaves_freed_before_their_holder),
        cmocka_unit_test(leaf_release_keeps_every_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
