/*
 * bench.c -- the workloads with the Boehm-Demers-Weiser conservative collector (libgc-dev).
 *
 * usage: peer-boehm intlist N | cycles N LIVE | bintrees DEPTH | pauses LIVE SECONDS |
 *                   bytes N | rctraffic N
 * Settings, from the collector's documentation: GC_INIT first; a larger initial heap
 * (GC_expand_hp); no parallel marker threads: Debian's library starts none by itself in a
 * program that creates no threads, and starting them (GC_start_mark_threads, with
 * BOEHM_PARALLEL=1) made cycles and bintrees 15-25% slower on the 2-core machine this
 * suite was written on ("parallel" reports the extra markers);
 * interior pointers off (GC_set_all_interior_pointers(0)), safe because these programs
 * only keep pointers to the start of objects; BOEHM_INTERIOR=1 in the environment keeps
 * the library default instead (bytes is measured both ways).
 *
 * A conservative collector can keep dropped objects alive when a stale word on the stack
 * or in a register looks like a pointer. cycles registers disappearing links on 1024
 * sampled garbage objects and reports how many were not cleared by the collection
 * ("retained_samples"): non-zero means the run failed to free part of the garbage.
 */
#include "../peer_common.h"

/* GC_THREADS: declares GC_get_parallel; the programs stay single-threaded. */
#define GC_THREADS
#include <gc.h>

typedef struct node {
    struct node *next, *other;
} node;

static node *new_node(void)
{
    node *x = GC_MALLOC(sizeof(node));
    if (x == NULL) {
        fprintf(stderr, "peer-boehm: out of memory\n");
        exit(1);
    }
    return x;
}

static void setup(size_t initial_heap_bytes)
{
    const char *interior = getenv("BOEHM_INTERIOR");
    if (interior == NULL || strcmp(interior, "1") != 0)
        GC_set_all_interior_pointers(0);
    GC_INIT();
    const char *parallel = getenv("BOEHM_PARALLEL");
    if (parallel != NULL && strcmp(parallel, "1") == 0)
        GC_start_mark_threads();
    if (initial_heap_bytes > 0)
        GC_expand_hp(initial_heap_bytes);
    peer_report("parallel", (double)GC_get_parallel());
    peer_report("interior_pointers", (double)GC_get_all_interior_pointers());
}

static int intlist(size_t n)
{
    setup(0);
    size_t uss0 = peer_uss_bytes();
    double t0 = peer_now_s();
    size_t cap = 0, len = 0;
    GC_word *items = NULL;
    for (size_t i = 0; i < n; i++) {
        if (len == cap) {
            cap = cap < 8 ? 8 : cap + cap / 8 + 6; /* CPython's list growth */
            items = GC_REALLOC(items, cap * sizeof *items);
            if (items == NULL)
                return 1;
        }
        items[len++] = (GC_word)i << 1 | 1;
    }
    double t1 = peer_now_s();
    size_t uss1 = peer_uss_bytes();
    double t2 = peer_now_s();
    items = NULL;
    GC_gcollect();
    double t3 = peer_now_s();
    size_t uss2 = peer_uss_bytes();
    peer_report("build_s", t1 - t0);
    peer_report("drop_s", t3 - t2);
    peer_report("uss_start_mb", peer_mib(uss0));
    peer_report("uss_built_mb", peer_mib(uss1) - peer_mib(uss0));
    peer_report("uss_dropped_mb", peer_mib(uss2) - peer_mib(uss0));
    peer_report("heap_mb", peer_mib(GC_get_heap_size()));
    return 0;
}

static node **build(size_t n)
{
    node **objs = GC_MALLOC(n * sizeof *objs);
    if (objs == NULL)
        exit(1);
    for (size_t i = 0; i < n; i++)
        objs[i] = new_node();
    for (size_t i = 0; i < n; i++) {
        objs[i]->next = objs[(i + 1) % n];
        objs[i]->other = objs[peer_other_index(i, n)];
    }
    return objs;
}

