/*
 * internal.h -- what rcgc's own sources share and users never see: the header bits, types,
 * pages, the heap and its owners' parts, and the inline fast paths. Each structure's owner
 * file states its invariants; this header only declares them and cites the names.
 *
 * Layers, each using only those above it (docs/ARCHITECTURE.md lists the deliberate
 * exceptions), and their files:
 *   0 build conventions   attrs.h, debug.h
 *   1 operating system    os_linux.c (page mappings, the system allocator, memory figures)
 *   2 heap and memory     heap.c, error.c, page.c, mem.c, check.c; util.c/util.h (shared
 *                         containers: address map, object array, frame stack)
 *   3 objects and types   object.c, type.c, immortal.c, roots.c, origin.c
 *   4 built-in types      builtins.c/builtins.h, int.c, float.c, str.c, tuple.c, list.c,
 *                         dict.c, hash.c, equal.c, repr.c
 *   5 collector           gc.c, gcincr.c, gcdoomed.c, gcvalidate.c
 *   6 weakrefs, finalizers and the gc module
 *                         weakref.c/weakref.h, weakdict.c, finalize.c, gcmodule.c/gcmodule.h
 *   7 introspection       introspect.c, objgraph.c, leakguard.c, snapshot.c
 *   8 graph tools         graph.c/graph.h, dot.c, render.c
 *
 * Names: rci_X_action (or rci_X for a file's one entry point) is defined in src/X.c, or
 * inline in the header X.c owns (its section of this file, or X.h). A plural X names the
 * same file (rci_pages_*, rci_types_*, rci_weakrefs_*); the OS layer is rci_os_* in
 * src/os_<platform>.c. Statics are unprefixed. struct rc_heap is made of one part per
 * owner (heap->pages, heap->gc, heap->wr...), whose invariants that owner states.
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
#define RCI_GARBAGE                                                                                \
    0x400u /* during a collection that runs user code (gc.c, phase 3): the
                                    object was unreachable when phase 2 ended */
#define RCI_UNCOLLECTABLE                                                                          \
    0x800u                  /* during such a collection: garbage held by a legacy
                                    finalizer's part of it (gc.c, 3a) */
#define RCI_PENDING 0x1000u /* on the pending-free list; link packed in the header */
#define RCI_PERMANENT_GEN 3u
_Static_assert(RC__CANDIDATE_MASK == (RCI_PENDING | RCI_TRACKED | 1u) &&
                   RC__CANDIDATE_TEST == RCI_TRACKED,
               "rc_decref's candidate test (rcgc.h) must match the header bits");
/* IMMORTAL (owner: src/immortal.c): an immortal object is untracked with its generation
 * bits all set, a pattern no other object has (untracked objects keep generation 0). */
#define RCI_IMMORTAL_BITS RCI_GEN_MASK
static inline bool rci_immortal_is_ti(uint32_t ti)
{
    return (ti & (RCI_TRACKED | RCI_GEN_MASK)) == RCI_IMMORTAL_BITS;
}

static inline uint32_t rci_type_index(const rc_object *o)
{
    return o->_tinfo >> RCI_TYPE_SHIFT;
}
static inline uint32_t rci_object_flags(const rc_object *o)
{
    return o->_tinfo & RCI_FLAG_MASK;
}
static inline unsigned rci_object_gen(const rc_object *o)
{
    return o->_tinfo & RCI_GEN_MASK;
}
static inline bool rci_object_is_live(const rc_object *o)
{
    return o->_tinfo != 0 && (o->_tinfo & RCI_PENDING) == 0;
}

/* ---------------------------------------------------------------------------------------
 * Types (owner: src/type.c).
 */
