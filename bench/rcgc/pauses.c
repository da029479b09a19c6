/*
 * pauses.c -- workload 4: collection pauses with a large old generation.
 *
 * usage: rcgc-bench-pauses LIVE SECONDS
 * Builds LIVE "node" containers in one ring (kept alive), collects twice so they all sit
 * in the oldest generation, then for SECONDS keeps making small short-lived cycles (two
 * nodes pointing at each other, dropped at once) with automatic collection on.
 *
 * Method: rcgc has no collection callbacks yet, so every allocation call of the loop is
 * timed, and rc_gc_get_stats tells whether that call ran a collection (and of which
 * generation). The duration of such a call is reported as the pause: it includes the one
 * allocation (tens of nanoseconds) besides the collection.
 * Reports pause_ms lines (one per collection), pause_genG_ms lines (the same, by the oldest
 * generation collected), n_pauses, peak_uss_mb, loop_iterations.
 */
#include "common.h"

static uint64_t collections_total(rc_heap *heap, uint64_t per_gen[3])
{
    uint64_t total = 0;
    for (int g = 0; g < 3; g++) {
        rc_gc_stats st;
        memset(&st, 0, sizeof st);
        st.size = sizeof st;
        if (rc_gc_get_stats(heap, g, &st) != RC_OK)
            bench_die(heap, "rc_gc_get_stats");
        per_gen[g] = st.collections;
        total += st.collections;
    }
    return total;
}

/* One timed allocation; records a pause if it ran a collection. */
static bench_node *timed_new(rc_heap *heap, const rc_type *node, uint64_t *seen,
                             uint64_t gen_count[3], double *pauses, size_t *n_pauses,
                             size_t cap)
{
    uint64_t t0 = bench_now_ns();
    bench_node *n = bench_node_new(heap, node);
    uint64_t t1 = bench_now_ns();
    uint64_t per_gen[3];
    uint64_t now = collections_total(heap, per_gen);
    if (now != *seen) {
        for (int g = 2; g >= 0; g--) {
            if (per_gen[g] != gen_count[g]) {
                gen_count[g] = per_gen[g];
                printf("pause_gen%d_ms %.6f\n", g, (double)(t1 - t0) * 1e-6);
                break;
            }
        }
        for (int g = 0; g < 3; g++)
            gen_count[g] = per_gen[g];
        if (*n_pauses < cap)
            pauses[(*n_pauses)++] = (double)(t1 - t0) * 1e-6;
        *seen = now;
    }
    return n;
}

int main(int argc, char **argv)
{
    const char *usage = "rcgc-bench-pauses LIVE SECONDS";
    if (argc != 3)
        bench_usage(usage);
    size_t live = bench_arg_count(argv[1], usage);
    double seconds = (double)bench_arg_count(argv[2], usage);

    rc_heap *heap = bench_heap_new();
    rc_type *node = bench_node_type(heap);
    bench_node *first = bench_node_new(heap, node);
    bench_node *prev = first;
    for (size_t i = 1; i < live; i++) {
        bench_node *n = bench_node_new(heap, node);
        prev->next = &n->hdr; /* the ring owns each node through its predecessor */
        prev = n;
    }
    prev->next = rc_newref(&first->hdr);
    rc_collect(heap, 2);
    rc_collect(heap, 2);
    size_t sizes[3];
    rc_gc_get_generation_sizes(heap, sizes);
    fprintf(stderr, "generation sizes after setup: %zu %zu %zu\n", sizes[0], sizes[1], sizes[2]);

    size_t cap = 1u << 20, n_pauses = 0;
    double *pauses = malloc(cap * sizeof *pauses);
    if (pauses == NULL)
        bench_die(NULL, "malloc");
    uint64_t gen_count[3];
    uint64_t seen = collections_total(heap, gen_count);
    size_t peak_uss = bench_uss_bytes(heap);
    double end = bench_now_s() + seconds;
    size_t iterations = 0;
    while (bench_now_s() < end) {
        for (int k = 0; k < 1000; k++) {
            bench_node *a = timed_new(heap, node, &seen, gen_count, pauses, &n_pauses, cap);
            bench_node *b = timed_new(heap, node, &seen, gen_count, pauses, &n_pauses, cap);
            a->next = rc_newref(&b->hdr);
            b->next = rc_newref(&a->hdr);
            rc_decref(heap, &a->hdr);
            rc_decref(heap, &b->hdr);
        }
        iterations += 1000;
        if (iterations % (1u << 16) < 1000) {
            size_t u = bench_uss_bytes(heap);
            if (u > peak_uss)
                peak_uss = u;
        }
    }
    size_t u = bench_uss_bytes(heap);
    if (u > peak_uss)
        peak_uss = u;

    for (size_t i = 0; i < n_pauses; i++)
        bench_report("pause_ms", pauses[i]);
    bench_report("n_pauses", (double)n_pauses);
    bench_report("loop_iterations", (double)iterations);
    bench_report("peak_uss_mb", bench_mib(peak_uss));
    free(pauses);
    rc_decref(heap, &first->hdr);
    rc_heap_free(heap);
    return 0;
}
