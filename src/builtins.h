/*
 * builtins.h -- what the built-in types (int.c, float.c, str.c, tuple.c, list.c, dict.c,
 * hash.c, repr.c, builtins.c) share among themselves and nobody else includes: their
 * instance layouts, their fixed type indexes, a growable frame stack for walking nested
 * containers without C recursion, and the internal, status-returning forms of hash and
 * equality.
 *
 * Invariant ZERO-VALID (stated here, kept by every built-in): an instance whose fields past
 * the header are all zero is a valid empty value (0, 0.0, '', (), [], {}), so rc_new on a
 * built-in type yields a usable object.
 */
#ifndef RCGC_BUILTINS_H
#define RCGC_BUILTINS_H

#include "util.h"

/* Registration order fixed by rci_builtins_register: these are the types' indexes. */
#define RCI_INDEX_INT 1u
#define RCI_INDEX_FLOAT 2u
#define RCI_INDEX_STR 3u
#define RCI_INDEX_TUPLE 4u
#define RCI_INDEX_LIST 5u
#define RCI_INDEX_DICT 6u

/* A boxed int: a value outside [RC_SMALL_INT_MIN, RC_SMALL_INT_MAX] (or one made by rc_new). */
typedef struct rci_int {
    rc_object hdr;
    int64_t value; /* the integer */
} rci_int;

typedef struct rci_float {
    rc_object hdr;
    double value; /* the number, NaN and infinities included */
} rci_float;

/* Invariant STR-UTF8 (owner str.c): data holds len bytes of valid UTF-8 and a NUL. */
typedef struct rci_str {
    rc_object hdr;
    size_t len;    /* bytes of text, NUL excluded */
    uint64_t hash; /* seeded hash of the bytes; 0 until computed (a real 0 is stored as 1) */
    char data[];   /* len bytes and a terminating NUL */
} rci_str;

/* Invariant TUPLE-FIXED (owner tuple.c): len never changes; items are set at creation and
 * only cleared (to NULL) when the tuple dies, so a cached hash stays right. */
typedef struct rci_tuple {
    rc_object hdr;
    size_t len;         /* items in the tail */
    uint64_t hash;      /* hash of the items, 0 until computed (a real 0 is stored as 1) */
    rc_object *items[]; /* owned references (NULL is None) */
} rci_tuple;

/* Invariant LIST-BUF (owner list.c): items holds cap slots from rci_mem_buf_alloc charged to
 * heap->types.t_list (NULL when cap is 0); slots [0, len) are owned references. */
typedef struct rci_list {
    rc_object hdr;
    size_t len;        /* items in use */
    size_t cap;        /* slots allocated in items */
    rc_object **items; /* the slots */
} rci_list;

/* One dict entry in insertion order. A deleted entry keeps its place as a hole. */
typedef struct rci_dict_entry {
    uint64_t hash;    /* rc_hash of key */
    rc_object *key;   /* owned reference, or RCI_DICT_HOLE for a deleted entry */
    rc_object *value; /* owned reference (NULL for a hole) */
} rci_dict_entry;

/* Marks a deleted entry: neither NULL (None), a small int (odd) nor an object (8-aligned). */
#define RCI_DICT_HOLE ((rc_object *)(uintptr_t)2)

/* Invariant DICT-TABLE (owner dict.c): table is one rci_buf block charged to heap->types.t_dict:
 * `size` int32 index slots (power of two, or 0 with table NULL) followed by
 * rci_dict_usable(size) entries; [0, n_entries) are used, len of them live. */
typedef struct rci_dict {
    rc_object hdr;
    size_t len;       /* live entries */
    size_t n_entries; /* entries used, holes included */
    size_t size;      /* index slots, a power of two >= 8, or 0 */
    int32_t *table;   /* index slots, then the entries */
} rci_dict;

static inline size_t rci_dict_usable(size_t size)
{
    return size * 2 / 3;
}
static inline rci_dict_entry *rci_dict_entries(const rci_dict *d)
{
    return d->table == NULL ? NULL : (rci_dict_entry *)(d->table + d->size);
}

