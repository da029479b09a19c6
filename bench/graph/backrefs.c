/*
 * backrefs.c -- how long the graph tools take on a big heap: show_backrefs (max_depth 5),
 * find_backref_chain and why-alive for one object of a heap of N objects (default ten
 * million), show_refs from the top, get_referrers, typestats. Prints one line per
 * measurement ("NAME: X ms (details)"); bench/graph/peer_objgraph.py prints the same lines
 * for objgraph on the same heap in CPython, and bench/graph/run.sh runs both side by side.
 *
 * Heap: top -> 1000 mid lists -> 100 inner lists each -> 99 floats each: 10,001,001
 * objects, plus a 7-list chain that also leads to the target float, so the backward walk
 * runs all its levels. top and the chain are held by C variables only (outside the heap).
 * Drawings go to a temporary stream as DOT text: Graphviz never runs, as on the peer's side.
 *
 * What typestats counts: "typestats" and "most_common_types" are rcgc's own calls, which
 * read the per-type live counts (every live object, floats included; O(types)). Two more
 * lines count by walking, in this file, for comparison with objgraph's walks: over
 * rc_gc_get_objects (the tracked containers, as objgraph.typestats() walks gc.get_objects)
 * and over every object (rc_heap_visit). They are not rcgc functions.
 *
 * Usage: rcgc-bench-graph-backrefs [N_INNER_PER_MID [REPEATS]]   (defaults 100 and 5;
 * REPEATS is how many times show_backrefs is timed)
 */
#define _POSIX_C_SOURCE 200809L
#include <rcgc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

typedef struct bench_heap {
    rc_object *top;    /* the 1000 mid lists */
    rc_object *chain;  /* the outer list of the 7-list chain */
    rc_object *target; /* borrowed: float 42 of the middle inner list of mid list 500 */
} bench_heap;

static void build(rc_heap *h, size_t n_inner, bench_heap *b)
{
    b->top = rc_list_new(h, 1000);
    for (size_t m = 0; m < 1000; m++) {
        rc_object *mid = rc_list_new(h, n_inner);
        for (size_t i = 0; i < n_inner; i++) {
            rc_object *inner = rc_list_new(h, 99);
            for (size_t k = 0; k < 99; k++)
                rc_list_append_steal(h, inner, rc_float_new(h, (double)k));
            if (m == 500 && i == n_inner / 2)
                b->target = rc_list_get_borrow(h, inner, 42);
            rc_list_append_steal(h, mid, inner);
        }
        rc_list_append_steal(h, b->top, mid);
    }
    b->chain = rc_list_new(h, 1);
    rc_list_append(h, b->chain, b->target);
    for (int d = 0; d < 6; d++) {
        rc_object *up = rc_list_new(h, 1);
        rc_list_append_steal(h, up, b->chain);
        b->chain = up;
    }
}

static bool is_obj(rc_heap *h, rc_object *obj, void *user)
{
    (void)h;
    return obj == user;
}

/* Per-type counts kept by the bench's own walks (a handful of types: linear search). */
typedef struct tally {
    const rc_type *type[64];
    size_t count[64];
    size_t n_types;
    size_t n_objects;
} tally;

static void tally_add(tally *t, const rc_type *type)
{
    size_t i = 0;
    while (i < t->n_types && t->type[i] != type)
        i++;
    if (i == t->n_types) {
        if (i == 64)
            return;
        t->type[t->n_types++] = type;
        t->count[i] = 0;
    }
    t->count[i]++;
    t->n_objects++;
}

static int tally_visit(rc_heap *h, rc_object *obj, void *user)
{
    tally_add(user, rc_type_of(h, obj));
    return 0;
}

static size_t tally_of(const tally *t, const rc_type *type)
{
    for (size_t i = 0; i < t->n_types; i++)
        if (t->type[i] == type)
            return t->count[i];
    return 0;
}

static void print_tally(rc_heap *h, const char *what, double ms, const tally *t)
{
    printf("%s: %.4f ms (%zu types, %zu objects, list %zu, float %zu)\n", what, ms, t->n_types,
           t->n_objects, tally_of(t, rc_heap_builtin_list(h)),
           tally_of(t, rc_heap_builtin_float(h)));
}

