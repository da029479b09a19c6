/*
 * equal.c -- rc_equal: Python's == for the built-in types, containers included.
 *
 * Dict keys use hash.c's rci_hash_equal, under which lists and dicts are compared by identity
 * (Python's are unhashable; rcgc's dicts key them by identity, HASH-EQ). rc_equal is
 * Python's ==: a list equals a list of the same length whose items are equal in order
 * (never a tuple), a tuple likewise a tuple, and a dict a dict with the same keys (looked
 * up as the dict looks them up) mapping to equal values, whatever their order. Items are
 * compared as PyObject_RichCompareBool compares them: identity first (so a NaN object
 * equals itself inside a container), then by value for built-ins, identity for other
 * types. A weak proxy compares as its referent (a dead one: RC_EREFERENCE); two live
 * weakrefs compare as their referents, a dead weakref by identity.
 *
 * WALK: nested containers are compared with an explicit frame stack (builtins.h, STACK),
 * never by C recursion. No user code runs during the walk (built-ins only; user types
 * compare by identity), so nothing it walks can change under it.
 * RECUR: a pair of lists or dicts met again while it is still being compared (its frame is
 * on the stack) would be compared forever: [a] == [b] where a = [a] and b = [b]. CPython
 * recurses until its recursion limit and raises RecursionError; rcgc detects the pair
 * exactly and fails with RC_ELIMIT naming both objects, rc_equal returning false. Only
 * lists and dicts can lead back to themselves (a tuple cannot contain itself except
 * through one), so only their pairs are kept, in a small hash set (PAIRS) that starts in
 * the caller's frame. The identity test comes first, so l == l and [l] == [l] never get
 * there, as in CPython.
 */
#include "builtins.h"
#include "util.h"
#include "weakref.h"

#include <string.h>

/* ---- PAIRS: the list and dict pairs being compared, open addressing with backward-shift
 * deletion (pairs leave in LIFO order, but any order works); cap is a power of two and at
 * least twice len. ---------------------------------------------------------------------- */

typedef struct pair_slot {
    const rc_object *a, *b; /* a NULL a marks an empty slot */
} pair_slot;

#define PAIRS_INLINE 32u

typedef struct pair_set {
    rc_heap *heap;
    pair_slot *slots;
    size_t cap, len;
    pair_slot inline_slots[PAIRS_INLINE];
} pair_set;

static void pairs_init(pair_set *ps, rc_heap *heap)
{
    ps->heap = heap;
    ps->slots = ps->inline_slots;
    ps->cap = PAIRS_INLINE;
    ps->len = 0;
    memset(ps->inline_slots, 0, sizeof ps->inline_slots);
}

static void pairs_free(pair_set *ps)
{
    if (ps->slots != ps->inline_slots)
        rci_mem_free(ps->heap, ps->slots, ps->cap * sizeof(pair_slot));
}

static size_t pair_home(const rc_object *a, const rc_object *b, size_t cap)
{
    uint64_t k = (uint64_t)(uintptr_t)a * 0x9E3779B97F4A7C15u ^ (uint64_t)(uintptr_t)b;
    return (size_t)rci_hash_mix64(k) & (cap - 1);
}

static size_t pairs_find(const pair_set *ps, const rc_object *a, const rc_object *b)
{
    size_t i = pair_home(a, b, ps->cap);
    while (ps->slots[i].a != NULL && (ps->slots[i].a != a || ps->slots[i].b != b))
        i = (i + 1) & (ps->cap - 1);
    return i;
}

static bool pairs_grow(pair_set *ps)
{
    size_t cap = ps->cap * 2;
    pair_slot *fresh = rci_mem_alloc(ps->heap, cap * sizeof(pair_slot));
    if (fresh == NULL)
        return false;
    memset(fresh, 0, cap * sizeof(pair_slot));
    pair_slot *old = ps->slots;
    size_t old_cap = ps->cap;
    ps->slots = fresh;
    ps->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].a != NULL)
            ps->slots[pairs_find(ps, old[i].a, old[i].b)] = old[i];
    if (old != ps->inline_slots)
        rci_mem_free(ps->heap, old, old_cap * sizeof(pair_slot));
    return true;
}

