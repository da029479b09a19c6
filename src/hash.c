/*
 * hash.c -- value equality and hashing of the built-in types (rc_equal, rc_hash), the
 * rules dict keys follow.
 *
 * Invariant HASH-EQ: rci_hash_equal(a, b) (key equality: what dicts use) implies rc_hash(a) ==
 * rc_hash(b). Numbers compare by value across int and float (1 == 1.0, -0.0 == 0.0), so an
 * integral float in the int64 range hashes as the int it equals; NaN equals only itself
 * (by identity). str compares bytes; tuples compare item by item and hash by an
 * order-dependent combination of their items' hashes. Live weakrefs compare as their
 * referents and hash as them (weakref.c, WRHASH). Everything else, None, lists and dicts
 * included, compares and hashes by identity. rc_equal (equal.c) is Python's == and
 * compares lists and dicts by value too; Python's lists and dicts have no hash, so HASH-EQ
 * does not bind it.
 *
 * Nested tuples are walked with an explicit frame stack (builtins.h, STACK), never by C
 * recursion, so depth is bounded by memory only; a tuple's hash is cached in it (TUPLE-FIXED
 * makes that safe), so walking a nest is paid once.
 */
#include "builtins.h"
#include "weakref.h"

#include <math.h>
#include <string.h>

#define IDENTITY_SALT 0x6a09e667f3bcc909u
#define NONE_HASH 0x3c6ef372fe94f82bu
#define TUPLE_MULT 0x9e3779b97f4a7c15u

/* An integral double in [-2^63, 2^63) as an int64; false for anything else. (No libm:
 * the library links without -lm.) */
static bool float_as_int(double d, int64_t *out)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return false;
    int64_t i = (int64_t)d; /* truncates; exact when d is integral */
    if ((double)i != d)
        return false;
    *out = i;
    return true;
}

static uint64_t int_hash(int64_t v)
{
    return rci_hash_mix64((uint64_t)v);
}

static uint64_t identity_hash(const rc_object *obj)
{
    return rci_hash_mix64((uint64_t)(uintptr_t)obj ^ IDENTITY_SALT);
}

static uint64_t float_hash(const rc_object *obj)
{
    double d = ((const rci_float *)obj)->value;
    int64_t i;
    if (isnan(d))
        return identity_hash(obj);
    if (float_as_int(d, &i))
        return int_hash(i);
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return rci_hash_mix64(bits ^ 0x510e527fade682d1u);
}

/* The hash of anything but a tuple whose hash is not yet cached. */
static uint64_t leaf_hash(rc_heap *heap, rc_object *obj)
{
    if (obj == NULL)
        return NONE_HASH;
    if (rci_int_is_ref(obj))
        return int_hash(rci_int_get(obj));
    switch (rci_type_index(obj)) {
    case RCI_INDEX_FLOAT:
        return float_hash(obj);
    case RCI_INDEX_STR:
        return rci_str_hash(heap, (rci_str *)obj);
    case RCI_INDEX_TUPLE:
        return ((rci_tuple *)obj)->hash;
    default:
        return identity_hash(obj);
    }
}

static uint64_t tuple_start(size_t len)
{
    return 0x27d4eb2f165667c5u ^ (uint64_t)len;
}
static uint64_t tuple_step(uint64_t acc, uint64_t item)
{
    acc = (acc ^ item) * TUPLE_MULT;
    return (acc << 31) | (acc >> 33);
}
static uint64_t tuple_finish(uint64_t acc, size_t len)
{
    uint64_t h = rci_hash_mix64(acc + (uint64_t)len);
    return h != 0 ? h : 1;
}

/* CPython's proxies have no hash: equal to their referent, they could not hash as it once
 * it dies. Only an object of a type registered after the built-ins can be one. */
static inline bool unhashable(const rc_heap *heap, const rc_object *obj)
{
    return rc_is_heap_object(obj) && rci_type_index(obj) > RCI_INDEX_DICT &&
           rc_is_weakproxy(heap, obj);
}

typedef struct hash_frame {
    rci_tuple *tuple; /* the tuple being hashed */
    size_t pos;       /* items already combined */
    uint64_t acc;     /* combination so far */
} hash_frame;

/* Hashes t and every uncached tuple inside it, caching each; children finish first and the
 * parent then reads their cached hash. */
