/*
 * intlist.c -- workload 1: a list of N small ints, built, then dropped.
 *
 * usage: rcgc-bench-intlist N
 * Reports build_s (appending N ints to an empty list, as a list comprehension grows its
 * list), uss_built_mb and uss_dropped_mb (USS above the figure before the build), drop_s.
 */
#include "common.h"

int main(int argc, char **argv)
{
    const char *usage = "rcgc-bench-intlist N";
    if (argc != 2)
        bench_usage(usage);
    size_t n = bench_arg_count(argv[1], usage);
    rc_heap *heap = bench_heap_new();

    size_t uss0 = bench_uss_bytes(heap);
    double t0 = bench_now_s();
    rc_object *list = rc_list_new(heap, 0);
    if (list == NULL)
        bench_die(heap, "rc_list_new");
    for (size_t i = 0; i < n; i++) {
        if (rc_list_append_steal(heap, list, rc_int_new(heap, (int64_t)i)) != RC_OK)
            bench_die(heap, "rc_list_append_steal");
    }
    double t1 = bench_now_s();
    size_t uss1 = bench_uss_bytes(heap);
    if (rc_list_len(heap, list) != n)
        bench_die(heap, "rc_list_len");

    double t2 = bench_now_s();
    rc_decref(heap, list);
    double t3 = bench_now_s();
    size_t uss2 = bench_uss_bytes(heap);

    bench_report("build_s", t1 - t0);
    bench_report("drop_s", t3 - t2);
    bench_report("uss_start_mb", bench_mib(uss0));
    bench_report("uss_built_mb", bench_mib(uss1) - bench_mib(uss0));
    bench_report("uss_dropped_mb", bench_mib(uss2) - bench_mib(uss0));
    rc_heap_free(heap);
    return 0;
}
