/*
 * dict.c -- the dict type: an insertion-ordered hash table in CPython's compact layout
 * (invariant DICT-TABLE in builtins.h). Entries are appended in insertion order; an
 * open-addressing index of int32 slots maps hashes to entry numbers, probed with CPython's
 * perturbation sequence (i = 5i + perturb + 1), which reaches every slot, so long collision
 * chains stay correct. Deleting leaves a hole in the entries and a DUMMY in the index;
 * holes are squeezed out when the table is rebuilt. Keys follow hash.c's equality rules.
 *
 * Invariant DICT-EMPTY-SLOT: at most rci_dict_usable(size) = 2/3 of the index slots are
 * non-EMPTY (every DUMMY once pointed at an entry, and entries never exceed usable), so a
 * probe always ends at an EMPTY slot.
 * Invariant DICT-RELEASE: as list.c's LIST-RELEASE, references are dropped only after the
 * dict is back in a valid state.
 * Limit: index slots are int32, so a dict holds at most 2^29 entries (RC_ELIMIT beyond).
 */
#include "builtins.h"

#include <stdio.h>
#include <string.h>

#define SLOT_EMPTY (-1)
#define SLOT_DUMMY (-2)
#define MIN_SIZE ((size_t)8)
#define MAX_SIZE ((size_t)1 << 30)

static size_t table_bytes(size_t size)
{
    return size * sizeof(int32_t) + rci_dict_usable(size) * sizeof(rci_dict_entry);
}

static int dict_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    rci_dict *d = (rci_dict *)self;
    rci_dict_entry *e = rci_dict_entries(d);
    for (size_t i = 0; i < d->n_entries; i++) {
        if (e[i].key == RCI_DICT_HOLE)
            continue;
        int r = visit(heap, e[i].key, arg);
        if (r == 0)
            r = visit(heap, e[i].value, arg);
        if (r != 0)
            return r;
    }
    return 0;
}

/* Empties the dict, then drops what it held (DICT-RELEASE). */
static void dict_clear(rc_heap *heap, rc_object *self)
{
    rci_dict *d = (rci_dict *)self;
    int32_t *table = d->table;
    size_t size = d->size, n = d->n_entries;
    rci_dict_entry *e = rci_dict_entries(d);
    d->table = NULL;
    d->size = 0;
    d->len = 0;
    d->n_entries = 0;
    for (size_t i = 0; i < n; i++) {
        if (e[i].key == RCI_DICT_HOLE)
            continue;
        rc_decref(heap, e[i].key);
        rc_decref(heap, e[i].value);
    }
    if (table != NULL)
        rci_mem_buf_free(heap, heap->types.t_dict, table, table_bytes(size));
}

/* Frees the table only (see list.c's list_destroy for why references are not dropped). */
static void dict_destroy(rc_heap *heap, rc_object *self)
{
    rci_dict *d = (rci_dict *)self;
    if (d->table != NULL)
        rci_mem_buf_free(heap, heap->types.t_dict, d->table, table_bytes(d->size));
    d->table = NULL;
    d->size = 0;
    d->len = 0;
    d->n_entries = 0;
}

rc_type *rci_dict_register(rc_heap *heap)
{
    rc_type_spec spec = {
        .size = sizeof(rc_type_spec),
        .name = "dict",
        .instance_bytes = sizeof(rci_dict),
        .traverse = dict_traverse,
        .clear = dict_clear,
        .destroy = dict_destroy,
    };
    return rci_type_register(heap, &spec);
}

/* The first EMPTY or DUMMY slot on hash's probe sequence. */
static size_t free_slot(const rci_dict *d, uint64_t hash)
{
    size_t mask = d->size - 1, i = (size_t)hash & mask;
    uint64_t perturb = hash;
    while (d->table[i] >= 0) {
        perturb >>= 5;
        i = (i * 5 + (size_t)perturb + 1) & mask;
    }
    return i;
}

/* Finds key. *ix is its entry number or -1; *slot is its index slot if found, else where
 * it would be inserted (valid only if the table has room). */
static rc_status dict_lookup(rc_heap *heap, const rci_dict *d, rc_object *key, uint64_t hash,
                             size_t *slot, int64_t *ix, const char *call)
{
    *ix = -1;
    *slot = 0;
    if (d->size == 0)
        return RC_OK;
    const rci_dict_entry *entries = rci_dict_entries(d);
    size_t mask = d->size - 1, i = (size_t)hash & mask, first_free = SIZE_MAX;
    uint64_t perturb = hash;
    for (;;) {
        int32_t e = d->table[i];
        if (e == SLOT_EMPTY) {
            *slot = first_free != SIZE_MAX ? first_free : i;
            return RC_OK;
        }
        if (e == SLOT_DUMMY) {
            if (first_free == SIZE_MAX)
                first_free = i;
        } else if (entries[e].key == key || entries[e].hash == hash) {
            bool eq = true;
            if (entries[e].key != key) {
                rc_status st = rci_hash_equal(heap, entries[e].key, key, &eq, call);
                if (st != RC_OK)
                    return st;
            }
            if (eq) {
                *slot = i;
                *ix = e;
                return RC_OK;
            }
        }
        perturb >>= 5;
        i = (i * 5 + (size_t)perturb + 1) & mask;
    }
}

