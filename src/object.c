/*
 * object.c -- object life: allocation, the release of an object whose count reached zero,
 * the pending-free work list that makes release iterative, tracking.
 *
 * HEADER: a live object has _refcnt >= 1 and a type index >= 1. A slot whose _tinfo is 0
 *   is free. An object on the pending-free list has RCI_PENDING set and its count and low
 *   flag bits hold the list link (the next object's address >> 3: 32 bits in _refcnt, 12
 *   in the flags; addresses are below 2^47, checked when pages are obtained); its type
 *   index is intact, so its references can still be found and released.
 * PENDING: every object on heap->objs.pending has had its references counted as dropped by
 *   nobody: it is unreachable, its count is zero, and it has left its generation
 *   (rci_object_untrack_accounting ran when it was pushed). Draining pops one object, releases
 *   its references (which may push more) and frees it; no C recursion happens, whatever
 *   the depth of the structure being freed. The object being released (whose references
 *   are being dropped) is off the list but keeps RCI_PENDING with a null link, so that
 *   user code run meanwhile (finalizers of what it held) never sees it as live; a release
 *   outside any drain starts with its object directly, without a push and a pop.
 * WEAKGONE: a weakref or weak proxy at count zero (pending, being released or deferred) is
 *   on no referent's list: release_special detaches it before it is pushed, so no
 *   referent's death can reach a dying weakref (weakref.c, WEAKLIST).
 * RITES-DEFER: an object's rites wait on heap->objs.deferred (defer_rites) only while
 *   heap->objs.defer_free is set (a collection's phases 4 and 5, gc.c); run_deferred empties
 *   the array after phase 5, so it is empty between collections (rc_heap_check).
 */
#include "util.h"
#include "weakref.h"

#include <string.h>

#define PENDING_LOW_BITS 12u

static void pending_push(rc_heap *heap, rc_object *obj)
{
    rc_assert_inv(heap, "PENDING", !(obj->_tinfo & RCI_PENDING) && rci_type_index(obj) != 0);
    rc_assert_inv(heap, "PENDING",
                  ((uintptr_t)heap->objs.pending & 7u) == 0 &&
                      (uint64_t)(uintptr_t)heap->objs.pending >> 47 == 0);
    uint64_t link = (uint64_t)(uintptr_t)heap->objs.pending >> 3;
    obj->_refcnt = (int32_t)(uint32_t)link;
    obj->_tinfo = (obj->_tinfo & ~RCI_FLAG_MASK) | RCI_PENDING |
                  (uint32_t)((link >> 32) & ((1u << PENDING_LOW_BITS) - 1u));
    heap->objs.pending = obj;
}

static rc_object *pending_pop(rc_heap *heap)
{
    rc_object *obj = heap->objs.pending;
    rc_assert_inv(heap, "PENDING", obj->_tinfo & RCI_PENDING);
    uint64_t link =
        ((uint64_t)(obj->_tinfo & ((1u << PENDING_LOW_BITS) - 1u)) << 32) | (uint32_t)obj->_refcnt;
    heap->objs.pending = (rc_object *)(uintptr_t)(link << 3);
    rc_assert_inv(heap, "PENDING",
                  heap->objs.pending == NULL || (heap->objs.pending->_tinfo & RCI_PENDING));
    obj->_refcnt = 0;
    obj->_tinfo &= ~RCI_FLAG_MASK;
    return obj;
}

void rci_object_untrack_accounting(rc_heap *heap, rc_object *obj)
{
    heap->gc.gen_size[rci_object_gen(obj)]--;
    obj->_tinfo &= ~(RCI_TRACKED | RCI_GEN_MASK);
}

/* The object's count reached zero: it leaves the collector's books now, while its flags
 * (ti, as read after its rites) are still readable. t is its type. Its flags are left for
 * the caller to rewrite (it marks the object PENDING), so the accounting of
 * rci_object_untrack_accounting is done without its store to the header. */
