/*
 * test_gc_legacy.c -- legacy finalizers (CPython's tp_del) and uncollectable garbage,
 * rewritten from CPython's Lib/test/test_gc.py: test_legacy_finalizer and
 * test_legacy_finalizer_newclass (here: a reference-offset type and a traverse type),
 * GCCallbackTests.test_collect_garbage (the Uncollectable pairs: callback info and
 * gc.garbage), get_stats' uncollectable, the DEBUG_UNCOLLECTABLE line of debug_cycle and
 * DEBUG_SAVEALL with uncollectables (handle_legacy_finalizers). Plus the tp_del rules at
 * count zero (subtype_dealloc: finalize, weakrefs, then tp_del, which may resurrect and
 * runs at every death).
 */
#include "rctest.h"

#include <stdio.h>
#include <string.h>

/* An object with one reference field and a legacy finalizer that logs (and may store self
 * in `keep`, resurrecting it). */
typedef struct leg {
    rc_object hdr;
    rc_object *a;
    struct leg_log *log;
} leg;

typedef struct leg_log {
    int legacy_calls;
    int finalize_calls;
    int order[8]; /* 1: finalize, 2: weakref callback, 3: legacy finalizer */
    int n_order;
    rc_object *keep; /* a list: the legacy finalizer appends self to it when set */
} leg_log;

static void log_event(leg_log *log, int what)
{
    if (log->n_order < 8)
        log->order[log->n_order++] = what;
}

static void leg_legacy(rc_heap *heap, rc_object *self)
{
    leg *l = (leg *)self;
    if (l->log == NULL)
        return;
    l->log->legacy_calls++;
    log_event(l->log, 3);
    if (l->log->keep != NULL)
        rt_append(heap, l->log->keep, self);
}

static void leg_finalize(rc_heap *heap, rc_object *self)
{
    (void)heap;
    leg *l = (leg *)self;
    if (l->log == NULL)
        return;
    l->log->finalize_calls++;
    log_event(l->log, 1);
}

static const rc_type *leg_type(rc_heap *heap, const char *name, bool with_finalize)
{
    static const size_t offs[1] = {offsetof(leg, a)};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = name;
    spec.instance_bytes = sizeof(leg);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 1;
    spec.legacy_finalize = leg_legacy;
    spec.finalize = with_finalize ? leg_finalize : NULL;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

/* The same object shape through traverse and clear (CPython's "newclass" variant: the
 * other way a type describes its references). */
static int legt_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    return visit(heap, ((leg *)self)->a, arg);
}

static void legt_clear(rc_heap *heap, rc_object *self)
{
    rc_object *a = ((leg *)self)->a;
    ((leg *)self)->a = NULL;
    rc_decref(heap, a);
}

