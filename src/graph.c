/*
 * graph.c -- objgraph's pictures for rcgc heaps: labelled references, show_refs,
 * show_backrefs, reference chains, why-alive, and the DOT text they produce. Rendering DOT
 * to images is graph_render.c's job (the only file that knows Graphviz).
 *
 * A walk (gwalk) is breadth-first over an explicit queue: the node array itself, in the
 * order nodes were found, so nodes of one depth are contiguous (invariant LEVELS: the nodes
 * of depth d occupy [level_start(d), level_start(d + 1)) of the array). Nodes are found by
 * address through an rci_ptrmap, so each object is one node however often it is met.
 *
 * Forward walks follow rc_traverse from each queued node. Backward walks cannot ask an
 * object who refers to it, so each level costs one rc_heap_visit over the containers: every
 * reference into the current level's range is a referrer (and counts towards that node's
 * references from inside the heap). A node whose count exceeds those references is held
 * from outside the heap (a C variable, a global): a root (invariant ROOTS: root status is
 * known only for nodes whose level has had its pass; `counted` says so). The first pass
 * also lists the heap's containers (only they can refer to anything), so later passes
 * traverse that list instead of walking every object again; nothing is allocated or freed
 * between passes (filters and predicates must not free objects), so it stays exact. If the
 * list cannot be allocated, every pass walks the heap. Rejected: one
 * index of every reference in the heap (target -> referrers) built up front; on a heap of
 * ten million objects the index alone costs seconds and hundreds of megabytes, while a
 * pass that only probes a small map per reference costs tens of milliseconds.
 */
#define _POSIX_C_SOURCE 200809L
#include "graph.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPR_BYTES 41u  /* a node shows at most 40 bytes of repr, as objgraph does */
#define LABEL_BYTES 64u /* an edge label */
#define NO_PARENT ((size_t)-1)

/* ---- labelled references --------------------------------------------------------------- */

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

static void ref_label(rc_heap *heap, const ref_pos *pos, char *buf, size_t cap)
{
    if (pos->type->ref_label != NULL && cap > 0 && pos->kind != REF_DICT_KEY &&
        pos->kind != REF_DICT_VALUE) {
        buf[0] = '\0';
        pos->type->ref_label(heap, pos->holder, pos->i, buf, cap);
        buf[cap - 1] = '\0';
        if (buf[0] != '\0')
            return;
    }
    switch (pos->kind) {
    case REF_ITEM:
        snprintf(buf, cap, "[%zu]", pos->i);
        break;
    case REF_TRAVERSE:
        snprintf(buf, cap, "ref %zu", pos->i);
        break;
    case REF_DICT_KEY:
        snprintf(buf, cap, "key");
        break;
    case REF_DICT_VALUE:
        rc_repr_into(heap, pos->key, buf, cap);
        break;
    case REF_FIELD:
        if (pos->i >= pos->type->n_ref_offsets) /* ARRAY: entries follow the fields */
            snprintf(buf, cap, "%s[%zu]", pos->type->array_name ? pos->type->array_name : "",
                     pos->i - pos->type->n_ref_offsets);
        else if (pos->type->ref_names != NULL && pos->type->ref_names[pos->i] != NULL)
            snprintf(buf, cap, "%s", pos->type->ref_names[pos->i]);
        else
            snprintf(buf, cap, "field %zu", pos->i);
        break;
    }
}

typedef struct pos_walk {
    ref_pos_fn fn;
    void *user;
    ref_pos pos;
} pos_walk;

static int pos_visit(rc_heap *heap, rc_object *ref, void *arg)
{
    pos_walk *w = arg;
    int r = w->fn(heap, ref, &w->pos, w->user);
    w->pos.i++;
    return r;
}

/* Calls fn for each reference obj holds with its position, in traversal order (dicts in
 * insertion order, key before value). */
static int each_ref_pos(rc_heap *heap, rc_object *obj, ref_pos_fn fn, void *user)
{
    if (!rc_is_heap_object(obj))
        return 0;
    const rc_type *t = rci_type_of(heap, obj);
    if (t == heap->t_dict) {
        size_t it = 0;
        ref_pos pos = {REF_DICT_KEY, 0, t, NULL, obj};
        rc_object *key, *value;
        while (rc_dict_next(heap, obj, &it, &key, &value)) {
            pos.kind = REF_DICT_KEY;
            pos.key = NULL;
            int r = fn(heap, key, &pos, user);
            pos.kind = REF_DICT_VALUE;
            pos.key = key;
            if (r == 0)
                r = fn(heap, value, &pos, user);
            if (r != 0)
                return r;
            pos.i++;
        }
        return 0;
    }
    pos_walk w = {fn, user, {REF_TRAVERSE, 0, t, NULL, obj}};
    if (t == heap->t_list || t == heap->t_tuple)
        w.pos.kind = REF_ITEM;
    else if (!t->user_traverse)
        w.pos.kind = REF_FIELD;
    return rc_traverse(heap, obj, pos_visit, &w);
}