struct rc_type {
    rc_heap *heap;        /* the heap it belongs to */
    uint32_t index;       /* its index in heap->types.table, >= 1 */
    bool release_special; /* rc__release leaves its common path for instances: finalize or
                             legacy_finalize is set, or this is the weakref type (whose
                             plain instances have a path of their own, object.c) */
    bool tree;            /* instances die in object.c's release_tree loop (TREE): reference
                             offsets only (no clear or destroy), not release_special */
    uint8_t cand_look;    /* LOOK-PAYS (owner: src/gc.c, section 5a): whether rc__candidate
                             looks at a young instance before buffering it; 0 at registration */
    size_t live_count;    /* instances alive (allocated, not yet freed). Not next to
                            live_bytes: GCC pairs adjacent counters into SSE adds whose
                            set-up costs more than the two scalar ones */
    char *name;           /* owned copy of spec.name */
    size_t instance_bytes;
    /* The pool of instance_bytes slots (rc_new's), or NULL when those are large: found once
     * at registration (type.c). */
    struct rci_pool *pool;
    /* pool when its slots are at most RCI_ZERO_INLINE_BYTES (zeroed inline by rc_new's
     * common path), else NULL. */
    struct rci_pool *pool_small;
    /* NEW-FAST (owner: src/object.c): what rc_new_var's common path reads instead of
     * deciding it per allocation. new_tinfo is a new instance's header word (index, and
     * RCI_TRACKED if tracked); rc_new_var(bytes) takes a slot of pool when bytes -
     * instance_bytes < pool_room (bytes in pool's class; 0 without pool), else of
     * pools[class of bytes] when bytes - instance_bytes < var_room (bytes up to
     * RCI_MAX_CLASS_BYTES; 0 when instance_bytes exceeds it). pools is
     * heap->pages.pools[holds_refs]. The common path reads the small_ fields alone:
     * pool_small when bytes - instance_bytes < small_room (pool_room with pool_small, else
     * 0), else small_pools[(bytes + 7) / 8] when bytes - instance_bytes < small_var_room
     * (bytes up to RCI_ZERO_INLINE_BYTES; 0 when instance_bytes exceeds it): a slot zeroed
     * inline, with no test of its size; small_pools is heap->pages.small_pool_of[holds_refs]. */
    uint32_t new_tinfo;
    size_t small_room, small_var_room;
    struct rci_pool *const *small_pools;
    size_t pool_room, var_room;
    struct rci_pool *pools;
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
    size_t live_bytes; /* their slots plus rci_mem_buf_* bytes charged to them */
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
/* ARRAY: the entries in use of obj's trailing array (t->has_array). */
static inline size_t rci_type_array_count(const rc_type *t, const rc_object *obj)
{
    size_t n;
    memcpy(&n, (const char *)obj + t->array_count_off, sizeof n);
    return n;
}
static inline rc_object **rci_type_array_items(const rc_type *t, rc_object *obj)
{
    return (rc_object **)(void *)((char *)obj + t->array_off);
}
/* ARRAY: the clear of such a type (type.c's array_clear, and object.c's release inline):
 * each offset field, then each entry in use, set to NULL before its reference is dropped. */
static inline void rci_type_array_clear(rc_heap *heap, const rc_type *t, rc_object *obj)
{
    for (size_t i = 0; i < t->n_ref_offsets; i++) {
        rc_object **field = (rc_object **)((char *)obj + t->ref_offsets[i]);
        rc_object *ref = *field;
        *field = NULL;
        rc_decref(heap, ref);
    }
    size_t n = rci_type_array_count(t, obj);
    rc_object **items = rci_type_array_items(t, obj);
    for (size_t i = 0; i < n; i++) {
        rc_object *ref = items[i];
        if (ref == NULL)
            continue;
        items[i] = NULL;
        rc_decref(heap, ref);
    }
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
    struct rci_page *ynext,
        *yprev; /* heap->pages.young: pages that may hold generation-0 objects */
    struct rci_page *onext, *oprev; /* heap->pages.gen1: pages that may hold generation-1 objects */
    struct rci_page *cnext;         /* during a collection: the pages being collected */
    struct rci_page *enext;         /* heap->pages.emptied: emptied while release was deferred */
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
    rci_page *cur;   /* page allocations are taken from, or heap->pages.no_page (POOL) */
    rci_page *pages; /* all pages of this pool (list through next/prev) */
    rci_page *avail; /* pages with free slots other than cur (through anext/aprev) */
    uint32_t slot_bytes;
    bool container;
};

/* Every slot [0, bump) of page as obj, a new rc_object * (live, pending or free: the body
 * tests the header). The end is recomputed from page->bump at every step, so the body may
 * allocate into the page. break and continue work as in any loop. */
/* NOLINTBEGIN(bugprone-macro-parentheses): obj names the loop variable it declares. */
#define RCI_PAGE_FOR_EACH_SLOT(page, obj)                                                          \
    for (rc_object *obj = (rc_object *)(page)->slots;                                              \
         (char *)obj < (page)->slots + (size_t)(page)->bump * (page)->slot_bytes;                  \
         obj = (rc_object *)((char *)obj + (page)->slot_bytes))
/* NOLINTEND(bugprone-macro-parentheses) */

static inline rci_page *rci_page_of(const void *obj)
{
    return (rci_page *)((uintptr_t)obj & ~(uintptr_t)(RC_PAGE_BYTES - 1));
}

/* Size classes: 16 to 128 in steps of 8, then four classes per doubling up to 8192. */
static inline unsigned rci_page_class_index(size_t bytes)
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
static inline void rci_page_zero_slot(char *slot, uint32_t bytes)
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

/* Slots up to this size are zeroed with no call (rci_page_zero_slot_small). */
#define RCI_ZERO_INLINE_BYTES 128u

/* rci_page_zero_slot for a slot of at most RCI_ZERO_INLINE_BYTES: no call whatever the
 * size. */
static inline void rci_page_zero_slot_small(char *slot, uint32_t bytes)
{
    if (bytes <= 32) {
        memset(slot, 0, 16);
        memset(slot + bytes - 16, 0, 16);
    } else if (RCI_LIKELY(bytes <= 64)) { /* laid out first: most objects are small */
        memset(slot, 0, 32);
        memset(slot + bytes - 32, 0, 32);
    } else {
        memset(slot, 0, 64);
        memset(slot + bytes - 64, 0, 64);
    }
}

/* Bytes of the slots of class idx. */
static inline uint32_t rci_page_class_bytes(unsigned idx)
{
    if (idx < 15)
        return 16u + 8u * idx;
    unsigned k = idx - 15u;
    uint32_t base = (uint32_t)1 << (7u + k / 4u);
    return base + (k % 4u + 1u) * (base / 4u);
}

/* Takes a slot of page, which has one (free list first, then the untouched tail). */
static inline rc_object *rci_page_take_slot(rci_page *page)
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
    rci_page_zero_slot(slot, page->slot_bytes);
    return (rc_object *)slot;
}

/* rci_page_slot_alloc's path when the pool's cur page has no slot to give, or the object is
 * large (page.c). */
rc_object *rci_page_slot_alloc_slow(rc_heap *heap, size_t bytes, bool container);
/* rci_page_slot_free's path when the page is not its pool's cur, or is a large object's: the
 * POOL lists (page.c). The slot is already off the page's books (n_used, free list). */
void rci_page_slot_free_slow(rc_heap *heap, rci_page *page);

/* rci_page_slot_alloc and rci_page_slot_free, inline, follow struct rc_heap below. */
/* Releases pages emptied while page release was deferred. */
void rci_pages_release_empty(rc_heap *heap);
void rci_pages_free_all(rc_heap *heap);
/* Sets each pool's slot size and kind (rc_heap_new). */
void rci_page_pools_init(rc_heap *heap);
/* Calls fn(page, user) for every page (container pages first if containers_only). */
typedef int (*rci_page_fn)(rc_heap *heap, rci_page *page, void *user);
int rci_pages_each(rc_heap *heap, bool containers_only, rci_page_fn fn, void *user);
/* Marks that page holds an object of generation gen (0 or 1): links it into that list. */
void rci_page_note_gen(rc_heap *heap, rci_page *page, unsigned gen);
void rci_page_unlist_gen(rc_heap *heap, rci_page *page, unsigned gen);

