/*
 * rcgc.h -- the one public header of rcgc: Python's memory management for C.
 *
 * Objects are reference counted and freed the moment their count reaches zero; a
 * generational cycle collector (src/gc.c holds the authoritative account of its algorithm)
 * finds and frees reference cycles that counting alone cannot. Everything lives in an
 * explicit heap (rc_heap); there is no global state, so several heaps can live in one
 * process, each used by one thread at a time.
 *
 * Conventions that hold for every function below unless its comment says otherwise:
 *  - Calls on managed state take the heap first.
 *  - Object arguments are borrowed (the callee takes its own reference if it keeps one);
 *    object results are new references the caller owns and must release with rc_decref.
 *    Functions that differ say so in their name: `_steal` takes over the caller's
 *    reference, `_borrow` returns a reference the caller does not own.
 *  - NULL as an object reference means "None": containers may hold it, rc_repr prints it
 *    as None, rc_incref/rc_decref ignore it.
 *  - A reference may be a small integer packed into the pointer itself (rc_int_new); it is
 *    a value, not an allocation. Never dereference an rc_object pointer yourself: use the
 *    accessors.
 *  - Actions return rc_status (RC_OK == 0); constructors return NULL on failure. Either
 *    way the heap keeps the code and a message naming the call, the bad value and the
 *    limit (rc_heap_last_error, rc_heap_errmsg), also for the getters taking a const heap
 *    (the error is not part of the heap's state). A failed call changes nothing; a call
 *    that succeeds leaves the last error as it was.
 *  - Structs the caller fills or passes (configurations, options, statistics) start with
 *    a `size` field set to sizeof; fields are only ever appended, a call checks the size
 *    (RC_EINVAL otherwise, e.g. "rc_gc_get_stats: out->size is 0, expected at least 8")
 *    and an older, smaller struct gets the fields it has.
 *  - "Can collect" marks calls that may run a cycle collection (and so user code:
 *    finalizers, weakref callbacks, collection callbacks). Others never do.
 *
 * Threads: a heap, with its objects, types and the lists and results its calls return, is
 * used by one thread at a time; calls on one heap must never overlap (handing a heap to
 * another thread takes the program's own synchronization, such as a mutex or a join).
 * Calls on different heaps may run at the same time on different threads, every call
 * included: graph drawing renders images in a child process (rc_graph_show_refs), and
 * rcgc keeps no state outside heaps. Calls taking no heap (rc_version_number,
 * rc_status_str, rc_allocator_system, rc_heap_config_init, rc_heap_new,
 * rc_process_memory_get with a NULL heap) are safe from any thread. A heap's allocator,
 * hooks, finalizers and callbacks run on the thread calling into that heap.
 */
#ifndef RCGC_H
#define RCGC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RC_VERSION_MAJOR 0
#define RC_VERSION_MINOR 1
#define RC_VERSION_PATCH 0
#define RC_VERSION_NUMBER (RC_VERSION_MAJOR * 1000000 + RC_VERSION_MINOR * 1000 + RC_VERSION_PATCH)

#if defined(RCGC_BUILDING) && defined(__GNUC__)
#define RC_API __attribute__((visibility("default")))
#else
#define RC_API
#endif

/* The library's RC_VERSION_NUMBER; compare with the header's to catch a mismatch. */
RC_API int rc_version_number(void);

/* ---------------------------------------------------------------------------------------
 * Status codes and errors
 */

typedef enum rc_status {
    RC_OK = 0,
    RC_ENOMEM,    /* the allocator returned NULL */
    RC_EINVAL,    /* an argument is out of its documented domain */
    RC_ETYPE,     /* an object of the wrong type was passed */
    RC_EINDEX,    /* an index is out of range */
    RC_EKEY,      /* a dict key is absent */
    RC_EMISUSE,   /* the API was used against its contract (also reported to the misuse hook) */
    RC_ESTATE,    /* the call is not allowed in the heap's current state (e.g. mid-collection) */
    RC_EOS,       /* the operating system refused a request (errno is in the message) */
    RC_ECORRUPT,  /* rc_heap_check found an inconsistency */
    RC_ELIMIT,    /* a fixed limit of rcgc was reached (named in the message) */
    RC_EREFERENCE /* a weak proxy's referent no longer exists (Python's ReferenceError) */
} rc_status;

/* Fixed English text for a status code; never NULL. */
RC_API const char *rc_status_str(rc_status status);

typedef struct rc_heap rc_heap;
typedef struct rc_type rc_type;
typedef struct rc_object rc_object; /* the object header: "Objects and counts" */

/* ---------------------------------------------------------------------------------------
 * Heaps (src/heap.c, src/page.c, src/check.c): where objects live, the heap's
 * configuration, its errors and misuse reports, rc_heap_check and the heap visitor.
 */

/* Where the heap gets memory. alloc must return memory aligned to `align` (a power of two:
 * object pages ask for RC_PAGE_BYTES, everything else for 16) or NULL; resize is only used
 * for align-16 blocks and may return NULL, leaving the block untouched; free receives the
 * size and alignment that were asked for. The system allocator maps pages with mmap and
 * returns empty ones to the kernel at once; it uses malloc for the rest. */
typedef struct rc_allocator {
    void *(*alloc)(void *user, size_t bytes, size_t align);
    void *(*resize)(void *user, void *block, size_t old_bytes, size_t new_bytes);
    void (*free)(void *user, void *block, size_t bytes, size_t align);
    void *user;
} rc_allocator;

/* Bytes of one object page (and its alignment). */
#define RC_PAGE_BYTES ((size_t)65536)

/* The default allocator; a test's fault-injecting allocator can delegate to it. */
RC_API const rc_allocator *rc_allocator_system(void);

/* What misuse looks like when reported (see rc_heap_set_misuse_hook). */
typedef enum rc_misuse_kind {
    RC_MISUSE_NEGATIVE_REFCOUNT, /* a release took a count below zero */
    RC_MISUSE_FREED_OBJECT,      /* an object already freed was passed (where detectable) */
    RC_MISUSE_REENTRANT_COLLECT, /* rc_gc_untrack during a collection (rc_collect then is
                                    no misuse: it returns 0) */
    RC_MISUSE_WRONG_HEAP,        /* a type or object of another heap was passed */
    RC_MISUSE_CORRUPT_HEAP,      /* RCGC_DEBUG >= 3: rc_heap_check failed around a collection */
    RC_MISUSE_ASSERT             /* RCGC_DEBUG >= 2: an internal invariant does not hold (a bug
                                    in rcgc, or its memory overwritten); the message names the
                                    rcgc source file, line and the expression */
} rc_misuse_kind;

typedef struct rc_misuse {
    rc_misuse_kind kind;
    const char *message;   /* one line, no newline */
    const void *address;   /* the object concerned, or NULL */
    const char *type_name; /* its type's name, or NULL */
    const char *file;      /* the rcgc source file that noticed it */
    int line;
} rc_misuse;

/* Called on misuse. Debug builds (RCGC_DEBUG >= 1) install a default hook that prints the
 * message on stderr and aborts; release builds install none: the call concerned returns
 * RC_EMISUSE (or does nothing, for rc_decref) and the heap's error is set. */
typedef void (*rc_misuse_fn)(rc_heap *heap, const rc_misuse *misuse, void *user);

/* The automatic collection schedule (src/gc.c, section 5, has the full account).
 * RC_GC_SCHEDULE_CANDIDATES (the default): reference counting frees everything but cycles,
 *   and a cycle only becomes garbage when a reference to it is dropped, so automatic runs
 *   examine only the objects rc_decref left at a non-zero count since the last run (the
 *   candidates, generation 1) and a bounded neighbourhood of them; objects never dropped
 *   that way are not re-examined. Generation 0 holds objects no collection has examined yet
 *   and that are not candidates, generation 2 those examined and found alive. A cycle closed
 *   by storing the last reference the program owned into a field (no rc_decref) is found by
 *   rc_collect(heap, 1 or 2), or by the next automatic full collection.
 * RC_GC_SCHEDULE_GENERATIONAL: CPython 3.13's schedule (thresholds 2000, 10, 10 over
 *   allocations, the 25% rule for full collections): every tracked object is examined by
 *   young collections whether or not it was ever dropped. For strict CPython parity. */
typedef enum rc_gc_schedule {
    RC_GC_SCHEDULE_CANDIDATES = 0,
    RC_GC_SCHEDULE_GENERATIONAL = 1
} rc_gc_schedule;

typedef struct rc_heap_config {
    size_t size;                   /* sizeof(rc_heap_config), set by rc_heap_config_init */
    const rc_allocator *allocator; /* NULL: rc_allocator_system() */
    size_t threshold[3];           /* collection thresholds; default 2000, 10, 10 (CPython 3.13);
                                      any value, as rc_gc_set_threshold takes them */
    bool gc_disabled;              /* start with automatic collection off */
    bool stress;                   /* testing: a collection at every allocation of a tracked
                                      object, whatever threshold[0] and gc_disabled say (and
                                      rc_gc_disable later): under the candidate schedule a
                                      partial run (or the full collection due); under the
                                      generational one the oldest generation whose count
                                      exceeds its threshold (section 5 of src/gc.c, long-lived
                                      rule included), else generation 0. Never while a
                                      collection runs or a release cascade is freed. */
    uint64_t hash_seed;            /* mixed into str hashes; default 0 (deterministic) */
    bool record_origins;           /* start with allocation sites recorded (rc_origins_enable) */
    rc_gc_schedule schedule;       /* when automatic collection runs and what it examines;
                                      default RC_GC_SCHEDULE_CANDIDATES */
    /* ---- bounded pauses (src/gc.c section 9); fields of later versions go after these.
     * A config whose size is offsetof(rc_heap_config, stop_the_world) (built against an
     * older rcgc.h) is accepted and gets the defaults for them. */
    bool stop_the_world;      /* candidate schedule: automatic full collections run in one
                                 pause, as before bounded pauses existed (for comparison);
                                 default false: they run in increments of pause_budget_ns */
    uint64_t pause_budget_ns; /* the budget of each automatic increment; 0: the default,
                                 RC_GC_DEFAULT_PAUSE_BUDGET_NS (rc_gc_set_pause_budget) */
} rc_heap_config;

/* The default budget of an automatic increment of collection work, and the size of an
 * automatic partial run with bounded pauses (src/gc.c section 9, CHUNKS): 100 us, so that
 * the automatic pauses stay under 0.15 ms (issue 12). */
#define RC_GC_DEFAULT_PAUSE_BUDGET_NS ((uint64_t)100000)

/* Fills cfg with the defaults. */
RC_API void rc_heap_config_init(rc_heap_config *cfg);

/* A new heap, configured by cfg (NULL: defaults). Returns NULL if the allocator fails or
 * cfg's size field is wrong. */
RC_API rc_heap *rc_heap_new(const rc_heap_config *cfg);

/* Frees every object of the heap, cycles included, then the heap. References held by the
 * caller become invalid. NULL is ignored. */
RC_API void rc_heap_free(rc_heap *heap);

/* The status of the last failed call on this heap (RC_OK if none since the last clear). */
RC_API rc_status rc_heap_last_error(const rc_heap *heap);
/* Its message, e.g. "rc_list_insert: index 12 out of range (length 3)"; "" if none. The
 * text stays valid until the next failing call. */
RC_API const char *rc_heap_errmsg(const rc_heap *heap);
RC_API void rc_heap_clear_error(rc_heap *heap);

/* Replaces the misuse hook (fn NULL: none, misuse is only returned as RC_EMISUSE). */
RC_API void rc_heap_set_misuse_hook(rc_heap *heap, rc_misuse_fn fn, void *user);
/* The debug build's default hook, in every build: writes "rcgc: misuse at FILE:LINE:
 * MESSAGE (object ADDR, type NAME)" and a newline to stderr, then calls abort(). A client
 * of the release library turns it on without rebuilding:
 * rc_heap_set_misuse_hook(heap, rc_misuse_hook_abort, NULL). user is ignored. Never
 * returns. */
RC_API void rc_misuse_hook_abort(rc_heap *heap, const rc_misuse *misuse, void *user)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

/* Checks the heap's structures: every live object in a page of its size, counts and bytes
 * against a recount, generation membership, free lists, and that no count is below the
 * references the heap itself holds to the object. RC_OK or RC_ECORRUPT with the first
 * inconsistency as the message; a count too small is reported as CPython's gc reports it
 * (test_gc test_refcount_errors), with the address, type, count, references found and
 * repr: "rc_heap_check: refcount is too small: object 0x... of type 'list' has refcount 1
 * but heap objects hold 2 references to it; repr [1, 2, 3]" (writing the repr may run the
 * type's repr function). RC_ESTATE during a collection or while objects released by
 * counting are being freed (a finalizer or callback run then). Cost: a walk of the heap. */
