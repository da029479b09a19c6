/*
 * incpauses.c -- bounded pauses (issue 12, src/gc.c section 9): workloads (a) and (b).
 *
 * usage: rcgc-bench-incpauses a|b LIVE ROUNDS inc|stw [STRUCT]
 *   a  LIVE nodes in one ring whose root is held twice; each round drops one reference to
 *      the root (a decrement to a non-zero count: a candidate reaching the whole ring) and
 *      takes it again, then makes 1000 short-lived two-node cycles.
 *   b  LIVE nodes in one ring, plus cyclic structures of STRUCT nodes (default 100000;
 *      a ring with chords); each round (the "second", a fixed amount of work) builds a
 *      new structure, makes 100 x 1000 short-lived two-node cycles, and drops the
 *      structure built the round before (old by then: examined by the collector and
 *      promoted).
 *   inc  automatic collection in increments (the default configuration)
 *   stw  rc_heap_config.stop_the_world: automatic full collections in one pause
 * Everything is made and collected twice (rc_collect(heap, 2)) before the rounds, so the
 * live data is old. Only automatic pauses are measured, by the library
 * (rc_gc_get_pause_stats: every allocation that did collection work, timed around it).
 *
 * Reports: n_pauses, max_pause_ms, p99_pause_ms and p50_pause_ms (upper bounds of the
 * histogram buckets holding them: four buckets per doubling), collector_ms (summed
 * pauses), increments, incremental (collections completed in increments), max_waiting
 * (the most objects alive but no longer reachable, sampled every 1000 cycles made:
 * live_objects minus what the workload holds), peak_uss_mb, wall_s.
 */
#include "common.h"

static rc_type *node_t;

static bench_node *node_new(rc_heap *heap)
{
    rc_object *o = rc_new(heap, node_t);
    if (o == NULL)
        bench_die(heap, "rc_new");
    return (bench_node *)o;
}

/* A ring of n nodes; returns the first (one reference, the caller's; the ring holds it
 * too). With chords, node i's other field points to node i / 2 (a second cycle through
 * most nodes). */
static bench_node *ring(rc_heap *heap, size_t n, bool chords)
{
    bench_node **all = chords ? malloc(n * sizeof *all) : NULL;
    if (chords && all == NULL)
        bench_die(NULL, "malloc");
    bench_node *first = node_new(heap);
    bench_node *prev = first;
    if (all)
        all[0] = first;
    for (size_t i = 1; i < n; i++) {
        bench_node *x = node_new(heap);
        prev->next = &x->hdr; /* the ring owns x through prev */
        prev = x;
        if (all) {
            all[i] = x;
            x->other = rc_newref(&all[i / 2]->hdr);
        }
    }
    prev->next = rc_newref(&first->hdr);
    free(all);
    return first;
}

static void churn(rc_heap *heap, int k)
{
    for (int i = 0; i < k; i++) {
        bench_node *a = node_new(heap);
        bench_node *b = node_new(heap);
        a->next = rc_newref(&b->hdr);
        b->next = rc_newref(&a->hdr);
        rc_decref(heap, &a->hdr);
        rc_decref(heap, &b->hdr);
    }
}

