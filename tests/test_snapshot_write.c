/*
 * test_snapshot_write.c -- heap snapshots (issue 13): rc_heap_snapshot_write and its path
 * variant. The document's shape, ids stable across snapshots and never inherited by a
 * slot's next occupant, counts left intact, argument and state errors, a full disk, and
 * allocation failure at every request of a path write (nothing left under the final name
 * or beside it). The round trip through `rcgc snapshot` is tools/rcgc/tests/snapshot.sh.
 */
#define _POSIX_C_SOURCE 200809L
#include "rctest.h"

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *write_text(rc_heap *h, unsigned flags)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(rc_heap_snapshot_write(h, f, flags), RC_OK);
    long len = ftell(f);
    rewind(f);
    char *text = calloc((size_t)len + 1, 1);
    assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return text;
}

static void document_has_meta_nodes_edges_and_strings(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *l = rt_list(h);
    rc_object *s = rc_str_from_cstr(h, "tab\there");
    rt_append(h, l, s);
    rt_append(h, l, rc_int_new(h, 7)); /* a small int: no node, no edge */
    rc_decref(h, s);
    char *text = write_text(h, 0);
    assert_non_null(strstr(text,
                           "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\","
                           "\"trace_node_id\",\"detachedness\"]"));
    assert_non_null(strstr(text, "\"node_count\":3,\"edge_count\":2,"));
    /* root: synthetic, "(rcgc roots)", id 1, one edge; the list's item 0 is an element */
    assert_non_null(strstr(text, "\"nodes\":[9,1,1,0,1,0,0"));
    assert_non_null(strstr(text, "\"held from outside (1 refs)\""));
    assert_non_null(strstr(text, "\"tab\\u0009here\""));
    assert_non_null(strstr(text, "\"(rcgc roots)\""));
    assert_int_equal(text[strlen(text) - 2], '}');
    free(text);
    rc_decref(h, l);
    rt_heap_finish(h);
}

static void ids_are_stable_across_snapshots(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *a = rt_list(h), *b = rt_dict(h);
    assert_int_equal(rc_snapshot_id(h, a), 0);
    free(write_text(h, 0));
    uint64_t ia = rc_snapshot_id(h, a), ib = rc_snapshot_id(h, b);
    assert_true(ia > 1 && ib > 1 && ia != ib);
    assert_int_equal(ia % 2, 1);
    rc_object *c = rt_list(h);
    free(write_text(h, 0));
    assert_int_equal(rc_snapshot_id(h, a), ia);
    assert_int_equal(rc_snapshot_id(h, b), ib);
    uint64_t ic = rc_snapshot_id(h, c);
    assert_true(ic != ia && ic != ib && ic != 0);
    rc_decref(h, a);
    rc_decref(h, b);
    rc_decref(h, c);
    rt_heap_finish(h);
}

static void a_freed_slot_reused_gets_a_new_id(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *keep = rt_list(h);
    rc_object *a = rt_list(h);
    free(write_text(h, 0));
    uint64_t old = rc_snapshot_id(h, a);
    uintptr_t addr = (uintptr_t)a;
    rc_decref(h, a);
    assert_int_equal(rc_heap_check(h), RC_OK);
    rc_object *b = rt_list(h);
    assert_true((uintptr_t)b == addr); /* the freed slot is the next one handed out */
    assert_int_equal(rc_snapshot_id(h, b), 0);
    free(write_text(h, 0));
    assert_true(rc_snapshot_id(h, b) != old);
    assert_true(rc_snapshot_id(h, b) > old);
    rc_decref(h, b);
    rc_decref(h, keep);
    rt_heap_finish(h);
}

static void writing_leaves_counts_intact(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *l = rt_list(h), *d = rt_dict(h);
    rt_append(h, l, d);
    rt_append(h, l, l);
    assert_int_equal(rc_dict_set(h, d, l, l), RC_OK);
    rc_object *w = rc_weakref_new(h, d, NULL, NULL);
    int64_t cl = rc_refcount(l), cd = rc_refcount(d), cw = rc_refcount(w);
    char *text = write_text(h, 0);
    assert_non_null(strstr(text, "\"held from outside (1 refs)\""));
    assert_non_null(strstr(text, "\"referent\""));
    free(text);
    assert_int_equal(rc_refcount(l), cl);
    assert_int_equal(rc_refcount(d), cd);
    assert_int_equal(rc_refcount(w), cw);
    rc_decref(h, w);
    rc_decref(h, d);
    rc_decref(h, l);
    assert_int_equal(rc_collect(h, 2), 2);
    rt_heap_finish(h);
}

