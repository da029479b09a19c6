/*
 * list.c -- the list type: a growable array of references in a buffer charged to the list
 * type (invariant LIST-BUF in builtins.h). Growth is by about 1/8 plus a little, as
 * CPython's list_resize does, so appends are amortised O(1) and the slack stays small;
 * the buffer never shrinks except when the list is cleared. A tracked container.
 *
 * Invariant LIST-RELEASE: every path that drops item references first puts the list in
 * its final valid state and drops the references after, because a release can free other
 * objects whose clear functions may look at this list.
 */
#include "builtins.h"

#include <stddef.h>
#include <string.h>

static int list_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    rci_list *l = (rci_list *)self;
    for (size_t i = 0; i < l->len; i++) {
        int r = visit(heap, l->items[i], arg);
        if (r != 0)
            return r;
    }
    return 0;
}

/* Empties the list (len 0, no buffer), then drops what it held (LIST-RELEASE). */
static void list_clear(rc_heap *heap, rc_object *self)
{
    rci_list *l = (rci_list *)self;
    rc_object **items = l->items;
    size_t len = l->len, cap = l->cap;
    l->items = NULL;
    l->len = 0;
    l->cap = 0;
    for (size_t i = len; i-- > 0;) /* last first, as CPython's list_dealloc and list.clear */
        rc_decref(heap, items[i]);
    if (items != NULL)
        rci_mem_buf_free(heap, heap->types.t_list, items, cap * sizeof(rc_object *));
}

/* Frees the buffer only: a collection frees cyclic garbage without clear, and the
 * references in it are released through traverse, not here. */
static void list_destroy(rc_heap *heap, rc_object *self)
{
    rci_list *l = (rci_list *)self;
    if (l->items != NULL)
        rci_mem_buf_free(heap, heap->types.t_list, l->items, l->cap * sizeof(rc_object *));
    l->items = NULL;
    l->cap = 0;
    l->len = 0;
}

rc_type *rci_list_register(rc_heap *heap)
{
    rc_type_spec spec = {
        .size = sizeof(rc_type_spec),
        .name = "list",
        .instance_bytes = sizeof(rci_list),
        .traverse = list_traverse,
        .clear = list_clear,
        .destroy = list_destroy,
    };
    return rci_type_register(heap, &spec);
}

/* Makes room for `needed` items; the list is unchanged on failure. */
static rc_status list_reserve(rc_heap *heap, rci_list *l, size_t needed, const char *call)
{
    if (needed <= l->cap)
        return RC_OK;
    size_t max_items = (SIZE_MAX / 2) / sizeof(rc_object *);
    if (needed > max_items)
        return rci_error(heap, RC_ELIMIT, "%s: length %zu exceeds the limit of %zu items", call,
                         needed, max_items);
    size_t cap = needed + (needed >> 3) + (needed < 9 ? 3 : 6);
    if (cap > max_items)
        cap = max_items;
    rc_object **items;
    if (l->items == NULL)
        items = rci_mem_buf_alloc(heap, heap->types.t_list, cap * sizeof(rc_object *));
    else
        items = rci_mem_buf_resize(heap, heap->types.t_list, l->items, l->cap * sizeof(rc_object *),
                                   cap * sizeof(rc_object *));
    if (items == NULL)
        return rci_error(heap, RC_ENOMEM, "%s: out of memory growing a list to %zu items", call,
                         cap);
    l->items = items;
    l->cap = cap;
    return RC_OK;
}

rc_object *rc_list_new(rc_heap *heap, size_t capacity_hint)
{
    if (capacity_hint > (SIZE_MAX / 2) / sizeof(rc_object *)) {
        rci_error(heap, RC_ELIMIT, "rc_list_new: capacity %zu too large", capacity_hint);
        return NULL;
    }
    rci_list *l = (rci_list *)rci_object_new(heap, heap->types.t_list, sizeof(rci_list));
    if (l == NULL)
        return NULL;
    if (capacity_hint > 0) {
        l->items = rci_mem_buf_alloc(heap, heap->types.t_list, capacity_hint * sizeof(rc_object *));
        if (l->items == NULL) {
            rc_decref(heap, &l->hdr);
            rci_error(heap, RC_ENOMEM, "rc_list_new: out of memory for %zu items", capacity_hint);
            return NULL;
        }
        l->cap = capacity_hint;
    }
    return &l->hdr;
}

size_t rc_list_len(rc_heap *heap, const rc_object *list)
{
    list = rci_builtin_self(heap, list, RCI_INDEX_LIST, "rc_list_len", "a list");
    return list != NULL ? ((const rci_list *)list)->len : 0;
}

/* The layout and index the header's inline appends rely on. */
_Static_assert(sizeof(rc__list) == sizeof(rci_list) &&
                   offsetof(rc__list, len) == offsetof(rci_list, len) &&
                   offsetof(rc__list, cap) == offsetof(rci_list, cap) &&
                   offsetof(rc__list, items) == offsetof(rci_list, items),
               "rcgc.h's rc__list must match rci_list");
_Static_assert(RC__TYPE_SHIFT == RCI_TYPE_SHIFT && RC__LIST_TYPE_INDEX == RCI_INDEX_LIST,
               "rcgc.h's list type index must match the library's");

/* The append path of rc_list_append and rc_list_append_steal (inline in rcgc.h) when the
 * buffer is full or list is not a list. With `steal` the caller's reference is taken over,
 * and released on failure; without it a new one is taken on success only. */
