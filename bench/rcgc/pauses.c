/*
 * pauses.c -- workload 4: collection pauses with a large old generation.
 *
 * usage: rcgc-bench-pauses LIVE SECONDS [inc|stw]
 * Builds LIVE "node" containers in one ring (kept alive), collects twice so they all sit
 * in the oldest generation, then for SECONDS keeps making small short-lived cycles (two
 * nodes pointing at each other, dropped at once) with automatic collection on. The last
 * argument picks automatic collection in increments (inc, the default configuration) or
 * rc_heap_config.stop_the_world (stw); without it the heap has the library's defaults.
 *
 * Method: a collection callback (rc_gc_callback_add, Python's gc.callbacks) receives each
 * collection's duration (rc_gc_info.duration_ns, CLOCK_MONOTONIC around the collection
 * itself) and generation at its STOP phase, as CPython's peer does with gc.callbacks.
 * Reports pause_ms lines (one per collection), pause_genG_ms lines (the same, by the
 * generation collected), n_pauses, peak_uss_mb, loop_iterations.
 * Also the library's own pause statistics over the loop (rc_gc_get_pause_stats: every
 * allocation that did collection work, timed around that work, whether it completed a
 * collection or only advanced one; see bench_report_pauses in common.h: auto_pauses,
 * max_pause_ms, p99_pause_ms, p50_pause_ms, collector_ms, ...), max_waiting (live objects
 * minus the ring, sampled every 1000 cycles made: cyclic garbage not yet found) and
 * wall_s (the loop).
 */
#include "common.h"

typedef struct pause_log {
    double *ms;
    size_t n, cap;
} pause_log;

static void on_collection(rc_heap *heap, const rc_gc_info *info, void *user)
{
    (void)heap;
    pause_log *log = user;
    if (info->phase != RC_GC_PHASE_STOP)
        return;
    double ms = (double)info->duration_ns * 1e-6;
    printf("pause_gen%d_ms %.6f\n", info->generation, ms);
    if (log->n < log->cap)
        log->ms[log->n++] = ms;
}

int main(int argc, char **argv)
{
    const char *usage = "rcgc-bench-pauses LIVE SECONDS [inc|stw]";
    if (argc != 3 && argc != 4)
        bench_usage(usage);
    size_t live = bench_arg_count(argv[1], usage);
    double seconds = (double)bench_arg_count(argv[2], usage);
    bool stw = false;
    if (argc == 4 && !bench_parse_mode(argv[3], &stw))
        bench_usage(usage);

    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stop_the_world = stw;
    rc_heap *heap = rc_heap_new(&cfg);
    if (heap == NULL)
        bench_die(NULL, "rc_heap_new");
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

    pause_log log = {malloc((1u << 20) * sizeof(double)), 0, 1u << 20};
    if (log.ms == NULL)
        bench_die(NULL, "malloc");
    if (rc_gc_callback_add(heap, on_collection, &log) != RC_OK)
        bench_die(heap, "rc_gc_callback_add");
    size_t base = bench_live_objects(heap), max_waiting = 0;
    rc_gc_pause_stats before = bench_pause_stats(heap);
    size_t peak_uss = bench_uss_bytes(heap);
    double start = bench_now_s(), end = start + seconds;
    size_t iterations = 0;
    while (bench_now_s() < end) {
        for (int k = 0; k < 1000; k++) {
            bench_node *a = bench_node_new(heap, node);
            bench_node *b = bench_node_new(heap, node);
            a->next = rc_newref(&b->hdr);
            b->next = rc_newref(&a->hdr);
            rc_decref(heap, &a->hdr);
            rc_decref(heap, &b->hdr);
        }
        iterations += 1000;
        size_t waiting = bench_live_objects(heap) - base;
        if (waiting > max_waiting)
            max_waiting = waiting;
        if (iterations % (1u << 16) < 1000) {
            bench_peak_uss(heap, &peak_uss);
        }
    }
    double wall = bench_now_s() - start;
    bench_peak_uss(heap, &peak_uss);

    rc_gc_callback_remove(heap, on_collection, &log);
    for (size_t i = 0; i < log.n; i++)
        bench_report("pause_ms", log.ms[i]);
    bench_report("n_pauses", (double)log.n);
    bench_report("loop_iterations", (double)iterations);
    bench_report("peak_uss_mb", bench_mib(peak_uss));
    bench_report_pauses(heap, &before);
    bench_report("max_waiting", (double)max_waiting);
    bench_report("wall_s", wall);
    free(log.ms);
    rc_decref(heap, &first->hdr);
    rc_heap_free(heap);
    return 0;
}
