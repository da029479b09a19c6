/*
 * internal.h -- what rcgc's own sources share and users never see: the heap, pages, types
 * and the header bits. Each structure's owner file states its invariants; this header only
 * declares them and cites the names.
 */
#ifndef RCGC_INTERNAL_H
#define RCGC_INTERNAL_H

#ifndef RCGC_BUILDING
#error "internal.h is private to rcgc: define RCGC_BUILDING only when building the library"
#endif

#include "rcgc.h"
#include "attrs.h"
#include "debug.h"

#include <stdarg.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------
 * Header layout (owner: src/object.c, invariant HEADER).
 *
 * _tinfo = type index << RCI_TYPE_SHIFT | flags. Type index 0 never names a type: a slot
 * whose _tinfo is 0 is free. While an object waits on the heap's pending-free list
 * (RCI_PENDING set) its _refcnt and low flag bits hold the list link instead.
 */
#define RCI_TYPE_SHIFT 13u
#define RCI_MAX_TYPES ((uint32_t)1 << (32u - RCI_TYPE_SHIFT))
#define RCI_FLAG_MASK (((uint32_t)1 << RCI_TYPE_SHIFT) - 1u)

#define RCI_GEN_MASK 0x3u   /* generation 0, 1, 2, or 3 = permanent (frozen) */
#define RCI_TRACKED 0x4u    /* the collector examines this object */
#define RCI_REACHABLE 0x8u  /* during a collection: found reachable from outside */
#define RCI_SCANNED 0x10u   /* during a collection: its references were followed */
#define RCI_FINALIZED 0x20u /* its finalizer has run (PEP 442) */
#define RCI_WEAKREFD 0x40u  /* weak references to it may exist */
#define RCI_ORIGIN                                                                                 \
    0x80u                    /* a side table keeps something for it until it dies: an
                                 allocation site (origin.c) or a snapshot id (snapshot.c) */
#define RCI_REPR_BUSY 0x100u /* rc_repr is writing it (cycle guard) */
#define RCI_EXTREFS 0x200u   /* during a collection: holds references to objects outside the set */
#define RCI_PENDING 0x1000u  /* on the pending-free list; link packed in the header */
#define RCI_PERMANENT_GEN 3u
_Static_assert(RC__CANDIDATE_MASK == (RCI_PENDING | RCI_TRACKED | 1u) &&
                   RC__CANDIDATE_TEST == RCI_TRACKED,
               "rc_decref's candidate test (rcgc.h) must match the header bits");
/* IMMORTAL (owner: src/immortal.c): an immortal object is untracked with its generation
 * bits all set, a pattern no other object has (untracked objects keep generation 0). */
#define RCI_IMMORTAL_BITS RCI_GEN_MASK
static inline bool rci_is_immortal_ti(uint32_t ti)
{
    return (ti & (RCI_TRACKED | RCI_GEN_MASK)) == RCI_IMMORTAL_BITS;
}

static inline uint32_t rci_type_index(const rc_object *o)
{
    return o->_tinfo >> RCI_TYPE_SHIFT;
}
static inline uint32_t rci_flags(const rc_object *o)
{
    return o->_tinfo & RCI_FLAG_MASK;
}
static inline unsigned rci_gen(const rc_object *o)
{
    return o->_tinfo & RCI_GEN_MASK;
}
static inline bool rci_is_live(const rc_object *o)
{
    return o->_tinfo != 0 && (o->_tinfo & RCI_PENDING) == 0;
}

/* ---------------------------------------------------------------------------------------
 * Types (owner: src/type.c).
 */
