/*
 * cycles.c -- workload 2: cyclic garbage freed by one full collection.
 *
 * usage: rcgc-bench-cycles N node|list live
 * Builds N containers, each holding two references: the next one on a ring and one
 * pseudo-random other (bench_other_index). "node" containers are a user type made with
 * rc_type_new and two reference offsets; "list" containers are built-in lists of two items.
 * With live = 1 an equal structure is built first and kept alive through the collection.
 * Automatic collection is off while building, as a careful CPython user would run
 * gc.disable(). Then every reference the program holds to the garbage is dropped and one
 * rc_collect(heap, 2) is timed.
 * Reports collect_s, freed (rc_collect's result), ns_per_obj (collect time / freed).
 */
#include "common.h"

static rc_object *new_container(rc_heap *heap, const rc_type *node, bool use_list)
{
    if (!use_list)
        return &bench_node_new(heap, node)->hdr;
    rc_object *l = rc_list_new(heap, 2);
    if (l == NULL)
        bench_die(heap, "rc_list_new");
    return l;
}

static void link_to(rc_heap *heap, rc_object *from, rc_object *next, rc_object *other,
                    bool use_list)
{
    if (!use_list) {
        bench_node *b = (bench_node *)from;
        b->next = rc_newref(next);
        b->other = rc_newref(other);
        return;
    }
    if (rc_list_append(heap, from, next) != RC_OK || rc_list_append(heap, from, other) != RC_OK)
        bench_die(heap, "rc_list_append");
}

/* N containers on a ring with pseudo-random chords; returns the array holding one
 * reference to each (the caller's roots). */
static rc_object **build(rc_heap *heap, const rc_type *node, size_t n, bool use_list)
{
    rc_object **objs = malloc(n * sizeof *objs);
    if (objs == NULL)
        bench_die(NULL, "malloc");
    for (size_t i = 0; i < n; i++)
        objs[i] = new_container(heap, node, use_list);
    for (size_t i = 0; i < n; i++)
        link_to(heap, objs[i], objs[(i + 1) % n], objs[bench_other_index(i, n)], use_list);
    return objs;
}

static void drop_all(rc_heap *heap, rc_object **objs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rc_decref(heap, objs[i]);
    free(objs);
}

int main(int argc, char **argv)
{
    const char *usage = "rcgc-bench-cycles N node|list live(0|1)";
    if (argc != 4)
        bench_usage(usage);
    size_t n = bench_arg_count(argv[1], usage);
    bool use_list = strcmp(argv[2], "list") == 0;
    if (!use_list && strcmp(argv[2], "node") != 0)
        bench_usage(usage);
    bool live = strcmp(argv[3], "1") == 0;

    rc_heap *heap = bench_heap_new();
    rc_type *node = bench_node_type(heap);
    rc_gc_disable(heap);
    rc_object **kept = live ? build(heap, node, n, use_list) : NULL;
    rc_object **garbage = build(heap, node, n, use_list);
    drop_all(heap, garbage, n);
    size_t uss_before = bench_uss_bytes(heap);

    double t0 = bench_now_s();
    int64_t freed = rc_collect(heap, 2);
    double t1 = bench_now_s();
    if (freed < 0)
        bench_die(heap, "rc_collect");
    size_t uss_after = bench_uss_bytes(heap);

    bench_report("collect_s", t1 - t0);
    bench_report("freed", (double)freed);
    bench_report("ns_per_obj", freed > 0 ? (t1 - t0) * 1e9 / (double)freed : 0.0);
    bench_report("uss_before_mb", bench_mib(uss_before));
    bench_report("uss_after_mb", bench_mib(uss_after));
    if (kept != NULL)
        drop_all(heap, kept, n);
    rc_heap_free(heap);
    return 0;
}