/* The edges array's numbers (type, name_or_index, to_node per edge); returns how many. */
static size_t edge_numbers(const char *text, unsigned long *out, size_t cap)
{
    const char *p = strstr(text, "\"edges\":[");
    assert_non_null(p);
    p += strlen("\"edges\":[");
    size_t n = 0;
    while (*p != ']') {
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        assert_true(end != p);
        assert_true(n < cap);
        out[n++] = v;
        p = end;
        while (*p == ',' || *p == '\n')
            p++;
    }
    return n;
}

typedef struct frame {
    rc_object hdr;
    rc_object *parent;
    size_t n;
    rc_object *slots[];
} frame;

static void trailing_array_entries_are_element_edges(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
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
                         .ref_array_name = "slots"};
    const rc_type *t = rc_type_new(h, &spec);
    assert_non_null(t);
    frame *f = (frame *)(void *)rc_new_var(h, t, sizeof(frame) + 3 * sizeof(rc_object *));
    assert_non_null(f);
    f->n = 3;
    f->parent = rc_str_from_cstr(h, "p");
    f->slots[0] = rc_str_from_cstr(h, "a");
    f->slots[1] = rc_int_new(h, 5); /* a small int: no edge, but it keeps its position */
    f->slots[2] = rc_str_from_cstr(h, "c");
    char *text = write_text(h, 0);
    assert_non_null(strstr(text, "\"node_count\":5,\"edge_count\":4,"));
    assert_non_null(strstr(text, "\"parent\""));
    unsigned long e[12];
    assert_int_equal(edge_numbers(text, e, 12), 12);
    /* the root's edge, then the frame's: its field by name, its entries 0 and 2 */
    assert_int_equal(e[0], 2);
    assert_int_equal(e[3], 2);
    assert_int_equal(e[6], 1);
    assert_int_equal(e[7], 0);
    assert_int_equal(e[9], 1);
    assert_int_equal(e[10], 2);
    free(text);
    rc_decref(h, &f->hdr);
    rt_heap_finish(h);
}

static void named_roots_name_their_root_edges(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *globals = rt_list(h), *held = rt_list(h);
    assert_int_equal(rc_root_name(h, globals, "globals"), RC_OK);
    rc_decref(h, globals); /* the heap's reference remains */
    char *text = write_text(h, 0);
    assert_non_null(strstr(text, "\"root globals (1 refs)\""));
    assert_non_null(strstr(text, "\"held from outside (1 refs)\""));
    free(text);
    assert_int_equal(rc_root_unname(h, globals), RC_OK);
    rc_decref(h, held);
    rt_heap_finish(h);
}

static void type_names_flag_names_every_node_by_its_type(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *s = rc_str_from_cstr(h, "secret text");
    char *plain = write_text(h, 0), *typed = write_text(h, RC_SNAPSHOT_TYPE_NAMES);
    assert_non_null(strstr(plain, "\"secret text\""));
    assert_null(strstr(typed, "secret text"));
    free(plain);
    free(typed);
    rc_decref(h, s);
    rt_heap_finish(h);
}

static void numbers_are_named_by_their_repr(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    static const double values[] = {
        0.1,  0.5,     2.0,  -0.0, 1e-05,   1e-4, 123456789.123456, 0.30000000000000004,
        1e16, 1.0 / 3, -2.5, 1e9,  0.000123};
    rc_object *l = rt_list(h);
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        rc_object *f = rc_float_new(h, values[i]);
        rt_append(h, l, f);
        rc_decref(h, f);
    }
    rc_object *big = rc_int_new(h, INT64_MAX);
    rt_append(h, l, big);
    rc_decref(h, big);
    char *text = write_text(h, 0);
    size_t pos = 0;
    rc_object *item;
    while (rc_list_next(h, l, &pos, &item)) {
        char repr[64], quoted[70];
        rc_repr_into(h, item, repr, sizeof repr);
        snprintf(quoted, sizeof quoted, "\n\"%s\"", repr);
        if (strstr(text, quoted) == NULL)
            fail_msg("no string %s in the snapshot", quoted);
    }
    free(text);
    rc_decref(h, l);
    rt_heap_finish(h);
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    assert_int_equal(rc_heap_snapshot_write(h, NULL, 0), RC_EINVAL);
    assert_non_null(strstr(rc_heap_errmsg(h), "rc_heap_snapshot_write"));
    assert_int_equal(rc_heap_snapshot_write(h, stdout, 0x100), RC_EINVAL);
    assert_non_null(strstr(rc_heap_errmsg(h), "0x100"));
    assert_int_equal(rc_heap_snapshot_write_path(h, NULL, 0), RC_EINVAL);
    assert_int_equal(rc_heap_snapshot_write_path(h, "/nonexistent-dir/x.heapsnapshot", 0), RC_EOS);
    assert_non_null(strstr(rc_heap_errmsg(h), "/nonexistent-dir/x.heapsnapshot"));
    rt_heap_finish(h);
}

