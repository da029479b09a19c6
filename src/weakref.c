/*
 * weakref.c -- weak references and weak proxies: their types, the heap's side table of
 * weakref lists, clearing at the referent's death and the callback queue.
 *
 * WEAKLIST: an object has RCI_WEAKREFD set exactly when heap->wr_table has an entry for
 *   its address. The entry heads a list (through next, NULL-terminated) of every live
 *   weakref and proxy whose referent it is, newest first; the list may be empty. Each
 *   listed weakref's pprev points at the pointer that points at it: the entry's head or
 *   the previous weakref's next (the kernel's hlist), so a weakref unlinks itself without
 *   knowing where its entry is. The entry is made with the object's first weakref and
 *   removed when the object dies (its rites clear the list), not when its last weakref
 *   goes: the common pattern (make a weakref, use it, drop it) costs one table lookup to
 *   make and none to drop. Rejected: removing the entry with the last weakref (a lookup
 *   and a backward shift at every drop, 40% of that pattern's time); list heads in memory
 *   of their own (one more cache line at every make and drop); leaving entries of dead
 *   objects to be swept later (a sweep cannot tell a live key from a dead one, so cyclic
 *   use of many referents thrashed). A weakref's referent is NULL once cleared, and a
 *   cleared weakref is on no list (next and pprev NULL). Objects never given a weakref pay
 *   nothing: no field, and the table is only consulted when one is made or the bit is set.
 * TABLE: open addressing with linear probing and backward-shift deletion (no tombstones);
 *   wr_cap is 0 or a power of two, and wr_used (entries) <= 3/4 wr_cap. Whatever moves an
 *   entry (growth, deletion) repoints its head weakref's pprev. heap->wr_live counts the
 *   weakrefs and proxies on lists.
 * QUEUE: heap->wr_calls holds weakrefs whose callbacks are due, each with one reference;
 *   rci_weakref_calls_run treats it as a stack of ranges so that callbacks may clear more
 *   weakrefs (and queue more) while it runs.
 *
 * A weakref is a tracked container whose reference fields are only payload and mapkey
 * (strong references the weak containers below use; NULL for rc_weakref_new): being
 * tracked lets a collection tell when a weakref is itself garbage, in which case its
 * callback must not run (CPython's handle_weakrefs). A weak proxy (Python's weakref.proxy)
 * is the same object under another type, "weakproxy": rc_weakref_get refuses it, the
 * built-in operations forward to its referent (rci_weakproxy_unwrap), and it cannot be
 * hashed.
 * WEAKDICT: the weak containers (weak-value dict, weak-key dict, weak set) wrap a dict of
 *   weakrefs whose callbacks remove their own entry, with the container as user pointer.
 *   A container that dies by counting disarms its weakrefs first (callback NULL), so a
 *   callback already queued never sees a freed container; in cyclic garbage its weakrefs
 *   are garbage too, and garbage weakrefs never call back.
 */
#include "finalize.h"

#include <string.h>

typedef struct rci_wr_slot {
    rc_object *key;     /* the referent, or NULL for an empty slot */
    rci_weakref *head;  /* its newest weakref, or NULL */
} rci_wr_slot;

/* ---- the side table ---------------------------------------------------------------------- */

/* The shift that keeps log2(cap) bits of a 64-bit hash (cap is a power of two >= 64). */
static inline unsigned shift_of(size_t cap)
{
    return 64u - (unsigned)__builtin_ctzll((unsigned long long)cap);
}

/* Fibonacci hashing: the top bits of the product; shift is shift_of(cap), kept in
 * heap->wr_shift for the live table. */
static inline size_t slot_of(unsigned shift, const rc_object *key)
{
    uint64_t h = ((uint64_t)(uintptr_t)key >> 3) * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> shift);
}

static inline rci_wr_slot *table_find(const rc_heap *heap, const rc_object *key)
{
    if (heap->wr_cap == 0)
        return NULL;
    size_t mask = heap->wr_cap - 1;
    for (size_t i = slot_of(heap->wr_shift, key);; i = (i + 1) & mask) {
        if (heap->wr_table[i].key == key)
            return &heap->wr_table[i];
        if (heap->wr_table[i].key == NULL)
            return NULL;
    }
}

/* table_find for a key known to have an entry (RCI_WEAKREFD set: WEAKLIST), so that the
 * table exists and the probe meets the key before any empty slot. */
