/*
 * dot.c -- the DOT text of a graph walk (graph.c) and its output: to a stream, to a .dot
 * file, or rendered to an image by render.c, each file written under a temporary
 * name and renamed into place.
 */
#define _POSIX_C_SOURCE 200809L
#include "graph.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPR_BYTES 41u /* a node shows at most 40 bytes of repr, as objgraph does */

/* ---- text buffer ----------------------------------------------------------------------- */

#define TEXT_FIRST_BYTES 4096u /* the DOT text's first capacity */

typedef struct gtext {
    rc_heap *heap;
    rci_text text; /* NUL-terminated when len > 0 (util.h) */
    bool failed;   /* memory ran out; later appends do nothing */
} gtext;

static void text_put(gtext *t, const char *s, size_t n)
{
    if (!t->failed && !rci_util_text_append(t->heap, &t->text, s, n, TEXT_FIRST_BYTES))
        t->failed = true;
}

static void text_printf(gtext *t, const char *fmt, ...) RCI_PRINTF(2, 3);

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
    rci_util_text_free(t->heap, &t->text);
}

/* ---- DOT ------------------------------------------------------------------------------- */

static bool is_root(const gwalk *w, const gnode *nd)
{
    return nd->counted && rc_is_heap_object(nd->obj) && rci_graph_outside_refs(w, nd) > 0;
}

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
        text_printf(t, "\\nheld from outside (%lld)", (long long)rci_graph_outside_refs(w, nd));
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
    char label[RCI_LABEL_BYTES];
    if (rci_util_ptrmap_find(c->to, target) == NULL)
        return 0;
    rci_graph_ref_label(heap, pos, label, sizeof label);
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
            if (rci_util_ptrmap_insert(w->heap, &to, w->nodes[w->edges[e].to].obj, &added) == NULL)
                t->failed = true;
        edge_ctx c = {t, w->nodes[from].obj, &to, 0};
        if (!t->failed)
            rci_graph_each_ref_pos(w->heap, c.from, dot_edge, &c);
        n += c.emitted;
        rci_util_ptrmap_free(w->heap, &to);
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
    rc_status st = rci_render(t->text.data, t->text.len, fmt, tmp, why, why_cap, unavailable);
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

rc_status rci_dot_check_output(rc_heap *heap, const char *call, const rc_graph_options *opt)
{
    /* Sizes from the layout before result was appended up (SIZE). */
    rc_status st = rci_error_size_check(heap, call, "opt", opt, offsetof(rc_graph_options, result),
                                        sizeof *opt);
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
        return rci_error_size_check(heap, call, "opt->result", opt->result, sizeof *opt->result,
                                    sizeof *opt->result);
    return RC_OK;
}

/* Writes the walk's graph where the options say; fills the result. */
rc_status rci_dot_emit(gwalk *w, const char *call)
{
    rc_heap *heap = w->heap;
    gtext t = {heap, {NULL, 0, 0}, false};
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
        if (fwrite(t.text.data, 1, t.text.len, w->opt.output_stream) != t.text.len)
            st =
                rci_error(heap, RC_EOS, "%s: cannot write the DOT text: %s", call, strerror(errno));
    } else {
        const char *path = w->opt.output_path;
        const char *fmt = format_of(path);
        char dot_path[1100], why[200] = "";
        bool unavailable = !rci_render_available();
        if (strcmp(fmt, "dot") == 0) {
            st = write_atomically(heap, call, path, t.text.data, t.text.len);
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
            st = write_atomically(heap, call, path, t.text.data, t.text.len);
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