typedef struct label_ctx {
    rc_graph_ref_fn fn;
    void *user;
} label_ctx;

static int label_each(rc_heap *heap, rc_object *target, const ref_pos *pos, void *user)
{
    label_ctx *c = user;
    char label[LABEL_BYTES];
    ref_label(heap, pos, label, sizeof label);
    return c->fn(heap, target, label, c->user);
}

int rc_graph_each_ref(rc_heap *heap, rc_object *obj, rc_graph_ref_fn fn, void *user)
{
    if (fn == NULL)
        return 0;
    label_ctx c = {fn, user};
    return each_ref_pos(heap, obj, label_each, &c);
}

/* ---- text buffer ----------------------------------------------------------------------- */

typedef struct gtext {
    rc_heap *heap;
    char *data;  /* NUL-terminated when len > 0 */
    size_t len;  /* bytes written */
    size_t cap;  /* bytes allocated */
    bool failed; /* memory ran out; later appends do nothing */
} gtext;

static void text_put(gtext *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap < 4096 ? 4096 : t->cap;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *d = t->cap == 0 ? rci_mem_alloc(t->heap, cap)
                              : rci_mem_resize(t->heap, t->data, t->cap, cap);
        if (d == NULL) {
            t->failed = true;
            return;
        }
        t->data = d;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void text_printf(gtext *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void text_printf(gtext *t, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = true;
        return;
    }
    text_put(t, small, (size_t)n < sizeof small ? (size_t)n : sizeof small - 1);
}

/* Appends s quoted for a DOT string: backslash and quote escaped, newline as \n, other
 * control bytes as spaces (they would break the layout). */
static void text_escaped(gtext *t, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\' || c == '"') {
            char e[2] = {'\\', (char)c};
            text_put(t, e, 2);
        } else if (c == '\n') {
            text_put(t, "\\n", 2);
        } else if (c < 0x20 || c == 0x7f) {
            text_put(t, " ", 1);
        } else {
            text_put(t, s, 1);
        }
    }
}

static void text_free(gtext *t)
{
    if (t->cap != 0)
        rci_mem_free(t->heap, t->data, t->cap);
    t->data = NULL;
    t->len = t->cap = 0;
}

/* ---- the walk -------------------------------------------------------------------------- */

typedef struct gnode {
    rc_object *obj;
    size_t parent;        /* node it was reached from, NO_PARENT for a start node */
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
    size_t found; /* the node match accepted, or NO_PARENT */
    bool nomem;
} gwalk;

static bool grow(rc_heap *heap, void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t n = *cap < 32 ? 32 : *cap * 2;
    while (n < need)
        n *= 2;
    void *p = *cap == 0 ? rci_mem_alloc(heap, n * elem)
                        : rci_mem_resize(heap, *arr, *cap * elem, n * elem);
    if (p == NULL)
        return false;
    *arr = p;
    *cap = n;
    return true;
}

static void walk_init(gwalk *w, rc_heap *heap, const rc_graph_options *opt, bool backwards)
{
    memset(w, 0, sizeof *w);
    w->heap = heap;
    rc_graph_options_init(&w->opt);
    if (opt != NULL)
        memcpy(&w->opt, opt, opt->size < sizeof *opt ? opt->size : sizeof *opt);
    w->backwards = backwards;
    w->found = NO_PARENT;
}

static void walk_free(gwalk *w)
{
    rc_heap *heap = w->heap;
    rci_ptrmap_free(heap, &w->index);
    rci_ptrmap_free(heap, &w->ignore);
    if (w->cap_nodes)
        rci_mem_free(heap, w->nodes, w->cap_nodes * sizeof *w->nodes);
    if (w->cap_edges)
        rci_mem_free(heap, w->edges, w->cap_edges * sizeof *w->edges);
    if (w->cap_refs)
        rci_mem_free(heap, w->refs, w->cap_refs * sizeof *w->refs);
    rci_ptrvec_free(heap, &w->containers);
}

static bool walk_ignored(const gwalk *w, const rc_object *obj)
{
    return rci_ptrmap_find(&w->ignore, obj) != NULL;
}

static bool walk_set_ignore(gwalk *w, rc_object *const *objs, size_t n)
{
    bool added;
    for (size_t i = 0; i < n; i++)
        if (objs[i] != NULL && rci_ptrmap_insert(w->heap, &w->ignore, objs[i], &added) == NULL)
            return false;
    return true;
}

/* The node of obj, added at depth with parent if new (then *added is set); NO_PARENT if
 * memory ran out (w->nomem set). */