static inline rci_wr_slot *table_find_present(rc_heap *heap, const rc_object *key)
{
    rc_assert(heap, table_find(heap, key) != NULL);
    size_t mask = heap->wr_cap - 1;
    size_t i = slot_of(heap->wr_shift, key);
    while (heap->wr_table[i].key != key)
        i = (i + 1) & mask;
    return &heap->wr_table[i];
}

/* Places an entry in a slot of table; its head's pprev follows it. */
static void table_put(rci_wr_slot *table, size_t cap, rc_object *key, rci_weakref *head)
{
    size_t i = slot_of(shift_of(cap), key);
    while (table[i].key != NULL)
        i = (i + 1) & (cap - 1);
    table[i].key = key;
    table[i].head = head;
    if (head != NULL)
        head->pprev = &table[i].head;
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static bool table_grow(rc_heap *heap)
{
    size_t cap = heap->wr_cap ? heap->wr_cap * 2 : 64;
    rci_wr_slot *fresh = rci_mem_alloc(heap, cap * sizeof *fresh);
    if (fresh == NULL)
        return false;
    memset(fresh, 0, cap * sizeof *fresh);
    for (size_t i = 0; i < heap->wr_cap; i++)
        if (heap->wr_table[i].key != NULL)
            table_put(fresh, cap, heap->wr_table[i].key, heap->wr_table[i].head);
    rci_mem_free(heap, heap->wr_table, heap->wr_cap * sizeof *heap->wr_table);
    heap->wr_table = fresh;
    heap->wr_cap = cap;
    heap->wr_shift = shift_of(cap);
    return true;
}

static inline bool table_reserve(rc_heap *heap)
{
    return (heap->wr_used + 1) * 4 <= heap->wr_cap * 3 || table_grow(heap);
}

/* Backward-shift deletion keeps every key reachable from its home slot without tombstones.
 * The entry's list must have been taken off it (head NULL). */
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
        size_t home = slot_of(heap->wr_shift, k);
        /* k may fill the hole if its home is not cyclically within (hole, i]. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            heap->wr_table[hole] = heap->wr_table[i];
            if (heap->wr_table[hole].head != NULL)
                heap->wr_table[hole].head->pprev = &heap->wr_table[hole].head;
            hole = i;
        }
    }
    heap->wr_table[hole].key = NULL;
    heap->wr_table[hole].head = NULL;
    heap->wr_used--;
}

/* entry_for's path for an object without an entry: makes one. Out of line: the common
 * pattern makes weakrefs to objects that already have one. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static rci_wr_slot *entry_add(rc_heap *heap, rc_object *obj)
{
    if (!table_reserve(heap))
        return NULL;
    size_t i = slot_of(heap->wr_shift, obj);
    while (heap->wr_table[i].key != NULL)
        i = (i + 1) & (heap->wr_cap - 1);
    heap->wr_table[i].key = obj;
    heap->wr_table[i].head = NULL;
    heap->wr_used++;
    obj->_tinfo |= RCI_WEAKREFD;
    return &heap->wr_table[i];
}

/* obj's entry, made if needed (RCI_WEAKREFD set); NULL if memory runs out. Valid until the
 * table next changes. */
static inline rci_wr_slot *entry_for(rc_heap *heap, rc_object *obj)
{
    if (__builtin_expect((obj->_tinfo & RCI_WEAKREFD) == 0, 0))
        return entry_add(heap, obj);
    rci_wr_slot *slot = table_find(heap, obj);
    rc_assert(heap, slot != NULL);
    return slot;
}

/* ---- the weakref and weakproxy types ----------------------------------------------------- */

/* Unlinks wr from its referent's list: no table lookup (WEAKLIST). */
static void unlink_weakref(rc_heap *heap, rci_weakref *wr)
{
    if (wr->referent == NULL)
        return;
    *wr->pprev = wr->next;
    if (wr->next != NULL)
        wr->next->pprev = wr->pprev;
    heap->wr_live--;
    wr->referent = NULL;
    wr->next = NULL;
    wr->pprev = NULL;
}

/* The weakref's memory is about to be freed (a proxy, a weakref of a weak container, or
 * one freed as cyclic garbage; object.c frees plain weakrefs by itself). */
static void weakref_destroy(rc_heap *heap, rc_object *self)
{
    rci_weakref_unlink_dying(heap, (rci_weakref *)self);
}

static rc_status weakref_repr(rc_heap *heap, rc_object *self, rc_strbuf *out)
{
    rci_weakref *wr = (rci_weakref *)self;
    if (wr->referent == NULL)
        return rc_strbuf_printf(out, "<weakref at %p; dead>", (void *)self);
    return rc_strbuf_printf(out, "<weakref at %p; to '%s' at %p>", (void *)self,
                            rci_type_of(heap, wr->referent)->name, (void *)wr->referent);
}

/* CPython 3.13's proxy_repr. */
static rc_status weakproxy_repr(rc_heap *heap, rc_object *self, rc_strbuf *out)
{
    rci_weakref *wr = (rci_weakref *)self;
    if (wr->referent == NULL)
        return rc_strbuf_printf(out, "<weakproxy at %p; dead>", (void *)self);
    return rc_strbuf_printf(out, "<weakproxy at %p; to '%s' at %p>", (void *)self,
                            rci_type_of(heap, wr->referent)->name, (void *)wr->referent);
}

/* The strong references a weakref holds (payload, mapkey): reference offsets, so that
 * freeing one runs no clear function. */
static const size_t strong_offsets[2] = {offsetof(rci_weakref, payload),
                                         offsetof(rci_weakref, mapkey)};
static const char *const strong_names[2] = {"payload", "mapkey"};

/* Registers the type on first use; out of line, so that its spec on the stack does not
 * enlarge the frame of rc_weakref_new. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static rc_type *weak_type(rc_heap *heap, bool proxy)
{
    rc_type **slot = proxy ? &heap->t_weakproxy : &heap->t_weakref;
    if (*slot != NULL)
        return *slot;
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = proxy ? "weakproxy" : "weakref";
    spec.instance_bytes = sizeof(rci_weakref);
    spec.ref_offsets = strong_offsets;
    spec.ref_names = strong_names;
    spec.n_ref_offsets = 2;
    spec.destroy = weakref_destroy;
    spec.repr = proxy ? weakproxy_repr : weakref_repr;
    *slot = rci_type_register(heap, &spec);
    if (*slot == NULL)
        return NULL;
    if (proxy) {
        heap->wr_proxy_index = (*slot)->index;
    } else {
        heap->wr_type_index = (*slot)->index;
        (*slot)->release_special = true; /* plain weakrefs: object.c's weakref_release */
    }
    return *slot;
}

