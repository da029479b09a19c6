/*
 * mem.c -- memory through the heap's allocator (rc_heap_config.allocator): owned buffers,
 * charged to the heap's and a type's live bytes (rci_mem_buf_*), and the library's own tables,
 * which are not charged (rci_mem_*). Object slots and pages are page.c's.
 */
#include "internal.h"

/* ---- buffers ------------------------------------------------------------------------- */

static void charge(rc_heap *heap, rc_type *type, size_t add, size_t sub)
{
    heap->mem.buffer_bytes = heap->mem.buffer_bytes + add - sub;
    heap->mem.live_bytes = heap->mem.live_bytes + add - sub;
    if (type != NULL)
        type->live_bytes = type->live_bytes + add - sub;
    if (heap->mem.live_bytes > heap->mem.peak_live_bytes)
        heap->mem.peak_live_bytes = heap->mem.live_bytes;
}

void *rci_mem_buf_alloc(rc_heap *heap, rc_type *type, size_t bytes)
{
    void *block = heap->alloc.alloc(heap->alloc.user, bytes ? bytes : 1, RCI_BUF_ALIGN);
    if (block != NULL)
        charge(heap, type, bytes, 0);
    return block;
}

void *rci_mem_buf_resize(rc_heap *heap, rc_type *type, void *block, size_t old_bytes,
                         size_t new_bytes)
{
    if (block == NULL)
        return rci_mem_buf_alloc(heap, type, new_bytes);
    void *grown = heap->alloc.resize(heap->alloc.user, block, old_bytes, new_bytes ? new_bytes : 1);
    if (grown != NULL)
        charge(heap, type, new_bytes, old_bytes);
    return grown;
}

void rci_mem_buf_free(rc_heap *heap, rc_type *type, void *block, size_t bytes)
{
    if (block == NULL)
        return;
    heap->alloc.free(heap->alloc.user, block, bytes ? bytes : 1, RCI_BUF_ALIGN);
    charge(heap, type, 0, bytes);
}

void *rci_mem_alloc(rc_heap *heap, size_t bytes)
{
    return heap->alloc.alloc(heap->alloc.user, bytes ? bytes : 1, RCI_BUF_ALIGN);
}

void *rci_mem_resize(rc_heap *heap, void *block, size_t old_bytes, size_t new_bytes)
{
    if (block == NULL)
        return rci_mem_alloc(heap, new_bytes);
    return heap->alloc.resize(heap->alloc.user, block, old_bytes, new_bytes ? new_bytes : 1);
}

void rci_mem_free(rc_heap *heap, void *block, size_t bytes)
{
    if (block != NULL)
        heap->alloc.free(heap->alloc.user, block, bytes ? bytes : 1, RCI_BUF_ALIGN);
}