/* ---------------------------------------------------------------------------------------
 * Memory through the heap's allocator (owner: src/mem.c).
 */
/* Raw memory through the heap's allocator, for buffers objects own. Charged to type's
 * live_bytes and the heap's buffer_bytes. resize keeps the block on failure. None of these
 * sets the heap's error: the caller does, naming its own call. */
void *rci_mem_buf_alloc(rc_heap *heap, rc_type *type, size_t bytes);
void *rci_mem_buf_resize(rc_heap *heap, rc_type *type, void *block, size_t old_bytes,
                         size_t new_bytes);
void rci_mem_buf_free(rc_heap *heap, rc_type *type, void *block, size_t bytes);
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
 * The heap (owner: src/heap.c), made of its owners' parts: each sub-struct below belongs
 * to the file its title names, which states its invariants (counters such as
 * mem.live_bytes and gc.gen_size are also updated where objects are made and freed). Fields keep their
 * names inside their part (the old heap->young is heap->pages.young), scripts/house-moves.md,
 * "Renames applied", lists them.
 */
#define RCI_ERRMSG_BYTES 256u

/* Errors and misuse (owner: src/error.c, ERRORS). */
typedef struct rci_heap_err {
    rc_misuse_fn misuse; /* misuse hook, or NULL */
    void *misuse_user;
    rc_status last_error;          /* RC_OK or the last failure's code */
    char errmsg[RCI_ERRMSG_BYTES]; /* its message */
} rci_heap_err;

/* The type table (owner: src/type.c). */
typedef struct rci_heap_types {
    rc_type **table;  /* table[index]; table[0] is NULL */
    uint32_t n_types; /* entries used in table, counting slot 0 */
    uint32_t types_cap;
    rc_type *t_int, *t_float, *t_str, *t_tuple, *t_list, *t_dict; /* built-ins */
} rci_heap_types;

/* Pages and pools (owner: src/page.c, PAGE and POOL). */
typedef struct rci_heap_pages {
    rci_pool pools[2][RCI_N_CLASSES]; /* [container][size class] */
    rci_page *large;                  /* pages of single large objects (list through next) */
    rci_page *young;                  /* pages that may hold generation-0 objects */
    rci_page *gen1;                   /* pages that may hold generation-1 objects */
    rci_page *spare;                  /* empty pages kept to avoid map/unmap churn (page.c,
                                         SPARES), linked through next */
    size_t n_spare;                   /* pages on spare */
    rci_page *emptied;                /* pages emptied while defer_page_release was set */
    bool defer_page_release;        /* collecting: empty pages stay until rci_pages_release_empty */
    size_t page_bytes, large_bytes; /* bytes of small-object pages and of large ones */
    /* class_of[(bytes + 7) / 8]: the size class of bytes, up to RCI_MAX_CLASS_BYTES
     * (rci_page_class_index in one load: rc_new_var's common path) */
    uint8_t class_of[RCI_MAX_CLASS_BYTES / 8 + 1];
    /* small_pool_of[container][(bytes + 7) / 8]: the pool of bytes' class, for bytes up to
     * RCI_ZERO_INLINE_BYTES (rc_new_var's common path: the pool in one load, NEW-FAST) */
    rci_pool *small_pool_of[2][RCI_ZERO_INLINE_BYTES / 8 + 1];
    /* NO-PAGE (page.c): a pool without a page to allocate from has this as cur, a page of no
     * slots on no list, never returned, so the allocation paths test only for a full cur */
    rci_page no_page;
} rci_heap_pages;

/* Bytes: live_bytes = slots of live and pending objects plus buffers (owner: src/mem.c for
 * buffers; page.c and object.c count slots in it). */
typedef struct rci_heap_mem {
    size_t live_bytes;
    size_t peak_live_bytes; /* between live_bytes and buffer_bytes on purpose: with the two
                               adjacent, GCC 12 -O2 vectorizes charge's two subtractions
                               into more instructions (+6 per rci_mem_buf_free, measured) */
    size_t buffer_bytes;
} rci_heap_mem;

/* Release by counting (owner: src/object.c, PENDING and RITES-DEFER). Objects alive are
 * total_allocated - total_freed and objects tracked are the four gc.gen_size entries
 * (rci_object_live_count, rci_object_tracked_count): no counter of their own, so allocation and
 * release update two fewer fields. */
typedef struct rci_heap_objs {
    rc_object *pending;   /* objects at count zero awaiting release (object.c) */
    bool freeing;         /* the pending list is being drained */
    bool defer_free;      /* collecting: count-zero objects wait on pending */
    rc_object **deferred; /* objects whose count reached zero while defer_free was
                                       set and that need a finalizer or weakref clearing:
                                       each holds one reference, dropped after the collection */
    size_t deferred_len, deferred_cap;
    uint64_t total_allocated, total_freed;
    /* Finalizers skipped for lack of memory (last_rites), which the failing step could only
     * report in the last error (rc_heap_stats shows it). */
    uint64_t lost_finalizers;
} rci_heap_objs;

