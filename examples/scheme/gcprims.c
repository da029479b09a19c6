/*
 * gcprims.c -- builtins that expose rcgc's collector and leak-hunting tools to Scheme
 * (rcgc build only; the benchmark builds have none):
 *
 *   (gc-collect [gen])        full (or generation gen) collection: unreachable objects found
 *   (gc-count)                (count0 count1 count2), Python's gc.get_count()
 *   (gc-enable) (gc-disable)
 *   (live-objects)            objects alive in the heap
 *   (type-count "pair")       live objects of one type
 *   (show-types [limit])      objgraph.show_most_common_types
 *   (show-growth [limit])     objgraph.show_growth, with allocation sites when recorded
 *   (why-alive x)             the chain from a root to x, as a list
 *   (show-refs x "f.dot" [depth]) (show-backrefs x "f.dot" [depth])
 *   (show-chain chain "f.dot")
 *   (heap-check)              rc_heap_check: #t, or an error
 *   (refcount x)              x's reference count as rcgc stores it (rc_refcount; -1 for a
 *                             small int), the reference this call borrows included
 */
#include <string.h>

#include "interp.h"

#ifdef SCM_RCGC

static V fail(interp *in, const char *what)
{
    V r = scm_error(in, "%s: %s", what, rc_heap_errmsg(in->m.heap));
    rc_heap_clear_error(in->m.heap);
    return r;
}

static int64_t opt_int(V *argv, int argc, int i, int64_t dflt)
{
    return i < argc && IS_INT(argv[i]) ? INTVAL(argv[i]) : dflt;
}

static V p_gc_collect(interp *in, int argc, V *argv)
{
    int64_t found = rc_collect(in->m.heap, (int)opt_int(argv, argc, 0, 2));
    return found < 0 ? fail(in, "gc-collect") : scm_int(in, found);
}

static V p_gc_count(interp *in, int argc, V *argv)
{
    (void)argc, (void)argv;
    size_t c[3];
    rc_gc_get_count(in->m.heap, c);
    V items[3] = {MKINT((int64_t)c[0]), MKINT((int64_t)c[1]), MKINT((int64_t)c[2])};
    V l = CONSTANT(in->nil);
    for (int i = 2; l != NULL && i >= 0; i--)
        l = scm_cons_steal(in, items[i], l);
    return l;
}

static V p_gc_enable(interp *in, int argc, V *argv)
{
    (void)argc, (void)argv;
    rc_gc_enable(in->m.heap);
    return CONSTANT(in->unspec);
}
static V p_gc_disable(interp *in, int argc, V *argv)
{
    (void)argc, (void)argv;
    rc_gc_disable(in->m.heap);
    return CONSTANT(in->unspec);
}

static V p_live_objects(interp *in, int argc, V *argv)
{
    (void)argc, (void)argv;
    rc_heap_stats st = {.size = sizeof st};
    if (rc_heap_get_stats(in->m.heap, &st) != RC_OK)
        return fail(in, "live-objects");
    return scm_int(in, (int64_t)st.live_objects);
}

static V p_type_count(interp *in, int argc, V *argv)
{
    (void)argc;
    if (!IS(in, argv[0], K_STRING))
        return scm_error(in, "type-count: expects a type name string");
    return scm_int(in, (int64_t)rc_objgraph_count(in->m.heap, mem_string_data(&in->m, argv[0])));
}

static V p_show_types(interp *in, int argc, V *argv)
{
    fflush(in->out);
    if (rc_objgraph_show_most_common_types(in->m.heap, (size_t)opt_int(argv, argc, 0, 10),
                                           in->out) != RC_OK)
        return fail(in, "show-types");
    return CONSTANT(in->unspec);
}

static V p_show_growth(interp *in, int argc, V *argv)
{
    fflush(in->out);
    if (rc_objgraph_show_growth(in->m.heap, &in->peaks, (size_t)opt_int(argv, argc, 0, 10),
                                in->out) != RC_OK)
        return fail(in, "show-growth");
    return CONSTANT(in->unspec);
}

/* An rcgc list to a Scheme list. */
static V from_rc_list(interp *in, rc_object *list)
{
    size_t n = rc_list_len(in->m.heap, list);
    V l = CONSTANT(in->nil);
    for (size_t i = n; l != NULL && i-- > 0;) {
        V cell = scm_cons(in, rc_list_get_borrow(in->m.heap, list, (int64_t)i), l);
        UNREF(in, l);
        l = cell;
    }
    return l;
}