/* Rebuilds the table with room for len + 1 entries and no holes; unchanged on failure. */
static rc_status dict_grow(rc_heap *heap, rci_dict *d, const char *call)
{
    size_t size = MIN_SIZE;
    while (size < MAX_SIZE && size < (d->len + 1) * 3)
        size *= 2;
    if (rci_dict_usable(size) <= d->len)
        return rci_error(heap, RC_ELIMIT, "%s: dict of %zu entries reached the limit of %zu", call,
                         d->len, rci_dict_usable(MAX_SIZE));
    int32_t *table = rci_mem_buf_alloc(heap, heap->types.t_dict, table_bytes(size));
    if (table == NULL)
        return rci_error(heap, RC_ENOMEM, "%s: out of memory growing a dict to %zu slots", call,
                         size);
    memset(table, 0xFF, size * sizeof(int32_t)); /* every slot SLOT_EMPTY */
    rci_dict grown = {.len = d->len, .n_entries = 0, .size = size, .table = table};
    rci_dict_entry *to = rci_dict_entries(&grown), *from = rci_dict_entries(d);
    for (size_t i = 0; i < d->n_entries; i++) {
        if (from[i].key == RCI_DICT_HOLE)
            continue;
        to[grown.n_entries] = from[i];
        table[free_slot(&grown, from[i].hash)] = (int32_t)grown.n_entries;
        grown.n_entries++;
    }
    if (d->table != NULL)
        rci_mem_buf_free(heap, heap->types.t_dict, d->table, table_bytes(d->size));
    d->table = table;
    d->size = size;
    d->n_entries = grown.n_entries;
    return RC_OK;
}

rc_object *rc_dict_new(rc_heap *heap)
{
    return rci_object_new(heap, heap->types.t_dict, sizeof(rci_dict));
}

size_t rc_dict_len(rc_heap *heap, const rc_object *dict)
{
    dict = rci_builtin_self(heap, dict, RCI_INDEX_DICT, "rc_dict_len", "a dict");
    return dict != NULL ? ((const rci_dict *)dict)->len : 0;
}

/* Type check, hash and lookup shared by every keyed call; a proxy's referent replaces
 * *dictp (PROXY-FORWARD). */
static rc_status dict_find(rc_heap *heap, rc_object **dictp, rc_object *key, uint64_t *hash,
                           size_t *slot, int64_t *ix, const char *call)
{
    const rc_object *dict = *dictp = rci_builtin_self(heap, *dictp, RCI_INDEX_DICT, call, "a dict");
    if (dict == NULL)
        return rc_heap_last_error(heap);
    rc_status st = rci_hash(heap, key, hash, call);
    if (st != RC_OK)
        return st;
    return dict_lookup(heap, (const rci_dict *)dict, key, *hash, slot, ix, call);
}

rc_status rci_dict_find_hashed(rc_heap *heap, const rc_object *dict, rc_object *key, uint64_t hash,
                               rc_object **value, bool *found, const char *call)
{
    size_t slot = 0;
    int64_t ix = -1;
    rc_status st = dict_lookup(heap, (const rci_dict *)dict, key, hash, &slot, &ix, call);
    if (st != RC_OK)
        return st;
    *found = ix >= 0;
    *value = ix >= 0 ? rci_dict_entries((const rci_dict *)dict)[ix].value : NULL;
    return RC_OK;
}

/* RC_EKEY with the key shown when showing it runs no user code. */
static rc_status key_error(rc_heap *heap, rc_object *key, const char *call)
{
    char shown[64];
    if (key == NULL || rci_int_is_ref(key) || rci_builtin_is(key, RCI_INDEX_FLOAT) ||
        rci_builtin_is(key, RCI_INDEX_STR))
        rc_repr_into(heap, key, shown, sizeof shown);
    else
        snprintf(shown, sizeof shown, "<%s object>", rci_builtins_type_name(heap, key));
    return rci_error(heap, RC_EKEY, "%s: key %s not found", call, shown);
}

rc_status rc_dict_set(rc_heap *heap, rc_object *dict, rc_object *key, rc_object *value)
{
    uint64_t hash = 0;
    size_t slot = 0;
    int64_t ix = -1;
    rc_status st = dict_find(heap, &dict, key, &hash, &slot, &ix, "rc_dict_set");
    if (st != RC_OK)
        return st;
    rci_dict *d = (rci_dict *)dict;
    if (ix >= 0) {
        rci_dict_entry *e = &rci_dict_entries(d)[ix];
        rc_object *old = e->value;
        e->value = rc_newref(value);
        rc_decref(heap, old);
        return RC_OK;
    }
    if (d->n_entries >= rci_dict_usable(d->size)) {
        st = dict_grow(heap, d, "rc_dict_set");
        if (st != RC_OK)
            return st;
        slot = free_slot(d, hash);
    }
    rci_dict_entry *e = &rci_dict_entries(d)[d->n_entries];
    e->hash = hash;
    e->key = rc_newref(key);
    e->value = rc_newref(value);
    d->table[slot] = (int32_t)d->n_entries;
    d->n_entries++;
    d->len++;
    return RC_OK;
}

