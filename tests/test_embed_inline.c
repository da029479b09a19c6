/* The embedder's inline type tests (issue 17, item 1): rc_type_index, rc_is_type,
 * rc_type_index_of_type, rc_is_small_int and the inline rc_int_value. That they compile
 * to no call is checked by tests/inline/run.sh on the object code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rcgc.h"

static void finish(rc_heap *h)
{
    assert_int_equal(rc_heap_check(h), RC_OK);
    rc_heap_free(h);
}

typedef struct pair {
    rc_object hdr;
    rc_object *car, *cdr;
} pair;

static const rc_type *pair_type(rc_heap *h)
{
    static const size_t offs[] = {offsetof(pair, car), offsetof(pair, cdr)};
    rc_type_spec spec = {.size = sizeof spec,
                         .name = "pair",
                         .instance_bytes = sizeof(pair),
                         .ref_offsets = offs,
                         .n_ref_offsets = 2};
    const rc_type *t = rc_type_new(h, &spec);
    assert_non_null(t);
    return t;
}

static void builtin_indexes_are_fixed(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    assert_int_equal(rc_type_index_of_type(rc_heap_builtin_int(h)), RC_TYPE_INDEX_INT);
    assert_int_equal(rc_type_index_of_type(rc_heap_builtin_float(h)), RC_TYPE_INDEX_FLOAT);
    assert_int_equal(rc_type_index_of_type(rc_heap_builtin_str(h)), RC_TYPE_INDEX_STR);
    assert_int_equal(rc_type_index_of_type(rc_heap_builtin_tuple(h)), RC_TYPE_INDEX_TUPLE);
    assert_int_equal(rc_type_index_of_type(rc_heap_builtin_list(h)), RC_TYPE_INDEX_LIST);
    assert_int_equal(rc_type_index_of_type(rc_heap_builtin_dict(h)), RC_TYPE_INDEX_DICT);
    assert_int_equal(rc_type_index_of_type(NULL), RC_TYPE_INDEX_NONE);
    finish(h);
}

static void index_of_every_kind_of_reference(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    const rc_type *pt = pair_type(h);
    uint32_t pair_index = rc_type_index_of_type(pt);
    assert_true(pair_index > RC_TYPE_INDEX_DICT);

    rc_object *objs[] = {
        NULL,
        rc_int_new(h, 7),
        rc_int_new(h, INT64_MAX),
        rc_float_new(h, 1.5),
        rc_str_from_cstr(h, "x"),
        rc_tuple_new(h, 0, NULL),
        rc_list_new(h, 0),
        rc_dict_new(h),
        rc_new(h, pt),
    };
    uint32_t want[] = {RC_TYPE_INDEX_NONE,  RC_TYPE_INDEX_INT,  RC_TYPE_INDEX_INT,
                       RC_TYPE_INDEX_FLOAT, RC_TYPE_INDEX_STR,  RC_TYPE_INDEX_TUPLE,
                       RC_TYPE_INDEX_LIST,  RC_TYPE_INDEX_DICT, pair_index};
    size_t n = sizeof objs / sizeof objs[0];
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rc_type_index(objs[i]), want[i]);
        /* The same answer as the out-of-line rc_type_of. */
        assert_int_equal(rc_type_index(objs[i]), rc_type_index_of_type(rc_type_of(h, objs[i])));
        for (size_t j = 0; j < n; j++)
            assert_int_equal(rc_is_type(objs[i], want[j]), want[i] == want[j]);
    }
    assert_true(rc_is_small_int(objs[1]));
    assert_false(rc_is_small_int(objs[2]));
    assert_false(rc_is_small_int(NULL));
    assert_true(rc_is_int(h, objs[1]));
    assert_true(rc_is_int(h, objs[2]));
    assert_false(rc_is_int(h, objs[3]));
    assert_false(rc_is_int(h, NULL));

    /* A weak proxy has the weakproxy type's index, not its referent's. */
    rc_object *proxy = rc_weakproxy_new(h, objs[6], NULL, NULL);
    assert_non_null(proxy);
    assert_false(rc_is_type(proxy, RC_TYPE_INDEX_LIST));
    assert_int_equal(rc_type_index(proxy), rc_type_index_of_type(rc_type_of(h, proxy)));
    rc_decref(h, proxy);
    for (size_t i = 0; i < n; i++)
        rc_decref(h, objs[i]);
    finish(h);
}

