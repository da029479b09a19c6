/* Analyses over a loaded snapshot (snap.h): names and classes, id lookup, the strong-edge
 * graphs, reachability (reach.c's search, the one `rcgc unreachable` uses) and dominators.
 *
 * Dominators: semi-NCA (Georgiadis and Tarjan; the algorithm LeakCanary's Shark moved to,
 * ANCHORS.md 4), over a depth-first preorder from node 0 made with an explicit stack.
 * Semi-dominators come from Lengauer-Tarjan's link-eval forest with path compression, made
 * iterative: COMPRESS walks up to the forest root recording the path on a stack, then
 * unwinds it. The immediate dominator of w is then the nearest common ancestor, in the
 * dominator tree built so far (preorder makes it a prefix), of w's DFS parent and its
 * semi-dominator: climb from the parent while above the semi-dominator in preorder.
 * O(m log n) worst case, near-linear in practice; no recursion, whatever the depth.
 * Rejected: the iterative fixpoint (Cooper-Harvey-Kennedy) that DevTools used, quadratic
 * on long chains (node-heapdump #113 in ANCHORS.md). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snap.h"

static size_t put_utf8(char *buf, size_t at, size_t cap, uint32_t cp)
{
    unsigned char t[4];
    size_t n;
    if (cp < 0x80) {
        t[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        t[0] = (unsigned char)(0xC0 | cp >> 6);
        t[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        t[0] = (unsigned char)(0xE0 | cp >> 12);
        t[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        t[0] = (unsigned char)(0xF0 | cp >> 18);
        t[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        t[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        t[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (at + n >= cap)
        return at;
    memcpy(buf + at, t, n);
    return at + n;
}

static uint32_t hex4(const unsigned char *p)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char h = p[k];
        v = v * 16 + (uint32_t)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    return v;
}

size_t snap_string(const struct snap *s, uint32_t index, char *buf, size_t cap)
{
    size_t at = 0;
    if (cap == 0)
        return 0;
    if (index >= s->n_strings) {
        buf[0] = '\0';
        return 0;
    }
    uint64_t packed = s->strings[index];
    struct name n = {s->text + (packed >> 24), (size_t)(packed & SNAP_STRING_MAX)};
    const unsigned char *p = n.bytes, *end = n.bytes + n.len;
    while (p < end && at + 1 < cap) {
        if (*p != '\\') {
            /* a whole UTF-8 sequence or nothing */
            size_t k = 1;
            if (*p >= 0xC0)
                while (p + k < end && (p[k] & 0xC0) == 0x80)
                    k++;
            if (at + k >= cap)
                break;
            memcpy(buf + at, p, k);
            at += k;
            p += k;
            continue;
        }
        unsigned char e = p[1];
        if (e == 'u') {
            uint32_t cp = hex4(p + 2);
            p += 6;
            if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                uint32_t lo = hex4(p + 2);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            if (cp >= 0xD800 && cp < 0xE000)
                cp = 0xFFFD;
            size_t was = at;
            at = put_utf8(buf, at, cap, cp);
            if (at == was)
                break;
            continue;
        }
        char c = e == 'n'   ? '\n'
                 : e == 't' ? '\t'
                 : e == 'r' ? '\r'
                 : e == 'b' ? '\b'
                 : e == 'f' ? '\f'
                            : (char)e;
        buf[at++] = c;
        p += 2;
    }
    buf[at] = '\0';
    return at;
}

uint64_t snap_class_key(const struct snap *s, uint32_t i)
{
    int t = s->ntype[i];
    if (t == s->nt_object || t == s->nt_native)
        return s->nname[i];
    return ((uint64_t)1 << 40) | (uint64_t)t;
}

