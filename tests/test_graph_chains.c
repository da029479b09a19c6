/* Public-API tests of reference chains and why-alive on known heaps: find_backref_chain,
 * find_ref_chain, show_chain, rc_graph_why_alive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rcgc.h"
#include "rctest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Heaps come from rt_heap_new_exact (tests/support): collections happen only where a test
 * asks, also in RCGC_STRESS_GC builds, since the tests hold borrowed pointers to garbage. */

static bool is_dict(rc_heap *h, rc_object *obj, void *user)
{
    (void)user;
    return rc_type_of(h, obj) == rc_heap_builtin_dict(h);
}

static bool is_float(rc_heap *h, rc_object *obj, void *user)
{
    (void)user;
    return rc_type_of(h, obj) == rc_heap_builtin_float(h);
}

static bool is_obj(rc_heap *h, rc_object *obj, void *user)
{
    (void)h;
    return obj == user;
}

/* registry = {'sessions': [session]}, session = {'data': [leaf]}; only registry is held by
 * the test (besides the borrowed pointers it keeps). */
typedef struct world {
    rc_object *registry, *sessions, *session, *data, *leaf;
} world;

static void set_str(rc_heap *h, rc_object *d, const char *k, rc_object *v)
{
    rc_object *key = rc_str_from_cstr(h, k);
    assert_int_equal(rc_dict_set(h, d, key, v), RC_OK);
    rc_decref(h, key);
}

static world make_world(rc_heap *h)
{
    world w;
    w.registry = rc_dict_new(h);
    w.sessions = rc_list_new(h, 0);
    w.session = rc_dict_new(h);
    w.data = rc_list_new(h, 0);
    w.leaf = rc_float_new(h, 3.5);
    rc_list_append(h, w.data, w.leaf);
    set_str(h, w.session, "data", w.data);
    rc_list_append(h, w.sessions, w.session);
    set_str(h, w.registry, "sessions", w.sessions);
    rc_decref(h, w.sessions);
    rc_decref(h, w.session);
    rc_decref(h, w.data);
    rc_decref(h, w.leaf);
    return w;
}

static void expect_chain(rc_heap *h, rc_object *chain, rc_object *const *want, size_t n)
{
    assert_int_equal(rc_list_len(h, chain), n);
    for (size_t i = 0; i < n; i++)
        assert_ptr_equal(rc_list_get_borrow(h, chain, (int64_t)i), want[i]);
}

static void backref_chain_reaches_nearest_match(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    world w = make_world(h);
    rc_object *chain = NULL;
    assert_int_equal(rc_graph_find_backref_chain(h, w.leaf, is_dict, NULL, 20, NULL, 0, &chain),
                     RC_OK);
    rc_object *want[] = {w.session, w.data, w.leaf};
    expect_chain(h, chain, want, 3);
    rc_decref(h, chain);
    /* ignoring the session leaves no dict within reach */
    assert_int_equal(
        rc_graph_find_backref_chain(h, w.leaf, is_dict, NULL, 20, &w.session, 1, &chain), RC_OK);
    expect_chain(h, chain, &w.leaf, 1);
    rc_decref(h, chain);
    /* too shallow */
    assert_int_equal(rc_graph_find_backref_chain(h, w.leaf, is_obj, w.registry, 3, NULL, 0, &chain),
                     RC_OK);
    expect_chain(h, chain, &w.leaf, 1);
    rc_decref(h, chain);
    assert_int_equal(rc_graph_find_backref_chain(h, w.leaf, is_obj, w.registry, 4, NULL, 0, &chain),
                     RC_OK);
    rc_object *full[] = {w.registry, w.sessions, w.session, w.data, w.leaf};
    expect_chain(h, chain, full, 5);
    rc_decref(h, chain);
    rc_decref(h, w.registry);
    rt_heap_finish(h);
}

static void ref_chain_follows_references(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    world w = make_world(h);
    rc_object *chain = NULL;
    assert_int_equal(rc_graph_find_ref_chain(h, w.registry, is_float, NULL, 10, NULL, 0, &chain),
                     RC_OK);
    rc_object *want[] = {w.registry, w.sessions, w.session, w.data, w.leaf};
    expect_chain(h, chain, want, 5);
    rc_decref(h, chain);
    assert_int_equal(rc_graph_find_ref_chain(h, w.registry, is_float, NULL, 2, NULL, 0, &chain),
                     RC_OK);
    expect_chain(h, chain, &w.registry, 1);
    rc_decref(h, chain);
    assert_int_equal(rc_graph_find_ref_chain(h, w.registry, NULL, NULL, 2, NULL, 0, &chain),
                     RC_EINVAL);
    rc_decref(h, w.registry);
    rt_heap_finish(h);
}

