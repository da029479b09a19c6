/*
 * autogc.c -- issue 2 and issue 11: automatic collection while allocating long-lived
 * containers.
 *
 * usage: rcgc-bench-autogc N on|off [chain|lists]
 * chain (default): allocates N "node" containers kept alive in one chain (each holds the
 * previous one; the new node takes over the reference). lists: appends N two-element lists
 * (two small ints) to one list, each with rc_list_append and then rc_decref of the builder's
 * reference, so every inner list is left at count 1 by rc_decref: a candidate for the
 * collector (src/gc.c, section 5). Automatic collection on (default thresholds and schedule)
 * or off. bench.py runs both and reports (time on - time off) / time off as the collector's
 * share: it must stay under 10% and not grow with N.
 * Reports alloc_s, ns_per_obj, collections (all generations).
 */
#include "common.h"

int main(int argc, char **argv)
{
    const char *usage = "rcgc-bench-autogc N on|off [chain|lists]";
    if (argc != 3 && argc != 4)
        bench_usage(usage);
    bool lists = argc == 4 && strcmp(argv[3], "lists") == 0;
    if (argc == 4 && !lists && strcmp(argv[3], "chain") != 0)
        bench_usage(usage);
    size_t n = bench_arg_count(argv[1], usage);
    bool on = strcmp(argv[2], "on") == 0;
    if (!on && strcmp(argv[2], "off") != 0)
        bench_usage(usage);

    rc_heap *heap = bench_heap_new();
    rc_type *node = bench_node_type(heap);
    if (!on)
        rc_gc_disable(heap);
    double t0 = bench_now_s();
    rc_object *head = NULL;
    if (lists) {
        head = rc_list_new(heap, 0);
        if (head == NULL)
            bench_die(heap, "rc_list_new");
        for (size_t i = 0; i < n; i++) {
            rc_object *pair = rc_list_new(heap, 2);
            if (pair == NULL ||
                rc_list_append_steal(heap, pair, rc_int_new(heap, (int64_t)i)) != RC_OK ||
                rc_list_append_steal(heap, pair, rc_int_new(heap, (int64_t)i)) != RC_OK ||
                rc_list_append(heap, head, pair) != RC_OK)
                bench_die(heap, "rc_list_append");
            rc_decref(heap, pair);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            bench_node *x = bench_node_new(heap, node);
            x->next = head; /* the new node takes over the reference to the old head */
            head = &x->hdr;
        }
    }
    double t1 = bench_now_s();
    uint64_t collections = 0;
    for (int g = 0; g < 3; g++) {
        rc_gc_stats st;
        memset(&st, 0, sizeof st);
        st.size = sizeof st;
        if (rc_gc_get_stats(heap, g, &st) == RC_OK)
            collections += st.collections;
    }
    bench_report("alloc_s", t1 - t0);
    bench_report("ns_per_obj", (t1 - t0) * 1e9 / (double)n);
    bench_report("collections", (double)collections);
    rc_decref(heap, head);
    rc_heap_free(heap);
    return 0;
}
