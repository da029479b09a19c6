/*
 * test_weak_faults.c -- the weak containers, finalize handles and callbacks that own their
 * data under allocation failure: the allocator refuses the N-th request, for N = 0, 1, ...
 * until the scenario runs without a refusal. Every failing call must return its status
 * with a message that names that call and the real cause (issue 16, item 14: a failed
 * rc_weakset_add said "key not found (rc_dict_get ...)"), rc_heap_check stays OK, every
 * release function runs exactly once for each weakref or handle made with one, no finalize
 * function runs twice, and the heap gives back every byte at rc_heap_free.
 */
#include "rctest.h"

#include <stdio.h>
#include <string.h>

typedef struct counts {
    int made_with_release; /* weakrefs and handles made with a release function */
    int releases;
    int callbacks;
    int finalizers;
} counts;

static counts cnt;
static int64_t fail_n;

static void on_release(rc_heap *heap, void *user)
{
    (void)heap;
    (void)user;
    cnt.releases++;
}

static void on_callback(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    (void)wr;
    (void)user;
    cnt.callbacks++;
}

static void on_finalize(rc_heap *heap, void *user)
{
    (void)heap;
    (void)user;
    cnt.finalizers++;
}

/* A failed call's message must name it and must not blame a missing key. */
static bool ok_or_named(rc_heap *heap, bool ok, const char *call)
{
    if (ok)
        return true;
    const char *msg = rc_heap_errmsg(heap);
    size_t n = strlen(call);
    if (strncmp(msg, call, n) != 0 || msg[n] != ':' || strstr(msg, "not found") != NULL)
        fail_msg("fail_at %lld: %s failed with \"%s\"", (long long)fail_n, call, msg);
    return false;
}

#define CALL_OK(heap, expr, call) ok_or_named(heap, (expr) == RC_OK, call)
#define MADE(heap, var, expr, call) ok_or_named(heap, ((var) = (expr)) != NULL, call)

/* Runs the scenario; returns true if every step succeeded. Drops everything it made. */
static bool scenario(rc_heap *heap)
{
    bool ok = true;
    rc_object *o = rc_list_new(heap, 0), *o2 = rc_dict_new(heap), *key = rc_int_new(heap, 1 << 20);
    rc_object *ws = NULL, *kd = NULL, *vd = NULL, *cp = NULL, *cp2 = NULL, *src = NULL;
    rc_object *w1 = NULL, *w2 = NULL, *w3 = NULL, *lst = NULL, *f1 = NULL, *f2 = NULL;
    rc_object *closure = rc_list_new(heap, 0), *out = NULL, *tup = NULL;
    if (o == NULL || o2 == NULL || closure == NULL) {
        ok = false;
        goto done;
    }
    rc_object *items[2] = {o, o2};
    tup = rc_tuple_new(heap, 2, items);
    src = rc_dict_new(heap);
    ok = tup != NULL && src != NULL && rc_dict_set(heap, src, key, o) == RC_OK;
    if (!ok)
        goto done;
    ok &= MADE(heap, ws, rc_weakset_new(heap), "rc_weakset_new");
    ok &= ws == NULL || CALL_OK(heap, rc_weakset_add(heap, ws, o), "rc_weakset_add");
    ok &= ws == NULL || CALL_OK(heap, rc_weakset_update(heap, ws, tup), "rc_weakset_update");
    ok &= ws == NULL || MADE(heap, cp, rc_weakset_copy(heap, ws), "rc_weakset_copy");
    ok &= MADE(heap, kd, rc_weakkeydict_new(heap), "rc_weakkeydict_new");
    ok &= kd == NULL || CALL_OK(heap, rc_weakdict_set(heap, kd, o, o2), "rc_weakdict_set");
    if (kd != NULL) {
        ok &=
            CALL_OK(heap, rc_weakdict_setdefault(heap, kd, o2, o, &out), "rc_weakdict_setdefault");
        rc_decref(heap, out);
        out = NULL;
    }
    ok &= MADE(heap, vd, rc_weakvaluedict_new(heap), "rc_weakvaluedict_new");
    ok &= vd == NULL || CALL_OK(heap, rc_weakdict_update(heap, vd, src), "rc_weakdict_update");
    ok &= vd == NULL || MADE(heap, cp2, rc_weakdict_copy(heap, vd), "rc_weakdict_copy");
    if (MADE(heap, w1, rc_weakref_new_release(heap, o, on_callback, NULL, on_release),
             "rc_weakref_new_release"))
        cnt.made_with_release++;
    else
        ok = false;
    if (MADE(heap, w2, rc_weakproxy_new_release(heap, o2, on_callback, NULL, on_release),
             "rc_weakproxy_new_release"))
        cnt.made_with_release++;
    else
        ok = false;
    ok &= MADE(heap, w3, rc_weakref_new_obj(heap, o, on_callback, closure), "rc_weakref_new_obj");
    ok &= MADE(heap, lst, rc_weakref_get_weakrefs(heap, o), "rc_weakref_get_weakrefs");
    if (MADE(heap, f1, rc_finalize_new(heap, o, on_finalize, NULL, on_release), "rc_finalize_new"))
        cnt.made_with_release++;
    else
        ok = false;
    ok &=
        MADE(heap, f2, rc_finalize_new_obj(heap, o2, on_finalize, closure), "rc_finalize_new_obj");
    ok &= CALL_OK(heap, rc_finalize_register(heap, o, on_finalize, NULL), "rc_finalize_register");
done:
    rc_decref(heap, lst);
    rc_decref(heap, tup); /* tup and src hold o and o2 strongly */
    rc_decref(heap, src);
    rc_decref(heap, o);
    rc_decref(heap, o2);
    rc_object *rest[] = {ws, kd, vd, cp, cp2, w1, w2, w3, f1, f2, closure};
    for (size_t i = 0; i < sizeof rest / sizeof *rest; i++)
        rc_decref(heap, rest[i]);
    return ok;
}

static void every_failure_point_names_the_call_and_releases_once(void **state)
{
    (void)state;
    for (int64_t n = 0;; n++) {
        fail_n = n;
        memset(&cnt, 0, sizeof cnt);
        rt_alloc a;
        rt_alloc_init(&a, n);
        rc_heap_config cfg;
        rc_heap_config_init(&cfg);
        cfg.allocator = &a.iface;
        cfg.gc_disabled = true;
        cfg.stress = false;
        rc_heap *heap = rc_heap_new(&cfg);
        if (heap == NULL) {
            assert_int_equal(a.outstanding_bytes, 0);
            continue;
        }
        bool ok = scenario(heap);
        if (rc_collect(heap, 2) < 0)
            ok = false;
        if (rc_heap_check(heap) != RC_OK)
            fail_msg("fail_at %lld: %s", (long long)n, rc_heap_errmsg(heap));
        rc_heap_free(heap);
        assert_int_equal(a.outstanding_bytes, 0);
        assert_int_equal(a.bad_frees, 0);
        assert_int_equal(cnt.releases, cnt.made_with_release);
        assert_true(cnt.finalizers <= 3);
        if (a.refused == 0) {
            assert_true(ok);
            assert_int_equal(cnt.made_with_release, 3);
            assert_int_equal(cnt.finalizers, 3);
            assert_int_equal(cnt.callbacks, 3);
            assert_true(n > 20);
            break;
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_failure_point_names_the_call_and_releases_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
