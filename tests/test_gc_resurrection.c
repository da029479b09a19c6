/*
 * test_gc_resurrection.c -- what a collection counts when finalizers resurrect garbage:
 * CPython 3.9+'s rule (Lib/test/test_gc.py test_resurrection_does_not_block_cleanup_of_
 * other_objects and test_resurrection_is_transitive). A resurrected object, and what it
 * keeps alive, is neither freed nor counted: rc_collect's result, the generation's
 * collected stat, the callbacks' info and the debug line all leave it out, while the rest
 * of the garbage found with it is freed and counted. With RC_GC_DEBUG_SAVEALL the saved
 * garbage counts as collected (CPython's delete_garbage saves it from final_unreachable).
 */
#include "rctest.h"

#include <stdio.h>
#include <string.h>

/* CPython's A (self.me = self) and Z(A) with __del__ appending self to zs. */
typedef struct inst {
    rc_object hdr;
    rc_object *me;
    rc_object *other;
} inst;

static rc_object *zs; /* the list Z's finalizer appends to; test code, one test at a time */

static void z_finalize(rc_heap *heap, rc_object *self)
{
    rt_append(heap, zs, self);
}

static const rc_type *inst_type(rc_heap *heap, const char *name, bool finalizer)
{
    static const size_t offs[2] = {offsetof(inst, me), offsetof(inst, other)};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = name;
    spec.instance_bytes = sizeof(inst);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 2;
    spec.finalize = finalizer ? z_finalize : NULL;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

/* A new instance in a self-cycle, with no other reference: garbage at once. */
static void make_self_cycle(rc_heap *heap, const rc_type *t)
{
    rc_object *o = rc_new(heap, t);
    assert_non_null(o);
    ((inst *)o)->me = o; /* takes over our reference: only the cycle holds it */
}

typedef struct stats2 {
    uint64_t collected, uncollectable;
} stats2;

static stats2 getstats(rc_heap *heap)
{
    rc_gc_stats st = {.size = sizeof st};
    assert_int_equal(rc_gc_get_stats(heap, 2, &st), RC_OK);
    return (stats2){st.collected, st.uncollectable};
}

typedef struct cb_seen {
    int stops;
    uint64_t collected, uncollectable;
} cb_seen;

static void record_stop(rc_heap *heap, const rc_gc_info *info, void *user)
{
    (void)heap;
    cb_seen *s = user;
    if (info->phase != RC_GC_PHASE_STOP)
        return;
    s->stops++;
    s->collected = info->collected;
    s->uncollectable = info->uncollectable;
}

typedef struct lines {
    char last[200];
} lines;

static void keep_line(rc_heap *heap, const char *line, void *user)
{
    (void)heap;
    lines *l = user;
    snprintf(l->last, sizeof l->last, "%s", line);
}

static void test_resurrection_does_not_block_cleanup_of_other_objects(void **state)
{
    (void)state;
    enum { N = 100 };
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *a = inst_type(heap, "A", false), *z = inst_type(heap, "Z", true);
    zs = rt_list(heap);
    cb_seen cb = {0, 0, 0};
    assert_int_equal(rc_gc_callback_add(heap, record_stop, &cb), RC_OK);
    lines out;
    memset(&out, 0, sizeof out);
    rc_gc_set_debug_output(heap, keep_line, &out);
    rc_gc_set_debug(heap, RC_GC_DEBUG_STATS);
    assert_int_equal(rc_collect(heap, 2), 0);

    /* No problems if just collecting A() instances. */
    stats2 old = getstats(heap);
    for (int i = 0; i < N; i++)
        make_self_cycle(heap, a);
    assert_int_equal(rc_collect(heap, 2), N);
    stats2 now = getstats(heap);
    assert_int_equal(now.collected - old.collected, N);
    assert_int_equal(now.uncollectable - old.uncollectable, 0);
    assert_int_equal(cb.collected, N);

    /* But Z() is not actually collected: it is merely resurrected. */
    old = now;
    make_self_cycle(heap, z);
    assert_int_equal(rc_collect(heap, 2), 0);
    now = getstats(heap);
    assert_int_equal(now.collected - old.collected, 0);
    assert_int_equal(now.uncollectable - old.uncollectable, 0);
    assert_int_equal(cb.collected, 0);
    assert_int_equal(cb.uncollectable, 0);
    assert_memory_equal(out.last, "gc: done, 0 unreachable, 0 uncollectable, ", 42);
    assert_int_equal(rc_list_len(heap, zs), 1);

    /* Z() does not prevent anything else from being collected. */
    old = now;
    for (int i = 0; i < N; i++)
        make_self_cycle(heap, a);
    make_self_cycle(heap, z);
    assert_int_equal(rc_collect(heap, 2), N);
    now = getstats(heap);
    assert_int_equal(now.collected - old.collected, N);
    assert_int_equal(now.uncollectable - old.uncollectable, 0);
    assert_int_equal(cb.collected, N);
    assert_int_equal(rc_type_live_count(a), 0); /* the A() trash was cleared */
    assert_int_equal(rc_type_live_count(z), 2); /* the Z() trash resurrected, left alone */

    /* Once zs lets go, the two Z() are garbage whose finalizers already ran. */
    old = now;
    assert_int_equal(rc_list_clear(heap, zs), RC_OK);
    assert_int_equal(rc_collect(heap, 2), 2);
    now = getstats(heap);
    assert_int_equal(now.collected - old.collected, 2);
    assert_int_equal(now.uncollectable - old.uncollectable, 0);
    assert_int_equal(rc_type_live_count(z), 0);
    assert_int_equal(cb.stops, 5);

    rc_gc_set_debug(heap, 0);
    rc_decref(heap, zs);
    zs = NULL;
    rt_heap_finish(heap);
}

/* A resurrected object keeps what it reaches: a Lazarus in a cycle with its cargo brings
 * the cargo back too, and neither is counted. */
static void test_resurrection_is_transitive(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *cargo_t = inst_type(heap, "Cargo", false);
    const rc_type *laz_t = inst_type(heap, "Lazarus", true);
    zs = rt_list(heap);
    rc_object *laz = rc_new(heap, laz_t), *cargo = rc_new(heap, cargo_t);
    ((inst *)cargo)->me = rc_newref(cargo);
    ((inst *)laz)->other = rc_newref(cargo); /* laz.cargo = cargo */
    ((inst *)cargo)->other = rc_newref(laz); /* cargo.laz = laz */
    rc_decref(heap, laz);
    rc_decref(heap, cargo);
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rc_list_len(heap, zs), 1);
    rc_object *instance = rc_list_get_borrow(heap, zs, 0);
    assert_ptr_equal(instance, laz);
    assert_ptr_equal(((inst *)instance)->other, cargo);
    assert_int_equal(rc_refcount(cargo), 2); /* itself and laz */
    assert_int_equal(rc_list_clear(heap, zs), RC_OK);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rc_type_live_count(cargo_t), 0);
    assert_int_equal(rc_type_live_count(laz_t), 0);
    rc_decref(heap, zs);
    zs = NULL;
    rt_heap_finish(heap);
}

