/*
 * util.c -- containers the library's files share (util.h): the address map, the growable
 * object array, the stack of frames, the growable arrays, the text buffer and the top-N
 * inserter.
 */
#include "util.h"

#include <string.h>

/* ---- address map ----------------------------------------------------------------------- */

static bool rehash(rc_heap *heap, rci_ptrmap *map, size_t new_cap)
{
    uintptr_t *keys = rci_mem_alloc(heap, new_cap * sizeof *keys);
    size_t *vals = rci_mem_alloc(heap, new_cap * sizeof *vals);
    if (keys == NULL || vals == NULL) {
        if (keys != NULL)
            rci_mem_free(heap, keys, new_cap * sizeof *keys);
        if (vals != NULL)
            rci_mem_free(heap, vals, new_cap * sizeof *vals);
        return false;
    }
    memset(keys, 0, new_cap * sizeof *keys);
    for (size_t i = 0; i < map->cap; i++) {
        if (map->keys[i] == 0)
            continue;
        size_t j = rci_util_ptrmap_slot(map->keys[i], new_cap);
        while (keys[j] != 0)
            j = (j + 1) & (new_cap - 1);
        keys[j] = map->keys[i];
        vals[j] = map->vals[i];
    }
    size_t len = map->len;
    rci_util_ptrmap_free(heap, map);
    map->keys = keys;
    map->vals = vals;
    map->cap = new_cap;
    map->len = len;
    return true;
}

bool rci_util_ptrmap_reserve(rc_heap *heap, rci_ptrmap *map, size_t n)
{
    size_t cap = map->cap < 16 ? 16 : map->cap;
    while (cap / 2 < n)
        cap *= 2;
    return cap == map->cap || rehash(heap, map, cap);
}

size_t *rci_util_ptrmap_insert(rc_heap *heap, rci_ptrmap *map, const void *key, bool *added)
{
    uintptr_t k = (uintptr_t)key;
    size_t *found = rci_util_ptrmap_find(map, key);
    *added = false;
    if (found != NULL || k == 0)
        return found;
    if (!rci_util_ptrmap_reserve(heap, map, map->len + 1))
        return NULL;
    size_t i = rci_util_ptrmap_slot(k, map->cap);
    while (map->keys[i] != 0)
        i = (i + 1) & (map->cap - 1);
    map->keys[i] = k;
    /* vals has cap slots once cap is not 0 (rehash allocates both arrays or neither); the
     * analyzer, seeing this file alone since the move, cannot tell. */
    map->vals[i] = 0; /* NOLINT(clang-analyzer-core.NullDereference) */
    map->len++;
    *added = true;
    return &map->vals[i];
}

void rci_util_ptrmap_free(rc_heap *heap, rci_ptrmap *map)
{
    if (map->cap != 0) {
        rci_mem_free(heap, map->keys, map->cap * sizeof *map->keys);
        rci_mem_free(heap, map->vals, map->cap * sizeof *map->vals);
    }
    memset(map, 0, sizeof *map);
}

/* ---- object arrays --------------------------------------------------------------------- */

bool rci_util_ptrvec_push(rc_heap *heap, rci_ptrvec *vec, rc_object *obj)
{
    if (!rci_util_vec_reserve(heap, &vec->items, &vec->cap, vec->len + 1, sizeof(rc_object *), 16))
        return false;
    vec->items[vec->len++] = obj;
    return true;
}

void rci_util_ptrvec_free(rc_heap *heap, rci_ptrvec *vec)
{
    if (vec->cap != 0)
        rci_mem_free(heap, vec->items, vec->cap * sizeof(rc_object *));
    memset(vec, 0, sizeof *vec);
}

/* ---- a stack of frames ------------------------------------------------------------------ */

