/*
 * bytes.c -- workload 5: bytes per tracked two-reference object, from the USS slope.
 *
 * usage: rcgc-bench-bytes N node|tuple|list
 * Allocates N containers, each holding two references (None, None), kept alive by a
 * preallocated C array of N pointers whose memory is touched before the first USS sample,
 * so the array is not counted. USS is sampled after 0, N/4, N/2, 3N/4 and N objects;
 * the least-squares slope of USS over the count is the cost of one object, including
 * the allocator's page and slack overhead.
 * Reports bytes_per_obj and uss_total_mb (USS above the first sample).
 */
#include "common.h"

static rc_object *new_obj(rc_heap *heap, const rc_type *node, int kind)
{
    rc_object *o;
    if (kind == 0) {
        o = &bench_node_new(heap, node)->hdr;
    } else if (kind == 1) {
        o = rc_tuple_new(heap, 2, NULL);
    } else {
        o = rc_list_new(heap, 2);
        if (o != NULL &&
            (rc_list_append(heap, o, NULL) != RC_OK || rc_list_append(heap, o, NULL) != RC_OK))
            bench_die(heap, "rc_list_append");
    }
    if (o == NULL)
        bench_die(heap, "allocation");
    return o;
}

int main(int argc, char **argv)
{
    const char *usage = "rcgc-bench-bytes N node|tuple|list";
    if (argc != 3)
        bench_usage(usage);
    size_t n = bench_arg_count(argv[1], usage);
    int kind = strcmp(argv[2], "node") == 0    ? 0
               : strcmp(argv[2], "tuple") == 0 ? 1
               : strcmp(argv[2], "list") == 0  ? 2
                                               : -1;
    if (kind < 0)
        bench_usage(usage);

    rc_heap *heap = bench_heap_new();
    rc_type *node = bench_node_type(heap);
    rc_gc_disable(heap);
    rc_object **objs = malloc(n * sizeof *objs);
    if (objs == NULL)
        bench_die(NULL, "malloc");
    /* Make the holder array resident before the first sample so the slope counts only the
     * objects. A plain memset to 0 is not enough: the compiler may turn malloc + memset
     * into calloc, whose fresh pages stay untouched until the loop fills them (that added
     * the array's 8 bytes per object to the figure). */
    volatile unsigned char *touch = (volatile unsigned char *)objs;
    for (size_t b = 0; b < n * sizeof *objs; b += 4096)
        touch[b] = 1;
    memset(objs, 0, n * sizeof *objs);

    double xs[5], ys[5];
    size_t made = 0;
    for (int s = 0; s < 5; s++) {
        size_t target = n / 4 * (size_t)s;
        if (s == 4)
            target = n;
        while (made < target) {
            objs[made] = new_obj(heap, node, kind);
            made++;
        }
        xs[s] = (double)made;
        ys[s] = (double)bench_uss_bytes(heap);
    }
    double mx = 0, my = 0;
    for (int s = 0; s < 5; s++) {
        mx += xs[s] / 5;
        my += ys[s] / 5;
    }
    double sxy = 0, sxx = 0;
    for (int s = 0; s < 5; s++) {
        sxy += (xs[s] - mx) * (ys[s] - my);
        sxx += (xs[s] - mx) * (xs[s] - mx);
    }
    bench_report("bytes_per_obj", sxy / sxx);
    bench_report("uss_total_mb", (ys[4] - ys[0]) / (1024.0 * 1024.0));
    for (size_t i = 0; i < n; i++)
        rc_decref(heap, objs[i]);
    free(objs);
    rc_heap_free(heap);
    return 0;
}