rc_status rc__list_append_slow(rc_heap *heap, rc_object *list, rc_object *item, bool steal)
{
    const char *call = steal ? "rc_list_append_steal" : "rc_list_append";
    list = rci_builtin_self(heap, list, RCI_INDEX_LIST, call, "a list");
    rc_status st = list != NULL
                       ? list_reserve(heap, (rci_list *)list, ((rci_list *)list)->len + 1, call)
                       : rc_heap_last_error(heap);
    if (list == NULL || st != RC_OK) {
        if (steal)
            rc_decref(heap, item);
        return st;
    }
    rci_list *l = (rci_list *)list;
    l->items[l->len++] = steal ? item : rc_newref(item);
    return RC_OK;
}

/* Checks that *listp is a list (a proxy's referent replaces it, PROXY-FORWARD) and index
 * (negative counts from the end) names an item. */
static rc_status list_locate(rc_heap *heap, rc_object **listp, int64_t index, size_t *pos,
                             const char *call)
{
    const rc_object *list = *listp = rci_builtin_self(heap, *listp, RCI_INDEX_LIST, call, "a list");
    if (list == NULL)
        return rc_heap_last_error(heap);
    size_t len = ((const rci_list *)list)->len;
    uint64_t mag = index < 0 ? (uint64_t)0 - (uint64_t)index : (uint64_t)index;
    if ((index >= 0 && mag >= len) || (index < 0 && mag > len))
        return rci_error(heap, RC_EINDEX, "%s: index %lld out of range (length %zu)", call,
                         (long long)index, len);
    *pos = index >= 0 ? (size_t)mag : len - (size_t)mag;
    return RC_OK;
}

rc_status rc_list_get(rc_heap *heap, const rc_object *list, int64_t index, rc_object **out)
{
    size_t pos = 0;
    rc_object *self = (rc_object *)list;
    rc_status st = list_locate(heap, &self, index, &pos, "rc_list_get");
    if (st != RC_OK)
        return st;
    if (out == NULL)
        return rci_error(heap, RC_EINVAL, "rc_list_get: out is NULL");
    *out = rc_newref(((const rci_list *)self)->items[pos]);
    return RC_OK;
}

rc_object *rc_list_get_borrow(rc_heap *heap, const rc_object *list, int64_t index)
{
    size_t pos = 0;
    rc_object *self = (rc_object *)list;
    if (list_locate(heap, &self, index, &pos, "rc_list_get_borrow") != RC_OK)
        return NULL;
    return ((const rci_list *)self)->items[pos];
}

rc_status rc_list_set(rc_heap *heap, rc_object *list, int64_t index, rc_object *item)
{
    size_t pos = 0;
    rc_status st = list_locate(heap, &list, index, &pos, "rc_list_set");
    if (st != RC_OK)
        return st;
    rci_list *l = (rci_list *)list;
    rc_object *old = l->items[pos];
    l->items[pos] = rc_newref(item);
    rc_decref(heap, old);
    return RC_OK;
}

rc_status rc_list_insert(rc_heap *heap, rc_object *list, int64_t index, rc_object *item)
{
    list = rci_builtin_self(heap, list, RCI_INDEX_LIST, "rc_list_insert", "a list");
    if (list == NULL)
        return rc_heap_last_error(heap);
    rci_list *l = (rci_list *)list;
    size_t len = l->len, pos;
    if (index < 0) {
        uint64_t mag = (uint64_t)0 - (uint64_t)index;
        pos = mag >= len ? 0 : len - (size_t)mag;
    } else {
        pos = (uint64_t)index >= len ? len : (size_t)index;
    }
    rc_status st = list_reserve(heap, l, len + 1, "rc_list_insert");
    if (st != RC_OK)
        return st;
    memmove(l->items + pos + 1, l->items + pos, (len - pos) * sizeof(rc_object *));
    l->items[pos] = rc_newref(item);
    l->len = len + 1;
    return RC_OK;
}

rc_status rc_list_pop(rc_heap *heap, rc_object *list, int64_t index, rc_object **out)
{
    size_t pos = 0;
    rc_status st = list_locate(heap, &list, index, &pos, "rc_list_pop");
    if (st != RC_OK)
        return st;
    if (out == NULL)
        return rci_error(heap, RC_EINVAL, "rc_list_pop: out is NULL");
    rci_list *l = (rci_list *)list;
    *out = l->items[pos];
    memmove(l->items + pos, l->items + pos + 1, (l->len - pos - 1) * sizeof(rc_object *));
    l->len--;
    return RC_OK;
}

rc_status rc_list_clear(rc_heap *heap, rc_object *list)
{
    list = rci_builtin_self(heap, list, RCI_INDEX_LIST, "rc_list_clear", "a list");
    if (list == NULL)
        return rc_heap_last_error(heap);
    list_clear(heap, list);
    return RC_OK;
}

bool rc_list_next(rc_heap *heap, const rc_object *list, size_t *pos, rc_object **item)
{
    list = rci_builtin_self(heap, list, RCI_INDEX_LIST, "rc_list_next", "a list");
    if (list == NULL)
        return false;
    if (pos == NULL || item == NULL) {
        rci_error(heap, RC_EINVAL, "rc_list_next: pos or item is NULL");
        return false;
    }
    const rci_list *l = (const rci_list *)list;
    if (*pos >= l->len)
        return false;
    *item = l->items[(*pos)++];
    return true;
}
