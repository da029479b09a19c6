/*
 * util.h -- containers the library's files share (owner: util.c), all in memory from the
 * heap's allocator: growable arrays, an address map, an object array, a stack of frames
 * and a text buffer; and a top-N inserter.
 *
 * Invariant KEYS: a map key is an object reference as a number; 0 (NULL, None) never is
 * one, so 0 marks an empty slot. Small ints are keys like any other reference.
 */
#ifndef RCGC_UTIL_H
#define RCGC_UTIL_H

#include "internal.h"

/* Open-addressing map from reference to a size_t value (linear probing, load <= 1/2).
 * Memory through the heap's allocator. */
typedef struct rci_ptrmap {
    uintptr_t *keys; /* cap slots; 0 = empty (KEYS) */
    size_t *vals;    /* the value of each slot */
    size_t len;      /* keys present */
    size_t cap;      /* slots, a power of two, or 0 before the first insert */
} rci_ptrmap;

/* Where probing for key starts in a table of cap slots. */
static inline size_t rci_util_ptrmap_slot(uintptr_t key, size_t cap)
{
    uint64_t h = (uint64_t)key * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

/* The value slot for key, or NULL if absent. Inline: the graph walks probe once per
 * reference of the heap. */
static inline size_t *rci_util_ptrmap_find(const rci_ptrmap *map, const void *key)
{
    uintptr_t k = (uintptr_t)key;
    if (map->cap == 0 || k == 0)
        return NULL;
    for (size_t i = rci_util_ptrmap_slot(k, map->cap);; i = (i + 1) & (map->cap - 1)) {
        if (map->keys[i] == k)
            return &map->vals[i];
        if (map->keys[i] == 0)
            return NULL;
    }
}
/* The value slot for key, inserting it with value 0 (and setting *added) if absent; NULL if
 * memory ran out (the map is unchanged). */
size_t *rci_util_ptrmap_insert(rc_heap *heap, rci_ptrmap *map, const void *key, bool *added);
/* Reserves room for n keys; false if memory ran out. */
bool rci_util_ptrmap_reserve(rc_heap *heap, rci_ptrmap *map, size_t n);
void rci_util_ptrmap_free(rc_heap *heap, rci_ptrmap *map);

/* A growable array of references (not owned: no counts are held). */
typedef struct rci_ptrvec {
    rc_object **items; /* len used of cap */
    size_t len;
    size_t cap;
} rci_ptrvec;

bool rci_util_ptrvec_push(rc_heap *heap, rci_ptrvec *vec, rc_object *obj);
void rci_util_ptrvec_free(rc_heap *heap, rci_ptrvec *vec);

/* ---------------------------------------------------------------------------------------
 * A stack of fixed-size frames (owner: util.c): starts in a caller-provided buffer and
 * moves to rci_mem memory when it outgrows it. Invariant STACK: base holds n frames of
 * frame_bytes each and room for cap; base == inline_base or it is rci_mem memory.
 */
typedef struct rci_stack {
    rc_heap *heap;      /* where grown memory comes from */
    char *base;         /* the frames */
    char *inline_base;  /* the caller's initial buffer */
    size_t n;           /* frames in use */
    size_t cap;         /* frames base can hold */
    size_t frame_bytes; /* bytes of one frame */
    const char *call;   /* public call named in the out-of-memory message */
} rci_stack;

void rci_util_stack_init(rci_stack *st, rc_heap *heap, void *inline_buf, size_t inline_frames,
                         size_t frame_bytes, const char *call);
/* A new zeroed frame on top, or NULL (RC_ENOMEM recorded, stack unchanged). */
void *rci_util_stack_push(rci_stack *st);
static inline void *rci_util_stack_top(rci_stack *st)
{
    return st->base + (st->n - 1) * st->frame_bytes;
}
static inline void rci_util_stack_pop(rci_stack *st)
{
    st->n--;
}
/* Releases grown memory; the stack must not be used afterwards. */
void rci_util_stack_free(rci_stack *st);

/* A growable array: makes room for need items of item_bytes in the array whose address is
 * at items (a pointer to the array pointer, NULL while the capacity is 0) with capacity
 * *cap, doubling from first_cap (or from *cap) until need fits; the array moves with
 * rci_mem_resize. False if memory ran out or the size would overflow: array and capacity
 * are then unchanged (nothing is reported: the caller names its call). */
bool rci_util_vec_grow(rc_heap *heap, void *items, size_t *cap, size_t need, size_t item_bytes,
                       size_t first_cap);
static inline bool rci_util_vec_reserve(rc_heap *heap, void *items, size_t *cap, size_t need,
                                        size_t item_bytes, size_t first_cap)
{
    return need <= *cap || rci_util_vec_grow(heap, items, cap, need, item_bytes, first_cap);
}

/* Backward-shift deletion from an open-addressing table of mask + 1 slots with linear
 * probing (weakref.c's table, origin.c's and snapshot.c's address maps, equal.c's pairs):
 * after a hole is made, the entries of its probe run are walked forward; the entry at slot
 * i, whose probing starts at slot home, moves back into the hole unless home lies
 * cyclically within (hole, i] (it would then no longer be found). True: it moves. */
static inline bool rci_util_shift_fills(size_t hole, size_t i, size_t home, size_t mask)
{
    return ((i - home) & mask) >= ((i - hole) & mask);
}

/* A growable text buffer (dot.c's DOT text, repr.c's rc_strbuf): len bytes of data used
 * of cap; data is NULL while cap is 0, else rci_mem memory (or, for a fixed rc_strbuf, the
 * caller's buffer, which never grows). */
typedef struct rci_text {
    char *data;
    size_t len;
    size_t cap;
} rci_text;

/* Room for need bytes in all, doubling from first_cap (or from cap) as
 * rci_util_vec_reserve does; false if memory ran out (the text is unchanged; nothing is
 * reported: the caller names its call). */
static inline bool rci_util_text_reserve(rc_heap *heap, rci_text *t, size_t need, size_t first_cap)
{
    return rci_util_vec_reserve(heap, &t->data, &t->cap, need, 1, first_cap);
}
/* Appends n bytes and keeps data NUL-terminated (the NUL not counted in len); false if
 * memory ran out (the text is unchanged). */
bool rci_util_text_append(rc_heap *heap, rci_text *t, const char *bytes, size_t n,
                          size_t first_cap);
void rci_util_text_free(rc_heap *heap, rci_text *t);

/* Top N: keeps out[0, *n), an array of items of item_bytes each, sorted best first and
 * holding the best cap items offered so far (before(a, b, ctx): a ranks before b). The
 * item is copied in; out holds at most cap items. */
typedef bool (*rci_util_before_fn)(const void *a, const void *b, const void *ctx);
void rci_util_topn_offer(void *out, size_t cap, size_t *n, const void *item, size_t item_bytes,
                         rci_util_before_fn before, const void *ctx);

#endif /* RCGC_UTIL_H */
