/*
 * incpauses.c -- Boehm GC's side of the bounded-pause workloads (issue 12,
 * bench/incpauses/run.py): Boehm-Demers-Weiser in incremental mode.
 *
 * usage: peer-boehm-incpauses WORKLOAD ARGS... inc|full [untimed]
 *   a LIVE ROUNDS         LIVE nodes in one ring; each round drops and retakes a second
 *                         pointer to the root (nothing for a tracing collector) and makes
 *                         1000 short-lived two-node cycles (bench/rcgc/incpauses.c).
 *   b LIVE ROUNDS         LIVE nodes in one ring; each round builds a cyclic structure of
 *                         100,000 nodes (a ring with chords to node i / 2), makes 100 x 1000
 *                         short-lived two-node cycles and drops the structure of the round
 *                         before (bench/rcgc/incpauses.c).
 *   pauses LIVE SECONDS   workload 4: LIVE nodes in one ring, short-lived two-node cycles
 *                         for SECONDS (bench/rcgc/pauses.c).
 *   ring LIVE STEPS       workload 9: a chain of LIVE nodes; each step a 2-8-node cycle
 *                         replaces the oldest in a 20,000-slot ring and a 3-node cycle is
 *                         dropped at once (bench/rcgc/ring.c).
 *   inc   GC_enable_incremental (Boehm's incremental, generational mode, with its default
 *         time limit; inc:MS sets GC_set_time_limit(MS) as well); full: the default
 *         stop-the-world collector.
 *   untimed  no per-allocation clock (for throughput: wall_s, steps_per_s); no pause
 *         figures.
 * The live data is built, then GC_gcollect() runs twice, as the rcgc programs of a, b and
 * pauses do (rcgc's ring does not collect first); only the rounds are measured. Settings as bench/peers/boehm/bench.c: interior pointers off,
 * no parallel marker, the library's default heap growth.
 *
 * What a pause is here. The program has one thread, so whenever the collector works the
 * program waits: Boehm's incremental marking runs inside allocation calls
 * (GC_collect_a_little_inner from the allocator's slow path), and so do lazy sweeping and
 * the final marking with the world stopped (GC_stopped_mark). Collection events
 * (GC_set_on_collection_event) bracket only some of that: GC_EVENT_START/END a complete
 * collection that GC_maybe_gc or GC_gcollect runs, GC_EVENT_PRE_STOP_WORLD ..
 * POST_START_WORLD the stopped mark, MARK_START/END and RECLAIM_START/END its parts; the
 * marking increments between them emit no event. So every allocation is timed (rdtsc,
 * about 25 ns a call on the machine of docs/BENCHMARKS-pauses.md, calibrated against
 * CLOCK_MONOTONIC), and a pause is an allocation call that lasted PAUSE_MIN_NS or more (a
 * fast-path allocation takes well under a microsecond; a call that marked, swept a block
 * or grew the heap takes longer). The event intervals are reported beside it: max_event_ms
 * (the longest interval between a START, PRE_STOP_WORLD or MARK_START event and its
 * matching end) and n_collections (GC_get_gc_no over the rounds).
 *
 * Reports: auto_pauses, max_pause_ms, p99_pause_ms, p50_pause_ms (exact quantiles of the
 * pauses), collector_ms (their sum), max_event_ms, max_stopped_ms (PRE_STOP_WORLD ..
 * POST_START_WORLD), n_collections, peak_uss_mb (sampled as the rcgc programs do),
 * heap_mb (GC_get_heap_size at the end), wall_s (the rounds), steps_per_s (ring),
 * loop_iterations (pauses), incremental (GC_is_incremental_mode), protection
 * (GC_incremental_protection_needs). Waiting garbage is not reported: Boehm has no count
 * of unreachable objects that it has not found (free and heap byte counts mix them with
 * free-list space).
 */
#include "../peer_common.h"

#include <gc.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TICKS() __rdtsc()
#else
#define TICKS() peer_now_ns()
#endif

#define PAUSE_MIN_NS 10000.0

typedef struct node {
    struct node *next, *other;
} node;

typedef struct pauses_log {
    int timed;
    uint64_t min_ticks; /* PAUSE_MIN_NS in ticks */
    uint64_t *ticks;
    size_t n, cap;
    uint64_t dropped; /* pauses beyond cap: counted, not kept */
    uint64_t ev_start[3], ev_max[3];
} pauses_log;

/* The collection event callback takes no user pointer: the log it writes is this
 * program's one global. */
static pauses_log L;

static inline uint64_t peer_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void oom(void)
{
    fprintf(stderr, "peer-boehm-incpauses: out of memory\n");
    exit(1);
}