static inline void object_leaving(rc_heap *heap, rc_object *obj, const rc_type *t, uint32_t ti)
{
    if (ti & RCI_TRACKED)
        heap->gc.gen_size[ti & RCI_GEN_MASK]--;
    if (RCI_UNLIKELY((ti & RCI_ORIGIN) != 0))
        rci_origin_forget(heap, obj); /* now: marking it PENDING overwrites the flag bits */
    if (t->tracked && heap->gc.gen[0].count > 0)
        heap->gc.gen[0].count--;
}

/* LEAF: in a drain, a field's referent at count 1 of obj's own two-field type, plain (no
 * weakrefs, site, rites, immortality) and holding nothing itself, is freed here at once,
 * as a push and a pop would free it next, with the same accounting. A tree's leaves, half
 * its nodes, then never enter the pending list, and the drain's test of whether the
 * object popped holds anything sees internal nodes only (a branch that otherwise follows
 * the tree's shape and is mispredicted about once per leaf). Anything else is released as
 * rc_decref does. */
static inline void object_free(rc_heap *heap, rc_object *obj, rc_type *t);

static inline void drop_field(rc_heap *heap, rc_object *ref, const rc_type *t,
                              const size_t *offsets)
{
    if (rc_is_heap_object(ref) && ref->_refcnt == 1 &&
        (ref->_tinfo & ~(RCI_GEN_MASK | RCI_TRACKED)) == t->index << RCI_TYPE_SHIFT &&
        !heap->objs.defer_free) {
        rc_object *f0, *f1;
        memcpy(&f0, (char *)ref + offsets[0], sizeof f0); /* NOLINT(bugprone-sizeof-expression) */
        memcpy(&f1, (char *)ref + offsets[1], sizeof f1); /* NOLINT(bugprone-sizeof-expression) */
        uint32_t ti = ref->_tinfo;
        if (((uintptr_t)f0 | (uintptr_t)f1) == 0 && (ti & RCI_TRACKED)) {
            ref->_refcnt = 0;
            heap->gc.gen_size[ti & RCI_GEN_MASK]--;
            if (t->tracked && heap->gc.gen[0].count > 0)
                heap->gc.gen[0].count--;
            ref->_tinfo = (ti & ~RCI_FLAG_MASK) | RCI_PENDING;
            object_free(heap, ref, (rc_type *)t);
            return;
        }
    }
    rc_decref(heap, ref);
}

/* Drops every reference obj holds: its type's clear, or each offset field set to NULL. */
static inline void clear_refs(rc_heap *heap, rc_object *obj, const rc_type *t)
{
    if (t->clear != NULL) {
        t->clear(heap, obj);
        return;
    }
    /* Types never change once registered: the offsets are read once, not after each
     * release that the decrements below may start. */
    const size_t *offsets = t->ref_offsets;
    size_t n = t->n_ref_offsets;
    if (n == 2) {
        /* Two fields (a tree node, a weakref's payload and key), often both None: one
         * test for both. Nulling both before either decrement is the same to any observer:
         * nothing can reach obj while it is released (PENDING). */
        rc_object **f0 = (rc_object **)((char *)obj + offsets[0]);
        rc_object **f1 = (rc_object **)((char *)obj + offsets[1]);
        rc_object *r0 = *f0, *r1 = *f1;
        if (((uintptr_t)r0 | (uintptr_t)r1) == 0)
            return;
        *f0 = NULL;
        *f1 = NULL;
        if (t->release_special || t->destroy != NULL) {
            rc_decref(heap, r0);
            rc_decref(heap, r1);
            return;
        }
        drop_field(heap, r0, t, offsets);
        drop_field(heap, r1, t, offsets);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        rc_object **field = (rc_object **)((char *)obj + offsets[i]);
        rc_object *ref = *field;
        if (ref == NULL) /* None: nothing to drop, and no store to make */
            continue;
        *field = NULL;
        rc_decref(heap, ref);
    }
}

static bool defer_rites(rc_heap *heap, rc_object *obj)
{
    rc_assert_inv(heap, "RITES-DEFER", heap->objs.defer_free);
    if (!rci_util_vec_reserve(heap, &heap->objs.deferred, &heap->objs.deferred_cap,
                              heap->objs.deferred_len + 1, sizeof(rc_object *), 16))
        return false;
    obj->_refcnt = 1;
    heap->objs.deferred[heap->objs.deferred_len++] = obj;
    return true;
}

