/*
 * ring.c -- workload 9: garbage latency. How much cyclic garbage waits to be found while a
 * program keeps a large live structure and drops cycles, some old, some young.
 *
 * usage: rcgc-bench-ring LIVE ITERATIONS [candidates|generational] [inc|stw]
 * Builds LIVE "node" containers in one chain (kept alive), then runs ITERATIONS steps with
 * automatic collection on. Each step makes a cycle of 2 to 8 nodes (pseudo-random) and
 * stores it in the next slot of a 20,000-slot ring; the cycle it replaces, old by now, is
 * dropped (rc_decref). Each step also makes a 3-node cycle and drops it at once. Cycles are
 * closed with rc_newref and the builder's reference dropped with rc_decref, as a program
 * that keeps a pointer to the first node does. The optional arguments pick the heap's
 * schedule and whether automatic collection runs in increments (inc) or stop-the-world
 * (stw, rc_heap_config.stop_the_world); without them the library's defaults.
 *
 * Method: waiting garbage = the heap's live objects minus what the program holds (the
 * chain and the cycles in the ring's slots), sampled after every step; the peak is
 * reported as max_waiting and the mean as mean_waiting. A collection callback
 * (rc_gc_callback_add, Python's gc.callbacks) adds up what collections report freed
 * (collected) and records each collection's duration (pause_ms lines, and pause_genG_ms by
 * generation collected; n_pauses counts them). Reports max_waiting, mean_waiting,
 * steps_per_s, pause_ms lines, n_pauses, peak_uss_mb, collected, and the library's pause
 * statistics over the steps (bench_report_pauses in common.h: every allocation that did
 * collection work, including increments that complete no collection), wall_s.
 */
#include "common.h"

#define RING_SLOTS 20000u

typedef struct ring_log {
    uint64_t collected;
    double *ms;
    size_t n, cap;
} ring_log;

static void on_collection(rc_heap *heap, const rc_gc_info *info, void *user)
{
    (void)heap;
    ring_log *log = user;
    if (info->phase != RC_GC_PHASE_STOP)
        return;
    log->collected += info->collected;
    printf("pause_gen%d_ms %.6f\n", info->generation, (double)info->duration_ns * 1e-6);
    if (log->n < log->cap)
        log->ms[log->n++] = (double)info->duration_ns * 1e-6;
}

/* A cycle of k nodes; returns its first node, which the caller owns (one reference). */
static rc_object *make_cycle(rc_heap *heap, const rc_type *node, unsigned k)
{
    bench_node *first = bench_node_new(heap, node);
    bench_node *prev = first;
    for (unsigned j = 1; j < k; j++) {
        bench_node *n = bench_node_new(heap, node);
        prev->next = &n->hdr; /* each node owns the next */
        prev = n;
    }
    prev->next = rc_newref(&first->hdr);
    return &first->hdr;
}

int main(int argc, char **argv)
{
    const char *usage = "rcgc-bench-ring LIVE ITERATIONS [candidates|generational] [inc|stw]";
    if (argc < 3 || argc > 5)
        bench_usage(usage);
    size_t live = bench_arg_count(argv[1], usage);
    size_t steps = bench_arg_count(argv[2], usage);
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    for (int a = 3; a < argc; a++) {
        if (strcmp(argv[a], "generational") == 0)
            cfg.schedule = RC_GC_SCHEDULE_GENERATIONAL;
        else if (strcmp(argv[a], "candidates") == 0)
            cfg.schedule = RC_GC_SCHEDULE_CANDIDATES;
        else if (!bench_parse_mode(argv[a], &cfg.stop_the_world))
            bench_usage(usage);
    }
    rc_heap *heap = rc_heap_new(&cfg);
    if (heap == NULL)
        bench_die(NULL, "rc_heap_new");
    rc_type *node = bench_node_type(heap);

    rc_object *head = NULL;
    for (size_t i = 0; i < live; i++) {
        bench_node *x = bench_node_new(heap, node);
        x->next = head; /* the new node takes over the reference to the old head */
        head = &x->hdr;
    }
    rc_object **ring = calloc(RING_SLOTS, sizeof *ring);
    ring_log log = {0, malloc((1u << 20) * sizeof(double)), 0, 1u << 20};
    if (ring == NULL || log.ms == NULL)
        bench_die(NULL, "malloc");
    unsigned *ring_k = calloc(RING_SLOTS, sizeof *ring_k);
    if (ring_k == NULL)
        bench_die(NULL, "malloc");
    if (rc_gc_callback_add(heap, on_collection, &log) != RC_OK)
        bench_die(heap, "rc_gc_callback_add");

    uint64_t dropped = 0, rng = 0x9e3779b97f4a7c15u;
    size_t base = bench_live_objects(heap), in_ring = 0; /* the chain; the slots' nodes */
    rc_gc_pause_stats before = bench_pause_stats(heap);
    size_t max_waiting = 0, peak_uss = bench_uss_bytes(heap);
    double sum_waiting = 0;
    double t0 = bench_now_s();
    for (size_t i = 0; i < steps; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        unsigned k = 2u + (unsigned)(rng % 7u);
        size_t s = i % RING_SLOTS;
        rc_object *old = ring[s];
        ring[s] = make_cycle(heap, node, k);
        if (old != NULL) {
            rc_decref(heap, old);
            dropped += ring_k[s];
            in_ring -= ring_k[s];
        }
        ring_k[s] = k;
        in_ring += k;
        rc_decref(heap, make_cycle(heap, node, 3));
        dropped += 3;
        size_t waiting = bench_live_objects(heap) - base - in_ring;
        if (waiting > max_waiting)
            max_waiting = waiting;
        sum_waiting += (double)waiting;
        if (i % 65536u == 0) {
            bench_peak_uss(heap, &peak_uss);
        }
    }
    double t1 = bench_now_s();
    bench_peak_uss(heap, &peak_uss);
    rc_gc_callback_remove(heap, on_collection, &log);

    for (size_t i = 0; i < log.n; i++)
        bench_report("pause_ms", log.ms[i]);
    bench_report("n_pauses", (double)log.n);
    bench_report("max_waiting", (double)max_waiting);
    bench_report("mean_waiting", sum_waiting / (double)steps);
    bench_report("steps_per_s", (double)steps / (t1 - t0));
    bench_report("collected", (double)log.collected);
    bench_report("peak_uss_mb", bench_mib(peak_uss));
    bench_report("dropped", (double)dropped);
    bench_report_pauses(heap, &before);
    bench_report("wall_s", t1 - t0);
    for (size_t s = 0; s < RING_SLOTS; s++)
        rc_decref(heap, ring[s]);
    rc_decref(heap, head);
    free(ring);
    free(ring_k);
    free(log.ms);
    rc_heap_free(heap);
    return 0;
}
