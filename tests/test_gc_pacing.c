/*
 * test_gc_pacing.c -- how bounded pauses are paced (src/gc.c section 9): an increment's
 * work counted by references as well as objects, very large objects followed in pieces
 * (PIECES), partial runs sized by the pause budget (CHUNKS), and the pause histogram in the
 * debug output. Nothing depends on timing: rc_collect_step(heap, 0) does one fixed amount
 * of work (WORK: 64 units, a unit being one object or four references), and a pause budget
 * of 1 ns gives the smallest partial runs.
 */
#include "rctest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* References followed per piece and per step of budget 0 (gcincr.c, PIECES and WORK). */
#define PIECE_REFS 256u

/* Steps of budget 0 to the end of a collection; returns the steps taken. */
static size_t step_to_end(rc_heap *heap)
{
    size_t n = 1;
    while (rc_collect_step(heap, 0))
        n++;
    return n;
}

/* A list of n items, all None but the last, which is item (borrowed; NULL: None too). */
static rc_object *big_list(rc_heap *heap, size_t n, rc_object *item)
{
    rc_object *l = rc_list_new(heap, n);
    assert_non_null(l);
    for (size_t i = 0; i + 1 < n; i++)
        assert_int_equal(rc_list_append(heap, l, NULL), RC_OK);
    assert_int_equal(rc_list_append(heap, l, item), RC_OK);
    return l;
}

/* ---- FINAL-WHOLE ----------------------------------------------------------------------- */

/* A garbage ring of 5000 candidates, far more than one chunk (a 1 ns budget: 256 objects):
 * LIST leaves candidates out of the suspected garbage, so the final step of the collection
 * rc_collect_step runs must take every candidate, not a chunk of them, or the ring is
 * examined cut and survives. The collection frees all of it, in steps alone. */
static void final_step_takes_every_candidate(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    rc_gc_set_pause_budget(heap, 1);
    const rc_type *pair = rt_pair_type(heap);
    enum { RING_NODES = 5000 };
    rc_object *first = rt_pair_new(heap, pair, 0);
    rc_object *prev = first;
    for (int i = 1; i < RING_NODES; i++) {
        rc_object *p = rt_pair_new(heap, pair, i);
        rt_pair_set(heap, prev, 0, p);
        rt_pair_set(heap, p, 1, first); /* a tracked reference: ACYCLIC-NOW buffers it */
        rc_decref(heap, p);             /* a decrement to a non-zero count: a candidate */
        prev = p;
    }
    rt_pair_set(heap, prev, 0, first);
    rc_decref(heap, first);
    size_t live = rt_stats(heap).live_objects;
    assert_true(live >= RING_NODES);
    step_to_end(heap);
    assert_false(rc_gc_is_incremental_running(heap));
    assert_int_equal(rt_collected_all(heap), RING_NODES);
    assert_int_equal(rt_stats(heap).live_objects, live - RING_NODES);
    rt_heap_finish(heap);
}

/* ---- PIECES --------------------------------------------------------------------------- */

/* A garbage cycle through a list of 1M items: SCAN follows the list's references 256 at a
 * time, one piece per step, so the collection takes at least 1M / 256 steps (a step
 * returns with work remaining before the list is finished), and it is exact: the list
 * and the pair are freed, the live pair is not. */
static void huge_list_in_a_garbage_cycle_is_scanned_in_pieces(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *live = rt_pair_new(heap, pair, 1);
    rc_object *p = rt_pair_new(heap, pair, 2);
    rc_object *l = big_list(heap, 1000000, p);
    rt_pair_set(heap, p, 0, l);
    rt_pair_set(heap, live, 0, p); /* examined while alive, then dropped */
    assert_int_equal(rc_collect(heap, 2), 0);
    rc_decref(heap, l);
    rc_decref(heap, p);
    rt_pair_set(heap, live, 0, NULL);
    size_t before = rt_live_objects(heap);
    size_t steps = step_to_end(heap);
    assert_true(steps >= 1000000 / PIECE_REFS);
    assert_int_equal(rt_collected_all(heap), 2);
    assert_int_equal(rt_live_objects(heap), before - 2);
    rc_decref(heap, live);
    rt_heap_finish(heap);
}

