/*
 * weakref.c -- weak references: the weakref type, the heap's side table of weakref lists,
 * clearing at the referent's death and the callback queue.
 *
 * WEAKLIST: an object has RCI_WEAKREFD set exactly when heap->wr_table holds an entry for
 *   its address; the entry heads a doubly linked list (through next/prev) of every live
 *   weakref whose referent is that object, newest first. A weakref's referent is NULL once
 *   cleared, and a cleared weakref is on no list. Objects never given a weakref pay
 *   nothing: no field, and the table is only consulted when the bit is set.
 * TABLE: open addressing with linear probing and backward-shift deletion (no tombstones);
 *   wr_cap is 0 or a power of two, and wr_used <= 3/4 wr_cap.
 * QUEUE: heap->wr_calls holds weakrefs whose callbacks are due, each with one reference;
 *   rci_weakref_calls_run treats it as a stack of ranges so that callbacks may clear more
 *   weakrefs (and queue more) while it runs.
 *
 * A weakref is a tracked container whose traverse visits nothing: it holds no strong
 * reference, but being tracked lets a collection tell when a weakref is itself garbage, in
 * which case its callback must not run (CPython's handle_weakrefs).
 */
#include "finalize.h"

#include <string.h>

typedef struct rci_weakref {
    rc_object hdr;
    rc_object *referent;           /* the object referred to, or NULL once it died */
    struct rci_weakref *next;      /* the referent's list (WEAKLIST) */
    struct rci_weakref *prev;
    rc_weakref_fn callback;        /* called once when the referent dies, or NULL */
    void *user;
} rci_weakref;

typedef struct rci_wr_slot {
    rc_object *key;   /* the referent, or NULL for an empty slot */
    rci_weakref *head;
} rci_wr_slot;

/* ---- the side table ---------------------------------------------------------------------- */

static size_t slot_of(const rc_heap *heap, const rc_object *key)
{
    uint64_t h = ((uint64_t)(uintptr_t)key >> 3) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 17) & (heap->wr_cap - 1);
}

static rci_wr_slot *table_find(const rc_heap *heap, const rc_object *key)
{
    if (heap->wr_cap == 0)
        return NULL;
    for (size_t i = slot_of(heap, key);; i = (i + 1) & (heap->wr_cap - 1)) {
        if (heap->wr_table[i].key == key)
            return &heap->wr_table[i];
        if (heap->wr_table[i].key == NULL)
            return NULL;
    }
}

static void table_put(rc_heap *heap, rc_object *key, rci_weakref *head)
{
    size_t i = slot_of(heap, key);
    while (heap->wr_table[i].key != NULL)
        i = (i + 1) & (heap->wr_cap - 1);
    heap->wr_table[i].key = key;
    heap->wr_table[i].head = head;
}

static bool table_reserve(rc_heap *heap)
{
    if ((heap->wr_used + 1) * 4 <= heap->wr_cap * 3)
        return true;
    size_t cap = heap->wr_cap ? heap->wr_cap * 2 : 64;
    rci_wr_slot *old = heap->wr_table;
    size_t old_cap = heap->wr_cap;
    rci_wr_slot *fresh = rci_mem_alloc(heap, cap * sizeof *fresh);
    if (fresh == NULL)
        return false;
    memset(fresh, 0, cap * sizeof *fresh);
    heap->wr_table = fresh;
    heap->wr_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key != NULL)
            table_put(heap, old[i].key, old[i].head);
    rci_mem_free(heap, old, old_cap * sizeof *old);
    return true;
}

