/*
 * graph.h -- what the graph and leak-hunting files (introspect.c, graph.c, graph_render.c,
 * objgraph.c) share: address sets and maps, growable object arrays, labelled references,
 * and the renderer's entry point. Private to those files.
 *
 * Invariant KEYS: a map key is an object reference as a number; 0 (NULL, None) never is
 * one, so 0 marks an empty slot. Small ints are keys like any other reference.
 */
#ifndef RCGC_GRAPH_H
#define RCGC_GRAPH_H

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
static inline size_t rci_ptrmap_slot(uintptr_t key, size_t cap)
{
    uint64_t h = (uint64_t)key * UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

/* The value slot for key, or NULL if absent. Inline: the graph walks probe once per
 * reference of the heap. */
static inline size_t *rci_ptrmap_find(const rci_ptrmap *map, const void *key)
{
    uintptr_t k = (uintptr_t)key;
    if (map->cap == 0 || k == 0)
        return NULL;
    for (size_t i = rci_ptrmap_slot(k, map->cap);; i = (i + 1) & (map->cap - 1)) {
        if (map->keys[i] == k)
            return &map->vals[i];
        if (map->keys[i] == 0)
            return NULL;
    }
}
/* The value slot for key, inserting it with value 0 (and setting *added) if absent; NULL if
 * memory ran out (the map is unchanged). */
size_t *rci_ptrmap_insert(rc_heap *heap, rci_ptrmap *map, const void *key, bool *added);
/* Reserves room for n keys; false if memory ran out. */
bool rci_ptrmap_reserve(rc_heap *heap, rci_ptrmap *map, size_t n);
void rci_ptrmap_free(rc_heap *heap, rci_ptrmap *map);

/* A growable array of references (not owned: no counts are held). */
typedef struct rci_ptrvec {
    rc_object **items; /* len used of cap */
    size_t len;
    size_t cap;
} rci_ptrvec;

bool rci_ptrvec_push(rc_heap *heap, rci_ptrvec *vec, rc_object *obj);
void rci_ptrvec_free(rc_heap *heap, rci_ptrvec *vec);
/* Appends vec's items to list, a new list the caller made before gathering them
 * (introspect.c, NO-SELF), and returns it; on failure releases it and returns NULL with the
 * heap's error set, naming `call`. */
rc_object *rci_list_fill(rc_heap *heap, rc_object *list, const rci_ptrvec *vec, const char *call);

/* Renders DOT text to out_path in format ("svg", "png", "pdf") with Graphviz's dot
 * program in a child process (graph_render.c, RENDER-ISOLATION): safe from any thread.
 * RC_OK, or an error with a reason in why; *unavailable is set when no dot program could
 * be run (the caller writes DOT text instead). False from rci_graph_can_render when the
 * library was built without Graphviz. */
bool rci_graph_can_render(void);
rc_status rci_graph_render(const char *dot, size_t dot_bytes, const char *format,
                           const char *out_path, char *why, size_t why_cap, bool *unavailable);

/* How many allocation sites are listed under a type's line (objgraph.c's show_growth,
 * leakguard.c's report). */
#define RCI_SITES_PER_TYPE 5u

#endif /* RCGC_GRAPH_H */