bool rc_is_weakref(const rc_heap *heap, const rc_object *ref)
{
    return rc_is_heap_object(ref) && rci_type_index(ref) == heap->wr_type_index;
}

bool rc_is_weakproxy(const rc_heap *heap, const rc_object *ref)
{
    return rc_is_heap_object(ref) && rci_type_index(ref) == heap->wr_proxy_index;
}

/* weakref_make's refusals, out of line so that its common path needs few registers: obj
 * is None, a small int, freed or a proxy, or the type could not be registered. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static rc_object *weakref_refuse(rc_heap *heap, const char *call, const rc_type *t, rc_object *obj)
{
    if (!rc_is_heap_object(obj))
        rci_error(heap, RC_EINVAL, "%s: the referent %p is None or a small int", call, (void *)obj);
    else if (!rci_is_live(obj))
        rci_misuse(heap, RC_MISUSE_FREED_OBJECT, obj, __FILE__, __LINE__,
                   "%s: object %p was already freed", call, (void *)obj);
    else if (t != NULL)
        rci_error(heap, RC_ETYPE, "%s: cannot create weak reference to 'weakproxy' object", call);
    return NULL;
}

/* Out of memory for the weakref (self NULL) or the table: undoes weakref_make. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static rc_object *weakref_abandon(rc_heap *heap, const char *call, rc_object *self, rc_object *obj)
{
    if (self != NULL) {
        rc_decref(heap, self);
        rci_error(heap, RC_ENOMEM, "%s: out of memory growing the weakref table", call);
    }
    rc_decref(heap, obj);
    return NULL;
}

/* Puts wr at the head of its referent's list (WEAKLIST). */
static inline void link_weakref(rci_weakref *wr, rci_wr_slot *slot)
{
    wr->next = slot->head;
    if (wr->next != NULL)
        wr->next->pprev = &wr->next;
    wr->pprev = &slot->head;
    slot->head = wr;
}