/* The collector and its schedule (owner: src/gc.c). */
typedef struct rci_heap_gc {
    bool collecting; /* a collection is running */
    bool gc_enabled; /* automatic collection on */
    bool stress;     /* collect at every tracked allocation */

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
    union {
        struct {
            bool cand_overflow; /* the buffer could not grow: some generation-1 object is
                                   missing from it; the next automatic run is a full one */
            bool cand_hold;     /* a collection's phases 1-5: candidates go to late */
            bool cand_off;      /* the generational schedule: rc__candidate does nothing */
            bool cand_incr;     /* heap->gcincr.run != NULL (gcincr.c keeps it): candidates
                                   are reported to the run (rci_gcincr_touched) */
        };
        uint32_t cand_slow; /* non-zero when one of the four is set: rc__candidate's
                               common path tests them in one compare (gc.c, CAND-FAST) */
    };
    size_t cand_limit; /* gen_size[1] above which a buffering calls trigger_update: the
                          trigger while automatic work could start, else SIZE_MAX
                          (gc.c, trigger_update and CAND-FAST) */
    bool full_due;     /* the next automatic run is a full collection */
    bool final_whole;  /* FINAL-WHOLE (gc.c section 9): the partial run under way is an
                           incremental run's final step: no chunks */
    rc_object **late;  /* candidates met during phases 1-5, each holding a
                                       reference, buffered when the collection ends */
    size_t late_len, late_cap;
    rc_object **rest; /* CHUNKS (gc.c section 9): candidates beyond the chunk an automatic
                         partial run examines, moved to generation 2 until a later chunk
                         takes them back; stale entries as in cand (their pages stay while
                         any entry is here, page.c) */
    size_t rest_len, rest_cap;
    size_t chunk_cands;        /* CHUNKS: candidates the last chunked partial run took
                                       (0: none yet); the rest buffer gives back about
                                       that many */
    size_t cand_trigger;       /* candidates that start a partial run (adaptive) */
    size_t cand_truncated;     /* partial runs since the last full one whose
                                       neighbourhood budget ran out */
    size_t long_lived_total;   /* generation-2 size after the last full collection */
    size_t long_lived_pending; /* objects promoted into generation 2 since then */
    size_t gen_size[4];        /* tracked objects in generation 0, 1, 2 and, at index
                                       RCI_PERMANENT_GEN, the permanent one (frozen): indexed by
                                       the header's generation bits, with no test */
    uint32_t fin_types_seen;   /* types scanned for a finalize function (gc.c) */
    uint32_t fin_types;        /* registered types with a finalize function */
    uint64_t unsaved_garbage;  /* objects not saved in rc_gc_garbage for lack of memory
                                  (rc_heap_stats shows it) */
    size_t trigger_base; /* gc_trigger as it would be with no doomed object (trigger_update) */
    /* Garbage confirmed and released in slices (gc.c section 9, DOOMED; src/gcdoomed.c). */
    rc_object *doomed;       /* the doomed list, chained through the headers, or NULL */
    size_t doomed_len;       /* objects on it */
    size_t doomed_bytes;     /* their slots' bytes */
    size_t doomed_countdown; /* tracked allocations until the next release slice */
} rci_heap_gc;

/* Bounded pauses (owner: src/gcincr.c; gc.c section 9, invariant INCREMENTAL). */
typedef struct rci_heap_gcincr {
    struct rci_incr *run;    /* the incremental collection in progress, or NULL */
    bool stw;                /* rc_heap_config.stop_the_world */
    uint64_t pause_budget;   /* ns per automatic increment */
    size_t countdown;        /* tracked allocations until the next automatic increment */
    uint64_t nb_after;       /* total_allocated from which a neighbourhood run may start */
    rc_gc_pause_stats pause; /* pause figures (size field unused here) */
} rci_heap_gcincr;

/* Weak references (owner: src/weakref.c, WEAKLIST, TABLE, QUEUE). */
typedef struct rci_heap_wr {
    struct rci_wr_slot *wr_table; /* weakref side table: referent -> list (weakref.c) */
    size_t wr_cap;                /* slots in wr_table (a power of two, or 0) */
    unsigned wr_shift;            /* 64 - log2(wr_cap): the hash's shift (weakref.c) */
    size_t wr_used;               /* entries in wr_table: objects with RCI_WEAKREFD */
    rc_type *t_weakref;           /* the weakref type, registered on first use */
    rc_type *t_weakproxy;         /* the weakproxy type, registered on first use */
    uint32_t wr_type_index;       /* t_weakref's index, RCI_MAX_TYPES (no type's) until it is
                                       registered: rc_weakref_get's test is one compare */
    uint32_t wr_proxy_index;      /* t_weakproxy's index, likewise */
    uint32_t wr_fast_tinfo;       /* the header rc_weakref_new's fast path gives a weakref
                                       (t_weakref's index, tracked, generation 0), or 0 while
                                       that path is closed: no type yet, or allocation sites
                                       are being recorded (origin_now set; weakref.c) */
    rc_object **wr_calls;         /* weakrefs (one reference each) whose callbacks are due */
    size_t wr_calls_len, wr_calls_cap;
    uint64_t lost_callbacks; /* weakref callbacks dropped for lack of memory (queue_push;
                                rc_heap_stats shows it) */
} rci_heap_wr;

/* Weak containers (owner: src/weakdict.c, WEAKDICT). */
typedef struct rci_heap_weakdict {
    rc_type *t_weakdict; /* the weak containers' type, registered on first use */
} rci_heap_weakdict;

/* Finalize handles (owner: src/finalize.c, FINREG). */
typedef struct rci_heap_fin {
    rc_object **fin_recs; /* alive finalize handles, one reference each, oldest
                                       first (FINREG) */
    size_t fin_recs_len, fin_recs_cap;
    rc_type *t_finalize;  /* the finalize handles' type, registered on first use */
    uint64_t fin_created; /* finalize handles made so far: the next one's index */
    bool fin_exited;      /* rc_heap_free ran the atexit finalizers: none runs again */
} rci_heap_fin;

