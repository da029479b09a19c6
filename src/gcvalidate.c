/*
 * gcvalidate.c -- the collector's phase validators: after each phase of a collection, at
 * debug level 2 and up (debug.h, RCI_VALIDATE_PHASES), a walk of the collected set S
 * checks the header bits and counts that phase promises, as CPython's validate_list does.
 * The invariants checked are stated once, by name, in src/gc.c's header (section 4,
 * "Checked after each phase"); each check below cites its name, and a failure is reported
 * as misuse of kind RC_MISUSE_ASSERT whose message starts with that name.
 *
 * A validator reads headers only: it never allocates, never traverses (a type's traverse
 * may be user code, and tests count traversals), never runs user code and changes nothing.
 * Cost: one walk of the pages of S (a partial run: of its members) per phase.
 */
#include "internal.h"

#include <stdio.h>

#define COLLECTION_BITS                                                                            \
    (RCI_REACHABLE | RCI_SCANNED | RCI_EXTREFS | RCI_GARBAGE | RCI_UNCOLLECTABLE)

static const char *const check_names[] = {
    [RCI_GCV_SET] = "GC-SET",           [RCI_GCV_SUBTRACTED] = "GC-SUBTRACTED",
    [RCI_GCV_MARKED] = "GC-MARKED",     [RCI_GCV_GARBAGE_RECORDED] = "GC-GARBAGE-RECORDED",
    [RCI_GCV_LEGACY] = "GC-LEGACY",     [RCI_GCV_RESURRECTED] = "GC-RESURRECTED",
    [RCI_GCV_RELEASED] = "GC-RELEASED", [RCI_GCV_PROMOTED] = "GC-PROMOTED",
};

/* Reports a broken invariant about obj (NULL: about the set itself) and stops the walk. */
static bool broken(rc_heap *heap, rci_gcvalidate_check check, const rc_object *obj,
                   const char *what)
{
    char where[96] = "";
    if (obj != NULL)
        snprintf(where, sizeof where, " (object %p, count %d, flags 0x%x)", (const void *)obj,
                 (int)obj->_refcnt, (unsigned)(obj->_tinfo & RCI_FLAG_MASK));
    rci_error_misuse(heap, RC_MISUSE_ASSERT, obj, __FILE__, __LINE__,
                     "internal assertion failed: %s after its phase: %s%s", check_names[check],
                     what, where);
    return false;
}

/* Whether a live (not free, not pending) object belongs to S by its header alone. */
static bool in_set(const rc_object *o, const rci_gcvalidate_set *set)
{
    uint32_t ti = o->_tinfo;
    return (ti & (RCI_PENDING | RCI_TRACKED)) == RCI_TRACKED &&
           (ti & RCI_GEN_MASK) - set->lo <= set->span;
}