void rci_util_stack_init(rci_stack *st, rc_heap *heap, void *inline_buf, size_t inline_frames,
                         size_t frame_bytes, const char *call)
{
    st->heap = heap;
    st->base = inline_buf;
    st->inline_base = inline_buf;
    st->n = 0;
    st->cap = inline_frames;
    st->frame_bytes = frame_bytes;
    st->call = call;
}

/* Doubles the room; the frames move to rci_mem memory on the first growth. */
static bool stack_grow(rci_stack *st)
{
    size_t new_cap = st->cap * 2;
    if (new_cap < st->cap || new_cap > SIZE_MAX / st->frame_bytes) {
        rci_error(st->heap, RC_ENOMEM, "%s: nesting of %zu levels needs too much memory", st->call,
                  st->n);
        return false;
    }
    char *grown;
    if (st->base == st->inline_base) {
        grown = rci_mem_alloc(st->heap, new_cap * st->frame_bytes);
        if (grown != NULL)
            memcpy(grown, st->base, st->n * st->frame_bytes);
    } else {
        grown = rci_mem_resize(st->heap, st->base, st->cap * st->frame_bytes,
                               new_cap * st->frame_bytes);
    }
    if (grown == NULL) {
        rci_error(st->heap, RC_ENOMEM, "%s: out of memory for a nesting of %zu levels", st->call,
                  st->n);
        return false;
    }
    st->base = grown;
    st->cap = new_cap;
    return true;
}

void *rci_util_stack_push(rci_stack *st)
{
    if (st->n == st->cap && !stack_grow(st))
        return NULL;
    char *frame = st->base + st->n * st->frame_bytes;
    memset(frame, 0, st->frame_bytes);
    st->n++;
    return frame;
}

void rci_util_stack_free(rci_stack *st)
{
    if (st->base != st->inline_base)
        rci_mem_free(st->heap, st->base, st->cap * st->frame_bytes);
    st->base = st->inline_base;
    st->n = 0;
}

/* ---- growable arrays --------------------------------------------------------------------- */

bool rci_util_vec_grow(rc_heap *heap, void *items, size_t *cap, size_t need, size_t item_bytes,
                       size_t first_cap)
{
    size_t n = *cap ? *cap : first_cap;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return false;
        n *= 2;
    }
    if (n > SIZE_MAX / item_bytes)
        return false;
    void *old;
    memcpy(&old, items, sizeof old);
    void *grown = rci_mem_resize(heap, old, *cap * item_bytes, n * item_bytes);
    if (grown == NULL)
        return false;
    memcpy(items, &grown, sizeof grown);
    *cap = n;
    return true;
}

/* ---- text buffer ------------------------------------------------------------------------ */

bool rci_util_text_append(rc_heap *heap, rci_text *t, const char *bytes, size_t n, size_t first_cap)
{
    if (n >= SIZE_MAX - t->len || !rci_util_text_reserve(heap, t, t->len + n + 1, first_cap))
        return false;
    memcpy(t->data + t->len, bytes, n);
    t->len += n;
    t->data[t->len] = '\0';
    return true;
}

void rci_util_text_free(rc_heap *heap, rci_text *t)
{
    if (t->cap != 0)
        rci_mem_free(heap, t->data, t->cap);
    t->data = NULL;
    t->len = t->cap = 0;
}

/* ---- top N ------------------------------------------------------------------------------ */

void rci_util_topn_offer(void *out, size_t cap, size_t *n, const void *item, size_t item_bytes,
                         rci_util_before_fn before, const void *ctx)
{
    char *o = out;
    size_t i = *n < cap ? (*n)++ : cap;
    if (i == cap) {
        if (cap == 0 || !before(item, o + (cap - 1) * item_bytes, ctx))
            return;
        i = cap - 1;
    }
    while (i > 0 && before(item, o + (i - 1) * item_bytes, ctx)) {
        memcpy(o + i * item_bytes, o + (i - 1) * item_bytes, item_bytes);
        i--;
    }
    memcpy(o + i * item_bytes, item, item_bytes);
}