/* The gc module around the collector (owner: src/gcmodule.c, OUTPUT, CALLBACKS). */
typedef struct rci_heap_gcmod {
    unsigned gc_debug;                               /* RC_GC_DEBUG_* flags */
    void (*gc_out)(rc_heap *, const char *, void *); /* debug output, NULL: stderr */
    void *gc_out_user;
    struct rci_gc_cb *gc_cbs; /* collection callbacks, in registration order */
    size_t gc_cbs_len, gc_cbs_cap;
    rc_object *gc_garbage; /* the gc.garbage list (one reference), or NULL */
} rci_heap_gcmod;

/* Allocation sites (owner: src/origin.c, SITES, OBJS and CURRENT). */
typedef struct rci_heap_origins {
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
    /* CURRENT: the caller-supplied site (rc_origin_set). */
    const char *origin_now;      /* site file every new object gets: origin_set_file while
                                       record_origins is on, else NULL (one test per allocation) */
    const char *origin_set_file; /* the interned file last set, or NULL */
    int origin_set_line;         /* its line */
    char **origin_files;         /* interned file names: open addressing by string hash */
    size_t origin_files_cap, origin_files_len;
} rci_heap_origins;

/* Heap snapshot ids (owner: src/snapshot.c, SNAP-IDS). */
typedef struct rci_heap_snap {
    uintptr_t *snap_keys; /* object address -> id serial (0: empty slot) */
    uint32_t *snap_vals;
    size_t snap_cap, snap_len;
    uint32_t snap_serial; /* the last serial given (never reused) */
} rci_heap_snap;

/* Named roots (owner: src/roots.c, NAMED). */
typedef struct rci_heap_roots {
    struct rci_root *table; /* rc_root_name's entries, in naming order */
    size_t roots_len, roots_cap;
} rci_heap_roots;

/* Leak guards (owner: src/leakguard.c, GUARDS). */
typedef struct rci_heap_leak {
    struct rci_snapshot *snapshots; /* snapshots of leak guards begun and not ended */
} rci_heap_leak;

struct rc_heap {
    rc_allocator alloc; /* copied from the config */
    uint64_t hash_seed;
    rci_heap_err err;
    rci_heap_types types;
    rci_heap_pages pages;
    rci_heap_objs objs;
    rci_heap_gc gc;
    rci_heap_gcincr gcincr;
    rci_heap_mem mem;
    rci_heap_wr wr;
    rci_heap_weakdict weakdict;
    rci_heap_fin fin;
    rci_heap_gcmod gcmod;
    rci_heap_origins origins;
    rci_heap_snap snap;
    rci_heap_roots roots;
    rci_heap_leak leak;
};

static inline rc_type *rci_type_of(const rc_heap *heap, const rc_object *o)
{
    return heap->types.table[rci_type_index(o)];
}

static inline size_t rci_object_live_count(const rc_heap *heap)
{
    return (size_t)(heap->objs.total_allocated - heap->objs.total_freed);
}

static inline size_t rci_object_tracked_count(const rc_heap *heap)
{
    return heap->gc.gen_size[0] + heap->gc.gen_size[1] + heap->gc.gen_size[2] +
           heap->gc.gen_size[3];
}

/* Takes a slot of page, whose slots are slot_bytes (a constant, for the compiler to fold),
 * and which has one; its bytes are left as they were: the caller writes every one. */
static inline char *rci_page_take_slot_unzeroed(rci_page *page, uint32_t slot_bytes)
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
static inline rc_object *rci_page_slot_alloc(rc_heap *heap, size_t bytes, bool container)
{
    if (bytes > RCI_MAX_CLASS_BYTES)
        return rci_page_slot_alloc_slow(heap, bytes, container);
    unsigned idx = rci_page_class_index(bytes);
    rci_page *page = heap->pages.pools[container][idx].cur;
    if (RCI_UNLIKELY(page->free == NULL && page->bump == page->n_slots)) /* NO-PAGE */
        return rci_page_slot_alloc_slow(heap, bytes, container);
    if (!__builtin_constant_p(bytes))
        return rci_page_take_slot(page);
    /* A constant size: the slot's size is known too, and zeroing it needs no tests. */
    char *slot = rci_page_take_slot_unzeroed(page, rci_page_class_bytes(idx));
    rci_page_zero_slot(slot, rci_page_class_bytes(idx));
    return (rc_object *)slot;
}

/* rci_page_slot_free without its call: takes obj's slot back into its page's books and
 * returns true, or false when the caller must still call rci_page_slot_free_slow for
 * obj's page (the POOL lists). */
static inline bool rci_page_slot_free_fast(rci_page *page, rc_object *obj)
{
    if (RCI_POISON_FREED)
        memset(obj, RCI_POISON_BYTE, page->slot_bytes);
    obj->_refcnt = 0;
    obj->_tinfo = 0;
    page->n_used--;
    rci_pool *pool = page->pool;
    if (RCI_LIKELY(pool != NULL)) {
        memcpy((char *)obj + 8, &page->free, sizeof(void *));
        page->free = obj;
        if (page == pool->cur ||
            (page->n_used != 0 && ((page->lists & RCI_IN_AVAIL) || !rci_page_worth_reusing(page))))
            return true;
    }
    return false;
}

/* Returns obj's slot to its page (the header must already be dead). Inline: a slot of the
 * pool's cur page (the common case for short-lived objects) costs no call. */
static inline void rci_page_slot_free(rc_heap *heap, rc_object *obj)
{
    rci_page *page = rci_page_of(obj);
    if (!rci_page_slot_free_fast(page, obj))
        rci_page_slot_free_slow(heap, page);
}
/* Bytes of obj's slot. */
static inline size_t rci_page_slot_bytes(const rc_object *obj)
{
    return rci_page_of(obj)->slot_bytes;
}

/* rc_heap_visit over the objects of types that can hold references only (container
 * pages): what walks looking for references (referrers, tracked objects) need, without
 * the atomic objects' pages. */
int rci_heap_visit_containers(rc_heap *heap, rc_heap_visit_fn fn, void *user);