/* rcgc's typestats and most_common_types (counters), then the two walking counts. */
static void time_typestats(rc_heap *h)
{
    rc_type_count tc[64];
    double t = now_ms();
    size_t kinds = rc_objgraph_most_common_types(h, tc, 64);
    double ms = now_ms() - t;
    size_t total = 0, lists = 0, floats = 0;
    for (size_t i = 0; i < kinds && i < 64; i++) {
        total += tc[i].count;
        if (strcmp(tc[i].name, "list") == 0)
            lists = tc[i].count;
        if (strcmp(tc[i].name, "float") == 0)
            floats = tc[i].count;
    }
    printf("typestats: %.4f ms (%zu types, %zu objects, list %zu, float %zu)\n", ms, kinds, total,
           lists, floats);
    t = now_ms();
    rc_objgraph_most_common_types(h, tc, 10);
    printf("most_common_types: %.4f ms (%s %zu)\n", now_ms() - t, tc[0].name, tc[0].count);

    tally tr = {.n_types = 0};
    t = now_ms();
    rc_object *objs = rc_gc_get_objects(h, -1);
    size_t n = rc_list_len(h, objs);
    for (size_t i = 0; i < n; i++)
        tally_add(&tr, rc_type_of(h, rc_list_get_borrow(h, objs, (int64_t)i)));
    rc_decref(h, objs);
    print_tally(h, "typestats over gc_get_objects (bench walk)", now_ms() - t, &tr);

    tally ta = {.n_types = 0};
    t = now_ms();
    rc_heap_visit(h, tally_visit, &ta);
    print_tally(h, "typestats over all heap objects (bench walk)", now_ms() - t, &ta);
}

/* The graph calls, in the peer's order. */
static int time_graphs(rc_heap *h, const bench_heap *b, int repeats)
{
    FILE *sink = tmpfile();
    if (sink == NULL)
        return 1;
    rc_graph_result res = {.size = sizeof res};
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.output_stream = sink;
    opt.max_depth = 5;
    opt.result = &res;
    for (int run = 0; run < repeats; run++) {
        double t = now_ms();
        if (rc_graph_show_backrefs(h, &b->target, 1, &opt) != RC_OK)
            return 1;
        printf("show_backrefs max_depth 5: %.1f ms (%zu nodes, %zu edges)\n", now_ms() - t,
               res.n_nodes, res.n_edges);
    }
    rc_object *chain = NULL;
    double t = now_ms();
    if (rc_graph_find_backref_chain(h, b->target, is_obj, b->top, 20, NULL, 0, &chain) != RC_OK)
        return 1;
    printf("find_backref_chain to top: %.1f ms (chain of %zu)\n", now_ms() - t,
           rc_list_len(h, chain));
    rc_decref(h, chain);
    t = now_ms();
    rc_graph_why_alive(h, b->target, &chain);
    printf("why_alive: %.1f ms (chain of %zu)\n", now_ms() - t, rc_list_len(h, chain));
    rc_decref(h, chain);
    t = now_ms();
    rc_graph_show_refs(h, &b->top, 1, &opt);
    printf("show_refs max_depth 5 from top: %.1f ms (%zu nodes, %zu edges)\n", now_ms() - t,
           res.n_nodes, res.n_edges);
    rc_object *big = rc_list_new(h, 1000000);
    for (int i = 0; i < 1000000; i++)
        rc_list_append_steal(h, big, rc_float_new(h, i));
    t = now_ms();
    rc_graph_show_refs(h, &big, 1, &opt);
    printf("show_refs of a list of a million floats: %.1f ms (%zu nodes, %zu edges)\n",
           now_ms() - t, res.n_nodes, res.n_edges);
    rc_decref(h, big);
    t = now_ms();
    rc_object *refs = rc_gc_get_referrers(h, &b->target, 1);
    printf("get_referrers: %.1f ms (%zu)\n", now_ms() - t, rc_list_len(h, refs));
    rc_decref(h, refs);
    fclose(sink);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n_inner = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 100;
    int repeats = argc > 2 ? atoi(argv[2]) : 5;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.gc_disabled = true;
    rc_heap *h = rc_heap_new(&cfg);
    if (h == NULL)
        return 1;
    bench_heap b = {NULL, NULL, NULL};
    double t0 = now_ms();
    build(h, n_inner, &b);
    rc_heap_stats st = {.size = sizeof st};
    rc_heap_get_stats(h, &st);
    printf("heap: %zu objects built in %.0f ms\n", st.live_objects, now_ms() - t0);
    fflush(stdout);
    int rc = time_graphs(h, &b, repeats);
    time_typestats(h);
    rc_decref(h, b.chain);
    rc_decref(h, b.top);
    rc_heap_free(h);
    return rc;
}