struct rc_type {
    rc_heap *heap;        /* the heap it belongs to */
    uint32_t index;       /* its index in heap->types, >= 1 */
    bool release_special; /* rc__release leaves its common path for instances: finalize or
                             legacy_finalize is set, or this is the weakref type (whose
                             plain instances have a path of their own, object.c) */
    size_t live_count;    /* instances alive (allocated, not yet freed). Not next to
                            live_bytes: GCC pairs adjacent counters into SSE adds whose
                            set-up costs more than the two scalar ones */
    char *name;           /* owned copy of spec.name */
    size_t instance_bytes;
    size_t *ref_offsets; /* owned copy, or NULL */
    char **ref_names;    /* owned copies, or NULL */
    size_t n_ref_offsets;
    int (*traverse)(rc_heap *, rc_object *, rc_visit_fn, void *);
    void (*clear)(rc_heap *, rc_object *);
    void (*destroy)(rc_heap *, rc_object *);
    rc_status (*repr)(rc_heap *, rc_object *, rc_strbuf *);
    uint32_t flags;                                  /* RC_TYPE_* */
    void (*finalize)(rc_heap *, rc_object *);        /* spec.finalize, or NULL (gc.c, PEP 442) */
    void (*legacy_finalize)(rc_heap *, rc_object *); /* spec.legacy_finalize (tp_del), or NULL */
    bool holds_refs;   /* has reference offsets or a traverse function */
    bool tracked;      /* holds_refs and not RC_TYPE_UNTRACKED: instances start tracked */
    size_t live_bytes; /* their slots plus rci_buf_* bytes charged to them */
    /* ARRAY (owner: src/type.c): a trailing array of references. For such a type traverse
     * and clear are type.c's generic functions over the offsets and the array (the spec's
     * own traverse is refused with an array), so the collector's and release's paths for
     * other types are unchanged; user_traverse tells the graph tools' labels apart. */
    bool has_array;         /* spec.ref_array_offset given */
    bool user_traverse;     /* traverse is the spec's own function */
    size_t array_count_off; /* offset of the size_t count */
    size_t array_off;       /* offset of entry 0 */
    char *array_name;       /* owned copy of spec.ref_array_name, or NULL */
    void (*ref_label)(rc_heap *, rc_object *, size_t, char *, size_t); /* spec.ref_label */
};

rc_type *rci_type_register(rc_heap *heap, const rc_type_spec *spec);
void rci_types_free(rc_heap *heap);
/* Drops every reference obj holds (the type's clear, or its offset fields set to NULL). */
void rci_clear_refs(rc_heap *heap, rc_object *obj);
/* ARRAY: the entries in use of obj's trailing array (t->has_array). */
static inline size_t rci_array_count(const rc_type *t, const rc_object *obj)
{
    size_t n;
    memcpy(&n, (const char *)obj + t->array_count_off, sizeof n);
    return n;
}
static inline rc_object **rci_array_items(const rc_type *t, rc_object *obj)
{
    return (rc_object **)(void *)((char *)obj + t->array_off);
}

static inline rc_type *rci_type_of(const rc_heap *heap, const rc_object *o);

/* ---------------------------------------------------------------------------------------
 * Pages and pools (owner: src/page.c, invariants PAGE and POOL).
 */
#define RCI_N_CLASSES 39u
#define RCI_MAX_CLASS_BYTES 8192u
#define RCI_BUF_ALIGN 16u
#define RCI_PAGE_HEADER_BYTES 128u

typedef struct rci_pool rci_pool;

typedef struct rci_page {
    struct rci_page *next, *prev;   /* all pages of the pool (or the heap's large list) */
    struct rci_page *anext, *aprev; /* the pool's pages with free slots, cur excluded */
    struct rci_page *ynext, *yprev; /* heap->young: pages that may hold generation-0 objects */
    struct rci_page *onext, *oprev; /* heap->gen1: pages that may hold generation-1 objects */
    struct rci_page *cnext;         /* during a collection: the pages being collected */
    struct rci_page *enext;         /* heap->emptied: emptied while release was deferred */
    rci_pool *pool;                 /* owner pool, NULL for a large object's page */
    void *free;                     /* free slots, linked through their second word */
    char *slots;                    /* the first slot */
    uint32_t slot_bytes;            /* bytes of each slot */
    uint32_t n_slots;               /* slots in the page */
    uint32_t n_used;                /* slots holding a live or pending object */
    uint32_t bump;                  /* slots [0, bump) have been handed out at least once */
    uint8_t lists;                  /* RCI_IN_* */
    bool container;                 /* holds objects of types that can hold references */
} rci_page;

#define RCI_IN_AVAIL 0x1u
#define RCI_IN_YOUNG 0x2u
#define RCI_IN_GEN1 0x4u
#define RCI_IN_EMPTIED 0x8u

struct rci_pool {
    rci_page *cur;   /* page allocations are taken from, or NULL */
    rci_page *pages; /* all pages of this pool (list through next/prev) */
    rci_page *avail; /* pages with free slots other than cur (through anext/aprev) */
    uint32_t slot_bytes;
    bool container;
};

static inline rci_page *rci_page_of(const void *obj)
{
    return (rci_page *)((uintptr_t)obj & ~(uintptr_t)(RC_PAGE_BYTES - 1));
}