RC_API rc_status rc_heap_check(rc_heap *heap);

/* Calls fn for every live object of the heap, in no particular order, until fn returns
 * non-zero (then returns that value). fn may take references; it must not allocate or free
 * objects of this heap. Cost: a walk of the heap's pages. */
typedef int (*rc_heap_visit_fn)(rc_heap *heap, rc_object *obj, void *user);
RC_API int rc_heap_visit(rc_heap *heap, rc_heap_visit_fn fn, void *user);

/* ---------------------------------------------------------------------------------------
 * Objects and counts (src/object.c). The object header.
 *
 * Eight bytes: a signed 32-bit reference count and 32 bits holding the type's index in
 * its heap plus the collector's bits (src/internal.h has the bits, src/gc.c's header their
 * meaning). Only the inline
 * functions below touch the fields. A user type is a struct whose first member is an
 * rc_object:   struct point { rc_object hdr; rc_object *x, *y; };
 * Instances are 8-byte aligned.
 */
struct rc_object {   /* typedef'd as rc_object under "Status codes and errors" */
    int32_t _refcnt; /* references held to this object; 0 only while it is being freed */
    uint32_t _tinfo; /* type index (high bits) and collector flags (low bits) */
};

/* Small integers in [RC_SMALL_INT_MIN, RC_SMALL_INT_MAX] live in the reference itself:
 * value << 1 | 1. Larger ones are boxed objects; rc_int_new picks. */
#define RC_SMALL_INT_MIN (-((int64_t)1 << 62))
#define RC_SMALL_INT_MAX (((int64_t)1 << 62) - 1)

/* True for a reference that is an allocated object (not NULL, not a small int). */
static inline bool rc_is_heap_object(const rc_object *ref)
{
    return ref != NULL && ((uintptr_t)ref & 1u) == 0;
}

/* Out-of-line tail of rc_decref; called when a count drops to zero or below. Not for
 * direct use. */
RC_API void rc__release(rc_heap *heap, rc_object *obj);

/* Out-of-line tail of rc_decref when a tracked object that is not yet a candidate (its
 * generation is 0 or 2) keeps a non-zero count: the collector buffers it as a possible root
 * of a garbage cycle (src/gc.c, section 5). Not for direct use. The mask is the header's
 * pending, tracked and low generation bits; the test, tracked alone (src/internal.h checks
 * both against its own bits). */
RC_API void rc__candidate(rc_heap *heap, rc_object *obj);
#define RC__CANDIDATE_MASK 0x1005u
#define RC__CANDIDATE_TEST 0x4u

/* Adds a reference. NULL and small ints are ignored. Cost: one increment, no call. The
 * count is 32-bit: at most 2^31 - 1 references to one object (debug builds report
 * overflow through the misuse hook at the next release). */
static inline void rc_incref(rc_object *ref)
{
    if (rc_is_heap_object(ref))
        ref->_refcnt++;
}

/* Drops a reference; at zero the object is freed at once, and the references it held are
 * released in turn through a work list (no C recursion, whatever the depth). NULL and small
 * ints are ignored. A count that would go below zero is misuse: it is reported to the
 * misuse hook and the object is left alone. Never collects. */
static inline void rc_decref(rc_heap *heap, rc_object *ref)
{
    if (!rc_is_heap_object(ref))
        return;
    if (--ref->_refcnt <= 0)
        rc__release(heap, ref);
    else if ((ref->_tinfo & RC__CANDIDATE_MASK) == RC__CANDIDATE_TEST)
        rc__candidate(heap, ref);
}

/* Returns ref after adding a reference: `x->field = rc_newref(y);` */
static inline rc_object *rc_newref(rc_object *ref)
{
    rc_incref(ref);
    return ref;
}

/* rc_incref, rc_decref and rc_newref for a reference the caller knows is never NULL: an
 * object or a small int, such as an interpreter's value (CPython's Py_INCREF beside
 * Py_XINCREF). They skip the NULL test and keep the small-int test; the count rules are
 * rc_incref's and rc_decref's. NULL is undefined behaviour (a crash), not an error. Cost:
 * one test and an increment; the decrement as rc_decref's. Inline; never collects. */
static inline void rc_incref_value(rc_object *ref)
{
    if (!((uintptr_t)ref & 1u))
        ref->_refcnt++;
}
static inline void rc_decref_value(rc_heap *heap, rc_object *ref)
{
    if ((uintptr_t)ref & 1u)
        return;
    if (--ref->_refcnt <= 0)
        rc__release(heap, ref);
    else if ((ref->_tinfo & RC__CANDIDATE_MASK) == RC__CANDIDATE_TEST)
        rc__candidate(heap, ref);
}
static inline rc_object *rc_newref_value(rc_object *ref)
{
    rc_incref_value(ref);
    return ref;
}

/* The same for a reference the caller knows is an allocated object (not NULL, not a small
 * int): a frame, a closure, a constant. No test before the count; anything else is
 * undefined behaviour. Inline; never collects. */
static inline void rc_incref_obj(rc_object *obj)
{
    obj->_refcnt++;
}
static inline void rc_decref_obj(rc_heap *heap, rc_object *obj)
{
    if (--obj->_refcnt <= 0)
        rc__release(heap, obj);
    else if ((obj->_tinfo & RC__CANDIDATE_MASK) == RC__CANDIDATE_TEST)
        rc__candidate(heap, obj);
}

/* The reference count as stored. Python's sys.getrefcount(x) reports one more than the
 * references the program holds, because its own argument is a reference for the duration
 * of the call; rc_refcount adds nothing, so where Python prints 2 for an object held by
 * one variable, rc_refcount says 1. Small ints and NULL are values, not objects: -1. */
static inline int64_t rc_refcount(const rc_object *ref)
{
    return rc_is_heap_object(ref) ? (int64_t)ref->_refcnt : -1;
}

/* Immortal objects (CPython's PEP 683): singletons an interpreter hands out everywhere
 * (nil, true, false, the empty list, interned symbols) can be made immortal. An immortal
 * object is never freed before rc_heap_free, whatever its count does, and it outlives every
 * function that runs at heap shutdown (rc_finalize_register functions, weakref callbacks):
 * those all run before any object is freed. rc_incref and rc_decref are unchanged and
 * still add and subtract (a plain add, no test: the common path of every other object
 * pays nothing), but the count starts at RC_IMMORTAL_REFCNT, 2^30 away from zero and from
 * overflow, and a release that takes it to zero puts it back there instead of freeing
 * (differs from CPython 3.12, whose incref and decref skip immortal objects with a test).
 * So an immortal object tolerates any number of unmatched releases, and up to 2^30
 * references more than released, the same 2^31 limit as every count. rc_refcount of one is
 * about RC_IMMORTAL_REFCNT and moves with references; rc_is_immortal tells. */
#define RC_IMMORTAL_REFCNT ((int32_t)1 << 30)

/* Makes obj immortal (see RC_IMMORTAL_REFCNT): its count is set to RC_IMMORTAL_REFCNT and
 * the collector stops tracking it (an immortal object is never garbage; what it refers to
 * stays alive through it, as through any object held from outside). The caller's
 * references stay valid and need no release (releasing them is harmless). Irreversible.
 * rc_gc_track ignores an immortal object; rc_gc_is_tracked is false for it. NULL and small
 * ints are values that never die: RC_OK, nothing to do. RC_ESTATE during a collection;
 * RC_EMISUSE (and the misuse hook) for an object already freed or being freed. Cost: O(1);
 * never collects, runs no user code. */
RC_API rc_status rc_make_immortal(rc_heap *heap, rc_object *obj);
/* Whether obj is immortal (true for NULL and small ints, which never die). Cost: O(1). */
RC_API bool rc_is_immortal(const rc_heap *heap, const rc_object *obj);

/* Called for each reference an object holds, including NULL and small ints (the visitor
 * ignores those). A non-zero result stops the traversal and is passed back. */
typedef int (*rc_visit_fn)(rc_heap *heap, rc_object *ref, void *arg);

/* A new instance of type, zero-filled past the header, count 1, tracked by the collector
 * if the type can hold references. NULL on error. Can collect. */
RC_API rc_object *rc_new(rc_heap *heap, const rc_type *type);
/* The same with a larger instance (bytes >= the type's instance_bytes), for types with a
 * variable-length tail. */
RC_API rc_object *rc_new_var(rc_heap *heap, const rc_type *type, size_t bytes);

/* Visits obj's references with the type's traverse (or its reference offsets). */
RC_API int rc_traverse(rc_heap *heap, rc_object *obj, rc_visit_fn visit, void *arg);

/* ---------------------------------------------------------------------------------------
 * Types (src/type.c): registration, live counts and bytes, inline type tests.
 */

typedef struct rc_strbuf rc_strbuf;

/* Type flags. */
#define RC_TYPE_UNTRACKED 0x1u /* never tracked by the collector, even if it holds references */

typedef struct rc_type_spec {
    size_t size;           /* sizeof(rc_type_spec) */
    const char *name;      /* copied; shown in repr, stats and graphs */
    size_t instance_bytes; /* sizeof the instance struct, header included (>= sizeof(rc_object)) */
    /* Either the offsets of the instance's rc_object* fields ... */
    const size_t *ref_offsets;
    size_t n_ref_offsets;
    const char *const *ref_names; /* optional: a name for each offset (graph edge labels) */
    /* ... or a traverse function visiting every reference the instance holds, and a clear
     * function dropping them all (rc_decref each, then set the field to NULL or remove it).
     * rcgc calls clear when the object's count reaches zero; a collection frees cyclic
     * garbage without calling clear (the references inside the garbage need no release,
     * and the others are released through traverse). */
    int (*traverse)(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg);
    void (*clear)(rc_heap *heap, rc_object *self);
    /* Optional: releases what the instance owns that is not a reference (buffers, file
     * descriptors). Called once, just before the memory is freed; must not touch other
     * objects or allocate objects. */
    void (*destroy)(rc_heap *heap, rc_object *self);
    /* Optional: appends the instance's repr (default: <NAME object at 0xADDR>). */
    rc_status (*repr)(rc_heap *heap, rc_object *self, rc_strbuf *out);
    uint32_t flags; /* RC_TYPE_* */
    /* Optional: Python's __del__ with PEP 442 semantics. Runs at most once per object
     * (rc_gc_is_finalized), when its count reaches zero or when a collection finds it in
     * cyclic garbage, before its references are dropped. self is valid and every reference
     * it holds is intact; the finalizer may allocate, store self somewhere (resurrection:
     * the object then lives on, and its finalizer never runs again) and drop references.
     * It may call rc_collect (0 while a collection runs, as in CPython). Objects still
     * alive at rc_heap_free are not finalized (atexit finalize handles do run then). */
    void (*finalize)(rc_heap *heap, rc_object *self);
    /* Optional: a legacy finalizer, CPython's tp_del. It runs every time the
     * count reaches zero (after finalize and after the object's weakrefs are cleared and
     * their callbacks run), with self valid, and may resurrect self. A collection never
     * runs it and never frees such an object: cyclic garbage holding an instance is
     * uncollectable, the instance and everything it reaches in the garbage stay alive
     * untouched (no weakref cleared, no finalize run), each instance is appended to
     * rc_gc_garbage (with RC_GC_DEBUG_SAVEALL: every object of that part), and they are
     * counted as uncollectable (rc_gc_stats, rc_gc_info, RC_GC_DEBUG_UNCOLLECTABLE). The
     * program breaks the cycle and takes the object out of rc_gc_garbage; its count then
     * reaches zero and this runs. Added after finalize: a spec whose size is
     * RC_TYPE_SPEC_V1_BYTES (built before the field existed) has none. */
    void (*legacy_finalize)(rc_heap *heap, rc_object *self);
    /* Optional, alone or with ref_offsets (not with traverse): a trailing array of
     * references, for an environment frame or a vector that then needs no traverse and no
     * clear. ref_array_offset is the offset of its first rc_object* (usually the flexible
     * array member at the end: offsetof(struct frame, slots)); ref_array_count_offset the
     * offset of a size_t field holding how many entries are in use. Both 0: no array. The
     * collector, releases, rc_traverse (fields first, then entries 0 to count-1), the graph
     * tools (labels "[i]", or ref_array_name "[i]") and rc_gc_get_referents all see the
     * entries. The object's size comes from rc_new_var (zero-filled: count 0); the program
     * keeps count * sizeof(rc_object *) within the bytes it asked for past the array's
     * offset (rc_heap_check reports an array larger than its object) and every entry below
     * count a reference it owns or NULL. When the count reaches zero, each entry below count
     * is set to NULL and released (the count itself is left as it was). */
    size_t ref_array_count_offset;
    size_t ref_array_offset;
    const char *ref_array_name; /* optional, copied: edges are labelled "NAME[i]" */
    /* Optional edge labels for the graph tools (rc_graph_each_ref, pictures, chains): writes
     * the label of self's index-th reference, counting from 0 in rc_traverse order, into
     * buf (cap bytes, NUL-terminated); an empty string keeps the default label ("ref N" for
     * traverse types, the field's name or "field N" for ref_offsets, "[i]" for array
     * entries). Called only by those tools, never by the collector; must not allocate,
     * release references or call rcgc other than to read (rc_str_data, rc_type_index...). */
    void (*ref_label)(rc_heap *heap, rc_object *self, size_t index, char *buf, size_t cap);
} rc_type_spec;