/* rc_heap_check without its state test, for the collector's debug-level-3 checks made
 * between collections while heap->gc.collecting is set (check.c). */
rc_status rci_check_now(rc_heap *heap);

/* ---------------------------------------------------------------------------------------
 * Errors and misuse (owner: src/error.c).
 */
/* Records an error on the heap (message formatted like printf) and returns code. */
rc_status rci_error(rc_heap *heap, rc_status code, const char *fmt, ...) RCI_PRINTF(3, 4);
/* SIZE: the size-field rule of every size-versioned struct (one that starts with `size_t
 * size`; rcgc.h, "Conventions"): the struct at s is accepted when its size field lies in
 * [min_bytes, max_bytes], max_bytes being today's sizeof and min_bytes the size of the
 * oldest layout still read (equal to max_bytes when only today's is). Fields are only ever
 * appended, so a reader of an older layout copies min(size, sizeof) bytes. Returns RC_OK, or
 * RC_EINVAL for s NULL or a size out of range, with a message naming call, what and the
 * size found. heap may be NULL (no message); it is written through a const pointer because
 * const getters must leave a message too (ERRORS): a heap is never defined const, and its
 * error fields are not its logical state (as errno is not a function's). */
rc_status rci_error_size_check(const rc_heap *heap, const char *call, const char *what,
                               const void *s, size_t min_bytes, size_t max_bytes);
/* Reports misuse to the hook, records RC_EMISUSE, returns RC_EMISUSE. */
rc_status rci_error_misuse(rc_heap *heap, rc_misuse_kind kind, const rc_object *obj,
                           const char *file, int line, const char *fmt, ...) RCI_PRINTF(6, 7);

/* ---------------------------------------------------------------------------------------
 * Objects (owner: src/object.c).
 */
/* LAST RITES: an object dying (count zero, or in cyclic garbage) needs work before its
 * references are dropped when its finalizer has not run yet, it has a weakref list (made
 * with its first weakref, possibly empty since: weakref.c, WEAKLIST), or its type has a
 * legacy finalizer (which runs at every death by counting). */
static inline bool rci_object_type_needs_rites(const rc_type *t, const rc_object *obj)
{
    if (RCI_LIKELY((obj->_tinfo & RCI_WEAKREFD) == 0 && !t->release_special))
        return false;
    return (obj->_tinfo & RCI_WEAKREFD) != 0 || t->legacy_finalize != NULL ||
           (!(obj->_tinfo & RCI_FINALIZED) && t->finalize != NULL);
}
static inline bool rci_object_needs_rites(const rc_heap *heap, const rc_object *obj)
{
    return rci_object_type_needs_rites(rci_type_of(heap, obj), obj);
}
/* Allocates and initialises an object of type (count 1, tracked if the type is) in a slot
 * of `bytes`. May collect first. */
rc_object *rci_object_new(rc_heap *heap, rc_type *type, size_t bytes);
/* rci_object_free for a type with a destroy function (object.c): out of line, so that
 * rci_object_free's common path makes no call but the rare one to the page's slow path. */
void rci_object_free_destroy(rc_heap *heap, rc_object *obj, rc_type *t);
/* Frees obj's memory after its references have been released: type destroy, accounting,
 * slot. Untracks first. Inline: the collector frees its garbage with it, one object after
 * another (gc.c, phase 5). */
/* rci_object_free's last step, the type known and destroyed: accounting, then the slot. */
static inline void rci_object_free_slot(rc_heap *heap, rc_object *obj, rc_type *t)
{
    size_t bytes = rci_page_slot_bytes(obj);
    t->live_count--;
    t->live_bytes -= bytes;
    heap->mem.live_bytes -= bytes;
    heap->objs.total_freed++;
    rci_page_slot_free(heap, obj);
}
static inline void rci_object_free(rc_heap *heap, rc_object *obj)
{
    rc_type *t = rci_type_of(heap, obj);
    if (RCI_UNLIKELY(t->destroy != NULL)) {
        rci_object_free_destroy(heap, obj, t);
        return;
    }
    rci_object_free_slot(heap, obj, t);
}
/* Drains the pending-free list (a no-op while it is already being drained). */
void rci_object_release_pending(rc_heap *heap);
/* Accounting for a tracked object leaving its generation (freed or untracked). Inline:
 * the collector calls it for every object it frees. */
static inline void rci_object_untrack_accounting(rc_heap *heap, rc_object *obj)
{
    heap->gc.gen_size[rci_object_gen(obj)]--;
    obj->_tinfo &= ~(RCI_TRACKED | RCI_GEN_MASK);
}

/* ---------------------------------------------------------------------------------------
 * Allocation sites (owner: src/origin.c).
 */
/* Records (file, line) for obj, just made. */
void rci_origin_note(rc_heap *heap, rc_object *obj, const char *file, int line);
/* CURRENT: obj was just made while heap->origins.origin_now is set: records the current site. */
void rci_origin_note_current(rc_heap *heap, rc_object *obj);
/* Drops obj's record and its RCI_ORIGIN flag (obj dies: object.c's object_leaving, gc.c's
 * frees of cyclic garbage; every free of an object with the flag goes through one). */
void rci_origin_forget(rc_heap *heap, rc_object *obj);
/* obj's site index, or -1 if none is recorded. */
int32_t rci_origin_site(const rc_heap *heap, const rc_object *obj);
/* Fills out with site's file, line, type name and live count (delta 0). */
bool rci_origin_site_info(const rc_heap *heap, uint32_t site, rc_site_count *out);
/* Keeps out[0, *n) sorted best first, holding the best cap entries offered so far. */
void rci_origin_site_offer(rc_site_count *out, size_t cap, size_t *n, rc_site_count c,
                           bool by_delta);
