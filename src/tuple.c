/*
 * tuple.c -- the tuple type: a fixed-length sequence whose items live in the object's tail
 * (invariant TUPLE-FIXED in builtins.h). A tracked container: traverse visits the items,
 * clear releases them. Its hash (hash.c) is cached in the object because the items never
 * change while it lives.
 */
#include "builtins.h"

static int tuple_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    rci_tuple *t = (rci_tuple *)self;
    for (size_t i = 0; i < t->len; i++) {
        int r = visit(heap, t->items[i], arg);
        if (r != 0)
            return r;
    }
    return 0;
}

/* Each slot is NULLed before its reference is dropped, so the tuple stays valid if the
 * release frees objects that look at it. Last item first, as CPython's tupledealloc: the
 * order in which finalizers run and in which a weakref dies before or after its referent
 * (then calling back or not) is CPython's. */
static void tuple_clear(rc_heap *heap, rc_object *self)
{
    rci_tuple *t = (rci_tuple *)self;
    for (size_t i = t->len; i-- > 0;) {
        rc_object *item = t->items[i];
        t->items[i] = NULL;
        rc_decref(heap, item);
    }
}

rc_type *rci_tuple_register(rc_heap *heap)
{
    rc_type_spec spec = {
        .size = sizeof(rc_type_spec),
        .name = "tuple",
        .instance_bytes = sizeof(rci_tuple),
        .traverse = tuple_traverse,
        .clear = tuple_clear,
    };
    return rci_type_register(heap, &spec);
}

rc_object *rc_tuple_new(rc_heap *heap, size_t n, rc_object *const *items)
{
    if (n > (SIZE_MAX / 2 - sizeof(rci_tuple)) / sizeof(rc_object *)) {
        rci_error(heap, RC_ELIMIT, "rc_tuple_new: length %zu too large", n);
        return NULL;
    }
    /* items are the caller's references, so they survive a collection run by the
     * allocation. */
    rci_tuple *t = (rci_tuple *)rci_object_new(heap, heap->types.t_tuple,
                                               sizeof(rci_tuple) + n * sizeof(rc_object *));
    if (t == NULL)
        return NULL;
    t->len = n;
    if (items != NULL) {
        for (size_t i = 0; i < n; i++)
            t->items[i] = rc_newref(items[i]);
    }
    return &t->hdr;
}

size_t rc_tuple_len(rc_heap *heap, const rc_object *tuple)
{
    tuple = rci_builtin_self(heap, tuple, RCI_INDEX_TUPLE, "rc_tuple_len", "a tuple");
    return tuple != NULL ? ((const rci_tuple *)tuple)->len : 0;
}

rc_object *rc_tuple_get_borrow(rc_heap *heap, const rc_object *tuple, size_t index)
{
    tuple = rci_builtin_self(heap, tuple, RCI_INDEX_TUPLE, "rc_tuple_get_borrow", "a tuple");
    if (tuple == NULL)
        return NULL;
    const rci_tuple *t = (const rci_tuple *)tuple;
    if (index >= t->len) {
        rci_error(heap, RC_EINDEX, "rc_tuple_get_borrow: index %zu out of range (length %zu)",
                  index, t->len);
        return NULL;
    }
    return t->items[index];
}
