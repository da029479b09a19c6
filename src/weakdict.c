/*
 * weakdict.c -- the weak containers: Python's weakref.WeakValueDictionary,
 * WeakKeyDictionary and WeakSet, on weakrefs made by weakref.c (rci_weakref_make).
 *
 * WEAKDICT: the weak containers (weak-value dict, weak-key dict, weak set) wrap a dict of
 *   weakrefs whose callbacks remove their own entry, with the container as user pointer.
 *   A container that dies by counting disarms its weakrefs first (callback NULL), so a
 *   callback already queued never sees a freed container; in cyclic garbage its weakrefs
 *   are garbage too, and garbage weakrefs never call back.
 * RETYPE: an error of an rc_dict call made for a public call is restated under the public
 *   call's name with its cause kept (restate_error), so every message names the call the
 *   program made.
 */
#include "builtins.h"
#include "weakref.h"

#include <stdio.h>
#include <string.h>

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
    if (heap->weakdict.t_weakdict != NULL)
        return heap->weakdict.t_weakdict;
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "weakcontainer";
    spec.instance_bytes = sizeof(rci_weakdict);
    spec.traverse = weakdict_traverse;
    spec.clear = weakdict_clear;
    spec.repr = weakdict_repr;
    heap->weakdict.t_weakdict = rci_type_register(heap, &spec);
    return heap->weakdict.t_weakdict;
}

static rc_object *weakdict_new(rc_heap *heap, int kind, const char *call)
{
    rc_type *t = weakdict_type(heap);
    rc_object *self = t != NULL ? rci_object_new(heap, t, t->instance_bytes) : NULL;
    rc_object *map = self != NULL ? rc_dict_new(heap) : NULL;
    if (map == NULL) {
        rc_decref(heap, self);
        rci_error(heap, RC_ENOMEM, "%s: out of memory making the %s", call, wd_names[kind]);
        return NULL;
    }
    ((rci_weakdict *)self)->map = map;
    ((rci_weakdict *)self)->kind = kind;
    return self;
}

rc_object *rc_weakvaluedict_new(rc_heap *heap)
{
    return weakdict_new(heap, WD_VALUES, "rc_weakvaluedict_new");
}
rc_object *rc_weakkeydict_new(rc_heap *heap)
{
    return weakdict_new(heap, WD_KEYS, "rc_weakkeydict_new");
}
rc_object *rc_weakset_new(rc_heap *heap)
{
    return weakdict_new(heap, WD_SET, "rc_weakset_new");
}

/* The container's state, or NULL with RC_ETYPE if wd is not one of the kinds in mask (bit
 * 1 << WD_*). */
static rci_weakdict *weakdict_of(rc_heap *heap, const rc_object *wd, unsigned mask,
                                 const char *call)
{
    if (!rc_is_heap_object(wd) || heap->weakdict.t_weakdict == NULL ||
        rci_type_index(wd) != heap->weakdict.t_weakdict->index ||
        !(mask & (1u << ((const rci_weakdict *)wd)->kind)) ||
        ((const rci_weakdict *)wd)->map == NULL) {
        rci_error(heap, RC_ETYPE, "%s: expected a %s, got %s", call,
                  mask == (1u << WD_SET)                      ? "weakset"
                  : mask == (1u << WD_VALUES | 1u << WD_KEYS) ? "weak dict"
                                                              : "weak container",
                  rci_builtins_type_name(heap, wd));
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
                     rci_builtins_type_name(heap, obj));
}

/* The heap's error, set by an rc_dict call made for call, restated as call's own: the
 * dict call's name is replaced by call's, the cause kept. Returns the status. */