/* Size classes: 16 to 128 in steps of 8, then four classes per doubling up to 8192. */
static inline unsigned rci_class_index(size_t bytes)
{
    if (bytes <= 128)
        return bytes <= 16 ? 0u : (unsigned)((bytes + 7) / 8 - 2);
    size_t b = bytes - 1;
    unsigned e = 63u - (unsigned)__builtin_clzll((unsigned long long)b);
    size_t base = (size_t)1 << e;
    return 15u + (e - 7u) * 4u + (unsigned)((b - base) / (base / 4));
}

/* A page goes back on its pool's avail list only once a quarter of its slots are free:
 * refilling from a page with a handful of free slots would spread the next allocations,
 * all young, over many pages, and a young collection walks every page holding a young
 * object. The slots held back are reused once more of the page is freed, or when the page
 * becomes cur again. Rejected: reusing every free slot at once (binary-trees made young
 * collections walk ten times the pages). */
static inline bool rci_page_worth_reusing(const rci_page *page)
{
    return page->n_used <= page->n_slots - page->n_slots / 4;
}

/* Zeroes a slot (a multiple of 8 bytes, at least 16). Up to 64 bytes: two constant-size
 * stores from each end, overlapping in the middle, which the compiler inlines; a switch
 * on the size cost an indirect jump, and a variable-size memset a call. */
static inline void rci_zero_slot(char *slot, uint32_t bytes)
{
    if (bytes <= 32) {
        memset(slot, 0, 16);
        memset(slot + bytes - 16, 0, 16);
    } else if (bytes <= 64) {
        memset(slot, 0, 32);
        memset(slot + bytes - 32, 0, 32);
    } else {
        memset(slot, 0, bytes);
    }
}

/* Bytes of the slots of class idx. */
static inline uint32_t rci_class_bytes(unsigned idx)
{
    if (idx < 15)
        return 16u + 8u * idx;
    unsigned k = idx - 15u;
    uint32_t base = (uint32_t)1 << (7u + k / 4u);
    return base + (k % 4u + 1u) * (base / 4u);
}

/* Takes a slot of page, which has one (free list first, then the untouched tail). */
static inline rc_object *rci_take_slot(rci_page *page)
{
    char *slot;
    if (page->free != NULL) {
        slot = page->free;
        memcpy(&page->free, slot + 8, sizeof(void *));
    } else {
        slot = page->slots + (size_t)page->bump * page->slot_bytes;
        page->bump++;
    }
    page->n_used++;
    rci_zero_slot(slot, page->slot_bytes);
    return (rc_object *)slot;
}

/* rci_slot_alloc's path when the pool's cur page has no slot to give, or the object is
 * large (page.c). */
rc_object *rci_slot_alloc_slow(rc_heap *heap, size_t bytes, bool container);
/* rci_slot_free's path when the page is not its pool's cur, or is a large object's: the
 * POOL lists (page.c). The slot is already off the page's books (n_used, free list). */
void rci_slot_free_slow(rc_heap *heap, rci_page *page);

/* rci_slot_alloc and rci_slot_free, inline, follow struct rc_heap below. */
/* Releases pages emptied while page release was deferred. */
void rci_pages_release_empty(rc_heap *heap);
void rci_pages_free_all(rc_heap *heap);
/* Sets each pool's slot size and kind (rc_heap_new). */
void rci_pools_init(rc_heap *heap);
/* Calls fn(page, user) for every page (container pages first if containers_only). */
typedef int (*rci_page_fn)(rc_heap *heap, rci_page *page, void *user);
int rci_pages_each(rc_heap *heap, bool containers_only, rci_page_fn fn, void *user);
/* Marks that page holds an object of generation gen (0 or 1): links it into that list. */
void rci_page_note_gen(rc_heap *heap, rci_page *page, unsigned gen);
void rci_page_unlist_gen(rc_heap *heap, rci_page *page, unsigned gen);

/* Raw memory through the heap's allocator, for buffers objects own. Charged to type's
 * live_bytes and the heap's buffer_bytes. resize keeps the block on failure. None of these
 * sets the heap's error: the caller does, naming its own call. */
void *rci_buf_alloc(rc_heap *heap, rc_type *type, size_t bytes);
void *rci_buf_resize(rc_heap *heap, rc_type *type, void *block, size_t old_bytes, size_t new_bytes);
void rci_buf_free(rc_heap *heap, rc_type *type, void *block, size_t bytes);
/* Raw memory for the heap's own structures (not charged to a type). */
void *rci_mem_alloc(rc_heap *heap, size_t bytes);
void *rci_mem_resize(rc_heap *heap, void *block, size_t old_bytes, size_t new_bytes);
void rci_mem_free(rc_heap *heap, void *block, size_t bytes);