/* RITES for obj at count zero. Returns true if obj is to die now, false if it lives on
 * (resurrected, or deferred). Out of line: most objects need none. */
RCI_NOINLINE
static bool last_rites(rc_heap *heap, rc_object *obj)
{
    if (heap->objs.defer_free) {
        if (defer_rites(heap, obj))
            return false;
        /* No memory to wait: it dies without its finalizer, and its weakrefs without
         * their callbacks (running user code now would read inexact counts). */
        heap->objs.lost_finalizers++;
        rci_error(heap, RC_ENOMEM, "finalizer of %p skipped: out of memory during a collection",
                  (void *)obj);
        rci_weakrefs_clear(heap, obj, false, NULL);
        obj->_tinfo |= RCI_FINALIZED;
        return true;
    }
    obj->_refcnt = 1;
    rc_type *t = rci_type_of(heap, obj);
    if (t->finalize != NULL && !(obj->_tinfo & RCI_FINALIZED)) {
        obj->_tinfo |= RCI_FINALIZED;
        t->finalize(heap, obj);
        if (obj->_refcnt != 1) {
            obj->_refcnt--; /* resurrected: the finalizer's stores keep it */
            return false;
        }
    }
    if (obj->_tinfo & RCI_WEAKREFD) {
        size_t mark = heap->wr.wr_calls_len;
        rci_weakrefs_clear(heap, obj, true, NULL);
        rci_weakref_calls_run(heap, mark);
    }
    /* CPython's subtype_dealloc order: tp_finalize, weakrefs, then tp_del, which runs at
     * every death and may resurrect. */
    if (t->legacy_finalize != NULL) {
        t->legacy_finalize(heap, obj);
        if (obj->_refcnt != 1) {
            obj->_refcnt--;
            return false;
        }
    }
    obj->_refcnt = 0;
    return true;
}

/* rci_object_free with the type known: type destroy, accounting, slot. */
static inline void object_free(rc_heap *heap, rc_object *obj, rc_type *t)
{
    size_t bytes = rci_page_slot_bytes(obj);
    if (t->destroy != NULL)
        t->destroy(heap, obj);
    t->live_count--;
    t->live_bytes -= bytes;
    heap->mem.live_bytes -= bytes;
    heap->objs.total_freed++;
    rci_page_slot_free(heap, obj);
}

/* Frees obj, which has left the collector's books and is marked RCI_PENDING with a null
 * link (off the list: PENDING), then drains the pending list its release filled. t is its
 * type: one look-up per object. Out of line: rc__release reaches it by a tail call, so
 * that its own common path, which ends here or with a push to the pending list, saves no
 * registers. */
RCI_NOINLINE
static void release_now(rc_heap *heap, rc_object *obj, rc_type *t)
{
    heap->objs.freeing = true;
    for (;;) {
        if (t->holds_refs)
            clear_refs(heap, obj, t);
        object_free(heap, obj, t); /* destroy sees it PENDING, as user code run above did */
        if (RCI_LIKELY(heap->objs.pending == NULL))
            break;
        obj = pending_pop(heap);
        obj->_tinfo |= RCI_PENDING;
        t = rci_type_of(heap, obj);
    }
    rc_assert_inv(heap, "PENDING", heap->objs.freeing && heap->objs.pending == NULL);
    heap->objs.freeing = false;
}

/* A release took an immortal object's count to zero: put it back (IMMORTAL, immortal.c).
 * Out of line and cold: reached once per 2^30 unmatched releases. */
RCI_NOINLINE RCI_COLD static void immortal_restore(rc_object *obj)
{
    obj->_refcnt = RC_IMMORTAL_REFCNT;
}

