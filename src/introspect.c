/*
 * introspect.c -- Python's gc introspection (get_referents, get_referrers, get_objects), on
 * util.c's address maps and object arrays.
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
 * garbage it never asked for. Garbage confirmed and waiting to be released in slices (gc.c
 * section 9, DOOMED) is marked RCI_PENDING: rc_heap_visit, which these walks use, never
 * shows it.
 */
#include "introspect.h"

#include <string.h>

/* ---- lists of found objects ------------------------------------------------------------ */

rc_object *rci_introspect_list_fill(rc_heap *heap, rc_object *list, const rci_ptrvec *vec,
                                    const char *call)
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
    return rci_util_ptrvec_push(heap, arg, ref) ? 0 : 1;
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
            rci_util_ptrvec_free(heap, &out);
            rc_decref(heap, list);
            return NULL;
        }
    }
    list = rci_introspect_list_fill(heap, list, &out, "rc_gc_get_referents");
    rci_util_ptrvec_free(heap, &out);
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
    if (ref != NULL && rci_util_ptrmap_find(w->targets, ref) != NULL) {
        w->hit = true;
        return 1;
    }
    return 0;
}

/* UNSEEN: the object is unreachable in the collection that is running. */
static inline bool unseen(const rc_object *obj)
{
    return (rci_object_flags(obj) & (RCI_GARBAGE | RCI_UNCOLLECTABLE)) != 0;
}

static int find_referrers(rc_heap *heap, rc_object *obj, void *user)
{
    referrers_walk *w = user;
    if (obj == w->self || !rci_type_of(heap, obj)->holds_refs || unseen(obj))
        return 0;
    w->hit = false;
    rc_traverse(heap, obj, check_target, w);
    if (w->hit && !rci_util_ptrvec_push(heap, &w->found, obj))
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
        if (objs[i] != NULL && rci_util_ptrmap_insert(heap, &targets, objs[i], &added) == NULL)
            goto nomem;
    }
    if (targets.len > 0 && rci_heap_visit_containers(heap, find_referrers, &w) != 0)
        goto nomem;
    list = rci_introspect_list_fill(heap, list, &w.found, "rc_gc_get_referrers");
    goto done;
nomem:
    rci_error(heap, RC_ENOMEM, "rc_gc_get_referrers: no memory for %zu objects", n);
    rc_decref(heap, list);
    list = NULL;
done:
    rci_util_ptrvec_free(heap, &w.found);
    rci_util_ptrmap_free(heap, &targets);
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
    if ((rci_object_flags(obj) & RCI_TRACKED) == 0 || obj == w->self || unseen(obj))
        return 0;
    if (w->generation >= 0 && rci_object_gen(obj) != (unsigned)w->generation)
        return 0;
    return rci_util_ptrvec_push(heap, &w->found, obj) ? 0 : 1;
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
        list = rci_introspect_list_fill(heap, list, &w.found, "rc_gc_get_objects");
    }
    rci_util_ptrvec_free(heap, &w.found);
    return list;
}