static node *new_node(void)
{
    if (!L.timed) {
        node *x = GC_MALLOC(sizeof(node));
        if (x == NULL)
            oom();
        return x;
    }
    uint64_t t0 = TICKS();
    node *x = GC_MALLOC(sizeof(node));
    uint64_t dt = TICKS() - t0;
    if (x == NULL)
        oom();
    if (dt >= L.min_ticks) {
        if (L.n < L.cap)
            L.ticks[L.n++] = dt;
        else
            L.dropped++;
    }
    return x;
}

/* Event pairs: 0 a whole collection, 1 the world stopped, 2 marking. */
static void GC_CALLBACK on_event(GC_EventType e)
{
    int k = -1, end = 0;
    switch (e) {
    case GC_EVENT_START:
        k = 0;
        break;
    case GC_EVENT_END:
        k = 0, end = 1;
        break;
    case GC_EVENT_PRE_STOP_WORLD:
        k = 1;
        break;
    case GC_EVENT_POST_START_WORLD:
        k = 1, end = 1;
        break;
    case GC_EVENT_MARK_START:
        k = 2;
        break;
    case GC_EVENT_MARK_END:
        k = 2, end = 1;
        break;
    default:
        return;
    }
    uint64_t t = TICKS();
    if (!end) {
        L.ev_start[k] = t;
    } else if (L.ev_start[k] != 0) {
        if (t - L.ev_start[k] > L.ev_max[k])
            L.ev_max[k] = t - L.ev_start[k];
        L.ev_start[k] = 0;
    }
}

/* A ring of n nodes; with chords, node i's other field points to node i / 2. */
static node *ring(size_t n, int chords)
{
    node **all = chords ? malloc(n * sizeof *all) : NULL;
    if (chords && all == NULL)
        oom();
    node *first = new_node(), *prev = first;
    if (all)
        all[0] = first;
    for (size_t i = 1; i < n; i++) {
        node *x = new_node();
        prev->next = x;
        prev = x;
        if (all) {
            all[i] = x;
            x->other = all[i / 2];
        }
    }
    prev->next = first;
    free(all);
    return first;
}

static void churn(int k)
{
    for (int i = 0; i < k; i++) {
        node *a = new_node(), *b = new_node();
        a->next = b;
        b->next = a;
    }
}

static node *make_cycle(unsigned k)
{
    node *first = new_node(), *prev = first;
    for (unsigned j = 1; j < k; j++) {
        node *x = new_node();
        prev->next = x;
        prev = x;
    }
    prev->next = first;
    return first;
}

