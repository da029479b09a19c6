/* Leak tools that know the caller's references (issue 17, item 5): why-alive with the
 * caller's references, named roots in chains and pictures, extra_ignore that keeps the fact
 * that an object is held. */
#define _POSIX_C_SOURCE 200809L
#include "rctest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what))
        n++;
    return n;
}

/* The DOT text of show_backrefs from start. */
static char *backrefs_dot(rc_heap *h, rc_object *start, rc_object *const *ignore, size_t n_ignore,
                          size_t caller_refs)
{
    char *dot = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&dot, &len);
    assert_non_null(out);
    rc_graph_options opt;
    rc_graph_options_init(&opt);
    opt.output_stream = out;
    opt.extra_ignore = ignore;
    opt.n_extra_ignore = n_ignore;
    opt.caller_refs = caller_refs;
    assert_int_equal(rc_graph_show_backrefs(h, &start, 1, &opt), RC_OK);
    fclose(out);
    /* A copy: GCC 12 at -O3 takes the buffer open_memstream filled for a pointer to the
     * local variable that received it (-Wdangling-pointer, a false positive). */
    char *text = strdup(dot);
    free(dot);
    assert_non_null(text);
    return text;
}

static void why_alive_with_the_callers_references(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *globals = rt_dict(h);
    rc_object *key = rc_str_from_cstr(h, "xs");
    rc_object *xs = rt_list(h);
    assert_int_equal(rc_dict_set(h, globals, key, xs), RC_OK);
    /* The caller holds xs: plain why-alive answers "itself". */
    rc_object *chain = NULL;
    assert_int_equal(rc_graph_why_alive(h, xs, &chain), RC_OK);
    assert_int_equal(rc_list_len(h, chain), 1);
    assert_ptr_equal(rc_list_get_borrow(h, chain, 0), xs);
    rc_decref(h, chain);
    /* Told about that reference, it finds the dict. */
    assert_int_equal(rc_graph_why_alive_held(h, xs, 1, &chain), RC_OK);
    assert_int_equal(rc_list_len(h, chain), 2);
    assert_ptr_equal(rc_list_get_borrow(h, chain, 0), globals);
    assert_ptr_equal(rc_list_get_borrow(h, chain, 1), xs);
    assert_null(rc_root_name_of(h, globals));
    rc_decref(h, chain);
    /* Not held by anything else: an empty chain. */
    rc_object *lone = rt_list(h);
    assert_int_equal(rc_graph_why_alive_held(h, lone, 1, &chain), RC_OK);
    assert_int_equal(rc_list_len(h, chain), 0);
    rc_decref(h, chain);
    rc_decref(h, lone);
    rc_decref(h, xs);
    rc_decref(h, key);
    rc_decref(h, globals);
    rt_heap_finish(h);
}

static void named_roots_start_chains_and_pictures(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *symtab = rt_dict(h);
    rc_object *key = rc_str_from_cstr(h, "car");
    rc_object *sym = rt_list(h);
    assert_int_equal(rc_dict_set(h, symtab, key, sym), RC_OK);
    rc_decref(h, key);
    int64_t before = rc_refcount(symtab);
    assert_int_equal(rc_root_name(h, symtab, "symbol table"), RC_OK);
    assert_int_equal(rc_refcount(symtab), before + 1); /* the heap holds it now */
    rc_decref(h, symtab);                              /* the program no longer does */
    assert_string_equal(rc_root_name_of(h, symtab), "symbol table");
    assert_int_equal(rc_root_count(h), 1);
    const char *name = NULL;
    assert_ptr_equal(rc_root_at(h, 0, &name), symtab);
    assert_string_equal(name, "symbol table");
    assert_null(rc_root_at(h, 1, &name));
    assert_null(name);

    rc_object *chain = NULL;
    assert_int_equal(rc_graph_why_alive_held(h, sym, 1, &chain), RC_OK);
    assert_int_equal(rc_list_len(h, chain), 2);
    assert_string_equal(rc_root_name_of(h, rc_list_get_borrow(h, chain, 0)), "symbol table");
    rc_decref(h, chain);
    char *dot = backrefs_dot(h, sym, NULL, 0, 1);
    assert_non_null(strstr(dot, "\\nroot symbol table"));
    assert_non_null(strstr(dot, "\\nheld by the caller (1)"));
    free(dot);
    /* The collector keeps it: the name's reference is from outside. */
    assert_int_equal(rc_collect(h, 2), 0);
    /* Renaming keeps one reference. */
    int64_t count = rc_refcount(symtab);
    assert_int_equal(rc_root_name(h, symtab, "symbols"), RC_OK);
    assert_int_equal(rc_refcount(symtab), count);
    assert_string_equal(rc_root_name_of(h, symtab), "symbols");
    /* Unnaming drops the last reference: the dict dies, sym lives on (held by us). */
    size_t dicts = rc_type_live_count(rc_heap_builtin_dict(h));
    assert_int_equal(rc_root_unname(h, symtab), RC_OK);
    assert_int_equal(rc_type_live_count(rc_heap_builtin_dict(h)), dicts - 1);
    assert_int_equal(rc_root_count(h), 0);
    assert_int_equal(rc_root_unname(h, sym), RC_EINVAL);
    assert_int_equal(rc_root_name(h, NULL, "x"), RC_EINVAL);
    assert_string_equal(rc_heap_errmsg(h),
                        "rc_root_name: a root must be an allocated object, not None");
    assert_int_equal(rc_root_name(h, sym, NULL), RC_EINVAL);
    assert_null(rc_root_name_of(h, rc_int_new(h, 5)));
    /* A root still named at rc_heap_free is freed with the heap. */
    assert_int_equal(rc_root_name(h, sym, "kept"), RC_OK);
    rc_decref(h, sym);
    rt_heap_finish(h);
}

/* extra_ignore hides the holder but not that the object is held from outside. */
static void ignored_holders_still_hold(void **state)
{
    (void)state;
    rc_heap *h = rt_heap_new_exact();
    rc_object *env = rt_list(h); /* the program's global environment, held by C */
    rc_object *x = rt_list(h);
    rt_append(h, env, x);
    rc_decref(h, x); /* only env holds x */
    char *dot = backrefs_dot(h, x, &env, 1, 0);
    assert_int_equal(count_of(dot, "[label=\"list"), 1); /* env is not drawn */
    assert_non_null(strstr(dot, "held from outside (1)"));
    assert_non_null(strstr(dot, "1 through ignored objects"));
    assert_non_null(strstr(dot, "peripheries=2"));
    free(dot);
    /* Without ignoring, env is the root and x is not. */
    dot = backrefs_dot(h, x, NULL, 0, 0);
    assert_int_equal(count_of(dot, "[label=\"list"), 2);
    assert_null(strstr(dot, "through ignored objects"));
    char *first_root = strstr(dot, "held from outside (1)");
    assert_non_null(first_root);
    assert_null(strstr(first_root + 1, "held from outside"));
    free(dot);
    /* An immortal holder says so. */
    assert_int_equal(rc_make_immortal(h, env), RC_OK);
    dot = backrefs_dot(h, x, NULL, 0, 0);
    assert_non_null(strstr(dot, "\\nimmortal"));
    free(dot);
    rc_decref(h, env);
    rt_heap_finish(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(why_alive_with_the_callers_references),
        cmocka_unit_test(named_roots_start_chains_and_pictures),
        cmocka_unit_test(ignored_holders_still_hold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