/* The size of an rc_type_spec ending at finalize, accepted in its size field. */
#define RC_TYPE_SPEC_V1_BYTES (offsetof(rc_type_spec, legacy_finalize))
/* The size of an rc_type_spec ending at legacy_finalize (before the trailing array). */
#define RC_TYPE_SPEC_V2_BYTES (offsetof(rc_type_spec, ref_array_count_offset))

/* Registers a type with the heap (types belong to one heap and live as long as it). The
 * spec is copied; its size field is sizeof(rc_type_spec), RC_TYPE_SPEC_V2_BYTES or
 * RC_TYPE_SPEC_V1_BYTES. NULL on error: a wrong size, both ref_offsets and traverse given,
 * traverse without clear, an offset outside the instance, instance_bytes too small, a
 * trailing array with traverse, with only one of its two offsets, with a misaligned count
 * or array offset, a count field not before the array or outside instance_bytes, a
 * reference field inside the array, more than 2^19 types. */
RC_API rc_type *rc_type_new(rc_heap *heap, const rc_type_spec *spec);

RC_API const char *rc_type_name(const rc_type *type);
/* Instances of this type currently alive, and the bytes they occupy (object slots plus
 * buffers the built-in types own). */
RC_API size_t rc_type_live_count(const rc_type *type);
RC_API size_t rc_type_live_bytes(const rc_type *type);
/* The heap's types in registration order: the built-ins first. */
RC_API size_t rc_heap_type_count(const rc_heap *heap);
RC_API const rc_type *rc_heap_type_at(const rc_heap *heap, size_t index);

/* The type of a reference: small ints and boxed ints give the int type, NULL gives NULL. */
RC_API const rc_type *rc_type_of(const rc_heap *heap, const rc_object *ref);
/* Inline type tests (what CPython's Py_TYPE/Py_IS_TYPE give): a type's index is its place
 * in its heap's type table, fixed for the type's life, and every object's header carries
 * it, so "is this a pair?" is a load, a shift and a compare, with no call and no heap.
 * Read an index once with rc_type_index_of_type and keep it next to the rc_type pointer;
 * the built-in types have fixed indexes, RC_TYPE_INDEX_INT to RC_TYPE_INDEX_DICT. Index 0
 * names no type: it is what NULL (None) gives. A weak proxy's index is the weakproxy
 * type's, not its referent's (the built-in operations still forward through proxies). */
#define RC__TYPE_SHIFT 13u
#define RC_TYPE_INDEX_NONE 0u /* rc_type_index(NULL): no type has it */
#define RC_TYPE_INDEX_INT 1u  /* small and boxed ints */
#define RC_TYPE_INDEX_FLOAT 2u
#define RC_TYPE_INDEX_STR 3u
#define RC_TYPE_INDEX_TUPLE 4u
#define RC_TYPE_INDEX_LIST 5u
#define RC_TYPE_INDEX_DICT 6u

/* True if ref is a small int packed into the reference (no allocation behind it). */
static inline bool rc_is_small_int(const rc_object *ref)
{
    return ((uintptr_t)ref & 1u) != 0;
}

/* The index of ref's type: RC_TYPE_INDEX_NONE for NULL, RC_TYPE_INDEX_INT for small ints,
 * else the index in the header. ref must be NULL, a small int or a live object (or one
 * whose finalizer is running). Cost: inline, two tests and a load; never calls. */
static inline uint32_t rc_type_index(const rc_object *ref)
{
    if (ref == NULL)
        return RC_TYPE_INDEX_NONE;
    if (rc_is_small_int(ref))
        return RC_TYPE_INDEX_INT;
    return ref->_tinfo >> RC__TYPE_SHIFT;
}

/* True if ref's type has that index (rc_type_index(ref) == type_index). With a constant
 * index other than RC_TYPE_INDEX_NONE and RC_TYPE_INDEX_INT the compiler reduces it to a
 * NULL test, a tag test and a compare. Inline; never calls. */
static inline bool rc_is_type(const rc_object *ref, uint32_t type_index)
{
    return rc_type_index(ref) == type_index;
}

/* The index type's instances carry (>= 1; RC_TYPE_INDEX_NONE for a NULL type). Fixed for
 * the type's life: call once per type, keep the number. Cost: a call, one load. */
RC_API uint32_t rc_type_index_of_type(const rc_type *type);

/* The heap's built-in types. */
RC_API const rc_type *rc_heap_builtin_int(const rc_heap *heap);
RC_API const rc_type *rc_heap_builtin_float(const rc_heap *heap);
RC_API const rc_type *rc_heap_builtin_str(const rc_heap *heap);
RC_API const rc_type *rc_heap_builtin_tuple(const rc_heap *heap);
RC_API const rc_type *rc_heap_builtin_list(const rc_heap *heap);
RC_API const rc_type *rc_heap_builtin_dict(const rc_heap *heap);

/* ---------------------------------------------------------------------------------------
 * Built-in types (src/int.c, float.c, str.c, tuple.c, list.c, dict.c, hash.c, equal.c).
 * Lists, tuples and dicts are tracked containers; int, float and str are atomic (never
 * tracked).
 */

/* int: the full int64_t range; small values cost no allocation (and no call: inline). */
RC_API rc_object *rc__int_new_boxed(rc_heap *heap, int64_t value);
static inline rc_object *rc_int_new(rc_heap *heap, int64_t value)
{
    if (value >= RC_SMALL_INT_MIN && value <= RC_SMALL_INT_MAX)
        return (rc_object *)(uintptr_t)(((uint64_t)value << 1) | 1u);
    return rc__int_new_boxed(heap, value);
}
/* The value of a small int: ref must be one (rc_is_small_int(ref)); anything else is
 * undefined behaviour, not an error. For an evaluator that has tested the tag already, as
 * a fixnum add does: a shift, with no test and no out-of-line tail left in the caller's
 * code (rc_int_value keeps both, since it takes any int). Inline; never calls. */
static inline int64_t rc_small_int_value(const rc_object *ref)
{
    return (int64_t)(intptr_t)ref >> 1;
}
/* Out-of-line tail of rc_int_value for everything but small ints. Not for direct use. */
RC_API int64_t rc__int_value_slow(rc_heap *heap, const rc_object *obj);
/* The value of an int (RC_ETYPE and 0 for anything else; a weak proxy to a boxed int gives
 * its value). Small ints are decoded inline (a shift, no call); boxed ints, and everything
 * that is not an int, take a call. */
static inline int64_t rc_int_value(rc_heap *heap, const rc_object *obj)
{
    if (rc_is_small_int(obj))
        return rc_small_int_value(obj);
    return rc__int_value_slow(heap, obj);
}
/* True for small and boxed ints (not for a proxy to one). Inline; never calls. */
static inline bool rc_is_int(const rc_heap *heap, const rc_object *ref)
{
    (void)heap;
    return rc_is_type(ref, RC_TYPE_INDEX_INT);
}

RC_API rc_object *rc_float_new(rc_heap *heap, double value);
RC_API double rc_float_value(rc_heap *heap, const rc_object *obj);

/* str: immutable UTF-8 text; RC_EINVAL for invalid UTF-8. The hash is computed once. */
RC_API rc_object *rc_str_new(rc_heap *heap, const char *utf8, size_t len_bytes);
RC_API rc_object *rc_str_from_cstr(rc_heap *heap, const char *utf8);
/* The bytes (NUL-terminated; valid while obj lives) and their count. */
RC_API const char *rc_str_data(rc_heap *heap, const rc_object *obj);
RC_API size_t rc_str_len(rc_heap *heap, const rc_object *obj);

/* tuple: fixed length; items borrowed at creation (NULL items array: all None). */
RC_API rc_object *rc_tuple_new(rc_heap *heap, size_t n, rc_object *const *items);
RC_API size_t rc_tuple_len(rc_heap *heap, const rc_object *tuple);
/* The item at index, borrowed; NULL with RC_EINDEX if out of range. */
RC_API rc_object *rc_tuple_get_borrow(rc_heap *heap, const rc_object *tuple, size_t index);

/* list: a growable array. Indexes of get/set/insert/pop may be negative, counted from the
 * end, as in Python. Can collect: rc_list_new only. */
RC_API rc_object *rc_list_new(rc_heap *heap, size_t capacity_hint);
RC_API size_t rc_list_len(rc_heap *heap, const rc_object *list);
/* Private: a list's layout and type index, for the inline fast paths of the appends below
 * (checked against the library's own definitions when it is built). */
typedef struct rc__list {
    rc_object hdr;
    size_t len, cap;
    rc_object **items;
} rc__list;
#define RC__LIST_TYPE_INDEX RC_TYPE_INDEX_LIST
RC_API rc_status rc__list_append_slow(rc_heap *heap, rc_object *list, rc_object *item, bool steal);
static inline bool rc__is_list_with_room(const rc_object *list)
{
    return rc_is_heap_object(list) && (list->_tinfo >> RC__TYPE_SHIFT) == RC__LIST_TYPE_INDEX &&
           ((const rc__list *)(const void *)list)->len <
               ((const rc__list *)(const void *)list)->cap;
}
/* Appends item, adding a reference. Inline while the list has room; RC_ETYPE if list is not
 * a list, RC_ENOMEM. */
static inline rc_status rc_list_append(rc_heap *heap, rc_object *list, rc_object *item)
{
    if (rc__is_list_with_room(list)) {
        rc__list *l = (rc__list *)(void *)list;
        rc_incref(item);
        l->items[l->len++] = item;
        return RC_OK;
    }
    return rc__list_append_slow(heap, list, item, false);
}
/* Takes over the caller's reference to item; on failure that reference is released all the
 * same, so the caller never checks before forgetting item. */
static inline rc_status rc_list_append_steal(rc_heap *heap, rc_object *list, rc_object *item)
{
    if (rc__is_list_with_room(list)) {
        rc__list *l = (rc__list *)(void *)list;
        l->items[l->len++] = item;
        return RC_OK;
    }
    return rc__list_append_slow(heap, list, item, true);
}
RC_API rc_status rc_list_get(rc_heap *heap, const rc_object *list, int64_t index, rc_object **out);
RC_API rc_object *rc_list_get_borrow(rc_heap *heap, const rc_object *list, int64_t index);
RC_API rc_status rc_list_set(rc_heap *heap, rc_object *list, int64_t index, rc_object *item);
/* Inserts before index (clamped to [0, len] as Python's list.insert does). */
RC_API rc_status rc_list_insert(rc_heap *heap, rc_object *list, int64_t index, rc_object *item);
/* Removes the item at index and hands its reference to *out. */
RC_API rc_status rc_list_pop(rc_heap *heap, rc_object *list, int64_t index, rc_object **out);
/* Removes every item. */
RC_API rc_status rc_list_clear(rc_heap *heap, rc_object *list);
/* Iteration: size_t pos = 0; rc_object *item; while (rc_list_next(h, l, &pos, &item)) ...
 * item is borrowed. */
RC_API bool rc_list_next(rc_heap *heap, const rc_object *list, size_t *pos, rc_object **item);

/* dict: insertion-ordered. Keys are hashed by value for int, float, str and tuple (1 and
 * 1.0 are the same key, as in Python) and by identity for everything else. */
