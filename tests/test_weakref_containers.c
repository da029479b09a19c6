/*
 * test_weakref_containers.c -- weak-value and weak-key dicts, weak sets and finalize
 * callbacks, rewritten from CPython's Lib/test/test_weakref.py (MappingTestCase basics,
 * test_weak_values/test_weak_keys, WeakSet basics, FinalizeTestCase: test_finalize,
 * test_order, test_all_freed at exit; at exit the newest runs first, as finalize._exitfunc).
 */
#include "rctest.h"

#include <string.h>

static rc_object *str(rc_heap *heap, const char *s)
{
    rc_object *o = rc_str_from_cstr(heap, s);
    assert_non_null(o);
    return o;
}

static void weak_value_dict_entry_vanishes_when_value_dies(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *d = rc_weakvaluedict_new(heap);
    assert_non_null(d);
    rc_object *k1 = str(heap, "one"), *k2 = str(heap, "two");
    rc_object *v1 = rt_list(heap), *v2 = rt_list(heap);
    assert_int_equal(rc_weakdict_set(heap, d, k1, v1), RC_OK);
    assert_int_equal(rc_weakdict_set(heap, d, k2, v2), RC_OK);
    assert_int_equal(rc_weakdict_len(heap, d), 2);
    assert_int_equal(rc_refcount(v1), 1); /* held weakly */
    rc_object *got = NULL;
    rc_object *k1_again = str(heap, "one");
    assert_int_equal(rc_weakdict_get(heap, d, k1_again, &got), RC_OK);
    assert_ptr_equal(got, v1);
    rc_decref(heap, got);
    rc_decref(heap, v1);
    assert_int_equal(rc_weakdict_len(heap, d), 1);
    assert_int_equal(rc_weakdict_get(heap, d, k1_again, &got), RC_EKEY);
    assert_null(got);
    /* A value in cyclic garbage goes with the collection. */
    rt_append(heap, v2, v2);
    rc_decref(heap, v2);
    assert_int_equal(rc_weakdict_len(heap, d), 1);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(rc_weakdict_len(heap, d), 0);
    rc_decref(heap, k1);
    rc_decref(heap, k2);
    rc_decref(heap, k1_again);
    rc_decref(heap, d);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void weak_key_dict_entry_vanishes_when_key_dies(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *d = rc_weakkeydict_new(heap);
    rc_object *k = rt_list(heap), *v = str(heap, "value");
    assert_int_equal(rc_weakdict_set(heap, d, k, v), RC_OK);
    assert_int_equal(rc_refcount(k), 1);
    assert_int_equal(rc_refcount(v), 2); /* held strongly */
    rc_object *got = NULL;
    assert_int_equal(rc_weakdict_get(heap, d, k, &got), RC_OK);
    assert_ptr_equal(got, v);
    rc_decref(heap, got);
    assert_int_equal(rc_weakdict_set(heap, d, NULL, v), RC_ETYPE);
    rc_decref(heap, k);
    assert_int_equal(rc_weakdict_len(heap, d), 0);
    assert_int_equal(rc_refcount(v), 1);
    rc_decref(heap, v);
    rc_decref(heap, d);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void weak_dict_del_and_rebinding(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *d = rc_weakvaluedict_new(heap);
    rc_object *k = rc_int_new(heap, 7);
    rc_object *a = rt_list(heap), *b = rt_list(heap);
    assert_int_equal(rc_weakdict_set(heap, d, k, a), RC_OK);
    assert_int_equal(rc_weakdict_set(heap, d, k, b), RC_OK); /* rebinds */
    rc_decref(heap, a);                                      /* the old entry is gone */
    assert_int_equal(rc_weakdict_len(heap, d), 1);
    assert_int_equal(rc_weakdict_del(heap, d, k), RC_OK);
    assert_int_equal(rc_weakdict_del(heap, d, k), RC_EKEY);
    assert_int_equal(rc_weakdict_len(heap, d), 0);
    rc_decref(heap, b);
    rc_object *not_weak = rt_list(heap);
    assert_int_equal(rc_weakdict_set(heap, not_weak, k, k), RC_ETYPE);
    rc_decref(heap, not_weak);
    rc_decref(heap, d);
    rt_heap_finish(heap);
}

static void weak_container_dying_first_leaves_no_callback_behind(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *d = rc_weakkeydict_new(heap);
    rc_object *k = rt_list(heap);
    assert_int_equal(rc_weakdict_set(heap, d, k, k), RC_OK); /* value refers to the key */
    assert_int_equal(rc_refcount(k), 2);
    rc_decref(heap, d);
    assert_int_equal(rc_refcount(k), 1);
    assert_int_equal(rc_weakref_count(heap, k), 0);
    rc_decref(heap, k);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void weak_container_in_a_cycle_is_collected(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *d = rc_weakvaluedict_new(heap);
    rc_object *holder = rt_list(heap);
    rt_append(heap, holder, d);
    rt_append(heap, holder, holder);
    rc_object *k = str(heap, "self");
    assert_int_equal(rc_weakdict_set(heap, d, k, holder), RC_OK);
    rc_decref(heap, k);
    rc_decref(heap, d);
    rc_decref(heap, holder);
    /* holder, the container, its dict and the weakref (the key str is atomic). */
    assert_int_equal(rc_collect(heap, 2), 4);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void weak_set_add_contains_discard(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    rc_object *s = rc_weakset_new(heap);
    rc_object *a = rt_list(heap), *b = rt_dict(heap);
    assert_int_equal(rc_weakset_add(heap, s, a), RC_OK);
    assert_int_equal(rc_weakset_add(heap, s, a), RC_OK);
    assert_int_equal(rc_weakset_add(heap, s, b), RC_OK);
    assert_int_equal(rc_weakdict_len(heap, s), 2);
    assert_true(rc_weakset_contains(heap, s, a));
    assert_int_equal(rc_weakset_add(heap, s, NULL), RC_ETYPE);
    assert_int_equal(rc_weakset_discard(heap, s, b), RC_OK);
    assert_false(rc_weakset_contains(heap, s, b));
    assert_int_equal(rc_weakset_discard(heap, s, b), RC_OK);
    rc_decref(heap, a);
    assert_int_equal(rc_weakdict_len(heap, s), 0);
    assert_int_equal(rc_weakdict_set(heap, s, b, b), RC_ETYPE);
    rc_decref(heap, b);
    rc_decref(heap, s);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

typedef struct fin_log {
    int n;
    int order[8];
} fin_log;

typedef struct fin_arg {
    fin_log *log;
    int id;
} fin_arg;

static void on_finalize(rc_heap *heap, void *user)
{
    (void)heap;
    fin_arg *a = user;
    if (a->log->n < 8)
        a->log->order[a->log->n] = a->id;
    a->log->n++;
}

static void finalize_callback_runs_once_when_object_dies(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    fin_log log = {0, {0}};
    fin_arg a1 = {&log, 1}, a2 = {&log, 2};
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    assert_int_equal(rc_finalize_register(heap, l, on_finalize, &a1), RC_OK);
    rc_object *s = str(heap, "x");
    assert_int_equal(rc_finalize_register(heap, s, on_finalize, &a2), RC_OK);
    assert_int_equal(rc_finalize_pending(heap), 2);
    rc_decref(heap, s);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.order[0], 2);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 2), 1);
    assert_int_equal(log.n, 2);
    assert_int_equal(rc_finalize_pending(heap), 0);
    assert_int_equal(rc_finalize_register(heap, NULL, on_finalize, &a1), RC_EINVAL);
    rt_heap_finish(heap);
    assert_int_equal(log.n, 2);
}

static void finalize_callbacks_left_run_at_heap_free_newest_first(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    fin_log log = {0, {0}};
    fin_arg a[3] = {{&log, 1}, {&log, 2}, {&log, 3}};
    rc_object *l = rt_list(heap);
    for (int i = 0; i < 3; i++)
        assert_int_equal(rc_finalize_register(heap, l, on_finalize, &a[i]), RC_OK);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_heap_free(heap);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.order[0], 3);
    assert_int_equal(log.order[1], 2);
    assert_int_equal(log.order[2], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(weak_value_dict_entry_vanishes_when_value_dies),
        cmocka_unit_test(weak_key_dict_entry_vanishes_when_key_dies),
        cmocka_unit_test(weak_dict_del_and_rebinding),
        cmocka_unit_test(weak_container_dying_first_leaves_no_callback_behind),
        cmocka_unit_test(weak_container_in_a_cycle_is_collected),
        cmocka_unit_test(weak_set_add_contains_discard),
        cmocka_unit_test(finalize_callback_runs_once_when_object_dies),
        cmocka_unit_test(finalize_callbacks_left_run_at_heap_free_newest_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