/* A new weakref (or proxy: t) to obj, payload and mapkey NULL; NULL with the error set.
 * Always inline: GCC otherwise splits it out of rc_weakref_new, a call per weakref. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline rc_object *weakref_make(rc_heap *heap, const char *call, rc_type *t,
                                      rc_object *obj, rc_weakref_fn callback, void *user)
{
    if (!rc_is_heap_object(obj) || !rci_is_live(obj) || t == NULL ||
        rci_type_index(obj) == heap->wr_proxy_index)
        return weakref_refuse(heap, call, t, obj);
    /* The allocation may collect: keep obj alive across it. */
    obj->_refcnt++;
    rc_object *self = rci_object_new_inline(heap, t, sizeof(rci_weakref));
    rci_wr_slot *slot = self != NULL ? entry_for(heap, obj) : NULL;
    if (slot == NULL)
        return weakref_abandon(heap, call, self, obj);
    rci_weakref *wr = (rci_weakref *)self;
    wr->referent = obj;
    wr->callback = callback;
    wr->user = user;
    link_weakref(wr, slot);
    heap->wr_live++;
    obj->_refcnt--; /* back to the caller's count; obj held a reference, so never zero */
    return self;
}

/* rc_weakref_new through weakref_make: the first weakref, a referent without an entry yet,
 * a refusal, an allocation that may collect or needs a page. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static rc_object *weakref_new_slow(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                   void *user)
{
    rc_type *t = heap->t_weakref != NULL ? heap->t_weakref : weak_type(heap, false);
    return weakref_make(heap, "rc_weakref_new", t, obj, callback, user);
}

/* The common case is decided before anything changes: the type exists; obj is live and has
 * an entry (RCI_WEAKREFD; so it is no proxy either: weakref_make refuses proxies before it
 * makes an entry); this tracked allocation calls no rci_gc_alloc_check (rci_gc_on_alloc's test);
 * and the pool's cur page has a slot and is on the young list. Then nothing can fail or run
 * user code, and the weakref is made as weakref_make and rci_object_new_inline would make
 * it, with no call: rc_weakref_new then saves no registers. The slot is not zeroed first:
 * every field is written. */
rc_object *rc_weakref_new(rc_heap *heap, rc_object *obj, rc_weakref_fn callback, void *user)
{
    const unsigned cls = rci_class_index(sizeof(rci_weakref));
    const uint32_t bytes = rci_class_bytes(cls);
    rc_type *t = heap->t_weakref;
    rci_page *page = heap->pools[1][cls].cur; /* the type holds references: container pool */
    size_t count = heap->gen[0].count;
    if (__builtin_expect(t == NULL || !rc_is_heap_object(obj) ||
                             (obj->_tinfo & (RCI_WEAKREFD | RCI_PENDING)) != RCI_WEAKREFD ||
                             count >= heap->gc_trigger ||
                             page == NULL || !(page->lists & RCI_IN_YOUNG) ||
                             (page->free == NULL && page->bump == page->n_slots),
                         0))
        return weakref_new_slow(heap, obj, callback, user);
    rci_weakref *wr = (rci_weakref *)rci_take_slot_unzeroed(page, bytes);
    heap->gen[0].count = count + 1;
    wr->hdr._refcnt = 1;
    wr->hdr._tinfo = t->index << RCI_TYPE_SHIFT | RCI_TRACKED; /* generation 0 */
    heap->gen_size[0]++;
    rci_count_alloc(heap, t, bytes);
    wr->referent = obj;
    link_weakref(wr, table_find_present(heap, obj));
    wr->callback = callback;
    wr->user = user;
    wr->payload = NULL;
    wr->mapkey = NULL;
    heap->wr_live++;
    if (__builtin_expect(heap->origin_now != NULL, 0))
        rci_origin_note_current(heap, &wr->hdr);
    return &wr->hdr;
}

rc_object *rc_weakproxy_new(rc_heap *heap, rc_object *obj, rc_weakref_fn callback, void *user)
{
    return weakref_make(heap, "rc_weakproxy_new", weak_type(heap, true), obj, callback, user);
}

rc_object *rc_weakref_get(rc_heap *heap, const rc_object *wr)
{
    if (!rc_is_heap_object(wr) || rci_type_index(wr) != heap->wr_type_index) {
        rci_error(heap, RC_ETYPE, "rc_weakref_get: %p is not a weakref", (const void *)wr);
        return NULL;
    }
    return rc_newref(((const rci_weakref *)wr)->referent);
}

