/*
 * introspect.c -- Python's gc introspection (get_referents, get_referrers, get_objects)
 * and the small containers the graph files share (graph.h): address maps and growable
 * object arrays, all in memory from the heap's allocator.
 *
 * Invariant NO-SELF: a list these calls return is created before the walk that finds its
 * items (creating it can collect, which must not free what the walk found) and the walk
 * skips it by address, so it never appears among its own items. The items go into a
 * private array first, since rc_heap_visit forbids changing the heap during the walk, and
 * are appended after it.
 * Invariant UNSEEN: while a collection runs user code (finalizers, callbacks), its
 * unreachable objects (RCI_GARBAGE, and the uncollectable part, RCI_UNCOLLECTABLE) are
 * left out of get_objects and get_referrers, as CPython 3.13 keeps them off every
 * generation list then: a list returned to a finalizer must not hold, and so resurrect,
 * garbage it never asked for.
 */
#include "graph.h"

#include <string.h>

/* ---- address map ----------------------------------------------------------------------- */

static bool rehash(rc_heap *heap, rci_ptrmap *map, size_t new_cap)
{
    uintptr_t *keys = rci_mem_alloc(heap, new_cap * sizeof *keys);
    size_t *vals = rci_mem_alloc(heap, new_cap * sizeof *vals);
    if (keys == NULL || vals == NULL) {
        if (keys != NULL)
            rci_mem_free(heap, keys, new_cap * sizeof *keys);
        if (vals != NULL)
            rci_mem_free(heap, vals, new_cap * sizeof *vals);
        return false;
    }
    memset(keys, 0, new_cap * sizeof *keys);
    for (size_t i = 0; i < map->cap; i++) {
        if (map->keys[i] == 0)
            continue;
        size_t j = rci_ptrmap_slot(map->keys[i], new_cap);
        while (keys[j] != 0)
            j = (j + 1) & (new_cap - 1);
        keys[j] = map->keys[i];
        vals[j] = map->vals[i];
    }
    size_t len = map->len;
    rci_ptrmap_free(heap, map);
    map->keys = keys;
    map->vals = vals;
    map->cap = new_cap;
    map->len = len;
    return true;
}

bool rci_ptrmap_reserve(rc_heap *heap, rci_ptrmap *map, size_t n)
{
    size_t cap = map->cap < 16 ? 16 : map->cap;
    while (cap / 2 < n)
        cap *= 2;
    return cap == map->cap || rehash(heap, map, cap);
}

size_t *rci_ptrmap_insert(rc_heap *heap, rci_ptrmap *map, const void *key, bool *added)
{
    uintptr_t k = (uintptr_t)key;
    size_t *found = rci_ptrmap_find(map, key);
    *added = false;
    if (found != NULL || k == 0)
        return found;
    if (!rci_ptrmap_reserve(heap, map, map->len + 1))
        return NULL;
    size_t i = rci_ptrmap_slot(k, map->cap);
    while (map->keys[i] != 0)
        i = (i + 1) & (map->cap - 1);
    map->keys[i] = k;
    map->vals[i] = 0;
    map->len++;
    *added = true;
    return &map->vals[i];
}

void rci_ptrmap_free(rc_heap *heap, rci_ptrmap *map)
{
    if (map->cap != 0) {
        rci_mem_free(heap, map->keys, map->cap * sizeof *map->keys);
        rci_mem_free(heap, map->vals, map->cap * sizeof *map->vals);
    }
    memset(map, 0, sizeof *map);
}

/* ---- object arrays --------------------------------------------------------------------- */

bool rci_ptrvec_push(rc_heap *heap, rci_ptrvec *vec, rc_object *obj)
{
    if (vec->len == vec->cap) {
        size_t cap = vec->cap < 16 ? 16 : vec->cap * 2;
        size_t ref_bytes = sizeof(rc_object *);
        rc_object **items =
            vec->cap == 0 ? rci_mem_alloc(heap, cap * ref_bytes)
                          : rci_mem_resize(heap, vec->items, vec->cap * ref_bytes, cap * ref_bytes);
        if (items == NULL)
            return false;
        vec->items = items;
        vec->cap = cap;
    }
    vec->items[vec->len++] = obj;
    return true;
}

void rci_ptrvec_free(rc_heap *heap, rci_ptrvec *vec)
{
    if (vec->cap != 0)
        rci_mem_free(heap, vec->items, vec->cap * sizeof(rc_object *));
    memset(vec, 0, sizeof *vec);
}

rc_object *rci_list_fill(rc_heap *heap, rc_object *list, const rci_ptrvec *vec, const char *call)
{
    for (size_t i = 0; i < vec->len; i++) {
        if (rc_list_append(heap, list, vec->items[i]) != RC_OK) {
            rc_decref(heap, list);
            rci_error(heap, RC_ENOMEM, "%s: no memory for a list of %zu objects", call, vec->len);
            return NULL;
        }
    }
    return list;
}

/* ---- get_referents --------------------------------------------------------------------- */