static rc_status tuple_hash_walk(rc_heap *heap, rci_tuple *t, const char *call)
{
    hash_frame inline_frames[16];
    rci_stack st;
    rci_util_stack_init(&st, heap, inline_frames, 16, sizeof(hash_frame), call);
    hash_frame *f = rci_util_stack_push(&st);
    f->tuple = t;
    f->acc = tuple_start(t->len);
    while (st.n > 0) {
        f = rci_util_stack_top(&st);
        if (f->pos == f->tuple->len) {
            f->tuple->hash = tuple_finish(f->acc, f->tuple->len);
            rci_util_stack_pop(&st);
            continue;
        }
        rc_object *item = f->tuple->items[f->pos];
        if (rci_builtin_is(item, RCI_INDEX_TUPLE) && ((rci_tuple *)item)->hash == 0) {
            hash_frame *child = rci_util_stack_push(&st);
            if (child == NULL) {
                rci_util_stack_free(&st);
                return RC_ENOMEM;
            }
            child->tuple = (rci_tuple *)item;
            child->acc = tuple_start(child->tuple->len);
            continue;
        }
        if (rc_is_heap_object(item) && rc_is_weakref(heap, item)) {
            /* WRHASH (weakref.c): a tuple its hash comes from is walked here first, so that
             * rci_weakref_hash finds it cached and never walks in turn. */
            rc_object *src = rci_weakref_hash_source(heap, item);
            uint64_t h = 0;
            if (rci_builtin_is(src, RCI_INDEX_TUPLE) && ((rci_tuple *)src)->hash == 0) {
                hash_frame *child = rci_util_stack_push(&st);
                if (child == NULL) {
                    rci_util_stack_free(&st);
                    return RC_ENOMEM;
                }
                child->tuple = (rci_tuple *)src;
                child->acc = tuple_start(child->tuple->len);
                continue;
            }
            rc_status hs = rci_weakref_hash(heap, item, &h, call);
            if (hs != RC_OK) {
                rci_util_stack_free(&st);
                return hs;
            }
            f->acc = tuple_step(f->acc, h);
            f->pos++;
            continue;
        }
        if (unhashable(heap, item)) { /* no hash cached on the way out */
            rci_util_stack_free(&st);
            return rci_error(heap, RC_ETYPE, "%s: unhashable type: 'weakproxy'", call);
        }
        f->acc = tuple_step(f->acc, leaf_hash(heap, item));
        f->pos++;
    }
    rci_util_stack_free(&st);
    return RC_OK;
}

rc_status rci_hash(rc_heap *heap, rc_object *obj, uint64_t *out, const char *call)
{
    if (rc_is_heap_object(obj) && rc_is_weakref(heap, obj)) {
        rc_object *src = rci_weakref_hash_source(heap, obj);
        if (rci_builtin_is(src, RCI_INDEX_TUPLE) && ((rci_tuple *)src)->hash == 0) {
            rc_status st = tuple_hash_walk(heap, (rci_tuple *)src, call);
            if (st != RC_OK)
                return st;
        }
        return rci_weakref_hash(heap, obj, out, call);
    }
    if (rci_builtin_is(obj, RCI_INDEX_TUPLE) && ((rci_tuple *)obj)->hash == 0) {
        rc_status st = tuple_hash_walk(heap, (rci_tuple *)obj, call);
        if (st != RC_OK)
            return st;
    }
    if (unhashable(heap, obj))
        return rci_error(heap, RC_ETYPE, "%s: unhashable type: 'weakproxy'", call);
    *out = leaf_hash(heap, obj);
    return RC_OK;
}

/* Returns 0 if the hash of a deeply nested tuple cannot be computed for lack of memory
 * (the heap's error says so). */
uint64_t rc_hash(rc_heap *heap, rc_object *obj)
{
    uint64_t h = 0;
    if (rci_hash(heap, obj, &h, "rc_hash") != RC_OK)
        return 0;
    return h;
}

static bool is_number(const rc_object *o)
{
    return rci_int_is_ref(o) || rci_builtin_is(o, RCI_INDEX_FLOAT);
}

/* Exact numeric comparison: an int64 and a double are equal only if the double is
 * integral and converts to exactly that int (no rounding of large ints through double). */
static bool number_equal(const rc_object *a, const rc_object *b)
{
    bool a_int = rci_int_is_ref(a), b_int = rci_int_is_ref(b);
    if (a_int && b_int)
        return rci_int_get(a) == rci_int_get(b);
    if (!a_int && !b_int)
        return ((const rci_float *)a)->value == ((const rci_float *)b)->value;
    const rc_object *f = a_int ? b : a, *i = a_int ? a : b;
    int64_t as_int;
    return float_as_int(((const rci_float *)f)->value, &as_int) && as_int == rci_int_get(i);
}

