/*
 * test_gc_schedule.c -- the candidate schedule (src/gc.c section 5): rc_decref buffers the
 * objects it leaves at a non-zero count; partial runs examine them and a bounded
 * neighbourhood; full collections come from rc_collect or the signals of section 5.
 * Adversarial workloads assert their bound on cyclic garbage waiting to be found; fault
 * injection covers every allocation the schedule makes.
 */
#include "rctest.h"

#include <string.h>

/* A heap with automatic collection on, candidate schedule, stress off, trigger t0. */
static rc_heap *cand_heap(size_t t0, rt_alloc *alloc)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.threshold[0] = t0;
    cfg.schedule = RC_GC_SCHEDULE_CANDIDATES;
    cfg.allocator = alloc != NULL ? &alloc->iface : NULL;
    return rt_heap_new_cfg(&cfg);
}

/* The defaults: the candidate schedule; getters describe it. */
static void default_schedule_is_candidates(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new();
    assert_int_equal(rc_gc_get_schedule(heap), RC_GC_SCHEDULE_CANDIDATES);
    size_t t[3];
    rc_gc_get_threshold(heap, t);
    assert_int_equal(t[0], 2000);
    assert_int_equal(rc_gc_get_trigger(heap), 2000);
    rt_heap_finish(heap);

    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.schedule = (rc_gc_schedule)7;
    assert_null(rc_heap_new(&cfg));
}

/* rc_decref to a non-zero count makes a tracked object a candidate (generation 1);
 * rc_gc_get_count()[0] counts them; an atomic or untracked object never is one. */
static void decref_to_nonzero_makes_a_candidate(void **state)
{
    (void)state;
    rc_heap *heap = cand_heap(1000, NULL);
    rc_gc_disable(heap);
    /* l holds a tracked object (an acyclic one would skip the buffer: ACYCLIC-NOW). */
    rc_object *l = rt_list(heap);
    rt_append(heap, l, rt_list(heap));
    rc_object *keep = rt_list(heap);
    rt_gens g0 = rt_gen_sizes(heap);
    rt_append(heap, keep, l);
    rc_decref(heap, l);
    rt_gens g1 = rt_gen_sizes(heap);
    assert_int_equal(g1.n[0], g0.n[0] - 1);
    assert_int_equal(g1.n[1], g0.n[1] + 1);
    assert_int_equal(rt_gc_count(heap).n[0], g1.n[1]);
    /* Already a candidate: a second drop changes nothing. */
    rc_incref(l);
    rc_decref(heap, l);
    assert_int_equal(rt_gen_sizes(heap).n[1], g1.n[1]);
    rc_object *s = rc_str_from_cstr(heap, "x");
    rc_incref(s);
    rc_decref(heap, s);
    assert_int_equal(rt_gen_sizes(heap).n[1], g1.n[1]);
    rc_decref(heap, s);
    /* rc_collect(1) examines generations 0 and 1: the candidates move to generation 2. */
    assert_int_equal(rc_collect(heap, 1), 0);
    rt_gens g2 = rt_gen_sizes(heap);
    assert_int_equal(g2.n[0], 0);
    assert_int_equal(g2.n[1], 0);
    rc_decref(heap, keep);
    rt_heap_finish(heap);
}

/* Automatic partial runs find cycles dropped with rc_decref without any rc_collect, and the
 * objects that were only allocated (never dropped to a non-zero count) are not examined. */