/* rc__release's refusal: the count went below zero, or the object is freed or pending. */
RCI_NOINLINE RCI_COLD static void release_misuse(rc_heap *heap, rc_object *obj)
{
    /* The object being released (PENDING, null link, count 0 before this decrement) is
     * not freed yet: releasing it again is a count below zero. */
    bool releasing = obj->_refcnt == -1 &&
                     (obj->_tinfo & (RCI_PENDING | ((1u << PENDING_LOW_BITS) - 1u))) == RCI_PENDING;
    bool freed = obj->_tinfo == 0 || ((obj->_tinfo & RCI_PENDING) && !releasing);
    obj->_refcnt++; /* undo the decrement: the object is left alone */
    rci_error_misuse(heap, freed ? RC_MISUSE_FREED_OBJECT : RC_MISUSE_NEGATIVE_REFCOUNT, obj,
                     __FILE__, __LINE__,
                     freed ? "rc_decref: object %p was already freed"
                           : "rc_decref: reference count of %p would go below zero",
                     (void *)obj);
}

/* rc__release after the rites (if any): obj, at count zero with flags ti, of type t, dies. */
static inline void release_dying(rc_heap *heap, rc_object *obj, rc_type *t, uint32_t ti)
{
    object_leaving(heap, obj, t, ti);
    if (RCI_UNLIKELY(heap->objs.freeing || heap->objs.defer_free)) {
        pending_push(heap, obj);
        return;
    }
    obj->_tinfo = (ti & ~RCI_FLAG_MASK) | RCI_PENDING; /* count already 0 */
    release_now(heap, obj, t);
}

/* rc__release for an object with weakrefs or a recorded site, or whose type has
 * release_special set: the rites, then the common path. Out of line, like
 * weakref_release, so that rc__release saves no registers (see there). */
RCI_NOINLINE
static void release_special(rc_heap *heap, rc_object *obj, rc_type *t)
{
    if (rci_immortal_is_ti(obj->_tinfo)) {
        immortal_restore(obj);
        return;
    }
    /* WEAKGONE: a weakref or proxy whose count reached zero leaves its referent's list now,
     * before anything else runs, as CPython's weakref_dealloc clears it first. It may wait
     * on the pending list (a drain is running: a holder is releasing its fields), and its
     * referent may die meanwhile (the holder's next field): clearing that referent must not
     * find it, take a reference to it and call its callback. */
    if (t->index == heap->wr.wr_type_index || t->index == heap->wr.wr_proxy_index)
        rci_weakref_detach(heap, obj);
    if (rci_object_type_needs_rites(t, obj) && !last_rites(heap, obj))
        return;
    release_dying(heap, obj, t, obj->_tinfo);
}

/* rc__release for an object of a type with release_special set and neither weakrefs nor
 * a recorded site (ti). A plain weakref (rci_weakref_is_plain) outside any drain or
 * collection holds no reference and its death runs no user code, so it leaves its
 * referent's list and its slot is freed at once, with the accounting of object_leaving and
 * object_free; anything else goes on to release_special. Its slot has the size class of
 * sizeof(rci_weakref): weakref_make allocates that constant size. */
RCI_NOINLINE
static void weakref_release(rc_heap *heap, rc_object *obj, rc_type *t, uint32_t ti)
{
    if (RCI_UNLIKELY(t != heap->wr.t_weakref || heap->objs.freeing || heap->objs.defer_free ||
                     !rci_weakref_is_plain(obj))) {
        release_special(heap, obj, t);
        return;
    }
    const size_t bytes = rci_page_class_bytes(rci_page_class_index(sizeof(rci_weakref)));
    if (RCI_LIKELY(ti & RCI_TRACKED)) { /* rc_gc_untrack may have untracked it */
        heap->gc.gen_size[ti & RCI_GEN_MASK]--;
    } else if (RCI_UNLIKELY((ti & RCI_GEN_MASK) != 0)) {
        immortal_restore(obj);
        return;
    }
    rci_weakref_unlink_dying(heap, (rci_weakref *)obj);
    /* Minus one unless zero (the type is tracked), without a branch. */
    heap->gc.gen[0].count -= heap->gc.gen[0].count != 0;
    t->live_count--;
    t->live_bytes -= bytes;
    heap->mem.live_bytes -= bytes;
    heap->objs.total_freed++;
    rci_page_slot_free(heap, obj);
}

/* Its common path (no rites, no recorded site) calls nothing until it ends, with a tail
 * call or a push to the pending list (the releases that a drain's clear_refs starts), so
 * GCC saves no registers in it; every other path leaves by a tail call too. Rejected: the
 * rites and the weakref path inline here (every release then paid for saving six registers,
 * 20 instructions, whichever path it took). */
