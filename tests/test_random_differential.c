/*
 * test_random_differential.c -- random graph workloads compared with the oracle after
 * every operation (tests/support/differential.h says what is compared). A failure prints
 * the graph's seed: rerun with RCGC_SEED=<seed> to replay it alone, RCGC_ITERATIONS=<n>
 * to run more or fewer graphs.
 */
#include "differential.h"
#include "rctest.h"

/* Small graphs (at most 24 nodes, 80 operations) so that thousands run in seconds: most
 * bugs in cycle detection show on a handful of nodes. */
static void random_small_graphs_match_oracle(void **state)
{
    (void)state;
    rt_diff_params p = {.iterations = 2000, .base_seed = 0x5eed0001u, .max_nodes = 24, .n_ops = 80};
    rt_diff_run(&p);
}

/* Fewer, larger graphs: deeper chains, wider fan-in, several generations in play. */
static void random_medium_graphs_match_oracle(void **state)
{
    (void)state;
    rt_diff_params p = {.iterations = 60, .base_seed = 0x5eed0002u, .max_nodes = 150, .n_ops = 600};
    rt_diff_run(&p);
}

/* The same graphs under the candidate schedule (the default), automatic partial runs
 * interleaved: they may free only unreachable nodes, reference counts stay exact, and
 * after each explicit full collection the live nodes are exactly the reachable ones. */
static void random_small_graphs_candidate_schedule(void **state)
{
    (void)state;
    rt_diff_params p = {.iterations = 2000,
                        .base_seed = 0x5eed0011u,
                        .max_nodes = 24,
                        .n_ops = 80,
                        .candidates = true};
    rt_diff_run(&p);
}

static void random_medium_graphs_candidate_schedule(void **state)
{
    (void)state;
    rt_diff_params p = {.iterations = 60,
                        .base_seed = 0x5eed0012u,
                        .max_nodes = 150,
                        .n_ops = 600,
                        .candidates = true};
    rt_diff_run(&p);
}

/* The candidate schedule is complete: with budgets that cannot run out, rc_collect(1)
 * (the candidates, their neighbourhood and generation 0) frees every unreachable node, so
 * no garbage cycle lacks a candidate, the filter of acyclic candidates included (src/gc.c,
 * section 5a, ACYCLIC-NOW). */
static void random_small_graphs_candidates_complete(void **state)
{
    (void)state;
    rt_diff_params p = {.iterations = 2000,
                        .base_seed = 0x5eed0021u,
                        .max_nodes = 24,
                        .n_ops = 80,
                        .candidates = true,
                        .complete = true};
    rt_diff_run(&p);
}

static void random_medium_graphs_candidates_complete(void **state)
{
    (void)state;
    rt_diff_params p = {.iterations = 60,
                        .base_seed = 0x5eed0022u,
                        .max_nodes = 150,
                        .n_ops = 600,
                        .candidates = true,
                        .complete = true};
    rt_diff_run(&p);
}

/* Bags described by an offset and a trailing array (src/gc.c, DESCRIBED: read inline, and
 * without the prefetch ring in partial runs, DIRECT), mixed with offset-only pairs and
 * traverse-based lists, tuples and dicts in the same collections. */
static void random_small_graphs_described_types(void **state)
{
    (void)state;
    rt_diff_params p = {.iterations = 2000,
                        .base_seed = 0x5eed0031u,
                        .max_nodes = 24,
                        .n_ops = 80,
                        .candidates = true,
                        .arrays = true};
    rt_diff_run(&p);
}

static void random_medium_graphs_described_types_complete(void **state)
{
    (void)state;
    rt_diff_params p = {.iterations = 60,
                        .base_seed = 0x5eed0032u,
                        .max_nodes = 150,
                        .n_ops = 600,
                        .candidates = true,
                        .complete = true,
                        .arrays = true};
    rt_diff_run(&p);
}

/* Graphs larger than the smallest chunk, with the shortest pause budget: automatic partial
 * runs take the candidates a chunk at a time, set the others aside and take them back, and
 * their neighbourhood walks subtract the set's internal references as they go, recording
 * what their budget refused (src/gc.c section 9, CHUNKS, FUSED and REFUSED). */
static void random_large_graphs_short_pauses(void **state)
{
    (void)state;
    rt_diff_params p = {.iterations = 16,
                        .base_seed = 0x5eed0041u,
                        .max_nodes = 600,
                        .n_ops = 3000,
                        .candidates = true,
                        .arrays = true,
                        .short_pauses = true};
    rt_diff_run(&p);
}

static void random_small_graphs_described_types_generational(void **state)
{
    (void)state;
    rt_diff_params p = {
        .iterations = 2000, .base_seed = 0x5eed0033u, .max_nodes = 24, .n_ops = 80, .arrays = true};
    rt_diff_run(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_small_graphs_match_oracle),
        cmocka_unit_test(random_medium_graphs_match_oracle),
        cmocka_unit_test(random_small_graphs_candidate_schedule),
        cmocka_unit_test(random_medium_graphs_candidate_schedule),
        cmocka_unit_test(random_small_graphs_candidates_complete),
        cmocka_unit_test(random_medium_graphs_candidates_complete),
        cmocka_unit_test(random_small_graphs_described_types),
        cmocka_unit_test(random_medium_graphs_described_types_complete),
        cmocka_unit_test(random_large_graphs_short_pauses),
        cmocka_unit_test(random_small_graphs_described_types_generational),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
