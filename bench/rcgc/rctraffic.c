/*
 * rctraffic.c -- workload 6: reference-count traffic without cycles.
 *
 * usage: rcgc-bench-rctraffic N
 * "store": N stores of a reference into a slot of a 1024-slot table, each taking a
 * reference to one of 64 live objects and releasing the slot's previous one (one increment
 * and one decrement, never reaching zero) -- what `slots[i & 1023] = pool[i & 63]` costs
 * an interpreter. "alloc": N / 10 short-lived objects, each allocated, linked to a live
 * object and dropped (freed at once, releasing its link).
 * Reports store_ns (per store) and alloc_ns (per allocate-link-drop).
 */
#include "common.h"

int main(int argc, char **argv)
{
    const char *usage = "rcgc-bench-rctraffic N";
    if (argc != 2)
        bench_usage(usage);
    size_t n = bench_arg_count(argv[1], usage);
    rc_heap *heap = bench_heap_new();
    rc_type *node = bench_node_type(heap);

    rc_object *pool[64];
    for (size_t i = 0; i < 64; i++)
        pool[i] = &bench_node_new(heap, node)->hdr;
    /* volatile: the table must be really written, or the compiler could pair up the
     * increments and decrements of the loop and drop them. */
    rc_object *volatile slots[1024];
    for (size_t i = 0; i < 1024; i++)
        slots[i] = rc_newref(pool[i & 63]);

    double t0 = bench_now_s();
    for (size_t i = 0; i < n; i++) {
        rc_object *old = slots[i & 1023];
        slots[i & 1023] = rc_newref(pool[(i * 7) & 63]);
        rc_decref(heap, old);
    }
    double t1 = bench_now_s();

    size_t n_alloc = n / 10 > 0 ? n / 10 : 1;
    rc_object *anchor = pool[0];
    double t2 = bench_now_s();
    for (size_t i = 0; i < n_alloc; i++) {
        bench_node *x = bench_node_new(heap, node);
        x->next = rc_newref(anchor);
        rc_decref(heap, &x->hdr);
    }
    double t3 = bench_now_s();

    int64_t sum = 0;
    for (size_t i = 0; i < 64; i++)
        sum += rc_refcount(pool[i]);
    bench_report("store_ns", (t1 - t0) * 1e9 / (double)n);
    bench_report("alloc_ns", (t3 - t2) * 1e9 / (double)n_alloc);
    bench_report("refcount_sum", (double)sum);
    for (size_t i = 0; i < 1024; i++)
        rc_decref(heap, slots[i]);
    for (size_t i = 0; i < 64; i++)
        rc_decref(heap, pool[i]);
    rc_heap_free(heap);
    return 0;
}
