/*
 * weakref.h -- the weakref layout and weakref.c's functions, shared with object.c (the
 * release path), gc.c (weakrefs in garbage), weakdict.c and finalize.c (built on weakrefs),
 * the equality and hash files and check.c.
 */
#ifndef RCGC_WEAKREF_H
#define RCGC_WEAKREF_H

#include "internal.h"

/* A weakref or proxy (layout owned by weakref.c, whose header states WEAKLIST; object.c's
 * release path frees plain weakrefs itself, rci_weakref_is_plain). */
typedef struct rci_weakref {
    rc_object hdr;
    rc_object *referent;        /* the object referred to, or NULL once it died */
    struct rci_weakref *next;   /* the referent's list (WEAKLIST), or NULL */
    struct rci_weakref **pprev; /* what points at this weakref on that list, or NULL */
    rc_weakref_fn callback;     /* called once when the referent dies, or NULL */
    void *user;                 /* callback's argument (for an owned callable, that object) */
    rc_release_fn release;      /* called once with user when the weakref is done with it
                                      (after its callback ran, or when it is freed), or NULL */
    uint64_t hash;              /* rc_hash, cached when first hashed while the referent
                                      lived (never 0); 0 if never hashed (weakref.c, WRHASH) */
    rc_object *payload;         /* strong: a weak-key dict's value; with mapkey NULL, the
                                      callable the callback owns (rc_weakref_new_obj,
                                      finalize handles), dropped once the callback ran */
    rc_object *mapkey;          /* strong: the key of its entry in a weak container
                                      (CPython's KeyedRef), or NULL */
} rci_weakref;
_Static_assert(offsetof(rci_weakref, mapkey) + sizeof(rc_object *) == sizeof(rci_weakref) &&
                   offsetof(rci_weakref, hash) < offsetof(rci_weakref, payload) &&
                   offsetof(rci_weakref, release) < offsetof(rci_weakref, hash),
               "rc_weakref_new zeroes release, hash, payload and mapkey as the struct's tail");

/* A weakref that holds no strong reference and has no release function (payload, mapkey and
 * release NULL: every rc_weakref_new weakref). Freeing one only unlinks it: object.c frees these without the generic release
 * (reference offsets, destroy hook), keyed on heap->wr.wr_type_index. */
static inline bool rci_weakref_is_plain(const rc_object *wr)
{
    const rci_weakref *w = (const rci_weakref *)wr;
    return ((uintptr_t)w->payload | (uintptr_t)w->mapkey | (uintptr_t)w->release) == 0;
}
/* The weakref's memory is about to be freed: it leaves its referent's list (WEAKLIST)
 * without resetting its own fields. */
static inline void rci_weakref_unlink_dying(rc_heap *heap, rci_weakref *wr)
{
    (void)heap; /* read by the debug builds' assertion only */
    if (wr->referent == NULL)
        return;
    rc_assert_inv(heap, "WEAKLIST", wr->pprev != NULL && *wr->pprev == wr);
    *wr->pprev = wr->next;
    if (wr->next != NULL)
        wr->next->pprev = wr->pprev;
}
/* Which weakrefs lose their callback when their referent dies (CPython: weakrefs that are
 * garbage themselves). NULL: none. */
typedef bool (*rci_wr_skip_fn)(const rc_object *wr);
/* Clears every weakref to obj and forgets obj's list (RCI_WEAKREFD cleared). With queue,
 * each cleared weakref that has a callback and is not rejected by skip is appended to
 * heap->wr.wr_calls with a reference; without queue (or if the queue cannot grow, which sets
 * the heap's error) callbacks are dropped. No user code runs. */
void rci_weakrefs_clear(rc_heap *heap, rc_object *obj, bool queue, rci_wr_skip_fn skip);
/* A new weakref (or proxy) to obj calling back callback(heap, wr, user) when obj dies, then
 * release(heap, user); owned (may be NULL) is a strong reference the weakref keeps until
 * then (weakref.c, CALLBACK DATA). All three NULL: the shared basic one (SHARED). NULL with
 * the error set, naming call. Can collect. */
rc_object *rci_weakref_make(rc_heap *heap, const char *call, bool proxy, rc_object *obj,
                            rc_weakref_fn callback, void *user, rc_release_fn release,
                            rc_object *owned);
/* Whether the side table has an entry for obj (rc_heap_check: WEAKLIST). */
bool rci_weakref_has_entry(const rc_heap *heap, const rc_object *obj);
/* If ref is a weak proxy: true, with *referent its referent (borrowed; NULL once dead). */
bool rci_weakref_proxy_unwrap(const rc_heap *heap, const rc_object *ref, rc_object **referent);
/* Detaches the weakref wr from its referent, as if the referent had died, without calling
 * its callback (a weakref found in cyclic garbage). */
void rci_weakref_detach(rc_heap *heap, rc_object *wr);
/* Calls the callbacks queued at heap->wr.wr_calls[mark ...] in order, drops their weakrefs and
 * truncates the queue to mark. Re-entrant: a callback that queues more runs them first. */
void rci_weakref_calls_run(rc_heap *heap, size_t mark);
/* Heap shutdown: every weakref is cleared without callbacks and the side table freed. */
void rci_weakrefs_shutdown(rc_heap *heap);
/* Heap shutdown (finalize.c), before anything is freed: runs the finalize functions left whose atexit
 * flag is set, newest first (those they register included), releases the others, and
 * frees the registry. */
void rci_finalize_shutdown(rc_heap *heap);
/* rc_hash of a weakref (WRHASH): its referent's, cached; RC_ETYPE if it died unhashed. */
rc_status rci_weakref_hash(rc_heap *heap, rc_object *wr, uint64_t *out, const char *call);
/* Where wr's hash comes from: wr's referent, followed through weakrefs not yet hashed, or
 * the first weakref on the way that is hashed or dead. */
rc_object *rci_weakref_hash_source(const rc_heap *heap, rc_object *wr);
/* rc_equal of two weakrefs (not both the same): their referents' equality while both live,
 * else false (identity). */
rc_status rci_weakref_equal(rc_heap *heap, rc_object *a, rc_object *b, bool *out, const char *call);
/* Whether obj, a live object, is a weakref or proxy whose referent is set: on its
 * referent's list (WEAKLIST), as rci_weakrefs_check verifies. */
static inline bool rci_weakref_has_referent(const rc_heap *heap, const rc_object *obj)
{
    uint32_t idx = rci_type_index(obj);
    return (idx == heap->wr.wr_type_index || idx == heap->wr.wr_proxy_index) &&
           ((const rci_weakref *)obj)->referent != NULL;
}
/* rc_heap_check's part: WEAKLIST and TABLE (weakref.c); with_referent is the number of
 * live objects for which rci_weakref_has_referent holds (check.c's walk), which must be
 * the number found on the lists. NULL, or what is wrong with *where set to the object or
 * heap concerned. */
const char *rci_weakrefs_check(const rc_heap *heap, size_t with_referent, const void **where);

#endif /* RCGC_WEAKREF_H */