static size_t walk_node(gwalk *w, rc_object *obj, size_t parent, size_t depth, bool *added)
{
    size_t *slot = NULL;
    if (grow(w->heap, (void **)&w->nodes, &w->cap_nodes, w->n_nodes + 1, sizeof *w->nodes))
        slot = rci_ptrmap_insert(w->heap, &w->index, obj, added);
    if (slot == NULL) {
        w->nomem = true;
        return NO_PARENT;
    }
    if (!*added)
        return *slot;
    *slot = w->n_nodes;
    gnode *nd = &w->nodes[w->n_nodes];
    memset(nd, 0, sizeof *nd);
    nd->obj = obj;
    nd->parent = parent;
    nd->depth = depth;
    if (w->match != NULL && w->found == NO_PARENT && w->match(w->heap, obj, w->match_user))
        w->found = w->n_nodes;
    return w->n_nodes++;
}

static bool walk_edge(gwalk *w, size_t from, size_t to)
{
    if (!grow(w->heap, (void **)&w->edges, &w->cap_edges, w->n_edges + 1, sizeof *w->edges)) {
        w->nomem = true;
        return false;
    }
    w->edges[w->n_edges++] = (gedge){from, to};
    return true;
}

static bool walk_starts(gwalk *w, rc_object *const *objs, size_t n)
{
    bool added;
    for (size_t i = 0; i < n; i++)
        if (objs[i] != NULL && walk_node(w, objs[i], NO_PARENT, 0, &added) == NO_PARENT)
            return false;
    return true;
}

/* Links neighbour nb to node at (an edge nb -> at when walking backwards, at -> nb
 * otherwise), applying ignore, filter and too_many. */
static void walk_link(gwalk *w, size_t at, rc_object *nb)
{
    if (nb == NULL || walk_ignored(w, nb))
        return;
    if (w->opt.filter != NULL && !w->opt.filter(w->heap, nb, w->opt.filter_user))
        return;
    size_t *known = rci_ptrmap_find(&w->index, nb);
    if (known != NULL && w->nodes[*known].stamp == w->nodes[at].obj)
        return; /* this pair is linked already */
    if (w->nodes[at].n_linked >= w->opt.too_many) {
        w->nodes[at].n_skipped++;
        return;
    }
    bool added;
    size_t depth = w->nodes[at].depth + 1;
    size_t nbi = walk_node(w, nb, at, depth, &added);
    if (nbi == NO_PARENT)
        return;
    w->nodes[nbi].stamp = w->nodes[at].obj;
    w->nodes[at].n_linked++;
    if (w->backwards)
        walk_edge(w, nbi, at);
    else
        walk_edge(w, at, nbi);
}

/* ---- forward: along references --------------------------------------------------------- */

typedef struct fwd_ctx {
    gwalk *w;
    size_t at; /* the node whose references are followed */
} fwd_ctx;

static int fwd_visit(rc_heap *heap, rc_object *ref, void *arg)
{
    (void)heap;
    fwd_ctx *c = arg;
    walk_link(c->w, c->at, ref);
    return c->w->nomem || c->w->found != NO_PARENT;
}

static rc_status walk_forward(gwalk *w)
{
    for (size_t i = 0; i < w->n_nodes && w->found == NO_PARENT; i++) {
        if (w->nodes[i].depth >= w->opt.max_depth)
            continue;
        fwd_ctx c = {w, i};
        rc_traverse(w->heap, w->nodes[i].obj, fwd_visit, &c);
        if (w->nomem)
            return RC_ENOMEM;
    }
    return RC_OK;
}

/* ---- backward: against references, one heap pass per level ----------------------------- */

static int pass_ref(rc_heap *heap, rc_object *ref, void *arg)
{
    (void)heap;
    gwalk *w = arg;
    if ((uintptr_t)ref < w->lo_addr || (uintptr_t)ref > w->hi_addr)
        return 0;
    size_t *slot = rci_ptrmap_find(&w->index, ref);
    if (slot == NULL || *slot < w->lo || *slot >= w->hi)
        return 0;
    gnode *nd = &w->nodes[*slot];
    if (w->src_ignored) {
        nd->ignored_refs++; /* IGNORED: counted as from outside, never linked */
        return 0;
    }
    nd->inside_refs++;
    if (nd->stamp == w->src)
        return 0;
    nd->stamp = w->src;
    if (!grow(w->heap, (void **)&w->refs, &w->cap_refs, w->n_refs + 1, sizeof *w->refs))
        return 1;
    w->refs[w->n_refs++] = (gref){w->src, *slot};
    return 0;
}

static int pass_obj(rc_heap *heap, rc_object *obj, void *user)
{
    gwalk *w = user;
    if (!rci_type_of(heap, obj)->holds_refs)
        return 0;
    if (w->listing && !rci_ptrvec_push(heap, &w->containers, obj)) {
        w->listing = false;
        rci_ptrvec_free(heap, &w->containers);
    }
    w->src = obj;
    w->src_ignored = w->ignore.len > 0 && walk_ignored(w, obj);
    return rc_traverse(heap, obj, pass_ref, w);
}

