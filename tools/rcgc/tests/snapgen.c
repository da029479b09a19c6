/* Test helper for `rcgc snapshot` (snapshot.sh): builds a random rcgc heap from a seed,
 * writes its snapshot with rc_heap_snapshot_write_path, and writes what the public API says
 * the heap holds, for the script to compare with `rcgc snapshot dump` and `garbage`:
 *   node ID CLASS          every live object (class as DevTools shows it)
 *   strong ID TARGET       one line per reference to a heap object (rc_gc_get_referents)
 *   weak ID TARGET         a weakref's or proxy's live referent
 *   root ID N              an object held from outside: N references more than the heap holds
 *   bytes N                rc_heap_stats.live_bytes
 *   survivor ID            (second file) objects alive after rc_collect(heap, 2)
 * usage: snapgen SEED N_OBJECTS SNAPSHOT EXPECTED SURVIVORS */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rcgc.h"

typedef struct pair {
    rc_object hdr;
    rc_object *left, *right;
} pair;

typedef struct bag {
    rc_object hdr;
    rc_object *slot[3];
} bag;

static int bag_traverse(rc_heap *h, rc_object *self, rc_visit_fn visit, void *arg)
{
    bag *b = (bag *)self;
    for (int i = 0; i < 3; i++) {
        int r = visit(h, b->slot[i], arg);
        if (r)
            return r;
    }
    return 0;
}

static void bag_clear(rc_heap *h, rc_object *self)
{
    bag *b = (bag *)self;
    for (int i = 0; i < 3; i++) {
        rc_object *o = b->slot[i];
        b->slot[i] = NULL;
        rc_decref(h, o);
    }
}

static uint64_t rng;
static uint64_t next(void)
{
    rng += 0x9E3779B97F4A7C15u;
    uint64_t x = rng;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}
static size_t below(size_t n)
{
    return (size_t)(next() % n);
}

static void die(const char *what, rc_heap *h)
{
    fprintf(stderr, "snapgen: %s: %s\n", what, h ? rc_heap_errmsg(h) : "");
    exit(1);
}

struct all {
    rc_object **v;
    size_t n, cap;
};

static int collect(rc_heap *h, rc_object *obj, void *user)
{
    (void)h;
    struct all *a = user;
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 1024;
        a->v = realloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = obj;
    return 0;
}

static const char *class_of(rc_heap *h, rc_object *o)
{
    const rc_type *t = rc_type_of(h, o);
    if (t == rc_heap_builtin_str(h))
        return "(string)";
    if (t == rc_heap_builtin_int(h) || t == rc_heap_builtin_float(h))
        return "(number)";
    return rc_type_name(t);
}

/* grow OLD NEW: a heap recording sites, snapshot OLD; 100 dicts made at one line and 10
 * of 50 lists dropped; snapshot NEW. */
