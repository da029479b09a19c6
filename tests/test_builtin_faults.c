/* Allocation-failure tests of the built-ins: the N-th allocation fails, for N = 0, 1, ...
 * until the scenario completes. A failed call must report RC_ENOMEM, change nothing, and
 * leave the heap checkable and leak-free. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "rcgc.h"

typedef struct faulty {
    long countdown;        /* allocations left before the one that fails; <0: never fail */
    bool failed;           /* the failure happened */
    long long outstanding; /* bytes allocated and not freed */
} faulty;

static bool fail_now(faulty *f)
{
    if (f->countdown < 0)
        return false;
    if (f->countdown-- == 0) {
        f->failed = true;
        return true;
    }
    return false;
}

static void *f_alloc(void *user, size_t bytes, size_t align)
{
    faulty *f = user;
    if (fail_now(f))
        return NULL;
    void *p = rc_allocator_system()->alloc(rc_allocator_system()->user, bytes, align);
    if (p != NULL)
        f->outstanding += (long long)bytes;
    return p;
}

static void *f_resize(void *user, void *block, size_t old_bytes, size_t new_bytes)
{
    faulty *f = user;
    if (fail_now(f))
        return NULL;
    void *p =
        rc_allocator_system()->resize(rc_allocator_system()->user, block, old_bytes, new_bytes);
    if (p != NULL)
        f->outstanding += (long long)new_bytes - (long long)old_bytes;
    return p;
}

static void f_free(void *user, void *block, size_t bytes, size_t align)
{
    faulty *f = user;
    f->outstanding -= (long long)bytes;
    rc_allocator_system()->free(rc_allocator_system()->user, block, bytes, align);
}

/* Appends n floats; on failure checks the list is unchanged. */
static rc_status fill_list(rc_heap *h, rc_object *l, int n)
{
    for (int i = 0; i < n; i++) {
        size_t before = rc_list_len(h, l);
        rc_object *f = rc_float_new(h, i + 0.5);
        if (f == NULL)
            return rc_heap_last_error(h);
        rc_status st = i % 2 ? rc_list_append_steal(h, l, f) : rc_list_insert(h, l, 0, f);
        if (i % 2 == 0)
            rc_decref(h, f);
        if (st != RC_OK) {
            assert_int_equal(rc_list_len(h, l), before);
            return st;
        }
    }
    return RC_OK;
}

/* Sets n str keys; on failure checks the dict is unchanged. */
static rc_status fill_dict(rc_heap *h, rc_object *d, int n)
{
    char name[16];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "key%d", i);
        rc_object *k = rc_str_from_cstr(h, name);
        if (k == NULL)
            return rc_heap_last_error(h);
        size_t before = rc_dict_len(h, d);
        rc_status st = rc_dict_set(h, d, k, rc_int_new(h, i));
        if (st != RC_OK) {
            assert_int_equal(rc_dict_len(h, d), before);
            assert_false(rc_dict_contains(h, d, k));
        }
        rc_decref(h, k);
        if (st != RC_OK)
            return st;
    }
    return RC_OK;
}

static rc_status scenario(rc_heap *h)
{
    rc_object *l = rc_list_new(h, 0), *d = NULL, *t = NULL, *s = NULL;
    rc_status st = l == NULL ? rc_heap_last_error(h) : fill_list(h, l, 300);
    if (st == RC_OK && (d = rc_dict_new(h)) == NULL)
        st = rc_heap_last_error(h);
    if (st == RC_OK)
        st = fill_dict(h, d, 300);
    if (st == RC_OK && rc_dict_set(h, d, NULL, l) != RC_OK)
        st = rc_heap_last_error(h);
    rc_object *items[2] = {l, d};
    if (st == RC_OK && (t = rc_tuple_new(h, 2, items)) == NULL)
        st = rc_heap_last_error(h);
    if (st == RC_OK && (s = rc_repr(h, t)) == NULL)
        st = rc_heap_last_error(h);
    rc_decref(h, s);
    rc_decref(h, t);
    rc_decref(h, d);
    rc_decref(h, l);
    return st;
}

static void every_failure_point_is_clean(void **state)
{
    (void)state;
    for (long n = 0;; n++) {
        faulty f = {.countdown = n};
        rc_allocator a = {f_alloc, f_resize, f_free, &f};
        rc_heap_config cfg;
        rc_heap_config_init(&cfg);
        cfg.allocator = &a;
        rc_heap *h = rc_heap_new(&cfg);
        if (h == NULL) {
            assert_true(f.failed);
            assert_int_equal(f.outstanding, 0);
            continue;
        }
        rc_status st = scenario(h);
        /* A failure may also be absorbed by the collector (e.g. under RCGC_STRESS_GC, where
         * it runs at every tracked allocation and copes without its work-list memory). */
        if (st != RC_OK)
            assert_int_equal(st, RC_ENOMEM);
        if (!f.failed)
            assert_int_equal(st, RC_OK);
        rc_heap_stats stats = {.size = sizeof stats};
        assert_int_equal(rc_heap_get_stats(h, &stats), RC_OK);
        assert_int_equal(stats.live_objects, 0);
        assert_int_equal(stats.buffer_bytes, 0);
        assert_int_equal(rc_heap_check(h), RC_OK);
        rc_heap_free(h);
        assert_int_equal(f.outstanding, 0);
        if (!f.failed) {
            assert_true(n > 20); /* the scenario needs many allocations: all were tried */
            break;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_failure_point_is_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