/* One pass: counts the references into nodes [lo, hi) and records their referrers in
 * w->refs, each (referrer, node) pair once: a node's stamp is the last referrer recorded
 * for it, so stamps are cleared before and after. Afterwards those nodes are `counted`
 * (ROOTS). */
static rc_status walk_pass(gwalk *w, size_t lo, size_t hi)
{
    w->lo = lo;
    w->hi = hi;
    w->n_refs = 0;
    w->lo_addr = UINTPTR_MAX;
    w->hi_addr = 0;
    for (size_t i = lo; i < hi; i++) {
        uintptr_t a = (uintptr_t)w->nodes[i].obj;
        w->lo_addr = a < w->lo_addr ? a : w->lo_addr;
        w->hi_addr = a > w->hi_addr ? a : w->hi_addr;
        w->nodes[i].stamp = NULL;
    }
    if (w->listed) {
        for (size_t i = 0; i < w->containers.len; i++) {
            w->src = w->containers.items[i];
            w->src_ignored = w->ignore.len > 0 && walk_ignored(w, w->src);
            if (rc_traverse(w->heap, w->src, pass_ref, w) != 0)
                return RC_ENOMEM;
        }
    } else {
        w->listing = true;
        if (rci_heap_visit_containers(w->heap, pass_obj, w) != 0)
            return RC_ENOMEM;
        w->listed = w->listing;
        w->listing = false;
    }
    for (size_t i = lo; i < hi; i++) {
        w->nodes[i].counted = true;
        w->nodes[i].stamp = NULL;
    }
    return RC_OK;
}

/* ROOTS: references to nd's object from outside the heap's objects: its count less the
 * references found inside (extra_ignore objects' excluded: IGNORED) and, for a start node,
 * less the references the caller said it holds (opt.caller_refs). Meaningful once counted. */
static int64_t outside_refs(const gwalk *w, const gnode *nd)
{
    int64_t n = rc_refcount(nd->obj) - nd->inside_refs;
    if (nd->parent == NO_PARENT && nd->depth == 0)
        n -= (int64_t)w->opt.caller_refs;
    return n;
}

static bool is_root(const gwalk *w, const gnode *nd)
{
    return nd->counted && rc_is_heap_object(nd->obj) && outside_refs(w, nd) > 0;
}

/* Walks backwards from the start nodes until max_depth (the last level is only counted),
 * the frontier empties, or match finds its node. stop_at_root: also stop at the first
 * level holding a root, which is then w->found (why-alive). */
static rc_status walk_backward(gwalk *w, bool stop_at_root)
{
    size_t lo = 0;
    for (size_t depth = 0; lo < w->n_nodes && w->found == NO_PARENT; depth++) {
        size_t hi = w->n_nodes;
        rc_status st = walk_pass(w, lo, hi);
        if (st != RC_OK)
            return st;
        if (stop_at_root) {
            for (size_t i = lo; i < hi; i++) {
                if (outside_refs(w, &w->nodes[i]) > 0) {
                    w->found = i;
                    return RC_OK;
                }
            }
        }
        if (depth >= w->opt.max_depth)
            break;
        for (size_t r = 0; r < w->n_refs && w->found == NO_PARENT; r++) {
            walk_link(w, w->refs[r].dst, w->refs[r].src);
            if (w->nomem)
                return RC_ENOMEM;
        }
        lo = hi;
    }
    return RC_OK;
}

/* ---- DOT ------------------------------------------------------------------------------- */