bool rci_weakproxy_unwrap(const rc_heap *heap, const rc_object *ref, rc_object **referent)
{
    if (!rc_is_weakproxy(heap, ref))
        return false;
    *referent = ((const rci_weakref *)ref)->referent;
    return true;
}

rc_object *rc_weakproxy_get(rc_heap *heap, const rc_object *proxy)
{
    rc_object *referent = NULL;
    if (!rci_weakproxy_unwrap(heap, proxy, &referent)) {
        rci_error(heap, RC_ETYPE, "rc_weakproxy_get: expected a weakproxy, got %s",
                  rc_type_name(rc_type_of(heap, proxy)));
        return NULL;
    }
    if (referent == NULL) {
        rci_error(heap, RC_EREFERENCE,
                  "rc_weakproxy_get: weakly-referenced object no longer exists");
        return NULL;
    }
    return rc_newref(referent);
}

bool rci_weakref_has_entry(const rc_heap *heap, const rc_object *obj)
{
    return table_find(heap, obj) != NULL;
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
    obj->_tinfo &= ~RCI_WEAKREFD;
    rci_wr_slot *slot = table_find(heap, obj);
    if (slot == NULL)
        return;
    rci_weakref *w = slot->head;
    slot->head = NULL;
    table_remove(heap, slot);
    while (w != NULL) {
        rci_weakref *next = w->next;
        w->referent = NULL;
        w->next = NULL;
        w->pprev = NULL;
        heap->wr_live--;
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
        if (wr->callback != NULL) /* NULL: disarmed by a weak container that died */
            wr->callback(heap, self, wr->user);
        /* Whatever the callback queued ran inside it and was truncated back to end. */
        rc_decref(heap, self);
    }
    heap->wr_calls_len = mark;
}

void rci_weakrefs_shutdown(rc_heap *heap)
{
    for (size_t i = 0; i < heap->wr_cap; i++) {
        rci_wr_slot *s = &heap->wr_table[i];
        if (s->key == NULL)
            continue;
        for (rci_weakref *w = s->head; w != NULL;) {
            rci_weakref *next = w->next;
            w->referent = NULL;
            w->next = NULL;
            w->pprev = NULL;
            w = next;
        }
    }
    rci_mem_free(heap, heap->wr_table, heap->wr_cap * sizeof(rci_wr_slot));
    heap->wr_table = NULL;
    heap->wr_cap = heap->wr_used = heap->wr_live = 0;
    heap->wr_shift = 0;
    rci_mem_free(heap, heap->wr_calls, heap->wr_calls_cap * sizeof(rc_object *));
    heap->wr_calls = NULL;
    heap->wr_calls_len = heap->wr_calls_cap = 0;
}

/* ---- weak containers (WEAKDICT) ---------------------------------------------------------- */

enum { WD_VALUES, WD_KEYS, WD_SET };

typedef struct rci_weakdict {
    rc_object hdr;
    rc_object *map; /* dict: key (WD_VALUES) or the referent's identity (small int) -> weakref */
    int kind;       /* WD_* */
} rci_weakdict;

static const char *const wd_names[] = {"weakvaluedict", "weakkeydict", "weakset"};

static int weakdict_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    return visit(heap, ((rci_weakdict *)self)->map, arg);
}

static void weakdict_clear(rc_heap *heap, rc_object *self)
{
    rci_weakdict *wd = (rci_weakdict *)self;
    size_t pos = 0;
    rc_object *k, *v;
    while (wd->map != NULL && rc_dict_next(heap, wd->map, &pos, &k, &v))
        ((rci_weakref *)v)->callback = NULL;
    rc_object *old = wd->map;
    wd->map = NULL;
    rc_decref(heap, old);
}

static rc_status weakdict_repr(rc_heap *heap, rc_object *self, rc_strbuf *out)
{
    rci_weakdict *wd = (rci_weakdict *)self;
    return rc_strbuf_printf(out, "<%s of %zu at %p>", wd_names[wd->kind],
                            wd->map ? rc_dict_len(heap, wd->map) : 0, (void *)self);
}