/* The checks on one live, not pending, object of the pages of S (or a member). */
static bool check_object(rc_heap *heap, const rci_gcvalidate_set *set, rci_gcvalidate_check check,
                         const rc_object *o)
{
    uint32_t ti = o->_tinfo;
    bool reachable = (ti & RCI_REACHABLE) != 0, garbage = (ti & RCI_GARBAGE) != 0;
    int32_t count = o->_refcnt;
    if (check == RCI_GCV_PROMOTED) /* every object of the pages, in S or not */
        return (ti & COLLECTION_BITS) == 0 ||
               broken(heap, check, o, "a collection bit survived phase 5");
    if (!in_set(o, set)) {
        /* Until phase 3 (user code) a partial run's members stay in S: its phases 1, 2
         * and 4 loop over them without testing (MEMBERS-IN-S, gc.c section 4). */
        if (set->members != NULL &&
            (check == RCI_GCV_SET || check == RCI_GCV_SUBTRACTED || check == RCI_GCV_MARKED))
            return broken(heap, check, o, "a member of a partial run is not in S");
        return true;
    }
    switch (check) {
    case RCI_GCV_SET:
        if (ti & COLLECTION_BITS)
            return broken(heap, check, o, "an object of S carries a collection bit");
        return count >= 1 || broken(heap, check, o, "a live object of S has a count below 1");
    case RCI_GCV_SUBTRACTED:
        if (ti & (RCI_REACHABLE | RCI_SCANNED | RCI_GARBAGE | RCI_UNCOLLECTABLE))
            return broken(heap, check, o, "phase 1 left a bit other than EXTREFS");
        /* FUSED (gc.c section 9): a partial run's walk subtracts as it admits; a count
         * below 0 would be a reference subtracted twice (a corrupt heap, reported by the
         * check around the collection, can show here in any collection) */
        return set->members == NULL || count >= 0 ||
               broken(heap, check, o, "phase 1 left a count below 0");
    case RCI_GCV_MARKED:
        if (reachable != ((ti & RCI_SCANNED) != 0))
            return broken(heap, check, o, "REACHABLE without SCANNED, or SCANNED alone");
        if (ti & (RCI_GARBAGE | RCI_UNCOLLECTABLE))
            return broken(heap, check, o, "GARBAGE or UNCOLLECTABLE before phase 3");
        if (count > 0 && !reachable)
            return broken(heap, check, o, "an object with outside references is not REACHABLE");
        return !reachable || count >= 1 ||
               broken(heap, check, o, "a REACHABLE object has a count below 1");
    case RCI_GCV_GARBAGE_RECORDED:
        return reachable != garbage ||
               broken(heap, check, o, "not exactly one of REACHABLE and GARBAGE");
    case RCI_GCV_LEGACY:
        if ((ti & RCI_UNCOLLECTABLE) && (!reachable || garbage))
            return broken(heap, check, o, "UNCOLLECTABLE without REACHABLE, or with GARBAGE");
        return !(reachable && garbage) || broken(heap, check, o, "both REACHABLE and GARBAGE");
    case RCI_GCV_RESURRECTED:
        if (garbage && !reachable && count > 0)
            return broken(heap, check, o, "garbage with outside references is not REACHABLE");
        return !(garbage && reachable && count < 1) ||
               broken(heap, check, o, "a resurrected object has a count below 1");
    case RCI_GCV_RELEASED:
        if (reachable)
            return count >= 1 || broken(heap, check, o, "a survivor has a count below 1");
        if (set->rites && !garbage) /* allocated by user code in phase 3 */
            return true;
        return count <= 0 || broken(heap, check, o, "garbage has a count above 0");
    case RCI_GCV_PROMOTED:
        break;
    }
    return true;
}

/* Floyd's cycle test over cnext: a page listed twice would make S's walks loop. */
static bool pages_acyclic(const rci_page *p)
{
    const rci_page *fast = p;
    while (fast != NULL && fast->cnext != NULL) {
        p = p->cnext;
        fast = fast->cnext->cnext;
        if (p == fast)
            return false;
    }
    return true;
}

void rci_gcvalidate(rc_heap *heap, const rci_gcvalidate_set *set, rci_gcvalidate_check check)
{
    if (set->members != NULL) {
        for (uint32_t i = 0; i < set->pages->bump; i++) {
            const rc_object *o = set->members[i];
            /* MEMBERS-IN-S: FOR_EACH_MEMBER reads every entry, untested, in every phase */
            if (o == NULL) {
                broken(heap, check, NULL, "a member of a partial run is NULL");
                return;
            }
            if (rci_object_is_live(o) && !check_object(heap, set, check, o))
                return;
        }
        return;
    }
    if (!pages_acyclic(set->pages)) {
        broken(heap, check, NULL, "a page is listed twice on the pages of S");
        return;
    }
    for (const rci_page *pg = set->pages; pg != NULL; pg = pg->cnext) {
        if (!pg->container) {
            broken(heap, check, NULL, "an atomic page is among the pages of S");
            return;
        }
        for (uint32_t i = 0; i < pg->bump; i++) {
            const rc_object *o = (const rc_object *)(pg->slots + (size_t)i * pg->slot_bytes);
            if (rci_object_is_live(o) && !check_object(heap, set, check, o))
                return;
        }
    }
}
