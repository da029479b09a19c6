/*
 * weakref.c -- weak references and weak proxies: their types, the heap's side table of
 * weakref lists, clearing at the referent's death and the callback queue.
 *
 * WEAKLIST: an object has RCI_WEAKREFD set exactly when heap->wr_table has an entry for
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
 *   cleared weakref is on no list (next and pprev NULL). Objects never given a weakref pay
 *   nothing: no field, and the table is only consulted when one is made or the bit is set.
 * TABLE: open addressing with linear probing and backward-shift deletion (no tombstones);
 *   wr_cap is 0 or a power of two, and wr_used (entries) <= 3/4 wr_cap. Whatever moves an
 *   entry (growth, deletion) repoints its head weakref's pprev. heap->wr_live counts the
 *   weakrefs and proxies on lists.
 * QUEUE: heap->wr_calls holds weakrefs whose callbacks are due, each with one reference;
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
 * built-in operations forward to its referent (rci_weakproxy_unwrap), and it cannot be
 * hashed.
 * WEAKDICT: the weak containers (weak-value dict, weak-key dict, weak set) wrap a dict of
 *   weakrefs whose callbacks remove their own entry, with the container as user pointer.
 *   A container that dies by counting disarms its weakrefs first (callback NULL), so a
 *   callback already queued never sees a freed container; in cyclic garbage its weakrefs
 *   are garbage too, and garbage weakrefs never call back.
 */
#include "builtins.h"
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
    if (w != NULL && type_index != heap->wr_type_index && is_basic(w, heap->wr_type_index))
        w = w->next;
    if (w == NULL || !is_basic(w, type_index) || !rci_is_live(&w->hdr))
        return NULL;
    return w;
}

/* Puts wr on its referent's list (WEAKLIST): a basic weakref first, a basic proxy after
 * the basic weakref, anything else after both (CPython's insert_weakref). wr's fields are
 * set. */
static inline void link_weakref(const rc_heap *heap, rci_weakref *wr, rci_wr_slot *slot)
{
    rci_weakref **at = &slot->head;
    if (!is_basic(wr, heap->wr_type_index)) {
        if (*at != NULL && is_basic(*at, heap->wr_type_index))
            at = &(*at)->next;
        if (!is_basic(wr, heap->wr_proxy_index) && *at != NULL &&
            is_basic(*at, heap->wr_proxy_index))
            at = &(*at)->next;
    }
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
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline rc_object *weakref_make(rc_heap *heap, const char *call, rc_type *t,
                                      rc_object *obj, wr_cb cb)
{
    if (!rc_is_heap_object(obj) || !rci_is_live(obj) || t == NULL ||
        rci_type_index(obj) == heap->wr_proxy_index)
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
    link_weakref(heap, wr, slot);
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
    wr_cb cb = {callback, user, NULL, NULL};
    return weakref_make(heap, "rc_weakref_new", t, obj, cb);
}

/* The common case is decided before anything changes: the type exists; obj is live and has
 * an entry (RCI_WEAKREFD; so it is no proxy either: weakref_make refuses proxies before it
 * makes an entry); this tracked allocation calls no rci_gc_alloc_check (rci_gc_on_alloc's test);
 * and the pool's cur page has a slot and is on the young list. Then nothing can fail or run
 * user code: without a callback the shared basic weakref is returned if there is one
 * (SHARED), else the weakref is made as weakref_make and rci_object_new_inline would make
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
    rci_wr_slot *slot = table_find_present(heap, obj);
    if (callback == NULL) {
        rci_weakref *shared = slot->head;
        if (shared != NULL && is_basic(shared, t->index) && rci_is_live(&shared->hdr)) {
            shared->hdr._refcnt++;
            return &shared->hdr;
        }
    }
    rci_weakref *wr = (rci_weakref *)rci_take_slot_unzeroed(page, bytes);
    heap->gen[0].count = count + 1;
    wr->hdr._refcnt = 1;
    wr->hdr._tinfo = t->index << RCI_TYPE_SHIFT | RCI_TRACKED; /* generation 0 */
    heap->gen_size[0]++;
    rci_count_alloc(heap, t, bytes);
    wr->referent = obj;
    wr->callback = callback;
    wr->user = user;
    wr->release = NULL;
    wr->hash = 0;
    wr->payload = NULL;
    wr->mapkey = NULL;
    link_weakref(heap, wr, slot);
    heap->wr_live++;
    return &wr->hdr;
}

rc_object *rc_weakref_new_release(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                                  void *user, rc_release_fn release)
{
    wr_cb cb = {callback, user, release, NULL};
    return weakref_make(heap, "rc_weakref_new_release", weak_type(heap, false), obj, cb);
}

