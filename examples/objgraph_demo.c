/*
 * objgraph_demo.c -- objgraph's pictures for an rcgc heap: the lesson's two lists
 * x = [1, 2, 3] and y = [4, 5, 6] made to refer to each other, drawn with show_refs and
 * show_backrefs (SVG and PNG each), then the answer to "why is this object still alive?"
 * for one held through a global structure, as text and as a picture, and a leak check
 * around a function that forgets a reference. Compiled with RC_RECORD_ORIGINS and a heap
 * that records allocation sites, so labels and reports say which line made each object.
 *
 * Usage: rcgc-objgraph_demo [OUTPUT-DIR]   (default: demo-out)
 */
#define _POSIX_C_SOURCE 200809L
#define RC_RECORD_ORIGINS /* constructors pass __FILE__ and __LINE__ to the heap */
#include <rcgc.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* What a program keeps in globals: here one registry dict. */
struct app_globals {
    rc_object *registry; /* {'sessions': [{'user': 'ada', ...}]} */
};

static int fail(rc_heap *heap, const char *what)
{
    fprintf(stderr, "rcgc-objgraph_demo: %s: %s\n", what, rc_heap_errmsg(heap));
    return 1;
}

/* Draws with draw() into DIR/NAME.svg and DIR/NAME.png and prints each path. */
static int draw_both(rc_heap *heap, const char *dir, const char *name, rc_object *const *objs,
                     rc_status (*draw)(rc_heap *, rc_object *const *, size_t,
                                       const rc_graph_options *),
                     rc_object *chain)
{
    static const char *const exts[] = {"svg", "png"};
    for (size_t i = 0; i < 2; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, exts[i]);
        rc_graph_result res = {.size = sizeof res};
        rc_graph_options opt;
        rc_graph_options_init(&opt);
        opt.output_path = path;
        opt.refcounts = true;
        opt.result = &res;
        rc_status st =
            chain != NULL ? rc_graph_show_chain(heap, chain, &opt) : draw(heap, objs, 1, &opt);
        if (st != RC_OK)
            return fail(heap, name);
        printf("  wrote %s (%zu objects, %zu references)\n", res.path, res.n_nodes, res.n_edges);
        if (res.message[0] != '\0')
            printf("  note: %s\n", res.message);
    }
    return 0;
}

static rc_object *int_list(rc_heap *heap, int a, int b, int c)
{
    rc_object *l = rc_list_new(heap, 4);
    rc_list_append_steal(heap, l, rc_int_new(heap, a));
    rc_list_append_steal(heap, l, rc_int_new(heap, b));
    rc_list_append_steal(heap, l, rc_int_new(heap, c));
    return l;
}

/* A handler that means to cache nothing but keeps every request it sees in a list. */
static void handle_request(rc_heap *heap, rc_object *seen, int id)
{
    rc_object *req = rc_dict_new(heap);
    rc_object *k = rc_str_from_cstr(heap, "id");
    rc_dict_set(heap, req, k, rc_int_new(heap, id));
    rc_list_append(heap, seen, req); /* the forgotten reference */
    rc_decref(heap, k);
    rc_decref(heap, req);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "demo-out";
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "rcgc-objgraph_demo: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.record_origins = true;
    rc_heap *heap = rc_heap_new(&cfg);
    if (heap == NULL)
        return 1;

    printf("x = [1, 2, 3]; y = [4, 5, 6]; x.append(y); y.append(x)\n");
    rc_object *x = int_list(heap, 1, 2, 3);
    rc_object *y = int_list(heap, 4, 5, 6);
    rc_list_append(heap, x, y);
    rc_list_append(heap, y, x);
    char text[128];
    rc_repr_into(heap, x, text, sizeof text);
    printf("x = %s\n", text);

    printf("show_refs([x]): what x holds\n");
    if (draw_both(heap, dir, "refs", &x, rc_graph_show_refs, NULL) != 0)
        return 1;
    printf("show_backrefs([x]): what holds x (double border: held from outside the heap)\n");
    if (draw_both(heap, dir, "backrefs", &x, rc_graph_show_backrefs, NULL) != 0)
        return 1;

    /* A session kept alive through a global registry, long after the code that made it is
     * done with it: the classic leak. The demo keeps no reference of its own to it. */
    struct app_globals globals;
    globals.registry = rc_dict_new(heap);
    rc_object *sessions = rc_list_new(heap, 0);
    rc_object *session = rc_dict_new(heap);
    rc_object *k_user = rc_str_from_cstr(heap, "user"), *v_user = rc_str_from_cstr(heap, "ada");
    rc_object *k_sessions = rc_str_from_cstr(heap, "sessions");
    rc_dict_set(heap, session, k_user, v_user);
    rc_list_append(heap, sessions, session);
    rc_dict_set(heap, globals.registry, k_sessions, sessions);
    rc_decref(heap, k_user);
    rc_decref(heap, v_user);
    rc_decref(heap, k_sessions);
    rc_decref(heap, sessions);
    rc_decref(heap, session); /* session is now borrowed: only the registry holds it */

    rc_object *chain = NULL;
    if (rc_graph_why_alive(heap, session, &chain) != RC_OK)
        return fail(heap, "why alive");
    printf("why is %s alive? held through a chain of %zu objects:\n",
           (rc_repr_into(heap, session, text, sizeof text), text), rc_list_len(heap, chain));
    for (size_t i = 0; i < rc_list_len(heap, chain); i++) {
        rc_object *link = rc_list_get_borrow(heap, chain, (int64_t)i);
        rc_origin where = {"?", 0};
        rc_origin_of(heap, link, &where);
        rc_repr_into(heap, link, text, sizeof text);
        const char *base = strrchr(where.file, '/');
        printf("  %s%-34s made at %s:%d\n", i == 0 ? "root (held from outside): " : "-> ", text,
               base != NULL ? base + 1 : where.file, where.line);
    }
    if (draw_both(heap, dir, "why-alive", NULL, NULL, chain) != 0)
        return 1;
    rc_decref(heap, chain);

    printf("leak check around 3 calls of handle_request():\n");
    rc_object *seen = rc_list_new(heap, 0);
    rc_leak_guard guard = {sizeof guard, NULL};
    if (rc_leak_guard_begin(heap, &guard) != RC_OK)
        return fail(heap, "leak guard");
    for (int id = 1; id <= 3; id++)
        handle_request(heap, seen, id);
    int64_t leaked = rc_leak_guard_end(heap, &guard, stdout);
    printf("  %lld objects outlived the calls\n", (long long)leaked);
    rc_decref(heap, seen);

    printf("most common types:\n");
    rc_objgraph_show_most_common_types(heap, 5, stdout);

    rc_decref(heap, globals.registry);
    rc_decref(heap, x);
    rc_decref(heap, y);
    rc_collect(heap, 2);
    rc_heap_free(heap);
    return 0;
}