/* Writes one line per object of chain: type, repr, and allocation site when recorded. */
static void print_chain(interp *in, rc_object *chain)
{
    size_t pos = 0;
    rc_object *item;
    while (rc_list_next(in->m.heap, chain, &pos, &item)) {
        char repr[64];
        rc_origin site;
        const char *root = rc_root_name_of(in->m.heap, item);
        if (root != NULL)
            snprintf(repr, sizeof repr, "(root: %s)", root);
        else
            rc_repr_into(in->m.heap, item, repr, sizeof repr);
        fprintf(in->out, "  %-10s %s", rc_type_name(rc_type_of(in->m.heap, item)), repr);
        if (rc_origin_of(in->m.heap, item, &site))
            fprintf(in->out, "  (%s:%d)", site.file, site.line);
        fputc('\n', in->out);
    }
}

/* (why-alive x): prints the chain from a root to x and returns it as a list. */
static V p_why_alive(interp *in, int argc, V *argv)
{
    (void)argc;
    /* The evaluator holds one reference to the argument (argv, owned: prim.owned_args). */
    rc_object *chain = NULL;
    if (rc_graph_why_alive_held(in->m.heap, argv[0], 1, &chain) != RC_OK)
        return fail(in, "why-alive");
    fflush(in->out);
    if (rc_list_len(in->m.heap, chain) == 0)
        fprintf(in->out, "why-alive: nothing holds it (garbage)\n");
    else
        fprintf(in->out, "why-alive: held through %zu objects\n", rc_list_len(in->m.heap, chain));
    print_chain(in, chain);
    V r = from_rc_list(in, chain);
    rc_decref(in->m.heap, chain);
    return r;
}

static V draw(interp *in, int argc, V *argv, bool back)
{
    if (!IS(in, argv[1], K_STRING))
        return scm_error(in, "show-refs: expects a file name");
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.output_path = mem_string_data(&in->m, argv[1]);
    opt.max_depth = (size_t)opt_int(argv, argc, 2, 3);
    opt.refcounts = true;
    rc_object *objs[1] = {argv[0]};
    opt.caller_refs = back ? 1 : 0; /* the evaluator's reference to the argument (owned_args) */
    rc_status st = back ? rc_graph_show_backrefs(in->m.heap, objs, 1, &opt)
                        : rc_graph_show_refs(in->m.heap, objs, 1, &opt);
    return st != RC_OK ? fail(in, back ? "show-backrefs" : "show-refs") : CONSTANT(in->unspec);
}
static V p_show_refs(interp *in, int argc, V *argv)
{
    return draw(in, argc, argv, false);
}
static V p_show_backrefs(interp *in, int argc, V *argv)
{
    return draw(in, argc, argv, true);
}

static V p_show_chain(interp *in, int argc, V *argv)
{
    (void)argc;
    if (!IS(in, argv[1], K_STRING))
        return scm_error(in, "show-chain: expects a file name");
    rc_object *list = rc_list_new(in->m.heap, 8);
    if (list == NULL)
        return fail(in, "show-chain");
    for (V l = argv[0]; IS(in, l, K_PAIR); l = CDR(l))
        rc_list_append(in->m.heap, list, CAR(l));
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.output_path = mem_string_data(&in->m, argv[1]);
    opt.refcounts = true;
    rc_status st = rc_graph_show_chain(in->m.heap, list, &opt);
    rc_decref(in->m.heap, list);
    return st != RC_OK ? fail(in, "show-chain") : CONSTANT(in->unspec);
}

static V p_refcount(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_int(in, rc_refcount(argv[0]));
}

static V p_heap_check(interp *in, int argc, V *argv)
{
    (void)argc, (void)argv;
    return rc_heap_check(in->m.heap) != RC_OK ? fail(in, "heap-check") : CONSTANT(in->t);
}

bool scm_define_gc_builtins(interp *in)
{
    return scm_define_prim(in, "gc-collect", p_gc_collect, 0, 1) &&
           scm_define_prim(in, "gc-count", p_gc_count, 0, 0) &&
           scm_define_prim(in, "gc-enable", p_gc_enable, 0, 0) &&
           scm_define_prim(in, "gc-disable", p_gc_disable, 0, 0) &&
           scm_define_prim(in, "live-objects", p_live_objects, 0, 0) &&
           scm_define_prim(in, "type-count", p_type_count, 1, 1) &&
           scm_define_prim(in, "show-types", p_show_types, 0, 1) &&
           scm_define_prim(in, "show-growth", p_show_growth, 0, 1) &&
           scm_define_prim(in, "why-alive", p_why_alive, 1, 1) &&
           scm_define_prim(in, "show-refs", p_show_refs, 2, 3) &&
           scm_define_prim(in, "show-backrefs", p_show_backrefs, 2, 3) &&
           scm_define_prim(in, "show-chain", p_show_chain, 2, 2) &&
           scm_define_prim(in, "heap-check", p_heap_check, 0, 0) &&
           scm_define_prim(in, "refcount", p_refcount, 1, 1) &&
           scm_prim_owns_args(in, "why-alive") && scm_prim_owns_args(in, "show-backrefs");
}

#else

bool scm_define_gc_builtins(interp *in)
{
    (void)in;
    return true;
}

#endif