RC_API rc_object *rc_dict_new(rc_heap *heap);
RC_API size_t rc_dict_len(rc_heap *heap, const rc_object *dict);
RC_API rc_status rc_dict_set(rc_heap *heap, rc_object *dict, rc_object *key, rc_object *value);
/* The value for key as a new reference in *out; RC_EKEY if absent. */
RC_API rc_status rc_dict_get(rc_heap *heap, const rc_object *dict, rc_object *key, rc_object **out);
RC_API bool rc_dict_contains(rc_heap *heap, const rc_object *dict, rc_object *key);
/* Lookup by text, for symbol tables and interning: the entry whose key is a str holding
 * exactly the len bytes at s (no NUL needed; s may be NULL if len is 0), found by the hash a
 * str of those bytes has, as rc_dict_get would find it. Keys that are not strs never
 * match. Makes no object, writes no error on a miss, runs no user code (no key's equality
 * is called), never collects. Cost: hashing len bytes and one probe sequence.
 * rc_dict_find_cstr: true if found, with the entry's key and value, both borrowed (valid
 * until the dict changes), in *key and *value (either may be NULL); false on a miss.
 * rc_dict_get_cstr: the value, borrowed; NULL on a miss (and for a value of None: use
 * rc_dict_find_cstr to tell them apart). A dict that is not a dict (RC_ETYPE) or s NULL
 * with len > 0 (RC_EINVAL) is an error, written on the heap; a weak proxy to a dict
 * forwards. */
RC_API bool rc_dict_find_cstr(rc_heap *heap, const rc_object *dict, const char *s, size_t len,
                              rc_object **key, rc_object **value);
RC_API rc_object *rc_dict_get_cstr(rc_heap *heap, const rc_object *dict, const char *s, size_t len);
RC_API rc_status rc_dict_del(rc_heap *heap, rc_object *dict, rc_object *key);
/* Iteration in insertion order; key and value borrowed. */
RC_API bool rc_dict_next(rc_heap *heap, const rc_object *dict, size_t *pos, rc_object **key,
                         rc_object **value);

/* Python's == for the built-in types (identity for other types): numbers by value across
 * int and float (1 == 1.0; a NaN only equals itself), str by bytes, tuples and lists item
 * by item in order (a list never equals a tuple), dicts by their keys, looked up as the
 * dict looks them up, mapping to equal values in any order. Items are compared as
 * CPython's PyObject_RichCompareBool does: identity first, so a container holding itself
 * equals itself. A weak proxy compares as its referent, and two live weakrefs as their
 * referents (see "Equality and hashing" below). Nesting of any depth is walked
 * with an explicit stack, no C recursion; nothing it compares can run user code.
 * Differs from CPython: two containers whose comparison would never end (a = [a], b = [b]:
 * CPython recurses until it raises RecursionError) are detected exactly, at the first
 * pair met again, and rc_equal returns false with RC_ELIMIT, "rc_equal: comparing list
 * 0x... with list 0x... never ends: they contain themselves". It also returns false with
 * RC_EREFERENCE (a dead proxy) or RC_ENOMEM (the stack could not grow): when false matters,
 * clear the heap's error first and check it after. Cost: one step per item compared.
 * rc_hash is the hash dict keys use: by value for numbers, str and tuples, by identity for
 * everything else, lists and dicts included (Python's are unhashable); so rc_equal(a, b)
 * implies rc_hash(a) == rc_hash(b) unless a list or dict is involved. It returns 0 with
 * RC_ENOMEM if a deeply nested tuple's hash cannot be computed, RC_ETYPE for a weak proxy
 * (unhashable, as in CPython). */
RC_API bool rc_equal(rc_heap *heap, rc_object *a, rc_object *b);
RC_API uint64_t rc_hash(rc_heap *heap, rc_object *obj);

/* ---------------------------------------------------------------------------------------
 * repr (src/repr.c)
 */

/* Python's repr: 42, 1.5, 'text', (1,), [1, [...]], {'a': 1}; user types through their
 * repr function. Nested containers are written without C recursion; a container already
 * being written shows as [...], (...) or {...}. Returns a new str; NULL with RC_EINVAL if a
 * type's repr function wrote invalid UTF-8, or with its own error if it failed. */
RC_API rc_object *rc_repr(rc_heap *heap, rc_object *obj);
/* The same into buf (always NUL-terminated if cap > 0), cut at cap - 1 bytes with "..." at
 * the end if longer. Returns the length written. */
RC_API size_t rc_repr_into(rc_heap *heap, rc_object *obj, char *buf, size_t cap);

