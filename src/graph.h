/*
 * graph.h -- what the graph and leak-hunting files (graph.c, render.c,
 * dot.c, objgraph.c, leakguard.c) share beyond util.h and introspect.h: the graph walk
 * and its labelled references, and the renderer's entry point.
 * Private to those files.
 */
#ifndef RCGC_GRAPH_H
#define RCGC_GRAPH_H

#include "introspect.h"

/* ---- graph walks (graph.c), written out as DOT by dot.c -------------------------------- */

#define RCI_LABEL_BYTES 64u /* an edge label */
#define RCI_NO_PARENT ((size_t)-1)

/* Where a reference sits in its holder; the label is formatted only when wanted, since
 * drawing a few edges of a list of millions must not format millions of labels. */
typedef enum ref_kind { REF_ITEM, REF_FIELD, REF_TRAVERSE, REF_DICT_KEY, REF_DICT_VALUE } ref_kind;

typedef struct ref_pos {
    ref_kind kind;
    size_t i;            /* index among the holder's references (items, fields, visits) */
    const rc_type *type; /* the holder's type (field names) */
    rc_object *key;      /* REF_DICT_VALUE: its key */
    rc_object *holder;   /* the object holding the reference (user types' ref_label) */
} ref_pos;

typedef int (*ref_pos_fn)(rc_heap *heap, rc_object *target, const ref_pos *pos, void *user);

/* Calls fn for each reference obj holds with its position, in traversal order (dicts in
 * insertion order, key before value). */
int rci_graph_each_ref_pos(rc_heap *heap, rc_object *obj, ref_pos_fn fn, void *user);
/* The label of the reference at pos (an index, a field name, a dict key's repr...). */
void rci_graph_ref_label(rc_heap *heap, const ref_pos *pos, char *buf, size_t cap);

typedef struct gnode {
    rc_object *obj;
    size_t parent;        /* node it was reached from, RCI_NO_PARENT for a start node */
    size_t depth;         /* steps from the start nodes */
    int64_t inside_refs;  /* references found inside the heap (backward walks, ROOTS), those
                            of extra_ignore objects excluded */
    int64_t ignored_refs; /* references found inside extra_ignore objects (IGNORED) */
    int64_t chain_refs;   /* show_chain: references the chain list itself holds to it, which
                            its shown count leaves out (they are the caller's, not the
                            graph's) */
    size_t n_linked;      /* neighbours linked to it */
    size_t n_skipped;     /* neighbours left out beyond too_many */
    const void *stamp;    /* the object last linked with it (one edge per pair) */
    bool counted;         /* inside_refs is complete (ROOTS) */
} gnode;

typedef struct gedge {
    size_t from, to; /* node indexes: from holds a reference to to */
} gedge;

typedef struct gref {
    rc_object *src; /* a referrer found by a pass */
    size_t dst;     /* the node it refers to */
} gref;

typedef struct gwalk {
    rc_heap *heap;
    rc_graph_options opt; /* the caller's options over the defaults */
    bool backwards;       /* walking against references */
    rci_ptrmap index;     /* object -> node index */
    rci_ptrmap ignore;    /* extra_ignore */
    gnode *nodes;         /* the queue (LEVELS) */
    size_t n_nodes, cap_nodes;
    gedge *edges;
    size_t n_edges, cap_edges;
    gref *refs; /* a pass's findings */
    size_t n_refs, cap_refs;
    size_t lo, hi;          /* the level a pass looks for: nodes [lo, hi) */
    uintptr_t lo_addr;      /* the lowest and highest address among them: most references */
    uintptr_t hi_addr;      /* fall outside, and cost two compares instead of a probe */
    rc_object *src;         /* the object a pass is traversing */
    bool src_ignored;       /* src is in extra_ignore (IGNORED) */
    rci_ptrvec containers;  /* the heap's containers, listed by the first pass */
    bool listing;           /* the current pass lists containers */
    bool listed;            /* containers is complete: later passes use it */
    rc_graph_pred_fn match; /* chain searches: the end wanted, or NULL */
    void *match_user;
    size_t found; /* the node match accepted, or RCI_NO_PARENT */
    bool nomem;
} gwalk;

/* ROOTS: references to nd's object from outside the heap's objects (graph.c). */
int64_t rci_graph_outside_refs(const gwalk *w, const gnode *nd);
/* Checks the output options of a show call (dot.c): RC_OK, or RC_EINVAL with a message. */
rc_status rci_dot_check_output(rc_heap *heap, const char *call, const rc_graph_options *opt);
/* Writes the walk's graph where the options say; fills the result (dot.c). */
rc_status rci_dot_emit(gwalk *w, const char *call);

/* Renders DOT text to out_path in format ("svg", "png", "pdf") with Graphviz's dot
 * program in a child process (render.c, RENDER-ISOLATION): safe from any thread.
 * RC_OK, or an error with a reason in why; *unavailable is set when no dot program could
 * be run (the caller writes DOT text instead). False from rci_render_available when the
 * library was built without Graphviz. */
bool rci_render_available(void);
rc_status rci_render(const char *dot, size_t dot_bytes, const char *format, const char *out_path,
                     char *why, size_t why_cap, bool *unavailable);

/* How many allocation sites are listed under a type's line (objgraph.c's show_growth,
 * leakguard.c's report). */
#define RCI_SITES_PER_TYPE 5u

#endif /* RCGC_GRAPH_H */
