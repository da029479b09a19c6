/* Immortal objects (issue 17, item 6; rcgc.h, RC_IMMORTAL_REFCNT): never freed before
 * rc_heap_free, untracked, alive through every function run at heap shutdown. The release
 * that takes an immortal count to zero is tested in tests/internal/test_immortal_zero.c. */
#include "rctest.h"

#include <string.h>

static void immortal_basics(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *nil = rt_list(h);
    assert_true(rc_gc_is_tracked(h, nil));
    assert_false(rc_is_immortal(h, nil));
    size_t tracked = rt_tracked_objects(h);
    assert_int_equal(rc_make_immortal(h, nil), RC_OK);
    assert_true(rc_is_immortal(h, nil));
    assert_false(rc_gc_is_tracked(h, nil));
    assert_int_equal(rt_tracked_objects(h), tracked - 1);
    assert_int_equal(rc_refcount(nil), RC_IMMORTAL_REFCNT);
    rc_gc_track(h, nil); /* ignored */
    assert_false(rc_gc_is_tracked(h, nil));
    assert_true(rc_is_immortal(h, nil));
    /* Twice is fine; so are values. */
    assert_int_equal(rc_make_immortal(h, nil), RC_OK);
    assert_int_equal(rc_make_immortal(h, NULL), RC_OK);
    assert_int_equal(rc_make_immortal(h, rc_int_new(h, 3)), RC_OK);
    assert_true(rc_is_immortal(h, NULL));
    assert_true(rc_is_immortal(h, rc_int_new(h, 3)));
    /* Counting still moves, without freeing: the caller's own reference and many unmatched
     * releases later it is alive and usable. */
    for (int i = 0; i < 1000; i++)
        rc_decref(h, nil);
    assert_int_equal(rc_refcount(nil), RC_IMMORTAL_REFCNT - 1000);
    rt_append(h, nil, rc_int_new(h, 1));
    assert_int_equal(rc_list_len(h, nil), 1);
    assert_int_equal(rc_heap_check(h), RC_OK);
    size_t live = rt_live_objects(h);
    assert_int_equal(rc_collect(h, 2), 0);
    assert_int_equal(rt_live_objects(h), live);
    rt_heap_finish(h); /* frees it */
}

/* A cycle through an immortal object: the collector frees the ordinary objects that only
 * the cycle holds once they leave it, never the immortal one. */
static void collector_never_frees_immortal(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    const rc_type *pt = rt_pair_type(h);
    rc_object *env = rt_pair_new(h, pt, 1);
    assert_int_equal(rc_make_immortal(h, env), RC_OK);
    rc_object *closure = rt_pair_new(h, pt, 2);
    rt_pair_set(h, closure, 0, env); /* closure -> env */
    rt_pair_set(h, env, 0, closure); /* env -> closure: a cycle */
    rc_decref(h, closure);
    rc_decref(h, env);                     /* the caller's reference: harmless */
    assert_int_equal(rc_collect(h, 2), 0); /* the immortal holds the closure */
    assert_int_equal(rt_visit_count_type(h, pt), 2);
    /* Cyclic garbage that refers to an immortal object is still garbage. */
    rc_object *a = rt_pair_new(h, pt, 3), *b = rt_pair_new(h, pt, 4);
    rt_pair_set(h, a, 0, b);
    rt_pair_set(h, b, 0, a);
    rt_pair_set(h, a, 1, env);
    int32_t before = (int32_t)rc_refcount(env);
    rc_decref(h, a);
    rc_decref(h, b);
    assert_int_equal(rc_collect(h, 2), 2);
    assert_int_equal(rc_refcount(env), before - 1);
    assert_int_equal(rt_visit_count_type(h, pt), 2);
    rt_pair_set(h, env, 0, NULL); /* the closure dies now */
    assert_int_equal(rt_visit_count_type(h, pt), 1);
    rt_heap_finish(h);
}

typedef struct shutdown_probe {
    rc_object *nil; /* immortal, borrowed */
    int runs;
    bool nil_ok;
} shutdown_probe;

static void at_shutdown(rc_heap *h, void *user)
{
    shutdown_probe *p = user;
    p->runs++;
    p->nil_ok = rc_is_immortal(h, p->nil) && strcmp(rc_str_data(h, p->nil), "nil") == 0 &&
                rc_refcount(p->nil) > 0;
    rc_decref(h, p->nil); /* even an unmatched release is harmless */
}

/* rc_heap_free runs rc_finalize_register functions while immortal objects are alive, also
 * for a registration on the immortal object itself (it never dies before the heap). */
static void immortal_outlives_shutdown_functions(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new();
    rc_object *nil = rc_str_from_cstr(h, "nil");
    assert_int_equal(rc_make_immortal(h, nil), RC_OK);
    shutdown_probe on_nil = {.nil = nil}, on_other = {.nil = nil};
    assert_int_equal(rc_finalize_register(h, nil, at_shutdown, &on_nil), RC_OK);
    rc_object *other = rt_list(h);
    rt_append(h, other, nil);
    assert_int_equal(rc_finalize_register(h, other, at_shutdown, &on_other), RC_OK);
    rc_decref(h, nil);
    assert_int_equal(rc_collect(h, 2), 0);
    assert_int_equal(on_nil.runs, 0);
    assert_int_equal(rc_finalize_pending(h), 2);
    assert_int_equal(rc_heap_check(h), RC_OK);
    rc_heap_free(h); /* other is still held: both run at shutdown */
    assert_int_equal(on_nil.runs, 1);
    assert_true(on_nil.nil_ok);
    assert_int_equal(on_other.runs, 1);
    assert_true(on_other.nil_ok);
}

typedef struct during {
    rc_object *target;
    rc_status status;
    char message[256];
} during;

static void try_immortal_in_finalizer(rc_heap *h, rc_object *self, void *user)
{
    (void)self;
    during *d = user;
    d->status = rc_make_immortal(h, d->target);
    strncpy(d->message, rc_heap_errmsg(h), sizeof d->message - 1);
}

/* Refused during a collection (a bag's traverse hook runs inside one). */
static void refused_during_collection(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    const rc_type *bt = rt_bag_type(h);
    rc_object *target = rt_list(h);
    during d = {.target = target, .status = RC_OK};
    rc_object *bag = rt_bag_new(h, bt, 1);
    ((rt_bag *)(void *)bag)->on_traverse = try_immortal_in_finalizer;
    ((rt_bag *)(void *)bag)->hook_user = &d;
    assert_int_equal(rc_collect(h, 2), 0);
    assert_int_equal(d.status, RC_ESTATE);
    assert_string_equal(d.message, "rc_make_immortal: called during a collection");
    assert_false(rc_is_immortal(h, target));
    ((rt_bag *)(void *)bag)->on_traverse = NULL;
    rc_decref(h, bag);
    rc_decref(h, target);
    rt_heap_finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(immortal_basics),
        cmocka_unit_test(collector_never_frees_immortal),
        cmocka_unit_test(immortal_outlives_shutdown_functions),
        cmocka_unit_test(refused_during_collection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