/* Appending to the buffer given to a type's repr function. */
RC_API rc_status rc_strbuf_append(rc_strbuf *sb, const char *bytes, size_t n);
RC_API rc_status rc_strbuf_printf(rc_strbuf *sb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---------------------------------------------------------------------------------------
 * The collector: Python's gc module (src/gc.c, src/gcmodule.c, src/introspect.c). How a
 * collection works, its phases, generations and schedules: src/gc.c's header comment.
 */

/* Turns automatic collection on or off; is_enabled tells which. */
RC_API void rc_gc_enable(rc_heap *heap);
RC_API void rc_gc_disable(rc_heap *heap);
RC_API bool rc_gc_is_enabled(const rc_heap *heap);

/* Collects generation (0, 1 or 2; 2 is a full collection) and the younger ones. Returns
 * what CPython 3.9+'s gc.collect() returns: the unreachable objects it freed (or, with
 * RC_GC_DEBUG_SAVEALL, saved) plus the uncollectable ones. Garbage that a finalizer
 * resurrected, and everything it keeps alive, is neither freed nor counted; nor is garbage
 * that finalizers freed by counting while they ran. rc_gc_stats and rc_gc_info count the
 * same way. Called while a collection runs (from a finalizer, a weakref callback or a
 * collection callback it runs) it returns 0 at once and collects nothing, as CPython's
 * gc.collect() does; called while objects released by counting are being freed (a
 * finalizer or callback of an object dying in a release cascade) it collects normally,
 * and the cascade goes on afterwards. Returns -1 with RC_EINVAL for a generation out of
 * range. Can collect (and so run finalizers and callbacks). Under the candidate schedule
 * generation 0 holds the objects never examined, 1 the candidates (with their
 * neighbourhood, src/gc.c section 5a), and survivors go to generation 2. */
RC_API int64_t rc_collect(rc_heap *heap, int generation);
/* Whether a collection is running: true inside the finalizers, weakref callbacks and
 * collection callbacks a collection runs (rc_collect then returns 0). */
RC_API bool rc_gc_is_collecting(const rc_heap *heap);

/* Python's gc.get_count(). Generational schedule: tracked allocations minus deallocations
 * since the last collection of generation 0; collections of generation 0 since the last of
 * 1; of 1 since the last of 2. Candidate schedule (the default; src/gc.c section 5):
 * candidates waiting (generation 1's size, compared with the trigger); partial runs (and
 * collections of generation 1) since the last full collection; partial runs since then
 * whose neighbourhood budget ran out (compared with threshold[1]). */
RC_API void rc_gc_get_count(const rc_heap *heap, size_t count[3]);
/* The thresholds as set. Generational schedule: CPython's. Candidate schedule: threshold[0]
 * is the fewest candidates that start a partial run (the trigger adapts between it and 16
 * times it, rc_gc_get_trigger); threshold[1] the partial runs whose neighbourhood budget ran
 * out before a full collection is due (once the tracked objects have also grown by a
 * quarter since the last); threshold[2] the neighbourhood budget: objects a partial run may
 * pull in per candidate (plus threshold[0] in all). */
RC_API void rc_gc_get_threshold(const rc_heap *heap, size_t threshold[3]);
/* Python's gc.set_threshold, every value allowed as in CPython: threshold[0] == 0 disables
 * automatic collection; threshold[1] or [2] == 0 makes that generation due whenever the
 * younger one has been collected since its last collection (gc.set_threshold(1000, 0, 0)
 * collects generations 0, 1 and 2 in turn). Always RC_OK. Resets the candidate trigger to
 * threshold[0]. */
RC_API rc_status rc_gc_set_threshold(rc_heap *heap, size_t t0, size_t t1, size_t t2);
/* The schedule the heap was created with (rc_heap_config.schedule). */
RC_API rc_gc_schedule rc_gc_get_schedule(const rc_heap *heap);
/* The count[0] above which the next tracked allocation collects: the adaptive candidate
 * trigger, or threshold[0] under the generational schedule. An rcgc extension. */
RC_API size_t rc_gc_get_trigger(const rc_heap *heap);

/* Whether the collector tracks obj (false for NULL, small ints and atomic types). */
RC_API bool rc_gc_is_tracked(const rc_heap *heap, const rc_object *obj);
/* Starts or stops tracking a container (no effect on objects whose type cannot hold
 * references). An untracked object's references keep their targets alive but are never
 * examined: cycles through it are never collected. */
RC_API void rc_gc_track(rc_heap *heap, rc_object *obj);
RC_API void rc_gc_untrack(rc_heap *heap, rc_object *obj);

/* Tracked objects in each generation right now. */
RC_API void rc_gc_get_generation_sizes(const rc_heap *heap, size_t sizes[3]);

typedef struct rc_gc_stats {
    size_t size;            /* sizeof(rc_gc_stats) */
    uint64_t collections;   /* collections of this generation */
    uint64_t collected;     /* unreachable objects freed by them (as rc_collect counts) */
    uint64_t uncollectable; /* unreachable objects they could not free (legacy finalizers) */
} rc_gc_stats;
/* Python's gc.get_stats() for one generation. RC_EINVAL for a bad generation or size. */
RC_API rc_status rc_gc_get_stats(const rc_heap *heap, int generation, rc_gc_stats *out);

/* ---------------------------------------------------------------------------------------
 * Bounded pauses (an rcgc extension; src/gc.c section 9). Under the candidate schedule an
 * automatic full collection (the one a candidate buffer that could not hold its
 * candidates, or partial runs whose neighbourhood budget ran out, make due) runs in
 * increments of the pause budget between allocations, while the program goes on: a
 * read-only filter over every container finds the suspected garbage, then one
 * stop-the-world trial deletion restricted to it confirms and frees it (its pause grows
 * with the garbage found, not with the heap). Partial runs examine at most what the pause
 * budget allows (rc_gc_set_pause_budget). rc_collect(heap, 2) is still one complete stop-the-world
 * collection (it abandons an incremental one in progress). Unlike CPython 3.14's
 * incremental collector, nothing is promoted or deferred by the increments: every cycle
 * that is unreachable when they begin, and that the program does not touch meanwhile
 * (through a weakref), is freed when they end.
 */

/* Advances the incremental collection for about budget_ns nanoseconds (at least a small
 * fixed amount of work, so 0 makes progress too), starting one if none is running, and
 * returns whether work remains (call again until it returns false: the collection has then
 * ended and freed the garbage it found). For hosts with a natural boundary (a frame, a
 * request). Works whatever rc_gc_enable says. Returns whether work remains without doing
 * any while a collection runs (a finalizer or callback) or objects released by counting
 * are being freed. Under the generational schedule it runs one full stop-the-world
 * collection and returns false. May run finalizers and callbacks (in the step that ends a
 * collection). The garbage a collection confirmed may be released in later steps (src/gc.c
 * section 9): a step releases such garbage first, and returns false when that was all the
 * work left. The pause of each call goes into rc_gc_pause_stats. */
RC_API bool rc_collect_step(rc_heap *heap, uint64_t budget_ns);
/* The budget of automatic increments (rc_heap_config.pause_budget_ns): 0 sets the default
 * RC_GC_DEFAULT_PAUSE_BUDGET_NS. The clock is read about every microsecond of work (64
 * objects, or 256 references), and the references of a list, tuple, dict or trailing-array
 * type are followed 256 at a time; a type with its own traverse function is followed in
 * one piece, so a pause may exceed the budget by the time that takes. The budget also
 * sizes automatic partial runs: each examines about budget / 96 ns objects (at least
 * 256), the candidates beyond waiting for the next allocation (src/gc.c section 9,
 * CHUNKS). Under stop_the_world it sizes nothing. */
RC_API void rc_gc_set_pause_budget(rc_heap *heap, uint64_t budget_ns);
RC_API uint64_t rc_gc_get_pause_budget(const rc_heap *heap);
/* Whether an incremental collection is in progress. */
RC_API bool rc_gc_is_incremental_running(const rc_heap *heap);

/* Pause histogram buckets: bucket 0 counts pauses under 1 us; bucket b >= 1 those from
 * rc_gc_pause_bucket_ns(b) up to rc_gc_pause_bucket_ns(b + 1): four buckets per doubling
 * from 1 us (1, 1.25, 1.5, 1.75, 2, 2.5, ... us); the last bucket has no upper bound. */
#define RC_GC_PAUSE_BUCKETS 64u
/* The lower bound in nanoseconds of bucket b (0 for b == 0). */
RC_API uint64_t rc_gc_pause_bucket_ns(unsigned b);

typedef struct rc_gc_pause_stats {
    size_t size;       /* sizeof(rc_gc_pause_stats); fields of later versions go last */
    uint64_t pauses;   /* automatic pauses (allocations that did collection work:
                               partial runs, increments, full collections) and
                               rc_collect_step calls; rc_collect is not counted */
    uint64_t total_ns; /* their summed length */
    uint64_t max_ns;   /* the longest */
    uint64_t histogram[RC_GC_PAUSE_BUCKETS];
    uint64_t increments;     /* pauses that advanced an incremental collection */
    uint64_t incremental;    /* incremental collections completed */
    uint64_t abandoned;      /* incremental collections abandoned: rc_collect(heap, 2), no
                               memory for their side tables (then a stop-the-world
                               collection ran instead), rc_heap_free */
    uint64_t suspected;      /* objects the completed ones handed to their final step */
    uint64_t release_slices; /* pauses that released garbage a collection had confirmed
                                (src/gc.c section 9: released in slices) */
} rc_gc_pause_stats;
/* Copies min(out->size, sizeof) bytes of the figures. RC_EINVAL if out is NULL or its
 * size is below sizeof(size_t). */
RC_API rc_status rc_gc_get_pause_stats(const rc_heap *heap, rc_gc_pause_stats *out);
/* Writes the pause figures to the debug output (rc_gc_set_debug_output; stderr without
 * one), one line each: "gc: pauses: N, total T ms, max M ms, p50 <= A ms, p99 <= B ms"
 * (a quantile is given as the upper bound of the histogram bucket holding it, capped at
 * the longest pause), then one line per non-empty bucket, shortest first ("gc: pauses
 * under 1 us: N", "gc: pauses of 96.00 to 112.00 us: N", and for the last bucket "gc:
 * pauses of L us or more: N"), then "gc: increments I, incremental collections C,
 * abandoned A, suspected S". With no pause yet, the one line "gc: pauses: 0". Runs no
 * user code but the output function; RC_GC_DEBUG_PAUSES calls it after every collection
 * of generation 2. */
RC_API void rc_gc_pause_stats_print(rc_heap *heap);

/* Python's gc.is_finalized: whether obj's finalizer has run (false for NULL, small ints
 * and objects whose type has none). */
RC_API bool rc_gc_is_finalized(const rc_heap *heap, const rc_object *obj);

/* Python's gc.freeze: every tracked object moves to the permanent generation, which no
 * collection examines; generation 0's count is reset. gc.unfreeze moves them all to
 * generation 2. RC_ESTATE during a collection. */
RC_API rc_status rc_gc_freeze(rc_heap *heap);
RC_API rc_status rc_gc_unfreeze(rc_heap *heap);
RC_API size_t rc_gc_get_freeze_count(const rc_heap *heap);

/* Python's gc.garbage: a new reference to the heap's garbage list (created on first use;
 * NULL on RC_ENOMEM). Collections append to it the uncollectable objects with a legacy
 * finalizer (rc_type_spec.legacy_finalize) and, with RC_GC_DEBUG_SAVEALL set, every
 * unreachable object instead of freeing it. The heap frees it at rc_heap_free. */
RC_API rc_object *rc_gc_garbage(rc_heap *heap);

/* Python's gc debug flags (same values). */
#define RC_GC_DEBUG_STATS 0x1u       /* per-collection statistics */
#define RC_GC_DEBUG_COLLECTABLE 0x2u /* each collectable object found */
#define RC_GC_DEBUG_UNCOLLECTABLE                                                                  \
    0x4u                          /* each uncollectable object found: "gc: uncollectable
                                          <NAME 0xADDR>" (rc_type_spec.legacy_finalize) */
#define RC_GC_DEBUG_SAVEALL 0x20u /* keep garbage in rc_gc_garbage instead of freeing it */
#define RC_GC_DEBUG_LEAK (RC_GC_DEBUG_COLLECTABLE | RC_GC_DEBUG_UNCOLLECTABLE | RC_GC_DEBUG_SAVEALL)
/* An rcgc extension (no CPython flag has this value): at the end of every collection of
 * generation 2 (full, or completed in increments), the pause figures so far, as
 * rc_gc_pause_stats_print writes them. */
#define RC_GC_DEBUG_PAUSES 0x40u
RC_API void rc_gc_set_debug(rc_heap *heap, unsigned flags);
RC_API unsigned rc_gc_get_debug(const rc_heap *heap);
/* Where debug messages go: one call per line, text without the newline ("gc: collecting
 * generation 2...", "gc: done, 3 unreachable, 0 uncollectable, 0.0012s elapsed"). NULL
 * restores the default, which writes the line and a newline to stderr: with the debug
 * build's misuse hook, the library's only output, and only when a debug flag asks. */
typedef void (*rc_gc_output_fn)(rc_heap *heap, const char *line, void *user);
RC_API void rc_gc_set_debug_output(rc_heap *heap, rc_gc_output_fn fn, void *user);

/* Python's gc.callbacks: fn runs at the start and the end of every collection. */
typedef enum rc_gc_phase { RC_GC_PHASE_START, RC_GC_PHASE_STOP } rc_gc_phase;
typedef struct rc_gc_info {
    size_t size; /* sizeof(rc_gc_info) */
    rc_gc_phase phase;
    int generation;         /* the generation collected */
    uint64_t collected;     /* STOP: unreachable objects freed, as rc_collect counts them
                               (resurrected ones not included; 0 at START) */
    uint64_t uncollectable; /* STOP: unreachable objects kept by legacy finalizers */
    uint64_t duration_ns;   /* STOP: the collection's time on CLOCK_MONOTONIC (0 at START) */
} rc_gc_info;
typedef void (*rc_gc_callback_fn)(rc_heap *heap, const rc_gc_info *info, void *user);
/* Adds fn (called in registration order) or removes the first registration of fn with
 * user (RC_EINVAL if absent). RC_ENOMEM, RC_EINVAL for NULL fn. */
RC_API rc_status rc_gc_callback_add(rc_heap *heap, rc_gc_callback_fn fn, void *user);
RC_API rc_status rc_gc_callback_remove(rc_heap *heap, rc_gc_callback_fn fn, void *user);

/* Python's gc.get_referents: a new list of every non-None reference the n objects hold
 * (small ints included), in traversal order, repeats kept. NULL with the heap's error on
 * RC_ENOMEM or n > 0 with objs NULL (RC_EINVAL). Cost: the objects' references. */
RC_API rc_object *rc_gc_get_referents(rc_heap *heap, rc_object *const *objs, size_t n);
/* Python's gc.get_referrers: a new list of the live objects holding a reference to any of
 * the n objects, each once, in heap order; the returned list is never among them. Called
 * from a finalizer or callback a collection runs, it leaves out the objects that
 * collection found unreachable (CPython 3.13: they are on no generation list then), as
 * rc_gc_get_objects does. Cost: one walk of the heap. */
RC_API rc_object *rc_gc_get_referrers(rc_heap *heap, rc_object *const *objs, size_t n);
/* Python's gc.get_objects: a new list of the tracked objects of generation (0, 1 or 2; -1:
 * every tracked object), the returned list excluded. During a collection (its finalizers
 * and callbacks) the objects it found unreachable, the one being finalized included, are
 * left out: the list must not resurrect them. RC_EINVAL for another generation. */
RC_API rc_object *rc_gc_get_objects(rc_heap *heap, int generation);

/* ---------------------------------------------------------------------------------------
 * Weak references and finalizers (src/weakref.c, src/weakdict.c, src/finalize.c).
 */

/* Finalizers are declared by rc_type_spec.finalize; src/gc.c's header comment gives the
 * order in which a collection clears weak references, runs finalizers and detects
 * resurrection. */

/* Weak references. A weakref is an object of the heap's "weakref" type (registered on
 * first use) that refers to obj without keeping it alive. When obj dies (count zero or
 * cyclic garbage) every weakref to it is cleared first, then each weakref's callback runs
 * once with the (now dead) weakref, unless the weakref itself died in the same collection
 * (CPython's handle_weakrefs rules). A weakref whose own count reaches zero leaves its
 * referent at once and never calls back, as in CPython: an object holding a weakref and its
 * referent calls back only if it releases the referent first. Objects release their
 * references in CPython's order: user types field by field (reference offsets in order;
 * traverse types as their clear does), tuples and lists last item first, dicts entry by
 * entry, key before value. Unlike CPython, which finishes freeing a nested object before
 * its holder releases its next field (up to its trashcan depth), rcgc releases the fields
 * of objects freed in a cascade later, from a work list: a weakref one level down (inside
 * a tuple the holder releases before the referent) is still alive when the referent dies
 * in the same cascade, and calls back. Callbacks may allocate and drop references, and
 * call rc_collect (0 while a collection runs). Objects without weak references pay nothing:
 * the lists live in a side table of the heap keyed by address.
 * Order (CPython's): an object's weakrefs are listed, and their callbacks run, with the
 * basic weakref first, the basic proxy next, then the others newest first. A basic weakref
 * or proxy is one made without a callback: there is at most one of each per object, and
 * rc_weakref_new / rc_weakproxy_new without a callback return it (a new reference) while
 * it lives, as CPython's ref(obj) and proxy(obj) do. */
typedef void (*rc_weakref_fn)(rc_heap *heap, rc_object *wr, void *user);
/* Frees what a callback's user pointer owns. It runs once: right after the callback ran,
 * or when the weakref (or finalize handle) is freed or let go without calling back,
 * whichever comes first; at rc_heap_free at the latest. Like rc_type_spec.destroy it must
 * not touch objects of the heap (it may run while memory is being freed); data that holds
 * objects belongs in an owned callable (the _obj constructors). */
typedef void (*rc_release_fn)(rc_heap *heap, void *user);
/* A new weakref to obj (a heap object: RC_EINVAL for NULL and small ints), or, without a
 * callback, obj's basic weakref if it has one. callback may be NULL. Can collect. */
RC_API rc_object *rc_weakref_new(rc_heap *heap, rc_object *obj, rc_weakref_fn callback, void *user);
/* rc_weakref_new whose user data is released by release (may be NULL), which also runs if
 * the weakref dies before obj: never shared. Can collect. */
RC_API rc_object *rc_weakref_new_release(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                         void *user, rc_release_fn release);
/* A weakref whose callback owns an object: CPython's ref(obj, callable). The weakref holds
 * a reference to callable (a heap object, RC_EINVAL otherwise; callback must not be NULL),
 * which the collector follows (a cycle through it is collectable, and a callable that
 * reaches obj keeps obj alive while the weakref lives), and callback(heap, wr, callable)
 * runs when obj dies: callable arrives as user. The weakref drops callable once callback
 * ran, or when it dies first. Typical use: an interpreter's closure called through one C
 * trampoline. Never shared. Can collect. */
RC_API rc_object *rc_weakref_new_obj(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                     rc_object *callable);
/* The referent as a new reference, or NULL once it has died (RC_ETYPE, NULL if wr is not a
 * weakref). */
RC_API rc_object *rc_weakref_get(rc_heap *heap, const rc_object *wr);
/* Whether ref is a weakref object. */
RC_API bool rc_is_weakref(const rc_heap *heap, const rc_object *ref);
/* Python's weakref.getweakrefcount: weakrefs and weak proxies to obj alive now. */
RC_API size_t rc_weakref_count(const rc_heap *heap, const rc_object *obj);
/* Python's weakref.getweakrefs: a new list of the weakrefs and proxies to obj alive now, in
 * the order above (empty for objects without any, None and small ints). NULL with
 * RC_ENOMEM. Can collect (the list's allocation); cost O(weakrefs to obj). */
RC_API rc_object *rc_weakref_get_weakrefs(rc_heap *heap, rc_object *obj);
/* Equality and hashing (rc_equal, rc_hash, dict keys; CPython's weakref_richcompare and
 * weakref_hash): two weakrefs whose referents both live compare as the referents; otherwise
 * (one dead) by identity. A weakref hashes as its referent (rcgc's one difference: a
 * referent's hash 0 gives 1), computed on first use and kept, so a weakref hashed while
 * its referent lived keeps that hash after; hashing a dead weakref never hashed fails with
 * RC_ETYPE, "weak object has gone away" (CPython's TypeError). */

/* Weak proxies (Python's weakref.proxy): an object of the heap's "weakproxy" type
 * (registered on first use) that refers to obj without keeping it alive and stands for it
 * in the built-in operations. It is cleared, calls back (with the proxy) and is counted by
 * rc_weakref_count exactly as a weakref, under the same collector rules. While obj lives,
 * every built-in operation on a list, dict, tuple, str, int or float (rc_list_*, rc_dict_*,
 * rc_tuple_len/get_borrow, rc_str_data/len, rc_int_value, rc_float_value) given a proxy to
 * one works on obj, and rc_equal compares obj; once obj has died they fail with
 * RC_EREFERENCE, "<call>: weakly-referenced object no longer exists". A proxy stored as an
 * item or value stays a proxy (Python's L.append(p) stores p). rc_hash and dict keys refuse
 * it (RC_ETYPE, "unhashable type: 'weakproxy'"), as CPython does. rc_repr writes
 * "<weakproxy at 0xADDR; to 'list' at 0xADDR>" or "<weakproxy at 0xADDR; dead>" (CPython
 * 3.13). A proxy cannot be the referent of a weakref or proxy (RC_ETYPE). */
/* A new proxy to obj (a heap object: RC_EINVAL for NULL and small ints), or, without a
 * callback, obj's basic proxy if it has one. callback may be NULL. Can collect. */
RC_API rc_object *rc_weakproxy_new(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                   void *user);
/* Proxies with released user data or an owned callable, as rc_weakref_new_release and
 * rc_weakref_new_obj. Can collect. */
RC_API rc_object *rc_weakproxy_new_release(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                           void *user, rc_release_fn release);
RC_API rc_object *rc_weakproxy_new_obj(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                       rc_object *callable);
/* The referent as a new reference; NULL with RC_EREFERENCE once it has died, RC_ETYPE if
 * proxy is not a weak proxy. */
RC_API rc_object *rc_weakproxy_get(rc_heap *heap, const rc_object *proxy);
/* Whether ref is a weak proxy (rc_is_weakref is false for proxies). */
RC_API bool rc_is_weakproxy(const rc_heap *heap, const rc_object *ref);

/* Weak containers (Python's weakref.WeakValueDictionary, WeakKeyDictionary, WeakSet):
 * entries vanish when their weakly held object dies (an entry's weakref callback removes
 * it). A weak-value dict's keys are compared as rc_dict compares them; weak keys and set
 * members are compared by identity (rcgc's str, int and tuple, like CPython's, are
 * usually held strongly elsewhere; identity is what CPython's user classes use). Weakly
 * held objects must be heap objects: None or a small int as a weak key, a set member or a
 * weak value fails with RC_ETYPE, "<call>: cannot create weak reference to 'int' object",
 * in every call that takes one (CPython's TypeError), except rc_weakset_contains, which
 * says false. Values of a weak-key dict and keys of a weak-value dict are held strongly.
 * Can collect: the constructors, the calls that add entries (set, setdefault, update, add)
 * and copy. Every call names itself and the cause in the heap's message on failure. */
RC_API rc_object *rc_weakvaluedict_new(rc_heap *heap);
RC_API rc_object *rc_weakkeydict_new(rc_heap *heap);
RC_API rc_object *rc_weakset_new(rc_heap *heap);
/* Both dict kinds (RC_ETYPE for a weakset). get: the value as a new reference in *out,
 * RC_EKEY if absent or dead. len counts entries whose object is alive (also for sets). */
RC_API rc_status rc_weakdict_set(rc_heap *heap, rc_object *wd, rc_object *key, rc_object *value);
RC_API rc_status rc_weakdict_get(rc_heap *heap, const rc_object *wd, rc_object *key,
                                 rc_object **out);
RC_API rc_status rc_weakdict_del(rc_heap *heap, rc_object *wd, rc_object *key);
RC_API size_t rc_weakdict_len(rc_heap *heap, const rc_object *wd);
/* Removes key and gives its value as a new reference in *out; RC_EKEY if absent or dead. */
RC_API rc_status rc_weakdict_pop(rc_heap *heap, rc_object *wd, rc_object *key, rc_object **out);
/* The value of key as a new reference in *out; if key is absent or dead, binds it to dflt
 * first (Python's setdefault). */
RC_API rc_status rc_weakdict_setdefault(rc_heap *heap, rc_object *wd, rc_object *key,
                                        rc_object *dflt, rc_object **out);
/* Adds every entry of src: a dict, or a weak dict of either kind (its live entries). All or
 * nothing: the entries are added to a copy that replaces the container's table, so the
 * cost is O(len(wd) + len(src)). */
RC_API rc_status rc_weakdict_update(rc_heap *heap, rc_object *wd, rc_object *src);
/* A new container of wd's kind (weak dicts and weak sets) with its live entries; NULL on
 * failure. */
RC_API rc_object *rc_weakdict_copy(rc_heap *heap, const rc_object *wd);
/* Iteration over live entries in insertion order: size_t pos = 0; while
 * (rc_weakdict_next(h, wd, &pos, &k, &v)) ... key and value are borrowed: valid until the
 * program next drops a reference or runs code that may (entries of objects that die vanish).
 * Removing entries while iterating is safe; entries added meanwhile may be skipped or seen
 * twice. */
RC_API bool rc_weakdict_next(rc_heap *heap, const rc_object *wd, size_t *pos, rc_object **key,
                             rc_object **value);
RC_API rc_status rc_weakset_add(rc_heap *heap, rc_object *ws, rc_object *obj);
RC_API bool rc_weakset_contains(rc_heap *heap, const rc_object *ws, rc_object *obj);
/* Removes obj if present (RC_OK either way). */
RC_API rc_status rc_weakset_discard(rc_heap *heap, rc_object *ws, rc_object *obj);
/* Live members (rc_weakdict_len for sets only). */
RC_API size_t rc_weakset_len(rc_heap *heap, const rc_object *ws);
/* Removes the oldest live member and gives it as a new reference in *out; RC_EKEY if the
 * set has none. */
RC_API rc_status rc_weakset_pop(rc_heap *heap, rc_object *ws, rc_object **out);
/* Adds every item of src: a list, a tuple or a weak set (its live members). All or nothing,
 * as rc_weakdict_update. */
RC_API rc_status rc_weakset_update(rc_heap *heap, rc_object *ws, rc_object *src);
RC_API rc_object *rc_weakset_copy(rc_heap *heap, const rc_object *ws);
/* Iteration over live members, as rc_weakdict_next; item borrowed. */
RC_API bool rc_weakset_next(rc_heap *heap, const rc_object *ws, size_t *pos, rc_object **item);

/* Python's weakref.finalize: fn(heap, user) runs once, when obj dies (count zero or cyclic
 * garbage, as a weakref callback would), when the program calls the handle early
 * (rc_finalize_call), or, if it is still alive at rc_heap_free and its atexit flag is set
 * (the default), then, before any object is freed. Order, at an object's death and at
 * rc_heap_free alike: newest first (CPython: finalize callbacks follow the weakref order,
 * and finalize._exitfunc runs the newest first); a function that rc_heap_free runs may
 * register more, which run too, next. The heap holds every alive handle (CPython's
 * registry), so fn and user (or the callable) live as long as needed: a callable that
 * reaches obj keeps obj alive until rc_heap_free. RC_EINVAL for a NULL fn or an obj that is
 * None or a small int; RC_ENOMEM. Can collect. */
typedef void (*rc_finalize_fn)(rc_heap *heap, void *user);
/* A new finalize handle (an object of the heap's "finalize" type; the caller owns this
 * reference, the heap its own while it is alive); release (may be NULL) runs once with user
 * after fn ran, or when fn never will (rc_heap_free with atexit off), not after detach,
 * which gives user back. NULL on failure (user still the caller's). */
RC_API rc_object *rc_finalize_new(rc_heap *heap, rc_object *obj, rc_finalize_fn fn, void *user,
                                  rc_release_fn release);
/* A handle whose function gets callable (a heap object the handle owns and the collector
 * follows) as user: finalize(obj, callable). */
RC_API rc_object *rc_finalize_new_obj(rc_heap *heap, rc_object *obj, rc_finalize_fn fn,
                                      rc_object *callable);
/* rc_finalize_new without a handle or release: RC_OK or the failure's status. */
RC_API rc_status rc_finalize_register(rc_heap *heap, rc_object *obj, rc_finalize_fn fn, void *user);
/* Whether ref is a finalize handle. */
RC_API bool rc_is_finalize(const rc_heap *heap, const rc_object *ref);
/* finalize.alive: fn has not run and the handle was not detached (false, RC_ETYPE, for
 * anything but a handle). */
RC_API bool rc_finalize_alive(rc_heap *heap, const rc_object *f);
/* finalize(): if alive, marks it dead and runs fn now (then release); *ran (may be NULL)
 * says whether it did. RC_ETYPE for anything but a handle. Runs user code. */
RC_API rc_status rc_finalize_call(rc_heap *heap, rc_object *f, bool *ran);
/* What peek and detach give: caller sets size to sizeof(rc_finalize_info). */
typedef struct rc_finalize_info {
    size_t size;    /* sizeof(rc_finalize_info), set by the caller */
    rc_object *obj; /* the object (a new reference), or NULL: dead (nothing else set) */
    rc_finalize_fn fn;
    void *user;
    rc_release_fn release;
    rc_object *callable; /* rc_finalize_new_obj's callable (a new reference), or NULL */
} rc_finalize_info;
/* finalize.peek: if alive and its object lives, fills out (new references to obj and the
 * callable); else out->obj is NULL. RC_OK either way; RC_ETYPE, RC_EINVAL (out). */
RC_API rc_status rc_finalize_peek(rc_heap *heap, const rc_object *f, rc_finalize_info *out);
/* finalize.detach: as peek, and if out->obj is set the handle is dead: fn never runs and
 * release is not called (user, and the callable's reference, are the caller's again). */
RC_API rc_status rc_finalize_detach(rc_heap *heap, rc_object *f, rc_finalize_info *out);
/* finalize.atexit: whether an alive handle runs at rc_heap_free (false once dead); the
 * setter changes it while alive (RC_OK, RC_ETYPE). */
RC_API bool rc_finalize_atexit(rc_heap *heap, const rc_object *f);
RC_API rc_status rc_finalize_set_atexit(rc_heap *heap, rc_object *f, bool atexit);
/* Alive handles (Python's finalize.alive, summed). */
RC_API size_t rc_finalize_pending(const rc_heap *heap);

/* ---------------------------------------------------------------------------------------
 * Memory figures (src/heap.c, src/os_linux.c)
 */

typedef struct rc_heap_stats {
    size_t size;              /* sizeof(rc_heap_stats) */
    size_t live_objects;      /* objects allocated and not yet freed */
    size_t live_bytes;        /* their slots plus the buffers they own */
    size_t tracked_objects;   /* live objects the collector tracks */
    size_t page_bytes;        /* object pages held from the allocator */
    size_t large_bytes;       /* objects too large for a page, held individually */
    size_t buffer_bytes;      /* buffers owned by objects (list items, dict tables) */
    size_t peak_live_bytes;   /* the maximum live_bytes has reached */
    uint64_t total_allocated; /* objects ever allocated */
    uint64_t total_freed;     /* objects ever freed */
    /* Work lost for lack of memory (each loss also sets the heap's last error); fields
     * appended after total_freed: an older rc_heap_stats (smaller size) lacks them. */
    uint64_t lost_finalizers; /* finalizers skipped: an object died in a collection's
                                 release phase and could not wait for its rites */
    uint64_t lost_callbacks;  /* weakref callbacks (and finalize handles, which run through
                                 one) dropped: the callback queue could not grow */
    uint64_t unsaved_garbage; /* objects not appended to rc_gc_garbage (RC_GC_DEBUG_SAVEALL
                                 or legacy finalizers): the list could not grow */
    /* Garbage an automatic collection confirmed (counted as collected, and in total_freed:
     * not live) whose slots are still being released in slices (src/gc.c section 9);
     * rc_collect and rc_heap_free release them all first. Appended after unsaved_garbage. */
    size_t doomed_objects;
    size_t doomed_bytes; /* their slots' bytes, still held in the pages */
} rc_heap_stats;
RC_API rc_status rc_heap_get_stats(const rc_heap *heap, rc_heap_stats *out);

/* The process's memory as the kernel counts it (what psutil's memory_full_info gives):
 * USS = pages only this process maps (private clean + dirty), PSS = proportional share,
 * RSS = resident. Bytes. RC_EOS if the kernel's figures cannot be read. heap may be NULL;
 * if not, a failure's message goes there. */
typedef struct rc_process_memory {
    size_t size; /* sizeof(rc_process_memory) */
    size_t uss_bytes;
    size_t pss_bytes;
    size_t rss_bytes;
} rc_process_memory;
RC_API rc_status rc_process_memory_get(rc_heap *heap, rc_process_memory *out);

/* ---------------------------------------------------------------------------------------
 * Graphs and objgraph (src/graph.c, src/graph_render.c, src/objgraph.c, src/roots.c,
 * src/snapshot.c): pictures, chains, named roots, counters, the leak guard, heap snapshots.
 */

/* objgraph's tools and Python's gc introspection (above). Every walk goes through
 * rc_heap_visit; none of these collects unless its comment says so, and none keeps state in
 * the heap.
 * Lists returned are new references the caller owns; the objects in them gain the
 * references the list holds. docs/GRAPHS.md shows them at work. */

/* Edge labels. fn gets each reference obj holds (None included, in traversal order) with
 * a label: reference-offset types give the spec's ref_names entry or "field N", trailing
 * array entries "[i]" or "NAME[i]" (ref_array_name); lists and tuples "[i]"; dicts the
 * key's repr for a value and "key" for a key (objgraph's words); other traverse types "ref
 * N" (N counts from 0). A user type's ref_label function, if any, is asked first. label is
 * valid during the call only. A non-zero result from fn stops the walk and is returned. */
typedef int (*rc_graph_ref_fn)(rc_heap *heap, rc_object *target, const char *label, void *user);
RC_API int rc_graph_each_ref(rc_heap *heap, rc_object *obj, rc_graph_ref_fn fn, void *user);

/* A yes/no question about an object (filters, highlights, chain ends). */
typedef bool (*rc_graph_pred_fn)(rc_heap *heap, rc_object *obj, void *user);
/* Writes one extra line for obj's node label into buf (cap bytes, NUL-terminated). */
typedef void (*rc_graph_info_fn)(rc_heap *heap, rc_object *obj, char *buf, size_t cap, void *user);

/* What a drawing call did: the file it wrote and whether Graphviz rendered it. */
typedef struct rc_graph_result {
    size_t size;       /* sizeof(rc_graph_result), set by the caller */
    bool rendered;     /* true: path holds the asked image; false: DOT text only */
    size_t n_nodes;    /* object nodes drawn (marker nodes excluded) */
    size_t n_edges;    /* edges between object nodes drawn */
    char path[1024];   /* the file written ("" for a stream) */
    char message[256]; /* "" or, once per call, why the asked format was not rendered */
} rc_graph_result;

typedef struct rc_graph_options {
    size_t size;                    /* sizeof(rc_graph_options), set by rc_graph_options_init */
    size_t max_depth;               /* levels followed from the start objects; default 3 */
    rc_object *const *extra_ignore; /* objects never drawn nor followed */
    size_t n_extra_ignore;
    rc_graph_pred_fn filter; /* NULL, or only objects it accepts are added */
    void *filter_user;
    size_t too_many;            /* edges drawn per node at most, then "N more"; default 10 */
    rc_graph_pred_fn highlight; /* NULL, or accepted nodes get a blue shade */
    void *highlight_user;
    rc_graph_info_fn extra_info; /* NULL, or adds a line to each node's label */
    void *extra_info_user;
    bool refcounts;          /* show "[count]" after the type name */
    bool shortnames;         /* type names after their last '.'; default true */
    const char *output_path; /* .dot, .svg, .png or .pdf (chosen by the extension) */
    FILE *output_stream;     /* used instead when output_path is NULL: DOT text */
    rc_graph_result *result; /* NULL, or filled in on return */
    size_t caller_refs;      /* references the caller holds to each start object:
                                        not counted as "held from outside" (default 0) */
} rc_graph_options;

/* Fills opt with the defaults (no output: set output_path or output_stream). */
RC_API void rc_graph_options_init(rc_graph_options *opt);

/* objgraph's show_refs / show_backrefs: a breadth-first walk (explicit queue) from the n
 * start objects along references (refs) or against them (backrefs), drawn as a graph. Start
 * nodes have red text; nodes darken with distance; edges carry rc_graph_each_ref's labels.
 * Backrefs also marks objects held from outside the heap (count above the references found
 * inside it, less opt->caller_refs for a start object) as roots: double border and a "held
 * from outside (N)" line ("immortal" for immortal objects); a named root (rc_root_name) gets
 * a "root NAME" line. References from extra_ignore objects count as from outside: the
 * ignored holder is not drawn, but its node says "K through ignored objects", so ignoring a
 * holder never hides that the object is held. The file is written
 * under a temporary name and renamed into place, so a failure leaves nothing half-written.
 * Images (.svg, .png, .pdf) are rendered by Graphviz's dot program, run as a child process
 * (posix_spawn; the path CMake found at build time, else `dot` on the PATH) that reads the
 * DOT text on its standard input; the call waits for that child by its pid. No Graphviz
 * code runs in the caller's process, so threads drawing their own heaps' graphs at the same
 * time are safe (Graphviz's libraries are not thread-safe), and Graphviz failing cannot end
 * the caller's process. If the program cannot be run, or rcgc was built with
 * -DRCGC_WITH_GRAPHVIZ=OFF, an image request writes the DOT text next to it (x.png ->
 * x.dot), returns RC_OK and says why in result->message with result->rendered false. DOT
 * text (.dot, .gv, a stream) never starts a process. Errors: RC_EINVAL (no output, unknown
 * extension, bad size; dot failed, with its message), RC_ENOMEM, RC_EOS (the file could
 * not be written, or dot could not be started or was killed; errno or the signal in the
 * message). Cost: refs, the objects drawn; backrefs, one heap walk per level (max_depth+1);
 * images, a process start and Graphviz's layout. Reads counts only; never collects. */
RC_API rc_status rc_graph_show_refs(rc_heap *heap, rc_object *const *objs, size_t n,
                                    const rc_graph_options *opt);
RC_API rc_status rc_graph_show_backrefs(rc_heap *heap, rc_object *const *objs, size_t n,
                                        const rc_graph_options *opt);

/* objgraph's find_backref_chain / find_ref_chain: the shortest chain from obj against (or
 * along) references to an object predicate accepts, within max_depth steps and avoiding the
 * n_ignore objects. *chain_out gets a new list [match, ..., obj] (backref) or [obj, ...,
 * match] (ref); [obj] alone if nothing matched. Cost: backref, a heap walk per level. */
RC_API rc_status rc_graph_find_backref_chain(rc_heap *heap, rc_object *obj,
                                             rc_graph_pred_fn predicate, void *user,
                                             size_t max_depth, rc_object *const *ignore,
                                             size_t n_ignore, rc_object **chain_out);
RC_API rc_status rc_graph_find_ref_chain(rc_heap *heap, rc_object *obj, rc_graph_pred_fn predicate,
                                         void *user, size_t max_depth, rc_object *const *ignore,
                                         size_t n_ignore, rc_object **chain_out);
/* objgraph's show_chain: draws the objects of chain (a list as returned above) and the
 * references between neighbours in it. opt's depth, filter and ignore fields are unused.
 * With opt->refcounts the counts shown leave out the chain list's own references, so an
 * object shows the count it has without the chain (as show_backrefs shows it). */
RC_API rc_status rc_graph_show_chain(rc_heap *heap, rc_object *chain, const rc_graph_options *opt);

/* Why is obj alive? Finds the shortest chain from an object held from outside the heap
 * (its count exceeds the references the heap holds to it: a C variable, a global) to obj.
 * *chain_out gets a new list [root, ..., obj]; an empty list if no such object exists (obj
 * is garbage a collection would free). obj must be borrowed: a reference the caller holds
 * makes obj its own root. Cost: one heap walk per step of the chain. */
RC_API rc_status rc_graph_why_alive(rc_heap *heap, rc_object *obj, rc_object **chain_out);
/* The same when the caller holds caller_refs references to obj (a variable of the program
 * asking): those do not make obj its own root, so the answer is the chain from what really
 * holds it. An object with named roots (rc_root_name) ends its chain at the nearest root,
 * named or not: rc_root_name_of(heap, first item) gives the name. Errors and cost as
 * rc_graph_why_alive. */
RC_API rc_status rc_graph_why_alive_held(rc_heap *heap, rc_object *obj, size_t caller_refs,
                                         rc_object **chain_out);

/* Named roots: an embedder declares the roots of its program (a symbol table, the global
 * environment) under a name, and the leak tools start there: pictures show "root NAME" on
 * the node, and a chain's first item can be named with rc_root_name_of. The heap holds one
 * reference to each named root (so it is held from outside and lives at least until
 * rc_root_unname or rc_heap_free, which frees it with everything else). Naming a named root
 * again renames it. name is copied. Errors: RC_EINVAL (None, a small int, a NULL name),
 * RC_ENOMEM, RC_EMISUSE (an object freed or being freed). Cost: O(named roots) per call and
 * per node drawn; never collects, runs no user code. */
RC_API rc_status rc_root_name(rc_heap *heap, rc_object *obj, const char *name);
/* Forgets obj's name and drops the heap's reference (which may free obj and so run
 * finalizers). RC_EINVAL if obj is not a named root. */
RC_API rc_status rc_root_unname(rc_heap *heap, rc_object *obj);
/* The name of a named root (valid until renamed or unnamed), or NULL. */
RC_API const char *rc_root_name_of(const rc_heap *heap, const rc_object *obj);
/* The named roots in naming order: the index-th (borrowed) and its name; NULL past the end. */
RC_API size_t rc_root_count(const rc_heap *heap);
RC_API rc_object *rc_root_at(const rc_heap *heap, size_t index, const char **name);

/* objgraph's counters. Counts come from the per-type live counts (O(types)); boxed ints
 * count, small ints are values and never do. */
typedef struct rc_type_count {
    const char *name; /* the type's name (valid as long as the heap) */
    size_t count;     /* live instances */
    int64_t delta;    /* growth only: increase since the previous peak */
} rc_type_count;

/* Live objects whose type is named name (every type of that name). */
RC_API size_t rc_objgraph_count(const rc_heap *heap, const char *name);
/* objgraph.typestats / most_common_types: types with live instances, most first (ties by
 * name), at most cap written to out; returns how many such types exist. */
RC_API size_t rc_objgraph_most_common_types(const rc_heap *heap, rc_type_count *out, size_t cap);
/* Writes "name count" lines for the limit most common types to out (objgraph's layout). */
RC_API rc_status rc_objgraph_show_most_common_types(rc_heap *heap, size_t limit, FILE *out);
/* A new list of the live objects of the types named name. */
RC_API rc_object *rc_objgraph_by_type(rc_heap *heap, const char *name);

/* objgraph.growth: per-type peaks kept between calls in a struct the caller owns. */
typedef struct rc_objgraph_peaks {
    size_t size;        /* sizeof(rc_objgraph_peaks); zero the rest before the first call */
    size_t *peak;       /* per type index: the highest count seen (heap allocator memory) */
    size_t n_peak;      /* entries of peak */
    size_t *site_peak;  /* per allocation site, the same (rc_objgraph_site_growth) */
    size_t n_site_peak; /* entries of site_peak */
} rc_objgraph_peaks;
/* Types whose count rose above their peak since the last call, largest increase first (at
 * most cap written); updates the peaks; returns how many types grew (0 and RC_ENOMEM on the
 * heap if memory ran out). */
RC_API size_t rc_objgraph_growth(rc_heap *heap, rc_objgraph_peaks *peaks, rc_type_count *out,
                                 size_t cap);
/* The same, written to out as "name count +delta" lines (limit lines at most). When
 * allocation sites are recorded (rc_origins_enable), each type's line is followed by up to
 * five "    at file:line +delta" lines for the sites of that type that grew (then "    and
 * N more sites"); these come from rc_objgraph_site_growth, which it calls. */
RC_API rc_status rc_objgraph_show_growth(rc_heap *heap, rc_objgraph_peaks *peaks, size_t limit,
                                         FILE *out);
RC_API void rc_objgraph_peaks_free(rc_heap *heap, rc_objgraph_peaks *peaks);

/* objgraph.get_leaking_objects: a new list of live objects no object of the heap refers
 * to (what only C code holds, or nothing). Cost: two heap walks and a set of all targets. */
RC_API rc_object *rc_objgraph_get_leaking_objects(rc_heap *heap);
/* objgraph.at: the live object at address, as a new reference, or NULL. Validated against
 * a heap walk, so any number is safe to pass. */
RC_API rc_object *rc_objgraph_at(rc_heap *heap, uintptr_t address);

/* A leak check for tests: begin snapshots the live objects (address and type); end runs a
 * full collection (can collect), then reports the objects alive now that were not in the
 * snapshot, grouped by type, as "name count" lines to out (NULL: no report), frees the
 * snapshot and returns their number (-1 with the heap's error on RC_ENOMEM). An object
 * freed and replaced at the same address by one of the same type is not seen. When
 * allocation sites are recorded, each type's line is followed by "    at file:line count"
 * lines (up to five, most first; then "    and N more sites"), and "    no recorded site
 * count" for that type's objects made without one. A guard begun and never ended keeps
 * its snapshot until rc_heap_free, which frees it (the guard is then unusable). */
typedef struct rc_leak_guard {
    size_t size;                     /* sizeof(rc_leak_guard) */
    struct rc__leak_snapshot *_seen; /* the snapshot; private (opaque) */
} rc_leak_guard;
RC_API rc_status rc_leak_guard_begin(rc_heap *heap, rc_leak_guard *guard);
RC_API int64_t rc_leak_guard_end(rc_heap *heap, rc_leak_guard *guard, FILE *out);

/* Heap snapshots: the whole heap as a V8 .heapsnapshot file, the JSON that Chrome
 * DevTools (Memory panel, Load), memlab and `rcgc snapshot` read (docs/GRAPHS.md, "Hunting
 * a leak in production with snapshots").
 *  - Nodes: node 0 is a synthetic root named "(rcgc roots)"; then every live object, with
 *    V8's node fields type, name, id, self_size, edge_count, trace_node_id, detachedness.
 *    A str is a "string" node named by its text (first 40 bytes), a float or boxed int a
 *    "number" node named by its repr; every other object is an "object" node named by its
 *    type name, since DevTools and memlab take an object node's name as its class (with
 *    RC_SNAPSHOT_TYPE_NAMES every node is named by its type). self_size is the object's
 *    slot plus the buffers it owns (a list's item array, a dict's table): the bytes
 *    rc_type_live_bytes counts for it.
 *  - Edges: list and tuple items are "element" edges indexed by position; reference fields
 *    "property" edges named by rc_type_spec.ref_names ("field N" without), then a trailing
 *    array's entries (ref_array_*) "element" edges indexed by position; a dict value is a
 *    "property" edge named by its key's repr, the key itself an "internal" edge named "key";
 *    other traverse functions' references "hidden" edges numbered by position; a weakref's
 *    or weak proxy's referent a "weak" edge named "referent" (the weakref is a node). None
 *    and small ints (rc_int_new values packed in the reference) are values, not objects: no
 *    node and no edge stands for them; boxed ints are nodes.
 *  - Roots: the synthetic root has a "property" edge to every object held from outside the
 *    heap (its count exceeds the references the heap holds to it: C variables, globals),
 *    named "held from outside (N refs)" with N the references not accounted for, or
 *    "root NAME (N refs)" for a named root (rc_root_name; NAME cut at 200 bytes).
 *  - Allocation sites (rc_origins_enable): V8's allocation-tracking layout. Each site is a
 *    trace function ("TYPE@file.c:LINE", script name the file, line) and a child of the trace
 *    tree's root (count and bytes of its live objects); a node's trace_node_id names its
 *    site's trace node, 0 if none was recorded.
 *  - Ids: odd numbers, stable for an object's life across every snapshot of the heap (a
 *    side table keyed by address, see rc_snapshot_id), never reused: an object made in a
 *    freed slot gets a new id. The root's id is 1.
 * The file is streamed in seven walks of the heap; extra memory is a bit per object slot,
 * the list of objects held from outside, and the id table (16 bytes per object that has
 * appeared in a snapshot while it lives; its release then costs one hash delete). Reads
 * counts only: never collects and runs no user code except traverse and repr functions,
 * which must not allocate or free objects. RC_EINVAL (NULL out, unknown flags), RC_ESTATE
 * (during a collection or a release), RC_ENOMEM (nothing written), RC_EOS (a write failed:
 * errno's text in the message; the stream has a partial document). */
#define RC_SNAPSHOT_TYPE_NAMES 0x1u /* name every node by its type (no str or number text) */
RC_API rc_status rc_heap_snapshot_write(rc_heap *heap, FILE *out, unsigned flags);
/* The same into a file: written under a temporary name next to path, flushed to disk
 * (fsync) and renamed into place, so path holds either its old content or a complete
 * snapshot; on any failure the temporary file is removed. */
RC_API rc_status rc_heap_snapshot_write_path(rc_heap *heap, const char *path, unsigned flags);
/* obj's snapshot id, or 0 if obj has not appeared in a snapshot (or is not a heap object). */
RC_API uint64_t rc_snapshot_id(rc_heap *heap, const rc_object *obj);

/* ---------------------------------------------------------------------------------------
 * Allocation sites (src/origin.c)
 */

/* Allocation sites: where was it allocated? Opt-in, in two parts.
 *  1. Compile the code whose allocations should be traced with RC_RECORD_ORIGINS defined
 *     before it includes rcgc.h (e.g. -DRC_RECORD_ORIGINS): the constructors (rc_new,
 *     rc_new_var, rc_int_new, rc_float_new, rc_str_new, rc_str_from_cstr, rc_tuple_new,
 *     rc_list_new, rc_dict_new, rc_repr, rc_weakref_new, rc_weakproxy_new and the weak
 *     containers' _new) become macros that call rc__*_at wrappers with __FILE__ and
 *     __LINE__ (every argument is still evaluated once). Code compiled without it is
 *     unchanged.
 *  2. Turn recording on for a heap with rc_origins_enable. Each object such a call makes
 *     from then on has its site (file, line) kept in a side table until it is freed, and the
 *     leak-hunting tools show it: node labels of rc_graph_show_* get a "file:line" line,
 *     rc_objgraph_show_growth lists the sites under each type that grew, rc_leak_guard_end
 *     groups the objects it reports by site.
 * Cost: nothing in the object header; one test on the allocation path (rc_origin_set's
 * site) and one flag test when an object dies; with recording on a hash insert per recorded object and a hash
 * delete when it dies (bench/ workload 8 measures it). Only the object a wrapped call
 * returns is recorded: objects made by unannotated calls, inside other calls (a finalizer
 * run by a collection the allocation started) or while recording was off have no site. The
 * file string is kept by address: use string literals (__FILE__), which outlive the heap.
 * If the side table cannot grow the object is still made and only its site is dropped
 * (rc_origins_lost counts them). */
typedef struct rc_origin {
    const char *file; /* as __FILE__ gave it */
    int line;
} rc_origin;
RC_API void rc_origins_enable(rc_heap *heap, bool on);
RC_API bool rc_origins_enabled(const rc_heap *heap);
/* True and *out (if not NULL) filled if obj's site was recorded. */
RC_API bool rc_origin_of(const rc_heap *heap, const rc_object *obj, rc_origin *out);
/* Caller-supplied sites, for interpreters: "objects made now come from script.scm:12".
 * While a site is set and recording is on (rc_origins_enable), every object made on the
 * heap, by any constructor, compiled with RC_RECORD_ORIGINS or not, and also by code that
 * runs meanwhile (a finalizer a collection runs), gets that site; it takes precedence over
 * the C file and line of the RC_RECORD_ORIGINS macros. The site stays set until changed;
 * file NULL unsets it (line ignored). file is copied by the heap, once per distinct name
 * (equal names share one copy, valid until rc_heap_free: rc_origin_of and the reports give
 * that copy), so the caller's buffer may change after the call. Errors: RC_EINVAL for a
 * negative line, RC_ENOMEM copying the name (the previous site stays). Cost: hashing the
 * name, nothing when file is the heap's own copy (as rc_origin_current gives it, so saving
 * and restoring the site around a call costs no look-up); while a site is set and
 * recording is on, each allocation records a site as the macros do. Never collects. */
RC_API rc_status rc_origin_set(rc_heap *heap, const char *file, int line);
/* Changes only the current site's line (for an evaluator stepping through one file);
 * nothing if no site is set or line is negative. Cost: a store. */
RC_API void rc_origin_set_line(rc_heap *heap, int line);
/* True and *out (if not NULL) filled with the current site (file is the heap's copy). */
RC_API bool rc_origin_current(const rc_heap *heap, rc_origin *out);
/* Objects whose site was dropped because the side table could not grow. */
RC_API size_t rc_origins_lost(const rc_heap *heap);
/* Live objects per allocation site (a site is a file, a line and the type made there). */
typedef struct rc_site_count {
    const char *file; /* as __FILE__ gave it */
    int line;
    const char *type_name; /* valid as long as the heap */
    size_t count;          /* live objects made there */
    int64_t delta;         /* growth reports: increase since the previous peak */
} rc_site_count;
/* Sites with live objects, most first (ties by file, line, type), at most cap written to
 * out; returns how many such sites exist. O(sites). */
RC_API size_t rc_objgraph_most_common_sites(const rc_heap *heap, rc_site_count *out, size_t cap);
/* objgraph.growth per allocation site: sites whose live count rose above their peak since
 * the last call, largest increase first (at most cap written); updates the sites' peaks in
 * peaks (kept apart from the types' peaks); returns how many sites grew. */
RC_API size_t rc_objgraph_site_growth(rc_heap *heap, rc_objgraph_peaks *peaks, rc_site_count *out,
                                      size_t cap);

/* ---------------------------------------------------------------------------------------
 * The RC_RECORD_ORIGINS wrappers and macros (src/origin.c; see "Allocation sites").
 */

/* What the RC_RECORD_ORIGINS macros call: each makes its object as the function without
 * "rc__" and "_at" does, then records (file, line) for it if the heap records and the call
 * made the object it returns (rc_weakref_new returning an existing weakref records
 * nothing). */
RC_API rc_object *rc__new_at(rc_heap *heap, const rc_type *type, const char *file, int line);
RC_API rc_object *rc__new_var_at(rc_heap *heap, const rc_type *type, size_t bytes, const char *file,
                                 int line);
RC_API rc_object *rc__int_new_at(rc_heap *heap, int64_t value, const char *file, int line);
RC_API rc_object *rc__float_new_at(rc_heap *heap, double value, const char *file, int line);
RC_API rc_object *rc__str_new_at(rc_heap *heap, const char *utf8, size_t len_bytes,
                                 const char *file, int line);
RC_API rc_object *rc__str_from_cstr_at(rc_heap *heap, const char *utf8, const char *file, int line);
RC_API rc_object *rc__tuple_new_at(rc_heap *heap, size_t n, rc_object *const *items,
                                   const char *file, int line);
RC_API rc_object *rc__list_new_at(rc_heap *heap, size_t capacity_hint, const char *file, int line);
RC_API rc_object *rc__dict_new_at(rc_heap *heap, const char *file, int line);
RC_API rc_object *rc__repr_at(rc_heap *heap, rc_object *obj, const char *file, int line);
RC_API rc_object *rc__weakref_new_at(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                     void *user, const char *file, int line);
RC_API rc_object *rc__weakproxy_new_at(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                       void *user, const char *file, int line);
RC_API rc_object *rc__weakvaluedict_new_at(rc_heap *heap, const char *file, int line);
RC_API rc_object *rc__weakkeydict_new_at(rc_heap *heap, const char *file, int line);
RC_API rc_object *rc__weakset_new_at(rc_heap *heap, const char *file, int line);

#if defined(RC_RECORD_ORIGINS) && !defined(RCGC_BUILDING)
#define rc_new(heap, type) rc__new_at(heap, type, __FILE__, __LINE__)
#define rc_new_var(heap, type, bytes) rc__new_var_at(heap, type, bytes, __FILE__, __LINE__)
#define rc_int_new(heap, value) rc__int_new_at(heap, value, __FILE__, __LINE__)
#define rc_float_new(heap, value) rc__float_new_at(heap, value, __FILE__, __LINE__)
#define rc_str_new(heap, utf8, len_bytes) rc__str_new_at(heap, utf8, len_bytes, __FILE__, __LINE__)
#define rc_str_from_cstr(heap, utf8) rc__str_from_cstr_at(heap, utf8, __FILE__, __LINE__)
#define rc_tuple_new(heap, n, items) rc__tuple_new_at(heap, n, items, __FILE__, __LINE__)
#define rc_list_new(heap, capacity_hint) rc__list_new_at(heap, capacity_hint, __FILE__, __LINE__)
#define rc_dict_new(heap) rc__dict_new_at(heap, __FILE__, __LINE__)
#define rc_repr(heap, obj) rc__repr_at(heap, obj, __FILE__, __LINE__)
#define rc_weakref_new(heap, obj, callback, user)                                                  \
    rc__weakref_new_at(heap, obj, callback, user, __FILE__, __LINE__)
#define rc_weakproxy_new(heap, obj, callback, user)                                                \
    rc__weakproxy_new_at(heap, obj, callback, user, __FILE__, __LINE__)
#define rc_weakvaluedict_new(heap) rc__weakvaluedict_new_at(heap, __FILE__, __LINE__)
#define rc_weakkeydict_new(heap) rc__weakkeydict_new_at(heap, __FILE__, __LINE__)
#define rc_weakset_new(heap) rc__weakset_new_at(heap, __FILE__, __LINE__)
#endif

#ifdef __cplusplus
}
#endif
#endif /* RCGC_H */