static rc_type *weakdict_type(rc_heap *heap)
{
    if (heap->t_weakdict != NULL)
        return heap->t_weakdict;
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "weakcontainer";
    spec.instance_bytes = sizeof(rci_weakdict);
    spec.traverse = weakdict_traverse;
    spec.clear = weakdict_clear;
    spec.repr = weakdict_repr;
    heap->t_weakdict = rci_type_register(heap, &spec);
    return heap->t_weakdict;
}

static rc_object *weakdict_new(rc_heap *heap, int kind)
{
    rc_type *t = weakdict_type(heap);
    if (t == NULL)
        return NULL;
    rc_object *self = rci_object_new(heap, t, t->instance_bytes);
    if (self == NULL)
        return NULL;
    rc_object *map = rc_dict_new(heap);
    if (map == NULL) {
        rc_decref(heap, self);
        return NULL;
    }
    ((rci_weakdict *)self)->map = map;
    ((rci_weakdict *)self)->kind = kind;
    return self;
}

rc_object *rc_weakvaluedict_new(rc_heap *heap) { return weakdict_new(heap, WD_VALUES); }
rc_object *rc_weakkeydict_new(rc_heap *heap) { return weakdict_new(heap, WD_KEYS); }
rc_object *rc_weakset_new(rc_heap *heap) { return weakdict_new(heap, WD_SET); }

/* The container's state, or NULL with RC_ETYPE if wd is not one of kind (any: -1). */
static rci_weakdict *weakdict_of(rc_heap *heap, const rc_object *wd, int kind, const char *call)
{
    if (!rc_is_heap_object(wd) || heap->t_weakdict == NULL ||
        rci_type_index(wd) != heap->t_weakdict->index ||
        (kind >= 0 && ((const rci_weakdict *)wd)->kind != kind) ||
        ((const rci_weakdict *)wd)->map == NULL) {
        rci_error(heap, RC_ETYPE, "%s: %p is not a %s", call, (const void *)wd,
                  kind >= 0 ? wd_names[kind] : "weak container");
        return NULL;
    }
    return (rci_weakdict *)wd;
}

/* The referent's identity as a small int (addresses are below 2^47, 8-aligned). */
static rc_object *identity_key(rc_heap *heap, const rc_object *obj)
{
    return rc_int_new(heap, (int64_t)((uintptr_t)obj >> 3));
}

/* The weakref's referent died: its entry goes, unless the key was rebound since. */
static void entry_died(rc_heap *heap, rc_object *wr, void *user)
{
    rci_weakdict *wd = user;
    rc_object *key = ((rci_weakref *)wr)->mapkey;
    rc_object *cur = NULL;
    if (wd->map != NULL && rc_dict_get(heap, wd->map, key, &cur) == RC_OK && cur == wr)
        rc_dict_del(heap, wd->map, key);
    rc_decref(heap, cur);
}

/* The live entry for key (a borrowed weakref whose referent is alive), or NULL. */
static rci_weakref *entry_find(rc_heap *heap, rci_weakdict *wd, rc_object *mapkey)
{
    rc_object *cur = NULL;
    if (rc_dict_get(heap, wd->map, mapkey, &cur) != RC_OK)
        return NULL;
    rci_weakref *w = (rci_weakref *)cur;
    rc_decref(heap, cur); /* the map still holds it */
    return w->referent != NULL ? w : NULL;
}

static rc_status entry_put(rc_heap *heap, rci_weakdict *wd, const char *call, rc_object *referent,
                           rc_object *payload, rc_object *mapkey)
{
    rc_heap_clear_error(heap);
    rc_object *w = weakref_make(heap, call, weak_type(heap, false), referent, entry_died, wd);
    if (w != NULL) {
        ((rci_weakref *)w)->payload = rc_newref(payload);
        ((rci_weakref *)w)->mapkey = rc_newref(mapkey);
    }
    if (w == NULL)
        return rc_heap_last_error(heap);
    rc_status st = rc_dict_set(heap, wd->map, mapkey, w);
    rc_decref(heap, w);
    return st;
}

rc_status rc_weakdict_set(rc_heap *heap, rc_object *wd, rc_object *key, rc_object *value)
{
    rci_weakdict *d = weakdict_of(heap, wd, -1, "rc_weakdict_set");
    if (d == NULL)
        return RC_ETYPE;
    if (d->kind == WD_VALUES)
        return entry_put(heap, d, "rc_weakdict_set", value, NULL, key);
    if (d->kind == WD_SET)
        return rci_error(heap, RC_ETYPE, "rc_weakdict_set: %p is a weakset", (void *)wd);
    if (!rc_is_heap_object(key))
        return rci_error(heap, RC_EINVAL, "rc_weakdict_set: weak key %p is None or a small int",
                         (void *)key);
    return entry_put(heap, d, "rc_weakdict_set", key, value, identity_key(heap, key));
}