/* ---------------------------------------------------------------------------------------
 * The operating system (owner: src/os_linux.c): pages and the kernel's memory figures.
 */
void *rci_os_map(size_t bytes, size_t align);
void rci_os_unmap(void *block, size_t bytes);
/* Big buffers: mapped in whole 2 MiB units from 2 MiB on; remap grows or shrinks in place or by
 * moving page tables (NULL on failure, block untouched). */
void *rci_os_map_big(size_t bytes);
void *rci_os_remap_big(void *block, size_t old_bytes, size_t new_bytes);
void rci_os_unmap_big(void *block, size_t bytes);
rc_status rci_os_memory(rc_process_memory *out, char *why, size_t why_cap);

/* ---------------------------------------------------------------------------------------
 * The collector's per-generation state (owner: src/gc.c).
 */
typedef struct rci_generation {
    size_t threshold; /* see rc_gc_set_threshold */
    size_t
        count; /* gen 0: tracked allocations - deallocations; others: collections of the younger one */
    rc_gc_stats stats; /* collections, collected, uncollectable */
} rci_generation;

/* ---------------------------------------------------------------------------------------
 * The heap (owner: src/heap.c).
 */
#define RCI_ERRMSG_BYTES 256u

struct rc_heap {
    rc_allocator alloc;  /* copied from the config */
    rc_misuse_fn misuse; /* misuse hook, or NULL */
    void *misuse_user;
    rc_status last_error;          /* RC_OK or the last failure's code */
    char errmsg[RCI_ERRMSG_BYTES]; /* its message */
    uint64_t hash_seed;

    rc_type **types;  /* types[index]; types[0] is NULL */
    uint32_t n_types; /* entries used in types, counting slot 0 */
    uint32_t types_cap;
    rc_type *t_int, *t_float, *t_str, *t_tuple, *t_list, *t_dict; /* built-ins */

    rci_pool pools[2][RCI_N_CLASSES]; /* [container][size class] */
    rci_page *large;                  /* pages of single large objects (list through next) */
    rci_page *young;                  /* pages that may hold generation-0 objects */
    rci_page *gen1;                   /* pages that may hold generation-1 objects */
    rci_page *spare;                  /* one empty page kept to avoid map/unmap churn */
    rci_page *emptied;                /* pages emptied while defer_page_release was set */

    rc_object *pending;      /* objects at count zero awaiting release (object.c) */
    bool freeing;            /* the pending list is being drained */
    bool defer_free;         /* collecting: count-zero objects wait on pending */
    bool collecting;         /* a collection is running */
    bool gc_enabled;         /* automatic collection on */
    bool stress;             /* collect at every tracked allocation */
    bool defer_page_release; /* collecting: empty pages stay until rci_pages_release_empty */

    rc_object **mark_stack; /* the collector's work list (gc.c, phase 2) */
    size_t mark_len;        /* entries in use; 0 between collections */
    size_t mark_cap;        /* entries allocated */

    rci_generation gen[3];
    size_t gc_trigger; /* rci_gc_on_alloc calls rci_gc_alloc_check once gen[0].count
                                       exceeds it: 0 under stress; gen[0].threshold while
                                       automatic collection is on and that is not 0; else
                                       SIZE_MAX (gc.c, trigger_update): one test, not three */
    /* The candidate schedule (gc.c, section 5; unused by RC_GC_SCHEDULE_GENERATIONAL). */
    rc_gc_schedule schedule;
    rc_object **cand; /* candidate buffer: every generation-1 object, plus stale
                                       entries (freed or since reused slots: their pages stay
                                       while listed, page.c), unless cand_overflow */
    size_t cand_len, cand_cap;
    bool cand_overflow; /* the buffer could not grow: some generation-1 object is
                                       missing from it; the next automatic run is a full one */
    bool cand_hold;     /* a collection's phases 1-5: candidates go to late */
    bool full_due;      /* the next automatic run is a full collection */
    rc_object **late;   /* candidates met during phases 1-5, each holding a
                                       reference, buffered when the collection ends */
    size_t late_len, late_cap;
    size_t cand_trigger;       /* candidates that start a partial run (adaptive) */
    size_t cand_truncated;     /* partial runs since the last full one whose
                                       neighbourhood budget ran out */
    size_t long_lived_total;   /* generation-2 size after the last full collection */
    size_t long_lived_pending; /* objects promoted into generation 2 since then */
    size_t gen_size[4];        /* tracked objects in generation 0, 1, 2 and, at index
                                       RCI_PERMANENT_GEN, the permanent one (frozen): indexed by
                                       the header's generation bits, with no test */

