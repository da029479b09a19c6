/*
 * roots.c -- named roots (rcgc.h, rc_root_name): objects an embedder declares as roots of
 * its program under a name ("symbol table", "globals"), so that the leak tools start their
 * chains and pictures at a name (graph.c) instead of at an anonymous object.
 *
 * NAMED: roots[0, roots_len) are distinct live objects, each holding one reference owned by
 *   the table (so a named root is held from outside the heap's objects, as graph.c's ROOTS
 *   counts it) and an owned copy of its name. The table is small (an embedder names a
 *   handful of roots): look-ups scan it. rc_root_unname drops the reference after the
 *   entry is gone, so user code that the release runs sees a consistent table. At
 *   rc_heap_free the references are not dropped: every object is freed with the heap.
 */
#include "internal.h"

#include <string.h>

struct rci_root {
    rc_object *obj; /* one reference owned by the table */
    char *name;     /* owned, NUL-terminated */
};

static size_t root_find(const rc_heap *heap, const rc_object *obj)
{
    for (size_t i = 0; i < heap->roots.roots_len; i++)
        if (heap->roots.table[i].obj == obj)
            return i;
    return SIZE_MAX;
}

const char *rci_root_name_of(const rc_heap *heap, const rc_object *obj)
{
    size_t i = root_find(heap, obj);
    return i == SIZE_MAX ? NULL : heap->roots.table[i].name;
}

rc_status rc_root_name(rc_heap *heap, rc_object *obj, const char *name)
{
    if (!rc_is_heap_object(obj))
        return rci_error(heap, RC_EINVAL,
                         "rc_root_name: a root must be an allocated object, not %s",
                         obj == NULL ? "None" : "a small int");
    if (name == NULL)
        return rci_error(heap, RC_EINVAL, "rc_root_name: name is NULL");
    if (!rci_object_is_live(obj))
        return rci_error_misuse(heap, RC_MISUSE_FREED_OBJECT, obj, __FILE__, __LINE__,
                                "rc_root_name: object %p is freed or being freed", (void *)obj);
    size_t n = strlen(name) + 1;
    char *copy = rci_mem_alloc(heap, n);
    if (copy == NULL)
        return rci_error(heap, RC_ENOMEM, "rc_root_name: out of memory naming a root '%s'", name);
    memcpy(copy, name, n);
    size_t i = root_find(heap, obj);
    if (i != SIZE_MAX) { /* renamed: the table keeps its one reference */
        rci_mem_free(heap, heap->roots.table[i].name, strlen(heap->roots.table[i].name) + 1);
        heap->roots.table[i].name = copy;
        return RC_OK;
    }
    if (heap->roots.roots_len == heap->roots.roots_cap) {
        size_t cap = heap->roots.roots_cap ? heap->roots.roots_cap * 2 : 8;
        struct rci_root *grown = rci_mem_resize(
            heap, heap->roots.table, heap->roots.roots_cap * sizeof *grown, cap * sizeof *grown);
        if (grown == NULL) {
            rci_mem_free(heap, copy, n);
            return rci_error(heap, RC_ENOMEM, "rc_root_name: out of memory naming a root '%s'",
                             name);
        }
        heap->roots.table = grown;
        heap->roots.roots_cap = cap;
    }
    heap->roots.table[heap->roots.roots_len++] = (struct rci_root){rc_newref(obj), copy};
    return RC_OK;
}

rc_status rc_root_unname(rc_heap *heap, rc_object *obj)
{
    size_t i = root_find(heap, obj);
    if (i == SIZE_MAX || !rc_is_heap_object(obj))
        return rci_error(heap, RC_EINVAL, "rc_root_unname: %p is not a named root", (void *)obj);
    struct rci_root gone = heap->roots.table[i];
    memmove(&heap->roots.table[i], &heap->roots.table[i + 1],
            (heap->roots.roots_len - i - 1) * sizeof gone);
    heap->roots.roots_len--;
    rci_mem_free(heap, gone.name, strlen(gone.name) + 1);
    rc_decref(heap, gone.obj); /* NAMED: the entry is gone first */
    return RC_OK;
}

const char *rc_root_name_of(const rc_heap *heap, const rc_object *obj)
{
    return rc_is_heap_object(obj) ? rci_root_name_of(heap, obj) : NULL;
}

size_t rc_root_count(const rc_heap *heap)
{
    return heap->roots.roots_len;
}

rc_object *rc_root_at(const rc_heap *heap, size_t index, const char **name)
{
    if (index >= heap->roots.roots_len) {
        if (name != NULL)
            *name = NULL;
        return NULL;
    }
    if (name != NULL)
        *name = heap->roots.table[index].name;
    return heap->roots.table[index].obj;
}

void rci_roots_free(rc_heap *heap)
{
    for (size_t i = 0; i < heap->roots.roots_len; i++)
        rci_mem_free(heap, heap->roots.table[i].name, strlen(heap->roots.table[i].name) + 1);
    rci_mem_free(heap, heap->roots.table, heap->roots.roots_cap * sizeof *heap->roots.table);
    heap->roots.table = NULL;
    heap->roots.roots_len = heap->roots.roots_cap = 0;
}
