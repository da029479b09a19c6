/*
 * test_heap_errors.c -- errors and misuse (STYLE 7): wrong types give RC_ETYPE with a
 * message naming the call, index errors use the exact "CALL: index I out of range
 * (length N)" text, a failed call changes nothing, misuse reaches the heap's hook with
 * its kind, object and type, and the small fixed things: rc_status_str for every code,
 * rc_version_number, invalid heap configurations and type specs.
 */
#include "rctest.h"

#include <string.h>

static void expect_error(rc_heap *heap, rc_status code, const char *call)
{
    assert_int_equal(rc_heap_last_error(heap), code);
    const char *msg = rc_heap_errmsg(heap);
    assert_non_null(msg);
    if (strstr(msg, call) != msg)
        fail_msg("error message \"%s\" does not start with \"%s\"", msg, call);
    rc_heap_clear_error(heap);
}

static void wrong_container_type_gives_etype(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *d = rt_dict(heap);
    rc_object *l = rt_list(heap);
    rc_object *item = rc_float_new(heap, 1.5);
    rc_object *out = NULL;
    assert_int_equal(rc_list_append(heap, d, item), RC_ETYPE);
    expect_error(heap, RC_ETYPE, "rc_list_append");
    assert_int_equal(rc_list_set(heap, d, 0, item), RC_ETYPE);
    expect_error(heap, RC_ETYPE, "rc_list_set");
    assert_int_equal(rc_list_pop(heap, item, 0, &out), RC_ETYPE);
    expect_error(heap, RC_ETYPE, "rc_list_pop");
    assert_int_equal(rc_dict_set(heap, l, item, item), RC_ETYPE);
    expect_error(heap, RC_ETYPE, "rc_dict_set");
    assert_int_equal(rc_dict_get(heap, l, item, &out), RC_ETYPE);
    expect_error(heap, RC_ETYPE, "rc_dict_get");
    /* Nothing changed: the item's count and the containers' lengths. */
    assert_int_equal(rc_refcount(item), 1);
    assert_int_equal(rc_dict_len(heap, d), 0);
    assert_int_equal(rc_list_len(heap, l), 0);
    rc_decref(heap, d);
    rc_decref(heap, l);
    rc_decref(heap, item);
    rt_heap_finish(heap);
}