static const rc_type *leg_traverse_type(rc_heap *heap)
{
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "legacy_t";
    spec.instance_bytes = sizeof(leg);
    spec.traverse = legt_traverse;
    spec.clear = legt_clear;
    spec.legacy_finalize = leg_legacy;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

static rc_object *leg_new(rc_heap *heap, const rc_type *t, leg_log *log)
{
    rc_object *o = rc_new(heap, t);
    assert_non_null(o);
    ((leg *)o)->log = log;
    return o;
}

static void leg_set(rc_heap *heap, rc_object *o, rc_object *target)
{
    rc_object *old = ((leg *)o)->a;
    ((leg *)o)->a = rc_newref(target);
    rc_decref(heap, old);
}

static bool list_holds(rc_heap *heap, rc_object *list, rc_object *obj)
{
    size_t pos = 0;
    rc_object *item;
    while (rc_list_next(heap, list, &pos, &item))
        if (item == obj)
            return true;
    return false;
}

static void list_remove(rc_heap *heap, rc_object *list, rc_object *obj)
{
    for (size_t i = 0; i < rc_list_len(heap, list); i++) {
        if (rc_list_get_borrow(heap, list, (int64_t)i) == obj) {
            rc_object *out = NULL;
            assert_int_equal(rc_list_pop(heap, list, (int64_t)i, &out), RC_OK);
            rc_decref(heap, out);
            return;
        }
    }
    fail_msg("object not in the list");
}

/* test_legacy_finalizer: a self-cycle with a legacy finalizer shows up in gc.garbage; a
 * plain self-cycle collected alongside does not. Breaking the cycle and removing the object
 * from gc.garbage frees it, running the legacy finalizer then. */
static void check_legacy_cycle_goes_to_gc_garbage(const rc_type *(*make)(rc_heap *))
{
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    const rc_type *t = make(heap);
    leg_log log;
    memset(&log, 0, sizeof log);
    rc_object *a = leg_new(heap, t, &log);
    leg_set(heap, a, a);
    rc_object *b = rt_list(heap);
    rt_append(heap, b, b);
    assert_int_equal(rc_collect(heap, 2), 0);
    rc_decref(heap, a);
    rc_decref(heap, b);
    assert_int_equal(rc_collect(heap, 2), 2); /* a (uncollectable) and b, as gc.collect() */
    assert_int_equal(log.legacy_calls, 0);
    rc_object *garbage = rc_gc_garbage(heap);
    assert_int_equal(rc_list_len(heap, garbage), 1);
    assert_ptr_equal(rc_list_get_borrow(heap, garbage, 0), a);
    assert_int_equal(rc_refcount(a), 2); /* itself and gc.garbage */
    assert_int_equal(rc_heap_check(heap), RC_OK);
    leg_set(heap, a, NULL);        /* del obj.a */
    list_remove(heap, garbage, a); /* gc.garbage.remove(obj) */
    assert_int_equal(log.legacy_calls, 1);
    rc_decref(heap, garbage);
    assert_int_equal(rt_live_objects(heap), base + 1); /* the garbage list */
    rt_heap_finish(heap);
}

static const rc_type *make_offsets_type(rc_heap *heap)
{
    return leg_type(heap, "legacy", false);
}

static void legacy_finalizer_cycle_goes_to_gc_garbage(void **state)
{
    (void)state;
    check_legacy_cycle_goes_to_gc_garbage(make_offsets_type);
}

static void legacy_finalizer_cycle_of_traverse_type_goes_to_gc_garbage(void **state)
{
    (void)state;
    check_legacy_cycle_goes_to_gc_garbage(leg_traverse_type);
}

/* move_legacy_finalizer_reachable: what a legacy object reaches in the garbage stays alive
 * and intact (no weakref cleared, no finalizer run, nothing cleared); only the legacy object
 * itself is appended to gc.garbage; the stats count both as uncollectable. */
static void garbage_reached_from_a_legacy_object_is_kept_intact(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *t = leg_type(heap, "legacy", false);
    leg_log log;
    memset(&log, 0, sizeof log);
    rc_object *a = leg_new(heap, t, &log);
    rc_object *l = rt_list(heap);
    rt_append(heap, l, a);
    rt_append(heap, l, rc_int_new(heap, 7));
    leg_set(heap, a, l);
    rc_object *wl = rc_weakref_new(heap, l, NULL, NULL);
    rc_object *wa = rc_weakref_new(heap, a, NULL, NULL);
    rc_decref(heap, l);
    rc_decref(heap, a);
    assert_int_equal(rc_collect(heap, 2), 2);
    rc_gc_stats st = {.size = sizeof st};
    assert_int_equal(rc_gc_get_stats(heap, 2, &st), RC_OK);
    assert_int_equal(st.collected, 0);
    assert_int_equal(st.uncollectable, 2);
    rc_object *garbage = rc_gc_garbage(heap);
    assert_int_equal(rc_list_len(heap, garbage), 1);
    assert_ptr_equal(rc_list_get_borrow(heap, garbage, 0), a);
    rc_object *got = rc_weakref_get(heap, wl);
    assert_ptr_equal(got, l);
    assert_int_equal(rc_list_len(heap, l), 2);
    assert_ptr_equal(rc_list_get_borrow(heap, l, 0), a);
    rc_decref(heap, got);
    got = rc_weakref_get(heap, wa);
    assert_ptr_equal(got, a);
    rc_decref(heap, got);
    assert_int_equal(log.legacy_calls, 0);
    /* Survivors: a second collection finds nothing (gc.garbage holds them). */
    assert_int_equal(rc_collect(heap, 2), 0);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    /* Emptying gc.garbage makes them garbage again, uncollectable again. */
    assert_int_equal(rc_list_clear(heap, garbage), RC_OK);
    assert_int_equal(rc_collect(heap, 2), 2);
    assert_int_equal(rc_list_len(heap, garbage), 1);
    leg_set(heap, a, NULL); /* breaks the cycle: the list dies, then a when removed */
    assert_int_equal(rc_list_clear(heap, garbage), RC_OK);
    assert_int_equal(log.legacy_calls, 1);
    assert_null(rc_weakref_get(heap, wl));
    assert_null(rc_weakref_get(heap, wa));
    rc_decref(heap, wl);
    rc_decref(heap, wa);
    rc_decref(heap, garbage);
    rt_heap_finish(heap);
}

/* A legacy object held only by collectable garbage (no cycle through it) is uncollectable
 * too (CPython moves every unreachable object whose type has tp_del); the garbage list's
 * reference keeps it when the rest is freed. */
static void legacy_object_held_only_by_collectable_garbage_is_uncollectable(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *t = leg_type(heap, "legacy", false);
    leg_log log;
    memset(&log, 0, sizeof log);
    rc_object *x = rt_list(heap);
    rt_append(heap, x, x);
    rc_object *a = leg_new(heap, t, &log);
    rt_append(heap, x, a);
    rc_decref(heap, a);
    rc_decref(heap, x);
    assert_int_equal(rc_collect(heap, 2), 2);
    rc_gc_stats st = {.size = sizeof st};
    assert_int_equal(rc_gc_get_stats(heap, 2, &st), RC_OK);
    assert_int_equal(st.collected, 1);
    assert_int_equal(st.uncollectable, 1);
    rc_object *garbage = rc_gc_garbage(heap);
    assert_int_equal(rc_list_len(heap, garbage), 1);
    assert_ptr_equal(rc_list_get_borrow(heap, garbage, 0), a);
    assert_int_equal(rc_refcount(a), 1);
    assert_int_equal(log.legacy_calls, 0);
    rc_decref(heap, garbage);
    rt_heap_finish(heap);
}

typedef struct cb_rec {
    int stops;
    uint64_t collected, uncollectable;
    bool cleanup; /* at stop: break the Uncollectable pairs and empty gc.garbage */
    const rc_type *t;
} cb_rec;

static void gc_cb(rc_heap *heap, const rc_gc_info *info, void *user)
{
    cb_rec *r = user;
    if (info->phase != RC_GC_PHASE_STOP)
        return;
    r->stops++;
    r->collected = info->collected;
    r->uncollectable = info->uncollectable;
    if (!r->cleanup)
        return;
    rc_object *garbage = rc_gc_garbage(heap);
    size_t pos = 0;
    rc_object *item;
    while (rc_list_next(heap, garbage, &pos, &item))
        if (rc_type_of(heap, item) == r->t)
            leg_set(heap, item, NULL);
    rc_list_clear(heap, garbage);
    rc_decref(heap, garbage);
}

/* test_gc.py's Uncollectable: two objects with legacy finalizers referring to each other. */
static void make_uncollectable_pair(rc_heap *heap, const rc_type *t)
{
    rc_object *p = leg_new(heap, t, NULL), *q = leg_new(heap, t, NULL);
    leg_set(heap, p, q);
    leg_set(heap, q, p);
    rc_decref(heap, p);
    rc_decref(heap, q);
}

/* GCCallbackTests.test_collect_garbage. */
static void callbacks_and_stats_report_uncollectable_pairs(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *t = leg_type(heap, "Uncollectable", false);
    cb_rec rec;
    memset(&rec, 0, sizeof rec);
    rec.t = t;
    assert_int_equal(rc_gc_callback_add(heap, gc_cb, &rec), RC_OK);
    make_uncollectable_pair(heap, t);
    make_uncollectable_pair(heap, t);
    rc_object *c = rt_list(heap); /* C1055820(666): one collectable self-loop */
    rt_append(heap, c, c);
    rc_decref(heap, c);
    assert_int_equal(rc_collect(heap, 2), 5);
    assert_int_equal(rec.stops, 1);
    assert_int_equal(rec.collected, 1);
    assert_int_equal(rec.uncollectable, 4);
    rc_gc_stats st = {.size = sizeof st};
    assert_int_equal(rc_gc_get_stats(heap, 2, &st), RC_OK);
    assert_int_equal(st.collected, 1);
    assert_int_equal(st.uncollectable, 4);
    rc_object *garbage = rc_gc_garbage(heap);
    assert_int_equal(rc_list_len(heap, garbage), 4);
    size_t pos = 0;
    rc_object *item;
    while (rc_list_next(heap, garbage, &pos, &item))
        assert_ptr_equal(rc_type_of(heap, item), t);
    /* Now the callback handles the Uncollectable instances: emptying gc.garbage makes them
     * garbage again, and the callback breaks their cycles at the end of the collection. */
    rec.cleanup = true;
    assert_int_equal(rc_list_clear(heap, garbage), RC_OK);
    assert_int_equal(rc_collect(heap, 2), 4);
    assert_int_equal(rec.collected, 0);
    assert_int_equal(rec.uncollectable, 4);
    assert_int_equal(rc_list_len(heap, garbage), 0);
    assert_int_equal(rc_type_live_count(t), 0);
    assert_int_equal(rc_gc_get_stats(heap, 2, &st), RC_OK);
    assert_int_equal(st.uncollectable, 8);
    rc_decref(heap, garbage);
    assert_int_equal(rc_gc_callback_remove(heap, gc_cb, &rec), RC_OK);
    rt_heap_finish(heap);
}

typedef struct out_lines {
    int n;
    char lines[16][128];
} out_lines;

static void record_out(rc_heap *heap, const char *line, void *user)
{
    (void)heap;
    out_lines *o = user;
    if (o->n < 16)
        snprintf(o->lines[o->n], sizeof o->lines[0], "%s", line);
    o->n++;
}

/* debug_cycle("uncollectable", op) for each object of the legacy part, after the
 * collectable lines, and the totals in the DEBUG_STATS line. */
static void debug_uncollectable_reports_each_uncollectable_object(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *t = leg_type(heap, "Uncollectable", false);
    rc_object *p = leg_new(heap, t, NULL);
    rc_object *l = rt_list(heap);
    leg_set(heap, p, l);
    rt_append(heap, l, p);
    rc_object *c = rt_list(heap);
    rt_append(heap, c, c);
    char want_p[64], want_l[64], want_c[64];
    snprintf(want_p, sizeof want_p, "gc: uncollectable <Uncollectable %p>", (void *)p);
    snprintf(want_l, sizeof want_l, "gc: uncollectable <list %p>", (void *)l);
    snprintf(want_c, sizeof want_c, "gc: collectable <list %p>", (void *)c);
    rc_decref(heap, p);
    rc_decref(heap, l);
    rc_decref(heap, c);
    out_lines o;
    memset(&o, 0, sizeof o);
    rc_gc_set_debug_output(heap, record_out, &o);
    rc_gc_set_debug(heap, RC_GC_DEBUG_UNCOLLECTABLE | RC_GC_DEBUG_COLLECTABLE | RC_GC_DEBUG_STATS);
    assert_int_equal(rc_collect(heap, 2), 3);
    rc_gc_set_debug(heap, 0);
    assert_int_equal(o.n, 7);
    assert_string_equal(o.lines[3], want_c);
    /* The uncollectable lines come in heap order: either may be first. */
    bool p_first = strcmp(o.lines[4], want_p) == 0;
    assert_string_equal(o.lines[p_first ? 4 : 5], want_p);
    assert_string_equal(o.lines[p_first ? 5 : 4], want_l);
    assert_memory_equal(o.lines[6], "gc: done, 3 unreachable, 2 uncollectable, ", 42);
    /* Without the flag: nothing but the totals. */
    rc_object *garbage = rc_gc_garbage(heap);
    assert_int_equal(rc_list_clear(heap, garbage), RC_OK);
    o.n = 0;
    rc_gc_set_debug(heap, RC_GC_DEBUG_STATS);
    assert_int_equal(rc_collect(heap, 2), 2);
    rc_gc_set_debug(heap, 0);
    assert_int_equal(o.n, 4);
    assert_memory_equal(o.lines[3], "gc: done, 2 unreachable, 2 uncollectable, ", 42);
    leg_set(heap, p, NULL);
    assert_int_equal(rc_list_clear(heap, garbage), RC_OK);
    rc_decref(heap, garbage);
    assert_int_equal(rc_type_live_count(t), 0);
    rt_heap_finish(heap);
}

/* handle_legacy_finalizers under DEBUG_SAVEALL: every object of the legacy part goes to
 * gc.garbage, after the collectable garbage that delete_garbage saved. */
static void saveall_saves_the_whole_uncollectable_part_after_the_rest(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *t = leg_type(heap, "legacy", false);
    rc_object *p = leg_new(heap, t, NULL);
    rc_object *l = rt_list(heap);
    leg_set(heap, p, l);
    rt_append(heap, l, p);
    rc_object *c = rt_list(heap);
    rt_append(heap, c, c);
    rc_decref(heap, p);
    rc_decref(heap, l);
    rc_decref(heap, c);
    rc_gc_set_debug(heap, RC_GC_DEBUG_SAVEALL);
    assert_int_equal(rc_collect(heap, 2), 3);
    rc_gc_set_debug(heap, 0);
    rc_object *garbage = rc_gc_garbage(heap);
    assert_int_equal(rc_list_len(heap, garbage), 3);
    assert_ptr_equal(rc_list_get_borrow(heap, garbage, 0), c);
    assert_true(list_holds(heap, garbage, p));
    assert_true(list_holds(heap, garbage, l));
    rc_gc_stats st = {.size = sizeof st};
    assert_int_equal(rc_gc_get_stats(heap, 2, &st), RC_OK);
    assert_int_equal(st.collected, 1);
    assert_int_equal(st.uncollectable, 2);
    leg_set(heap, p, NULL);
    assert_int_equal(rc_list_clear(heap, garbage), RC_OK);
    assert_int_equal(rc_collect(heap, 2), 1); /* c, no longer saved */
    rc_decref(heap, garbage);
    assert_int_equal(rc_type_live_count(t), 0);
    rt_heap_finish(heap);
}

static void weakref_cb(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    (void)wr;
    log_event(user, 2);
}

/* subtype_dealloc: tp_finalize, then the weakrefs (callbacks run), then tp_del. */
static void count_zero_runs_finalize_then_weakref_callbacks_then_legacy(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    const rc_type *t = leg_type(heap, "legacy", true);
    leg_log log;
    memset(&log, 0, sizeof log);
    rc_object *a = leg_new(heap, t, &log);
    rc_object *w = rc_weakref_new(heap, a, weakref_cb, &log);
    rc_decref(heap, a);
    assert_int_equal(log.n_order, 3);
    assert_int_equal(log.order[0], 1);
    assert_int_equal(log.order[1], 2);
    assert_int_equal(log.order[2], 3);
    rc_decref(heap, w);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* tp_del may resurrect, and unlike tp_finalize it runs again at the next death. */
static void legacy_finalizer_resurrects_and_runs_at_every_death(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    const rc_type *t = leg_type(heap, "legacy", true);
    leg_log log;
    memset(&log, 0, sizeof log);
    log.keep = rt_list(heap);
    rc_object *a = leg_new(heap, t, &log);
    rc_decref(heap, a);
    assert_int_equal(log.legacy_calls, 1);
    assert_int_equal(log.finalize_calls, 1);
    assert_int_equal(rc_list_len(heap, log.keep), 1);
    assert_int_equal(rc_refcount(a), 1);
    rc_object *keep = log.keep;
    log.keep = NULL;
    assert_int_equal(rc_list_clear(heap, keep), RC_OK);
    assert_int_equal(log.legacy_calls, 2);
    assert_int_equal(log.finalize_calls, 1); /* PEP 442: once */
    rc_decref(heap, keep);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* An old legacy object released by young garbage dies after the collection, when counts
 * are exact, and its legacy finalizer runs then. */
static void legacy_object_released_by_young_garbage_is_finalized_after_collection(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    const rc_type *t = leg_type(heap, "legacy", false);
    leg_log log;
    memset(&log, 0, sizeof log);
    rc_object *a = leg_new(heap, t, &log);
    assert_int_equal(rc_collect(heap, 1), 0); /* a is in generation 2 now */
    rc_object *l = rt_list(heap);
    rt_append(heap, l, l);
    rt_append(heap, l, a);
    rc_decref(heap, a);
    rc_decref(heap, l);
    assert_int_equal(rc_collect(heap, 0), 1);
    assert_int_equal(log.legacy_calls, 1);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* rc_type_spec grew a field: a spec of the size it had before still registers (no legacy
 * finalizer); any other size is refused. */
static void type_spec_of_the_previous_size_is_accepted(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_type_spec spec;
    memset(&spec, 0xAB, sizeof spec); /* the bytes past the old size must not be read */
    spec.size = RC_TYPE_SPEC_V1_BYTES;
    spec.name = "old";
    spec.instance_bytes = sizeof(rc_object);
    spec.ref_offsets = NULL;
    spec.n_ref_offsets = 0;
    spec.ref_names = NULL;
    spec.traverse = NULL;
    spec.clear = NULL;
    spec.destroy = NULL;
    spec.repr = NULL;
    spec.flags = 0;
    spec.finalize = NULL;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    rc_object *o = rc_new(heap, t);
    rc_decref(heap, o);
    spec.size = RC_TYPE_SPEC_V1_BYTES - 1;
    assert_null(rc_type_new(heap, &spec));
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(legacy_finalizer_cycle_goes_to_gc_garbage),
        cmocka_unit_test(legacy_finalizer_cycle_of_traverse_type_goes_to_gc_garbage),
        cmocka_unit_test(garbage_reached_from_a_legacy_object_is_kept_intact),
        cmocka_unit_test(legacy_object_held_only_by_collectable_garbage_is_uncollectable),
        cmocka_unit_test(callbacks_and_stats_report_uncollectable_pairs),
        cmocka_unit_test(debug_uncollectable_reports_each_uncollectable_object),
        cmocka_unit_test(saveall_saves_the_whole_uncollectable_part_after_the_rest),
        cmocka_unit_test(count_zero_runs_finalize_then_weakref_callbacks_then_legacy),
        cmocka_unit_test(legacy_finalizer_resurrects_and_runs_at_every_death),
        cmocka_unit_test(legacy_object_released_by_young_garbage_is_finalized_after_collection),
        cmocka_unit_test(type_spec_of_the_previous_size_is_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