    /* Bytes: live_bytes = slots of live and pending objects plus buffers. Objects alive are
     * total_allocated - total_freed and objects tracked are the four gen_size entries
     * (rci_live_objects, rci_tracked_objects): no counter of their own, so
     * allocation and release update two fewer fields. */
    size_t live_bytes, page_bytes, large_bytes, buffer_bytes;
    size_t peak_live_bytes;
    uint64_t total_allocated, total_freed;

    /* ---- finalizers, weak references, gc module (issue 3) ---- */
    /* RCI_GARBAGE (header flag bit 0x400): only during a collection that runs user code
     * (gc.c, phase 3): the object was unreachable when phase 2 ended. Internal functions of
     * this block are declared in src/finalize.h. */
#define RCI_GARBAGE 0x400u
    /* RCI_UNCOLLECTABLE (header flag bit 0x800): only during such a collection: the object
     * was garbage held by a legacy finalizer's part of it (gc.c, 3a). */
#define RCI_UNCOLLECTABLE 0x800u
    uint32_t fin_types_seen;      /* types scanned for a finalize function (gc.c) */
    uint32_t fin_types;           /* registered types with a finalize function */
    struct rci_wr_slot *wr_table; /* weakref side table: referent -> list (weakref.c) */
    size_t wr_cap;                /* slots in wr_table (a power of two, or 0) */
    unsigned wr_shift;            /* 64 - log2(wr_cap): the hash's shift (weakref.c) */
    size_t wr_used;               /* entries in wr_table: objects with RCI_WEAKREFD */
    rc_type *t_weakref;           /* the weakref type, registered on first use */
    rc_type *t_weakproxy;         /* the weakproxy type, registered on first use */
    uint32_t wr_type_index;       /* t_weakref's index, RCI_MAX_TYPES (no type's) until it is
                                       registered: rc_weakref_get's test is one compare */
    uint32_t wr_proxy_index;      /* t_weakproxy's index, likewise */
    size_t wr_live;               /* weakrefs and proxies on a referent's list */
    rc_type *t_weakdict;          /* the weak containers' type, registered on first use */
    rc_object **deferred;         /* objects whose count reached zero while defer_free was
                                       set and that need a finalizer or weakref clearing:
                                       each holds one reference, dropped after the collection */
    size_t deferred_len, deferred_cap;
    rc_object **wr_calls; /* weakrefs (one reference each) whose callbacks are due */
    size_t wr_calls_len, wr_calls_cap;
    unsigned gc_debug;                               /* RC_GC_DEBUG_* flags (gcmodule.c) */
    void (*gc_out)(rc_heap *, const char *, void *); /* debug output, NULL: stderr */
    void *gc_out_user;
    struct rci_gc_cb *gc_cbs; /* collection callbacks, in registration order */
    size_t gc_cbs_len, gc_cbs_cap;
    rc_object *gc_garbage; /* the gc.garbage list (one reference), or NULL */
    rc_object **fin_recs;  /* alive finalize handles, one reference each, oldest
                                       first (weakref.c, FINREG) */
    size_t fin_recs_len, fin_recs_cap;
    rc_type *t_finalize;  /* the finalize handles' type, registered on first use */
    uint64_t fin_created; /* finalize handles made so far: the next one's index */
    bool fin_exited;      /* rc_heap_free ran the atexit finalizers: none runs again */

    /* ---- allocation sites (issue 4; owner: src/origin.c, invariants SITES and OBJS) */
    bool record_origins;    /* rc_origins_enable */
    struct rci_site *sites; /* every site seen, by index */
    uint32_t n_sites;       /* entries used */
    size_t sites_cap;
    uint32_t *site_idx; /* hash of (file, line, type) -> index in sites */
    size_t site_idx_cap;
    uintptr_t *origin_keys; /* object address -> site index (0: empty slot) */
    uint32_t *origin_vals;
    size_t origin_cap, origin_len;
    size_t origins_lost; /* objects whose site could not be recorded (no memory) */

    /* ---- heap snapshot ids (issue 13; owner: src/snapshot.c, invariant SNAP-IDS) */
    uintptr_t *snap_keys; /* object address -> id serial (0: empty slot) */
    uint32_t *snap_vals;
    size_t snap_cap, snap_len;
    uint32_t snap_serial; /* the last serial given (never reused) */
    /* CURRENT (origin.c): the caller-supplied site (rc_origin_set). */
    const char *origin_now;      /* site file every new object gets: origin_set_file while
                                       record_origins is on, else NULL (one test per allocation) */
    const char *origin_set_file; /* the interned file last set, or NULL */
    int origin_set_line;         /* its line */
    char **origin_files;         /* interned file names: open addressing by string hash */
    size_t origin_files_cap, origin_files_len;