static void wrong_scalar_type_gives_etype_and_zero(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *f = rc_float_new(heap, 2.0);
    rc_object *s = rc_str_from_cstr(heap, "x");
    assert_int_equal(rc_int_value(heap, f), 0);
    expect_error(heap, RC_ETYPE, "rc_int_value");
    assert_true(rc_float_value(heap, s) == 0.0);
    expect_error(heap, RC_ETYPE, "rc_float_value");
    rc_object *l = rt_list(heap);
    (void)rc_str_len(heap, l);
    expect_error(heap, RC_ETYPE, "rc_str_len");
    (void)rc_tuple_len(heap, l);
    expect_error(heap, RC_ETYPE, "rc_tuple_len");
    rc_decref(heap, f);
    rc_decref(heap, s);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

static void list_index_errors_have_exact_messages(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *l = rt_list(heap);
    for (int i = 0; i < 3; i++)
        rt_append(heap, l, rc_int_new(heap, i));
    rc_object *out = NULL;
    assert_int_equal(rc_list_get(heap, l, 5, &out), RC_EINDEX);
    assert_string_equal(rc_heap_errmsg(heap), "rc_list_get: index 5 out of range (length 3)");
    assert_int_equal(rc_list_set(heap, l, -4, NULL), RC_EINDEX);
    assert_string_equal(rc_heap_errmsg(heap), "rc_list_set: index -4 out of range (length 3)");
    assert_int_equal(rc_list_pop(heap, l, 3, &out), RC_EINDEX);
    assert_string_equal(rc_heap_errmsg(heap), "rc_list_pop: index 3 out of range (length 3)");
    assert_int_equal(rc_heap_last_error(heap), RC_EINDEX);
    assert_null(rc_list_get_borrow(heap, l, 12));
    assert_int_equal(rc_heap_last_error(heap), RC_EINDEX);
    assert_string_equal(rc_heap_errmsg(heap),
                        "rc_list_get_borrow: index 12 out of range (length 3)");
    /* Negative indexes in range count from the end. */
    assert_int_equal(rc_list_get(heap, l, -1, &out), RC_OK);
    assert_int_equal(rc_int_value(heap, out), 2);
    assert_int_equal(rc_list_len(heap, l), 3);
    rc_object *empty = rt_list(heap);
    assert_int_equal(rc_list_pop(heap, empty, -1, &out), RC_EINDEX);
    assert_string_equal(rc_heap_errmsg(heap), "rc_list_pop: index -1 out of range (length 0)");
    rc_decref(heap, empty);
    rc_decref(heap, l);
    rt_heap_finish(heap);
}

static void tuple_index_error_has_exact_message(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *t = rc_tuple_new(heap, 2, NULL);
    assert_non_null(t);
    assert_null(rc_tuple_get_borrow(heap, t, 2));
    assert_int_equal(rc_heap_last_error(heap), RC_EINDEX);
    assert_string_equal(rc_heap_errmsg(heap),
                        "rc_tuple_get_borrow: index 2 out of range (length 2)");
    rc_decref(heap, t);
    rt_heap_finish(heap);
}

static void missing_dict_key_gives_ekey(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rc_object *d = rt_dict(heap);
    rc_object *k = rc_str_from_cstr(heap, "absent");
    rc_object *out = NULL;
    assert_int_equal(rc_dict_get(heap, d, k, &out), RC_EKEY);
    expect_error(heap, RC_EKEY, "rc_dict_get");
    assert_int_equal(rc_dict_del(heap, d, k), RC_EKEY);
    expect_error(heap, RC_EKEY, "rc_dict_del");
    assert_false(rc_dict_contains(heap, d, k));
    assert_int_equal(rc_refcount(k), 1);
    rc_decref(heap, k);
    rc_decref(heap, d);
    rt_heap_finish(heap);
}

static void invalid_utf8_gives_einval(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    size_t base = rt_live_objects(heap);
    assert_null(rc_str_new(heap, "\xff\xfe", 2));
    expect_error(heap, RC_EINVAL, "rc_str_new");
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

static void clear_error_resets_code_and_message(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_int_equal(rc_heap_last_error(heap), RC_OK);
    assert_string_equal(rc_heap_errmsg(heap), "");
    assert_int_equal(rc_collect(heap, 9), -1);
    assert_int_equal(rc_heap_last_error(heap), RC_EINVAL);
    assert_true(rc_heap_errmsg(heap)[0] != '\0');
    rc_heap_clear_error(heap);
    assert_int_equal(rc_heap_last_error(heap), RC_OK);
    assert_string_equal(rc_heap_errmsg(heap), "");
    rt_heap_finish(heap);
}

/* A clear function that releases its own object once too often: the count would go
 * below zero, the hook hears of it, and the object is left alone (then freed as it was
 * being freed anyway). */
static void release_self(rc_heap *heap, rc_object *self, void *user)
{
    int64_t *seen = user; /* [0]: the count before the extra release, [1]: after it */
    seen[0] = rc_refcount(self);
    rc_decref(heap, self);
    seen[1] = rc_refcount(self);
}

static void count_below_zero_reported_to_misuse_hook(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rt_misuse_log log;
    memset(&log, 0, sizeof log);
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &log);
    const rc_type *bag = rt_bag_type(heap);
    rc_object *b = rt_bag_new(heap, bag, 1);
    int64_t seen[2] = {-99, -99};
    ((rt_bag *)b)->on_clear = release_self;
    ((rt_bag *)b)->hook_user = seen;
    rc_decref(heap, b);
    assert_int_equal(seen[0], 0);
    assert_int_equal(seen[1], 0); /* left alone: the decrement was undone */
    assert_int_equal(log.count, 1);
    assert_int_equal(log.kind, RC_MISUSE_NEGATIVE_REFCOUNT);
    assert_ptr_equal(log.address, b);
    assert_string_equal(log.type_name, "bag");
    assert_true(log.message[0] != '\0');
    assert_int_equal(rc_heap_last_error(heap), RC_EMISUSE);
    assert_int_equal(rc_type_live_count(bag), 0);
    rt_heap_finish(heap);
}

/* Releasing an object already freed (where the slot still belongs to the heap: another
 * object keeps its page) is reported, not acted on. */
static void release_of_freed_object_reported_to_misuse_hook(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    rt_misuse_log log;
    memset(&log, 0, sizeof log);
    rc_heap_set_misuse_hook(heap, rt_misuse_record, &log);
    rc_object *keeper = rt_list(heap);
    rc_object *victim = rt_list(heap);
    size_t base = rt_live_objects(heap);
    rc_decref(heap, victim);
    assert_int_equal(rt_live_objects(heap), base - 1);
    rc_decref(heap, victim);
    assert_int_equal(log.count, 1);
    assert_int_equal(log.kind, RC_MISUSE_FREED_OBJECT);
    assert_ptr_equal(log.address, victim);
    assert_int_equal(rt_live_objects(heap), base - 1);
    assert_int_equal(rc_refcount(keeper), 1);
    rc_decref(heap, keeper);
    rt_heap_finish(heap);
}

static void status_str_names_every_code(void **state)
{
    (void)state;
    const char *seen[RC_ELIMIT + 1];
    for (int c = RC_OK; c <= RC_ELIMIT; c++) {
        const char *s = rc_status_str((rc_status)c);
        assert_non_null(s);
        assert_true(s[0] != '\0');
        for (int k = 0; k < c; k++)
            assert_string_not_equal(seen[k], s);
        seen[c] = s;
    }
    assert_non_null(rc_status_str((rc_status)1000));
    assert_non_null(rc_status_str((rc_status)-1));
}

static void version_number_matches_header(void **state)
{
    (void)state;
    assert_int_equal(rc_version_number(), RC_VERSION_NUMBER);
    assert_int_equal(RC_VERSION_NUMBER,
                     RC_VERSION_MAJOR * 1000000 + RC_VERSION_MINOR * 1000 + RC_VERSION_PATCH);
}

static void heap_new_rejects_bad_config(void **state)
{
    (void)state;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    assert_int_equal(cfg.size, sizeof cfg);
    cfg.size = 0;
    assert_null(rc_heap_new(&cfg));
    cfg.size = sizeof cfg - 1;
    assert_null(rc_heap_new(&cfg));
    rc_heap_config_init(&cfg);
    cfg.threshold[0] = 0; /* allowed: no automatic collection */
    cfg.threshold[1] = 0; /* allowed, CPython's meaning (rc_gc_set_threshold) */
    cfg.threshold[2] = 0;
    rc_heap *heap = rc_heap_new(&cfg);
    assert_non_null(heap);
    rt_heap_finish(heap);
    heap = rc_heap_new(NULL);
    assert_non_null(heap);
    rt_heap_finish(heap);
}

static int no_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    (void)heap;
    (void)self;
    (void)visit;
    (void)arg;
    return 0;
}