#define SAMPLES 1024

/* Builds the garbage and registers the sample links; in its own frame so that no pointer
 * into the garbage stays in main's locals. noinline keeps it a real frame. */
static __attribute__((noinline)) void make_garbage(size_t n, void **links)
{
    node **objs = build(n);
    for (size_t k = 0; k < SAMPLES; k++) {
        node *o = objs[(k * (n / SAMPLES + 1)) % n];
        links[k] = (void *)GC_HIDE_POINTER(o);
        GC_general_register_disappearing_link(&links[k], o);
    }
}

/* Clears a span of stack where make_garbage's frame was, so stale words there do not
 * pin the garbage (a documented precaution for conservative collection). */
static __attribute__((noinline)) void clear_stack(void)
{
    volatile char buf[16384];
    memset((char *)buf, 0, sizeof buf);
}

static int cycles(size_t n, int live)
{
    setup((size_t)64 << 20);
    /* the sample links must not be scanned: atomic (pointer-free) memory */
    void **links = GC_MALLOC_ATOMIC(SAMPLES * sizeof *links);
    node **kept = live ? build(n) : NULL;
    GC_disable();
    make_garbage(n, links);
    clear_stack();
    GC_enable();
    size_t heap_before = GC_get_heap_size() - GC_get_free_bytes();
    double t0 = peer_now_s();
    GC_gcollect();
    double t1 = peer_now_s();
    size_t heap_after = GC_get_heap_size() - GC_get_free_bytes();
    size_t retained = 0;
    for (size_t k = 0; k < SAMPLES; k++)
        retained += links[k] != NULL;
    peer_report("collect_s", t1 - t0);
    peer_report("freed", (double)n);
    peer_report("ns_per_obj", (t1 - t0) * 1e9 / (double)n);
    peer_report("retained_samples", (double)retained);
    peer_report("used_before_mb", peer_mib(heap_before));
    peer_report("used_after_mb", peer_mib(heap_after));
    if (kept != NULL && kept[0] == NULL)
        return 1;
    return 0;
}

static node *make_tree(int depth)
{
    node *t = new_node();
    if (depth > 0) {
        t->next = make_tree(depth - 1);
        t->other = make_tree(depth - 1);
    }
    return t;
}

static long check_tree(const node *t)
{
    return t->next == NULL ? 1 : 1 + check_tree(t->next) + check_tree(t->other);
}

static int bintrees(int max_depth)
{
    setup((size_t)64 << 20);
    const int min_depth = 4;
    if (max_depth < min_depth + 2)
        max_depth = min_depth + 2;
    double t0 = peer_now_s();
    long total = check_tree(make_tree(max_depth + 1));
    node *long_lived = make_tree(max_depth);
    for (int d = min_depth; d <= max_depth; d += 2) {
        long iterations = 1L << (max_depth - d + min_depth);
        for (long i = 0; i < iterations; i++)
            total += check_tree(make_tree(d));
    }
    total += check_tree(long_lived);
    peer_report("check", (double)total);
    peer_report("time_s", peer_now_s() - t0);
    peer_report("collections", (double)GC_get_gc_no());
    return 0;
}

/* Pause recording through the collector's own event callback. */
static double pause_start;
static double *pause_ms;
static size_t n_pause, cap_pause;

static void on_event(GC_EventType e)
{
    if (e == GC_EVENT_START) {
        pause_start = peer_now_s();
    } else if (e == GC_EVENT_END && n_pause < cap_pause) {
        pause_ms[n_pause++] = (peer_now_s() - pause_start) * 1e3;
    }
}