static void partial_runs_find_dropped_cycles(void **state)
{
    (void)state;
    rc_heap *heap = cand_heap(50, NULL);
    const rc_type *pair = rt_pair_type(heap);
    size_t base = rt_live_objects(heap);
    for (int i = 0; i < 400; i++)
        rc_decref(heap, rt_pair_cycle(heap, pair, 3));
    assert_true(rt_collections(heap, 1) > 0);
    assert_int_equal(rt_collections(heap, 2), 0);
    /* Waiting: at most what the trigger allows (3 nodes a cycle, 3 candidates a cycle). */
    assert_true(rt_live_objects(heap) - base <= 3 * 16 * 50);
    assert_int_equal(rc_collect(heap, 2), (int64_t)(rt_live_objects(heap) - base));
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* A candidate holding no reference to a tracked object cannot be on a cycle: a partial run
 * moves it to generation 2 without the trial deletion, and the trigger backs off when runs
 * find nothing. Adversarial: many acyclic objects dropped to a non-zero count (PHP issue
 * 17127), with a cycle dropped now and then, which must still be found within the bound.
 * Each inner list holds nine ints, more than rc__candidate looks at (ACYCLIC-NOW), so each
 * is a candidate all the same. */
static void acyclic_candidates_do_not_flood(void **state)
{
    (void)state;
    const size_t t0 = 100, n = 200000;
    rc_heap *heap = cand_heap(t0, NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *outer = rc_list_new(heap, 0);
    assert_non_null(outer);
    uint64_t dropped = 0, runs_before = rt_collections(heap, 1);
    size_t max_waiting = 0;
    for (size_t i = 0; i < n; i++) {
        rc_object *inner = rc_list_new(heap, 9);
        assert_non_null(inner);
        for (int k = 0; k < 9; k++)
            assert_int_equal(rc_list_append_steal(heap, inner, rc_int_new(heap, (int64_t)i)),
                             RC_OK);
        rt_append(heap, outer, inner);
        rc_decref(heap, inner); /* left at count 1: a candidate */
        if (i % 1000 == 0) {
            rc_decref(heap, rt_pair_cycle(heap, pair, 3));
            dropped += 3;
        }
        size_t waiting = (size_t)(dropped - rt_collected_all(heap));
        if (waiting > max_waiting)
            max_waiting = waiting;
    }
    uint64_t runs = rt_collections(heap, 1) - runs_before;
    /* The trigger rose (16 * t0 at most), so the runs are far fewer than n / t0. */
    assert_true(runs <= n / t0 / 4);
    assert_true(rc_gc_get_trigger(heap) > t0);
    assert_true(rc_gc_get_trigger(heap) <= 16 * t0);
    /* A cycle waits at most until the trigger's worth of candidates has come. */
    assert_true(max_waiting <= 3 * (16 * t0 / 1000 + 2));
    assert_int_equal(rt_collections(heap, 2), 0);
    rc_decref(heap, outer);
    rt_heap_finish(heap);
}

/* A new pair (holding field, if not NULL, in field a) kept by keep and left at count 1 by
 * rc_decref: the generation the decrement put it in (1 buffered, 2 skipped the buffer). */
static int drop_young_pair(rc_heap *heap, rc_object *keep, const rc_type *pair, rc_object *field)
{
    rc_object *p = rt_pair_new(heap, pair, 0);
    if (field != NULL)
        rt_pair_set(heap, p, 0, field);
    rt_append(heap, keep, p);
    rt_gens g0 = rt_gen_sizes(heap);
    rc_decref(heap, p);
    rt_gens g1 = rt_gen_sizes(heap);
    assert_int_equal(g1.n[0], g0.n[0] - 1);
    if (g1.n[1] == g0.n[1] + 1 && g1.n[2] == g0.n[2])
        return 1;
    assert_int_equal(g1.n[1], g0.n[1]);
    assert_int_equal(g1.n[2], g0.n[2] + 1);
    return 2;
}

/* LOOK-PAYS (src/gc.c, section 5a): ACYCLIC-NOW's look is taken per type while it pays.
 * After 16 looks in a row at young pairs holding a tracked object, the pair type's look is
 * off: the next 64 young pairs are buffered unseen, acyclic ones too; the 65th is looked
 * at (a sample): holding nothing tracked, it turns the look back on. A sample that finds
 * a tracked object turns it off for 64 more. Another type (list) keeps its own look. */
static void look_off_while_it_does_not_pay(void **state)
{
    (void)state;
    rc_heap *heap = cand_heap(1000, NULL);
    rc_gc_disable(heap);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *keep = rt_list(heap);
    rc_object *tracked = rt_list(heap); /* what the pairs that hold something hold */
    /* The look pays at first: an acyclic pair skips the buffer, and a success resets the
     * run of misses. */
    assert_int_equal(drop_young_pair(heap, keep, pair, NULL), 2);
    for (int i = 0; i < 15; i++)
        assert_int_equal(drop_young_pair(heap, keep, pair, tracked), 1);
    assert_int_equal(drop_young_pair(heap, keep, pair, NULL), 2);
    for (int i = 0; i < 16; i++)
        assert_int_equal(drop_young_pair(heap, keep, pair, tracked), 1);
    /* 16 misses in a row: off. 64 acyclic pairs are buffered unseen... */
    for (int i = 0; i < 64; i++)
        assert_int_equal(drop_young_pair(heap, keep, pair, NULL), 1);
    /* ... while a list holding atoms still skips the buffer (its type's look is on). */
    rc_object *atoms = rt_list(heap);
    rt_append(heap, atoms, rc_int_new(heap, 7));
    rt_append(heap, keep, atoms);
    rt_gens g0 = rt_gen_sizes(heap);
    rc_decref(heap, atoms);
    rt_gens g1 = rt_gen_sizes(heap);
    assert_int_equal(g1.n[1], g0.n[1]);
    assert_int_equal(g1.n[2], g0.n[2] + 1);
    /* The sample finds an acyclic pair: the look is on again, for every pair after it. */
    assert_int_equal(drop_young_pair(heap, keep, pair, NULL), 2);
    assert_int_equal(drop_young_pair(heap, keep, pair, NULL), 2);
    /* Off again; a sample that finds a tracked object keeps it off for 64 more. */
    for (int i = 0; i < 16; i++)
        assert_int_equal(drop_young_pair(heap, keep, pair, tracked), 1);
    for (int i = 0; i < 64; i++)
        assert_int_equal(drop_young_pair(heap, keep, pair, NULL), 1);
    assert_int_equal(drop_young_pair(heap, keep, pair, tracked), 1); /* the sample */
    for (int i = 0; i < 64; i++)
        assert_int_equal(drop_young_pair(heap, keep, pair, NULL), 1);
    assert_int_equal(drop_young_pair(heap, keep, pair, NULL), 2); /* the next sample */
    /* Every pair buffered unseen is a candidate like any other: a collection of
     * generation 1 examines them all and keeps them (keep holds them). */
    assert_int_equal(rc_collect(heap, 1), 0);
    assert_int_equal(rt_gen_sizes(heap).n[1], 0);
    assert_int_equal(rc_list_len(heap, keep), 1 + 15 + 1 + 16 + 64 + 1 + 2 + 16 + 64 + 1 + 64 + 1);
    rc_decref(heap, tracked);
    rc_decref(heap, keep);
    rt_heap_finish(heap);
}

/* ACYCLIC-NOW (src/gc.c, section 5a): a young container that holds no reference to a
 * tracked object when rc_decref leaves it at a non-zero count is not on a cycle: it goes to
 * generation 2 without entering the buffer (each type's look is on in a new heap: LOOK-PAYS).
 * A list or tuple of atoms, a dict of atoms, a pair whose fields are None or atoms. Not
 * filtered: one that holds a tracked object, one with more references than rc__candidate
 * looks at, and one whose type has its own traverse function (user code does not run in
 * rc_decref). */
static void acyclic_container_skips_the_buffer(void **state)
{
    (void)state;
    rc_heap *heap = cand_heap(1000, NULL);
    rc_gc_disable(heap);
    const rc_type *pair = rt_pair_type(heap);
    const rc_type *bag = rt_bag_type(heap);
    rc_object *keep = rt_list(heap);
    rc_object *skipped[4], *buffered[4];
    skipped[0] = rt_list(heap);
    rt_append(heap, skipped[0], rc_str_from_cstr(heap, "atom"));
    rt_append(heap, skipped[0], rc_int_new(heap, 7));
    rc_object *items[2] = {rc_int_new(heap, 1), rc_float_new(heap, 2.0)};
    skipped[1] = rc_tuple_new(heap, 2, items);
    assert_non_null(skipped[1]);
    rc_decref(heap, items[0]);
    rc_decref(heap, items[1]);
    skipped[2] = rc_dict_new(heap);
    assert_non_null(skipped[2]);
    rc_object *key = rc_int_new(heap, 1), *value = rc_str_from_cstr(heap, "v");
    assert_int_equal(rc_dict_set(heap, skipped[2], key, value), RC_OK);
    rc_decref(heap, key);
    rc_decref(heap, value);
    skipped[3] = rt_pair_new(heap, pair, 1);
    buffered[0] = rt_list(heap); /* holds a tracked (empty) list */
    rt_append(heap, buffered[0], rt_list(heap));
    buffered[1] = rt_list(heap); /* nine atoms: more than looked at */
    for (int i = 0; i < 9; i++)
        rt_append(heap, buffered[1], rc_int_new(heap, i));
    buffered[2] = rt_bag_new(heap, bag, 1);   /* its own traverse */
    buffered[3] = rt_pair_new(heap, pair, 2); /* holds a pair */
    rt_pair_set(heap, buffered[3], 1, rt_pair_new(heap, pair, 3));
    rc_decref(heap, rt_pair_get(buffered[3], 1));
    rt_gens g0 = rt_gen_sizes(heap);
    for (int i = 0; i < 4; i++) {
        rt_append(heap, keep, skipped[i]);
        rc_decref(heap, skipped[i]);
        assert_true(rc_gc_is_tracked(heap, skipped[i]));
    }
    rt_gens g1 = rt_gen_sizes(heap);
    assert_int_equal(g1.n[1], g0.n[1]);
    assert_int_equal(g1.n[2], g0.n[2] + 4);
    assert_int_equal(g1.n[0], g0.n[0] - 4);
    for (int i = 0; i < 4; i++) {
        rt_append(heap, keep, buffered[i]);
        rc_decref(heap, buffered[i]);
    }
    rt_gens g2 = rt_gen_sizes(heap);
    assert_int_equal(g2.n[1], g1.n[1] + 4);
    assert_int_equal(g2.n[0], g1.n[0] - 4);
    assert_int_equal(rt_gc_count(heap).n[0], g2.n[1]);
    rc_decref(heap, keep);
    rt_heap_finish(heap);
}

/* ACYCLIC-NOW is sound: a container skipped while it held only atoms that later gains a
 * cycle and is dropped is a candidate then, and an automatic partial run frees it; so is a
 * two-list cycle made of such containers. Nothing calls rc_collect. */
static void skipped_container_that_gains_a_cycle_is_found(void **state)
{
    (void)state;
    const size_t t0 = 50, n = 500;
    rc_heap *heap = cand_heap(t0, NULL);
    size_t base = rt_live_objects(heap);
    rc_object *outer = rt_list(heap);
    for (size_t i = 0; i < n; i++) {
        rc_object *a = rt_list(heap), *b = rt_list(heap);
        rt_append(heap, a, rc_int_new(heap, (int64_t)i));
        rt_append(heap, outer, a);
        rt_append(heap, outer, b);
        rc_decref(heap, a); /* atoms only: skipped, generation 2 */
        rc_decref(heap, b);
        if (i % 2 == 0) {
            rt_append(heap, a, a); /* a self-cycle */
        } else {
            rt_append(heap, a, b); /* a -> b -> a */
            rt_append(heap, b, a);
        }
    }
    /* Drop every list from outer: each cycle's last outside reference goes by rc_decref. */
    rc_decref(heap, outer);
    /* A few more tracked allocations let the pending partial run start. */
    for (size_t i = 0; i < 16 * t0; i++)
        rc_decref(heap, rt_list(heap));
    assert_true(rt_collections(heap, 1) > 0);
    assert_int_equal(rt_collections(heap, 2), 0);
    /* Waiting: at most the trigger's worth (two lists a cycle). */
    size_t waiting = rt_live_objects(heap) - base;
    assert_true(waiting <= 2 * 16 * t0);
    assert_int_equal(rc_collect(heap, 2), (int64_t)waiting);
    assert_int_equal(rt_live_objects(heap), base);
    assert_int_equal(rt_collected_all(heap), (uint64_t)(n / 2 + 2 * (n / 2)));
    rt_heap_finish(heap);
}

/* Cycles that survive several partial runs (generation 2) and then die are found by the
 * next partial runs: the dropped node is a candidate and its cycle its neighbourhood. */
static void cycles_that_grow_old_before_they_die(void **state)
{
    (void)state;
    const size_t t0 = 64;
    rc_heap *heap = cand_heap(t0, NULL);
    const rc_type *pair = rt_pair_type(heap);
    enum { SLOTS = 500 };
    rc_object *ring[SLOTS];
    int ring_k[SLOTS];
    memset(ring, 0, sizeof ring);
    uint64_t dropped = 0;
    size_t max_waiting = 0;
    size_t base = rt_live_objects(heap);
    for (int i = 0; i < 20000; i++) {
        int s = i % SLOTS, k = 2 + i % 7;
        rc_object *old = ring[s];
        ring[s] = rt_pair_cycle(heap, pair, k);
        if (old != NULL) {
            rc_decref(heap, old);
            dropped += (uint64_t)ring_k[s];
        }
        ring_k[s] = k;
        size_t waiting = (size_t)(dropped - rt_collected_all(heap));
        if (waiting > max_waiting)
            max_waiting = waiting;
    }
    /* k <= 8 nodes a cycle, k - 1 candidates made young and 1 when it dies, so a run
     * comes at least every t0 / 1 drops; what waits is below 8 * (16 * t0 + 1). */
    assert_true(max_waiting <= 8 * (16 * t0 + 1));
    assert_int_equal(rt_collections(heap, 2), 0);
    assert_true(rt_collected_all(heap) > 0);
    for (int s = 0; s < SLOTS; s++)
        rc_decref(heap, ring[s]);
    rc_collect(heap, 2);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* Counts traversals of the big structure's nodes, to bound the work of partial runs. */
typedef struct big_node {
    rc_object hdr;
    rc_object *next;
} big_node;

static size_t big_traversals;
static bool in_collection; /* between a collection's START and STOP callbacks: debug builds'
                              heap checks around a collection traverse too, outside them */

static void note_phase(rc_heap *heap, const rc_gc_info *info, void *user)
{
    (void)heap;
    (void)user;
    in_collection = info->phase == RC_GC_PHASE_START;
}

static int big_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    big_traversals += in_collection;
    return visit(heap, ((big_node *)self)->next, arg);
}

static void big_clear(rc_heap *heap, rc_object *self)
{
    rc_object *n = ((big_node *)self)->next;
    ((big_node *)self)->next = NULL;
    rc_decref(heap, n);
}

/* Adversarial (PHP issue 17131): every dropped cycle holds a reference to the head of a
 * large live structure. Partial runs pull in only a bounded part of it, the cycles are
 * still found within the bound, and the structure is not traversed whole by every run. */
static void candidate_reaching_a_large_live_structure(void **state)
{
    (void)state;
    const size_t t0 = 100, big = 200000;
    rc_heap *heap = cand_heap(t0, NULL);
    /* No full collection from truncated neighbourhoods here: only partial runs counted. */
    assert_int_equal(rc_gc_set_threshold(heap, t0, 1000000, 10), RC_OK);
    const rc_type *pair = rt_pair_type(heap);
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "big";
    spec.instance_bytes = sizeof(big_node);
    spec.traverse = big_traverse;
    spec.clear = big_clear;
    rc_type *bt = rc_type_new(heap, &spec);
    assert_non_null(bt);
    rc_object *head = NULL;
    for (size_t i = 0; i < big; i++) {
        big_node *b = (big_node *)rc_new(heap, bt);
        assert_non_null(b);
        b->next = head;
        head = &b->hdr;
    }
    big_traversals = 0;
    in_collection = false;
    assert_int_equal(rc_gc_callback_add(heap, note_phase, NULL), RC_OK);
    uint64_t dropped = 0, runs0 = rt_collections(heap, 1) + rt_collections(heap, 2);
    size_t max_waiting = 0;
    for (int i = 0; i < 5000; i++) {
        rc_object *c = rt_pair_cycle(heap, pair, 2);
        rt_pair_set(heap, c, 1, head); /* the cycle reaches the structure */
        rc_decref(heap, c);
        dropped += 2;
        size_t waiting = (size_t)(dropped - rt_collected_all(heap));
        if (waiting > max_waiting)
            max_waiting = waiting;
    }
    uint64_t runs = rt_collections(heap, 1) + rt_collections(heap, 2) - runs0;
    assert_true(runs > 0);
    assert_true(max_waiting <= 2 * (16 * t0 + 1));
    /* On average a run traverses far less than the structure (phases 1 and 2 and the
     * neighbourhood each traverse a member once). */
    assert_int_equal(rt_collections(heap, 2), 0);
    /* A run pulls in at most threshold[2] objects per candidate plus threshold[0] (the
     * trigger is at most 16 t0), each traversed by the neighbourhood and phases 1 and 2. */
    assert_true(big_traversals <= runs * 3 * (10 * 16 * t0 + t0));
    assert_true(big_traversals / runs < big / 4);
    assert_int_equal(rc_gc_callback_remove(heap, note_phase, NULL), RC_OK);
    rc_decref(heap, head);
    rc_collect(heap, 2);
    rt_heap_finish(heap);
}

/* A finalizer that resurrects a candidate's cycle: the partial run keeps it (exact counts),
 * the finalizer never runs again (PEP 442), and once dropped again it is found again. */
static rc_object *resurrected;
static int finalizer_calls;

static void resurrect(rc_heap *heap, rc_object *self)
{
    (void)heap;
    finalizer_calls++;
    if (resurrected == NULL)
        resurrected = rc_newref(self);
}

static void finalizer_resurrecting_a_candidate(void **state)
{
    (void)state;
    rc_heap *heap = cand_heap(8, NULL);
    static const size_t offs[2] = {sizeof(rc_object), sizeof(rc_object) + sizeof(rc_object *)};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "phoenix";
    spec.instance_bytes = sizeof(rc_object) + 2 * sizeof(rc_object *);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 2;
    spec.finalize = resurrect;
    rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    const rc_type *pair = rt_pair_type(heap);
    size_t base = rt_live_objects(heap);
    resurrected = NULL;
    finalizer_calls = 0;
    rc_object *p = rc_new(heap, t);
    rc_object *q = rt_pair_new(heap, pair, 1);
    ((rc_object **)(p + 1))[0] = rc_newref(q);
    rt_pair_set(heap, q, 0, p);
    rc_decref(heap, q);
    rc_decref(heap, p); /* p and q: a garbage cycle, both candidates */
    /* Automatic runs (allocations of dropped cycles) find it; the finalizer resurrects. */
    for (int i = 0; i < 200 && resurrected == NULL; i++)
        rc_decref(heap, rt_pair_cycle(heap, pair, 2));
    assert_ptr_equal(resurrected, p);
    assert_int_equal(finalizer_calls, 1);
    assert_int_equal(rc_refcount(p), 2); /* resurrected and q */
    assert_int_equal(rc_refcount(q), 1);
    /* Dropped again: a candidate again, found by a partial run, finalizer not rerun. */
    uint64_t before = rt_collected_all(heap);
    rc_object *r = resurrected;
    resurrected = rt_list(heap); /* any non-NULL value: resurrect only once */
    rc_decref(heap, r);
    for (int i = 0; i < 200 && rt_collected_all(heap) < before + 2; i++)
        rc_decref(heap, rt_pair_cycle(heap, pair, 2));
    assert_true(rt_collected_all(heap) >= before + 2);
    assert_int_equal(finalizer_calls, 1);
    rc_decref(heap, resurrected);
    resurrected = NULL;
    rc_collect(heap, 2);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* rc_collect(1) examines generation 0 and the candidates with their neighbourhood: a
 * dropped old cycle is found whole. */
static void collect_1_takes_the_neighbourhood(void **state)
{
    (void)state;
    rc_heap *heap = cand_heap(1000, NULL);
    rc_gc_disable(heap);
    const rc_type *pair = rt_pair_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *old = rt_pair_cycle(heap, pair, 3);
    assert_int_equal(rc_collect(heap, 2), 0); /* old is generation 2 now */
    rc_object *young = rt_pair_cycle(heap, pair, 2);
    rt_pair_set(heap, young, 1, old);
    rc_decref(heap, old);   /* old's first node: a candidate, held by young only */
    rc_decref(heap, young); /* young: garbage */
    assert_int_equal(rc_collect(heap, 0), 0); /* generation 0: young's second node only */
    assert_int_equal(rc_collect(heap, 1), 5);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* A collection releasing garbage's references (phase 4) leaves an old object at a
 * non-zero count while the collected set must not change: the candidate waits under a
 * reference of its own and is buffered when the collection ends. */
static void candidate_made_during_a_run_is_kept(void **state)
{
    (void)state;
    rc_heap *heap = cand_heap(1000, NULL);
    rc_gc_disable(heap);
    const rc_type *pair = rt_pair_type(heap);
    size_t base = rt_live_objects(heap);
    rc_object *old = rt_pair_cycle(heap, pair, 3);
    rc_object *young = rt_pair_new(heap, pair, 9);
    rt_pair_set(heap, young, 1, old);
    rc_decref(heap, old);
    assert_int_equal(rc_collect(heap, 2), 0); /* all of it generation 2 */
    rc_gc_untrack(heap, young);
    rc_gc_track(heap, young);      /* young again: generation 0 */
    ((rt_pair *)young)->a = young; /* the caller's reference stored in young itself: */
    /* garbage that no rc_decref announced, in generation 0 */
    assert_int_equal(rt_gc_count(heap).n[0], 0);
    assert_int_equal(rc_collect(heap, 0), 1);
    /* Releasing young dropped old's first node to 1 during the collection. */
    assert_int_equal(rt_gc_count(heap).n[0], 1);
    assert_int_equal(rt_gen_sizes(heap).n[1], 1);
    assert_int_equal(rc_refcount(old), 1);
    assert_int_equal(rc_collect(heap, 1), 3);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* Fault injection: each allocation request of a workload of dropped cycles is refused
 * once. Whatever fails (an object, a page, the candidate buffer, the late buffer, the mark
 * stack), no candidate or cycle is lost: automatic runs alone bring the waiting garbage
 * back under the bound once allocation works again, and a full collection frees exactly
 * the garbage. */
static int fault_workload(rc_heap *heap, const rc_type *pair)
{
    int made = 0;
    for (int i = 0; i < 120; i++) {
        rc_object *a = rc_new(heap, pair);
        if (a == NULL)
            continue;
        rc_object *b = rc_new(heap, pair);
        if (b == NULL) {
            rc_decref(heap, a);
            continue;
        }
        ((rt_pair *)a)->a = b; /* a owns b */
        ((rt_pair *)b)->a = rc_newref(a);
        rc_decref(heap, a); /* a candidate */
        made++;
    }
    return made;
}

static void fault_injection_loses_no_candidate(void **state)
{
    (void)state;
    rt_alloc probe;
    rt_alloc_init(&probe, -1);
    rc_heap *heap = cand_heap(4, &probe);
    const rc_type *pair = rt_pair_type(heap);
    uint64_t start = probe.requests;
    fault_workload(heap, pair);
    uint64_t n_requests = probe.requests - start;
    rc_collect(heap, 2);
    rt_heap_finish(heap);
    assert_true(n_requests > 0);

    for (uint64_t k = 0; k < n_requests + 4; k++) {
        rt_alloc a;
        rt_alloc_init(&a, -1);
        heap = cand_heap(4, &a);
        pair = rt_pair_type(heap);
        size_t base = rt_live_objects(heap);
        a.fail_at = (int64_t)(a.requests + k);
        fault_workload(heap, pair);
        a.fail_at = -1;
        /* Allocation works again: the automatic runs (a full one if a buffer failed)
         * catch up with what waits. */
        for (int i = 0; i < 64; i++) {
            rc_object *l = rt_list(heap);
            rc_decref(heap, l);
        }
        assert_true(rt_live_objects(heap) - base <= 2 * (16 * 4 + 1) + 2);
        rc_collect(heap, 2);
        assert_int_equal(rt_live_objects(heap), base);
        rt_heap_finish(heap);
        assert_int_equal(a.outstanding_blocks, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_schedule_is_candidates),
        cmocka_unit_test(decref_to_nonzero_makes_a_candidate),
        cmocka_unit_test(partial_runs_find_dropped_cycles),
        cmocka_unit_test(acyclic_candidates_do_not_flood),
        cmocka_unit_test(acyclic_container_skips_the_buffer),
        cmocka_unit_test(look_off_while_it_does_not_pay),
        cmocka_unit_test(skipped_container_that_gains_a_cycle_is_found),
        cmocka_unit_test(cycles_that_grow_old_before_they_die),
        cmocka_unit_test(candidate_reaching_a_large_live_structure),
        cmocka_unit_test(finalizer_resurrecting_a_candidate),
        cmocka_unit_test(collect_1_takes_the_neighbourhood),
        cmocka_unit_test(candidate_made_during_a_run_is_kept),
        cmocka_unit_test(fault_injection_loses_no_candidate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