/* A young collection: the same rule for generation 0's stats and result. */
static void resurrection_in_a_young_collection_is_not_counted(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *a = inst_type(heap, "A", false), *z = inst_type(heap, "Z", true);
    zs = rt_list(heap);
    assert_int_equal(rc_collect(heap, 2), 0); /* zs leaves generation 0 */
    make_self_cycle(heap, z);
    make_self_cycle(heap, a);
    rc_gc_stats st0 = {.size = sizeof st0}, st1 = {.size = sizeof st1};
    assert_int_equal(rc_gc_get_stats(heap, 0, &st0), RC_OK);
    assert_int_equal(rc_collect(heap, 0), 1);
    assert_int_equal(rc_gc_get_stats(heap, 0, &st1), RC_OK);
    assert_int_equal(st1.collected - st0.collected, 1);
    assert_int_equal(rc_type_live_count(z), 1);
    assert_int_equal(rc_list_clear(heap, zs), RC_OK);
    rc_decref(heap, zs);
    zs = NULL;
    assert_int_equal(rc_collect(heap, 2), 1);
    rt_heap_finish(heap);
}

/* test_gc.py test_saveall's count: garbage saved by DEBUG_SAVEALL is collected (CPython
 * saves it from final_unreachable, which it counts); a resurrected object is not saved. */
static void saveall_counts_saved_garbage_and_skips_the_resurrected(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *a = inst_type(heap, "A", false), *z = inst_type(heap, "Z", true);
    zs = rt_list(heap);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rc_decref(heap, l);
    make_self_cycle(heap, a);
    make_self_cycle(heap, z);
    rc_gc_set_debug(heap, RC_GC_DEBUG_SAVEALL);
    stats2 old = getstats(heap);
    assert_int_equal(rc_collect(heap, 2), 2);
    stats2 now = getstats(heap);
    rc_gc_set_debug(heap, 0);
    assert_int_equal(now.collected - old.collected, 2);
    rc_object *garbage = rc_gc_garbage(heap);
    assert_int_equal(rc_list_len(heap, garbage), 2);
    assert_int_equal(rc_type_live_count(a), 1);
    assert_int_equal(rc_refcount(l), 2); /* itself and the garbage list: exact */
    assert_int_equal(rc_list_len(heap, zs), 1);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    assert_int_equal(rc_list_clear(heap, garbage), RC_OK);
    assert_int_equal(rc_list_clear(heap, zs), RC_OK);
    assert_int_equal(rc_collect(heap, 2), 3);
    assert_int_equal(rc_type_live_count(a), 0);
    assert_int_equal(rc_type_live_count(z), 0);
    rc_decref(heap, garbage);
    rc_decref(heap, zs);
    zs = NULL;
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resurrection_does_not_block_cleanup_of_other_objects),
        cmocka_unit_test(test_resurrection_is_transitive),
        cmocka_unit_test(resurrection_in_a_young_collection_is_not_counted),
        cmocka_unit_test(saveall_counts_saved_garbage_and_skips_the_resurrected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