rc_status rc_weakdict_get(rc_heap *heap, const rc_object *wd, rc_object *key, rc_object **out)
{
    *out = NULL;
    rci_weakdict *d = weakdict_of(heap, wd, -1, "rc_weakdict_get");
    if (d == NULL)
        return RC_ETYPE;
    rci_weakref *w = entry_find(heap, d, d->kind == WD_VALUES ? key : identity_key(heap, key));
    if (w == NULL || (d->kind != WD_VALUES && w->referent != key))
        return rci_error(heap, RC_EKEY, "rc_weakdict_get: key absent or its referent died");
    *out = rc_newref(d->kind == WD_VALUES ? w->referent : w->payload);
    return RC_OK;
}

rc_status rc_weakdict_del(rc_heap *heap, rc_object *wd, rc_object *key)
{
    rci_weakdict *d = weakdict_of(heap, wd, -1, "rc_weakdict_del");
    if (d == NULL)
        return RC_ETYPE;
    rc_object *mapkey = d->kind == WD_VALUES ? key : identity_key(heap, key);
    rci_weakref *w = entry_find(heap, d, mapkey);
    if (w == NULL || (d->kind != WD_VALUES && w->referent != key))
        return rci_error(heap, RC_EKEY, "rc_weakdict_del: key absent or its referent died");
    return rc_dict_del(heap, d->map, mapkey);
}

size_t rc_weakdict_len(rc_heap *heap, const rc_object *wd)
{
    rci_weakdict *d = weakdict_of(heap, wd, -1, "rc_weakdict_len");
    return d != NULL ? rc_dict_len(heap, d->map) : 0;
}

rc_status rc_weakset_add(rc_heap *heap, rc_object *ws, rc_object *obj)
{
    rci_weakdict *d = weakdict_of(heap, ws, WD_SET, "rc_weakset_add");
    if (d == NULL)
        return RC_ETYPE;
    if (rc_weakset_contains(heap, ws, obj))
        return RC_OK;
    if (!rc_is_heap_object(obj))
        return rci_error(heap, RC_EINVAL, "rc_weakset_add: %p is None or a small int", (void *)obj);
    return entry_put(heap, d, "rc_weakset_add", obj, NULL, identity_key(heap, obj));
}

bool rc_weakset_contains(rc_heap *heap, const rc_object *ws, rc_object *obj)
{
    rci_weakdict *d = weakdict_of(heap, ws, WD_SET, "rc_weakset_contains");
    if (d == NULL || !rc_is_heap_object(obj))
        return false;
    rci_weakref *w = entry_find(heap, d, identity_key(heap, obj));
    return w != NULL && w->referent == obj;
}

rc_status rc_weakset_discard(rc_heap *heap, rc_object *ws, rc_object *obj)
{
    rci_weakdict *d = weakdict_of(heap, ws, WD_SET, "rc_weakset_discard");
    if (d == NULL)
        return RC_ETYPE;
    if (!rc_weakset_contains(heap, ws, obj))
        return RC_OK;
    return rc_dict_del(heap, d->map, identity_key(heap, obj));
}

/* ---- finalize callbacks (Python's weakref.finalize) ------------------------------------- */

/* FINREG: heap->fin_recs lists every registration in order; a record owns one reference
 * to its weakref until its function has run (done), and done records are compacted away
 * at the next registration. */
typedef struct rci_fin_rec {
    rc_finalize_fn fn;
    void *user;
    rc_object *wr; /* the weakref whose callback fires the record; NULL once done */
} rci_fin_rec;

static void fin_rec_fire(rc_heap *heap, rci_fin_rec *rec)
{
    rc_object *wr = rec->wr;
    if (wr == NULL)
        return;
    rec->wr = NULL;
    rec->fn(heap, rec->user);
    rc_decref(heap, wr);
}

static void fin_rec_died(rc_heap *heap, rc_object *wr, void *user)
{
    (void)wr;
    fin_rec_fire(heap, user);
}