static int pauses(size_t live, double seconds)
{
    setup((size_t)64 << 20);
    node *first = new_node(), *prev = first;
    for (size_t i = 1; i < live; i++) {
        node *x = new_node();
        prev->next = x;
        prev = x;
    }
    prev->next = first;
    GC_gcollect();
    cap_pause = 1u << 20;
    pause_ms = malloc(cap_pause * sizeof *pause_ms);
    if (pause_ms == NULL)
        return 1;
    GC_set_on_collection_event(on_event);
    size_t peak = peer_uss_bytes();
    double end = peer_now_s() + seconds;
    size_t iterations = 0;
    while (peer_now_s() < end) {
        for (int k = 0; k < 1000; k++) {
            node *a = new_node(), *b = new_node();
            a->next = b;
            b->next = a;
        }
        iterations += 1000;
        if (iterations % (1u << 16) < 1000) {
            size_t u = peer_uss_bytes();
            peak = u > peak ? u : peak;
        }
    }
    GC_set_on_collection_event(0);
    size_t u = peer_uss_bytes();
    peak = u > peak ? u : peak;
    for (size_t i = 0; i < n_pause; i++)
        peer_report("pause_ms", pause_ms[i]);
    peer_report("n_pauses", (double)n_pause);
    peer_report("loop_iterations", (double)iterations);
    peer_report("peak_uss_mb", peer_mib(peak));
    return first->next == NULL;
}

static int bytes(size_t n)
{
    setup(0);
    node **objs = GC_MALLOC(n * sizeof *objs);
    if (objs == NULL)
        return 1;
    memset(objs, 0, n * sizeof *objs);
    double xs[5], ys[5];
    size_t made = 0;
    for (int s = 0; s < 5; s++) {
        size_t target = s == 4 ? n : n / 4 * (size_t)s;
        while (made < target)
            objs[made++] = new_node();
        xs[s] = (double)made;
        ys[s] = (double)peer_uss_bytes();
    }
    peer_report("bytes_per_obj", peer_slope(xs, ys));
    peer_report("uss_total_mb", (ys[4] - ys[0]) / (1024.0 * 1024.0));
    return objs[n - 1] == NULL;
}

static int rctraffic(size_t n)
{
    setup(0);
    node **pool = GC_MALLOC(64 * sizeof *pool);
    for (size_t i = 0; i < 64; i++)
        pool[i] = new_node();
    node *volatile slots[1024];
    for (size_t i = 0; i < 1024; i++)
        slots[i] = pool[i & 63];
    double t0 = peer_now_s();
    for (size_t i = 0; i < n; i++)
        slots[i & 1023] = pool[(i * 7) & 63];
    double t1 = peer_now_s();
    if (slots[n & 1023] == NULL)
        return 1;
    size_t n_alloc = n / 10 > 0 ? n / 10 : 1;
    double t2 = peer_now_s();
    for (size_t i = 0; i < n_alloc; i++) {
        node *volatile x = new_node();
        x->next = pool[0];
    }
    double t3 = peer_now_s();
    peer_report("store_ns", (t1 - t0) * 1e9 / (double)n);
    peer_report("alloc_ns", (t3 - t2) * 1e9 / (double)n_alloc);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "intlist") == 0)
        return intlist(peer_count(argv[2]));
    if (argc >= 4 && strcmp(argv[1], "cycles") == 0)
        return cycles(peer_count(argv[2]), atoi(argv[3]));
    if (argc >= 3 && strcmp(argv[1], "bintrees") == 0)
        return bintrees(atoi(argv[2]));
    if (argc >= 4 && strcmp(argv[1], "pauses") == 0)
        return pauses(peer_count(argv[2]), atof(argv[3]));
    if (argc >= 3 && strcmp(argv[1], "bytes") == 0)
        return bytes(peer_count(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "rctraffic") == 0)
        return rctraffic(peer_count(argv[2]));
    fprintf(stderr, "usage: peer-boehm intlist N | cycles N LIVE | bintrees DEPTH | "
                    "pauses LIVE SECONDS | bytes N | rctraffic N\n");
    return 2;
}