static void int_value_inline_and_boxed(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    int64_t values[] = {0, 1, -1, RC_SMALL_INT_MIN, RC_SMALL_INT_MAX, INT64_MIN, INT64_MAX};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        rc_object *o = rc_int_new(h, values[i]);
        assert_int_equal(rc_int_value(h, o), values[i]);
        if (rc_is_small_int(o))
            assert_int_equal(rc_small_int_value(o), values[i]);
        rc_decref(h, o);
    }
    assert_true(rc_is_small_int(rc_int_new(h, RC_SMALL_INT_MIN)));
    assert_int_equal(rc_small_int_value(rc_int_new(h, RC_SMALL_INT_MIN)), RC_SMALL_INT_MIN);
    assert_int_equal(rc_small_int_value(rc_int_new(h, -7)), -7);
    assert_int_equal(rc_heap_last_error(h), RC_OK);
    /* Not an int: the out-of-line tail reports it. */
    rc_object *s = rc_str_from_cstr(h, "no");
    assert_int_equal(rc_int_value(h, s), 0);
    assert_int_equal(rc_heap_last_error(h), RC_ETYPE);
    assert_string_equal(rc_heap_errmsg(h), "rc_int_value: expected an int, got str");
    rc_decref(h, s);
    finish(h);
}

static size_t live(rc_heap *h)
{
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    return st.live_objects;
}

/* The counting variants for references known not to be NULL (rc_incref_value,
 * rc_decref_value, rc_newref_value) or known to be objects (rc_incref_obj, rc_decref_obj)
 * keep rc_incref's and rc_decref's rules: small ints are ignored by the value forms, a
 * count reaching zero frees, and a decrement to a non-zero count of a tracked object makes
 * it a candidate (generation 1), as rc_decref does. */
static void counting_variants_without_null_test(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    const rc_type *pt = pair_type(h);
    size_t base = live(h);
    pair *p = (pair *)(void *)rc_new(h, pt);
    assert_non_null(p);
    rc_object *o = &p->hdr, *small = rc_int_new(h, 42);
    /* p holds a tracked object, so that a decrement buffers it (one holding nothing
     * tracked cannot be on a cycle and skips the buffer: gc.c, ACYCLIC-NOW). */
    p->car = rc_new(h, pt);
    assert_non_null(p->car);

    rc_incref_value(o);
    assert_int_equal(rc_refcount(o), 2);
    assert_ptr_equal(rc_newref_value(o), o);
    assert_int_equal(rc_refcount(o), 3);
    rc_incref_obj(o);
    assert_int_equal(rc_refcount(o), 4);
    rc_incref_value(small); /* ignored: a value, not an object */
    assert_ptr_equal(rc_newref_value(small), small);
    rc_decref_value(h, small);
    assert_int_equal(rc_int_value(h, small), 42);

    size_t gens[3];
    rc_gc_get_generation_sizes(h, gens);
    assert_int_equal(gens[0], 2);
    assert_int_equal(gens[1], 0);
    rc_decref_value(h, o); /* 4 -> 3: a candidate now, as after rc_decref */
    rc_gc_get_generation_sizes(h, gens);
    assert_int_equal(gens[0], 1);
    assert_int_equal(gens[1], 1);
    rc_decref_obj(h, o);
    rc_decref_value(h, o);
    assert_int_equal(rc_refcount(o), 1);
    assert_int_equal(live(h), base + 2);
    rc_decref_obj(h, o); /* zero: freed at once, with what it holds */
    assert_int_equal(live(h), base);
    assert_int_equal(rc_heap_last_error(h), RC_OK);
    finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builtin_indexes_are_fixed),
        cmocka_unit_test(index_of_every_kind_of_reference),
        cmocka_unit_test(int_value_inline_and_boxed),
        cmocka_unit_test(counting_variants_without_null_test),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