static void peak_sample(size_t *peak)
{
    size_t u = peer_uss_bytes();
    if (u > *peak)
        *peak = u;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void usage(void)
{
    fprintf(stderr, "usage: peer-boehm-incpauses a LIVE ROUNDS | b LIVE ROUNDS | pauses LIVE "
                    "SECONDS | ring LIVE STEPS, then inc[:MS]|full [untimed]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 6)
        usage();
    const char *w = argv[1];
    size_t live = peer_count(argv[2]);
    size_t n = peer_count(argv[3]);
    const char *mode = argv[4];
    int inc = strncmp(mode, "inc", 3) == 0 && (mode[3] == '\0' || mode[3] == ':');
    if (!inc && strcmp(mode, "full") != 0)
        usage();
    if (argc == 6 && strcmp(argv[5], "untimed") != 0)
        usage();
    if (strcmp(w, "a") != 0 && strcmp(w, "b") != 0 && strcmp(w, "pauses") != 0 &&
        strcmp(w, "ring") != 0)
        usage();
    L.timed = argc != 6;

    GC_set_all_interior_pointers(0);
    GC_INIT();
    if (inc) {
        GC_enable_incremental();
        if (mode[3] == ':')
            GC_set_time_limit(strtoul(mode + 4, NULL, 10));
    }
    L.cap = (size_t)1 << 22;
    L.ticks = malloc(L.cap * sizeof *L.ticks);
    if (L.ticks == NULL)
        oom();

    /* the live data; a pointer to it stays in these locals */
    node *root = NULL, *second = NULL, *old = NULL, *head = NULL;
    node **slots = NULL;
    unsigned *slot_k = NULL;
    if (strcmp(w, "ring") == 0) {
        for (size_t i = 0; i < live; i++) {
            node *x = new_node();
            x->next = head;
            head = x;
        }
        slots = GC_MALLOC(20000 * sizeof *slots); /* scanned: it holds the cycles */
        slot_k = calloc(20000, sizeof *slot_k);
        if (slots == NULL || slot_k == NULL)
            oom();
    } else {
        root = ring(live, 0);
        second = root;
        if (strcmp(w, "b") == 0)
            old = ring(100000, 1);
    }
    GC_gcollect();
    GC_gcollect();

    L.n = 0;
    L.dropped = 0;
    GC_set_on_collection_event(on_event);
    GC_word gc_no0 = GC_get_gc_no();
    size_t peak = peer_uss_bytes();
    uint64_t tick0 = TICKS(), ns0 = peer_now_ns();
    /* the threshold in ticks needs the tick rate: measured over 20 ms first */
    while (peer_now_ns() - ns0 < 20000000u)
        ;
    double ns_per_tick = (double)(peer_now_ns() - ns0) / (double)(TICKS() - tick0);
    L.min_ticks = (uint64_t)(PAUSE_MIN_NS / ns_per_tick);
    tick0 = TICKS();
    ns0 = peer_now_ns();
    double start = peer_now_s(), wall;
    size_t iterations = 0;
    if (strcmp(w, "a") == 0) {
        for (size_t r = 0; r < n; r++) {
            *(node *volatile *)&second = NULL; /* the rcgc program's decrement ... */
            *(node *volatile *)&second = root; /* ... and increment */
            churn(1000);
            if (r % 16 == 0)
                peak_sample(&peak);
        }
    } else if (strcmp(w, "b") == 0) {
        for (size_t r = 0; r < n; r++) {
            node *fresh = ring(100000, 1);
            for (int k = 0; k < 100; k++)
                churn(1000);
            old = fresh; /* the old structure becomes garbage */
            if (r % 16 == 0)
                peak_sample(&peak);
        }
    } else if (strcmp(w, "pauses") == 0) {
        double end = start + (double)n;
        while (peer_now_s() < end) {
            churn(1000);
            iterations += 1000;
            if (iterations % (1u << 16) < 1000)
                peak_sample(&peak);
        }
    } else {
        uint64_t rng = 0x9e3779b97f4a7c15u;
        for (size_t i = 0; i < n; i++) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            unsigned k = 2u + (unsigned)(rng % 7u);
            size_t s = i % 20000u;
            slots[s] = make_cycle(k); /* the cycle it replaces becomes garbage */
            slot_k[s] = k;
            (void)make_cycle(3);
            if (i % 65536u == 0)
                peak_sample(&peak);
        }
    }
    wall = peer_now_s() - start;
    peak_sample(&peak);
    GC_set_on_collection_event(0);
    /* the rate again over the whole run, for the conversion */
    ns_per_tick = (double)(peer_now_ns() - ns0) / (double)(TICKS() - tick0);

    if (L.timed) {
        qsort(L.ticks, L.n, sizeof *L.ticks, cmp_u64);
        double sum = 0;
        for (size_t i = 0; i < L.n; i++)
            sum += (double)L.ticks[i];
        double ms = ns_per_tick * 1e-6;
        size_t k99 = L.n ? (size_t)((double)L.n * 0.99) : 0, k50 = L.n / 2;
        if (k99 >= L.n && L.n)
            k99 = L.n - 1;
        peer_report("auto_pauses", (double)(L.n + L.dropped));
        peer_report("max_pause_ms", L.n ? (double)L.ticks[L.n - 1] * ms : 0.0);
        peer_report("p99_pause_ms", L.n ? (double)L.ticks[k99] * ms : 0.0);
        peer_report("p50_pause_ms", L.n ? (double)L.ticks[k50] * ms : 0.0);
        peer_report("collector_ms", sum * ms);
        peer_report("pauses_not_kept", (double)L.dropped);
        peer_report("max_event_ms", (double)L.ev_max[0] * ms);
        peer_report("max_stopped_ms", (double)L.ev_max[1] * ms);
        peer_report("max_mark_ms", (double)L.ev_max[2] * ms);
    }
    peer_report("n_collections", (double)(GC_get_gc_no() - gc_no0));
    peer_report("peak_uss_mb", peer_mib(peak));
    peer_report("heap_mb", peer_mib(GC_get_heap_size()));
    peer_report("wall_s", wall);
    if (strcmp(w, "ring") == 0)
        peer_report("steps_per_s", (double)n / wall);
    if (strcmp(w, "pauses") == 0)
        peer_report("loop_iterations", (double)iterations);
    peer_report("incremental", (double)GC_is_incremental_mode());
    peer_report("protection", (double)GC_incremental_protection_needs());
    peer_report("time_limit_ms", (double)GC_get_time_limit());
    free(L.ticks);
    free(slot_k);
    /* the live data was live to the end */
    return (root != NULL && second != root) || (old != NULL && old->next == NULL) ||
           (head != NULL && head->next == NULL && live > 1);
}