static rc_status restate_error(rc_heap *heap, const char *call)
{
    char cause[RCI_ERRMSG_BYTES];
    const char *msg = rc_heap_errmsg(heap);
    const char *colon = strstr(msg, ": ");
    snprintf(cause, sizeof cause, "%s", colon != NULL ? colon + 2 : msg);
    return rci_error(heap, rc_heap_last_error(heap), "%s: %s", call, cause);
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
static rc_status entry_find(rc_heap *heap, rci_weakdict *wd, rc_object *mapkey, rci_weakref **out,
                            const char *call)
{
    *out = NULL;
    /* rc_dict_contains says false for a miss and for a key it cannot hash; only the second
     * sets an error. The heap's last error is kept as it was unless this call fails. */
    rc_status before = heap->err.last_error;
    heap->err.last_error = RC_OK;
    bool found = rc_dict_contains(heap, wd->map, mapkey);
    if (!found && heap->err.last_error != RC_OK)
        return restate_error(heap, call);
    heap->err.last_error = before;
    if (!found)
        return RC_OK;
    rc_object *cur = NULL;
    if (rc_dict_get(heap, wd->map, mapkey, &cur) != RC_OK)
        return restate_error(heap, call);
    rci_weakref *w = (rci_weakref *)cur;
    rc_decref(heap, cur); /* the map still holds it */
    if (w->referent != NULL)
        *out = w;
    return RC_OK;
}

/* The map key of obj in wd: obj itself for a weak-value dict, else its identity; RC_ETYPE
 * for a weak key or member that cannot be weakly referenced. */
static rc_status mapkey_of(rc_heap *heap, const rci_weakdict *wd, rc_object *obj, const char *call,
                           rc_object **out)
{
    if (wd->kind == WD_VALUES) {
        *out = obj;
        return RC_OK;
    }
    if (!rc_is_heap_object(obj)) {
        not_weakrefable(heap, call, obj);
        return RC_ETYPE;
    }
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
        st = entry_find(heap, wd, mapkey, out, call);
    if (st == RC_OK && *out != NULL && wd->kind != WD_VALUES && (*out)->referent != key)
        *out = NULL;
    return st;
}

/* A new entry weakref for referent in wd, not yet in the map; NULL with the error set. */
static rc_object *entry_new(rc_heap *heap, rci_weakdict *wd, const char *call, rc_object *referent,
                            rc_object *payload, rc_object *mapkey)
{
    if (!rc_is_heap_object(referent)) {
        not_weakrefable(heap, call, referent);
        return NULL;
    }
    rc_object *w = rci_weakref_make(heap, call, false, referent, entry_died, wd, NULL, NULL);
    if (w != NULL) {
        if (payload != NULL) /* None: nothing to hold (and a clearer path for analysers) */
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
        st = restate_error(heap, call);
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
    return st != RC_OK ? restate_error(heap, call) : RC_OK;
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

rc_status rc_weakdict_setdefault(rc_heap *heap, rc_object *wd, rc_object *key, rc_object *dflt,
                                 rc_object **out)
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
                restate_error(heap, call);
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

static rc_object *weak_copy(rc_heap *heap, const rc_object *wd, unsigned mask, const char *call)
{
    rci_weakdict *src = weakdict_of(heap, wd, mask, call);
    if (src == NULL)
        return NULL;
    rc_object *copy = weakdict_new(heap, src->kind, call);
    if (copy == NULL)
        return NULL;
    rci_weakdict *c = (rci_weakdict *)copy;
    rc_object *map = map_copy_live(heap, c, src, call);
    if (map == NULL) {
        rc_decref(heap, copy);
        return NULL;
    }
    map_replace(heap, c, map);
    return copy;
}

rc_object *rc_weakdict_copy(rc_heap *heap, const rc_object *wd)
{
    return weak_copy(heap, wd, DICTS | SETS, "rc_weakdict_copy");
}

rc_object *rc_weakset_copy(rc_heap *heap, const rc_object *ws)
{
    return weak_copy(heap, ws, SETS, "rc_weakset_copy");
}

/* Adds every live entry of src, a dict (weak dicts only) or a weak container of wd's kind,
 * or every item of a list or tuple (weak sets only), into a copy of wd's map, which then
 * replaces it: a failure changes nothing. */
static rc_status weak_update(rc_heap *heap, rci_weakdict *wd, rc_object *src, const char *call)
{
    rci_weakdict *other = NULL;
    if (rc_is_heap_object(src) && heap->weakdict.t_weakdict != NULL &&
        rci_type_index(src) == heap->weakdict.t_weakdict->index)
        other = (rci_weakdict *)src;
    bool is_list = rci_builtin_is(src, RCI_INDEX_LIST);
    bool ok = other != NULL ? other->map != NULL && (other->kind == WD_SET) == (wd->kind == WD_SET)
              : wd->kind == WD_SET ? is_list || rci_builtin_is(src, RCI_INDEX_TUPLE)
                                   : rci_builtin_is(src, RCI_INDEX_DICT);
    if (!ok)
        return rci_error(heap, RC_ETYPE, "%s: cannot update a %s from a %s", call,
                         wd_names[wd->kind], rci_builtins_type_name(heap, src));
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
