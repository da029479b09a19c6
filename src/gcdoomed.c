/*
 * gcdoomed.c -- the release of confirmed garbage in slices (issue 12): the doomed list,
 * its slices and its check. src/gc.c section 9 ("Releasing the garbage in slices") is the
 * account, with the invariant DOOMED and why it is safe; this file implements it.
 *
 * LIST: the doomed objects are chained through their headers, as the pending-free list is
 * (object.c, PENDING): RCI_PENDING set, the link to the next one packed in _refcnt and the
 * flag bits below RCI_PENDING, the head in heap->gc.doomed. Handing an object over needs
 * no memory, so a collection never fails to finish for want of it, and a slice needs none
 * either. A doomed object is told from a pending one by the list it is on only: outside a
 * release by counting (heap->objs.freeing) every PENDING object is doomed.
 */
#include "util.h"

#include <string.h>

#define LINK_LOW_BITS RCI_DOOMED_LINK_LOW_BITS
_Static_assert(RCI_PENDING == 1u << LINK_LOW_BITS,
               "the doomed link uses the flag bits below RCI_PENDING, as object.c's pending list");

/* Objects released between looks at the clock. */
#define SLICE_CHUNK 64u
/* Per tracked allocation of the interval between slices, objects a slice may release:
 * the list drains sixteen times faster than a program allocating refills it (section 9). */
#define SLICE_PER_ALLOC 16u
/* Of which released whatever the clock says (a budget too small to release any). */
#define SLICE_FLOOR 2u
/* Stress mode: a small slice at every tracked allocation, so that doomed objects wait
 * across many allocations and every other operation of the program. */
#define SLICE_STRESS 64u

static rc_object *link_pop(rc_heap *heap)
{
    rc_object *obj = heap->gc.doomed;
    rc_assert_inv(heap, "DOOMED", (obj->_tinfo & RCI_PENDING) && rci_type_index(obj) != 0);
    uint64_t link =
        ((uint64_t)(obj->_tinfo & ((1u << LINK_LOW_BITS) - 1u)) << 32) | (uint32_t)obj->_refcnt;
    heap->gc.doomed = (rc_object *)(uintptr_t)(link << 3);
    obj->_refcnt = 0;
    obj->_tinfo &= ~RCI_FLAG_MASK;
    return obj;
}

/* Tracked allocations between slices: as between increments (gcincr.c). */
static size_t slice_interval(const rc_heap *heap)
{
    size_t n = heap->gc.gen[0].threshold / 8;
    return n > 0 ? n : 1;
}

size_t rci_doomed_slice_objects(const rc_heap *heap)
{
    if (heap->gc.stress)
        return SLICE_STRESS;
    return slice_interval(heap) * SLICE_PER_ALLOC;
}

void rci_doomed_batch_begin(rc_heap *heap, rci_doom_batch *b)
{
    memset(b, 0, sizeof *b);
    b->head = heap->gc.doomed;
}

/* The objects counted so far leave their type's books (object.c's object_free does this
 * at a free): they are no longer live for rc_type_live_count and rc_heap_check. */
static void batch_flush_type(rci_doom_batch *b)
{
    if (b->type != NULL) {
        b->type->live_count -= b->type_n;
        b->type->live_bytes -= b->type_bytes;
    }
    b->type_n = 0;
    b->type_bytes = 0;
}

void rci_doomed_batch_type(rci_doom_batch *b, rc_type *t)
{
    batch_flush_type(b);
    b->type = t;
}

void rci_doomed_batch_end(rc_heap *heap, rci_doom_batch *b)
{
    batch_flush_type(b);
    for (unsigned g = 0; g < 4; g++)
        heap->gc.gen_size[g] -= b->gen_n[g];
    heap->mem.live_bytes -= b->bytes;
    heap->objs.total_freed += b->n;
    heap->gc.doomed_len += b->n;
    heap->gc.doomed_bytes += b->bytes;
    heap->gc.doomed = b->head;
    rc_assert_inv(heap, "DOOMED", b->n == 0 || heap->gc.doomed != NULL);
}

