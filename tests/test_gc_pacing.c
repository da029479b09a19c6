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

static rc_heap *step_heap(void)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.gc_disabled = true;
    cfg.schedule = RC_GC_SCHEDULE_CANDIDATES;
    return rt_heap_new_cfg(&cfg);
}

static uint64_t collected_all(const rc_heap *heap)
{
    return rt_collected(heap, 0) + rt_collected(heap, 1) + rt_collected(heap, 2);
}

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

/* ---- PIECES --------------------------------------------------------------------------- */

/* A garbage cycle through a list of 1M items: SCAN follows the list's references 256 at a
 * time, one piece per step, so the collection takes at least 1M / 256 steps (a step
 * returns with work remaining before the list is finished), and it is exact: the list
 * and the pair are freed, the live pair is not. */
static void huge_list_in_a_garbage_cycle_is_scanned_in_pieces(void **state)
{
    (void)state;
    rc_heap *heap = step_heap();
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
    assert_int_equal(collected_all(heap), 2);
    assert_int_equal(rt_live_objects(heap), before - 2);
    rc_decref(heap, live);
    rt_heap_finish(heap);
}

/* A live list of 1M items is followed in pieces by SCAN and again by MARK (it is live): at
 * least twice 1M / 256 steps, and nothing is freed. */
static void huge_live_list_is_marked_in_pieces(void **state)
{
    (void)state;
    rc_heap *heap = step_heap();
    rc_object *l = big_list(heap, 1000000, NULL);
    size_t steps = step_to_end(heap);
    assert_true(steps >= 2 * (1000000 / PIECE_REFS));
    assert_int_equal(collected_all(heap), 0);
    assert_int_equal(rc_list_len(heap, l), 1000000);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

/* The program empties the list between two pieces (its item buffer is freed): the next
 * piece reads the new length and stops; a garbage cycle is still found. */
static void huge_list_cleared_between_pieces(void **state)
{
    (void)state;
    rc_heap *heap = step_heap();
    const rc_type *pair = rt_pair_type(heap);
    rc_object *l = big_list(heap, 200000, NULL);
    rc_decref(heap, rt_pair_cycle(heap, pair, 3));
    for (int i = 0; i < 50; i++)
        assert_true(rc_collect_step(heap, 0));
    assert_int_equal(rc_list_clear(heap, l), RC_OK);
    size_t steps = step_to_end(heap);
    assert_true(steps < 200000 / PIECE_REFS); /* the rest of the list was not followed */
    assert_int_equal(collected_all(heap), 3);
    assert_int_equal(rc_list_len(heap, l), 0);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

/* The list is freed between two pieces and its slot reused by an object of another type:
 * the run drops the piece and goes on; the collection is exact. */
static void huge_list_freed_between_pieces(void **state)
{
    (void)state;
    rc_heap *heap = step_heap();
    const rc_type *pair = rt_pair_type(heap);
    rc_object *l = big_list(heap, 200000, NULL);
    rc_decref(heap, rt_pair_cycle(heap, pair, 2));
    for (int i = 0; i < 50; i++)
        assert_true(rc_collect_step(heap, 0));
    rc_decref(heap, l);
    rc_object *d = rt_dict(heap); /* may take the list's slot */
    step_to_end(heap);
    assert_int_equal(collected_all(heap), 2);
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
    rc_heap *heap = step_heap();
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
    f->slots[n - 1] = p3; /* takes the reference */
    rt_pair_set(heap, p3, 0, &f->hdr); /* cycle f -> p3 -> f */

    /* all three live: SCAN and MARK each follow their 3n references (the dict's keys
     * too) in pieces */
    size_t steps = step_to_end(heap);
    assert_true(steps >= 2 * (3 * n / PIECE_REFS));
    assert_int_equal(collected_all(heap), 0);

    /* dropped: each cycle is garbage (n strings go with the dict) */
    size_t before = rt_live_objects(heap);
    rc_decref(heap, tu);
    rc_decref(heap, d);
    rc_decref(heap, &f->hdr);
    steps = step_to_end(heap);
    assert_true(steps >= 3 * n / PIECE_REFS);
    assert_int_equal(collected_all(heap), 6);
    assert_int_equal(rt_live_objects(heap), before - 6 - n / 2);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
