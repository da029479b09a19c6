/*
 * weakref.c -- weak references and weak proxies: their types, the heap's side table of
 * weakref lists, clearing at the referent's death and the callback queue.
 *
 * WEAKLIST: an object has RCI_WEAKREFD set exactly when heap->wr.wr_table has an entry for
 *   its address. The entry heads a list (through next, NULL-terminated) of every live
 *   weakref and proxy whose referent it is, in CPython's order: the basic weakref (SHARED)
 *   first, then the basic proxy, then the others newest first; callbacks run in that
 *   order. The list may be empty. Each
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
 *   cleared weakref is on no list (next and pprev NULL). Every listed weakref is alive: one
 *   whose count reached zero has left its list (object.c, WEAKGONE). Objects never given a
 *   weakref pay nothing: no field, and the table is only consulted when one is made or the
 *   bit is set.
 * TABLE: open addressing with linear probing and backward-shift deletion (no tombstones);
 *   wr_cap is 0 or a power of two, and wr_used (entries) <= 3/4 wr_cap. Whatever moves an
 *   entry (growth, deletion) repoints its head weakref's pprev. No counter of the listed
 *   weakrefs is kept (it cost two memory updates per weakref made and dropped): rc_heap_check
 *   counts the live weakrefs and proxies whose referent is set and finds exactly those on
 *   the lists.
 * QUEUE: heap->wr.wr_calls holds weakrefs whose callbacks are due, each with one reference;
 *   rci_weakref_calls_run treats it as a stack of ranges so that callbacks may clear more
 *   weakrefs (and queue more) while it runs.
 * CALLBACK DATA: a weakref's release function runs once with its user pointer, right after
 *   its callback ran or when the weakref is freed, whichever comes first; a callable it
 *   owns (payload with mapkey NULL) is dropped at the same points, as CPython drops
 *   wr_callback. Garbage weakrefs keep theirs until they are freed with the garbage.
 *
 * A weakref is a tracked container whose reference fields are only payload and mapkey
 * (strong references the weak containers below and owned callables use; NULL for
 * rc_weakref_new): being
 * tracked lets a collection tell when a weakref is itself garbage, in which case its
 * callback must not run (CPython's handle_weakrefs). A weak proxy (Python's weakref.proxy)
 * is the same object under another type, "weakproxy": rc_weakref_get refuses it, the
 * built-in operations forward to its referent (rci_weakref_proxy_unwrap), and it cannot be
 * hashed.
 * The weak containers (weakdict.c) and finalize handles (finalize.c) are built on
 * rci_weakref_make.
 */
#include "builtins.h"
#include "util.h"
#include "weakref.h"

#include <string.h>

typedef struct rci_wr_slot {
    rc_object *key;    /* the referent, or NULL for an empty slot */
    rci_weakref *head; /* its newest weakref, or NULL */
} rci_wr_slot;

/* ---- the side table ---------------------------------------------------------------------- */

/* The shift that keeps log2(cap) bits of a 64-bit hash (cap is a power of two >= 64). */
static inline unsigned shift_of(size_t cap)
{
    return 64u - (unsigned)__builtin_ctzll((unsigned long long)cap);
}

/* Fibonacci hashing: the top bits of the product; shift is shift_of(cap), kept in
 * heap->wr.wr_shift for the live table. Keys are multiples of 8 (object addresses), so
 * the address times the golden-ratio constant divided by 8 is (address / 8) times the
 * constant rounded down to a multiple of 8: the same spread as hashing address / 8, one
 * instruction (the shift) fewer at every lookup. */
static inline size_t slot_of(unsigned shift, const rc_object *key)
{
    uint64_t h = (uint64_t)(uintptr_t)key * (0x9E3779B97F4A7C15ull >> 3);
    return (size_t)(h >> shift);
}

static inline rci_wr_slot *table_find(const rc_heap *heap, const rc_object *key)
{
    if (heap->wr.wr_cap == 0)
        return NULL;
    size_t mask = heap->wr.wr_cap - 1;
    for (size_t i = slot_of(heap->wr.wr_shift, key);; i = (i + 1) & mask) {
        if (heap->wr.wr_table[i].key == key)
            return &heap->wr.wr_table[i];
        if (heap->wr.wr_table[i].key == NULL)
            return NULL;
    }
}