    /* ---- named roots (owner: src/roots.c, invariant NAMED) */
    struct rci_root *roots; /* rc_root_name's entries, in naming order */
    size_t roots_len, roots_cap;

    /* ---- leak guards (owner: src/objgraph.c, invariant GUARDS) */
    struct rci_snapshot *snapshots; /* snapshots of leak guards begun and not ended */

    /* ---- bounded pauses (issue 12; owner: src/gcincr.c, gc.c section 9) */
    struct rci_incr *incr;   /* the incremental collection in progress, or NULL */
    bool gc_stw;             /* rc_heap_config.stop_the_world */
    uint64_t pause_budget;   /* ns per automatic increment */
    size_t incr_countdown;   /* tracked allocations until the next automatic increment */
    uint64_t incr_nb_after;  /* total_allocated from which a neighbourhood run may start */
    rc_gc_pause_stats pause; /* pause figures (size field unused here) */
};

static inline rc_type *rci_type_of(const rc_heap *heap, const rc_object *o)
{
    return heap->types[rci_type_index(o)];
}

static inline size_t rci_live_objects(const rc_heap *heap)
{
    return (size_t)(heap->total_allocated - heap->total_freed);
}

static inline size_t rci_tracked_objects(const rc_heap *heap)
{
    return heap->gen_size[0] + heap->gen_size[1] + heap->gen_size[2] + heap->gen_size[3];
}

/* Takes a slot of page, whose slots are slot_bytes (a constant, for the compiler to fold),
 * and which has one; its bytes are left as they were: the caller writes every one. */
static inline char *rci_take_slot_unzeroed(rci_page *page, uint32_t slot_bytes)
{
    char *slot = page->free;
    if (slot != NULL) {
        memcpy(&page->free, slot + 8, sizeof(void *));
    } else {
        slot = page->slots + (size_t)page->bump * slot_bytes;
        page->bump++;
    }
    page->n_used++;
    return slot;
}

/* Allocates a zeroed slot of at least `bytes` in a container or atomic page; NULL if the
 * allocator fails (the heap's error is not set). The header is left zero (free). Inline:
 * with a constant `bytes` the class is folded, and the common case (a slot on the pool's
 * cur page) costs no call. */
static inline rc_object *rci_slot_alloc(rc_heap *heap, size_t bytes, bool container)
{
    if (bytes > RCI_MAX_CLASS_BYTES)
        return rci_slot_alloc_slow(heap, bytes, container);
    unsigned idx = rci_class_index(bytes);
    rci_page *page = heap->pools[container][idx].cur;
    if (__builtin_expect(page == NULL || (page->free == NULL && page->bump == page->n_slots), 0))
        return rci_slot_alloc_slow(heap, bytes, container);
    if (!__builtin_constant_p(bytes))
        return rci_take_slot(page);
    /* A constant size: the slot's size is known too, and zeroing it needs no tests. */
    char *slot = rci_take_slot_unzeroed(page, rci_class_bytes(idx));
    rci_zero_slot(slot, rci_class_bytes(idx));
    return (rc_object *)slot;
}

/* Returns obj's slot to its page (the header must already be dead). Inline: a slot of the
 * pool's cur page (the common case for short-lived objects) costs no call. */
static inline void rci_slot_free(rc_heap *heap, rc_object *obj)
{
    rci_page *page = rci_page_of(obj);
    if (RCI_POISON_FREED)
        memset(obj, RCI_POISON_BYTE, page->slot_bytes);
    obj->_refcnt = 0;
    obj->_tinfo = 0;
    page->n_used--;
    rci_pool *pool = page->pool;
    if (__builtin_expect(pool != NULL, 1)) {
        memcpy((char *)obj + 8, &page->free, sizeof(void *));
        page->free = obj;
        if (page == pool->cur ||
            (page->n_used != 0 && ((page->lists & RCI_IN_AVAIL) || !rci_page_worth_reusing(page))))
            return;
    }
    rci_slot_free_slow(heap, page);
}
/* Bytes of obj's slot. */
static inline size_t rci_slot_bytes(const rc_object *obj)
{
    return rci_page_of(obj)->slot_bytes;
}

/* rc_heap_visit over the objects of types that can hold references only (container
 * pages): what walks looking for references (referrers, tracked objects) need, without
 * the atomic objects' pages. */