static void dot_node(gwalk *w, gtext *t, size_t i)
{
    gnode *nd = &w->nodes[i];
    rc_heap *heap = w->heap;
    const rc_type *type = rc_type_of(heap, nd->obj);
    const char *name = type != NULL ? rc_type_name(type) : "None";
    const char *dot = strrchr(name, '.');
    char line[REPR_BYTES + 32];
    text_printf(t, "  o%lx [label=\"", (unsigned long)(uintptr_t)nd->obj);
    text_escaped(t, w->opt.shortnames && dot != NULL ? dot + 1 : name);
    if (w->opt.refcounts && rc_is_heap_object(nd->obj))
        text_printf(t, " [%lld]", (long long)(rc_refcount(nd->obj) - nd->chain_refs));
    rc_repr_into(heap, nd->obj, line, REPR_BYTES);
    text_put(t, "\\n", 2);
    text_escaped(t, line);
    rc_origin site;
    if (rc_origin_of(heap, nd->obj, &site)) {
        snprintf(line, sizeof line, "%s:%d", rci_origin_basename(site.file), site.line);
        text_put(t, "\\n", 2);
        text_escaped(t, line);
    }
    if (w->opt.extra_info != NULL) {
        char info[256] = "";
        w->opt.extra_info(heap, nd->obj, info, sizeof info, w->opt.extra_info_user);
        info[sizeof info - 1] = '\0';
        text_put(t, "\\n", 2);
        text_escaped(t, info);
    }
    bool root = is_root(w, nd);
    const char *root_name = rc_is_heap_object(nd->obj) ? rci_root_name_of(heap, nd->obj) : NULL;
    if (root_name != NULL) {
        text_put(t, "\\nroot ", 7);
        text_escaped(t, root_name);
    }
    if (root && rc_is_immortal(heap, nd->obj))
        text_put(t, "\\nimmortal", 10);
    else if (root)
        text_printf(t, "\\nheld from outside (%lld)", (long long)outside_refs(w, nd));
    if (root && nd->ignored_refs > 0)
        text_printf(t, "\\n%lld through ignored objects", (long long)nd->ignored_refs);
    if (nd->counted && nd->depth == 0 && w->opt.caller_refs > 0)
        text_printf(t, "\\nheld by the caller (%zu)", w->opt.caller_refs);
    double f = w->opt.max_depth == 0 ? 0.0 : (double)nd->depth / (double)w->opt.max_depth;
    double h = 0, s = 0, v = 1.0 - 0.7 * (f > 1.0 ? 1.0 : f);
    if (w->opt.highlight != NULL && w->opt.highlight(heap, nd->obj, w->opt.highlight_user)) {
        h = 0.6;
        s = 0.6;
        v = 0.5 + v * 0.5;
    }
    text_printf(t, "\", fillcolor=\"%g,%g,%g\"", h, s, v);
    if (nd->depth == 0)
        text_put(t, ", fontcolor=red", 15);
    else if (v < 0.5)
        text_put(t, ", fontcolor=white", 17);
    if (root)
        text_put(t, ", peripheries=2, color=\"0.6,1,0.8\", penwidth=2", 46);
    text_put(t, "];\n", 3);
    if (nd->n_skipped > 0) {
        unsigned long id = (unsigned long)(uintptr_t)nd->obj;
        text_printf(t,
                    "  too_many_o%lx [label=\"%zu more %s\", shape=box, style=\"dotted,filled\", "
                    "color=red, fillcolor=\"0,0.2,1\", fontsize=9];\n",
                    id, nd->n_skipped, w->backwards ? "backreferences" : "references");
        if (w->backwards)
            text_printf(t, "  too_many_o%lx -> o%lx [color=red, style=dotted];\n", id, id);
        else
            text_printf(t, "  o%lx -> too_many_o%lx [color=red, style=dotted];\n", id, id);
    }
}

typedef struct edge_ctx {
    gtext *t;
    rc_object *from;
    const rci_ptrmap *to; /* the targets drawn from `from` */
    size_t emitted;
} edge_ctx;

static int dot_edge(rc_heap *heap, rc_object *target, const ref_pos *pos, void *user)
{
    edge_ctx *c = user;
    char label[LABEL_BYTES];
    if (rci_ptrmap_find(c->to, target) == NULL)
        return 0;
    ref_label(heap, pos, label, sizeof label);
    text_printf(c->t, "  o%lx -> o%lx [label=\"", (unsigned long)(uintptr_t)c->from,
                (unsigned long)(uintptr_t)target);
    text_escaped(c->t, label);
    text_put(c->t, "\"];\n", 4);
    c->emitted++;
    return 0;
}

static int edge_order(const void *a, const void *b)
{
    const gedge *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return x->to < y->to ? -1 : x->to > y->to;
}

/* Writes the edges: one walk over each holder's references draws every labelled
 * reference to the targets linked from it (a holder may hold one target several times). */
static size_t dot_edges(gwalk *w, gtext *t)
{
    size_t n = 0;
    if (w->n_edges > 1)
        qsort(w->edges, w->n_edges, sizeof *w->edges, edge_order);
    for (size_t e = 0; e < w->n_edges;) {
        size_t from = w->edges[e].from;
        rci_ptrmap to = {0};
        bool added;
        for (; e < w->n_edges && w->edges[e].from == from; e++)
            if (rci_ptrmap_insert(w->heap, &to, w->nodes[w->edges[e].to].obj, &added) == NULL)
                t->failed = true;
        edge_ctx c = {t, w->nodes[from].obj, &to, 0};
        if (!t->failed)
            each_ref_pos(w->heap, c.from, dot_edge, &c);
        n += c.emitted;
        rci_ptrmap_free(w->heap, &to);
    }
    return n;
}

