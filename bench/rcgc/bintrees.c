/*
 * bintrees.c -- workload 3: binary-trees from the Computer Language Benchmarks Game,
 * single-threaded, written for rcgc from the game's description.
 *
 * usage: rcgc-bench-bintrees DEPTH
 *        rcgc-bench-bintrees-sites DEPTH on|off   (the same source built with
 *        RC_RECORD_ORIGINS: allocation sites recorded for every node, or the macros compiled
 *        in and recording off; workload 8)
 * Prints the game's lines on stderr and on stdout the check total ("check") and the
 * in-process time ("time_s"); bench.py measures whole-process time and peak RSS outside.
 * Trees are "node" objects (left, right) freed by reference counting as each tree is
 * dropped; automatic collection stays at its defaults, as for every peer.
 */
#include "common.h"

static rc_object *make_tree(rc_heap *heap, const rc_type *node, int depth)
{
    bench_node *n = bench_node_new(heap, node);
    if (depth > 0) {
        n->next = make_tree(heap, node, depth - 1);
        n->other = make_tree(heap, node, depth - 1);
    }
    return &n->hdr;
}

static long check_tree(const rc_object *tree)
{
    const bench_node *n = (const bench_node *)tree;
    if (n->next == NULL)
        return 1;
    return 1 + check_tree(n->next) + check_tree(n->other);
}

int main(int argc, char **argv)
{
#ifdef RC_RECORD_ORIGINS
    const char *usage = "rcgc-bench-bintrees-sites DEPTH on|off";
    if (argc != 3 || (strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0))
        bench_usage(usage);
    bool record = strcmp(argv[2], "on") == 0;
#else
    const char *usage = "rcgc-bench-bintrees DEPTH";
    if (argc != 2)
        bench_usage(usage);
#endif
    int max_depth = (int)bench_arg_count(argv[1], usage);
    const int min_depth = 4;
    if (max_depth < min_depth + 2)
        max_depth = min_depth + 2;

    double t0 = bench_now_s();
    rc_heap *heap = bench_heap_new();
#ifdef RC_RECORD_ORIGINS
    rc_origins_enable(heap, record);
#endif
    rc_type *node = bench_node_type(heap);
    long total = 0;

    rc_object *stretch = make_tree(heap, node, max_depth + 1);
    long c = check_tree(stretch);
    total += c;
    fprintf(stderr, "stretch tree of depth %d\t check: %ld\n", max_depth + 1, c);
    rc_decref(heap, stretch);

    rc_object *long_lived = make_tree(heap, node, max_depth);
    for (int d = min_depth; d <= max_depth; d += 2) {
        long iterations = 1L << (max_depth - d + min_depth);
        long sum = 0;
        for (long i = 0; i < iterations; i++) {
            rc_object *t = make_tree(heap, node, d);
            sum += check_tree(t);
            rc_decref(heap, t);
        }
        total += sum;
        fprintf(stderr, "%ld\t trees of depth %d\t check: %ld\n", iterations, d, sum);
    }
    c = check_tree(long_lived);
    total += c;
    fprintf(stderr, "long lived tree of depth %d\t check: %ld\n", max_depth, c);
#ifdef RC_RECORD_ORIGINS
    rc_site_count site;
    if (record && (rc_objgraph_most_common_sites(heap, &site, 1) != 1 ||
                   site.count != ((size_t)2 << max_depth) - 1))
        bench_die(heap, "allocation sites: the long-lived tree's nodes are not all recorded");
#endif
    rc_decref(heap, long_lived);
    rc_heap_free(heap);
    double t1 = bench_now_s();

    bench_report("check", (double)total);
    bench_report("time_s", t1 - t0);
    return 0;
}