size_t snap_class(const struct snap *s, uint32_t i, char *buf, size_t cap)
{
    int t = s->ntype[i];
    if (t == s->nt_object || t == s->nt_native)
        return snap_string(s, s->nname[i], buf, cap);
    const char *fixed = t == s->nt_hidden ? "(system)" : t == s->nt_code ? "(compiled code)" : NULL;
    int n = fixed ? snprintf(buf, cap, "%s", fixed) : snprintf(buf, cap, "(%s)", s->node_types[t]);
    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

size_t snap_edge_name(const struct snap *s, uint32_t e, char *buf, size_t cap)
{
    int t = s->etype[e];
    if (t == s->et_element || t == s->et_hidden) {
        int n = snprintf(buf, cap, "[%u]", s->ename[e]);
        return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
    }
    return snap_string(s, s->ename[e], buf, cap);
}

size_t snap_site(const struct snap *s, uint32_t i, char *buf, size_t cap)
{
    uint32_t id = s->ntrace[i];
    size_t lo = 0, hi = s->n_trace;
    while (id != 0 && lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->trace_id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (id == 0 || lo == s->n_trace || s->trace_id[lo] != id || s->trace_func[lo] == UINT32_MAX) {
        buf[0] = '\0';
        return 0;
    }
    return snap_string(s, s->trace_func[lo], buf, cap);
}

uint32_t snap_find_id(const struct snap *s, uint64_t id)
{
    for (uint32_t i = 0; i < s->n_nodes; i++)
        if (s->nid[i] == id)
            return i;
    return UINT32_MAX;
}

void snap_strong_graph(const struct snap *s, struct graph *g)
{
    memset(g, 0, sizeof *g);
    uint32_t n = s->n_nodes, m = 0;
    for (uint32_t e = 0; e < s->n_edges; e++)
        m += snap_edge_strong(s, e);
    g->n_keys = n;
    g->n_edges = m;
    g->start = xalloc_big(((size_t)n + 1) * 4);
    g->succ = xalloc_big(((size_t)m + 1) * 4);
    uint32_t at = 0;
    for (uint32_t i = 0; i < n; i++) {
        g->start[i] = at;
        for (uint32_t e = s->first_edge[i]; e < s->first_edge[i + 1]; e++)
            if (snap_edge_strong(s, e))
                g->succ[at++] = s->eto[e];
    }
    g->start[n] = at;
}

void snap_reverse_graph(const struct snap *s, struct graph *r, uint32_t **edge_of)
{
    memset(r, 0, sizeof *r);
    uint32_t n = s->n_nodes, m = 0;
    r->n_keys = n;
    r->start = xalloc_big(((size_t)n + 1) * 4);
    for (uint32_t e = 0; e < s->n_edges; e++)
        if (snap_edge_strong(s, e)) {
            r->start[s->eto[e] + 1]++;
            m++;
        }
    for (uint32_t i = 0; i < n; i++)
        r->start[i + 1] += r->start[i];
    r->n_edges = m;
    r->succ = xalloc_big(((size_t)m + 1) * 4);
    uint32_t *eo = edge_of ? xalloc_big(((size_t)m + 1) * 4) : NULL;
    uint32_t *fill = xalloc_big(((size_t)n + 1) * 4);
    memcpy(fill, r->start, (size_t)n * 4);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t e = s->first_edge[i]; e < s->first_edge[i + 1]; e++)
            if (snap_edge_strong(s, e)) {
                uint32_t k = fill[s->eto[e]]++;
                r->succ[k] = i;
                if (eo)
                    eo[k] = e;
            }
    xfree_big(fill, ((size_t)n + 1) * 4);
    if (edge_of)
        *edge_of = eo;
}

void snap_graph_free(struct graph *g)
{
    xfree_big(g->start, ((size_t)g->n_keys + 1) * 4);
    xfree_big(g->succ, ((size_t)g->n_edges + 1) * 4);
    g->start = g->succ = NULL;
}

uint64_t *snap_reached(const struct snap *s, const struct graph *g, size_t *bytes)
{
    uint64_t *seen = marks_new(s->n_nodes, bytes);
    uint32_t root = 0;
    seen[0] |= 1;
    graph_reach_from(g, &root, 1, seen);
    return seen;
}

/* ---- dominators -------------------------------------------------------------------------- */

#define NONE UINT32_MAX

/* Depth-first preorder from node 0: order[k] is the k-th node, pre[node] its number (NONE
 * if unreached), parent[k] the number of its DFS parent. Returns how many were reached. */
static uint32_t preorder(const struct graph *g, uint32_t *pre, uint32_t *order, uint32_t *parent)
{
    uint32_t n = g->n_keys, count = 0;
    for (uint32_t i = 0; i < n; i++)
        pre[i] = NONE;
    uint32_t *stack = xmalloc(((size_t)n + 1) * sizeof *stack); /* nodes */
    uint32_t *next = xmalloc(((size_t)n + 1) * sizeof *next);   /* their next edge */
    size_t top = 0;
    pre[0] = count;
    order[count] = 0;
    parent[count++] = 0;
    stack[top] = 0;
    next[top++] = g->start[0];
    while (top > 0) {
        uint32_t v = stack[top - 1];
        if (next[top - 1] == g->start[v + 1]) {
            top--;
            continue;
        }
        uint32_t w = g->succ[next[top - 1]++];
        if (pre[w] != NONE)
            continue;
        pre[w] = count;
        order[count] = w;
        parent[count++] = pre[v];
        stack[top] = w;
        next[top++] = g->start[w];
    }
    free(stack);
    free(next);
    return count;
}

/* Lengauer-Tarjan's EVAL with iterative path compression (COMPRESS), over preorder
 * numbers: the vertex of minimal semi on the forest path from v up to its root's child. */
struct path {
    uint32_t *v; /* the forest path being compressed, grown as needed (usually short) */
    size_t cap;
};

static uint32_t eval(uint32_t v, uint32_t *ancestor, uint32_t *label, const uint32_t *semi,
                     struct path *pp)
{
    if (ancestor[v] == NONE)
        return v;
    size_t n = 0;
    for (uint32_t x = v; ancestor[ancestor[x]] != NONE; x = ancestor[x]) {
        if (n == pp->cap) {
            pp->cap = pp->cap ? pp->cap * 2 : 1024;
            pp->v = xrealloc(pp->v, pp->cap * sizeof *pp->v);
        }
        pp->v[n++] = x;
    }
    uint32_t *path = pp->v;
    while (n-- > 0) {
        uint32_t x = path[n], a = ancestor[x];
        if (semi[label[a]] < semi[label[x]])
            label[x] = label[a];
        ancestor[x] = ancestor[a];
    }
    return label[v];
}

void snap_dominators(const struct snap *s, struct graph *g, uint32_t **idom_out,
                     uint64_t **retained_out)
{
    uint32_t n = s->n_nodes;
    uint32_t *pre = xmalloc((size_t)n * 4), *order = xmalloc((size_t)n * 4);
    uint32_t *parent = xmalloc((size_t)n * 4);
    uint32_t r = preorder(g, pre, order, parent);
    /* predecessors by preorder number (reached ones only) */
    uint32_t *pstart = xcalloc((size_t)r + 2, 4);
    for (uint32_t k = 0; k < r; k++) {
        uint32_t v = order[k];
        for (uint32_t e = g->start[v]; e < g->start[v + 1]; e++)
            pstart[pre[g->succ[e]] + 1]++;
    }
    for (uint32_t k = 0; k < r; k++)
        pstart[k + 1] += pstart[k];
    uint32_t *preds = xmalloc(((size_t)pstart[r] + 1) * 4);
    uint32_t *fill = xmalloc(((size_t)r + 1) * 4);
    memcpy(fill, pstart, (size_t)r * 4);
    for (uint32_t k = 0; k < r; k++) {
        uint32_t v = order[k];
        for (uint32_t e = g->start[v]; e < g->start[v + 1]; e++)
            preds[fill[pre[g->succ[e]]]++] = k;
    }
    free(fill);
    /* Peak memory is what the semi-dominator pass holds: everything not needed by it goes
     * first (the rows, the preorder numbers by node). */
    free(pre);
    snap_graph_free(g);
    uint32_t *semi = xmalloc(((size_t)r + 1) * 4), *label = xmalloc(((size_t)r + 1) * 4);
    uint32_t *ancestor = xmalloc(((size_t)r + 1) * 4);
    struct path path = {NULL, 0};
    for (uint32_t k = 0; k < r; k++) {
        semi[k] = label[k] = k;
        ancestor[k] = NONE;
    }
    for (uint32_t w = r; w-- > 1;) {
        uint32_t sd = semi[w];
        for (uint32_t p = pstart[w]; p < pstart[w + 1]; p++) {
            uint32_t v = preds[p];
            uint32_t cand = v <= w ? v : semi[eval(v, ancestor, label, semi, &path)];
            if (cand < sd)
                sd = cand;
        }
        semi[w] = sd;
        ancestor[w] = parent[w];
    }
    free(label);
    free(ancestor);
    free(path.v);
    free(preds);
    free(pstart);
    uint32_t *dom = xmalloc(((size_t)r + 1) * 4);
    dom[0] = 0;
    for (uint32_t w = 1; w < r; w++) {
        uint32_t d = parent[w];
        while (d > semi[w])
            d = dom[d];
        dom[w] = d;
    }
    uint32_t *idom = xmalloc(((size_t)n + 1) * 4);
    uint64_t *retained = xcalloc((size_t)n + 1, 8);
    for (uint32_t i = 0; i < n; i++)
        idom[i] = NONE;
    for (uint32_t k = 0; k < r; k++)
        idom[order[k]] = order[dom[k]];
    for (uint32_t k = r; k-- > 0;) {
        uint32_t v = order[k];
        retained[v] += s->nsize[v];
        if (k > 0)
            retained[order[dom[k]]] += retained[v];
    }
    free(order);
    free(parent);
    free(semi);
    free(dom);
    *idom_out = idom;
    *retained_out = retained;
}
