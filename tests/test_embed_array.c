/* Trailing arrays of references and edge labels (issue 17, item 2): a type declared with
 * ref_array_count_offset/ref_array_offset needs no traverse or clear; the collector,
 * releases, rc_traverse, rc_gc_get_referents and the graph tools see its entries; ref_label
 * names a traverse type's edges. */
#define _POSIX_C_SOURCE 200809L
#include "rctest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct frame {
    rc_object hdr;
    rc_object *parent;
    size_t n;
    rc_object *slots[];
} frame;

static const rc_type *frame_type(rc_heap *h, const char *array_name)
{
    static const size_t offs[] = {offsetof(frame, parent)};
    static const char *const names[] = {"parent"};
    rc_type_spec spec = {.size = sizeof spec,
                         .name = "frame",
                         .instance_bytes = sizeof(frame),
                         .ref_offsets = offs,
                         .ref_names = names,
                         .n_ref_offsets = 1,
                         .ref_array_count_offset = offsetof(frame, n),
                         .ref_array_offset = offsetof(frame, slots),
                         .ref_array_name = array_name};
    const rc_type *t = rc_type_new(h, &spec);
    assert_non_null(t);
    return t;
}

static frame *frame_new(rc_heap *h, const rc_type *t, size_t n)
{
    frame *f = (frame *)(void *)rc_new_var(h, t, sizeof(frame) + n * sizeof(rc_object *));
    assert_non_null(f);
    assert_int_equal(f->n, 0);
    f->n = n;
    return f;
}

/* Releasing a frame releases its parent and every entry in use. */
static void release_drops_entries(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    const rc_type *t = frame_type(h, NULL);
    frame *empty = frame_new(h, t, 0);
    assert_true(rc_gc_is_tracked(h, &empty->hdr));
    rc_decref(h, &empty->hdr);
    size_t strs0 = rc_type_live_count(rc_heap_builtin_str(h));
    frame *f = frame_new(h, t, 3);
    f->slots[0] = rc_str_from_cstr(h, "a");
    f->slots[2] = rc_str_from_cstr(h, "c"); /* slot 1 stays None */
    f->parent = rc_str_from_cstr(h, "p");
    assert_true(rc_gc_is_tracked(h, &f->hdr));
    assert_int_equal(rc_type_live_count(rc_heap_builtin_str(h)), strs0 + 3);
    rc_decref(h, &f->hdr);
    assert_int_equal(rc_type_live_count(rc_heap_builtin_str(h)), strs0);
    assert_int_equal(rc_type_live_count(t), 0);
    rt_heap_finish(h);
}

/* An environment cycle through array entries is collected. */
static void collector_follows_entries(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    const rc_type *t = frame_type(h, "slot");
    frame *env = frame_new(h, t, 2);
    frame *closure = frame_new(h, t, 1);
    env->slots[1] = rc_newref(&closure->hdr);
    closure->parent = rc_newref(&env->hdr);
    closure->slots[0] = rc_str_from_cstr(h, "body");
    /* Reachable from outside through env: nothing to collect. */
    rc_decref(h, &closure->hdr);
    assert_int_equal(rc_collect(h, 2), 0);
    assert_int_equal(rc_type_live_count(t), 2);
    rc_decref(h, &env->hdr);
    assert_int_equal(rc_type_live_count(t), 2);
    assert_int_equal(rc_collect(h, 2), 2);
    assert_int_equal(rc_type_live_count(t), 0);
    rt_heap_finish(h);
}

typedef struct labels {
    char text[8][32];
    rc_object *target[8];
    int n;
} labels;

static int record_label(rc_heap *h, rc_object *target, const char *label, void *user)
{
    (void)h;
    labels *l = user;
    if (l->n < 8) {
        snprintf(l->text[l->n], sizeof l->text[0], "%s", label);
        l->target[l->n] = target;
    }
    l->n++;
    return 0;
}

static void referents_and_labels(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new();
    const rc_type *named = frame_type(h, "slot");
    frame *f = frame_new(h, named, 2);
    f->parent = rc_int_new(h, 7);
    f->slots[0] = rc_str_from_cstr(h, "x");
    f->slots[1] = rc_int_new(h, 9);
    rc_object *self = &f->hdr;
    rc_object *refs = rc_gc_get_referents(h, &self, 1);
    assert_int_equal(rc_list_len(h, refs), 3);
    assert_int_equal(rc_int_value(h, rc_list_get_borrow(h, refs, 0)), 7);
    assert_ptr_equal(rc_list_get_borrow(h, refs, 1), f->slots[0]);
    assert_int_equal(rc_int_value(h, rc_list_get_borrow(h, refs, 2)), 9);
    rc_decref(h, refs);
    labels l = {.n = 0};
    assert_int_equal(rc_graph_each_ref(h, self, record_label, &l), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.text[0], "parent");
    assert_string_equal(l.text[1], "slot[0]");
    assert_string_equal(l.text[2], "slot[1]");
    /* Without a name: "[i]". */
    const rc_type *plain = frame_type(h, NULL);
    frame *g = frame_new(h, plain, 1);
    rc_object *gs = &g->hdr;
    l.n = 0;
    rc_graph_each_ref(h, gs, record_label, &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.text[0], "parent");
    assert_string_equal(l.text[1], "[0]");
    rc_decref(h, gs);
    rc_decref(h, self);
    rt_heap_finish(h);
}

