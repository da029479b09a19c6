/*
 * weakrefs.c -- workload 7: create a weak reference with a callback, dereference it and
 * drop it, N times, over 1024 live targets (the callbacks never run: the targets live).
 * Then, as in the CPython peer, N/10 weak references to objects that die at once, checked
 * to be cleared.
 *
 * usage: rcgc-bench-weakrefs N
 * Reports weak_ns (create + get + drop, each) and cleared.
 */
#include "common.h"

static void on_death(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    (void)wr;
    (*(size_t *)user)++;
}

int main(int argc, char **argv)
{
    const char *usage = "rcgc-bench-weakrefs N";
    if (argc != 2)
        bench_usage(usage);
    size_t n = bench_arg_count(argv[1], usage);
    rc_heap *heap = bench_heap_new();
    rc_type *node = bench_node_type(heap);
    rc_object *targets[1024];
    for (size_t i = 0; i < 1024; i++)
        targets[i] = &bench_node_new(heap, node)->hdr;

    size_t alive = 0, deaths = 0;
    double t0 = bench_now_s();
    for (size_t i = 0; i < n; i++) {
        rc_object *wr = rc_weakref_new(heap, targets[i & 1023], on_death, &deaths);
        if (wr == NULL)
            bench_die(heap, "rc_weakref_new");
        rc_object *got = rc_weakref_get(heap, wr);
        alive += got != NULL;
        rc_decref(heap, got);
        rc_decref(heap, wr);
    }
    double t1 = bench_now_s();

    size_t m = n / 10 ? n / 10 : 1, cleared = 0;
    for (size_t i = 0; i < m; i++) {
        rc_object *obj = &bench_node_new(heap, node)->hdr;
        rc_object *wr = rc_weakref_new(heap, obj, on_death, &deaths);
        if (wr == NULL)
            bench_die(heap, "rc_weakref_new");
        rc_decref(heap, obj);
        rc_object *got = rc_weakref_get(heap, wr);
        cleared += got == NULL;
        rc_decref(heap, got);
        rc_decref(heap, wr);
    }
    bench_report("weak_ns", (t1 - t0) * 1e9 / (double)n);
    bench_report("cleared", (double)cleared);
    for (size_t i = 0; i < 1024; i++)
        rc_decref(heap, targets[i]);
    rc_heap_free(heap);
    return alive == n && cleared == m && deaths == m ? 0 : 1;
}
