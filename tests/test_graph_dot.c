/* Public-API tests of the graph tools' DOT text and images: labelled references, show_refs
 * and show_backrefs (nodes, edges, labels, depth cut-off, too_many marker, filters,
 * ignores, roots), rendered files of each format, introspection lists. */
#define _POSIX_C_SOURCE 200809L
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
#include <unistd.h>

/* Heaps come from rt_heap_new_exact (tests/support): collections happen only where a test
 * asks, also in RCGC_STRESS_GC builds, since the tests hold borrowed pointers to garbage. */

static rc_object *ints(rc_heap *h, int n, int first)
{
    rc_object *l = rc_list_new(h, 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(rc_list_append_steal(h, l, rc_int_new(h, first + i)), RC_OK);
    return l;
}

/* Runs show_refs or show_backrefs into a temporary stream; returns the DOT text (free it). */
static char *dot_of(rc_heap *h, rc_object *const *objs, size_t n, rc_graph_options *opt, bool back,
                    rc_graph_result *res)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    opt->output_stream = f;
    opt->result = res;
    if (res != NULL)
        res->size = sizeof *res;
    rc_status st =
        back ? rc_graph_show_backrefs(h, objs, n, opt) : rc_graph_show_refs(h, objs, n, opt);
    assert_int_equal(st, RC_OK);
    long len = ftell(f);
    rewind(f);
    char *text = calloc((size_t)len + 1, 1);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return text;
}

static size_t occurrences(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what))
        n++;
    return n;
}

static bool has_edge(const char *text, const void *from, const void *to, const char *label)
{
    char want[200];
    snprintf(want, sizeof want, "o%lx -> o%lx [label=\"%s\"]", (unsigned long)(uintptr_t)from,
             (unsigned long)(uintptr_t)to, label);
    return strstr(text, want) != NULL;
}

/* x = [1, 2, 3]; y = [4, 5, 6]; x.append(y); y.append(x) */
static void lesson_lists(rc_heap *h, rc_object **x, rc_object **y)
{
    *x = ints(h, 3, 1);
    *y = ints(h, 3, 4);
    rc_list_append(h, *x, *y);
    rc_list_append(h, *y, *x);
}

static void drop_cycle(rc_heap *h, rc_object *x, rc_object *y)
{
    rc_decref(h, x);
    rc_decref(h, y);
    assert_int_equal(rc_collect(h, 2), 2);
}

/* ---- labels ---- */

typedef struct node {
    rc_object hdr;
    rc_object *left, *right;
} node;

static const rc_type *node_type(rc_heap *h, bool named)
{
    static const size_t offs[] = {offsetof(node, left), offsetof(node, right)};
    static const char *const names[] = {"left", "right"};
    rc_type_spec spec = {.size = sizeof spec,
                         .name = named ? "demo.Node" : "Plain",
                         .instance_bytes = sizeof(node),
                         .ref_offsets = offs,
                         .n_ref_offsets = 2,
                         .ref_names = named ? names : NULL};
    const rc_type *t = rc_type_new(h, &spec);
    assert_non_null(t);
    return t;
}

typedef struct labels {
    char text[512];
} labels;

static int collect_label(rc_heap *h, rc_object *target, const char *label, void *user)
{
    labels *l = user;
    char one[64];
    snprintf(one, sizeof one, "%s=%s;", label,
             target == NULL ? "None" : rc_type_name(rc_type_of(h, target)));
    strcat(l->text, one);
    return 0;
}

static void each_ref_labels_fields_items_and_dict_keys(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *n = rc_new(h, node_type(h, true));
    rc_object *p = rc_new(h, node_type(h, false));
    rc_object *l = ints(h, 2, 7);
    rc_object *d = rc_dict_new(h);
    rc_object *k = rc_str_from_cstr(h, "name");
    rc_dict_set(h, d, k, l);
    ((node *)n)->left = rc_newref(l);
    labels out = {""};
    rc_graph_each_ref(h, n, collect_label, &out);
    assert_string_equal(out.text, "left=list;right=None;");
    out.text[0] = '\0';
    rc_graph_each_ref(h, p, collect_label, &out);
    assert_string_equal(out.text, "field 0=None;field 1=None;");
    out.text[0] = '\0';
    rc_graph_each_ref(h, l, collect_label, &out);
    assert_string_equal(out.text, "[0]=int;[1]=int;");
    out.text[0] = '\0';
    rc_graph_each_ref(h, d, collect_label, &out);
    assert_string_equal(out.text, "key=str;'name'=list;");
    rc_decref(h, k);
    rc_decref(h, d);
    rc_decref(h, l);
    rc_decref(h, n);
    rc_decref(h, p);
    rt_heap_finish(h);
}