static size_t dot_write(gwalk *w, gtext *t)
{
    text_put(t, "digraph ObjectGraph {\n", 22);
    text_printf(t, "  graph [fontname=\"Helvetica\", nodesep=0.3, ranksep=0.5];\n"
                   "  node [shape=box, style=filled, fillcolor=white, fontname=\"Helvetica\", "
                   "fontsize=11];\n"
                   "  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (size_t i = 0; i < w->n_nodes; i++)
        dot_node(w, t, i);
    size_t n = dot_edges(w, t);
    text_put(t, "}\n", 2);
    return n;
}

/* ---- output ---------------------------------------------------------------------------- */

/* The temporary name path is written under: unique to the process and the heap, so that
 * threads with heaps of their own writing the same path never share one. */
static void temp_name(char *tmp, size_t cap, const rc_heap *heap, const char *path)
{
    snprintf(tmp, cap, "%s.%ld.%lx.tmp", path, (long)getpid(),
             (unsigned long)((uintptr_t)heap >> 4));
}

static rc_status write_atomically(rc_heap *heap, const char *call, const char *path,
                                  const char *data, size_t n)
{
    char tmp[1100];
    temp_name(tmp, sizeof tmp, heap, path);
    FILE *f = fopen(tmp, "wb");
    if (f == NULL)
        return rci_error(heap, RC_EOS, "%s: cannot create %s: %s", call, tmp, strerror(errno));
    bool ok = fwrite(data, 1, n, f) == n;
    int err = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        remove(tmp);
        return rci_error(heap, RC_EOS, "%s: cannot write %s: %s", call, path, strerror(err));
    }
    return RC_OK;
}

/* Renders t to path through a temporary name. *unavailable: no Graphviz to render with
 * (nothing written, no error set: the caller writes DOT text instead, with why). */
static rc_status render_atomically(rc_heap *heap, const char *call, const char *path,
                                   const char *fmt, const gtext *t, bool *unavailable, char *why,
                                   size_t why_cap)
{
    char tmp[1100];
    temp_name(tmp, sizeof tmp, heap, path);
    rc_status st = rci_graph_render(t->data, t->len, fmt, tmp, why, why_cap, unavailable);
    if (st == RC_OK && rename(tmp, path) != 0) {
        snprintf(why, why_cap, "%s", strerror(errno));
        st = RC_EOS;
    }
    if (st != RC_OK) {
        remove(tmp);
        if (*unavailable)
            return st;
        return rci_error(heap, st, "%s: cannot render %s: %s", call, path, why);
    }
    return RC_OK;
}

/* The output format named by path's extension: "dot", "svg", "png", "pdf", or NULL. */
static const char *format_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *ext = strrchr(slash != NULL ? slash : path, '.');
    if (ext == NULL)
        return NULL;
    if (strcmp(ext, ".dot") == 0 || strcmp(ext, ".gv") == 0)
        return "dot";
    if (strcmp(ext, ".svg") == 0)
        return "svg";
    if (strcmp(ext, ".png") == 0)
        return "png";
    if (strcmp(ext, ".pdf") == 0)
        return "pdf";
    return NULL;
}

static rc_status check_output(rc_heap *heap, const char *call, const rc_graph_options *opt)
{
    /* Sizes from the layout before result was appended up (SIZE). */
    rc_status st =
        rci_size_check(heap, call, "opt", opt, offsetof(rc_graph_options, result), sizeof *opt);
    if (st != RC_OK)
        return st;
    if (opt->output_path == NULL && opt->output_stream == NULL)
        return rci_error(heap, RC_EINVAL, "%s: no output_path or output_stream given", call);
    if (opt->output_path != NULL && format_of(opt->output_path) == NULL)
        return rci_error(heap, RC_EINVAL, "%s: '%s' does not end in .dot, .gv, .svg, .png or .pdf",
                         call, opt->output_path);
    if (opt->output_path != NULL && strlen(opt->output_path) > 1000)
        return rci_error(heap, RC_EINVAL, "%s: output path longer than 1000 bytes", call);
    if (opt->size > offsetof(rc_graph_options, result) && opt->result != NULL)
        return rci_size_check(heap, call, "opt->result", opt->result, sizeof *opt->result,
                              sizeof *opt->result);
    return RC_OK;
}