/* Adds (a, b): 1 added, 0 already there (RECUR), -1 out of memory. */
static int pairs_add(pair_set *ps, const rc_object *a, const rc_object *b)
{
    if ((ps->len + 1) * 2 > ps->cap && !pairs_grow(ps))
        return -1;
    size_t i = pairs_find(ps, a, b);
    if (ps->slots[i].a != NULL)
        return 0;
    ps->slots[i].a = a;
    ps->slots[i].b = b;
    ps->len++;
    return 1;
}

static void pairs_remove(pair_set *ps, const rc_object *a, const rc_object *b)
{
    size_t mask = ps->cap - 1, hole = pairs_find(ps, a, b), i = hole;
    for (;;) {
        i = (i + 1) & mask;
        if (ps->slots[i].a == NULL)
            break;
        size_t home = pair_home(ps->slots[i].a, ps->slots[i].b, ps->cap);
        if (rci_util_shift_fills(hole, i, home, mask)) {
            ps->slots[hole] = ps->slots[i];
            hole = i;
        }
    }
    ps->slots[hole].a = ps->slots[hole].b = NULL;
    ps->len--;
}

/* ---- the walk ---------------------------------------------------------------------------- */

typedef struct veq_frame {
    const rc_object *a, *b; /* two containers of one built-in kind, of equal length */
    uint32_t kind;          /* RCI_INDEX_TUPLE, _LIST or _DICT */
    size_t pos;             /* items (dict: entries of a, holes included) already done */
} veq_frame;

typedef struct veq {
    rc_heap *heap;
    rci_stack st;
    pair_set pairs;
    const char *call;
} veq;

static size_t container_len(const rc_object *o, uint32_t kind)
{
    if (kind == RCI_INDEX_TUPLE)
        return ((const rci_tuple *)o)->len;
    if (kind == RCI_INDEX_LIST)
        return ((const rci_list *)o)->len;
    return ((const rci_dict *)o)->len;
}

/* The built-in container kind of o, or 0. */
static uint32_t container_kind(const rc_object *o)
{
    if (!rc_is_heap_object(o))
        return 0;
    uint32_t k = rci_type_index(o);
    return k == RCI_INDEX_TUPLE || k == RCI_INDEX_LIST || k == RCI_INDEX_DICT ? k : 0;
}

/* Compares x and y as far as can be done without descending: *eq is the answer, or, when
 * *push is set, x and y are containers of one kind and length whose frame was pushed.
 * RC_EREFERENCE for a dead proxy, RC_ELIMIT for a pair being compared already (RECUR),
 * RC_ENOMEM. */
static rc_status compare_step(veq *v, rc_object *x, rc_object *y, bool *eq, bool *push)
{
    *push = false;
    if (x == y) {
        *eq = true;
        return RC_OK;
    }
    if (v->heap->wr.t_weakproxy != NULL) { /* PROXY-FORWARD */
        rc_object **side[2] = {&x, &y};
        for (int i = 0; i < 2; i++)
            if (rci_weakref_proxy_unwrap(v->heap, *side[i], side[i]) && *side[i] == NULL)
                return rci_error(v->heap, RC_EREFERENCE,
                                 "%s: weakly-referenced object no longer exists", v->call);
        if (x == y) {
            *eq = true;
            return RC_OK;
        }
    }
    /* Two live weakrefs compare as their referents, a dead one by identity (weakref.c,
     * WRHASH; CPython's weakref_richcompare). */
    while (rc_is_weakref(v->heap, x) && rc_is_weakref(v->heap, y)) {
        x = ((const rci_weakref *)x)->referent;
        y = ((const rci_weakref *)y)->referent;
        if (x == NULL || y == NULL) {
            *eq = false;
            return RC_OK;
        }
        if (x == y) {
            *eq = true;
            return RC_OK;
        }
    }
    uint32_t kind = container_kind(x);
    if (kind == 0 || container_kind(y) != kind) {
        *eq = rci_hash_leaf_equal(x, y);
        return RC_OK;
    }
    if (container_len(x, kind) != container_len(y, kind) ||
        (kind == RCI_INDEX_TUPLE && ((const rci_tuple *)x)->hash != 0 &&
         ((const rci_tuple *)y)->hash != 0 &&
         ((const rci_tuple *)x)->hash != ((const rci_tuple *)y)->hash)) {
        *eq = false;
        return RC_OK;
    }
    if (kind != RCI_INDEX_TUPLE) {
        int added = pairs_add(&v->pairs, x, y);
        if (added < 0)
            return rci_error(v->heap, RC_ENOMEM, "%s: out of memory comparing containers", v->call);
        if (added == 0)
            return rci_error(v->heap, RC_ELIMIT,
                             "%s: comparing %s %p with %s %p never ends: they contain "
                             "themselves (Python raises RecursionError)",
                             v->call, kind == RCI_INDEX_LIST ? "list" : "dict", (void *)x,
                             kind == RCI_INDEX_LIST ? "list" : "dict", (void *)y);
    }
    veq_frame *f = rci_util_stack_push(&v->st);
    if (f == NULL) {
        if (kind != RCI_INDEX_TUPLE)
            pairs_remove(&v->pairs, x, y);
        return RC_ENOMEM;
    }
    f->a = x;
    f->b = y;
    f->kind = kind;
    *push = true;
    return RC_OK;
}