/* ---- show_refs ---- */

static void show_refs_draws_lesson_cycle_with_labels(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *x, *y;
    lesson_lists(h, &x, &y);
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    rc_graph_result res;
    char *dot = dot_of(h, &x, 1, &opt, false, &res);
    assert_non_null(strstr(dot, "digraph ObjectGraph {"));
    assert_int_equal(res.n_nodes, 8); /* x, y, six ints */
    assert_int_equal(res.n_edges, 8);
    assert_true(has_edge(dot, x, y, "[3]"));
    assert_true(has_edge(dot, y, x, "[3]"));
    assert_true(has_edge(dot, x, rc_list_get_borrow(h, x, 0), "[0]"));
    assert_non_null(strstr(dot, "label=\"list\\n[1, 2, 3, [4, 5, 6, [...]]]\""));
    assert_non_null(strstr(dot, "label=\"int\\n6\""));
    assert_int_equal(occurrences(dot, "fontcolor=red"), 1); /* the start node */
    assert_null(strstr(dot, "more references"));
    assert_false(res.rendered);
    assert_string_equal(res.path, "");
    free(dot);
    drop_cycle(h, x, y);
    rt_heap_finish(h);
}

static void show_refs_stops_at_max_depth(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    /* a chain of nested lists: l0 -> l1 -> l2 -> l3 -> l4 */
    rc_object *l[5];
    for (int i = 0; i < 5; i++)
        l[i] = rc_list_new(h, 0);
    for (int i = 0; i < 4; i++)
        rc_list_append(h, l[i], l[i + 1]);
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.max_depth = 2;
    rc_graph_result res;
    char *dot = dot_of(h, l, 1, &opt, false, &res);
    assert_int_equal(res.n_nodes, 3);
    assert_int_equal(res.n_edges, 2);
    assert_true(has_edge(dot, l[1], l[2], "[0]"));
    assert_null(strstr(dot, "label=\"list\\n[]\"")); /* l4 is out of reach */
    free(dot);
    opt.max_depth = 0;
    dot = dot_of(h, l, 1, &opt, false, &res);
    assert_int_equal(res.n_nodes, 1);
    assert_int_equal(res.n_edges, 0);
    free(dot);
    for (int i = 0; i < 5; i++)
        rc_decref(h, l[i]);
    rt_heap_finish(h);
}

static void show_refs_marks_too_many(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *l = rc_list_new(h, 0);
    for (int i = 0; i < 15; i++)
        rc_list_append_steal(h, l, rc_float_new(h, i + 0.5));
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.too_many = 4;
    rc_graph_result res;
    char *dot = dot_of(h, &l, 1, &opt, false, &res);
    assert_int_equal(res.n_nodes, 5);
    assert_non_null(strstr(dot, "label=\"11 more references\""));
    char marker[80];
    snprintf(marker, sizeof marker, "o%lx -> too_many_o%lx", (unsigned long)(uintptr_t)l,
             (unsigned long)(uintptr_t)l);
    assert_non_null(strstr(dot, marker));
    free(dot);
    rc_decref(h, l);
    rt_heap_finish(h);
}

static bool not_float(rc_heap *h, rc_object *obj, void *user)
{
    (void)user;
    return rc_type_of(h, obj) != rc_heap_builtin_float(h);
}

static bool is_str(rc_heap *h, rc_object *obj, void *user)
{
    (void)user;
    return rc_type_of(h, obj) == rc_heap_builtin_str(h);
}

static void info_line(rc_heap *h, rc_object *obj, char *buf, size_t cap, void *user)
{
    (void)h;
    (void)user;
    snprintf(buf, cap, "info:%s", rc_is_heap_object(obj) ? "obj" : "value");
}

