/*
 * oracle.h -- the model the differential tests compare rcgc against: a directed graph of
 * integer node ids with, for each node, an ordered array of outgoing slots (a slot holds a
 * target id or OR_NONE) and a count of references held from outside the graph.
 *
 * It knows nothing of rcgc and shares no code with src/: it answers "which nodes are
 * reachable from an externally held node" by a plain breadth-first search, and "what
 * count should this node have" by counting holds and incoming slots.
 *
 * Invariant MODEL: a node exists from or_add until or_remove; only existing nodes have
 * slots, and only slots of existing nodes count as incoming references.
 */
#ifndef RCTEST_ORACLE_H
#define RCTEST_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

#define OR_NONE (-1)

typedef struct or_graph or_graph;

or_graph *or_new(void);
void or_free(or_graph *g);

/* Adds a node with n_slots empty slots and no holds; returns its id (0, 1, 2, ...). */
int or_add(or_graph *g, size_t n_slots);
/* Ids handed out so far (existing or removed). */
size_t or_size(const or_graph *g);
bool or_exists(const or_graph *g, int id);
/* The node is gone: its slots are dropped (they no longer reference anything). */
void or_remove(or_graph *g, int id);

size_t or_slot_count(const or_graph *g, int id);
int or_slot_get(const or_graph *g, int id, size_t slot);
void or_slot_set(or_graph *g, int id, size_t slot, int target);
void or_slot_append(or_graph *g, int id, int target);
/* Inserts a slot before index slot (<= the slot count), shifting the later ones up. */
void or_slot_insert(or_graph *g, int id, size_t slot, int target);
/* Removes the slot, shifting the later ones down; returns what it held. */
int or_slot_pop(or_graph *g, int id, size_t slot);

void or_hold_add(or_graph *g, int id, int delta);
int or_holds(const or_graph *g, int id);

/* reachable[id] = the node exists and a path of slots leads to it from a held node.
 * reachable has or_size(g) entries. */
void or_reachable(const or_graph *g, bool *reachable);
/* The same with more roots: every existing node with extra_roots[id] set. */
void or_reachable_from(const or_graph *g, const bool *extra_roots, bool *reachable);
/* Holds plus slots of existing nodes that name id. */
long or_expected_refcount(const or_graph *g, int id);
/* The same for every id at once (0 for removed nodes); counts has or_size(g) entries. */
void or_expected_refcounts(const or_graph *g, long *counts);

#endif /* RCTEST_ORACLE_H */
