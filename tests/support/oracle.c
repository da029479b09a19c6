/*
 * oracle.c -- the reachability model of oracle.h (invariant MODEL is stated there). Plain
 * arrays and a breadth-first search: slow and obviously right is the point.
 */
#include "oracle.h"

#include <stdlib.h>
#include <string.h>

typedef struct or_node {
    bool exists;
    int holds;  /* references held from outside the graph */
    int *slots; /* target ids or OR_NONE */
    size_t n_slots;
    size_t cap;
} or_node;

struct or_graph {
    or_node *nodes;
    size_t n;
    size_t cap;
};

static void *or_xrealloc(void *p, size_t bytes)
{
    void *q = realloc(p, bytes ? bytes : 1);
    if (q == NULL)
        abort();
    return q;
}

or_graph *or_new(void)
{
    or_graph *g = or_xrealloc(NULL, sizeof *g);
    memset(g, 0, sizeof *g);
    return g;
}

void or_free(or_graph *g)
{
    if (g == NULL)
        return;
    for (size_t i = 0; i < g->n; i++)
        free(g->nodes[i].slots);
    free(g->nodes);
    free(g);
}

static or_node *node_at(const or_graph *g, int id)
{
    if (id < 0 || (size_t)id >= g->n)
        abort();
    return &g->nodes[id];
}

static void reserve_slots(or_node *nd, size_t want)
{
    if (want <= nd->cap)
        return;
    size_t cap = nd->cap ? nd->cap * 2 : 4;
    while (cap < want)
        cap *= 2;
    nd->slots = or_xrealloc(nd->slots, cap * sizeof *nd->slots);
    nd->cap = cap;
}

int or_add(or_graph *g, size_t n_slots)
{
    if (g->n == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 16;
        g->nodes = or_xrealloc(g->nodes, g->cap * sizeof *g->nodes);
    }
    or_node *nd = &g->nodes[g->n];
    memset(nd, 0, sizeof *nd);
    nd->exists = true;
    reserve_slots(nd, n_slots);
    for (size_t i = 0; i < n_slots; i++)
        nd->slots[i] = OR_NONE;
    nd->n_slots = n_slots;
    return (int)g->n++;
}

size_t or_size(const or_graph *g)
{
    return g->n;
}

bool or_exists(const or_graph *g, int id)
{
    return node_at(g, id)->exists;
}

void or_remove(or_graph *g, int id)
{
    or_node *nd = node_at(g, id);
    nd->exists = false;
    nd->n_slots = 0;
    nd->holds = 0;
}

size_t or_slot_count(const or_graph *g, int id)
{
    return node_at(g, id)->n_slots;
}

int or_slot_get(const or_graph *g, int id, size_t slot)
{
    const or_node *nd = node_at(g, id);
    if (slot >= nd->n_slots)
        abort();
    return nd->slots[slot];
}

void or_slot_set(or_graph *g, int id, size_t slot, int target)
{
    or_node *nd = node_at(g, id);
    if (slot >= nd->n_slots)
        abort();
    nd->slots[slot] = target;
}

void or_slot_append(or_graph *g, int id, int target)
{
    or_node *nd = node_at(g, id);
    reserve_slots(nd, nd->n_slots + 1);
    nd->slots[nd->n_slots++] = target;
}

void or_slot_insert(or_graph *g, int id, size_t slot, int target)
{
    or_node *nd = node_at(g, id);
    if (slot > nd->n_slots)
        abort();
    reserve_slots(nd, nd->n_slots + 1);
    memmove(&nd->slots[slot + 1], &nd->slots[slot], (nd->n_slots - slot) * sizeof *nd->slots);
    nd->slots[slot] = target;
    nd->n_slots++;
}

int or_slot_pop(or_graph *g, int id, size_t slot)
{
    or_node *nd = node_at(g, id);
    if (slot >= nd->n_slots)
        abort();
    int target = nd->slots[slot];
    memmove(&nd->slots[slot], &nd->slots[slot + 1], (nd->n_slots - slot - 1) * sizeof *nd->slots);
    nd->n_slots--;
    return target;
}

void or_hold_add(or_graph *g, int id, int delta)
{
    or_node *nd = node_at(g, id);
    nd->holds += delta;
    if (nd->holds < 0)
        abort();
}

int or_holds(const or_graph *g, int id)
{
    return node_at(g, id)->holds;
}

void or_reachable(const or_graph *g, bool *reachable)
{
    or_reachable_from(g, NULL, reachable);
}

void or_reachable_from(const or_graph *g, const bool *extra_roots, bool *reachable)
{
    int *queue = or_xrealloc(NULL, g->n * sizeof *queue);
    size_t head = 0, tail = 0;
    for (size_t i = 0; i < g->n; i++) {
        reachable[i] = g->nodes[i].exists &&
                       (g->nodes[i].holds > 0 || (extra_roots != NULL && extra_roots[i]));
        if (reachable[i])
            queue[tail++] = (int)i;
    }
    while (head < tail) {
        const or_node *nd = &g->nodes[queue[head++]];
        for (size_t s = 0; s < nd->n_slots; s++) {
            int t = nd->slots[s];
            if (t == OR_NONE || reachable[t] || !g->nodes[t].exists)
                continue;
            reachable[t] = true;
            queue[tail++] = t;
        }
    }
    free(queue);
}

long or_expected_refcount(const or_graph *g, int id)
{
    long n = node_at(g, id)->holds;
    for (size_t i = 0; i < g->n; i++) {
        const or_node *nd = &g->nodes[i];
        if (!nd->exists)
            continue;
        for (size_t s = 0; s < nd->n_slots; s++)
            n += nd->slots[s] == id;
    }
    return n;
}

void or_expected_refcounts(const or_graph *g, long *counts)
{
    for (size_t i = 0; i < g->n; i++)
        counts[i] = g->nodes[i].exists ? g->nodes[i].holds : 0;
    for (size_t i = 0; i < g->n; i++) {
        const or_node *nd = &g->nodes[i];
        if (!nd->exists)
            continue;
        for (size_t s = 0; s < nd->n_slots; s++)
            if (nd->slots[s] != OR_NONE)
                counts[nd->slots[s]]++;
    }
}