/* Writes the walk's graph where the options say; fills the result. */
static rc_status walk_emit(gwalk *w, const char *call)
{
    rc_heap *heap = w->heap;
    gtext t = {heap, NULL, 0, 0, false};
    size_t n_edges = dot_write(w, &t);
    rc_graph_result *res = w->opt.result;
    if (res != NULL) {
        res->rendered = false;
        res->n_nodes = w->n_nodes;
        res->n_edges = n_edges;
        res->path[0] = res->message[0] = '\0';
    }
    rc_status st = RC_OK;
    if (t.failed) {
        st = rci_error(heap, RC_ENOMEM, "%s: no memory for the DOT text of %zu nodes", call,
                       w->n_nodes);
    } else if (w->opt.output_path == NULL) {
        if (fwrite(t.data, 1, t.len, w->opt.output_stream) != t.len)
            st =
                rci_error(heap, RC_EOS, "%s: cannot write the DOT text: %s", call, strerror(errno));
    } else {
        const char *path = w->opt.output_path;
        const char *fmt = format_of(path);
        char dot_path[1100], why[200] = "";
        bool unavailable = !rci_graph_can_render();
        if (strcmp(fmt, "dot") == 0) {
            st = write_atomically(heap, call, path, t.data, t.len);
        } else if (!unavailable) {
            st = render_atomically(heap, call, path, fmt, &t, &unavailable, why, sizeof why);
            if (st == RC_OK && res != NULL)
                res->rendered = true;
        } else {
            snprintf(why, sizeof why, "rcgc was built without Graphviz");
        }
        if (unavailable) {
            size_t stem = (size_t)(strrchr(path, '.') - path);
            snprintf(dot_path, sizeof dot_path, "%.*s.dot", (int)stem, path);
            path = dot_path;
            st = write_atomically(heap, call, path, t.data, t.len);
            if (st == RC_OK && res != NULL)
                snprintf(res->message, sizeof res->message,
                         "%s: rendered without Graphviz (%.120s); wrote DOT text (path) instead "
                         "of the .%s image asked for",
                         call, why, fmt);
        }
        if (st == RC_OK && res != NULL)
            snprintf(res->path, sizeof res->path, "%.1000s", path);
    }
    text_free(&t);
    return st;
}

/* ---- public entry points --------------------------------------------------------------- */

void rc_graph_options_init(rc_graph_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->size = sizeof *opt;
    opt->max_depth = 3;
    opt->too_many = 10;
    opt->shortnames = true;
}

static rc_status show(rc_heap *heap, rc_object *const *objs, size_t n, const rc_graph_options *opt,
                      bool backwards, const char *call)
{
    rc_status st = check_output(heap, call, opt);
    if (st != RC_OK)
        return st;
    if (n > 0 && objs == NULL)
        return rci_error(heap, RC_EINVAL, "%s: objs is NULL for n = %zu", call, n);
    gwalk w;
    walk_init(&w, heap, opt, backwards);
    if (!walk_set_ignore(&w, w.opt.extra_ignore, w.opt.n_extra_ignore) || !walk_starts(&w, objs, n))
        st = RC_ENOMEM;
    else
        st = backwards ? walk_backward(&w, false) : walk_forward(&w);
    if (st == RC_OK)
        st = walk_emit(&w, call);
    else
        rci_error(heap, st, "%s: no memory for a graph of %zu nodes", call, w.n_nodes);
    walk_free(&w);
    return st;
}

rc_status rc_graph_show_refs(rc_heap *heap, rc_object *const *objs, size_t n,
                             const rc_graph_options *opt)
{
    return show(heap, objs, n, opt, false, "rc_graph_show_refs");
}

rc_status rc_graph_show_backrefs(rc_heap *heap, rc_object *const *objs, size_t n,
                                 const rc_graph_options *opt)
{
    return show(heap, objs, n, opt, true, "rc_graph_show_backrefs");
}

/* Fills list with the path from node `end` back to the start, in chain order: backwards,
 * [end, ..., start]; forwards, [start, ..., end]. */
static rc_status chain_fill(gwalk *w, rc_object *list, size_t end, const char *call)
{
    rci_ptrvec path = {0};
    for (size_t i = end; i != NO_PARENT; i = w->nodes[i].parent) {
        if (!rci_ptrvec_push(w->heap, &path, w->nodes[i].obj)) {
            rci_ptrvec_free(w->heap, &path);
            return rci_error(w->heap, RC_ENOMEM, "%s: no memory for the chain", call);
        }
    }
    if (!w->backwards) {
        for (size_t i = 0; i < path.len / 2; i++) {
            rc_object *x = path.items[i];
            path.items[i] = path.items[path.len - 1 - i];
            path.items[path.len - 1 - i] = x;
        }
    }
    rc_status st = RC_OK;
    for (size_t i = 0; i < path.len && st == RC_OK; i++)
        st = rc_list_append(w->heap, list, path.items[i]);
    rci_ptrvec_free(w->heap, &path);
    return st;
}