static int push_referent(rc_heap *heap, rc_object *ref, void *arg)
{
    if (ref == NULL)
        return 0;
    return rci_ptrvec_push(heap, arg, ref) ? 0 : 1;
}

rc_object *rc_gc_get_referents(rc_heap *heap, rc_object *const *objs, size_t n)
{
    if (n > 0 && objs == NULL) {
        rci_error(heap, RC_EINVAL, "rc_gc_get_referents: objs is NULL for n = %zu", n);
        return NULL;
    }
    rci_ptrvec out = {0};
    rc_object *list = rc_list_new(heap, 0);
    if (list == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (rc_traverse(heap, objs[i], push_referent, &out) != 0) {
            rci_error(heap, RC_ENOMEM, "rc_gc_get_referents: no memory after %zu referents",
                      out.len);
            rci_ptrvec_free(heap, &out);
            rc_decref(heap, list);
            return NULL;
        }
    }
    list = rci_list_fill(heap, list, &out, "rc_gc_get_referents");
    rci_ptrvec_free(heap, &out);
    return list;
}

/* ---- get_referrers --------------------------------------------------------------------- */

typedef struct referrers_walk {
    const rci_ptrmap *targets; /* the objects asked about */
    const rc_object *self;     /* the list being filled (NO-SELF) */
    rci_ptrvec found;          /* referrers so far */
    bool hit;                  /* the object being traversed refers to a target */
} referrers_walk;

static int check_target(rc_heap *heap, rc_object *ref, void *arg)
{
    (void)heap;
    referrers_walk *w = arg;
    if (ref != NULL && rci_ptrmap_find(w->targets, ref) != NULL) {
        w->hit = true;
        return 1;
    }
    return 0;
}

/* UNSEEN: the object is unreachable in the collection that is running. */
static inline bool unseen(const rc_object *obj)
{
    return (rci_flags(obj) & (RCI_GARBAGE | RCI_UNCOLLECTABLE)) != 0;
}

static int find_referrers(rc_heap *heap, rc_object *obj, void *user)
{
    referrers_walk *w = user;
    if (obj == w->self || !rci_type_of(heap, obj)->holds_refs || unseen(obj))
        return 0;
    w->hit = false;
    rc_traverse(heap, obj, check_target, w);
    if (w->hit && !rci_ptrvec_push(heap, &w->found, obj))
        return 1;
    return 0;
}

rc_object *rc_gc_get_referrers(rc_heap *heap, rc_object *const *objs, size_t n)
{
    if (n > 0 && objs == NULL) {
        rci_error(heap, RC_EINVAL, "rc_gc_get_referrers: objs is NULL for n = %zu", n);
        return NULL;
    }
    rci_ptrmap targets = {0};
    rc_object *list = rc_list_new(heap, 0);
    if (list == NULL)
        return NULL;
    referrers_walk w = {&targets, list, {0}, false};
    bool added;
    for (size_t i = 0; i < n; i++) {
        if (objs[i] != NULL && rci_ptrmap_insert(heap, &targets, objs[i], &added) == NULL)
            goto nomem;
    }
    if (targets.len > 0 && rci_heap_visit_containers(heap, find_referrers, &w) != 0)
        goto nomem;
    list = rci_list_fill(heap, list, &w.found, "rc_gc_get_referrers");
    goto done;
nomem:
    rci_error(heap, RC_ENOMEM, "rc_gc_get_referrers: no memory for %zu objects", n);
    rc_decref(heap, list);
    list = NULL;
done:
    rci_ptrvec_free(heap, &w.found);
    rci_ptrmap_free(heap, &targets);
    return list;
}

/* ---- get_objects ----------------------------------------------------------------------- */

typedef struct objects_walk {
    int generation;        /* -1 or the generation wanted */
    const rc_object *self; /* the list being filled (NO-SELF) */
    rci_ptrvec found;
} objects_walk;

static int collect_tracked(rc_heap *heap, rc_object *obj, void *user)
{
    objects_walk *w = user;
    if ((rci_flags(obj) & RCI_TRACKED) == 0 || obj == w->self || unseen(obj))
        return 0;
    if (w->generation >= 0 && rci_gen(obj) != (unsigned)w->generation)
        return 0;
    return rci_ptrvec_push(heap, &w->found, obj) ? 0 : 1;
}

rc_object *rc_gc_get_objects(rc_heap *heap, int generation)
{
    if (generation < -1 || generation > 2) {
        rci_error(heap, RC_EINVAL, "rc_gc_get_objects: generation %d out of range (-1 to 2)",
                  generation);
        return NULL;
    }
    rc_object *list = rc_list_new(heap, 0);
    if (list == NULL)
        return NULL;
    objects_walk w = {generation, list, {0}};
    if (rci_heap_visit_containers(heap, collect_tracked, &w) != 0) {
        rci_error(heap, RC_ENOMEM, "rc_gc_get_objects: no memory after %zu objects", w.found.len);
        rc_decref(heap, list);
        list = NULL;
    } else {
        list = rci_list_fill(heap, list, &w.found, "rc_gc_get_objects");
    }
    rci_ptrvec_free(heap, &w.found);
    return list;
}