/* The next pair of items of the top frame to compare: RC_OK with *x, *y set and *done
 * false; *done true when the frame is finished; or the frame's two dicts differ in a key
 * (*unequal). */
static rc_status next_items(veq *v, veq_frame *f, rc_object **x, rc_object **y, bool *done,
                            bool *unequal)
{
    *done = *unequal = false;
    if (f->kind == RCI_INDEX_TUPLE || f->kind == RCI_INDEX_LIST) {
        if (f->pos == container_len(f->a, f->kind)) {
            *done = true;
            return RC_OK;
        }
        rc_object *const *ia = f->kind == RCI_INDEX_TUPLE ? ((const rci_tuple *)f->a)->items
                                                          : ((const rci_list *)f->a)->items;
        rc_object *const *ib = f->kind == RCI_INDEX_TUPLE ? ((const rci_tuple *)f->b)->items
                                                          : ((const rci_list *)f->b)->items;
        *x = ia[f->pos];
        *y = ib[f->pos];
        f->pos++;
        return RC_OK;
    }
    const rci_dict *da = (const rci_dict *)f->a;
    const rci_dict_entry *e = rci_dict_entries(da);
    while (f->pos < da->n_entries && e[f->pos].key == RCI_DICT_HOLE)
        f->pos++;
    if (f->pos == da->n_entries) {
        *done = true;
        return RC_OK;
    }
    const rci_dict_entry *ent = &e[f->pos++];
    bool found = false;
    rc_status st = rci_dict_find_hashed(v->heap, f->b, ent->key, ent->hash, y, &found, v->call);
    if (st != RC_OK)
        return st;
    *unequal = !found;
    *x = ent->value;
    return RC_OK;
}

static void frame_pop(veq *v)
{
    veq_frame *f = rci_util_stack_top(&v->st);
    if (f->kind != RCI_INDEX_TUPLE)
        pairs_remove(&v->pairs, f->a, f->b);
    rci_util_stack_pop(&v->st);
}

static rc_status value_equal(rc_heap *heap, rc_object *a, rc_object *b, bool *out, const char *call)
{
    veq v;
    veq_frame inline_frames[16];
    v.heap = heap;
    v.call = call;
    rci_util_stack_init(&v.st, heap, inline_frames, 16, sizeof(veq_frame), call);
    pairs_init(&v.pairs, heap);
    bool eq = true, push = false;
    rc_status st = compare_step(&v, a, b, &eq, &push);
    while (st == RC_OK && eq && v.st.n > 0) {
        veq_frame *f = rci_util_stack_top(&v.st);
        rc_object *x = NULL, *y = NULL;
        bool done, unequal;
        st = next_items(&v, f, &x, &y, &done, &unequal);
        if (st != RC_OK)
            break;
        if (done) {
            frame_pop(&v);
            continue;
        }
        if (unequal) {
            eq = false;
            break;
        }
        st = compare_step(&v, x, y, &eq, &push);
    }
    rci_util_stack_free(&v.st);
    pairs_free(&v.pairs);
    if (st == RC_OK)
        *out = eq;
    return st;
}

/* Returns false with the heap's error set if the comparison fails: a dead proxy
 * (RC_EREFERENCE), containers that contain themselves (RC_ELIMIT, RECUR), RC_ENOMEM. */
bool rc_equal(rc_heap *heap, rc_object *a, rc_object *b)
{
    bool equal = false;
    if (value_equal(heap, a, b, &equal, "rc_equal") != RC_OK)
        return false;
    return equal;
}
