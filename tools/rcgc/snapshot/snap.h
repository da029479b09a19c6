/* `rcgc snapshot`: V8 .heapsnapshot files (the ones rc_heap_snapshot_write, Chrome and node
 * write) loaded into flat arrays, and the analyses the subcommands share. Uses the tool's
 * input loading, output and reachability search (rcgc_tool.h), never the library.
 *
 * Invariant NODES: node i (0 <= i < n_nodes) has its fields in the arrays below at i; its
 * edges are [first_edge[i], first_edge[i + 1]) of the edge arrays, in file order, and an
 * edge's target is a node number (the file's to_node divided by the node field count).
 * Node 0 is the file's first node, which V8 and rcgc make the synthetic root.
 */
#ifndef RCGC_SNAP_H
#define RCGC_SNAP_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../rcgc_tool.h"

#define SNAP_MAX_TYPES 64                /* node or edge types a file may declare */
#define SNAP_STRING_MAX ((1u << 24) - 1) /* bytes of one string's JSON text at most */

struct snap {
    struct input in;   /* the file's bytes */
    const char *label; /* its name for messages */
    uint32_t n_nodes;
    uint32_t n_edges;
    uint8_t *ntype;       /* node type (index into node_types) */
    uint32_t *nname;      /* node name (string index) */
    uint64_t *nid;        /* node id */
    uint64_t *nsize;      /* self size in bytes */
    uint32_t *ntrace;     /* trace node id, 0 if none */
    uint32_t *first_edge; /* n_nodes + 1 */
    uint8_t *etype;       /* edge type (index into edge_types) */
    uint32_t *ename;      /* string index, or the number of element and hidden edges */
    uint32_t *eto;        /* target node */
    uint32_t n_strings;
    uint64_t *strings;         /* each string's raw JSON text, escapes not undone: its offset in
                             the input << 24 | its length (SNAP_STRING_MAX at most) */
    const unsigned char *text; /* the input the offsets are from */
    char *node_types[SNAP_MAX_TYPES];
    unsigned n_node_types;
    char *edge_types[SNAP_MAX_TYPES];
    unsigned n_edge_types;
    int et_weak, et_element, et_hidden, et_shortcut; /* edge type numbers, -1 if absent */
    int nt_object, nt_native, nt_hidden, nt_code;    /* node type numbers, -1 if absent */
    /* allocation sites: trace function infos and the trace tree, flattened */
    uint32_t n_funcs;
    uint32_t *func_name; /* string index of each function's name */
    uint32_t n_trace;
    uint32_t *trace_id;   /* trace node ids, sorted */
    uint32_t *trace_func; /* their function index */
};

/* Loads path ("-" for standard input). 0, or 1 after printing `rcgc: FILE: why`. */
int snap_load(struct snap *s, const char *path);
/* The same over bytes in memory (s zeroed by the caller; s->in stays empty). */
int snap_load_bytes(struct snap *s, const unsigned char *data, size_t size, const char *label);
void snap_free(struct snap *s);

/* A string's text with JSON escapes undone, into buf (cap bytes, NUL-terminated, cut at a
 * character boundary); returns its length. */
size_t snap_string(const struct snap *s, uint32_t index, char *buf, size_t cap);
/* DevTools' class name of node i: the name of object and native nodes, "(system)" for
 * hidden ones, "(compiled code)" for code, "(TYPE)" for the others. */
size_t snap_class(const struct snap *s, uint32_t i, char *buf, size_t cap);
/* A key equal for nodes of the same class within one file. */
uint64_t snap_class_key(const struct snap *s, uint32_t i);
/* An edge's name as text: a string, or "[N]" for element and hidden edges. */
size_t snap_edge_name(const struct snap *s, uint32_t e, char *buf, size_t cap);
/* Whether edge e keeps its target alive (every edge but weak ones). */
static inline bool snap_edge_strong(const struct snap *s, uint32_t e)
{
    return (int)s->etype[e] != s->et_weak;
}
/* The allocation site of node i as text ("" if none). */
size_t snap_site(const struct snap *s, uint32_t i, char *buf, size_t cap);
/* The node whose id is id, or UINT32_MAX. */
uint32_t snap_find_id(const struct snap *s, uint64_t id);

/* Graphs over the strong edges: forward rows (the graph of reach.c) and reverse rows. */
void snap_strong_graph(const struct snap *s, struct graph *g);
void snap_reverse_graph(const struct snap *s, struct graph *r, uint32_t **edge_of);
void snap_graph_free(struct graph *g);

/* Dominators from node 0 over the strong edges g (semi-NCA, iterative), consuming g (its
 * rows are freed as soon as they are no longer needed): idom[i] is node i's
 * immediate dominator (node 0's is 0), UINT32_MAX for nodes node 0 does not reach;
 * retained[i] the bytes freed if i went (self sizes of what it dominates, its own
 * included; 0 for unreachable nodes). The caller frees both with free(). */
void snap_dominators(const struct snap *s, struct graph *g, uint32_t **idom, uint64_t **retained);
/* Which nodes node 0 reaches over strong edges: a bitmap (marks_new), its size in *bytes. */
uint64_t *snap_reached(const struct snap *s, const struct graph *g, size_t *bytes);

int cmd_snapshot(int argc, char **argv);
extern const char snapshot_help[];
extern const char *const snapshot_value_options[];

#endif