static void show_refs_applies_filter_ignore_highlight_and_extras(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *l = rc_list_new(h, 0);
    rc_object *skip = rc_str_from_cstr(h, "skip me");
    rc_object *keep = rc_str_from_cstr(h, "keep \"me\"");
    rc_list_append_steal(h, l, rc_float_new(h, 2.5));
    rc_list_append(h, l, skip);
    rc_list_append(h, l, keep);
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.filter = not_float;
    opt.extra_ignore = &skip;
    opt.n_extra_ignore = 1;
    opt.highlight = is_str;
    opt.extra_info = info_line;
    opt.refcounts = true;
    rc_graph_result res;
    char *dot = dot_of(h, &l, 1, &opt, false, &res);
    assert_int_equal(res.n_nodes, 2);
    assert_null(strstr(dot, "label=\"float"));
    assert_null(strstr(dot, "label=\"str [2]\\n'skip"));
    assert_non_null(strstr(dot, "label=\"str [2]\\n'keep \\\"me\\\"'\\ninfo:obj\""));
    assert_non_null(strstr(dot, "fillcolor=\"0.6,0.6,"));
    assert_true(has_edge(dot, l, keep, "[2]"));
    free(dot);
    rc_decref(h, skip);
    rc_decref(h, keep);
    rc_decref(h, l);
    rt_heap_finish(h);
}

/* ---- show_backrefs ---- */

static void show_backrefs_finds_referrers_and_marks_roots(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *x, *y;
    lesson_lists(h, &x, &y);
    rc_object *holder = rc_dict_new(h);
    rc_object *key = rc_str_from_cstr(h, "x");
    rc_dict_set(h, holder, key, x);
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    rc_graph_result res;
    char *dot = dot_of(h, &x, 1, &opt, true, &res);
    assert_int_equal(res.n_nodes, 3);
    assert_true(has_edge(dot, y, x, "[3]"));
    assert_true(has_edge(dot, holder, x, "'x'"));
    assert_true(has_edge(dot, x, y, "[3]"));
    /* x, y and the dict are each held by this test too: all three are roots */
    assert_int_equal(occurrences(dot, "held from outside (1)"), 3);
    assert_int_equal(occurrences(dot, "peripheries=2"), 3);
    free(dot);
    /* once the test lets go of the dict and y, only x stays a root */
    rc_decref(h, holder);
    rc_decref(h, key);
    drop_cycle(h, x, y);
    rt_heap_finish(h);
}

static void show_backrefs_roots_only_outside_holders(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *top = rc_list_new(h, 0);
    rc_object *mid = rc_list_new(h, 0);
    rc_object *leaf = rc_float_new(h, 1.25);
    rc_list_append(h, top, mid);
    rc_list_append(h, mid, leaf);
    rc_decref(h, mid); /* mid and leaf are held only inside the heap now */
    rc_decref(h, leaf);
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.max_depth = 1;
    rc_graph_result res;
    char *dot = dot_of(h, &leaf, 1, &opt, true, &res);
    assert_int_equal(res.n_nodes, 2); /* depth 1: leaf and mid */
    assert_null(strstr(dot, "held from outside"));
    free(dot);
    opt.max_depth = 3;
    dot = dot_of(h, &leaf, 1, &opt, true, &res);
    assert_int_equal(res.n_nodes, 3);
    assert_int_equal(occurrences(dot, "held from outside (1)"), 1);
    assert_non_null(strstr(dot, "label=\"list\\n[[1.25]]\\nheld from outside (1)\""));
    free(dot);
    rc_decref(h, top);
    rt_heap_finish(h);
}

/* ---- files ---- */

static bool starts_with_file(const char *path, const char *magic, size_t n)
{
    char buf[16] = {0};
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    return got == n && memcmp(buf, magic, n) == 0;
}

static bool file_contains(const char *path, const char *what)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    char *buf = calloc(1 << 20, 1);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[n] = '\0';
    bool found = strstr(buf, what) != NULL;
    free(buf);
    return found;
}