/* Releases one doomed object: its type's destroy and its slot (object.c's object_free
 * without the accounting, done when it was handed over). */
static void release_one(rc_heap *heap)
{
    rc_object *obj = link_pop(heap);
    rc_type *t = rci_type_of(heap, obj);
    heap->gc.doomed_len--;
    heap->gc.doomed_bytes -= rci_page_slot_bytes(obj);
    if (t->destroy != NULL)
        t->destroy(heap, obj);
    rci_page_slot_free(heap, obj);
}

size_t rci_doomed_release(rc_heap *heap, size_t max, uint64_t budget_ns)
{
    size_t done = 0;
    uint64_t t0 = budget_ns == UINT64_MAX ? 0 : rci_os_now_ns();
    while (heap->gc.doomed != NULL && done < max) {
        size_t end = max - done < SLICE_CHUNK ? max : done + SLICE_CHUNK;
        while (heap->gc.doomed != NULL && done < end) {
            release_one(heap);
            done++;
        }
        if (budget_ns != UINT64_MAX && rci_os_now_ns() - t0 >= budget_ns)
            break;
    }
    if (heap->gc.doomed == NULL) {
        rc_assert_inv(heap, "DOOMED", heap->gc.doomed_len == 0 && heap->gc.doomed_bytes == 0);
        rci_gc_trigger_update(heap);
    }
    return done;
}

bool rci_doomed_step(rc_heap *heap, uint64_t *budget_ns)
{
    uint64_t t0 = rci_os_now_ns();
    rci_doomed_release(heap, SIZE_MAX, *budget_ns);
    uint64_t spent = rci_os_now_ns() - t0;
    *budget_ns = spent < *budget_ns ? *budget_ns - spent : 0;
    return heap->gc.doomed != NULL;
}

void rci_doomed_release_all(rc_heap *heap)
{
    if (heap->gc.doomed != NULL)
        rci_doomed_release(heap, SIZE_MAX, UINT64_MAX);
}

bool rci_doomed_tick(rc_heap *heap)
{
    if (!heap->gc.stress && heap->gc.doomed_countdown > 1) {
        heap->gc.doomed_countdown--;
        return false;
    }
    heap->gc.doomed_countdown = slice_interval(heap);
    uint64_t t0 = rci_os_now_ns();
    /* At least SLICE_FLOOR objects per allocation of the interval whatever the budget says:
     * every doomed object was allocated once, so the list drains faster than it fills. */
    size_t quota = rci_doomed_slice_objects(heap), floor = slice_interval(heap) * SLICE_FLOOR;
    size_t done = rci_doomed_release(heap, floor < quota ? floor : quota, UINT64_MAX);
    if (done < quota && heap->gc.doomed != NULL)
        rci_doomed_release(heap, quota - done, heap->gcincr.pause_budget);
    uint64_t t1 = rci_os_now_ns();
    rci_gcincr_pause_record(heap, t1 - t0);
    heap->gcincr.pause.release_slices++;
    return true;
}

const char *rci_doomed_check(const rc_heap *heap)
{
    size_t n = 0, bytes = 0;
    for (const rc_object *o = heap->gc.doomed; o != NULL; n++) {
        if (n == heap->gc.doomed_len || !rc_is_heap_object(o) || !(o->_tinfo & RCI_PENDING) ||
            rci_type_index(o) == 0)
            return "the doomed list holds something not a doomed object (DOOMED)";
        bytes += rci_page_slot_bytes(o);
        uint64_t link =
            ((uint64_t)(o->_tinfo & ((1u << LINK_LOW_BITS) - 1u)) << 32) | (uint32_t)o->_refcnt;
        o = (const rc_object *)(uintptr_t)(link << 3);
    }
    if (n != heap->gc.doomed_len || bytes != heap->gc.doomed_bytes)
        return "the doomed list differs from its recorded length or bytes (DOOMED)";
    return NULL;
}