static void check_reports_oversized_count(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new();
    const rc_type *t = frame_type(h, NULL);
    frame *f = frame_new(h, t, 2);
    assert_int_equal(rc_heap_check(h), RC_OK);
    f->n = 100000;
    assert_int_equal(rc_heap_check(h), RC_ECORRUPT);
    assert_non_null(strstr(rc_heap_errmsg(h), "trailing array count larger than its object"));
    f->n = 2;
    rc_decref(h, &f->hdr);
    rt_heap_finish(h);
}

static int no_traverse(rc_heap *h, rc_object *self, rc_visit_fn visit, void *arg)
{
    (void)h, (void)self, (void)visit, (void)arg;
    return 0;
}
static void no_clear(rc_heap *h, rc_object *self)
{
    (void)h, (void)self;
}

static void bad_specs_are_refused(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new();
    rc_type_spec base = {.size = sizeof base,
                         .name = "f",
                         .instance_bytes = sizeof(frame),
                         .ref_array_count_offset = offsetof(frame, n),
                         .ref_array_offset = offsetof(frame, slots)};
    rc_type_spec s = base;
    s.ref_array_offset = 0;
    assert_null(rc_type_new(h, &s));
    assert_string_equal(rc_heap_errmsg(h), "rc_type_new: type 'f' gives only one of "
                                           "ref_array_count_offset (16) and ref_array_offset (0)");
    s = base;
    s.traverse = no_traverse;
    s.clear = no_clear;
    assert_null(rc_type_new(h, &s));
    assert_string_equal(rc_heap_errmsg(h),
                        "rc_type_new: type 'f' gives both a trailing array and traverse");
    s = base;
    s.ref_array_offset = 12;
    assert_null(rc_type_new(h, &s));
    assert_int_equal(rc_heap_last_error(h), RC_EINVAL);
    s = base;
    s.ref_array_count_offset = offsetof(frame, slots); /* not before the array */
    assert_null(rc_type_new(h, &s));
    assert_int_equal(rc_heap_last_error(h), RC_EINVAL);
    static const size_t inside[] = {offsetof(frame, n)};
    s = base;
    s.ref_offsets = inside;
    s.n_ref_offsets = 1;
    assert_null(rc_type_new(h, &s));
    assert_string_equal(rc_heap_errmsg(h),
                        "rc_type_new: type 'f' reference offset 16 overlaps the array's count "
                        "(offset 16) or entries (from offset 24)");
    /* A spec of the previous size knows nothing of arrays. */
    s = base;
    s.size = RC_TYPE_SPEC_V2_BYTES;
    const rc_type *old = rc_type_new(h, &s);
    assert_non_null(old);
    rc_object *o = rc_new(h, old);
    assert_false(rc_gc_is_tracked(h, o));
    rc_decref(h, o);
    rt_heap_finish(h);
}

/* A traverse type names its edges through ref_label. */
typedef struct lambda {
    rc_object hdr;
    rc_object *x, *y;
} lambda;

static int lambda_traverse(rc_heap *h, rc_object *self, rc_visit_fn visit, void *arg)
{
    lambda *l = (lambda *)(void *)self;
    int r = visit(h, l->x, arg);
    return r != 0 ? r : visit(h, l->y, arg);
}
static void lambda_clear(rc_heap *h, rc_object *self)
{
    lambda *l = (lambda *)(void *)self;
    rc_object *x = l->x, *y = l->y;
    l->x = l->y = NULL;
    rc_decref(h, x);
    rc_decref(h, y);
}
static void lambda_label(rc_heap *h, rc_object *self, size_t index, char *buf, size_t cap)
{
    (void)h, (void)self;
    if (index == 0)
        snprintf(buf, cap, "x");
    /* index 1: left empty, the default label stays */
}

static void traverse_types_label_edges(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new();
    rc_type_spec spec = {.size = sizeof spec,
                         .name = "lambda",
                         .instance_bytes = sizeof(lambda),
                         .traverse = lambda_traverse,
                         .clear = lambda_clear,
                         .ref_label = lambda_label};
    const rc_type *t = rc_type_new(h, &spec);
    assert_non_null(t);
    lambda *l = (lambda *)(void *)rc_new(h, t);
    l->x = rt_list(h);
    l->y = rt_list(h);
    labels got = {.n = 0};
    rc_graph_each_ref(h, &l->hdr, record_label, &got);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.text[0], "x");
    assert_string_equal(got.text[1], "ref 1");
    /* The picture says x too. */
    char *dot = NULL;
    size_t dot_len = 0;
    FILE *out = open_memstream(&dot, &dot_len);
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.output_stream = out;
    rc_object *start = &l->hdr;
    assert_int_equal(rc_graph_show_refs(h, &start, 1, &opt), RC_OK);
    fclose(out);
    assert_non_null(strstr(dot, "[label=\"x\"]"));
    assert_non_null(strstr(dot, "[label=\"ref 1\"]"));
    free(dot);
    rc_decref(h, &l->hdr);
    rt_heap_finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(release_drops_entries), cmocka_unit_test(collector_follows_entries),
        cmocka_unit_test(referents_and_labels),  cmocka_unit_test(check_reports_oversized_count),
        cmocka_unit_test(bad_specs_are_refused), cmocka_unit_test(traverse_types_label_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