/* Backward-shift deletion keeps every key reachable from its home slot without tombstones. */
static void table_remove(rc_heap *heap, rci_wr_slot *slot)
{
    size_t mask = heap->wr_cap - 1;
    size_t hole = (size_t)(slot - heap->wr_table);
    size_t i = hole;
    for (;;) {
        i = (i + 1) & mask;
        rc_object *k = heap->wr_table[i].key;
        if (k == NULL)
            break;
        size_t home = slot_of(heap, k);
        /* k may fill the hole if its home is not cyclically within (hole, i]. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            heap->wr_table[hole] = heap->wr_table[i];
            hole = i;
        }
    }
    heap->wr_table[hole].key = NULL;
    heap->wr_table[hole].head = NULL;
    heap->wr_used--;
}

/* ---- the weakref type -------------------------------------------------------------------- */

static int weakref_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    (void)heap;
    (void)self;
    (void)visit;
    (void)arg;
    return 0;
}

static void weakref_clear(rc_heap *heap, rc_object *self)
{
    (void)heap;
    (void)self;
}

/* Unlinks wr from its referent's list, dropping the list when it empties. */
static void unlink_weakref(rc_heap *heap, rci_weakref *wr)
{
    if (wr->referent == NULL)
        return;
    if (wr->prev != NULL) {
        wr->prev->next = wr->next;
    } else {
        rci_wr_slot *slot = table_find(heap, wr->referent);
        rc_assert(heap, slot != NULL && slot->head == wr);
        if (wr->next != NULL) {
            slot->head = wr->next;
        } else {
            table_remove(heap, slot);
            wr->referent->_tinfo &= ~RCI_WEAKREFD;
        }
    }
    if (wr->next != NULL)
        wr->next->prev = wr->prev;
    wr->referent = NULL;
    wr->next = wr->prev = NULL;
}

static void weakref_destroy(rc_heap *heap, rc_object *self)
{
    unlink_weakref(heap, (rci_weakref *)self);
}

static rc_status weakref_repr(rc_heap *heap, rc_object *self, rc_strbuf *out)
{
    rci_weakref *wr = (rci_weakref *)self;
    if (wr->referent == NULL)
        return rc_strbuf_printf(out, "<weakref at %p; dead>", (void *)self);
    return rc_strbuf_printf(out, "<weakref at %p; to '%s' at %p>", (void *)self,
                            rci_type_of(heap, wr->referent)->name, (void *)wr->referent);
}

static rc_type *weakref_type(rc_heap *heap)
{
    if (heap->t_weakref != NULL)
        return heap->t_weakref;
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "weakref";
    spec.instance_bytes = sizeof(rci_weakref);
    spec.traverse = weakref_traverse;
    spec.clear = weakref_clear;
    spec.destroy = weakref_destroy;
    spec.repr = weakref_repr;
    heap->t_weakref = rci_type_register(heap, &spec);
    return heap->t_weakref;
}

bool rc_is_weakref(const rc_heap *heap, const rc_object *ref)
{
    return rc_is_heap_object(ref) && heap->t_weakref != NULL &&
           rci_type_index(ref) == heap->t_weakref->index;
}

rc_object *rc_weakref_new(rc_heap *heap, rc_object *obj, rc_weakref_fn callback, void *user)
{
    if (!rc_is_heap_object(obj)) {
        rci_error(heap, RC_EINVAL, "rc_weakref_new: the referent %p is None or a small int",
                  (void *)obj);
        return NULL;
    }
    if (!rci_is_live(obj)) {
        rci_misuse(heap, RC_MISUSE_FREED_OBJECT, obj, __FILE__, __LINE__,
                   "rc_weakref_new: object %p was already freed", (void *)obj);
        return NULL;
    }
    rc_type *t = weakref_type(heap);
    if (t == NULL)
        return NULL;
    /* The allocation may collect: keep obj alive across it. */
    obj->_refcnt++;
    rc_object *self = rci_object_new(heap, t, t->instance_bytes);
    if (self == NULL || !table_reserve(heap)) {
        if (self != NULL) {
            rc_decref(heap, self);
            rci_error(heap, RC_ENOMEM, "rc_weakref_new: out of memory growing the weakref table");
        }
        rc_decref(heap, obj);
        return NULL;
    }
    rci_weakref *wr = (rci_weakref *)self;
    wr->referent = obj;
    wr->callback = callback;
    wr->user = user;
    rci_wr_slot *slot = (obj->_tinfo & RCI_WEAKREFD) ? table_find(heap, obj) : NULL;
    if (slot != NULL) {
        wr->next = slot->head;
        slot->head->prev = wr;
        slot->head = wr;
    } else {
        table_put(heap, obj, wr);
        heap->wr_used++;
        obj->_tinfo |= RCI_WEAKREFD;
    }
    obj->_refcnt--; /* back to the caller's count; obj held a reference, so never zero */
    return self;
}

rc_object *rc_weakref_get(rc_heap *heap, const rc_object *wr)
{
    if (!rc_is_weakref(heap, wr)) {
        rci_error(heap, RC_ETYPE, "rc_weakref_get: %p is not a weakref", (const void *)wr);
        return NULL;
    }
    return rc_newref(((const rci_weakref *)wr)->referent);
}

size_t rc_weakref_count(const rc_heap *heap, const rc_object *obj)
{
    if (!rc_is_heap_object(obj) || !(obj->_tinfo & RCI_WEAKREFD))
        return 0;
    rci_wr_slot *slot = table_find(heap, obj);
    size_t n = 0;
    for (rci_weakref *w = slot != NULL ? slot->head : NULL; w != NULL; w = w->next)
        n++;
    return n;
}

/* ---- death of a referent ----------------------------------------------------------------- */

static bool queue_push(rc_heap *heap, rc_object *wr)
{
    if (heap->wr_calls_len == heap->wr_calls_cap) {
        size_t cap = heap->wr_calls_cap ? heap->wr_calls_cap * 2 : 16;
        rc_object **grown = rci_mem_resize(heap, heap->wr_calls,
                                           heap->wr_calls_cap * sizeof(rc_object *),
                                           cap * sizeof(rc_object *));
        if (grown == NULL)
            return false;
        heap->wr_calls = grown;
        heap->wr_calls_cap = cap;
    }
    heap->wr_calls[heap->wr_calls_len++] = rc_newref(wr);
    return true;
}

void rci_weakrefs_clear(rc_heap *heap, rc_object *obj, bool queue, rci_wr_skip_fn skip)
{
    rci_wr_slot *slot = table_find(heap, obj);
    obj->_tinfo &= ~RCI_WEAKREFD;
    if (slot == NULL)
        return;
    rci_weakref *w = slot->head;
    table_remove(heap, slot);
    while (w != NULL) {
        rci_weakref *next = w->next;
        w->referent = NULL;
        w->next = w->prev = NULL;
        if (queue && w->callback != NULL && (skip == NULL || !skip(&w->hdr)) &&
            !queue_push(heap, &w->hdr))
            rci_error(heap, RC_ENOMEM, "weakref callback of %p dropped: out of memory", (void *)w);
        w = next;
    }
}

void rci_weakref_detach(rc_heap *heap, rc_object *wr)
{
    unlink_weakref(heap, (rci_weakref *)wr);
}

void rci_weakref_calls_run(rc_heap *heap, size_t mark)
{
    size_t end = heap->wr_calls_len;
    for (size_t i = mark; i < end; i++) {
        rc_object *self = heap->wr_calls[i];
        rci_weakref *wr = (rci_weakref *)self;
        wr->callback(heap, self, wr->user);
        /* Whatever the callback queued ran inside it and was truncated back to end. */
        rc_decref(heap, self);
    }
    heap->wr_calls_len = mark;
}

void rci_weakrefs_shutdown(rc_heap *heap)
{
    for (size_t i = 0; i < heap->wr_cap; i++) {
        for (rci_weakref *w = heap->wr_table[i].head; w != NULL;) {
            rci_weakref *next = w->next;
            w->referent = NULL;
            w->next = w->prev = NULL;
            w = next;
        }
    }
    rci_mem_free(heap, heap->wr_table, heap->wr_cap * sizeof(rci_wr_slot));
    heap->wr_table = NULL;
    heap->wr_cap = heap->wr_used = 0;
    rci_mem_free(heap, heap->wr_calls, heap->wr_calls_cap * sizeof(rc_object *));
    heap->wr_calls = NULL;
    heap->wr_calls_len = heap->wr_calls_cap = 0;
}