static void why_alive_names_the_global_holder(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    world w = make_world(h);
    rc_object *chain = NULL;
    assert_int_equal(rc_graph_why_alive(h, w.leaf, &chain), RC_OK);
    rc_object *want[] = {w.registry, w.sessions, w.session, w.data, w.leaf};
    expect_chain(h, chain, want, 5);
    rc_decref(h, chain);
    /* a second holder nearer the leaf gives the shorter chain */
    rc_object *mine = rc_newref(w.data);
    assert_int_equal(rc_graph_why_alive(h, w.leaf, &chain), RC_OK);
    rc_object *shorter[] = {w.data, w.leaf};
    expect_chain(h, chain, shorter, 2);
    rc_decref(h, chain);
    rc_decref(h, mine);
    /* holding the object itself makes it its own root */
    rc_incref(w.leaf);
    assert_int_equal(rc_graph_why_alive(h, w.leaf, &chain), RC_OK);
    expect_chain(h, chain, &w.leaf, 1);
    rc_decref(h, chain);
    rc_decref(h, w.leaf);
    rc_decref(h, w.registry);
    rt_heap_finish(h);
}

static void why_alive_is_empty_for_cyclic_garbage(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *a = rc_list_new(h, 0), *b = rc_list_new(h, 0);
    rc_list_append(h, a, b);
    rc_list_append(h, b, a);
    rc_decref(h, a);
    rc_decref(h, b);
    rc_object *chain = NULL;
    assert_int_equal(rc_graph_why_alive(h, a, &chain), RC_OK);
    assert_int_equal(rc_list_len(h, chain), 0);
    rc_decref(h, chain);
    assert_int_equal(rc_collect(h, 2), 2);
    rt_heap_finish(h);
}

static void show_chain_draws_chain_with_root(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    world w = make_world(h);
    rc_object *chain = NULL;
    assert_int_equal(rc_graph_why_alive(h, w.leaf, &chain), RC_OK);
    FILE *f = tmpfile();
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    rc_graph_result res = {.size = sizeof res};
    opt.output_stream = f;
    opt.result = &res;
    assert_int_equal(rc_graph_show_chain(h, chain, &opt), RC_OK);
    assert_int_equal(res.n_nodes, 5);
    assert_int_equal(res.n_edges, 4);
    long len = ftell(f);
    rewind(f);
    char *dot = calloc((size_t)len + 1, 1);
    assert_int_equal(fread(dot, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    char edge[128];
    snprintf(edge, sizeof edge, "o%lx -> o%lx [label=\"'sessions'\"]",
             (unsigned long)(uintptr_t)w.registry, (unsigned long)(uintptr_t)w.sessions);
    assert_non_null(strstr(dot, edge));
    /* only the registry is held from outside (the chain list's references are inside) */
    const char *root = strstr(dot, "held from outside");
    assert_non_null(root);
    assert_null(strstr(root + 1, "held from outside"));
    free(dot);
    rc_decref(h, chain);
    rc_decref(h, w.registry);
    rt_heap_finish(h);
}

/* objgraph's show_chain shows each object's count as show_backrefs does: the chain list's
 * own reference to it is not counted ([1] for an object held once, not [2]). */
static char *chain_dot(rc_heap *h, rc_object *chain, rc_object *const *objs, bool backrefs)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.output_stream = f;
    opt.refcounts = true;
    opt.max_depth = 1;
    if (backrefs)
        assert_int_equal(rc_graph_show_backrefs(h, objs, 1, &opt), RC_OK);
    else
        assert_int_equal(rc_graph_show_chain(h, chain, &opt), RC_OK);
    long len = ftell(f);
    rewind(f);
    char *dot = calloc((size_t)len + 1, 1);
    assert_int_equal(fread(dot, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return dot;
}

static void show_chain_counts_leave_out_the_chain_list(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    world w = make_world(h);
    char *back = chain_dot(h, NULL, &w.data, true); /* before the chain list holds data */
    rc_object *chain = NULL;
    assert_int_equal(rc_graph_why_alive(h, w.leaf, &chain), RC_OK);
    char *dot = chain_dot(h, chain, NULL, false);
    char want[64];
    /* data is held once (by the session): [1] in both pictures */
    snprintf(want, sizeof want, "o%lx [label=\"list [1]", (unsigned long)(uintptr_t)w.data);
    assert_non_null(strstr(back, want));
    assert_non_null(strstr(dot, want));
    snprintf(want, sizeof want, "o%lx [label=\"float [1]", (unsigned long)(uintptr_t)w.leaf);
    assert_non_null(strstr(dot, want));
    /* the registry: the caller's reference only */
    snprintf(want, sizeof want, "o%lx [label=\"dict [1]", (unsigned long)(uintptr_t)w.registry);
    assert_non_null(strstr(dot, want));
    free(dot);
    free(back);
    rc_decref(h, chain);
    rc_decref(h, w.registry);
    rt_heap_finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backref_chain_reaches_nearest_match),
        cmocka_unit_test(ref_chain_follows_references),
        cmocka_unit_test(why_alive_names_the_global_holder),
        cmocka_unit_test(why_alive_is_empty_for_cyclic_garbage),
        cmocka_unit_test(show_chain_draws_chain_with_root),
        cmocka_unit_test(show_chain_counts_leave_out_the_chain_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