rc_object *rc_weakref_new_obj(rc_heap *heap, rc_object *obj, rc_weakref_fn callback,
                              rc_object *callable)
{
    if (callback == NULL || !rc_is_heap_object(callable)) {
        rci_error(heap, RC_EINVAL, "rc_weakref_new_obj: %s", callback == NULL
                      ? "callback is NULL" : "the callable is None or a small int");
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
        rci_error(heap, RC_EINVAL, "rc_weakproxy_new_obj: %s", callback == NULL
                      ? "callback is NULL" : "the callable is None or a small int");
        return NULL;
    }
    wr_cb cb = {callback, callable, NULL, callable};
    return weakref_make(heap, "rc_weakproxy_new_obj", weak_type(heap, true), obj, cb);
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
        n += rci_is_live(&w->hdr);
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
        if (rci_is_live(&w->hdr) && rc_list_append(heap, list, &w->hdr) != RC_OK) {
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
rc_status rci_weakref_equal(rc_heap *heap, rc_object *a, rc_object *b, bool *out,
                            const char *call)
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
    return rci_equal(heap, a, b, out, call);
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
    size_t end = heap->wr_calls_len;
    for (size_t i = mark; i < end; i++) {
        rc_object *self = heap->wr_calls[i];
        rci_weakref *wr = (rci_weakref *)self;
        if (wr->callback != NULL) /* NULL: disarmed by a weak container that died */
            wr->callback(heap, self, wr->user);
        /* Whatever the callback queued ran inside it and was truncated back to end. */
        weakref_done(heap, wr);
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

/* The container's state, or NULL with RC_ETYPE if wd is not one of the kinds in mask (bit
 * 1 << WD_*). */
static rci_weakdict *weakdict_of(rc_heap *heap, const rc_object *wd, unsigned mask,
                                 const char *call)
{
    if (!rc_is_heap_object(wd) || heap->t_weakdict == NULL ||
        rci_type_index(wd) != heap->t_weakdict->index ||
        !(mask & (1u << ((const rci_weakdict *)wd)->kind)) ||
        ((const rci_weakdict *)wd)->map == NULL) {
        rci_error(heap, RC_ETYPE, "%s: expected a %s, got %s", call,
                  mask == (1u << WD_SET) ? "weakset"
                  : mask == (1u << WD_VALUES | 1u << WD_KEYS) ? "weak dict"
                                                                : "weak container",
                  rci_type_name_of(heap, wd));
        return NULL;
    }
    return (rci_weakdict *)wd;
}
#define DICTS (1u << WD_VALUES | 1u << WD_KEYS)
#define SETS (1u << WD_SET)

/* The referent's identity as a small int (addresses are below 2^47, 8-aligned). */
static rc_object *identity_key(const rc_object *obj)
{
    return (rc_object *)(uintptr_t)(((uintptr_t)obj >> 3) << 1 | 1u);
}

/* CPython's TypeError for a weak key or member that cannot be weakly referenced. */
static rc_status not_weakrefable(rc_heap *heap, const char *call, const rc_object *obj)
{
    return rci_error(heap, RC_ETYPE, "%s: cannot create weak reference to '%s' object", call,
                     rci_type_name_of(heap, obj));
}

/* The weakref's referent died: its entry goes, unless the key was rebound since. */
static void entry_died(rc_heap *heap, rc_object *wr, void *user)
{
    rci_weakdict *wd = user;
    rc_object *key = ((rci_weakref *)wr)->mapkey;
    rc_object *cur = NULL;
    if (wd->map != NULL && rc_dict_contains(heap, wd->map, key) &&
        rc_dict_get(heap, wd->map, key, &cur) == RC_OK && cur == wr)
        rc_dict_del(heap, wd->map, key);
    rc_decref(heap, cur);
}

/* Looks mapkey up: RC_OK with *out the live entry (a borrowed weakref whose referent is
 * alive) or NULL if there is none; an error (a key that cannot be hashed) otherwise. Sets
 * no error for a miss. */
static rc_status entry_find(rc_heap *heap, rci_weakdict *wd, rc_object *mapkey,
                            rci_weakref **out)
{
    *out = NULL;
    rc_heap_clear_error(heap);
    if (!rc_dict_contains(heap, wd->map, mapkey))
        return rc_heap_last_error(heap);
    rc_object *cur = NULL;
    rc_status st = rc_dict_get(heap, wd->map, mapkey, &cur);
    if (st != RC_OK)
        return st;
    rci_weakref *w = (rci_weakref *)cur;
    rc_decref(heap, cur); /* the map still holds it */
    if (w->referent != NULL)
        *out = w;
    return RC_OK;
}

/* The map key of obj in wd: obj itself for a weak-value dict, else its identity; RC_ETYPE
 * for a weak key or member that cannot be weakly referenced. */
static rc_status mapkey_of(rc_heap *heap, const rci_weakdict *wd, rc_object *obj,
                           const char *call, rc_object **out)
{
    if (wd->kind == WD_VALUES) {
        *out = obj;
        return RC_OK;
    }
    if (!rc_is_heap_object(obj))
        return not_weakrefable(heap, call, obj);
    *out = identity_key(obj);
    return RC_OK;
}

/* The live entry of key in wd (NULL if none), with RC_ETYPE for an unusable key. */
static rc_status entry_of(rc_heap *heap, rci_weakdict *wd, rc_object *key, const char *call,
                          rci_weakref **out)
{
    rc_object *mapkey = NULL;
    *out = NULL;
    rc_status st = mapkey_of(heap, wd, key, call, &mapkey);
    if (st == RC_OK)
        st = entry_find(heap, wd, mapkey, out);
    if (st == RC_OK && *out != NULL && wd->kind != WD_VALUES && (*out)->referent != key)
        *out = NULL;
    return st;
}

/* A new entry weakref for referent in wd, not yet in the map; NULL with the error set. */
static rc_object *entry_new(rc_heap *heap, rci_weakdict *wd, const char *call,
                            rc_object *referent, rc_object *payload, rc_object *mapkey)
{
    if (!rc_is_heap_object(referent)) {
        not_weakrefable(heap, call, referent);
        return NULL;
    }
    wr_cb cb = {entry_died, wd, NULL, NULL};
    rc_object *w = weakref_make(heap, call, weak_type(heap, false), referent, cb);
    if (w != NULL) {
        ((rci_weakref *)w)->payload = rc_newref(payload);
        ((rci_weakref *)w)->mapkey = rc_newref(mapkey);
    }
    return w;
}

/* Binds key to value in map (a weak container's map, not necessarily its current one):
 * a weak-value dict maps key to a weakref to value, a weak-key dict key's identity to a
 * weakref to key holding value, a weak set obj's identity to a weakref to it. */
static rc_status entry_put(rc_heap *heap, rci_weakdict *wd, rc_object *map, const char *call,
                           rc_object *key, rc_object *value)
{
    rc_object *mapkey = NULL;
    rc_status st = mapkey_of(heap, wd, key, call, &mapkey);
    if (st != RC_OK)
        return st;
    rc_object *w = wd->kind == WD_VALUES ? entry_new(heap, wd, call, value, NULL, key)
                                         : entry_new(heap, wd, call, key, value, mapkey);
    if (w == NULL)
        return rc_heap_last_error(heap);
    st = rc_dict_set(heap, map, mapkey, w);
    if (st != RC_OK)
        st = rci_error(heap, st, "%s: out of memory growing the container", call);
    rc_decref(heap, w); /* never calls back: its referent lives */
    return st;
}

rc_status rc_weakdict_set(rc_heap *heap, rc_object *wd, rc_object *key, rc_object *value)
{
    rci_weakdict *d = weakdict_of(heap, wd, DICTS, "rc_weakdict_set");
    if (d == NULL)
        return RC_ETYPE;
    return entry_put(heap, d, d->map, "rc_weakdict_set", key, value);
}

/* The value a dict entry gives back (the referent of a weak-value dict's weakref, the
 * payload of a weak-key dict's), borrowed. */
static rc_object *entry_value(const rci_weakdict *wd, const rci_weakref *w)
{
    return wd->kind == WD_VALUES ? w->referent : w->payload;
}

static rc_status key_absent(rc_heap *heap, const char *call)
{
    return rci_error(heap, RC_EKEY, "%s: key absent or its referent died", call);
}

rc_status rc_weakdict_get(rc_heap *heap, const rc_object *wd, rc_object *key, rc_object **out)
{
    *out = NULL;
    rci_weakdict *d = weakdict_of(heap, wd, DICTS, "rc_weakdict_get");
    if (d == NULL)
        return RC_ETYPE;
    rci_weakref *w = NULL;
    rc_status st = entry_of(heap, d, key, "rc_weakdict_get", &w);
    if (st != RC_OK)
        return st;
    if (w == NULL)
        return key_absent(heap, "rc_weakdict_get");
    *out = rc_newref(entry_value(d, w));
    return RC_OK;
}

/* Removes w's entry from wd's map (it is there: entry_of found it). */
static rc_status entry_remove(rc_heap *heap, rci_weakdict *wd, rci_weakref *w, const char *call)
{
    rc_object *mapkey = w->mapkey;
    rc_incref(mapkey);
    rc_status st = rc_dict_del(heap, wd->map, mapkey);
    rc_decref(heap, mapkey);
    if (st != RC_OK)
        return rci_error(heap, st, "%s: removing the entry failed", call);
    return RC_OK;
}

rc_status rc_weakdict_del(rc_heap *heap, rc_object *wd, rc_object *key)
{
    rci_weakdict *d = weakdict_of(heap, wd, DICTS, "rc_weakdict_del");
    if (d == NULL)
        return RC_ETYPE;
    rci_weakref *w = NULL;
    rc_status st = entry_of(heap, d, key, "rc_weakdict_del", &w);
    if (st != RC_OK)
        return st;
    if (w == NULL)
        return key_absent(heap, "rc_weakdict_del");
    return entry_remove(heap, d, w, "rc_weakdict_del");
}

rc_status rc_weakdict_pop(rc_heap *heap, rc_object *wd, rc_object *key, rc_object **out)
{
    *out = NULL;
    rci_weakdict *d = weakdict_of(heap, wd, DICTS, "rc_weakdict_pop");
    if (d == NULL)
        return RC_ETYPE;
    rci_weakref *w = NULL;
    rc_status st = entry_of(heap, d, key, "rc_weakdict_pop", &w);
    if (st != RC_OK)
        return st;
    if (w == NULL)
        return key_absent(heap, "rc_weakdict_pop");
    rc_object *value = rc_newref(entry_value(d, w));
    st = entry_remove(heap, d, w, "rc_weakdict_pop");
    if (st != RC_OK) {
        rc_decref(heap, value);
        return st;
    }
    *out = value;
    return RC_OK;
}

rc_status rc_weakdict_setdefault(rc_heap *heap, rc_object *wd, rc_object *key,
                                 rc_object *dflt, rc_object **out)
{
    *out = NULL;
    rci_weakdict *d = weakdict_of(heap, wd, DICTS, "rc_weakdict_setdefault");
    if (d == NULL)
        return RC_ETYPE;
    rci_weakref *w = NULL;
    rc_status st = entry_of(heap, d, key, "rc_weakdict_setdefault", &w);
    if (st != RC_OK)
        return st;
    if (w != NULL) {
        *out = rc_newref(entry_value(d, w));
        return RC_OK;
    }
    st = entry_put(heap, d, d->map, "rc_weakdict_setdefault", key, dflt);
    if (st == RC_OK)
        *out = rc_newref(dflt);
    return st;
}

size_t rc_weakdict_len(rc_heap *heap, const rc_object *wd)
{
    rci_weakdict *d = weakdict_of(heap, wd, DICTS | SETS, "rc_weakdict_len");
    return d != NULL ? rc_dict_len(heap, d->map) : 0;
}

size_t rc_weakset_len(rc_heap *heap, const rc_object *ws)
{
    rci_weakdict *d = weakdict_of(heap, ws, SETS, "rc_weakset_len");
    return d != NULL ? rc_dict_len(heap, d->map) : 0;
}

/* The next entry of map at or after *pos whose referent lives, or NULL at the end. */
static rci_weakref *entry_next(rc_heap *heap, rc_object *map, size_t *pos)
{
    rc_object *k, *v;
    while (rc_dict_next(heap, map, pos, &k, &v))
        if (((rci_weakref *)v)->referent != NULL)
            return (rci_weakref *)v;
    return NULL;
}

bool rc_weakdict_next(rc_heap *heap, const rc_object *wd, size_t *pos, rc_object **key,
                      rc_object **value)
{
    rci_weakdict *d = weakdict_of(heap, wd, DICTS, "rc_weakdict_next");
    if (d == NULL || pos == NULL) {
        if (d != NULL)
            rci_error(heap, RC_EINVAL, "rc_weakdict_next: pos is NULL");
        return false;
    }
    rci_weakref *w = entry_next(heap, d->map, pos);
    if (w == NULL)
        return false;
    if (key != NULL)
        *key = d->kind == WD_VALUES ? w->mapkey : w->referent;
    if (value != NULL)
        *value = entry_value(d, w);
    return true;
}

bool rc_weakset_next(rc_heap *heap, const rc_object *ws, size_t *pos, rc_object **item)
{
    rci_weakdict *d = weakdict_of(heap, ws, SETS, "rc_weakset_next");
    if (d == NULL || pos == NULL) {
        if (d != NULL)
            rci_error(heap, RC_EINVAL, "rc_weakset_next: pos is NULL");
        return false;
    }
    rci_weakref *w = entry_next(heap, d->map, pos);
    if (w != NULL && item != NULL)
        *item = w->referent;
    return w != NULL;
}

/* A new map holding every live entry of src, a weak container of wd's kind: wd's own
 * weakrefs if src is wd, else new weakrefs calling back to wd. NULL with the error set. */
static rc_object *map_copy_live(rc_heap *heap, rci_weakdict *wd, rci_weakdict *src,
                                const char *call)
{
    rc_object *map = rc_dict_new(heap);
    if (map == NULL) {
        rci_error(heap, RC_ENOMEM, "%s: out of memory for the new map", call);
        return NULL;
    }
    size_t pos = 0;
    for (rci_weakref *w; (w = entry_next(heap, src->map, &pos)) != NULL;) {
        rc_status st = src == wd ? rc_dict_set(heap, map, w->mapkey, &w->hdr)
                       : entry_put(heap, wd, map, call,
                                   wd->kind == WD_VALUES ? w->mapkey : w->referent,
                                   wd->kind == WD_SET ? NULL : entry_value(src, w));
        if (st != RC_OK) {
            if (src == wd)
                rci_error(heap, st, "%s: out of memory for the new map", call);
            rc_decref(heap, map);
            return NULL;
        }
    }
    return map;
}

/* Replaces wd's map by map (a reference the caller gives). The old map's weakrefs left out
 * of the new one are dead entries; a callback of theirs still queued finds its key bound
 * to another weakref or absent in the new map and does nothing (entry_died). */
static void map_replace(rc_heap *heap, rci_weakdict *wd, rc_object *map)
{
    rc_object *old = wd->map;
    wd->map = map;
    rc_decref(heap, old);
}

rc_object *rc_weakdict_copy(rc_heap *heap, const rc_object *wd)
{
    rci_weakdict *src = weakdict_of(heap, wd, DICTS | SETS, "rc_weakdict_copy");
    if (src == NULL)
        return NULL;
    rc_object *copy = weakdict_new(heap, src->kind);
    if (copy == NULL) {
        rci_error(heap, RC_ENOMEM, "rc_weakdict_copy: out of memory for the copy");
        return NULL;
    }
    rci_weakdict *c = (rci_weakdict *)copy;
    rc_object *map = map_copy_live(heap, c, src, "rc_weakdict_copy");
    if (map == NULL) {
        rc_decref(heap, copy);
        return NULL;
    }
    map_replace(heap, c, map);
    return copy;
}

/* Adds every live entry of src, a dict (weak dicts only) or a weak container of wd's kind,
 * or every item of a list or tuple (weak sets only), into a copy of wd's map, which then
 * replaces it: a failure changes nothing. */
static rc_status weak_update(rc_heap *heap, rci_weakdict *wd, rc_object *src, const char *call)
{
    rci_weakdict *other = NULL;
    if (rc_is_heap_object(src) && heap->t_weakdict != NULL &&
        rci_type_index(src) == heap->t_weakdict->index)
        other = (rci_weakdict *)src;
    bool is_list = rci_is_builtin(src, RCI_INDEX_LIST);
    bool ok = other != NULL ? other->map != NULL && (other->kind == WD_SET) == (wd->kind == WD_SET)
              : wd->kind == WD_SET ? is_list || rci_is_builtin(src, RCI_INDEX_TUPLE)
                                   : rci_is_builtin(src, RCI_INDEX_DICT);
    if (!ok)
        return rci_error(heap, RC_ETYPE, "%s: cannot update a %s from a %s", call,
                         wd_names[wd->kind], rci_type_name_of(heap, src));
    rc_object *map = map_copy_live(heap, wd, wd, call);
    if (map == NULL)
        return rc_heap_last_error(heap);
    rc_status st = RC_OK;
    size_t pos = 0;
    if (other != NULL) {
        for (rci_weakref *w; st == RC_OK && (w = entry_next(heap, other->map, &pos)) != NULL;)
            st = entry_put(heap, wd, map, call, other->kind == WD_VALUES ? w->mapkey : w->referent,
                           other->kind == WD_SET ? NULL : entry_value(other, w));
    } else if (wd->kind == WD_SET) {
        size_t n = is_list ? rc_list_len(heap, src) : rc_tuple_len(heap, src);
        for (size_t i = 0; st == RC_OK && i < n; i++) {
            rc_object *item = is_list ? rc_list_get_borrow(heap, src, (int64_t)i)
                                      : rc_tuple_get_borrow(heap, src, i);
            st = entry_put(heap, wd, map, call, item, NULL);
        }
    } else {
        rc_object *k, *v;
        while (st == RC_OK && rc_dict_next(heap, src, &pos, &k, &v))
            st = entry_put(heap, wd, map, call, k, v);
    }
    if (st != RC_OK) {
        rc_decref(heap, map);
        return st;
    }
    map_replace(heap, wd, map);
    return RC_OK;
}

rc_object *rc_weakset_copy(rc_heap *heap, const rc_object *ws)
{
    if (weakdict_of(heap, ws, SETS, "rc_weakset_copy") == NULL)
        return NULL;
    return rc_weakdict_copy(heap, ws);
}

rc_status rc_weakdict_update(rc_heap *heap, rc_object *wd, rc_object *src)
{
    rci_weakdict *d = weakdict_of(heap, wd, DICTS, "rc_weakdict_update");
    return d != NULL ? weak_update(heap, d, src, "rc_weakdict_update") : RC_ETYPE;
}

rc_status rc_weakset_update(rc_heap *heap, rc_object *ws, rc_object *src)
{
    rci_weakdict *d = weakdict_of(heap, ws, SETS, "rc_weakset_update");
    return d != NULL ? weak_update(heap, d, src, "rc_weakset_update") : RC_ETYPE;
}

rc_status rc_weakset_add(rc_heap *heap, rc_object *ws, rc_object *obj)
{
    rci_weakdict *d = weakdict_of(heap, ws, SETS, "rc_weakset_add");
    if (d == NULL)
        return RC_ETYPE;
    rci_weakref *w = NULL;
    rc_status st = entry_of(heap, d, obj, "rc_weakset_add", &w);
    if (st != RC_OK || w != NULL)
        return st;
    return entry_put(heap, d, d->map, "rc_weakset_add", obj, NULL);
}

bool rc_weakset_contains(rc_heap *heap, const rc_object *ws, rc_object *obj)
{
    rci_weakdict *d = weakdict_of(heap, ws, SETS, "rc_weakset_contains");
    rci_weakref *w = NULL;
    if (d == NULL || !rc_is_heap_object(obj)) /* CPython: False for what has no weakref */
        return false;
    return entry_of(heap, d, obj, "rc_weakset_contains", &w) == RC_OK && w != NULL;
}

rc_status rc_weakset_discard(rc_heap *heap, rc_object *ws, rc_object *obj)
{
    rci_weakdict *d = weakdict_of(heap, ws, SETS, "rc_weakset_discard");
    if (d == NULL)
        return RC_ETYPE;
    rci_weakref *w = NULL;
    rc_status st = entry_of(heap, d, obj, "rc_weakset_discard", &w);
    if (st != RC_OK || w == NULL)
        return st;
    return entry_remove(heap, d, w, "rc_weakset_discard");
}

rc_status rc_weakset_pop(rc_heap *heap, rc_object *ws, rc_object **out)
{
    *out = NULL;
    rci_weakdict *d = weakdict_of(heap, ws, SETS, "rc_weakset_pop");
    if (d == NULL)
        return RC_ETYPE;
    size_t pos = 0;
    rci_weakref *w = entry_next(heap, d->map, &pos);
    if (w == NULL)
        return rci_error(heap, RC_EKEY, "rc_weakset_pop: pop from an empty weakset");
    rc_object *item = rc_newref(w->referent);
    rc_status st = entry_remove(heap, d, w, "rc_weakset_pop");
    if (st != RC_OK) {
        rc_decref(heap, item);
        return st;
    }
    *out = item;
    return RC_OK;
}

/* ---- finalize handles (Python's weakref.finalize) ---------------------------------------- */

/* FINREG: heap->fin_recs holds every alive finalize handle, oldest first, with one
 * reference each (CPython's finalize._registry); a slot is NULL once its handle died, and
 * registration compacts the NULLs away (updating each handle's slot). An alive handle's
 * weakref owns the handle as its callable (payload), as CPython's finalize is its weakref's
 * callback: handle and weakref hold each other until the handle dies (its function runs,
 * it is detached, or rc_heap_free passes it over), which drops both links. Order: at an
 * object's death its handles run newest first (their weakrefs follow WEAKLIST's order), and
 * so do the atexit ones at rc_heap_free, those registered meanwhile included (CPython's
 * finalize._exitfunc). */
typedef struct rci_finalize {
    rc_object hdr;
    rc_object *wr;         /* strong: the weakref to the object; calls back fin_died */
    rc_object *callable;   /* strong: rc_finalize_new_obj's callable (also user), or NULL */
    rc_finalize_fn fn;     /* what runs, with user */
    void *user;
    rc_release_fn release; /* called with user after fn ran, or when it never will; or NULL */
    size_t slot;           /* index in heap->fin_recs while alive, else SIZE_MAX */
    bool alive;            /* fn has not run and the handle was not detached */
    bool atexit;           /* run at rc_heap_free if still alive (default true) */
} rci_finalize;

static const size_t fin_offsets[2] = {offsetof(rci_finalize, wr),
                                      offsetof(rci_finalize, callable)};
static const char *const fin_names[2] = {"weakref", "callable"};

static rc_type *finalize_type(rc_heap *heap)
{
    if (heap->t_finalize != NULL)
        return heap->t_finalize;
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "finalize";
    spec.instance_bytes = sizeof(rci_finalize);
    spec.ref_offsets = fin_offsets;
    spec.ref_names = fin_names;
    spec.n_ref_offsets = 2;
    heap->t_finalize = rci_type_register(heap, &spec);
    return heap->t_finalize;
}

bool rc_is_finalize(const rc_heap *heap, const rc_object *ref)
{
    return rc_is_heap_object(ref) && heap->t_finalize != NULL &&
           rci_type_index(ref) == heap->t_finalize->index;
}

static rci_finalize *finalize_of(rc_heap *heap, const rc_object *f, const char *call)
{
    if (!rc_is_finalize(heap, f)) {
        rci_error(heap, RC_ETYPE, "%s: expected a finalize handle, got %s", call,
                  rci_type_name_of(heap, f));
        return NULL;
    }
    return (rci_finalize *)f;
}

/* Marks f dead: its weakref is disarmed and lets go of f, and the registry drops its
 * reference. Either may free f: the caller takes what it needs from f first, or holds a
 * reference. */
static void fin_kill(rc_heap *heap, rci_finalize *f)
{
    f->alive = false;
    rci_weakref *w = (rci_weakref *)f->wr;
    rc_object *owned = w->payload;
    w->callback = NULL;
    w->payload = NULL;
    w->user = NULL;
    if (f->slot != SIZE_MAX) {
        heap->fin_recs[f->slot] = NULL;
        f->slot = SIZE_MAX;
        rc_decref(heap, &f->hdr);
    }
    rc_decref(heap, owned);
}

/* Runs alive f's function (call) or lets it go unrun, then its release function. */
static void fin_end(rc_heap *heap, rci_finalize *f, bool call)
{
    rc_finalize_fn fn = f->fn;
    void *user = f->user;
    rc_release_fn release = f->release;
    rc_object *callable = f->callable;
    f->callable = NULL; /* its reference is ours now */
    fin_kill(heap, f);
    if (call)
        fn(heap, user);
    if (release != NULL)
        release(heap, user);
    rc_decref(heap, callable);
}

static void fin_died(rc_heap *heap, rc_object *wr, void *user)
{
    (void)wr;
    rci_finalize *f = user;
    if (f->alive && !heap->fin_exited)
        fin_end(heap, f, true);
}

/* Room for one more registry slot, compacting NULL slots away first. */
static bool fin_recs_reserve(rc_heap *heap)
{
    size_t kept = 0;
    for (size_t i = 0; i < heap->fin_recs_len; i++) {
        rc_object *h = heap->fin_recs[i];
        if (h != NULL) {
            ((rci_finalize *)h)->slot = kept;
            heap->fin_recs[kept++] = h;
        }
    }
    heap->fin_recs_len = kept;
    if (kept < heap->fin_recs_cap)
        return true;
    size_t cap = heap->fin_recs_cap ? heap->fin_recs_cap * 2 : 8;
    rc_object **grown = rci_mem_resize(heap, heap->fin_recs,
                                       heap->fin_recs_cap * sizeof(rc_object *),
                                       cap * sizeof(rc_object *));
    if (grown == NULL)
        return false;
    heap->fin_recs = grown;
    heap->fin_recs_cap = cap;
    return true;
}

static rc_object *finalize_make(rc_heap *heap, const char *call, rc_object *obj,
                                rc_finalize_fn fn, void *user, rc_release_fn release,
                                rc_object *callable)
{
    if (fn == NULL) {
        rci_error(heap, RC_EINVAL, "%s: fn is NULL", call);
        return NULL;
    }
    if (!rc_is_heap_object(obj)) {
        rci_error(heap, RC_EINVAL, "%s: %p is None or a small int", call, (void *)obj);
        return NULL;
    }
    rc_type *t = finalize_type(heap);
    if (t == NULL)
        return NULL;
    /* Both allocations may collect and run user code (which may register finalizers): the
     * registry slot is taken last, by a call that runs none. */
    obj->_refcnt++;
    rc_object *self = rci_object_new(heap, t, t->instance_bytes);
    rci_finalize *f = (rci_finalize *)self;
    if (self != NULL) {
        f->fn = fn;
        f->user = user;
        f->release = release;
        f->callable = rc_newref(callable);
        f->slot = SIZE_MAX;
        f->atexit = true;
        wr_cb cb = {fin_died, f, NULL, self};
        f->wr = weakref_make(heap, call, weak_type(heap, false), obj, cb);
    }
    rc_decref(heap, obj); /* the caller's reference keeps it */
    if (self == NULL || f->wr == NULL || !fin_recs_reserve(heap)) {
        if (self != NULL && f->wr != NULL) {
            fin_kill(heap, f); /* breaks the handle-weakref link */
            rci_error(heap, RC_ENOMEM, "%s: out of memory growing the finalize registry", call);
        } else if (self != NULL) {
            rci_error(heap, RC_ENOMEM, "%s: out of memory making the weakref", call);
        }
        f = NULL;
        rc_decref(heap, self); /* release not called: the caller keeps user */
        return NULL;
    }
    f->alive = true;
    f->slot = heap->fin_recs_len;
    heap->fin_recs[heap->fin_recs_len++] = rc_newref(self);
    return self;
}

rc_object *rc_finalize_new(rc_heap *heap, rc_object *obj, rc_finalize_fn fn, void *user,
                           rc_release_fn release)
{
    return finalize_make(heap, "rc_finalize_new", obj, fn, user, release, NULL);
}

rc_object *rc_finalize_new_obj(rc_heap *heap, rc_object *obj, rc_finalize_fn fn,
                               rc_object *callable)
{
    if (!rc_is_heap_object(callable)) {
        rci_error(heap, RC_EINVAL, "rc_finalize_new_obj: the callable is None or a small int");
        return NULL;
    }
    return finalize_make(heap, "rc_finalize_new_obj", obj, fn, callable, NULL, callable);
}

rc_status rc_finalize_register(rc_heap *heap, rc_object *obj, rc_finalize_fn fn, void *user)
{
    rc_object *f = finalize_make(heap, "rc_finalize_register", obj, fn, user, NULL, NULL);
    if (f == NULL)
        return rc_heap_last_error(heap);
    rc_decref(heap, f); /* the registry keeps it while alive */
    return RC_OK;
}

bool rc_finalize_alive(rc_heap *heap, const rc_object *f)
{
    rci_finalize *fin = finalize_of(heap, f, "rc_finalize_alive");
    return fin != NULL && fin->alive;
}

rc_status rc_finalize_call(rc_heap *heap, rc_object *f, bool *ran)
{
    if (ran != NULL)
        *ran = false;
    rci_finalize *fin = finalize_of(heap, f, "rc_finalize_call");
    if (fin == NULL)
        return RC_ETYPE;
    if (!fin->alive || heap->fin_exited)
        return RC_OK;
    if (ran != NULL)
        *ran = true;
    fin_end(heap, fin, true); /* the caller's reference keeps fin */
    return RC_OK;
}

/* Fills out from alive fin whose object lives (new references); false otherwise (out
 * zeroed). */
static bool fin_info(rci_finalize *fin, rc_finalize_info *out)
{
    size_t size = out->size;
    memset(out, 0, sizeof *out);
    out->size = size;
    rc_object *obj = fin->alive ? ((rci_weakref *)fin->wr)->referent : NULL;
    if (obj == NULL) /* dead, or dying with its callback queued: CPython's peek gives None */
        return false;
    out->obj = rc_newref(obj);
    out->fn = fin->fn;
    out->user = fin->user;
    out->release = fin->release;
    out->callable = rc_newref(fin->callable);
    return true;
}

static rc_status fin_info_args(rc_heap *heap, const rc_object *f, rc_finalize_info *out,
                               const char *call, rci_finalize **fin)
{
    if (out == NULL || out->size != sizeof *out)
        return rci_error(heap, RC_EINVAL, "%s: out is NULL or its size is not set", call);
    *fin = finalize_of(heap, f, call);
    return *fin != NULL ? RC_OK : RC_ETYPE;
}

rc_status rc_finalize_peek(rc_heap *heap, const rc_object *f, rc_finalize_info *out)
{
    rci_finalize *fin = NULL;
    rc_status st = fin_info_args(heap, f, out, "rc_finalize_peek", &fin);
    if (st == RC_OK)
        fin_info(fin, out);
    return st;
}

rc_status rc_finalize_detach(rc_heap *heap, rc_object *f, rc_finalize_info *out)
{
    rci_finalize *fin = NULL;
    rc_status st = fin_info_args(heap, f, out, "rc_finalize_detach", &fin);
    if (st == RC_OK && fin_info(fin, out)) {
        rc_object *callable = fin->callable;
        fin->callable = NULL; /* its reference went to out (fin_info took another) */
        fin_kill(heap, fin);  /* the caller's reference keeps fin */
        rc_decref(heap, callable);
    }
    return st;
}

bool rc_finalize_atexit(rc_heap *heap, const rc_object *f)
{
    rci_finalize *fin = finalize_of(heap, f, "rc_finalize_atexit");
    return fin != NULL && fin->alive && fin->atexit;
}

rc_status rc_finalize_set_atexit(rc_heap *heap, rc_object *f, bool atexit)
{
    rci_finalize *fin = finalize_of(heap, f, "rc_finalize_set_atexit");
    if (fin == NULL)
        return RC_ETYPE;
    if (fin->alive)
        fin->atexit = atexit;
    return RC_OK;
}

size_t rc_finalize_pending(const rc_heap *heap)
{
    size_t n = 0;
    for (size_t i = 0; i < heap->fin_recs_len; i++)
        n += heap->fin_recs[i] != NULL;
    return n;
}

void rci_finalizers_shutdown(rc_heap *heap)
{
    /* Newest first; functions that register more put them at the end, to run next. */
    while (heap->fin_recs_len > 0) {
        rc_object *h = heap->fin_recs[--heap->fin_recs_len];
        if (h == NULL)
            continue;
        rci_finalize *f = (rci_finalize *)h;
        f->slot = SIZE_MAX; /* the registry's reference is ours now */
        fin_end(heap, f, f->atexit);
        rc_decref(heap, h);
    }
    heap->fin_exited = true;
    rci_mem_free(heap, heap->fin_recs, heap->fin_recs_cap * sizeof(rc_object *));
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