static rc_status find_chain(rc_heap *heap, rc_object *obj, rc_graph_pred_fn predicate, void *user,
                            size_t max_depth, rc_object *const *ignore, size_t n_ignore,
                            rc_object **chain_out, bool backwards, const char *call)
{
    if (chain_out == NULL || predicate == NULL || !rc_is_heap_object(obj) ||
        (n_ignore > 0 && ignore == NULL))
        return rci_error(heap, RC_EINVAL, "%s: obj, predicate and chain_out are required", call);
    *chain_out = NULL;
    rc_object *list = rc_list_new(heap, 0);
    if (list == NULL)
        return rc_heap_last_error(heap);
    gwalk w;
    walk_init(&w, heap, NULL, backwards);
    w.opt.max_depth = max_depth;
    w.opt.too_many = (size_t)-1;
    w.match = predicate;
    w.match_user = user;
    rc_status st = RC_ENOMEM;
    if (walk_set_ignore(&w, ignore, n_ignore) &&
        rci_ptrmap_insert(heap, &w.ignore, list, &(bool){0}) != NULL && walk_starts(&w, &obj, 1))
        st = backwards ? walk_backward(&w, false) : walk_forward(&w);
    if (st == RC_OK)
        st = chain_fill(&w, list, w.found != NO_PARENT ? w.found : 0, call);
    else
        rci_error(heap, st, "%s: no memory after %zu objects", call, w.n_nodes);
    walk_free(&w);
    if (st != RC_OK) {
        rc_decref(heap, list);
        return st;
    }
    *chain_out = list;
    return RC_OK;
}

rc_status rc_graph_find_backref_chain(rc_heap *heap, rc_object *obj, rc_graph_pred_fn predicate,
                                      void *user, size_t max_depth, rc_object *const *ignore,
                                      size_t n_ignore, rc_object **chain_out)
{
    return find_chain(heap, obj, predicate, user, max_depth, ignore, n_ignore, chain_out, true,
                      "rc_graph_find_backref_chain");
}

rc_status rc_graph_find_ref_chain(rc_heap *heap, rc_object *obj, rc_graph_pred_fn predicate,
                                  void *user, size_t max_depth, rc_object *const *ignore,
                                  size_t n_ignore, rc_object **chain_out)
{
    return find_chain(heap, obj, predicate, user, max_depth, ignore, n_ignore, chain_out, false,
                      "rc_graph_find_ref_chain");
}

rc_status rc_graph_why_alive(rc_heap *heap, rc_object *obj, rc_object **chain_out)
{
    return rc_graph_why_alive_held(heap, obj, 0, chain_out);
}

rc_status rc_graph_why_alive_held(rc_heap *heap, rc_object *obj, size_t caller_refs,
                                  rc_object **chain_out)
{
    const char *call = "rc_graph_why_alive";
    if (chain_out == NULL || !rc_is_heap_object(obj))
        return rci_error(heap, RC_EINVAL, "%s: obj must be an allocated object and chain_out set",
                         call);
    *chain_out = NULL;
    rc_object *list = rc_list_new(heap, 0);
    if (list == NULL)
        return rc_heap_last_error(heap);
    gwalk w;
    walk_init(&w, heap, NULL, true);
    w.opt.max_depth = (size_t)-1;
    w.opt.too_many = (size_t)-1;
    w.opt.caller_refs = caller_refs;
    rc_status st = RC_ENOMEM;
    if (rci_ptrmap_insert(heap, &w.ignore, list, &(bool){0}) != NULL && walk_starts(&w, &obj, 1))
        st = walk_backward(&w, true);
    if (st == RC_OK && w.found != NO_PARENT)
        st = chain_fill(&w, list, w.found, call);
    else if (st != RC_OK)
        rci_error(heap, st, "%s: no memory after %zu objects", call, w.n_nodes);
    walk_free(&w);
    if (st != RC_OK) {
        rc_decref(heap, list);
        return st;
    }
    *chain_out = list;
    return RC_OK;
}

rc_status rc_graph_show_chain(rc_heap *heap, rc_object *chain, const rc_graph_options *opt)
{
    const char *call = "rc_graph_show_chain";
    rc_status st = check_output(heap, call, opt);
    if (st != RC_OK)
        return st;
    if (rc_type_of(heap, chain) != heap->t_list)
        return rci_error(heap, RC_ETYPE, "%s: chain must be a list", call);
    gwalk w;
    walk_init(&w, heap, opt, true);
    size_t n = rc_list_len(heap, chain);
    w.opt.max_depth = n > 0 ? n - 1 : 0;
    bool added;
    st = RC_OK;
    /* The last item is where the chain was asked about: depth 0, as a start node. */
    for (size_t k = 0; k < n && st == RC_OK; k++) {
        rc_object *item = rc_list_get_borrow(heap, chain, (int64_t)(n - 1 - k));
        size_t prev = w.n_nodes;
        size_t at = walk_node(&w, item, NO_PARENT, k, &added);
        if (at == NO_PARENT || (k > 0 && !walk_edge(&w, at, prev - 1)))
            st = RC_ENOMEM;
        else
            w.nodes[at].chain_refs++;
    }
    if (st == RC_OK)
        st = walk_pass(&w, 0, w.n_nodes);
    if (st == RC_OK)
        st = walk_emit(&w, call);
    else
        rci_error(heap, st, "%s: no memory for a chain of %zu objects", call, n);
    walk_free(&w);
    return st;
}