static bool str_equal(const rci_str *a, const rci_str *b)
{
    if (a->len != b->len || (a->hash != 0 && b->hash != 0 && a->hash != b->hash))
        return false;
    return memcmp(a->data, b->data, a->len) == 0;
}

/* Equality of two references that are not both tuples (identity already failed). */
static bool leaf_equal(const rc_object *a, const rc_object *b)
{
    if (a == b)
        return true;
    if (is_number(a) && is_number(b))
        return number_equal(a, b);
    if (rci_builtin_is(a, RCI_INDEX_STR) && rci_builtin_is(b, RCI_INDEX_STR))
        return str_equal((const rci_str *)a, (const rci_str *)b);
    return false;
}

/* Two tuples that cannot be equal by their length or cached hashes. */
static bool tuples_differ_fast(const rci_tuple *a, const rci_tuple *b)
{
    return a->len != b->len || (a->hash != 0 && b->hash != 0 && a->hash != b->hash);
}

typedef struct equal_frame {
    rci_tuple *a, *b; /* tuples of equal length being compared */
    size_t pos;       /* items already found equal */
} equal_frame;

static rc_status tuple_equal_walk(rc_heap *heap, rci_tuple *a, rci_tuple *b, bool *out,
                                  const char *call)
{
    equal_frame inline_frames[16];
    rci_stack st;
    rci_util_stack_init(&st, heap, inline_frames, 16, sizeof(equal_frame), call);
    equal_frame *f = rci_util_stack_push(&st);
    f->a = a;
    f->b = b;
    bool equal = true;
    while (equal && st.n > 0) {
        f = rci_util_stack_top(&st);
        if (f->pos == f->a->len) {
            rci_util_stack_pop(&st);
            continue;
        }
        rc_object *x = f->a->items[f->pos], *y = f->b->items[f->pos];
        f->pos++;
        if (x == y)
            continue;
        if (!rci_builtin_is(x, RCI_INDEX_TUPLE) || !rci_builtin_is(y, RCI_INDEX_TUPLE)) {
            equal = leaf_equal(x, y);
            continue;
        }
        if (tuples_differ_fast((rci_tuple *)x, (rci_tuple *)y)) {
            equal = false;
            continue;
        }
        equal_frame *child = rci_util_stack_push(&st);
        if (child == NULL) {
            rci_util_stack_free(&st);
            return RC_ENOMEM;
        }
        child->a = (rci_tuple *)x;
        child->b = (rci_tuple *)y;
    }
    rci_util_stack_free(&st);
    *out = equal;
    return RC_OK;
}

static rc_status proxy_equal(rc_heap *heap, rc_object *a, rc_object *b, bool *out,
                             const char *call);

rc_status rci_hash_equal(rc_heap *heap, rc_object *a, rc_object *b, bool *out, const char *call)
{
    if (a != b && rci_builtin_is(a, RCI_INDEX_TUPLE) && rci_builtin_is(b, RCI_INDEX_TUPLE)) {
        if (tuples_differ_fast((rci_tuple *)a, (rci_tuple *)b)) {
            *out = false;
            return RC_OK;
        }
        return tuple_equal_walk(heap, (rci_tuple *)a, (rci_tuple *)b, out, call);
    }
    *out = leaf_equal(a, b);
    if (!*out && heap->wr.t_weakproxy != NULL &&
        (rc_is_weakproxy(heap, a) || rc_is_weakproxy(heap, b)))
        return proxy_equal(heap, a, b, out, call);
    if (!*out && rc_is_weakref(heap, a) && rc_is_weakref(heap, b))
        return rci_weakref_equal(heap, a, b, out, call);
    return RC_OK;
}

/* CPython's proxy_richcompare: a proxy compares as its referent, and a dead one cannot be
 * compared (PROXY-FORWARD; a referent is never a proxy itself, weakref.c). */
static rc_status proxy_equal(rc_heap *heap, rc_object *a, rc_object *b, bool *out, const char *call)
{
    rc_object *side[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        if (rci_weakref_proxy_unwrap(heap, side[i], &side[i]) && side[i] == NULL)
            return rci_error(heap, RC_EREFERENCE, "%s: weakly-referenced object no longer exists",
                             call);
    }
    return rci_hash_equal(heap, side[0], side[1], out, call);
}

bool rci_hash_leaf_equal(const rc_object *a, const rc_object *b)
{
    return leaf_equal(a, b);
}
