/*
 * graph.c -- objgraph's pictures for rcgc heaps: labelled references, show_refs,
 * show_backrefs, reference chains and why-alive, as graph walks. dot.c writes a walk as DOT
 * text to its output; rendering DOT to images is render.c's job (the only file that
 * knows Graphviz).
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

#include <stdio.h>
#include <string.h>

/* ---- labelled references --------------------------------------------------------------- */

void rci_graph_ref_label(rc_heap *heap, const ref_pos *pos, char *buf, size_t cap)
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
int rci_graph_each_ref_pos(rc_heap *heap, rc_object *obj, ref_pos_fn fn, void *user)
{
    if (!rc_is_heap_object(obj))
        return 0;
    const rc_type *t = rci_type_of(heap, obj);
    if (t == heap->types.t_dict) {
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
    if (t == heap->types.t_list || t == heap->types.t_tuple)
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
    char label[RCI_LABEL_BYTES];
    rci_graph_ref_label(heap, pos, label, sizeof label);
    return c->fn(heap, target, label, c->user);
}

int rc_graph_each_ref(rc_heap *heap, rc_object *obj, rc_graph_ref_fn fn, void *user)
{
    if (fn == NULL)
        return 0;
    label_ctx c = {fn, user};
    return rci_graph_each_ref_pos(heap, obj, label_each, &c);
}

/* ---- the walk -------------------------------------------------------------------------- */

static void walk_init(gwalk *w, rc_heap *heap, const rc_graph_options *opt, bool backwards)
{
    memset(w, 0, sizeof *w);
    w->heap = heap;
    rc_graph_options_init(&w->opt);
    if (opt != NULL)
        memcpy(&w->opt, opt, opt->size < sizeof *opt ? opt->size : sizeof *opt);
    w->backwards = backwards;
    w->found = RCI_NO_PARENT;
}

static void walk_free(gwalk *w)
{
    rc_heap *heap = w->heap;
    rci_util_ptrmap_free(heap, &w->index);
    rci_util_ptrmap_free(heap, &w->ignore);
    if (w->cap_nodes)
        rci_mem_free(heap, w->nodes, w->cap_nodes * sizeof *w->nodes);
    if (w->cap_edges)
        rci_mem_free(heap, w->edges, w->cap_edges * sizeof *w->edges);
    if (w->cap_refs)
        rci_mem_free(heap, w->refs, w->cap_refs * sizeof *w->refs);
    rci_util_ptrvec_free(heap, &w->containers);
}

static bool walk_ignored(const gwalk *w, const rc_object *obj)
{
    return rci_util_ptrmap_find(&w->ignore, obj) != NULL;
}

static bool walk_set_ignore(gwalk *w, rc_object *const *objs, size_t n)
{
    bool added;
    for (size_t i = 0; i < n; i++)
        if (objs[i] != NULL && rci_util_ptrmap_insert(w->heap, &w->ignore, objs[i], &added) == NULL)
            return false;
    return true;
}

/* The node of obj, added at depth with parent if new (then *added is set); RCI_NO_PARENT if
 * memory ran out (w->nomem set). */
static size_t walk_node(gwalk *w, rc_object *obj, size_t parent, size_t depth, bool *added)
{
    size_t *slot = NULL;
    if (rci_util_vec_reserve(w->heap, &w->nodes, &w->cap_nodes, w->n_nodes + 1, sizeof *w->nodes,
                             32))
        slot = rci_util_ptrmap_insert(w->heap, &w->index, obj, added);
    if (slot == NULL) {
        w->nomem = true;
        return RCI_NO_PARENT;
    }
    if (!*added)
        return *slot;
    *slot = w->n_nodes;
    gnode *nd = &w->nodes[w->n_nodes];
    memset(nd, 0, sizeof *nd);
    nd->obj = obj;
    nd->parent = parent;
    nd->depth = depth;
    if (w->match != NULL && w->found == RCI_NO_PARENT && w->match(w->heap, obj, w->match_user))
        w->found = w->n_nodes;
    return w->n_nodes++;
}

static bool walk_edge(gwalk *w, size_t from, size_t to)
{
    if (!rci_util_vec_reserve(w->heap, &w->edges, &w->cap_edges, w->n_edges + 1, sizeof *w->edges,
                              32)) {
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
        if (objs[i] != NULL && walk_node(w, objs[i], RCI_NO_PARENT, 0, &added) == RCI_NO_PARENT)
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
    size_t *known = rci_util_ptrmap_find(&w->index, nb);
    if (known != NULL && w->nodes[*known].stamp == w->nodes[at].obj)
        return; /* this pair is linked already */
    if (w->nodes[at].n_linked >= w->opt.too_many) {
        w->nodes[at].n_skipped++;
        return;
    }
    bool added;
    size_t depth = w->nodes[at].depth + 1;
    size_t nbi = walk_node(w, nb, at, depth, &added);
    if (nbi == RCI_NO_PARENT)
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
    return c->w->nomem || c->w->found != RCI_NO_PARENT;
}

static rc_status walk_forward(gwalk *w)
{
    for (size_t i = 0; i < w->n_nodes && w->found == RCI_NO_PARENT; i++) {
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
    size_t *slot = rci_util_ptrmap_find(&w->index, ref);
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
    if (!rci_util_vec_reserve(w->heap, &w->refs, &w->cap_refs, w->n_refs + 1, sizeof *w->refs, 32))
        return 1;
    w->refs[w->n_refs++] = (gref){w->src, *slot};
    return 0;
}

static int pass_obj(rc_heap *heap, rc_object *obj, void *user)
{
    gwalk *w = user;
    if (!rci_type_of(heap, obj)->holds_refs)
        return 0;
    if (w->listing && !rci_util_ptrvec_push(heap, &w->containers, obj)) {
        w->listing = false;
        rci_util_ptrvec_free(heap, &w->containers);
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
int64_t rci_graph_outside_refs(const gwalk *w, const gnode *nd)
{
    int64_t n = rc_refcount(nd->obj) - nd->inside_refs;
    if (nd->parent == RCI_NO_PARENT && nd->depth == 0)
        n -= (int64_t)w->opt.caller_refs;
    return n;
}

/* Walks backwards from the start nodes until max_depth (the last level is only counted),
 * the frontier empties, or match finds its node. stop_at_root: also stop at the first
 * level holding a root, which is then w->found (why-alive). */
static rc_status walk_backward(gwalk *w, bool stop_at_root)
{
    size_t lo = 0;
    for (size_t depth = 0; lo < w->n_nodes && w->found == RCI_NO_PARENT; depth++) {
        size_t hi = w->n_nodes;
        rc_status st = walk_pass(w, lo, hi);
        if (st != RC_OK)
            return st;
        if (stop_at_root) {
            for (size_t i = lo; i < hi; i++) {
                if (rci_graph_outside_refs(w, &w->nodes[i]) > 0) {
                    w->found = i;
                    return RC_OK;
                }
            }
        }
        if (depth >= w->opt.max_depth)
            break;
        for (size_t r = 0; r < w->n_refs && w->found == RCI_NO_PARENT; r++) {
            walk_link(w, w->refs[r].dst, w->refs[r].src);
            if (w->nomem)
                return RC_ENOMEM;
        }
        lo = hi;
    }
    return RC_OK;
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
    rc_status st = rci_dot_check_output(heap, call, opt);
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
        st = rci_dot_emit(&w, call);
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
    for (size_t i = end; i != RCI_NO_PARENT; i = w->nodes[i].parent) {
        if (!rci_util_ptrvec_push(w->heap, &path, w->nodes[i].obj)) {
            rci_util_ptrvec_free(w->heap, &path);
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
    rci_util_ptrvec_free(w->heap, &path);
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
        rci_util_ptrmap_insert(heap, &w.ignore, list, &(bool){0}) != NULL &&
        walk_starts(&w, &obj, 1))
        st = backwards ? walk_backward(&w, false) : walk_forward(&w);
    if (st == RC_OK)
        st = chain_fill(&w, list, w.found != RCI_NO_PARENT ? w.found : 0, call);
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
    if (rci_util_ptrmap_insert(heap, &w.ignore, list, &(bool){0}) != NULL &&
        walk_starts(&w, &obj, 1))
        st = walk_backward(&w, true);
    if (st == RC_OK && w.found != RCI_NO_PARENT)
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
    rc_status st = rci_dot_check_output(heap, call, opt);
    if (st != RC_OK)
        return st;
    if (rc_type_of(heap, chain) != heap->types.t_list)
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
        size_t at = walk_node(&w, item, RCI_NO_PARENT, k, &added);
        if (at == RCI_NO_PARENT || (k > 0 && !walk_edge(&w, at, prev - 1)))
            st = RC_ENOMEM;
        else
            w.nodes[at].chain_refs++;
    }
    if (st == RC_OK)
        st = walk_pass(&w, 0, w.n_nodes);
    if (st == RC_OK)
        st = rci_dot_emit(&w, call);
    else
        rci_error(heap, st, "%s: no memory for a chain of %zu objects", call, n);
    walk_free(&w);
    return st;
}