static int grow(const char *old_path, const char *new_path)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.record_origins = true;
    rc_heap *h = rc_heap_new(&cfg);
    rc_object *keep = rc__list_new_at(h, 0, "app.c", 10);
    for (int i = 0; i < 50; i++) {
        rc_object *l = rc__list_new_at(h, 0, "app.c", 12);
        rc_list_append(h, keep, l);
        rc_decref(h, l);
    }
    if (rc_heap_snapshot_write_path(h, old_path, 0) != RC_OK)
        die("snapshot", h);
    for (int i = 0; i < 10; i++) {
        rc_object *gone;
        rc_list_pop(h, keep, -1, &gone);
        rc_decref(h, gone);
    }
    for (int i = 0; i < 100; i++) {
        rc_object *d = rc__dict_new_at(h, "app.c", 42);
        rc_list_append(h, keep, d);
        rc_decref(h, d);
    }
    if (rc_heap_snapshot_write_path(h, new_path, 0) != RC_OK)
        die("snapshot", h);
    rc_decref(h, keep);
    rc_heap_free(h);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "grow") == 0)
        return grow(argv[2], argv[3]);
    if (argc != 6) {
        fputs("usage: snapgen SEED N_OBJECTS SNAPSHOT EXPECTED SURVIVORS\n", stderr);
        return 2;
    }
    rng = strtoull(argv[1], NULL, 10);
    size_t n = strtoull(argv[2], NULL, 10);
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.gc_disabled = true;
    cfg.record_origins = next() % 2;
    rc_heap *h = rc_heap_new(&cfg);
    static const size_t pair_offs[2] = {offsetof(pair, left), offsetof(pair, right)};
    static const char *const pair_names[2] = {"left", "right"};
    rc_type_spec ps = {.size = sizeof ps,
                       .name = "pair",
                       .instance_bytes = sizeof(pair),
                       .ref_offsets = pair_offs,
                       .n_ref_offsets = 2,
                       .ref_names = pair_names};
    rc_type_spec bs = {.size = sizeof bs,
                       .name = "bag",
                       .instance_bytes = sizeof(bag),
                       .traverse = bag_traverse,
                       .clear = bag_clear};
    rc_type *pt = rc_type_new(h, &ps), *bt = rc_type_new(h, &bs);
    rc_object **objs = calloc(n + 1, sizeof *objs);
    /* make objects, each held once by objs[] */
    for (size_t i = 0; i < n; i++) {
        size_t kind = below(10);
        rc_object *o = NULL;
        char text[32];
        switch (kind) {
        case 0:
            o = rc_list_new(h, 0);
            break;
        case 1:
            o = rc_dict_new(h);
            break;
        case 2:
            snprintf(text, sizeof text, "s%zu\n\"%zu", i, below(5));
            o = rc_str_from_cstr(h, text);
            break;
        case 3:
            o = rc_float_new(h, (double)i / 4);
            break;
        case 4:
            o = rc_int_new(h, ((int64_t)1 << 62) + (int64_t)i);
            break;
        case 5:
            o = rc_new(h, pt);
            break;
        case 6:
            o = rc_new(h, bt);
            break;
        case 7: {
            rc_object *items[3] = {NULL, rc_int_new(h, 5), i ? objs[below(i)] : NULL};
            o = rc_tuple_new(h, 3, items);
            break;
        }
        case 8:
            if (i > 0 && rc_is_heap_object(objs[below(i)]) && !rc_is_weakproxy(h, objs[i - 1]))
                o = (next() % 3) ? rc_weakref_new(h, objs[below(i)], NULL, NULL)
                                 : rc_weakproxy_new(h, objs[below(i)], NULL, NULL);
            if (o == NULL) {
                rc_heap_clear_error(h);
                o = rc_list_new(h, 2);
            }
            break;
        default:
            o = rc_list_new(h, 1);
            break;
        }
        if (o == NULL)
            die("make", h);
        objs[i] = o;
    }
    /* random references between them */
    for (size_t k = 0; k < 2 * n; k++) {
        rc_object *a = objs[below(n)], *b = objs[below(n)];
        const rc_type *t = rc_type_of(h, a);
        if (t == rc_heap_builtin_list(h)) {
            rc_list_append(h, a, next() % 5 ? b : rc_int_new(h, 3));
        } else if (t == rc_heap_builtin_dict(h)) {
            rc_object *key = objs[below(n)];
            const rc_type *kt = rc_type_of(h, key);
            if (kt == rc_heap_builtin_list(h) || kt == rc_heap_builtin_dict(h) ||
                rc_is_weakproxy(h, key))
                key = rc_int_new(h, (int64_t)below(50));
            if (rc_dict_set(h, a, key, b) != RC_OK)
                rc_heap_clear_error(h);
        } else if (t == pt) {
            pair *p = (pair *)a;
            rc_object **f = next() % 2 ? &p->left : &p->right;
            rc_object *old = *f;
            *f = rc_newref(b);
            rc_decref(h, old);
        } else if (t == bt) {
            bag *g = (bag *)a;
            size_t s = below(3);
            rc_object *old = g->slot[s];
            g->slot[s] = rc_newref(b);
            rc_decref(h, old);
        }
    }
    /* drop most of the program's references; keep some, a few twice */
    for (size_t i = 0; i < n; i++) {
        size_t r = below(10);
        if (r == 0)
            rc_incref(objs[i]);
        if (r >= 2) {
            rc_decref(h, objs[i]);
            objs[i] = NULL;
        }
    }
    if (rc_heap_snapshot_write_path(h, argv[3], 0) != RC_OK)
        die("snapshot", h);
    if (rc_heap_check(h) != RC_OK)
        die("check", h);

    struct all all = {0};
    rc_heap_visit(h, collect, &all);
    FILE *out = fopen(argv[4], "w");
    int64_t *count = calloc(all.n + 1, sizeof *count);
    for (size_t i = 0; i < all.n; i++)
        count[i] = rc_refcount(all.v[i]);
    /* The walk below allocates, and a collection may run at any allocation (under stress,
     * one that ends an incremental collection frees the unreachable cycles): hold every
     * object until the walk is done. */
    for (size_t i = 0; i < all.n; i++)
        rc_incref(all.v[i]);
    for (size_t i = 0; i < all.n; i++)
        fprintf(out, "node %" PRIu64 " %s\n", rc_snapshot_id(h, all.v[i]), class_of(h, all.v[i]));
    for (size_t i = 0; i < all.n; i++) {
        rc_object *o = all.v[i];
        uint64_t id = rc_snapshot_id(h, o);
        rc_object *refs = rc_gc_get_referents(h, &o, 1);
        size_t pos = 0;
        rc_object *r;
        while (rc_list_next(h, refs, &pos, &r))
            if (rc_is_heap_object(r)) {
                fprintf(out, "strong %" PRIu64 " %" PRIu64 "\n", id, rc_snapshot_id(h, r));
                for (size_t k = 0; k < all.n; k++)
                    if (all.v[k] == r)
                        count[k]--;
            }
        rc_decref(h, refs);
        rc_object *target = NULL;
        if (rc_is_weakref(h, o))
            target = rc_weakref_get(h, o);
        if (rc_is_weakproxy(h, o))
            target = rc_weakproxy_get(h, o);
        rc_heap_clear_error(h);
        if (target != NULL) {
            fprintf(out, "weak %" PRIu64 " %" PRIu64 "\n", id, rc_snapshot_id(h, target));
            rc_decref(h, target);
        }
    }
    for (size_t i = 0; i < all.n; i++)
        if (count[i] > 0)
            fprintf(out, "root %" PRIu64 " %" PRId64 "\n", rc_snapshot_id(h, all.v[i]), count[i]);
    rc_heap_stats st = {.size = sizeof st};
    rc_heap_get_stats(h, &st);
    fprintf(out, "bytes %zu\n", st.live_bytes);
    fclose(out);
    for (size_t i = 0; i < all.n; i++)
        rc_decref(h, all.v[i]);

    rc_collect(h, 2);
    all.n = 0;
    rc_heap_visit(h, collect, &all);
    FILE *surv = fopen(argv[5], "w");
    for (size_t i = 0; i < all.n; i++)
        fprintf(surv, "survivor %" PRIu64 "\n", rc_snapshot_id(h, all.v[i]));
    fclose(surv);
    if (rc_heap_check(h) != RC_OK)
        die("check", h);
    for (size_t i = 0; i < n; i++)
        rc_decref(h, objs[i]);
    rc_heap_free(h);
    free(objs);
    free(all.v);
    free(count);
    return 0;
}