/* The part of file after its last '/'. */
const char *rci_origin_basename(const char *file);
void rci_origins_free(rc_heap *heap);
/* Recomputes heap->wr.wr_fast_tinfo after t_weakref or heap->origins.origin_now changed
 * (weakref.c). */
void rci_weakref_fast_update(rc_heap *heap);
/* rc_heap_check's part: NULL, or what is wrong with obj's record / with the tables. */
const char *rci_origin_check_object(const rc_heap *heap, const rc_object *obj);
const char *rci_origins_check(const rc_heap *heap);

/* ---------------------------------------------------------------------------------------
 * The leak guard (owner: src/leakguard.c).
 */
/* Frees the snapshots of leak guards never ended (rc_heap_free; GUARDS). */
void rci_leakguard_free(rc_heap *heap);

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
/* Whether the heap runs the candidate schedule (section 5 of gc.c) rather than CPython's. */
static inline bool rci_gc_candidates(const rc_heap *heap)
{
    return heap->gc.schedule == RC_GC_SCHEDULE_CANDIDATES;
}
/* Sets heap->gc.gc_trigger from stress, gc_enabled, the thresholds and the candidates waiting
 * (gcmodule.c's setters call it after changing one of them). */
void rci_gc_trigger_update(rc_heap *heap);
/* Called by rci_object_new before allocating a tracked object: counts it and collects if
 * a threshold says so. The count and the common "nothing to do" test are inline;
 * rci_gc_alloc_check decides the rest (stress, enabled, thresholds, re-entrancy). */
void rci_gc_alloc_check(rc_heap *heap);
static inline void rci_gc_on_alloc(rc_heap *heap)
{
    if (++heap->gc.gen[0].count > heap->gc.gc_trigger)
        rci_gc_alloc_check(heap);
}
/* Frees every object of the heap regardless of counts (rc_heap_free). */
void rci_gc_free_all(rc_heap *heap);
/* gc.c's entry points for gcincr.c (section 9): a partial run; a full stop-the-world
 * collection; the final step of an incremental collection (a partial run whose set also
 * gets the suspected garbage, through rci_gcincr_join, reported as a collection of
 * generation 2); and rci_gc_trigger_update, declared above. The collections return what
 * they count (COUNTED). */
void rci_gc_collect_partial(rc_heap *heap);
size_t rci_gc_collect_full(rc_heap *heap);
size_t rci_gc_collect_final(rc_heap *heap, unsigned gen);

/* ---------------------------------------------------------------------------------------
 * Incremental collection (owner: src/gcincr.c; gc.c section 9, invariant INCREMENTAL).
 */
/* The candidate schedule's automatic decision at a tracked allocation, when
 * stop_the_world is off (called by rci_gc_alloc_check; on = enabled and threshold[0] > 0). */
void rci_gcincr_alloc_check(rc_heap *heap, bool on);
/* gc.c: whether an automatic partial run is due (the candidates waiting exceed the
 * trigger, or the rest of a chunked run waits: section 9, CHUNKS). */
bool rci_gc_partial_due(const rc_heap *heap);
/* obj (tracked, not pending, generation 0 or 2) was decremented to a non-zero count
 * (rc__candidate): a member of the running collection becomes live for it. */
void rci_gcincr_touched(rc_heap *heap, rc_object *obj);
/* Page release (page.c): the running collection forgets page before its memory goes. */
void rci_gcincr_page_gone(rc_heap *heap, rci_page *page);
/* Called by gc.c's collect_phases in every partial run, after the neighbourhood: in the
 * final step of a run, appends the suspected garbage still alive to generation 1 and
 * heap->gc.cand; with no run in progress and the neighbourhood truncated, starts a
 * neighbourhood run seeded with heap->gc.cand. */
void rci_gcincr_partial(rc_heap *heap, bool truncated);
/* Whether rci_gcincr_partial would join suspected garbage into the partial run under way
 * (members it adds after the neighbourhood walk: gc.c's FUSED is then off). */
bool rci_gcincr_joins(const rc_heap *heap);
/* Drops the running collection, if any, without collecting (its side tables only: no
 * object was changed by it). */
void rci_gcincr_abandon(rc_heap *heap);
/* The monotonic clock, in nanoseconds (os_linux.c). */
uint64_t rci_os_now_ns(void);
/* Records a pause of ns nanoseconds in heap->gcincr.pause. */
void rci_gcincr_pause_record(rc_heap *heap, uint64_t ns);

/* ---------------------------------------------------------------------------------------
 * The release of confirmed garbage in slices (owner: src/gcdoomed.c; gc.c section 9,
 * invariant DOOMED).
 */
/* A collection's phase 5 hands its garbage over in a batch: each object, whose every
 * reference is given up, is chained in (its header marked RCI_PENDING with the link, as
 * object.c's pending list packs it) and counted; rci_doomed_batch_end takes the batch off
 * the heap's books (generation sizes, live counts and bytes, total_freed) and makes it the
 * head of heap->gc.doomed. Inline: one pass, no call per object. */