/* table_find for a key known to have an entry (RCI_WEAKREFD set: WEAKLIST), so that the
 * table exists and the probe meets the key before any empty slot. */
static inline rci_wr_slot *table_find_present(rc_heap *heap, const rc_object *key)
{
    rc_assert(heap, table_find(heap, key) != NULL);
    size_t i = slot_of(heap->wr.wr_shift, key);
    if (RCI_LIKELY(heap->wr.wr_table[i].key == key)) /* the home slot: the mask is not read */
        return &heap->wr.wr_table[i];
    do
        i = (i + 1) & (heap->wr.wr_cap - 1);
    while (heap->wr.wr_table[i].key != key);
    return &heap->wr.wr_table[i];
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

RCI_NOINLINE
static bool table_grow(rc_heap *heap)
{
    size_t cap = heap->wr.wr_cap ? heap->wr.wr_cap * 2 : 64;
    rci_wr_slot *fresh = rci_mem_alloc(heap, cap * sizeof *fresh);
    if (fresh == NULL)
        return false;
    memset(fresh, 0, cap * sizeof *fresh);
    for (size_t i = 0; i < heap->wr.wr_cap; i++)
        if (heap->wr.wr_table[i].key != NULL)
            table_put(fresh, cap, heap->wr.wr_table[i].key, heap->wr.wr_table[i].head);
    rci_mem_free(heap, heap->wr.wr_table, heap->wr.wr_cap * sizeof *heap->wr.wr_table);
    heap->wr.wr_table = fresh;
    heap->wr.wr_cap = cap;
    heap->wr.wr_shift = shift_of(cap);
    return true;
}

static inline bool table_reserve(rc_heap *heap)
{
    return (heap->wr.wr_used + 1) * 4 <= heap->wr.wr_cap * 3 || table_grow(heap);
}

/* Backward-shift deletion keeps every key reachable from its home slot without tombstones.
 * The entry's list must have been taken off it (head NULL). */
static void table_remove(rc_heap *heap, rci_wr_slot *slot)
{
    rc_assert_inv(heap, "TABLE", slot->key != NULL && slot->head == NULL && heap->wr.wr_used > 0);
    size_t mask = heap->wr.wr_cap - 1;
    size_t hole = (size_t)(slot - heap->wr.wr_table);
    size_t i = hole;
    for (;;) {
        i = (i + 1) & mask;
        rc_object *k = heap->wr.wr_table[i].key;
        if (k == NULL)
            break;
        size_t home = slot_of(heap->wr.wr_shift, k);
        if (rci_util_shift_fills(hole, i, home, mask)) {
            heap->wr.wr_table[hole] = heap->wr.wr_table[i];
            if (heap->wr.wr_table[hole].head != NULL)
                heap->wr.wr_table[hole].head->pprev = &heap->wr.wr_table[hole].head;
            hole = i;
        }
    }
    heap->wr.wr_table[hole].key = NULL;
    heap->wr.wr_table[hole].head = NULL;
    heap->wr.wr_used--;
}

/* entry_for's path for an object without an entry: makes one. Out of line: the common
 * pattern makes weakrefs to objects that already have one. */
RCI_NOINLINE
static rci_wr_slot *entry_add(rc_heap *heap, rc_object *obj)
{
    if (!table_reserve(heap))
        return NULL;
    size_t i = slot_of(heap->wr.wr_shift, obj);
    while (heap->wr.wr_table[i].key != NULL)
        i = (i + 1) & (heap->wr.wr_cap - 1);
    heap->wr.wr_table[i].key = obj;
    heap->wr.wr_table[i].head = NULL;
    heap->wr.wr_used++;
    obj->_tinfo |= RCI_WEAKREFD;
    return &heap->wr.wr_table[i];
}

/* obj's entry, made if needed (RCI_WEAKREFD set); NULL if memory runs out. Valid until the
 * table next changes. */
static inline rci_wr_slot *entry_for(rc_heap *heap, rc_object *obj)
{
    if (RCI_UNLIKELY((obj->_tinfo & RCI_WEAKREFD) == 0))
        return entry_add(heap, obj);
    rci_wr_slot *slot = table_find(heap, obj);
    rc_assert(heap, slot != NULL);
    return slot;
}

/* ---- the weakref and weakproxy types ----------------------------------------------------- */

/* Unlinks wr from its referent's list: no table lookup (WEAKLIST). */
static void unlink_weakref(rc_heap *heap, rci_weakref *wr)
{
    (void)heap; /* read by the debug builds' assertions only */
    if (wr->referent == NULL)
        return;
    rc_assert_inv(heap, "WEAKLIST", wr->pprev != NULL && *wr->pprev == wr);
    rc_assert_inv(heap, "WEAKLIST", wr->next == NULL || wr->next->pprev == &wr->next);
    *wr->pprev = wr->next;
    if (wr->next != NULL)
        wr->next->pprev = wr->pprev;
    wr->referent = NULL;
    wr->next = NULL;
    wr->pprev = NULL;
}

/* The weakref's memory is about to be freed (a proxy, a weakref of a weak container, one
 * with a release function, or one freed as cyclic garbage; object.c frees plain weakrefs by
 * itself): it leaves its list, and a release function not yet called runs now (it touches
 * no object: rc_release_fn's contract, so this is safe wherever memory is freed). */
static void weakref_destroy(rc_heap *heap, rc_object *self)
{
    rci_weakref *wr = (rci_weakref *)self;
    rci_weakref_unlink_dying(heap, wr);
    rc_release_fn release = wr->release;
    if (release != NULL) {
        wr->release = NULL;
        release(heap, wr->user);
    }
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
RCI_NOINLINE
static rc_type *weak_type(rc_heap *heap, bool proxy)
{
    rc_type **slot = proxy ? &heap->wr.t_weakproxy : &heap->wr.t_weakref;
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
    /* Both leave the common release path: a dying one leaves its referent's list at
     * once (object.c, WEAKGONE); plain weakrefs then take object.c's weakref_release. */
    (*slot)->release_special = true;
    if (proxy) {
        heap->wr.wr_proxy_index = (*slot)->index;
    } else {
        heap->wr.wr_type_index = (*slot)->index;
        rci_weakref_fast_update(heap);
    }
    return *slot;
}

void rci_weakref_fast_update(rc_heap *heap)
{
    const rc_type *t = heap->wr.t_weakref;
    heap->wr.wr_fast_tinfo = t != NULL && heap->origins.origin_now == NULL
                                 ? t->index << RCI_TYPE_SHIFT | RCI_TRACKED /* generation 0 */
                                 : 0;
}

bool rc_is_weakref(const rc_heap *heap, const rc_object *ref)
{
    return rc_is_heap_object(ref) && rci_type_index(ref) == heap->wr.wr_type_index;
}

bool rc_is_weakproxy(const rc_heap *heap, const rc_object *ref)
{
    return rc_is_heap_object(ref) && rci_type_index(ref) == heap->wr.wr_proxy_index;
}

/* weakref_make's refusals, out of line so that its common path needs few registers: obj
 * is None, a small int, freed or a proxy, or the type could not be registered. */
RCI_NOINLINE
static rc_object *weakref_refuse(rc_heap *heap, const char *call, const rc_type *t, rc_object *obj)
{
    if (!rc_is_heap_object(obj))
        rci_error(heap, RC_EINVAL, "%s: the referent %p is None or a small int", call, (void *)obj);
    else if (!rci_object_is_live(obj))
        rci_error_misuse(heap, RC_MISUSE_FREED_OBJECT, obj, __FILE__, __LINE__,
                         "%s: object %p was already freed", call, (void *)obj);
    else if (t != NULL)
        rci_error(heap, RC_ETYPE, "%s: cannot create weak reference to 'weakproxy' object", call);
    else
        rci_error(heap, RC_ENOMEM, "%s: out of memory registering the weakref type", call);
    return NULL;
}

/* Out of memory for the weakref (self NULL) or the table: undoes weakref_make. */
RCI_NOINLINE
static rc_object *weakref_abandon(rc_heap *heap, const char *call, rc_object *self, rc_object *obj)
{
    if (self != NULL)
        rc_decref(heap, self);
    rci_error(heap, RC_ENOMEM, "%s: out of memory %s", call,
              self != NULL ? "growing the weakref table" : "allocating the weakref");
    rc_decref(heap, obj);
    return NULL;
}

/* SHARED: a basic weakref (or proxy) has no callback, release function or strong
 * reference; rc_weakref_new and rc_weakproxy_new without a callback return the referent's
 * live basic one of their type if it has one, as CPython does. */
static inline bool is_basic(const rci_weakref *w, uint32_t type_index)
{
    return w->callback == NULL && rci_type_index(&w->hdr) == type_index && w->release == NULL &&
           ((uintptr_t)w->payload | (uintptr_t)w->mapkey) == 0;
}

/* The live basic weakref (type_index: weakref or proxy) on slot's list, or NULL. WEAKLIST
 * keeps it first (a weakref), or first or second after the basic weakref (a proxy). A
 * basic weakref pending release (count zero, not yet freed) is never shared. */
static inline rci_weakref *basic_of(const rc_heap *heap, const rci_wr_slot *slot,
                                    uint32_t type_index)
{
    rci_weakref *w = slot->head;
    if (w != NULL && type_index != heap->wr.wr_type_index && is_basic(w, heap->wr.wr_type_index))
        w = w->next;
    if (w == NULL || !is_basic(w, type_index) || !rci_object_is_live(&w->hdr))
        return NULL;
    return w;
}

/* Where a new weakref goes on slot's list (WEAKLIST): a basic weakref first, a basic proxy
 * after the basic weakref, anything else after both (CPython's insert_weakref). */
static inline rci_weakref **insert_point(const rc_heap *heap, rci_wr_slot *slot, bool basic,
                                         bool proxy)
{
    rci_weakref **at = &slot->head;
    if (*at == NULL || (basic && !proxy))
        return at;
    if (is_basic(*at, heap->wr.wr_type_index))
        at = &(*at)->next;
    if (!(basic && proxy) && *at != NULL && is_basic(*at, heap->wr.wr_proxy_index))
        at = &(*at)->next;
    return at;
}

/* Links wr in at *at. */
static inline void link_at(rci_weakref *wr, rci_weakref **at)
{
    wr->next = *at;
    if (wr->next != NULL)
        wr->next->pprev = &wr->next;
    wr->pprev = at;
    *at = wr;
}

/* What a new weakref calls back: callback(heap, wr, user) when its referent dies, then
 * release(heap, user); owned is a strong reference the weakref keeps until then (the
 * callable of rc_weakref_new_obj: user is owned then). All NULL: a basic one (SHARED). */
typedef struct wr_cb {
    rc_weakref_fn callback;
    void *user;
    rc_release_fn release;
    rc_object *owned;
} wr_cb;

/* A new weakref (or proxy: t) to obj calling back as cb says, mapkey NULL; or the shared
 * basic one; NULL with the error set. Always inline: GCC otherwise splits it out of
 * rc_weakref_new, a call per weakref. */
static RCI_ALWAYS_INLINE rc_object *weakref_make(rc_heap *heap, const char *call, rc_type *t,
                                                 rc_object *obj, wr_cb cb)
{
    if (!rc_is_heap_object(obj) || !rci_object_is_live(obj) || t == NULL ||
        rci_type_index(obj) == heap->wr.wr_proxy_index)
        return weakref_refuse(heap, call, t, obj);
    bool basic = cb.callback == NULL && cb.release == NULL && cb.owned == NULL;
    rci_weakref *shared;
    if (basic && (obj->_tinfo & RCI_WEAKREFD) &&
        (shared = basic_of(heap, table_find_present(heap, obj), t->index)) != NULL)
        return rc_newref(&shared->hdr);
    /* The allocation may collect: keep obj alive across it. */
    obj->_refcnt++;
    rc_object *self = rci_object_new_inline(heap, t, sizeof(rci_weakref));
    rci_wr_slot *slot = self != NULL ? entry_for(heap, obj) : NULL;
    if (slot == NULL)
        return weakref_abandon(heap, call, self, obj);
    if (basic && (shared = basic_of(heap, slot, t->index)) != NULL) {
        /* A finalizer run by the allocation's collection made one meanwhile. */
        rc_decref(heap, self);
        self = rc_newref(&shared->hdr);
        obj->_refcnt--;
        return self;
    }
    rci_weakref *wr = (rci_weakref *)self;
    wr->referent = obj;
    wr->callback = cb.callback;
    wr->user = cb.user;
    wr->release = cb.release;
    wr->payload = rc_newref(cb.owned);
    link_at(wr, insert_point(heap, slot, basic, t->index == heap->wr.wr_proxy_index));
    rc_assert_inv(heap, "WEAKLIST",
                  (obj->_tinfo & RCI_WEAKREFD) && *wr->pprev == wr &&
                      (wr->next == NULL || wr->next->pprev == &wr->next));
    obj->_refcnt--; /* back to the caller's count; obj held a reference, so never zero */
    return self;
}

/* rc_weakref_new through weakref_make: the first weakref, a referent without an entry yet,
 * a refusal, an allocation that may collect or needs a page. */
RCI_NOINLINE
static rc_object *weakref_new_slow(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                   void *user)
{
    rc_type *t = heap->wr.t_weakref != NULL ? heap->wr.t_weakref : weak_type(heap, false);
    wr_cb cb = {callback, user, NULL, NULL};
    return weakref_make(heap, "rc_weakref_new", t, obj, cb);
}

/* The common case is decided before anything changes: the type exists and no allocation
 * site is being recorded (both in heap->wr.wr_fast_tinfo, the header the weakref gets); obj
 * is live and has an entry (RCI_WEAKREFD; so it is no proxy either: weakref_make refuses
 * proxies before it makes an entry); this tracked allocation calls no rci_gc_alloc_check
 * (rci_gc_on_alloc's test); and the pool's cur page has a slot and is on the young list.
 * Then nothing can fail or run user code, and the weakref is made as weakref_make and
 * rci_object_new_inline would make it, with no call: rc_weakref_new then saves no
 * registers (deciding the sharing here too made it save three). The slot is not zeroed
 * first: every field is written. A callback-less weakref takes this path only through
 * weakref_new_basic, which has found obj's list empty. */
static RCI_ALWAYS_INLINE rc_object *weakref_new_fast(rc_heap *heap, rc_object *obj,
                                                     rc_weakref_fn callback, void *user)
{
    const unsigned cls = rci_page_class_index(sizeof(rci_weakref));
    const uint32_t bytes = rci_page_class_bytes(cls);
    uint32_t tinfo = heap->wr.wr_fast_tinfo;
    rci_page *page = heap->pages.pools[1][cls].cur; /* the type holds references: container pool */
    size_t count = heap->gc.gen[0].count;
    if (RCI_UNLIKELY(tinfo == 0 || !rc_is_heap_object(obj) ||
                     (obj->_tinfo & (RCI_WEAKREFD | RCI_PENDING)) != RCI_WEAKREFD ||
                     count >= heap->gc.gc_trigger || page == NULL ||
                     !(page->lists & RCI_IN_YOUNG) ||
                     (page->free == NULL && page->bump == page->n_slots)))
        return weakref_new_slow(heap, obj, callback, user);
    rci_weakref *wr = (rci_weakref *)rci_page_take_slot_unzeroed(page, bytes);
    heap->gc.gen[0].count = count + 1;
    wr->hdr._refcnt = 1;
    wr->hdr._tinfo = tinfo;
    heap->gc.gen_size[0]++;
    rci_object_count_alloc(heap, heap->wr.t_weakref, bytes);
    wr->referent = obj;
    wr->callback = callback;
    wr->user = user;
    /* release, hash, payload and mapkey, the last fields: NULL, 0, NULL, NULL (two stores). */
    memset(&wr->release, 0, sizeof(rci_weakref) - offsetof(rci_weakref, release));
    rci_wr_slot *slot = table_find_present(heap, obj);
    if (RCI_LIKELY(slot->head == NULL)) { /* the pattern make, use, drop: straight through */
        wr->next = NULL;
        wr->pprev = &slot->head;
        slot->head = wr;
    } else {
        link_at(wr, insert_point(heap, slot, false, false));
    }
    rc_assert_inv(heap, "WEAKLIST",
                  (obj->_tinfo & RCI_WEAKREFD) && *wr->pprev == wr &&
                      (wr->next == NULL || wr->next->pprev == &wr->next));
    return &wr->hdr;
}

/* rc_weakref_new without a callback: the basic weakref (SHARED). If obj has an entry and
 * its list is empty there is none to share, and the new one goes first, where weakref_make
 * would put it: the fast path makes it (its own tests still apply). Otherwise weakref_make
 * finds the one to share or places the new one. Out of line: rc_weakref_new's registers. */
RCI_NOINLINE
static rc_object *weakref_new_basic(rc_heap *heap, rc_object *obj, void *user)
{
    if (rc_is_heap_object(obj) && (obj->_tinfo & (RCI_WEAKREFD | RCI_PENDING)) == RCI_WEAKREFD &&
        heap->wr.wr_fast_tinfo != 0 && table_find_present(heap, obj)->head == NULL)
        return weakref_new_fast(heap, obj, NULL, user);
    return weakref_new_slow(heap, obj, NULL, user);
}

rc_object *rc_weakref_new(rc_heap *heap, rc_object *obj, rc_weakref_fn callback, void *user)
{
    if (RCI_UNLIKELY(callback == NULL))
        return weakref_new_basic(heap, obj, user);
    return weakref_new_fast(heap, obj, callback, user);
}

rc_object *rc_weakref_new_release(rc_heap *heap, rc_object *obj, rc_weakref_fn callback, void *user,
                                  rc_release_fn release)
{
    wr_cb cb = {callback, user, release, NULL};
    return weakref_make(heap, "rc_weakref_new_release", weak_type(heap, false), obj, cb);
}

rc_object *rc_weakref_new_obj(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                              rc_object *callable)
{
    if (callback == NULL || !rc_is_heap_object(callable)) {
        rci_error(heap, RC_EINVAL, "rc_weakref_new_obj: %s",
                  callback == NULL ? "callback is NULL" : "the callable is None or a small int");
        return NULL;
    }
    wr_cb cb = {callback, callable, NULL, callable};
    return weakref_make(heap, "rc_weakref_new_obj", weak_type(heap, false), obj, cb);
}

rc_object *rc_weakproxy_new(rc_heap *heap, rc_object *obj, rc_weakref_fn callback, void *user)
{
    wr_cb cb = {callback, user, NULL, NULL};
    return weakref_make(heap, "rc_weakproxy_new", weak_type(heap, true), obj, cb);
}

rc_object *rc_weakproxy_new_release(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                    void *user, rc_release_fn release)
{
    wr_cb cb = {callback, user, release, NULL};
    return weakref_make(heap, "rc_weakproxy_new_release", weak_type(heap, true), obj, cb);
}

rc_object *rc_weakproxy_new_obj(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                rc_object *callable)
{
    if (callback == NULL || !rc_is_heap_object(callable)) {
        rci_error(heap, RC_EINVAL, "rc_weakproxy_new_obj: %s",
                  callback == NULL ? "callback is NULL" : "the callable is None or a small int");
        return NULL;
    }
    wr_cb cb = {callback, callable, NULL, callable};
    return weakref_make(heap, "rc_weakproxy_new_obj", weak_type(heap, true), obj, cb);
}

rc_object *rci_weakref_make(rc_heap *heap, const char *call, bool proxy, rc_object *obj,
                            rc_weakref_fn callback, void *user, rc_release_fn release,
                            rc_object *owned)
{
    wr_cb cb = {callback, user, release, owned};
    return weakref_make(heap, call, weak_type(heap, proxy), obj, cb);
}

rc_object *rc_weakref_get(rc_heap *heap, const rc_object *wr)
{
    if (!rc_is_heap_object(wr) || rci_type_index(wr) != heap->wr.wr_type_index) {
        rci_error(heap, RC_ETYPE, "rc_weakref_get: %p is not a weakref", (const void *)wr);
        return NULL;
    }
    /* The referent is an object or NULL, never a small int (weakref_make refuses those). */
    rc_object *referent = ((const rci_weakref *)wr)->referent;
    if (referent != NULL)
        rc_incref_obj(referent);
    return referent;
}

bool rci_weakref_proxy_unwrap(const rc_heap *heap, const rc_object *ref, rc_object **referent)
{
    if (!rc_is_weakproxy(heap, ref))
        return false;
    *referent = ((const rci_weakref *)ref)->referent;
    return true;
}

rc_object *rc_weakproxy_get(rc_heap *heap, const rc_object *proxy)
{
    rc_object *referent = NULL;
    if (!rci_weakref_proxy_unwrap(heap, proxy, &referent)) {
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

/* obj's list head, or NULL (no weakref, None, a small int). */
static rci_weakref *list_of(const rc_heap *heap, const rc_object *obj)
{
    if (!rc_is_heap_object(obj) || !(obj->_tinfo & RCI_WEAKREFD))
        return NULL;
    rci_wr_slot *slot = table_find(heap, obj);
    return slot != NULL ? slot->head : NULL;
}

size_t rc_weakref_count(const rc_heap *heap, const rc_object *obj)
{
    size_t n = 0;
    for (rci_weakref *w = list_of(heap, obj); w != NULL; w = w->next)
        n += rci_object_is_live(&w->hdr);
    return n;
}

rc_object *rc_weakref_get_weakrefs(rc_heap *heap, rc_object *obj)
{
    rc_object *list = rc_list_new(heap, rc_weakref_count(heap, obj));
    if (list == NULL) {
        rci_error(heap, RC_ENOMEM, "rc_weakref_get_weakrefs: out of memory for the list");
        return NULL;
    }
    /* The list was made first: its allocation may collect and run user code, which may
     * change obj's weakrefs; from here nothing does. */
    for (rci_weakref *w = list_of(heap, obj); w != NULL; w = w->next) {
        if (rci_object_is_live(&w->hdr) && rc_list_append(heap, list, &w->hdr) != RC_OK) {
            rc_decref(heap, list);
            rci_error(heap, RC_ENOMEM, "rc_weakref_get_weakrefs: out of memory for the list");
            return NULL;
        }
    }
    return list;
}

/* ---- hashing and equality (WRHASH) ------------------------------------------------------- */

/* WRHASH: a weakref hashes as its referent (a referent's 0 becomes 1, since 0 marks "never
 * hashed"; equal weakrefs still hash alike) and keeps that hash once computed, so that a
 * weakref used as a key while its referent lived can be found after the referent died. A
 * dead weakref never hashed has no hash (CPython's TypeError "weak object has gone
 * away"). A weakref to a weakref hashes as the end of the chain; the chain is followed by
 * a loop. */
rc_status rci_weakref_hash(rc_heap *heap, rc_object *self, uint64_t *out, const char *call)
{
    rc_object *end = self;
    while (rc_is_weakref(heap, end) && ((rci_weakref *)end)->hash == 0) {
        end = ((rci_weakref *)end)->referent;
        if (end == NULL)
            return rci_error(heap, RC_ETYPE,
                             "%s: weak object has gone away (weakref %p died unhashed)", call,
                             (void *)self);
    }
    uint64_t h = 0;
    if (rc_is_weakref(heap, end)) {
        h = ((rci_weakref *)end)->hash;
    } else {
        rc_status st = rci_hash(heap, end, &h, call);
        if (st != RC_OK)
            return st;
        h = h != 0 ? h : 1;
    }
    for (rc_object *w = self; w != end; w = ((rci_weakref *)w)->referent)
        ((rci_weakref *)w)->hash = h;
    *out = h;
    return RC_OK;
}

rc_object *rci_weakref_hash_source(const rc_heap *heap, rc_object *wr)
{
    while (rc_is_weakref(heap, wr) && ((rci_weakref *)wr)->hash == 0 &&
           ((rci_weakref *)wr)->referent != NULL)
        wr = ((rci_weakref *)wr)->referent;
    return wr;
}

/* CPython's weakref_richcompare: live weakrefs compare as their referents, dead ones (or a
 * live one with a dead one) by identity. Chains are followed by a loop. */
rc_status rci_weakref_equal(rc_heap *heap, rc_object *a, rc_object *b, bool *out, const char *call)
{
    while (a != b && rc_is_weakref(heap, a) && rc_is_weakref(heap, b)) {
        rc_object *ra = ((rci_weakref *)a)->referent, *rb = ((rci_weakref *)b)->referent;
        if (ra == NULL || rb == NULL) {
            *out = false;
            return RC_OK;
        }
        a = ra;
        b = rb;
    }
    return rci_hash_equal(heap, a, b, out, call);
}

/* ---- death of a referent ----------------------------------------------------------------- */

static bool queue_push(rc_heap *heap, rc_object *wr)
{
    if (!rci_util_vec_reserve(heap, &heap->wr.wr_calls, &heap->wr.wr_calls_cap,
                              heap->wr.wr_calls_len + 1, sizeof(rc_object *), 16))
        return false;
    heap->wr.wr_calls[heap->wr.wr_calls_len++] = rc_newref(wr);
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
        if (queue && w->callback != NULL && (skip == NULL || !skip(&w->hdr)) &&
            !queue_push(heap, &w->hdr)) {
            heap->wr.lost_callbacks++;
            rci_error(heap, RC_ENOMEM, "weakref callback of %p dropped: out of memory", (void *)w);
        }
        w = next;
    }
}

void rci_weakref_detach(rc_heap *heap, rc_object *wr)
{
    unlink_weakref(heap, (rci_weakref *)wr);
}

/* The callback has run (or was disarmed): the weakref is done with its user data and its
 * owned callable, which are let go now, as CPython drops wr_callback after calling it. */
static void weakref_done(rc_heap *heap, rci_weakref *wr)
{
    rc_release_fn release = wr->release;
    if (release != NULL) {
        wr->release = NULL;
        release(heap, wr->user);
    }
    if (wr->mapkey == NULL && wr->payload != NULL) {
        rc_object *owned = wr->payload;
        wr->payload = NULL;
        wr->user = NULL;
        rc_decref(heap, owned);
    }
}

void rci_weakref_calls_run(rc_heap *heap, size_t mark)
{
    size_t end = heap->wr.wr_calls_len;
    for (size_t i = mark; i < end; i++) {
        rc_object *self = heap->wr.wr_calls[i];
        rci_weakref *wr = (rci_weakref *)self;
        if (wr->callback != NULL) /* NULL: disarmed by a weak container that died */
            wr->callback(heap, self, wr->user);
        /* Whatever the callback queued ran inside it and was truncated back to end. */
        weakref_done(heap, wr);
        rc_decref(heap, self);
    }
    heap->wr.wr_calls_len = mark;
}

void rci_weakrefs_shutdown(rc_heap *heap)
{
    for (size_t i = 0; i < heap->wr.wr_cap; i++) {
        rci_wr_slot *s = &heap->wr.wr_table[i];
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
    rci_mem_free(heap, heap->wr.wr_table, heap->wr.wr_cap * sizeof(rci_wr_slot));
    heap->wr.wr_table = NULL;
    heap->wr.wr_cap = heap->wr.wr_used = 0;
    heap->wr.wr_shift = 0;
    rci_mem_free(heap, heap->wr.wr_calls, heap->wr.wr_calls_cap * sizeof(rc_object *));
    heap->wr.wr_calls = NULL;
    heap->wr.wr_calls_len = heap->wr.wr_calls_cap = 0;
}

/* ---- rc_heap_check ----------------------------------------------------------------------- */

const char *rci_weakrefs_check(const rc_heap *heap, size_t with_referent, const void **where)
{
    size_t keys = 0, linked = 0;
    for (size_t i = 0; i < heap->wr.wr_cap; i++) {
        const rci_wr_slot *s = &heap->wr.wr_table[i];
        if (s->key == NULL)
            continue;
        keys++;
        *where = s->key;
        if (table_find(heap, s->key) != s)
            return "weakref table entry unreachable from its home slot";
        if (!rci_object_is_live(s->key) || !(s->key->_tinfo & RCI_WEAKREFD))
            return "weakref table names an object that is dead or lacks RCI_WEAKREFD";
        if (s->head != NULL && s->head->pprev != &s->head)
            return "weakref list head does not point back at its entry";
        for (const rci_weakref *w = s->head; w != NULL; w = w->next) {
            if (w->referent != s->key || (w->next != NULL && w->next->pprev != &w->next))
                return "weakref list holds a weakref to another referent or a broken link";
            if (!rci_object_is_live(&w->hdr))
                return "weakref list holds a freed weakref";
            linked++;
        }
    }
    *where = heap;
    if (keys != heap->wr.wr_used)
        return "weakref table's wr_used differs from a recount";
    if (linked != with_referent)
        return "weakrefs with a referent and weakrefs on the lists differ in number";
    return NULL;
}
