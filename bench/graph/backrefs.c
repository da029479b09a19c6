/*
 * backrefs.c -- how long the graph tools take on a big heap: show_backrefs (max_depth 5)
 * and why-alive for one object of a heap of N objects (default ten million), show_refs from
 * the top, get_referrers, typestats. Prints one line per measurement (milliseconds).
 *
 * Heap: top -> 1000 mid lists -> 100 inner lists each -> 99 floats each: 10,001,001
 * objects, plus a 7-list chain that also leads to the target float, so the backward walk
 * runs all its levels.
 *
 * Usage: rcgc-bench-graph-backrefs [N_INNER_PER_MID]   (default 100)
 */
#define _POSIX_C_SOURCE 200809L
#include <rcgc.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    size_t n_inner = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 100;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.gc_disabled = true;
    rc_heap *h = rc_heap_new(&cfg);
    double t0 = now_ms();
    rc_object *top = rc_list_new(h, 1000);
    rc_object *target = NULL;
    for (size_t m = 0; m < 1000; m++) {
        rc_object *mid = rc_list_new(h, n_inner);
        for (size_t i = 0; i < n_inner; i++) {
            rc_object *inner = rc_list_new(h, 99);
            for (size_t k = 0; k < 99; k++)
                rc_list_append_steal(h, inner, rc_float_new(h, (double)k));
            if (m == 500 && i == n_inner / 2) target = rc_list_get_borrow(h, inner, 42);
            rc_list_append_steal(h, mid, inner);
        }
        rc_list_append_steal(h, top, mid);
    }
    rc_object *chain = rc_list_new(h, 1);
    rc_list_append(h, chain, target);
    for (int d = 0; d < 6; d++) {
        rc_object *up = rc_list_new(h, 1);
        rc_list_append_steal(h, up, chain);
        chain = up;
    }
    rc_heap_stats st = {.size = sizeof st};
    rc_heap_get_stats(h, &st);
    printf("heap: %zu objects built in %.0f ms\n", st.live_objects, now_ms() - t0);

    FILE *sink = tmpfile();
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.output_stream = sink;
    opt.max_depth = 5;
    rc_graph_result res = {.size = sizeof res};
    opt.result = &res;
    for (int run = 0; run < 5; run++) {
        double t = now_ms();
        if (rc_graph_show_backrefs(h, &target, 1, &opt) != RC_OK) return 1;
        printf("show_backrefs max_depth 5: %.1f ms (%zu nodes, %zu edges)\n", now_ms() - t,
               res.n_nodes, res.n_edges);
    }
    double t = now_ms();
    rc_object *why = NULL;
    rc_graph_why_alive(h, target, &why);
    printf("why_alive: %.1f ms (chain of %zu)\n", now_ms() - t, rc_list_len(h, why));
    rc_decref(h, why);
    t = now_ms();
    rc_graph_show_refs(h, &top, 1, &opt);
    printf("show_refs max_depth 5 from top: %.1f ms (%zu nodes)\n", now_ms() - t, res.n_nodes);
    rc_object *big = rc_list_new(h, 1000000);
    for (int i = 0; i < 1000000; i++)
        rc_list_append_steal(h, big, rc_float_new(h, i));
    t = now_ms();
    rc_graph_show_refs(h, &big, 1, &opt);
    printf("show_refs of a list of a million floats: %.1f ms (%zu nodes)\n", now_ms() - t,
           res.n_nodes);
    rc_decref(h, big);
    t = now_ms();
    rc_object *refs = rc_gc_get_referrers(h, &target, 1);
    printf("get_referrers: %.1f ms (%zu)\n", now_ms() - t, rc_list_len(h, refs));
    rc_decref(h, refs);
    t = now_ms();
    rc_type_count tc[4];
    rc_objgraph_most_common_types(h, tc, 4);
    printf("most_common_types: %.3f ms (%s %zu)\n", now_ms() - t, tc[0].name, tc[0].count);
    fclose(sink);
    rc_decref(h, chain);
    rc_decref(h, top);
    rc_heap_free(h);
    return 0;
}
