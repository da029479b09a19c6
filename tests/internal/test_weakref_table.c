/*
 * test_weakref_table.c -- white-box checks of weakref.c's side table (WEAKLIST, TABLE):
 * dropping a weakref needs no table entry removal (the entry goes dormant and is taken over
 * by the next weakref to that address), and dormant entries are swept when the table fills
 * instead of growing it without bound.
 */
#include "rctest.h"

#include "internal.h"

static void dormant_entry_is_reused_by_the_next_weakref(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l = rt_list(heap);
    for (int i = 0; i < 1000; i++) {
        rc_object *w = rc_weakref_new(heap, l, NULL, NULL);
        assert_non_null(w);
        assert_int_equal(heap->wr_used, 1);
        assert_int_equal(heap->wr_live, 1);
        rc_decref(heap, w);
        assert_int_equal(heap->wr_live, 0);
        assert_int_equal(rc_weakref_count(heap, l), 0);
        assert_false(l->_tinfo & RCI_WEAKREFD);
    }
    assert_int_equal(heap->wr_used, 1); /* dormant, not removed */
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

static void dormant_entries_of_dead_referents_are_swept_not_grown(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *keep[8], *kept_wr[8];
    for (int i = 0; i < 8; i++) {
        keep[i] = rt_list(heap);
        /* Held weakrefs: entries that must survive every sweep. */
        kept_wr[i] = rc_weakref_new(heap, keep[i], NULL, NULL);
        assert_non_null(kept_wr[i]);
    }
    /* A ring of 2000 live objects, one replaced per step: every new object gets a weakref,
     * dropped at once, and leaves a dormant entry at its address. */
    enum { RING = 2000 };
    rc_object *ring = rc_list_new(heap, RING);
    for (int i = 0; i < RING; i++)
        rt_append(heap, ring, NULL);
    for (int i = 0; i < 20000; i++) {
        rc_object *o = rt_list(heap);
        rc_object *w = rc_weakref_new(heap, o, NULL, NULL);
        rc_decref(heap, w);
        assert_int_equal(rc_list_set(heap, ring, i % RING, o), RC_OK);
        rc_decref(heap, o);
        assert_true(heap->wr_cap <= 64);
    }
    assert_int_equal(heap->wr_live, 8);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_decref(heap, ring);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(rc_weakref_count(heap, keep[i]), 1);
        rc_decref(heap, keep[i]);
        assert_null(rc_weakref_get(heap, kept_wr[i]));
        rc_decref(heap, kept_wr[i]);
    }
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dormant_entry_is_reused_by_the_next_weakref),
        cmocka_unit_test(dormant_entries_of_dead_referents_are_swept_not_grown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
