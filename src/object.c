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
 * NEW-FAST: a type's allocation fields (new_tinfo, small_room, small_var_room, small_pools,
 *   pool_room, var_room, pools) are fixed at registration; rc_new, rc_new_var and
 *   rci_object_new read them (see new_refused below).
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

/* Drops every reference obj holds: its type's clear, or each offset field set to NULL. */
static inline void clear_refs(rc_heap *heap, rc_object *obj, const rc_type *t)
{
    if (t->clear != NULL) {
        if (t->has_array) /* its clear, without the indirect call and the type look-up */
            rci_type_array_clear(heap, t, obj);
        else
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
        rc_decref(heap, r0);
        rc_decref(heap, r1);
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
    if (t->destroy != NULL)
        t->destroy(heap, obj);
    rci_object_free_slot(heap, obj, t);
}

/* TREE: an object whose type has reference fields only (no clear, destroy, finalizer, and
 * not the weakref type: tree_type) dies in tree_loop (inline in release_now for two fields,
 * in release_tree otherwise), outside any collection's phases 4 and 5. Each field's referent
 * of the same type, plain (tracked; no weakrefs or other flag; a recorded site is forgotten
 * as object_leaving does) and at count 1 dies with it there: it leaves its generation at
 * once, as object_leaving would, and waits on a stack in the loop's frame (header: its type
 * index alone, count zero) instead of the pending list; a full stack spills onto the pending
 * list, which release_now drains after. The per-object counters of object_leaving and
 * object_free that only the heap's and the type's books hold (gen[0].count, the type's live
 * count and bytes, the heap's live bytes and freed count) are summed in registers and
 * written back before anything else can read them: before every call that may run user
 * code (rc_decref of any other referent, in tree_drop), before a page's slow path (whose
 * SPARES limit reads the live bytes) and at the end. Before that rc_decref the stack is
 * spilled too, and the dying holder's fields are cleared, so user code run meanwhile sees
 * every dying object PENDING and counted, as a drain without TREE shows them. No user code
 * runs while the stack or the sums are not empty. A tree (binary-trees) is then freed depth
 * first with no call, push or pop per node. Rejected: freeing only the leaves this way
 * (LEAF, before): every internal node still paid for rc__release, a push and a pop. */
#define TREE_STACK 64

static inline bool tree_type(const rc_type *t)
{
    rc_assert(t->heap, t->tree == (t->clear == NULL && t->destroy == NULL && !t->release_special &&
                                   t->n_ref_offsets != 0));
    return t->tree;
}

/* The counters release_tree holds back (see TREE). */
typedef struct tree_sums {
    size_t n_freed; /* objects of its type freed */
    size_t bytes;   /* their slots' bytes */
    size_t n_left;  /* of them, those whose count reached zero in release_tree */
} tree_sums;

static inline void tree_sums_write(rc_heap *heap, rc_type *t, tree_sums *sums)
{
    t->live_count -= sums->n_freed;
    t->live_bytes -= sums->bytes;
    heap->mem.live_bytes -= sums->bytes;
    heap->objs.total_freed += sums->n_freed;
    if (sums->n_left != 0 && t->tracked) { /* object_leaving's gen[0].count--, n_left times */
        size_t young = heap->gc.gen[0].count;
        heap->gc.gen[0].count = young > sums->n_left ? young - sums->n_left : 0;
    }
    sums->n_freed = sums->bytes = sums->n_left = 0;
}

/* One reference obj (dying, of type t, whose header's type bits are same) held: ref dies
 * with obj (onto the stack), or loses a count that stays above zero and makes no
 * candidate, or is released as rc_decref does, with the books, the stack and obj's fields
 * (two: a two-field type's, which the loop leaves set until then) in order first (TREE). */
static inline void tree_drop(rc_heap *heap, rc_type *t, uint32_t same, rc_object *obj,
                             rc_object *ref, rc_object **stack, size_t *sp, tree_sums *sums,
                             bool two)
{
    if (!rc_is_heap_object(ref))
        return;
    uint32_t ti = ref->_tinfo;
    int32_t count = ref->_refcnt;
    bool dies = count == 1 && (ti & ~RCI_GEN_MASK) == (same | RCI_TRACKED);
    if (RCI_UNLIKELY(!dies && count == 1 &&
                     (ti & ~(RCI_GEN_MASK | RCI_ORIGIN)) == (same | RCI_TRACKED))) {
        rci_origin_forget(heap, ref); /* as object_leaving: no user code, no books */
        dies = true;
    }
    if (RCI_LIKELY(dies)) {
        ref->_refcnt = 0;
        ref->_tinfo = same;
        heap->gc.gen_size[ti & RCI_GEN_MASK]--;
        sums->n_left++;
        if (RCI_LIKELY(*sp < TREE_STACK))
            stack[(*sp)++] = ref;
        else
            pending_push(heap, ref);
        return;
    }
    if (count > 1 && (ti & RC__CANDIDATE_MASK) != RC__CANDIDATE_TEST) {
        ref->_refcnt = count - 1; /* rc_decref's whole work here: no call */
        return;
    }
    if ((sums->n_freed | sums->n_left) != 0)
        tree_sums_write(heap, t, sums);
    while (*sp > 0)
        pending_push(heap, stack[--*sp]);
    obj->_tinfo |= RCI_PENDING; /* being released (PENDING), as release_now shows it */
    if (two) { /* the loop leaves a two-field type's fields set until a call like this one */
        const size_t *offsets = t->ref_offsets;
        memset((char *)obj + offsets[0], 0, sizeof(rc_object *));
        memset((char *)obj + offsets[1], 0, sizeof(rc_object *));
    }
    rc_decref(heap, ref);
}

/* release_tree's loop, for types of two fields (two: constant true, the fields' offsets
 * held in registers) or any other number. */
static RCI_ALWAYS_INLINE void tree_loop(rc_heap *heap, rc_object *obj, rc_type *t, bool two)
{
    rc_assert_inv(heap, "TREE", tree_type(t) && !heap->objs.defer_free && heap->objs.freeing);
    rc_object *stack[TREE_STACK];
    size_t sp = 0;
    tree_sums sums = {0, 0, 0};
    const uint32_t same = t->index << RCI_TYPE_SHIFT;
    const size_t *offsets = t->ref_offsets;
    const size_t n_fields = t->n_ref_offsets;
    const size_t off0 = offsets[0], off1 = two ? offsets[1] : 0;
    for (;;) {
        /* The referents are dropped first field first, as clear_refs does (a holder's
         * weakref and its referent die in field order: test_weakref_holder_death), each
         * field cleared before any call that could run user code (tree_drop). A tree is
         * then freed depth first, the last field's subtree first. */
        if (two) {
            rc_object *r0, *r1;
            memcpy(&r0, (char *)obj + off0, sizeof r0); /* NOLINT(bugprone-sizeof-expression) */
            memcpy(&r1, (char *)obj + off1, sizeof r1); /* NOLINT(bugprone-sizeof-expression) */
            tree_drop(heap, t, same, obj, r0, stack, &sp, &sums, true);
            tree_drop(heap, t, same, obj, r1, stack, &sp, &sums, true);
        } else {
            for (size_t i = 0; i < n_fields; i++) {
                rc_object **field = (rc_object **)((char *)obj + offsets[i]);
                rc_object *ref = *field;
                *field = NULL;
                tree_drop(heap, t, same, obj, ref, stack, &sp, &sums, false);
            }
        }
        rci_page *page = rci_page_of(obj);
        sums.n_freed++;
        sums.bytes += page->slot_bytes;
        if (RCI_UNLIKELY(!rci_page_slot_free_fast(page, obj))) {
            tree_sums_write(heap, t, &sums);
            rci_page_slot_free_slow(heap, page);
        }
        if (sp == 0)
            break;
        obj = stack[--sp];
    }
    tree_sums_write(heap, t, &sums);
}

/* Frees obj (as release_now: off the books, count zero, fields intact) of type t
 * (tree_type), and every object of its type that dies with it (TREE). Out of line: types
 * of two fields have the loop inline in release_now. */
RCI_NOINLINE
static void release_tree(rc_heap *heap, rc_object *obj, rc_type *t)
{
    tree_loop(heap, obj, t, false);
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
        /* clear first: a type with a clear function pays no more than it did before
         * TREE (clear_refs tests it anyway). */
        if (t->clear == NULL && tree_type(t) && !heap->objs.defer_free) {
            /* A two-field object enters the loop whatever its fields hold. Rejected: a look
             * first for a field that dies with it, taking clear_refs when none does (the
             * look cost more than it saved: callgrind, churn 50,000 334.55 to 333.85
             * million instructions without it, rctraffic 1M 49.11 to 48.41). */
            if (t->n_ref_offsets != 2)
                release_tree(heap, obj, t);
            else
                tree_loop(heap, obj, t, true);
        } else {
            if (t->holds_refs)
                clear_refs(heap, obj, t);
            object_free(heap, obj, t); /* destroy sees it PENDING, as user code run above did */
        }
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
    /* A free slot's header is all zero (PAGE): released, its count is below zero, so the
     * count's test finds it without a test of ti. */
    if (RCI_UNLIKELY(obj->_refcnt < 0 || (ti & RCI_PENDING))) {
        release_misuse(heap, obj);
        return;
    }
    rc_assert_inv(heap, "PAGE", ti != 0);
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
    if (RCI_LIKELY(ti & RCI_TRACKED)) {
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

void rci_object_free_destroy(rc_heap *heap, rc_object *obj, rc_type *t)
{
    t->destroy(heap, obj);
    rci_object_free_slot(heap, obj, t);
}

rc_object *rci_object_new_failed(rc_heap *heap, const rc_type *type, size_t bytes)
{
    if (type->tracked && heap->gc.gen[0].count > 0)
        heap->gc.gen[0].count--;
    rci_error(heap, RC_ENOMEM, "out of memory allocating a '%s' object of %zu bytes", type->name,
              bytes);
    return NULL;
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

/* NEW-FAST: a type's new_tinfo, small_room, small_var_room, small_pools, pool_room, var_room
 * and pools (internal.h) are set once at registration (type.c) from its index, tracked,
 * holds_refs, instance_bytes and pool, which never change; the allocation paths below read
 * them instead of deciding per call, and new_in_pool checks them in debug builds. Every
 * path off the common one (a slot of at most RCI_ZERO_INLINE_BYTES on the pool's cur page,
 * no collection due, the page already on the young list, no site to record) is a tail
 * call, so the common path saves no registers and needs no stack frame: a slot above
 * RCI_ZERO_INLINE_BYTES, zeroed by a call to memset, or a size off the small_ fields
 * (new_any, new_var_any); a refused type or size (new_var_checked, new_refused); a
 * collection due, or a cur page without a slot (new_slow, the whole of
 * rci_object_new_inline; NO-PAGE, page.c: cur is never NULL); the new object's page not on
 * the young list, or a site to record (new_noted). The allocation count is raised only once
 * no collection is due (gen[0].count below the trigger), so new_slow starts from scratch. */
RCI_NOINLINE RCI_COLD static rc_object *new_refused(rc_heap *heap, const rc_type *type)
{
    (void)type_usable(heap, type, "rc_new");
    return NULL;
}

RCI_NOINLINE
static rc_object *new_slow(rc_heap *heap, rc_type *type, size_t bytes)
{
    return rci_object_new_inline(heap, type, bytes);
}

RCI_NOINLINE
static rc_object *new_noted(rc_heap *heap, rc_type *type, rc_object *obj)
{
    rci_page *page = rci_page_of(obj);
    if (type->tracked && !(page->lists & RCI_IN_YOUNG))
        rci_page_note_gen(heap, page, 0);
    if (heap->origins.origin_now != NULL)
        rci_origin_note_current(heap, obj);
    return obj;
}

/* A new object of type t, of `bytes` (for new_slow), in a slot of pool (of t's kind,
 * container or not, and of bytes' class or larger); small: pool's slots are at most
 * RCI_ZERO_INLINE_BYTES, zeroed with no call; tracked: t->tracked, a constant for the
 * compiler (new_in_pool), so that it is tested once. */
static RCI_ALWAYS_INLINE rc_object *new_in_pool_as(rc_heap *heap, rc_type *t, rci_pool *pool,
                                                   size_t bytes, bool small, bool tracked)
{
    rc_assert_inv(heap, "NEW-FAST",
                  pool->slot_bytes >= bytes && pool->container == t->holds_refs &&
                      pool == &t->pools[rci_page_class_index(pool->slot_bytes)] &&
                      t->new_tinfo ==
                          (t->index << RCI_TYPE_SHIFT | (t->tracked ? RCI_TRACKED : 0u)));
    rc_assert_inv(heap, "NEW-FAST", tracked == t->tracked);
    const uint32_t ti = t->new_tinfo; /* read before the stores to the slot (may alias) */
    if (RCI_UNLIKELY(tracked && heap->gc.gen[0].count >= heap->gc.gc_trigger))
        return new_slow(heap, t, bytes);
    rci_page *page = pool->cur;
    if (RCI_UNLIKELY(page->free == NULL && page->bump == page->n_slots)) /* NO-PAGE */
        return new_slow(heap, t, bytes);
    uint32_t slot_bytes = pool->slot_bytes; /* POOL: the page's too */
    char *slot = rci_page_take_slot_unzeroed(page, slot_bytes);
    if (small)
        rci_page_zero_slot_small(slot, slot_bytes);
    else
        rci_page_zero_slot(slot, slot_bytes);
    rc_object *obj = (rc_object *)slot;
    obj->_refcnt = 1;
    obj->_tinfo = ti;
    rci_object_count_alloc(heap, t, slot_bytes);
    if (tracked) {
        heap->gc.gen[0].count++;
        heap->gc.gen_size[0]++;
        if (RCI_UNLIKELY(!(page->lists & RCI_IN_YOUNG)))
            return new_noted(heap, t, obj);
    }
    if (RCI_UNLIKELY(heap->origins.origin_now != NULL))
        return new_noted(heap, t, obj);
    return obj;
}

static RCI_ALWAYS_INLINE rc_object *new_in_pool(rc_heap *heap, rc_type *t, rci_pool *pool,
                                                size_t bytes, bool small)
{
    if (t->tracked)
        return new_in_pool_as(heap, t, pool, bytes, small, true);
    return new_in_pool_as(heap, t, pool, bytes, small, false);
}

/* NEW-FAST's choice of pool for an object of t of `bytes`: t's own pool when bytes is in the
 * class of its instance size (one compare), else the pool of bytes' class (one more and a
 * table look-up). Otherwise (bytes below the instance size or above RCI_MAX_CLASS_BYTES)
 * the caller's way out, `refused`, is taken. A macro, so that the way out is a tail call
 * of the caller. */
#define NEW_POOL(heap, t, bytes, out, refused)                                                     \
    do {                                                                                           \
        size_t extra_ = (bytes) - (t)->instance_bytes;                                             \
        (out) = (t)->pool;                                                                         \
        if (RCI_UNLIKELY(extra_ >= (t)->pool_room)) {                                              \
            if (RCI_UNLIKELY(extra_ >= (t)->var_room))                                             \
                return refused;                                                                    \
            (out) = &(t)->pools[(heap)->pages.class_of[((bytes) + 7) / 8]];                        \
        }                                                                                          \
    } while (0)

/* NEW_POOL's common case: a pool of slots of at most RCI_ZERO_INLINE_BYTES, found with the
 * small_ fields alone (no test of the slot's size after); any other size takes the way
 * out, `other`. */
#define NEW_POOL_SMALL(t, bytes, out, other)                                                       \
    do {                                                                                           \
        size_t extra_ = (bytes) - (t)->instance_bytes;                                             \
        (out) = (t)->pool_small;                                                                   \
        if (RCI_UNLIKELY(extra_ >= (t)->small_room)) {                                             \
            if (RCI_UNLIKELY(extra_ >= (t)->small_var_room))                                       \
                return other;                                                                      \
            (out) = (t)->small_pools[((bytes) + 7) / 8];                                           \
        }                                                                                          \
    } while (0)

/* rci_object_new and rc_new_var off NEW_POOL_SMALL: a slot above RCI_ZERO_INLINE_BYTES, or
 * a size refused (`refused`: new_slow or new_var_checked). */
#define NEW_ANY(heap, t, bytes, refused)                                                           \
    do {                                                                                           \
        rci_pool *pool_;                                                                           \
        NEW_POOL(heap, t, bytes, pool_, refused);                                                  \
        if (RCI_UNLIKELY(pool_->slot_bytes > RCI_ZERO_INLINE_BYTES))                               \
            return new_in_pool(heap, t, pool_, bytes, false);                                      \
        return new_in_pool(heap, t, pool_, bytes, true);                                           \
    } while (0)

RCI_NOINLINE
static rc_object *new_any(rc_heap *heap, rc_type *type, size_t bytes)
{
    NEW_ANY(heap, type, bytes, new_slow(heap, type, bytes));
}

rc_object *rci_object_new(rc_heap *heap, rc_type *type, size_t bytes)
{
    rci_pool *pool;
    NEW_POOL_SMALL(type, bytes, pool, new_any(heap, type, bytes));
    return new_in_pool(heap, type, pool, bytes, true);
}

rc_object *rc_new(rc_heap *heap, const rc_type *type)
{
    if (RCI_UNLIKELY(type == NULL || type->heap != heap))
        return new_refused(heap, type);
    rc_type *t = (rc_type *)type;
    rci_pool *pool = t->pool_small;
    if (RCI_UNLIKELY(pool == NULL))
        return new_slow(heap, t, t->instance_bytes);
    return new_in_pool(heap, t, pool, t->instance_bytes, true);
}

/* rc_new_var's refusals, and the objects above RCI_MAX_CLASS_BYTES. */
RCI_NOINLINE
static rc_object *new_var_checked(rc_heap *heap, const rc_type *type, size_t bytes)
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
    return new_slow(heap, (rc_type *)type, bytes);
}

RCI_NOINLINE
static rc_object *new_var_any(rc_heap *heap, rc_type *t, size_t bytes)
{
    NEW_ANY(heap, t, bytes, new_var_checked(heap, t, bytes));
}

rc_object *rc_new_var(rc_heap *heap, const rc_type *type, size_t bytes)
{
    if (RCI_UNLIKELY(type == NULL || type->heap != heap))
        return new_var_checked(heap, type, bytes);
    rc_type *t = (rc_type *)type;
    rci_pool *pool;
    NEW_POOL_SMALL(t, bytes, pool, new_var_any(heap, t, bytes));
    return new_in_pool(heap, t, pool, bytes, true);
}
