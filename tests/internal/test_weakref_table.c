/*
 * test_weakref_table.c -- white-box checks of weakref.c's side table (WEAKLIST, TABLE): an
 * object keeps its entry (and RCI_WEAKREFD) from its first weakref to its death, so that
 * dropping a weakref needs no table work; the entry goes when the object dies, whether
 * weakrefs are left or not, and entries moved by growth and deletion keep their lists.
 */
#include "rctest.h"

#include "internal.h"
#include "weakref.h"

#include <string.h>

static void entry_outlives_the_last_weakref_and_goes_with_the_object(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l = rt_list(heap);
    for (int i = 0; i < 1000; i++) {
        rc_object *w = rc_weakref_new(heap, l, NULL, NULL);
        assert_non_null(w);
        assert_int_equal(heap->wr.wr_used, 1);
        assert_int_equal(rc_weakref_count(heap, l), 1);
        rc_decref(heap, w);
        assert_int_equal(rc_weakref_count(heap, l), 0);
        assert_true(l->_tinfo & RCI_WEAKREFD);
    }
    assert_int_equal(heap->wr.wr_used, 1);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_decref(heap, l);
    assert_int_equal(heap->wr.wr_used, 0);
    /* The same in cyclic garbage: the collection removes the entry. */
    l = rt_list(heap);
    rt_append(heap, l, l);
    rc_decref(heap, rc_weakref_new(heap, l, NULL, NULL));
    assert_int_equal(heap->wr.wr_used, 1);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(heap->wr.wr_used, 0);
    rt_heap_finish(heap);
}

static void entries_moved_by_growth_and_deletion_keep_their_lists(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    enum { N = 3000 };
    static rc_object *objs[N], *wrs[N][2];
    for (int i = 0; i < N; i++) {
        objs[i] = rt_list(heap);
        wrs[i][0] = rc_weakref_new(heap, objs[i], NULL, NULL);
        wrs[i][1] = rc_weakproxy_new(heap, objs[i], NULL, NULL);
    }
    assert_int_equal(heap->wr.wr_used, N);
    assert_int_equal(rc_heap_check(heap), RC_OK); /* pprev of every moved head is right */
    for (int i = 0; i < N; i += 3)                /* deletions shift neighbours back */
        rc_decref(heap, objs[i]);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    for (int i = 0; i < N; i++) {
        bool dead = i % 3 == 0;
        assert_int_equal(rc_weakref_count(heap, objs[i]), dead ? 0 : 2);
        rc_decref(heap, wrs[i][1]); /* unlinks through pprev, wherever the entry went */
        rc_object *got = rc_weakref_get(heap, wrs[i][0]);
        assert_ptr_equal(got, dead ? NULL : objs[i]);
        rc_decref(heap, got);
        rc_decref(heap, wrs[i][0]);
    }
    assert_int_equal(rc_heap_check(heap), RC_OK);
    for (int i = 0; i < N; i++)
        if (i % 3 != 0)
            rc_decref(heap, objs[i]);
    assert_int_equal(heap->wr.wr_used, 0);
    rt_heap_finish(heap);
}

/* No counter of listed weakrefs is kept: rc_heap_check counts the live weakrefs and
 * proxies whose referent is set during its walk and requires the lists to hold that many,
 * so a weakref missing from its referent's list is found. */
static void check_finds_a_weakref_missing_from_its_list(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l = rt_list(heap);
    rc_object *w = rc_weakref_new(heap, l, NULL, NULL);
    rc_object *p = rc_weakproxy_new(heap, l, NULL, NULL);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rci_weakref *pw = (rci_weakref *)p; /* second on l's list, after the basic weakref */
    assert_ptr_equal(pw->pprev, &((rci_weakref *)w)->next);
    rci_weakref **pprev = pw->pprev;
    *pprev = pw->next; /* off the list by hand, its referent still set */
    assert_int_equal(rc_heap_check(heap), RC_ECORRUPT);
    assert_non_null(strstr(rc_heap_errmsg(heap),
                           "weakrefs with a referent and weakrefs on the lists differ in number"));
    *pprev = pw; /* back */
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_decref(heap, p);
    rc_decref(heap, w);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entry_outlives_the_last_weakref_and_goes_with_the_object),
        cmocka_unit_test(entries_moved_by_growth_and_deletion_keep_their_lists),
        cmocka_unit_test(check_finds_a_weakref_missing_from_its_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