int rci_heap_visit_containers(rc_heap *heap, rc_heap_visit_fn fn, void *user);

/* rc_heap_check without its state test, for the collector's debug-level-3 checks made
 * between collections while heap->collecting is set (check.c). */
rc_status rci_heap_check_now(rc_heap *heap);

/* Records an error on the heap (message formatted like printf) and returns code. */
rc_status rci_error(rc_heap *heap, rc_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Reports misuse to the hook, records RC_EMISUSE, returns RC_EMISUSE. */
rc_status rci_misuse(rc_heap *heap, rc_misuse_kind kind, const rc_object *obj, const char *file,
                     int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* ---------------------------------------------------------------------------------------
 * Objects (owner: src/object.c).
 */
/* Allocates and initialises an object of type (count 1, tracked if the type is) in a slot
 * of `bytes`. May collect first. */
rc_object *rci_object_new(rc_heap *heap, rc_type *type, size_t bytes);
/* Frees obj's memory after its references have been released: type destroy, accounting,
 * slot. Untracks first. */
void rci_object_free(rc_heap *heap, rc_object *obj);
/* Drains the pending-free list (a no-op while it is already being drained). */
void rci_release_pending(rc_heap *heap);
/* Accounting for a tracked object leaving its generation (freed or untracked). */
void rci_untrack_accounting(rc_heap *heap, rc_object *obj);

/* ---------------------------------------------------------------------------------------
 * Allocation sites (owner: src/origin.c).
 */
/* Records (file, line) for obj, just made. */
void rci_origin_note(rc_heap *heap, rc_object *obj, const char *file, int line);
/* CURRENT: obj was just made while heap->origin_now is set: records the current site. */
void rci_origin_note_current(rc_heap *heap, rc_object *obj);
/* Drops obj's record and its RCI_ORIGIN flag (obj dies: object.c's object_dying, gc.c's
 * frees of cyclic garbage; every free of an object with the flag goes through one). */
void rci_origin_forget(rc_heap *heap, rc_object *obj);
/* obj's site index, or -1 if none is recorded. */
int32_t rci_origin_site(const rc_heap *heap, const rc_object *obj);
/* Fills out with site's file, line, type name and live count (delta 0). */
bool rci_origin_site_info(const rc_heap *heap, uint32_t site, rc_site_count *out);
/* Keeps out[0, *n) sorted best first, holding the best cap entries offered so far. */
void rci_site_offer(rc_site_count *out, size_t cap, size_t *n, rc_site_count c, bool by_delta);
/* The part of file after its last '/'. */
const char *rci_origin_basename(const char *file);
void rci_origins_free(rc_heap *heap);
/* Frees the snapshots of leak guards never ended (rc_heap_free; objgraph.c, GUARDS). */
void rci_leak_guards_free(rc_heap *heap);
/* rc_heap_check's part: NULL, or what is wrong with obj's record / with the tables. */
const char *rci_origin_check_object(const rc_heap *heap, const rc_object *obj);
const char *rci_origins_check(const rc_heap *heap);

/* ---------------------------------------------------------------------------------------
 * Heap snapshot ids (owner: src/snapshot.c). rci_origin_forget calls rci_snapshot_forget
 * for every dying object with RCI_ORIGIN while the id table is not empty.
 */
void rci_snapshot_forget(rc_heap *heap, rc_object *obj);
bool rci_snapshot_has_id(const rc_heap *heap, const rc_object *obj);
void rci_snapshot_free(rc_heap *heap);

/* ---------------------------------------------------------------------------------------
 * Named roots (owner: src/roots.c).
 */
/* obj's root name, or NULL (O(roots)). */
const char *rci_root_name_of(const rc_heap *heap, const rc_object *obj);
/* Frees the table at rc_heap_free (the objects are freed with the heap). */
void rci_roots_free(rc_heap *heap);

/* ---------------------------------------------------------------------------------------
 * The collector (owner: src/gc.c).
 */
void rci_gc_init(rc_heap *heap, const rc_heap_config *cfg);
/* Called by rci_object_new before allocating a tracked object: counts it and collects if
 * a threshold says so. The count and the common "nothing to do" test are inline;
 * rci_gc_alloc_check decides the rest (stress, enabled, thresholds, re-entrancy). */
void rci_gc_alloc_check(rc_heap *heap);
static inline void rci_gc_on_alloc(rc_heap *heap)
{
    if (++heap->gen[0].count > heap->gc_trigger)
        rci_gc_alloc_check(heap);
}
/* Frees every object of the heap regardless of counts (rc_heap_free). */
void rci_gc_free_all(rc_heap *heap);
/* gc.c's entry points for gcincr.c (section 9): a partial run; a full stop-the-world
 * collection; the final step of an incremental collection (a partial run whose set also
 * gets the suspected garbage, through rci_incr_join, reported as a collection of
 * generation 2); trigger_update. The collections return what they count (COUNTED). */
void rci_gc_collect_partial(rc_heap *heap);
size_t rci_gc_collect_full(rc_heap *heap);
size_t rci_gc_collect_final(rc_heap *heap, unsigned gen);
void rci_gc_trigger_update(rc_heap *heap);

/* ---------------------------------------------------------------------------------------
 * Incremental collection (owner: src/gcincr.c; gc.c section 9, invariant INCREMENTAL).
 */
/* The candidate schedule's automatic decision at a tracked allocation, when
 * stop_the_world is off (called by rci_gc_alloc_check; on = enabled and threshold[0] > 0). */
void rci_incr_alloc_check(rc_heap *heap, bool on);
/* obj (tracked, not pending, generation 0 or 2) was decremented to a non-zero count
 * (rc__candidate): a member of the running collection becomes live for it. */
void rci_incr_touched(rc_heap *heap, rc_object *obj);
/* Page release (page.c): the running collection forgets page before its memory goes. */
void rci_incr_page_gone(rc_heap *heap, rci_page *page);
/* Called by gc.c's collect_phases in every partial run, after the neighbourhood: in the
 * final step of a run, appends the suspected garbage still alive to generation 1 and
 * heap->cand; with no run in progress and the neighbourhood truncated, starts a
 * neighbourhood run seeded with heap->cand. */
void rci_incr_partial(rc_heap *heap, bool truncated);
/* Drops the running collection, if any, without collecting (its side tables only: no
 * object was changed by it). */
void rci_incr_abandon(rc_heap *heap);
/* The monotonic clock, in nanoseconds (os_linux.c). */
uint64_t rci_os_now_ns(void);
/* Records a pause of ns nanoseconds in heap->pause. */
void rci_pause_record(rc_heap *heap, uint64_t ns);

/* ---------------------------------------------------------------------------------------
 * Allocation, inline (owner: src/object.c).
 */
/* rci_object_new's failure: gives back the allocation's count and sets the heap's error. */
#if defined(__GNUC__)
__attribute__((cold))
#endif
rc_object *
rci_object_new_failed(rc_heap *heap, const rc_type *type, size_t bytes);

/* The accounting of one new object of type in a slot of `slot` bytes (STATS). */
static inline void rci_count_alloc(rc_heap *heap, rc_type *type, size_t slot)
{
    type->live_count++;
    heap->total_allocated++;
    type->live_bytes += slot;
    heap->live_bytes += slot;
    if (heap->live_bytes > heap->peak_live_bytes)
        heap->peak_live_bytes = heap->live_bytes;
}

/* rci_object_new, inline for the hottest constructors (rc_new, weak references): no call
 * on the common path, and a constant `bytes` folds the size class. */
static inline rc_object *rci_object_new_inline(rc_heap *heap, rc_type *type, size_t bytes)
{
    if (type->tracked)
        rci_gc_on_alloc(heap);
    rc_object *obj = rci_slot_alloc(heap, bytes, type->holds_refs);
    if (__builtin_expect(obj == NULL, 0))
        return rci_object_new_failed(heap, type, bytes);
    rci_page *page = rci_page_of(obj);
    size_t slot = page->slot_bytes;
    uint32_t ti = type->index << RCI_TYPE_SHIFT;
    obj->_refcnt = 1;
    if (type->tracked) {
        ti |= RCI_TRACKED;
        if (__builtin_expect(!(page->lists & RCI_IN_YOUNG), 0))
            rci_page_note_gen(heap, page, 0);
        heap->gen_size[0]++;
    }
    obj->_tinfo = ti;
    rci_count_alloc(heap, type, slot);
    if (__builtin_expect(heap->origin_now != NULL, 0))
        rci_origin_note_current(heap, obj);
    return obj;
}

/* ---------------------------------------------------------------------------------------
 * Built-in types (owners: src/int.c, float.c, str.c, tuple.c, list.c, dict.c, repr.c).
 */
/* Registers int, float, str, tuple, list, dict (in that order, indexes 1 to 6) and sets
 * heap->t_*. */
rc_status rci_builtins_register(rc_heap *heap);

#endif /* RCGC_INTERNAL_H */