static void show_refs_writes_each_format(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *x, *y;
    lesson_lists(h, &x, &y);
    char dir[] = "/tmp/rcgc-graph-XXXXXX";
    assert_non_null(mkdtemp(dir));
    static const char *const exts[] = {"dot", "svg", "png", "pdf"};
    for (size_t i = 0; i < 4; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/refs.%s", dir, exts[i]);
        rc_graph_options opt;
        rc_graph_options_init(&opt);
        rc_graph_result res = {.size = sizeof res};
        opt.output_path = path;
        opt.result = &res;
        assert_int_equal(rc_graph_show_refs(h, &x, 1, &opt), RC_OK);
        if (i > 0 && !res.rendered) {
            /* built without Graphviz: DOT text next to the asked name, and a note */
            assert_non_null(strstr(res.message, "without Graphviz"));
            assert_true(file_contains(res.path, "digraph ObjectGraph"));
            remove(res.path);
            continue;
        }
        assert_string_equal(res.path, path);
        if (i == 0)
            assert_true(file_contains(path, "digraph ObjectGraph {"));
        else if (i == 1)
            assert_true(file_contains(path, "<svg"));
        else if (i == 2)
            assert_true(starts_with_file(path, "\x89PNG", 4));
        else
            assert_true(starts_with_file(path, "%PDF", 4));
        assert_int_equal(remove(path), 0);
    }
    assert_int_equal(rmdir(dir), 0); /* no temporary files were left behind */
    drop_cycle(h, x, y);
    rt_heap_finish(h);
}

static void show_refs_rejects_bad_output(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *l = rc_list_new(h, 0);
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    assert_int_equal(rc_graph_show_refs(h, &l, 1, &opt), RC_EINVAL);
    opt.output_path = "/tmp/picture.jpeg";
    assert_int_equal(rc_graph_show_refs(h, &l, 1, &opt), RC_EINVAL);
    assert_non_null(strstr(rc_heap_errmsg(h), "picture.jpeg"));
    opt.output_path = "/nonexistent-dir/x.dot";
    assert_int_equal(rc_graph_show_refs(h, &l, 1, &opt), RC_EOS);
    assert_int_equal(rc_graph_show_refs(h, &l, 1, NULL), RC_EINVAL);
    rc_decref(h, l);
    rt_heap_finish(h);
}

/* ---- introspection ---- */

static void get_referents_and_referrers_match_python(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *x, *y;
    lesson_lists(h, &x, &y);
    rc_object *refs = rc_gc_get_referents(h, &x, 1);
    assert_int_equal(rc_list_len(h, refs), 4);
    assert_ptr_equal(rc_list_get_borrow(h, refs, 3), y);
    rc_object *back = rc_gc_get_referrers(h, &x, 1);
    assert_int_equal(rc_list_len(h, back), 1);
    assert_ptr_equal(rc_list_get_borrow(h, back, 0), y);
    rc_object *again = rc_gc_get_referrers(h, &y, 1); /* x, refs and back hold y */
    assert_int_equal(rc_list_len(h, again), 3);
    rc_object *objs = rc_gc_get_objects(h, -1);
    assert_int_equal(rc_list_len(h, objs), 5); /* x, y, refs, back, again; never itself */
    rc_object *young = rc_gc_get_objects(h, 0);
    assert_int_equal(rc_list_len(h, young), 6);
    rc_object *old = rc_gc_get_objects(h, 2);
    assert_int_equal(rc_list_len(h, old), 0);
    assert_null(rc_gc_get_objects(h, 3));
    assert_int_equal(rc_heap_last_error(h), RC_EINVAL);
    rc_decref(h, refs);
    rc_decref(h, back);
    rc_decref(h, again);
    rc_decref(h, objs);
    rc_decref(h, young);
    rc_decref(h, old);
    drop_cycle(h, x, y);
    rt_heap_finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_ref_labels_fields_items_and_dict_keys),
        cmocka_unit_test(show_refs_draws_lesson_cycle_with_labels),
        cmocka_unit_test(show_refs_stops_at_max_depth),
        cmocka_unit_test(show_refs_marks_too_many),
        cmocka_unit_test(show_refs_applies_filter_ignore_highlight_and_extras),
        cmocka_unit_test(show_backrefs_finds_referrers_and_marks_roots),
        cmocka_unit_test(show_backrefs_roots_only_outside_holders),
        cmocka_unit_test(show_refs_writes_each_format),
        cmocka_unit_test(show_refs_rejects_bad_output),
        cmocka_unit_test(get_referents_and_referrers_match_python),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
