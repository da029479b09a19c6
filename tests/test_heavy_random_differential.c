/*
 * test_heavy_random_differential.c -- the differential test of test_random_differential.c
 * with many more and larger graphs (label "heavy", outside `make check`). RCGC_SEED and
 * RCGC_ITERATIONS work as there.
 */
#include "differential.h"
#include "rctest.h"

static void many_small_graphs_match_oracle(void **state)
{
    (void)state;
    rt_diff_params p = {
        .iterations = 50000, .base_seed = 0xbeef0001u, .max_nodes = 24, .n_ops = 120};
    rt_diff_run(&p);
}

static void large_graphs_match_oracle(void **state)
{
    (void)state;
    rt_diff_params p = {
        .iterations = 400, .base_seed = 0xbeef0002u, .max_nodes = 600, .n_ops = 3000};
    rt_diff_run(&p);
}

/* The candidate schedule on large graphs with the shortest pause budget: every automatic
 * partial run is a chunk of 256 objects (src/gc.c section 9, CHUNKS, FUSED, REFUSED). */
static void large_graphs_short_pauses_match_oracle(void **state)
{
    (void)state;
    rt_diff_params p = {.iterations = 300,
                        .base_seed = 0xbeef0003u,
                        .max_nodes = 600,
                        .n_ops = 3000,
                        .candidates = true,
                        .arrays = true,
                        .short_pauses = true};
    rt_diff_run(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(many_small_graphs_match_oracle),
        cmocka_unit_test(large_graphs_match_oracle),
        cmocka_unit_test(large_graphs_short_pauses_match_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
