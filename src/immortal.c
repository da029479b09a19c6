/*
 * immortal.c -- immortal objects (PEP 683; rcgc.h, RC_IMMORTAL_REFCNT).
 *
 * IMMORTAL: an immortal object is untracked and its header's generation bits are all set
 *   (rci_immortal_is_ti), a pattern no other live object has: untracked objects keep
 *   generation 0 (check.c verifies it). Its count starts at RC_IMMORTAL_REFCNT and moves
 *   with rc_incref/rc_decref like any other; rc__release (object.c), reached when a release
 *   takes it to zero, recognises the pattern and puts the count back instead of freeing, so
 *   only rc_heap_free frees it, after every shutdown function and callback has run
 *   (gc.c, rci_gc_free_all). Rejected: a test in the inline rc_incref/rc_decref (CPython
 *   3.12's way), which every reference operation of every object would pay; the test here
 *   sits on the release path only, which immortal objects reach once per 2^30 unmatched
 *   releases.
 */
#include "internal.h"

rc_status rc_make_immortal(rc_heap *heap, rc_object *obj)
{
    if (!rc_is_heap_object(obj))
        return RC_OK;
    if (heap->gc.collecting)
        return rci_error(heap, RC_ESTATE, "rc_make_immortal: called during a collection");
    if (!rci_object_is_live(obj) || obj->_refcnt < 1)
        return rci_error_misuse(heap, RC_MISUSE_FREED_OBJECT, obj, __FILE__, __LINE__,
                                "rc_make_immortal: object %p is freed or being freed", (void *)obj);
    if (obj->_tinfo & RCI_TRACKED)
        rci_object_untrack_accounting(heap, obj);
    obj->_tinfo |= RCI_IMMORTAL_BITS;
    obj->_refcnt = RC_IMMORTAL_REFCNT;
    return RC_OK;
}

bool rc_is_immortal(const rc_heap *heap, const rc_object *obj)
{
    (void)heap;
    return !rc_is_heap_object(obj) || rci_immortal_is_ti(obj->_tinfo);
}