void rc__release(rc_heap *heap, rc_object *obj)
{
    uint32_t ti = obj->_tinfo;
    if (RCI_UNLIKELY(obj->_refcnt < 0 || ti == 0 || (ti & RCI_PENDING))) {
        release_misuse(heap, obj);
        return;
    }
    rc_type *t = heap->types.table[ti >> RCI_TYPE_SHIFT];
    if (RCI_UNLIKELY((ti & (RCI_WEAKREFD | RCI_ORIGIN)) != 0)) {
        release_special(heap, obj, t);
        return;
    }
    if (RCI_UNLIKELY(t->release_special)) {
        /* The weakref type sets release_special: plain weakrefs take their own path
         * (weakref_release decides, and passes the others on to release_special). */
        weakref_release(heap, obj, t, ti);
        return;
    }
    /* object_leaving without its RCI_ORIGIN case, excluded above. An untracked object with
     * generation bits is immortal: the test costs nothing on the tracked path. */
    if (ti & RCI_TRACKED) {
        heap->gc.gen_size[ti & RCI_GEN_MASK]--;
    } else if (RCI_UNLIKELY((ti & RCI_GEN_MASK) != 0)) {
        immortal_restore(obj);
        return;
    }
    if (t->tracked && heap->gc.gen[0].count > 0)
        heap->gc.gen[0].count--;
    if (RCI_UNLIKELY(heap->objs.freeing || heap->objs.defer_free)) {
        pending_push(heap, obj);
        return;
    }
    obj->_tinfo = (ti & ~RCI_FLAG_MASK) | RCI_PENDING; /* count already 0 */
    release_now(heap, obj, t);
}

void rci_object_release_pending(rc_heap *heap)
{
    if (heap->objs.freeing || heap->objs.pending == NULL)
        return;
    rc_object *obj = pending_pop(heap);
    obj->_tinfo |= RCI_PENDING; /* off the list, still dying (PENDING) */
    release_now(heap, obj, rci_type_of(heap, obj));
}

void rci_object_free(rc_heap *heap, rc_object *obj)
{
    object_free(heap, obj, rci_type_of(heap, obj));
}

rc_object *rci_object_new_failed(rc_heap *heap, const rc_type *type, size_t bytes)
{
    if (type->tracked && heap->gc.gen[0].count > 0)
        heap->gc.gen[0].count--;
    rci_error(heap, RC_ENOMEM, "out of memory allocating a '%s' object of %zu bytes", type->name,
              bytes);
    return NULL;
}

rc_object *rci_object_new(rc_heap *heap, rc_type *type, size_t bytes)
{
    return rci_object_new_inline(heap, type, bytes);
}

static bool type_usable(rc_heap *heap, const rc_type *type, const char *call)
{
    if (type == NULL) {
        rci_error(heap, RC_EINVAL, "%s: type is NULL", call);
        return false;
    }
    if (type->heap != heap) {
        rci_error_misuse(heap, RC_MISUSE_WRONG_HEAP, NULL, __FILE__, __LINE__,
                         "%s: type '%s' belongs to another heap", call, type->name);
        return false;
    }
    return true;
}

rc_object *rc_new(rc_heap *heap, const rc_type *type)
{
    if (!type_usable(heap, type, "rc_new"))
        return NULL;
    return rci_object_new_typed(heap, (rc_type *)type);
}

rc_object *rc_new_var(rc_heap *heap, const rc_type *type, size_t bytes)
{
    if (!type_usable(heap, type, "rc_new_var"))
        return NULL;
    if (bytes < type->instance_bytes) {
        rci_error(heap, RC_EINVAL, "rc_new_var: %zu bytes is below type '%s''s instance size %zu",
                  bytes, type->name, type->instance_bytes);
        return NULL;
    }
    if (bytes > ((size_t)1 << 40)) {
        rci_error(heap, RC_ELIMIT, "rc_new_var: %zu bytes exceeds the 1 TiB object limit", bytes);
        return NULL;
    }
    return rci_object_new(heap, (rc_type *)type, bytes);
}