static bool fin_recs_reserve(rc_heap *heap)
{
    size_t kept = 0;
    for (size_t i = 0; i < heap->fin_recs_len; i++) {
        if (heap->fin_recs[i]->wr == NULL)
            rci_mem_free(heap, heap->fin_recs[i], sizeof(rci_fin_rec));
        else
            heap->fin_recs[kept++] = heap->fin_recs[i];
    }
    heap->fin_recs_len = kept;
    if (kept < heap->fin_recs_cap)
        return true;
    size_t cap = heap->fin_recs_cap ? heap->fin_recs_cap * 2 : 8;
    rci_fin_rec **grown = rci_mem_resize(heap, heap->fin_recs,
                                         heap->fin_recs_cap * sizeof(rci_fin_rec *),
                                         cap * sizeof(rci_fin_rec *));
    if (grown == NULL)
        return false;
    heap->fin_recs = grown;
    heap->fin_recs_cap = cap;
    return true;
}

rc_status rc_finalize_register(rc_heap *heap, rc_object *obj, rc_finalize_fn fn, void *user)
{
    if (fn == NULL)
        return rci_error(heap, RC_EINVAL, "rc_finalize_register: fn is NULL");
    if (!rc_is_heap_object(obj))
        return rci_error(heap, RC_EINVAL, "rc_finalize_register: %p is None or a small int",
                         (void *)obj);
    rci_fin_rec *rec = rci_mem_alloc(heap, sizeof *rec);
    if (rec == NULL || !fin_recs_reserve(heap)) {
        rci_mem_free(heap, rec, sizeof *rec);
        return rci_error(heap, RC_ENOMEM, "rc_finalize_register: out of memory");
    }
    rec->fn = fn;
    rec->user = user;
    rc_heap_clear_error(heap);
    rec->wr = weakref_make(heap, "rc_finalize_register", weak_type(heap, false), obj, fin_rec_died,
                           rec);
    if (rec->wr == NULL) {
        rci_mem_free(heap, rec, sizeof *rec);
        return rc_heap_last_error(heap);
    }
    heap->fin_recs[heap->fin_recs_len++] = rec;
    return RC_OK;
}

size_t rc_finalize_pending(const rc_heap *heap)
{
    size_t n = 0;
    for (size_t i = 0; i < heap->fin_recs_len; i++)
        n += heap->fin_recs[i]->wr != NULL;
    return n;
}

void rci_finalizers_shutdown(rc_heap *heap)
{
    /* Functions may register more; those run too, in order. */
    for (size_t i = 0; i < heap->fin_recs_len; i++)
        fin_rec_fire(heap, heap->fin_recs[i]);
    for (size_t i = 0; i < heap->fin_recs_len; i++)
        rci_mem_free(heap, heap->fin_recs[i], sizeof(rci_fin_rec));
    rci_mem_free(heap, heap->fin_recs, heap->fin_recs_cap * sizeof(rci_fin_rec *));
    heap->fin_recs = NULL;
    heap->fin_recs_len = heap->fin_recs_cap = 0;
}

/* ---- rc_heap_check ----------------------------------------------------------------------- */

const char *rci_weakrefs_check(const rc_heap *heap, const void **where)
{
    size_t keys = 0, linked = 0;
    for (size_t i = 0; i < heap->wr_cap; i++) {
        const rci_wr_slot *s = &heap->wr_table[i];
        if (s->key == NULL)
            continue;
        keys++;
        *where = s->key;
        if (table_find(heap, s->key) != s)
            return "weakref table entry unreachable from its home slot";
        if (!rci_is_live(s->key) || !(s->key->_tinfo & RCI_WEAKREFD))
            return "weakref table names an object that is dead or lacks RCI_WEAKREFD";
        if (s->head != NULL && s->head->pprev != &s->head)
            return "weakref list head does not point back at its entry";
        for (const rci_weakref *w = s->head; w != NULL; w = w->next) {
            if (w->referent != s->key || (w->next != NULL && w->next->pprev != &w->next))
                return "weakref list holds a weakref to another referent or a broken link";
            if (!rci_is_live(&w->hdr))
                return "weakref list holds a freed weakref";
            linked++;
        }
    }
    *where = heap;
    if (keys != heap->wr_used)
        return "weakref table's wr_used differs from a recount";
    if (linked != heap->wr_live)
        return "weakref table's wr_live differs from a recount";
    return NULL;
}