rc_status rc_dict_get(rc_heap *heap, const rc_object *dict, rc_object *key, rc_object **out)
{
    uint64_t hash = 0;
    size_t slot = 0;
    int64_t ix = -1;
    rc_object *self = (rc_object *)dict;
    rc_status st = dict_find(heap, &self, key, &hash, &slot, &ix, "rc_dict_get");
    if (st != RC_OK)
        return st;
    if (out == NULL)
        return rci_error(heap, RC_EINVAL, "rc_dict_get: out is NULL");
    if (ix < 0)
        return key_error(heap, key, "rc_dict_get");
    *out = rc_newref(rci_dict_entries((const rci_dict *)self)[ix].value);
    return RC_OK;
}

bool rc_dict_find_cstr(rc_heap *heap, const rc_object *dict, const char *s, size_t len,
                       rc_object **key, rc_object **value)
{
    if (key != NULL)
        *key = NULL;
    if (value != NULL)
        *value = NULL;
    if (s == NULL && len > 0) {
        rci_error(heap, RC_EINVAL, "rc_dict_find_cstr: NULL text with length %zu", len);
        return false;
    }
    const rci_dict *d = (const rci_dict *)rci_builtin_self(heap, dict, RCI_INDEX_DICT,
                                                           "rc_dict_find_cstr", "a dict");
    if (d == NULL || d->size == 0)
        return false;
    /* Only a str key can equal the text, and equal strs have equal hashes: compare the
     * stored hash, then the bytes. No key's equality runs, so no user code and no error. */
    uint64_t hash = rci_str_hash_bytes(heap, s, len);
    const rci_dict_entry *entries = rci_dict_entries(d);
    size_t mask = d->size - 1, i = (size_t)hash & mask;
    uint64_t perturb = hash;
    for (;;) {
        int32_t e = d->table[i];
        if (e == SLOT_EMPTY)
            return false;
        if (e >= 0 && entries[e].hash == hash && rci_builtin_is(entries[e].key, RCI_INDEX_STR)) {
            const rci_str *k = (const rci_str *)entries[e].key;
            if (k->len == len && (len == 0 || memcmp(k->data, s, len) == 0)) {
                if (key != NULL)
                    *key = entries[e].key;
                if (value != NULL)
                    *value = entries[e].value;
                return true;
            }
        }
        perturb >>= 5;
        i = (i * 5 + (size_t)perturb + 1) & mask;
    }
}

rc_object *rc_dict_get_cstr(rc_heap *heap, const rc_object *dict, const char *s, size_t len)
{
    rc_object *value = NULL;
    (void)rc_dict_find_cstr(heap, dict, s, len, NULL, &value);
    return value;
}

bool rc_dict_contains(rc_heap *heap, const rc_object *dict, rc_object *key)
{
    uint64_t hash = 0;
    size_t slot = 0;
    int64_t ix = -1;
    rc_object *self = (rc_object *)dict;
    if (dict_find(heap, &self, key, &hash, &slot, &ix, "rc_dict_contains") != RC_OK)
        return false;
    return ix >= 0;
}

rc_status rc_dict_del(rc_heap *heap, rc_object *dict, rc_object *key)
{
    uint64_t hash = 0;
    size_t slot = 0;
    int64_t ix = -1;
    rc_status st = dict_find(heap, &dict, key, &hash, &slot, &ix, "rc_dict_del");
    if (st != RC_OK)
        return st;
    if (ix < 0)
        return key_error(heap, key, "rc_dict_del");
    rci_dict *d = (rci_dict *)dict;
    rci_dict_entry *e = &rci_dict_entries(d)[ix];
    rc_object *old_key = e->key, *old_value = e->value;
    d->table[slot] = SLOT_DUMMY;
    e->key = RCI_DICT_HOLE;
    e->value = NULL;
    d->len--;
    rc_decref(heap, old_key);
    rc_decref(heap, old_value);
    return RC_OK;
}

bool rc_dict_next(rc_heap *heap, const rc_object *dict, size_t *pos, rc_object **key,
                  rc_object **value)
{
    dict = rci_builtin_self(heap, dict, RCI_INDEX_DICT, "rc_dict_next", "a dict");
    if (dict == NULL)
        return false;
    if (pos == NULL) {
        rci_error(heap, RC_EINVAL, "rc_dict_next: pos is NULL");
        return false;
    }
    const rci_dict *d = (const rci_dict *)dict;
    const rci_dict_entry *e = rci_dict_entries(d);
    size_t i = *pos;
    while (i < d->n_entries && e[i].key == RCI_DICT_HOLE)
        i++;
    if (i >= d->n_entries) {
        *pos = i;
        return false;
    }
    if (key != NULL)
        *key = e[i].key;
    if (value != NULL)
        *value = e[i].value;
    *pos = i + 1;
    return true;
}