/* True if ref is an allocated object of the built-in type with that index. */
static inline bool rci_builtin_is(const rc_object *ref, uint32_t index)
{
    return rc_is_heap_object(ref) && rci_type_index(ref) == index;
}
static inline bool rci_int_is_small(const rc_object *ref)
{
    return ((uintptr_t)ref & 1u) != 0;
}
static inline int64_t rci_int_small_value(const rc_object *ref)
{
    return (int64_t)(intptr_t)ref >> 1;
}
static inline bool rci_int_is_ref(const rc_object *ref)
{
    return rci_int_is_small(ref) || rci_builtin_is(ref, RCI_INDEX_INT);
}
/* The value of an int reference (small or boxed); ref must be an int. */
static inline int64_t rci_int_get(const rc_object *ref)
{
    return rci_int_is_small(ref) ? rci_int_small_value(ref) : ((const rci_int *)ref)->value;
}

/* The name of ref's type for messages: "None" for NULL, "int" for small ints. */
const char *rci_builtins_type_name(const rc_heap *heap, const rc_object *ref);
/* Records RC_ETYPE: "<call>: expected <what>, got <type of ref>". */
rc_status rci_builtins_type_error(rc_heap *heap, const char *call, const char *what,
                                  const rc_object *ref);

/* Invariant PROXY-FORWARD (stated here, kept by every public built-in operation): an
 * operation given a weak proxy where it expects its own type works on the proxy's referent,
 * as CPython's proxies forward (weakref.c). The check sits on the path taken when the type
 * test fails, so the fast paths pay nothing. rci_builtin_unproxy: the live referent of ref
 * if ref is a weak proxy to an object of the built-in type index, else NULL with RC_ETYPE
 * (or RC_EREFERENCE for a dead proxy) recorded, naming call and what. */
rc_object *rci_builtin_unproxy(rc_heap *heap, const rc_object *ref, uint32_t index,
                               const char *call, const char *what);
/* ref itself if it is of the built-in type index, else rci_builtin_unproxy's answer. */
static inline rc_object *rci_builtin_self(rc_heap *heap, const rc_object *ref, uint32_t index,
                                          const char *call, const char *what)
{
    if (rc_is_heap_object(ref) && rci_type_index(ref) == index)
        return (rc_object *)ref;
    return rci_builtin_unproxy(heap, ref, index, call, what);
}

/* Type registration, one per file; each returns the type or NULL with the error set. */
rc_type *rci_int_register(rc_heap *heap);
rc_type *rci_float_register(rc_heap *heap);
rc_type *rci_str_register(rc_heap *heap);
rc_type *rci_tuple_register(rc_heap *heap);
rc_type *rci_list_register(rc_heap *heap);
rc_type *rci_dict_register(rc_heap *heap);

/* A 64-bit finaliser that spreads every input bit over the result (the splitmix64 mix). */
static inline uint64_t rci_hash_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

/* The cached hash of a str (computes it on first use). */
uint64_t rci_str_hash(rc_heap *heap, rci_str *s);
/* The hash a str holding those len bytes has (rci_str_hash), without making one. */
uint64_t rci_str_hash_bytes(const rc_heap *heap, const char *data, size_t len);

/* Hash and equality that report failure: nested tuples are walked with a frame stack that
 * may need memory (RC_ENOMEM with the heap's error set; *out untouched). `call` names the
 * public function in messages. */
rc_status rci_hash(rc_heap *heap, rc_object *obj, uint64_t *out, const char *call);
rc_status rci_hash_equal(rc_heap *heap, rc_object *a, rc_object *b, bool *out, const char *call);
/* Equality of two references other than two tuples: identity, numbers by value, str by
 * bytes (hash.c). */
bool rci_hash_leaf_equal(const rc_object *a, const rc_object *b);
/* The value stored in dict (a dict, not a proxy) under key, whose hash is given, borrowed
 * in *value with *found set; *found false if absent. Fails only as the key comparison
 * can (RC_ENOMEM). No user code runs (dict.c). */
rc_status rci_dict_find_hashed(rc_heap *heap, const rc_object *dict, rc_object *key, uint64_t hash,
                               rc_object **value, bool *found, const char *call);

#endif /* RCGC_BUILTINS_H */