int main(int argc, char **argv)
{
    const char *usage = "rcgc-bench-incpauses a|b LIVE ROUNDS inc|stw [STRUCT]";
    if (argc != 5 && argc != 6)
        bench_usage(usage);
    char w = argv[1][0];
    if ((w != 'a' && w != 'b') || argv[1][1] != '\0')
        bench_usage(usage);
    size_t live = bench_arg_count(argv[2], usage);
    size_t rounds = bench_arg_count(argv[3], usage);
    bool stw = false;
    if (!bench_parse_mode(argv[4], &stw))
        bench_usage(usage);
    size_t st = argc == 6 ? bench_arg_count(argv[5], usage) : 100000;

    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stop_the_world = stw;
    rc_heap *heap = rc_heap_new(&cfg);
    if (heap == NULL)
        bench_die(NULL, "rc_heap_new");
    node_t = bench_node_type(heap);

    double t0 = bench_now_s();
    bench_node *root = ring(heap, live, false);
    rc_object *second = rc_newref(&root->hdr); /* workload a: the root's second holder */
    bench_node *old = w == 'b' ? ring(heap, st, true) : NULL;
    rc_collect(heap, 2);
    rc_collect(heap, 2);
    size_t base = bench_live_objects(heap); /* what the workload holds from here on */
    rc_gc_pause_stats zero = bench_pause_stats(heap);

    size_t peak_uss = bench_uss_bytes(heap), max_waiting = 0;
    double start = bench_now_s();
    for (size_t r = 0; r < rounds; r++) {
        if (w == 'a') {
            rc_decref(heap, second); /* the root's count goes to 1: a candidate */
            second = rc_newref(&root->hdr);
            churn(heap, 1000);
            size_t now = bench_live_objects(heap);
            if (now - base > max_waiting)
                max_waiting = now - base;
        } else {
            bench_node *fresh = ring(heap, st, true);
            size_t held = base + st; /* the live ring, old and fresh */
            for (int k = 0; k < 100; k++) {
                churn(heap, 1000);
                size_t now = bench_live_objects(heap);
                if (now - held > max_waiting)
                    max_waiting = now - held;
            }
            rc_decref(heap, &old->hdr); /* st old objects become cyclic garbage */
            old = fresh;
        }
        if (r % 16 == 0) {
            bench_peak_uss(heap, &peak_uss);
        }
    }
    double wall = bench_now_s() - start;
    bench_peak_uss(heap, &peak_uss);

    rc_gc_pause_stats p = bench_pause_stats(heap);
    /* the rounds' pauses only: the setup's explicit collections are not counted anyway */
    p.pauses -= zero.pauses;
    p.total_ns -= zero.total_ns;
    for (unsigned b = 0; b < RC_GC_PAUSE_BUCKETS; b++)
        p.histogram[b] -= zero.histogram[b];
    printf("n_pauses %llu\n", (unsigned long long)p.pauses);
    printf("max_pause_ms %.4f\n", (double)p.max_ns * 1e-6);
    printf("p99_pause_ms %.4f\n", bench_pause_quantile_ms(&p, 0.99));
    printf("p50_pause_ms %.4f\n", bench_pause_quantile_ms(&p, 0.50));
    printf("collector_ms %.1f\n", (double)p.total_ns * 1e-6);
    printf("increments %llu\n", (unsigned long long)(p.increments - zero.increments));
    printf("incremental %llu\n", (unsigned long long)(p.incremental - zero.incremental));
    printf("max_waiting %zu\n", max_waiting);
    printf("peak_uss_mb %.1f\n", bench_mib(peak_uss));
    printf("wall_s %.3f\n", wall);
    fprintf(stderr, "setup %.2f s\n", start - t0);
    for (int g = 0; g < 3; g++) {
        rc_gc_stats gs;
        memset(&gs, 0, sizeof gs);
        gs.size = sizeof gs;
        rc_gc_get_stats(heap, g, &gs);
        fprintf(stderr, "generation %d: %llu collections, %llu collected\n", g,
                (unsigned long long)gs.collections, (unsigned long long)gs.collected);
    }
    for (unsigned b = 0; b < RC_GC_PAUSE_BUCKETS; b++)
        if (p.histogram[b])
            printf("hist_us_ge %.2f %llu\n", (double)rc_gc_pause_bucket_ns(b) * 1e-3,
                   (unsigned long long)p.histogram[b]);
    if (old != NULL)
        rc_decref(heap, &old->hdr);
    rc_decref(heap, second);
    rc_decref(heap, &root->hdr);
    rc_heap_free(heap);
    return 0;
}