#define RCI_DOOMED_LINK_LOW_BITS 12u
typedef struct rci_doom_batch {
    rc_object *head;   /* the list so far, newest first, ending in the heap's old list */
    rc_type *type;     /* the type counted in type_n, or NULL */
    size_t type_n;     /* objects of that type since it changed */
    size_t type_bytes; /* their slots' bytes */
    size_t n, bytes;   /* the batch's objects and slot bytes */
    size_t gen_n[4];   /* per generation (all were tracked) */
} rci_doom_batch;
void rci_doomed_batch_begin(rc_heap *heap, rci_doom_batch *b);
void rci_doomed_batch_type(rci_doom_batch *b, rc_type *t);
void rci_doomed_batch_end(rc_heap *heap, rci_doom_batch *b);
static inline void rci_doomed_batch_add(rc_heap *heap, rci_doom_batch *b, rc_object *obj)
{
    rc_type *t = rci_type_of(heap, obj);
    size_t bytes = rci_page_slot_bytes(obj);
    if (t != b->type)
        rci_doomed_batch_type(b, t);
    b->type_n++;
    b->type_bytes += bytes;
    b->n++;
    b->bytes += bytes;
    uint32_t ti = obj->_tinfo;
    b->gen_n[ti & RCI_GEN_MASK]++;
    uint64_t link = (uint64_t)(uintptr_t)b->head >> 3;
    obj->_refcnt = (int32_t)(uint32_t)link;
    obj->_tinfo = (ti & ~RCI_FLAG_MASK) | RCI_PENDING |
                  (uint32_t)((link >> 32) & ((1u << RCI_DOOMED_LINK_LOW_BITS) - 1u));
    b->head = obj;
}
/* Objects one automatic release slice may free; garbage above this many is handed over. */
size_t rci_doomed_slice_objects(const rc_heap *heap);
/* Releases up to max doomed objects, stopping once budget_ns have passed (UINT64_MAX: no
 * clock); returns how many it released. */
size_t rci_doomed_release(rc_heap *heap, size_t max, uint64_t budget_ns);
/* rc_collect_step: releases doomed objects within *budget_ns, which loses the time spent;
 * returns whether some are left (the step then does nothing else). */
bool rci_doomed_step(rc_heap *heap, uint64_t *budget_ns);
/* Releases every doomed object (rc_collect, rc_heap_free). */
void rci_doomed_release_all(rc_heap *heap);
/* A tracked allocation while the list is not empty: counts down, and at the end of the
 * interval releases a slice, timed as a pause. Returns whether it released one. */
bool rci_doomed_tick(rc_heap *heap);
/* NULL if the doomed list agrees with its recorded length and bytes, else the failure. */
const char *rci_doomed_check(const rc_heap *heap);

/* The collector's phase validators (owner: src/gcvalidate.c), called by gc.c after each
 * phase when RCI_VALIDATE_PHASES (debug.h). Each check is the invariant of that name in
 * gc.c's header, section 4; a failure is reported as misuse of kind RC_MISUSE_ASSERT. */
typedef enum rci_gcvalidate_check {
    RCI_GCV_SET,              /* after gather_pages: GC-SET */
    RCI_GCV_SUBTRACTED,       /* after phase 1: GC-SUBTRACTED */
    RCI_GCV_MARKED,           /* after phase 2: GC-MARKED */
    RCI_GCV_GARBAGE_RECORDED, /* after 3a: GC-GARBAGE-RECORDED */
    RCI_GCV_LEGACY,           /* after 3a': GC-LEGACY */
    RCI_GCV_RESURRECTED,      /* after 3d: GC-RESURRECTED */
    RCI_GCV_RELEASED,         /* after phase 4: GC-RELEASED */
    RCI_GCV_PROMOTED          /* after phase 5: GC-PROMOTED */
} rci_gcvalidate_check;
/* What a validator needs of a collection: its set S as gc.c's gc_run describes it. */
typedef struct rci_gcvalidate_set {
    rci_page *pages;           /* the pages of S through cnext; with members, a page whose
                                    bump is the number of members */
    rc_object *const *members; /* a partial run's S, or NULL: S is on the pages */
    unsigned lo, span;         /* S holds tracked objects with lo <= gen <= lo + span */
    bool rites;                /* phase 3 ran: the garbage is GARBAGE and not REACHABLE */
} rci_gcvalidate_set;
void rci_gcvalidate(rc_heap *heap, const rci_gcvalidate_set *set, rci_gcvalidate_check check);

/* ---------------------------------------------------------------------------------------
 * Allocation, inline (owner: src/object.c).
 */
/* rci_object_new's failure: gives back the allocation's count and sets the heap's error. */
RCI_COLD
rc_object *rci_object_new_failed(rc_heap *heap, const rc_type *type, size_t bytes);

/* The accounting of one new object of type in a slot of `slot` bytes (STATS). */
static inline void rci_object_count_alloc(rc_heap *heap, rc_type *type, size_t slot)
{
    type->live_count++;
    heap->objs.total_allocated++;
    type->live_bytes += slot;
    heap->mem.live_bytes += slot;
    if (heap->mem.live_bytes > heap->mem.peak_live_bytes)
        heap->mem.peak_live_bytes = heap->mem.live_bytes;
}

static inline rc_object *rci_object_made(rc_heap *heap, rc_type *type, size_t bytes,
                                         rc_object *obj);

/* rci_object_new's whole work, inline: weak references (constant `bytes`, which folds the
 * size class) and the paths off rc_new's and rci_object_new's common one (object.c). */
static inline rc_object *rci_object_new_inline(rc_heap *heap, rc_type *type, size_t bytes)
{
    if (type->tracked)
        rci_gc_on_alloc(heap);
    return rci_object_made(heap, type, bytes, rci_page_slot_alloc(heap, bytes, type->holds_refs));
}

/* The rest of rci_object_new_inline: obj is the new slot, or NULL. */
static inline rc_object *rci_object_made(rc_heap *heap, rc_type *type, size_t bytes, rc_object *obj)
{
    if (RCI_UNLIKELY(obj == NULL))
        return rci_object_new_failed(heap, type, bytes);
    rci_page *page = rci_page_of(obj);
    size_t slot = page->slot_bytes;
    uint32_t ti = type->index << RCI_TYPE_SHIFT;
    obj->_refcnt = 1;
    if (type->tracked) {
        ti |= RCI_TRACKED;
        if (RCI_UNLIKELY(!(page->lists & RCI_IN_YOUNG)))
            rci_page_note_gen(heap, page, 0);
        heap->gc.gen_size[0]++;
    }
    obj->_tinfo = ti;
    rci_object_count_alloc(heap, type, slot);
    if (RCI_UNLIKELY(heap->origins.origin_now != NULL))
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