static void no_clear(rc_heap *heap, rc_object *self)
{
    (void)heap;
    (void)self;
}

static void expect_type_refused(rc_heap *heap, const rc_type_spec *spec)
{
    size_t n = rc_heap_type_count(heap);
    assert_null(rc_type_new(heap, spec));
    assert_int_not_equal(rc_heap_last_error(heap), RC_OK);
    assert_true(rc_heap_errmsg(heap)[0] != '\0');
    assert_int_equal(rc_heap_type_count(heap), n);
    rc_heap_clear_error(heap);
}

static void type_new_rejects_bad_specs(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    static const size_t offs[1] = {offsetof(rt_pair, a)};
    static const size_t outside[1] = {sizeof(rt_pair)};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "bad";
    spec.instance_bytes = sizeof(rt_pair);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 1;
    spec.traverse = no_traverse;
    spec.clear = no_clear;
    expect_type_refused(heap, &spec); /* both offsets and traverse */
    spec.ref_offsets = NULL;
    spec.n_ref_offsets = 0;
    spec.clear = NULL;
    expect_type_refused(heap, &spec); /* traverse without clear */
    spec.traverse = NULL;
    spec.ref_offsets = outside;
    spec.n_ref_offsets = 1;
    expect_type_refused(heap, &spec); /* offset outside the instance */
    spec.ref_offsets = NULL;
    spec.n_ref_offsets = 0;
    spec.instance_bytes = sizeof(rc_object) - 1;
    expect_type_refused(heap, &spec); /* smaller than the header */
    spec.instance_bytes = sizeof(rt_pair);
    spec.size = 0;
    expect_type_refused(heap, &spec); /* wrong size field */
    rt_heap_finish(heap);
}

static void new_var_rejects_size_below_instance(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    const rc_type *pair = rt_pair_type(heap);
    size_t base = rt_live_objects(heap);
    assert_null(rc_new_var(heap, pair, sizeof(rt_pair) - 8));
    expect_error(heap, RC_EINVAL, "rc_new_var");
    assert_null(rc_new(heap, NULL));
    assert_int_not_equal(rc_heap_last_error(heap), RC_OK);
    assert_int_equal(rt_live_objects(heap), base);
    rt_heap_finish(heap);
}

/* With the hook removed, misuse is only returned: no abort, RC_EMISUSE on the heap. The
 * misuse here: a type of another heap. */
static void misuse_without_hook_only_sets_error(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact(), *other = rt_heap_new_exact();
    rc_heap_set_misuse_hook(heap, NULL, NULL);
    const rc_type *foreign = rt_bag_type(other);
    assert_null(rc_new(heap, foreign));
    assert_int_equal(rc_heap_last_error(heap), RC_EMISUSE);
    assert_non_null(strstr(rc_heap_errmsg(heap), "belongs to another heap"));
    rt_heap_finish(other);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wrong_container_type_gives_etype),
        cmocka_unit_test(wrong_scalar_type_gives_etype_and_zero),
        cmocka_unit_test(list_index_errors_have_exact_messages),
        cmocka_unit_test(tuple_index_error_has_exact_message),
        cmocka_unit_test(missing_dict_key_gives_ekey),
        cmocka_unit_test(invalid_utf8_gives_einval),
        cmocka_unit_test(clear_error_resets_code_and_message),
        cmocka_unit_test(count_below_zero_reported_to_misuse_hook),
        cmocka_unit_test(release_of_freed_object_reported_to_misuse_hook),
        cmocka_unit_test(misuse_without_hook_only_sets_error),
        cmocka_unit_test(status_str_names_every_code),
        cmocka_unit_test(version_number_matches_header),
        cmocka_unit_test(heap_new_rejects_bad_config),
        cmocka_unit_test(type_new_rejects_bad_specs),
        cmocka_unit_test(new_var_rejects_size_below_instance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