/* A live list of 1M items is followed in pieces by SCAN and again by MARK (it is live): at
 * least twice 1M / 256 steps, and nothing is freed. */
static void huge_live_list_is_marked_in_pieces(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    rc_object *l = big_list(heap, 1000000, NULL);
    size_t steps = step_to_end(heap);
    assert_true(steps >= 2 * (1000000 / PIECE_REFS));
    assert_int_equal(rt_collected_all(heap), 0);
    assert_int_equal(rc_list_len(heap, l), 1000000);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

/* The program empties the list between two pieces (its item buffer is freed): the next
 * piece reads the new length and stops; a garbage cycle is still found. */
static void huge_list_cleared_between_pieces(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *l = big_list(heap, 200000, NULL);
    rc_decref(heap, rt_pair_cycle(heap, pair, 3));
    for (int i = 0; i < 50; i++)
        assert_true(rc_collect_step(heap, 0));
    assert_int_equal(rc_list_clear(heap, l), RC_OK);
    size_t steps = step_to_end(heap);
    assert_true(steps < 200000 / PIECE_REFS); /* the rest of the list was not followed */
    assert_int_equal(rt_collected_all(heap), 3);
    assert_int_equal(rc_list_len(heap, l), 0);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

/* The list is freed between two pieces and its slot reused by an object of another type:
 * the run drops the piece and goes on; the collection is exact. */
static void huge_list_freed_between_pieces(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *l = big_list(heap, 200000, NULL);
    rc_decref(heap, rt_pair_cycle(heap, pair, 2));
    for (int i = 0; i < 50; i++)
        assert_true(rc_collect_step(heap, 0));
    rc_decref(heap, l);
    rc_object *d = rt_dict(heap); /* may take the list's slot */
    step_to_end(heap);
    assert_int_equal(rt_collected_all(heap), 2);
    rc_decref(heap, d);
    rt_heap_finish(heap);
}

typedef struct frame {
    rc_object hdr;
    rc_object *parent;
    size_t n;
    rc_object *slots[];
} frame;

static const rc_type *frame_type(rc_heap *heap)
{
    static const size_t offs[] = {offsetof(frame, parent)};
    rc_type_spec spec = {.size = sizeof spec,
                         .name = "frame",
                         .instance_bytes = sizeof(frame),
                         .ref_offsets = offs,
                         .n_ref_offsets = 1,
                         .ref_array_count_offset = offsetof(frame, n),
                         .ref_array_offset = offsetof(frame, slots)};
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

/* Tuples, dicts and trailing arrays of user types are followed in pieces too: each live
 * one of n references costs at least twice n / 256 steps; a garbage cycle through each is
 * found. */
static void tuples_dicts_and_arrays_are_followed_in_pieces(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    const rc_type *pair = rt_pair_type(heap);
    const size_t n = 100000;

    rc_object **items = calloc(n, sizeof *items);
    assert_non_null(items);
    rc_object *p1 = rt_pair_new(heap, pair, 1);
    items[n - 1] = p1;
    rc_object *tu = rc_tuple_new(heap, n, items);
    assert_non_null(tu);
    free(items);
    rt_pair_set(heap, p1, 0, tu); /* cycle tu -> p1 -> tu */
    rc_decref(heap, p1);

    rc_object *d = rt_dict(heap);
    rc_object *p2 = rt_pair_new(heap, pair, 2);
    for (size_t i = 0; i < n / 2; i++) {
        char key[32];
        int len = snprintf(key, sizeof key, "k%zu", i);
        rc_object *k = rc_str_new(heap, key, (size_t)len);
        assert_non_null(k);
        assert_int_equal(rc_dict_set(heap, d, k, i + 1 == n / 2 ? p2 : NULL), RC_OK);
        rc_decref(heap, k);
    }
    rt_pair_set(heap, p2, 0, d); /* cycle d -> p2 -> d */
    rc_decref(heap, p2);

    const rc_type *ft = frame_type(heap);
    frame *f = (frame *)(void *)rc_new_var(heap, ft, sizeof(frame) + n * sizeof(rc_object *));
    assert_non_null(f);
    f->n = n;
    rc_object *p3 = rt_pair_new(heap, pair, 3);
    f->slots[n - 1] = p3;              /* takes the reference */
    rt_pair_set(heap, p3, 0, &f->hdr); /* cycle f -> p3 -> f */

    /* all three live: SCAN and MARK each follow their 3n references (the dict's keys
     * too) in pieces */
    size_t steps = step_to_end(heap);
    assert_true(steps >= 2 * (3 * n / PIECE_REFS));
    assert_int_equal(rt_collected_all(heap), 0);

    /* dropped: each cycle is garbage (n strings go with the dict) */
    size_t before = rt_live_objects(heap);
    rc_decref(heap, tu);
    rc_decref(heap, d);
    rc_decref(heap, &f->hdr);
    steps = step_to_end(heap);
    assert_true(steps >= 3 * n / PIECE_REFS);
    assert_int_equal(rt_collected_all(heap), 6);
    assert_int_equal(rt_live_objects(heap), before - 6 - n / 2);
    rt_heap_finish(heap);
}

/* ---- CHUNKS ---------------------------------------------------------------------------- */

/* Objects per automatic partial run with a budget of 1 ns: chunk_objects' minimum (gc.c
 * section 9, CHUNKS), candidates and their neighbourhood together. */
#define CHUNK_OBJECTS 256

/* Automatic collection on, the candidate schedule, threshold[0] = t0, pause budget
 * budget_ns (1: the smallest partial runs), stop-the-world if stw. */
static rc_heap *auto_heap(size_t t0, uint64_t budget_ns, bool stw)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.schedule = RC_GC_SCHEDULE_CANDIDATES;
    cfg.threshold[0] = t0;
    cfg.pause_budget_ns = budget_ns;
    cfg.stop_the_world = stw;
    return rt_heap_new_cfg(&cfg);
}

/* n two-pair garbage cycles made while automatic collection is off: 2n candidates (each
 * pair's count went down to one) wait in generation 1, no run has started. */
static void waiting_cycles(rc_heap *heap, const rc_type *pair, int n)
{
    rc_gc_disable(heap);
    for (int i = 0; i < n; i++)
        rc_decref(heap, rt_pair_cycle(heap, pair, 2));
    rc_gc_enable(heap);
}

/* 2000 candidates wait, far above what a 1 ns budget allows one pause: each automatic
 * partial run takes 256 of them (128 whole cycles: each pair's partner is a candidate
 * too, nothing more joins), one run per allocation, until all 1000 cycles are freed: 8
 * runs, each freeing exactly 256 objects but the last (208). */
static void partial_runs_are_chunked_by_the_budget(void **state)
{
    (void)state;
    rc_heap *heap = auto_heap(500, 1, false);
    const rc_type *pair = rt_pair_type(heap);
    waiting_cycles(heap, pair, 1000);
    size_t counts[3];
    rc_gc_get_count(heap, counts);
    assert_int_equal(counts[0], 2000);
    rc_object *keep[8];
    for (int i = 0; i < 8; i++) {
        keep[i] = rt_pair_new(heap, pair, i); /* one allocation: one partial run */
        assert_int_equal(rt_collections(heap, 1), (uint64_t)i + 1);
        uint64_t want = i < 7 ? (uint64_t)(i + 1) * CHUNK_OBJECTS : 2000;
        assert_int_equal(rt_collected(heap, 1), want);
    }
    rc_object *more = rt_pair_new(heap, pair, 99); /* nothing left: no run */
    assert_int_equal(rt_collections(heap, 1), 8);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_decref(heap, more);
    for (int i = 0; i < 8; i++)
        rc_decref(heap, keep[i]);
    rt_heap_finish(heap);
}

/* The same with rc_heap_config.stop_the_world: one partial run examines all of them. */
static void stop_the_world_partial_runs_are_not_chunked(void **state)
{
    (void)state;
    rc_heap *heap = auto_heap(500, 1, true);
    const rc_type *pair = rt_pair_type(heap);
    waiting_cycles(heap, pair, 1000);
    rc_object *p = rt_pair_new(heap, pair, 0);
    assert_int_equal(rt_collections(heap, 1), 1);
    assert_int_equal(rt_collected(heap, 1), 2000);
    rc_decref(heap, p);
    rt_heap_finish(heap);
}

/* Between chunks the program frees some waiting candidates by counting (their slots
 * freed, their pages kept while the rest waits) and keeps others alive; rc_collect(heap,
 * 1) then takes every candidate still waiting. The outcome is exact. */
static void rest_of_a_chunked_run_changed_between_chunks(void **state)
{
    (void)state;
    rc_heap *heap = auto_heap(50, 1, false);
    const rc_type *pair = rt_pair_type(heap);
    rc_object *held[400];
    rc_gc_disable(heap);
    for (int i = 0; i < 400; i++) {
        held[i] = rt_pair_cycle(heap, pair, 2);
        rc_incref(held[i]);
        rc_decref(heap, held[i]); /* a candidate; alive through held[i] */
    }
    rc_gc_enable(heap);
    rc_object *p = rt_pair_new(heap, pair, 0); /* the first chunk: 256 candidates, alive */
    assert_int_equal(rt_collections(heap, 1), 1);
    assert_int_equal(rt_collected(heap, 1), 0);
    rc_gc_disable(heap);
    for (int i = 0; i < 200; i++) { /* freed by counting */
        rt_pair_set(heap, held[i], 0, NULL);
        rc_decref(heap, held[i]);
    }
    size_t before = rt_live_objects(heap);
    assert_int_equal(rc_collect(heap, 1), 0); /* the rest: all alive */
    assert_int_equal(rt_live_objects(heap), before);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_gc_enable(heap);
    for (int i = 200; i < 400; i++)
        rc_decref(heap, held[i]); /* 200 garbage cycles: their heads are candidates */
    /* a chunk: heads, each followed by its partner (generation 2), 256 objects in all */
    rc_object *q = rt_pair_new(heap, pair, 1);
    assert_int_equal(rt_collected(heap, 1), CHUNK_OBJECTS);
    assert_int_equal(rc_collect(heap, 2), 400 - CHUNK_OBJECTS); /* and the rest */
    assert_int_equal(rt_live_objects(heap), before - 400 + 1);  /* q is new */
    rc_decref(heap, p);
    rc_decref(heap, q);
    rt_heap_finish(heap);
}

/* Candidates that each reach a long chain of examined objects (a nested tuple built
 * level by level: every level is a candidate when the next wraps it): a candidate's
 * neighbourhood takes at most threshold[2] objects of its own and a pool shared with the
 * others, so one run takes many candidates, not one candidate and a chunk of chain (which
 * made a partial run at every allocation). */
static void candidates_reaching_a_long_chain_share_the_chunk(void **state)
{
    (void)state;
    rc_heap *heap = auto_heap(50, 1, false);
    rc_object *leaf = rt_list(heap);
    rc_object *t = rc_tuple_new(heap, 1, &leaf);
    for (int i = 1; i < 20000; i++) {
        rc_object *outer = rc_tuple_new(heap, 1, &t);
        assert_non_null(outer);
        rc_decref(heap, t); /* t: a candidate */
        t = outer;
    }
    /* every level was examined; at most 256 objects per run, and about half of a run's
     * objects are candidates: far fewer runs than levels */
    assert_true(rt_collections(heap, 1) < 20000 / 32);
    assert_int_equal(rt_collected_all(heap), 0);
    rc_decref(heap, t);
    rc_decref(heap, leaf);
    rt_heap_finish(heap);
}

/* A ring of 100 pairs, every one a candidate: the first seed's neighbourhood takes 60 of
 * them (threshold[2] 10 and a pool of 50), and the 61st, refused, is decremented all the
 * same and recorded (gc.c section 9, REFUSED); it is taken later in the same run as a seed
 * of its own, so the ring is one set and one run frees all of it. Without the decrement of
 * the refused reference the ring would look held from outside and survive. */
static void refused_neighbour_joins_later_in_the_run(void **state)
{
    (void)state;
    rc_heap *heap = auto_heap(50, 1, false);
    const rc_type *pair = rt_pair_type(heap);
    rc_gc_disable(heap);
    rc_decref(heap, rt_pair_cycle(heap, pair, 100));
    rc_gc_enable(heap);
    rc_object *p = rt_pair_new(heap, pair, 0); /* one partial run */
    assert_int_equal(rt_collections(heap, 1), 1);
    assert_int_equal(rt_collected(heap, 1), 100);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_decref(heap, p);
    rt_heap_finish(heap);
}

/* A ring of 600 candidates, more than a chunk: each run stops taking seeds at 256
 * members, and the seeds it refused and did not take get their decrements back (REFUSED)
 * before phase 2: every count stays exact across the runs, and a full collection frees
 * the ring. */
static void refused_seeds_left_out_get_their_counts_back(void **state)
{
    (void)state;
    rc_heap *heap = auto_heap(50, 1, false);
    const rc_type *pair = rt_pair_type(heap);
    size_t base = rt_live_objects(heap);
    rc_gc_disable(heap);
    rc_decref(heap, rt_pair_cycle(heap, pair, 600));
    rc_gc_enable(heap);
    rc_object *keep[8];
    for (int i = 0; i < 8; i++) {
        keep[i] = rt_pair_new(heap, pair, i);
        assert_int_equal(rc_heap_check(heap), RC_OK);
    }
    assert_true(rt_collections(heap, 1) >= 2);
    assert_int_equal(rt_collected_all(heap) + (uint64_t)rc_collect(heap, 2), 600);
    assert_int_equal(rt_live_objects(heap), base + 8);
    for (int i = 0; i < 8; i++)
        rc_decref(heap, keep[i]);
    rt_heap_finish(heap);
}

/* A candidate list holding itself and 6000 examined pairs: its neighbourhood refuses more
 * references than a run records (4096), so the run takes no further seed (nothing refused
 * unrecorded may join): the garbage cycle after it in the buffer, which holds the last
 * pair, waits for the next run. The first run frees the list and the 12 pairs its budget
 * took (threshold[2] 10 and a pool of 2; the others die by counting but the last); the
 * second the cycle and that pair. */
static void unrecorded_refusals_end_the_chunk(void **state)
{
    (void)state;
    rc_heap *heap = auto_heap(2, 1, false);
    const rc_type *pair = rt_pair_type(heap);
    size_t base = rt_live_objects(heap);
    rc_gc_disable(heap);
    rc_object *l = rt_list(heap), *last = NULL;
    for (int i = 0; i < 6000; i++) {
        last = rt_pair_new(heap, pair, i);
        rt_append(heap, l, last);
        rc_decref(heap, last); /* holds no tracked object: generation 2 (ACYCLIC-NOW) */
    }
    rt_append(heap, l, l);
    rc_decref(heap, l); /* a candidate */
    rc_object *a = rt_pair_new(heap, pair, 1), *b = rt_pair_new(heap, pair, 2);
    rt_pair_set(heap, a, 0, b);
    rt_pair_set(heap, b, 0, a);
    rt_pair_set(heap, a, 1, last);
    rc_decref(heap, b); /* candidates after the list */
    rc_decref(heap, a);
    rc_gc_enable(heap);
    rc_object *p = rt_pair_new(heap, pair, 0);
    assert_int_equal(rt_collections(heap, 1), 1);
    assert_int_equal(rt_collected(heap, 1), 13);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_object *q = rt_pair_new(heap, pair, 0);
    assert_int_equal(rt_collections(heap, 1), 2);
    assert_int_equal(rt_collected(heap, 1), 16);
    assert_int_equal(rt_live_objects(heap), base + 2);
    assert_int_equal(rc_heap_check(heap), RC_OK);
    rc_decref(heap, p);
    rc_decref(heap, q);
    rt_heap_finish(heap);
}

/* ---- the pause histogram in the debug output ------------------------------------------- */

typedef struct lines {
    char text[64][160];
    int n;
} lines;

static void collect_line(rc_heap *heap, const char *line, void *user)
{
    (void)heap;
    lines *l = user;
    if (l->n < 64)
        snprintf(l->text[l->n++], sizeof l->text[0], "%s", line);
}

/* rc_gc_pause_stats_print: the summary, one line per non-empty bucket (adding up to the
 * pauses), and the counts; RC_GC_DEBUG_PAUSES prints the same after a collection of
 * generation 2 (here, one completed in increments). */
static void pause_histogram_in_the_debug_output(void **state)
{
    (void)state;
    rc_heap *heap = rt_step_heap(NULL);
    lines out = {.n = 0};
    rc_gc_set_debug_output(heap, collect_line, &out);
    rc_gc_pause_stats_print(heap);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.text[0], "gc: pauses: 0");

    const rc_type *pair = rt_pair_type(heap);
    rc_decref(heap, rt_pair_cycle(heap, pair, 3));
    rc_object *l = big_list(heap, 5000, NULL);
    rc_gc_set_debug(heap, RC_GC_DEBUG_PAUSES);
    out.n = 0;
    size_t steps = 1;
    while (rc_collect_step(heap, 0)) {
        steps++;
        assert_int_equal(out.n, 0); /* nothing until the collection ends */
    }
    assert_true(out.n >= 3);
    /* the final step's pause is recorded after the collection: steps - 1 so far */
    char want[128];
    snprintf(want, sizeof want, "gc: pauses: %zu, total ", steps - 1);
    assert_non_null(strstr(out.text[0], want));
    assert_non_null(strstr(out.text[0], " ms, p99 <= "));
    unsigned long long sum = 0;
    for (int i = 1; i + 1 < out.n; i++) {
        unsigned long long k = 0;
        const char *colon = strrchr(out.text[i], ':');
        assert_non_null(colon);
        assert_int_equal(strncmp(out.text[i], "gc: pauses ", 11), 0);
        assert_int_equal(sscanf(colon + 1, "%llu", &k), 1);
        sum += k;
    }
    assert_int_equal(sum, steps - 1);
    /* the counts are those before the final step's own */
    snprintf(want, sizeof want,
             "gc: increments %zu, incremental collections 0, abandoned 0, "
             "suspected 0",
             steps - 1);
    assert_string_equal(out.text[out.n - 1], want);
    rc_gc_set_debug(heap, 0);
    out.n = 0;
    rc_gc_pause_stats_print(heap); /* asked again: the last step is in */
    snprintf(want, sizeof want, "gc: pauses: %zu, total ", steps);
    assert_non_null(strstr(out.text[0], want));
    /* the cycle's pairs are all candidates: none was left to the suspected list */
    snprintf(want, sizeof want,
             "gc: increments %zu, incremental collections 1, abandoned 0, "
             "suspected 0",
             steps - 1);
    assert_string_equal(out.text[out.n - 1], want);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(huge_list_in_a_garbage_cycle_is_scanned_in_pieces),
        cmocka_unit_test(huge_live_list_is_marked_in_pieces),
        cmocka_unit_test(huge_list_cleared_between_pieces),
        cmocka_unit_test(huge_list_freed_between_pieces),
        cmocka_unit_test(tuples_dicts_and_arrays_are_followed_in_pieces),
        cmocka_unit_test(partial_runs_are_chunked_by_the_budget),
        cmocka_unit_test(stop_the_world_partial_runs_are_not_chunked),
        cmocka_unit_test(rest_of_a_chunked_run_changed_between_chunks),
        cmocka_unit_test(candidates_reaching_a_long_chain_share_the_chunk),
        cmocka_unit_test(refused_neighbour_joins_later_in_the_run),
        cmocka_unit_test(refused_seeds_left_out_get_their_counts_back),
        cmocka_unit_test(unrecorded_refusals_end_the_chunk),
        cmocka_unit_test(pause_histogram_in_the_debug_output),
        cmocka_unit_test(final_step_takes_every_candidate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