static void a_full_disk_is_reported(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (f == NULL)
        skip();
    rc_heap *h = rt_heap_new_exact();
    rc_object *l = rt_list(h);
    for (int i = 0; i < 2000; i++) {
        rc_object *s = rc_str_from_cstr(h, "some text to fill the buffer");
        rt_append(h, l, s);
        rc_decref(h, s);
    }
    assert_int_equal(rc_heap_snapshot_write(h, f, 0), RC_EOS);
    assert_non_null(strstr(rc_heap_errmsg(h), "No space left"));
    fclose(f);
    rc_decref(h, l);
    rt_heap_finish(h);
}

static size_t files_in(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void path_write_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    char dir[] = "/tmp/rcgc-snapshot-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/heap.heapsnapshot", dir);
    FILE *old = fopen(path, "w");
    fputs("old content\n", old);
    fclose(old);
    bool done = false;
    for (int64_t n = 0; !done; n++) {
        rt_alloc a;
        rt_alloc_init(&a, -1);
        rc_heap_config cfg;
        rc_heap_config_init(&cfg);
        cfg.allocator = &a.iface;
        cfg.gc_disabled = true;
        cfg.record_origins = true;
        rc_heap *h = rt_heap_new_cfg(&cfg);
        rc_object *l = rt_list(h);
        rc_object *d = rt_dict(h);
        for (int i = 0; i < 300; i++) {
            rc_object *k = rc_int_new(h, (int64_t)1 << 62 | i);
            assert_int_equal(rc_dict_set(h, d, k, l), RC_OK);
            rt_append(h, l, k);
            rc_decref(h, k);
        }
        int64_t count = rc_refcount(l);
        a.fail_at = (int64_t)a.requests + n;
        rc_status st = rc_heap_snapshot_write_path(h, path, 0);
        a.fail_at = -1;
        assert_int_equal(rc_refcount(l), count);
        assert_int_equal(rc_heap_check(h), RC_OK);
        assert_int_equal(files_in(dir), 1);
        if (st == RC_OK) {
            done = true;
        } else {
            assert_int_equal(st, RC_ENOMEM);
            assert_non_null(strstr(rc_heap_errmsg(h), "rc_heap_snapshot_write_path"));
            FILE *f = fopen(path, "r");
            char line[32] = "";
            assert_non_null(fgets(line, sizeof line, f));
            fclose(f);
            assert_string_equal(line, "old content\n");
        }
        rc_decref(h, d);
        rc_decref(h, l);
        rt_heap_finish(h);
        assert_int_equal(a.outstanding_bytes, 0);
        assert_true(n < 1000);
    }
    FILE *f = fopen(path, "r");
    char head[16] = "";
    assert_non_null(fgets(head, sizeof head, f));
    fclose(f);
    assert_memory_equal(head, "{\"snapshot\"", 11);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(document_has_meta_nodes_edges_and_strings),
        cmocka_unit_test(ids_are_stable_across_snapshots),
        cmocka_unit_test(a_freed_slot_reused_gets_a_new_id),
        cmocka_unit_test(writing_leaves_counts_intact),
        cmocka_unit_test(trailing_array_entries_are_element_edges),
        cmocka_unit_test(named_roots_name_their_root_edges),
        cmocka_unit_test(type_names_flag_names_every_node_by_its_type),
        cmocka_unit_test(numbers_are_named_by_their_repr),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(a_full_disk_is_reported),
        cmocka_unit_test(path_write_fails_cleanly_at_every_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
