/* `rcgc snapshot SUBCOMMAND`: summary, diff, path, dominators, garbage, refs, backrefs and
 * dump over .heapsnapshot files (snap.h). Every error is found before the first byte of
 * output where the command allows it; messages are `rcgc: ...`, exit 1 for bad input, 2
 * for bad usage. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snap.h"

#define TEXT_BYTES 256

const char snapshot_help[] =
    "usage: rcgc snapshot COMMAND [OPTIONS] FILE...\n"
    "\n"
    "Offline analysis of V8 .heapsnapshot files: the ones rc_heap_snapshot_write makes,\n"
    "and those Chrome DevTools and node write. FILE '-' reads standard input.\n"
    "\n"
    "commands:\n"
    "  summary FILE           objects, bytes and retained bytes by class, largest first\n"
    "  diff OLD NEW           growth by class; objects new in NEW by class and allocation site\n"
    "  path FILE ID           the shortest retainer chains from the roots to object ID\n"
    "  dominators FILE        the top retainers by retained size (--all: every object)\n"
    "  garbage FILE           the objects no root reaches (what a full collection frees)\n"
    "  refs FILE ID           what ID refers to, breadth first (-o FILE.svg|.dot draws it)\n"
    "  backrefs FILE ID       what refers to ID, breadth first (-o FILE.svg|.dot draws it)\n"
    "  dump FILE              every node and edge as text\n"
    "\n"
    "options:\n"
    "  -n, --top N            rows of summary, diff and dominators (default 20; 0: all);\n"
    "                         chains shown by path (default 1)\n"
    "      --all              dominators: 'ID IDOM RETAINED' for every object\n"
    "      --count            garbage: print only the number of unreachable objects\n"
    "  -o, --output FILE      refs, backrefs: write DOT (.dot) or an image through\n"
    "                         Graphviz's dot (.svg, .png, .pdf)\n"
    "      --max-depth N      refs, backrefs: levels followed (default 3)\n"
    "      --too-many N       refs, backrefs: edges drawn per node at most (default 10)\n"
    "      --filter CLASS     refs, backrefs: only objects of this class are added\n"
    "      --ignore ID        refs, backrefs: never draw nor follow ID (repeatable)\n"
    "  -h, --help             show this help\n"
    "\n"
    "Classes follow DevTools: an object node's class is its name (rcgc: the type name),\n"
    "other nodes show as (string), (number), (array), (system) and so on. Weak edges do\n"
    "not keep objects alive: dominators, retained sizes, path and garbage ignore them.\n"
    "\n"
    "Exit status: 0 on success; 1 when a file cannot be read or is malformed, or an ID is\n"
    "not in the snapshot; 2 on a usage error. Files over 100 MB show progress on standard\n"
    "error when it is a terminal.\n";

/* Options whose value may be the next argument (cli_scan_help_version). */
const char *const snapshot_value_options[] = {
    "-n", "--top", "-o", "--output", "--max-depth", "--too-many", "--filter", "--ignore", NULL};

struct opts {
    const char *cmd;
    const char *files[2];
    size_t n_files;
    const char *id_text;
    uint64_t id;
    size_t top;
    bool top_set;
    bool all, count;
    const char *output;
    size_t max_depth, too_many;
    const char *filter;
    uint64_t *ignore;
    size_t n_ignore;
};

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "rcgc: snapshot: %s%s%s\n", what, arg ? " " : "", arg ? arg : "");
    fputs("Try 'rcgc snapshot --help'.\n", stderr);
    return EXIT_USAGE;
}

static bool parse_u64(const char *t, uint64_t *out)
{
    if (t == NULL || *t < '0' || *t > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(t, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

static int option(struct opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
    size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
    const char *val = eq ? eq + 1 : NULL;
#define IS(name) (nlen == strlen(name) && strncmp(a, name, nlen) == 0)
    if (IS("-h") || IS("--help"))
        return -1;
    if (IS("--all")) {
        o->all = true;
        return 0;
    }
    if (IS("--count")) {
        o->count = true;
        return 0;
    }
    bool known = IS("-n") || IS("--top") || IS("-o") || IS("--output") || IS("--max-depth") ||
                 IS("--too-many") || IS("--filter") || IS("--ignore");
    if (!known)
        return usage_error("unknown option", a);
    if (val == NULL) {
        if (*i + 1 >= argc)
            return usage_error("missing value for option", a);
        val = argv[++*i];
    }
    uint64_t v = 0;
    if (IS("-o") || IS("--output")) {
        o->output = val;
    } else if (IS("--filter")) {
        o->filter = val;
    } else if (!parse_u64(val, &v)) {
        return usage_error("not a number:", val);
    } else if (IS("-n") || IS("--top")) {
        o->top = (size_t)v;
        o->top_set = true;
    } else if (IS("--max-depth")) {
        o->max_depth = (size_t)v;
    } else if (IS("--too-many")) {
        if (v == 0)
            return usage_error("--too-many must be at least 1", NULL);
        o->too_many = (size_t)v;
    } else {
        o->ignore[o->n_ignore++] = v;
    }
#undef IS
    return 0;
}

/* ---- output helpers ---------------------------------------------------------------------- */

static void out_str(const char *t)
{
    out_bytes(t, strlen(t));
}

/* Text from a file, control characters shown as escapes (one record per line). */
static void out_text(const char *t)
{
    for (const char *p = t;; p++) {
        const char *q = p;
        while (*q != '\0' && (unsigned char)*q >= 0x20 && *q != 0x7f)
            q++;
        out_bytes(p, (size_t)(q - p));
        if (*q == '\0')
            return;
        char esc[8];
        snprintf(esc, sizeof esc,
                 *q == '\n'   ? "\\n"
                 : *q == '\t' ? "\\t"
                              : "\\x%02x",
                 (unsigned char)*q);
        out_bytes(esc, strlen(esc));
        p = q;
    }
}

static void out_fmt(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static void out_fmt(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        out_bytes(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* A node as "CLASS @ID" plus its name when that differs from its class. */
static void out_node(const struct snap *s, uint32_t i)
{
    char cls[TEXT_BYTES], name[TEXT_BYTES];
    snap_class(s, i, cls, sizeof cls);
    snap_string(s, s->nname[i], name, sizeof name);
    out_text(cls);
    out_fmt(" @%" PRIu64, s->nid[i]);
    if (strcmp(cls, name) != 0 && name[0] != '\0') {
        out_str(" ");
        out_text(name);
    }
}

static int load(struct snap *s, const char *path)
{
    return snap_load(s, path) != 0 ? EXIT_BAD_INPUT : 0;
}

static uint32_t node_of(const struct snap *s, uint64_t id)
{
    uint32_t i = snap_find_id(s, id);
    if (i == UINT32_MAX)
        fprintf(stderr, "rcgc: %s: no object with id %" PRIu64 "\n", s->label, id);
    return i;
}

/* ---- per-class tables -------------------------------------------------------------------- */

struct cls {
    char name[TEXT_BYTES];
    uint64_t count, bytes, retained;
    uint64_t count2, bytes2; /* diff: the new file */
    uint64_t fresh, fresh_bytes;
};

struct cls_table {
    struct cls *v;
    size_t n, cap;
    uint64_t *keys; /* class key per entry (one file), or unused */
    uint32_t *slot; /* open addressing on name hash */
    size_t slots;
};

static uint64_t hash_text(const char *t)
{
    uint64_t h = 1469598103934665603u;
    for (; *t; t++)
        h = (h ^ (unsigned char)*t) * 1099511628211u;
    return h;
}

static struct cls *cls_get(struct cls_table *t, const char *name)
{
    if (t->n * 2 >= t->slots) {
        size_t slots = t->slots ? t->slots * 2 : 256;
        uint32_t *sl = xmalloc(slots * sizeof *sl);
        memset(sl, 0xff, slots * sizeof *sl);
        for (size_t k = 0; k < t->n; k++) {
            size_t h = hash_text(t->v[k].name) & (slots - 1);
            while (sl[h] != UINT32_MAX)
                h = (h + 1) & (slots - 1);
            sl[h] = (uint32_t)k;
        }
        free(t->slot);
        t->slot = sl;
        t->slots = slots;
    }
    size_t h = hash_text(name) & (t->slots - 1);
    while (t->slot[h] != UINT32_MAX) {
        if (strcmp(t->v[t->slot[h]].name, name) == 0)
            return &t->v[t->slot[h]];
        h = (h + 1) & (t->slots - 1);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    struct cls *c = &t->v[t->n];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    t->slot[h] = (uint32_t)t->n++;
    return c;
}

/* Class entry of each node, through a per-key cache (one snap). */
static uint32_t *classes_of(const struct snap *s, struct cls_table *t)
{
    uint32_t *of = xalloc_big((size_t)s->n_nodes * 4);
    /* keys are string indexes or 2^40 | type: cache both kinds */
    uint32_t *by_string = xalloc_big(((size_t)s->n_strings + 1) * 4);
    uint32_t by_type[SNAP_MAX_TYPES];
    memset(by_string, 0xff, ((size_t)s->n_strings + 1) * 4);
    memset(by_type, 0xff, sizeof by_type);
    char name[TEXT_BYTES];
    for (uint32_t i = 0; i < s->n_nodes; i++) {
        uint64_t key = snap_class_key(s, i);
        uint32_t *cache = key >> 40 ? &by_type[key & 0xff] : &by_string[key];
        if (*cache == UINT32_MAX) {
            snap_class(s, i, name, sizeof name);
            *cache = (uint32_t)(cls_get(t, name) - t->v);
        }
        of[i] = *cache;
    }
    xfree_big(by_string, ((size_t)s->n_strings + 1) * 4);
    return of;
}

/* DevTools' retained size of a class: the retained sizes of its objects that no other
 * object of the class dominates. A walk of the dominator tree (explicit stack) keeps, per
 * class, how many objects of the class are on the current path. */
static void class_retained(const struct snap *s, const uint32_t *idom, const uint64_t *retained,
                           const uint32_t *cls_of, struct cls_table *t)
{
    uint32_t n = s->n_nodes;
    uint32_t *cstart = xcalloc((size_t)n + 2, 4);
    for (uint32_t i = 1; i < n; i++)
        if (idom[i] != UINT32_MAX)
            cstart[idom[i] + 1]++;
    for (uint32_t i = 0; i < n; i++)
        cstart[i + 1] += cstart[i];
    uint32_t *kids = xmalloc(((size_t)cstart[n] + 1) * 4), *fill = xmalloc(((size_t)n + 1) * 4);
    memcpy(fill, cstart, (size_t)n * 4);
    for (uint32_t i = 1; i < n; i++)
        if (idom[i] != UINT32_MAX)
            kids[fill[idom[i]]++] = i;
    uint32_t *on_path = xcalloc(t->n + 1, 4);
    uint32_t *stack = fill, *next = xmalloc(((size_t)n + 1) * 4);
    size_t top = 0;
    stack[top] = 0;
    next[top++] = cstart[0];
    while (top > 0) {
        uint32_t v = stack[top - 1];
        if (next[top - 1] == cstart[v + 1]) {
            top--;
            if (v != 0)
                on_path[cls_of[v]]--;
            continue;
        }
        uint32_t w = kids[next[top - 1]++];
        if (on_path[cls_of[w]]++ == 0)
            t->v[cls_of[w]].retained += retained[w];
        stack[top] = w;
        next[top++] = cstart[w];
    }
    free(cstart);
    free(kids);
    free(fill);
    free(next);
    free(on_path);
}

static int by_bytes(const void *a, const void *b)
{
    const struct cls *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->name, y->name);
}

static int cmd_summary(struct opts *o)
{
    struct snap s;
    if (load(&s, o->files[0]))
        return EXIT_BAD_INPUT;
    progress_start(s.in.size);
    progress_phase("computing dominators");
    struct graph g;
    snap_strong_graph(&s, &g);
    uint32_t *idom;
    uint64_t *retained;
    snap_dominators(&s, &g, &idom, &retained);
    progress_end();
    struct cls_table t = {0};
    uint32_t *cls_of = classes_of(&s, &t);
    uint64_t total_bytes = 0, unreachable = 0, unreachable_bytes = 0;
    for (uint32_t i = 1; i < s.n_nodes; i++) {
        struct cls *c = &t.v[cls_of[i]];
        c->count++;
        c->bytes += s.nsize[i];
        total_bytes += s.nsize[i];
        if (idom[i] == UINT32_MAX) {
            unreachable++;
            unreachable_bytes += s.nsize[i];
        }
    }
    class_retained(&s, idom, retained, cls_of, &t);
    /* the root's own class does not count as objects */
    struct cls *root = &t.v[cls_of[0]];
    qsort(t.v, t.n, sizeof *t.v, by_bytes);
    out_fmt("%s: %u objects, %u edges, %" PRIu64 " bytes; %" PRIu64 " unreachable objects (%" PRIu64
            " bytes)\n",
            s.label, s.n_nodes - 1, s.n_edges, total_bytes, unreachable, unreachable_bytes);
    out_fmt("%12s %14s %14s  %s\n", "count", "bytes", "retained", "class");
    (void)root;
    size_t shown = 0;
    for (size_t k = 0; k < t.n; k++) {
        if (t.v[k].count == 0)
            continue;
        if (o->top && shown++ >= o->top)
            break;
        out_fmt("%12" PRIu64 " %14" PRIu64 " %14" PRIu64 "  %s\n", t.v[k].count, t.v[k].bytes,
                t.v[k].retained, t.v[k].name);
    }
    out_flush();
    xfree_big(cls_of, (size_t)s.n_nodes * 4);
    free(t.v);
    free(t.slot);
    free(idom);
    free(retained);
    snap_free(&s);
    return 0;
}

/* ---- diff ---------------------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static bool has_id(const uint64_t *ids, size_t n, uint64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id;
}

static int by_growth(const void *a, const void *b)
{
    const struct cls *x = a, *y = b;
    int64_t dx = (int64_t)x->bytes2 - (int64_t)x->bytes,
            dy = (int64_t)y->bytes2 - (int64_t)y->bytes;
    if (dx != dy)
        return dx < dy ? 1 : -1;
    int64_t cx = (int64_t)x->count2 - (int64_t)x->count,
            cy = (int64_t)y->count2 - (int64_t)y->count;
    if (cx != cy)
        return cx < cy ? 1 : -1;
    return strcmp(x->name, y->name);
}

static int by_fresh(const void *a, const void *b)
{
    const struct cls *x = a, *y = b;
    if (x->fresh != y->fresh)
        return x->fresh < y->fresh ? 1 : -1;
    return strcmp(x->name, y->name);
}

static int cmd_diff(struct opts *o)
{
    struct snap a, b;
    if (load(&a, o->files[0]))
        return EXIT_BAD_INPUT;
    size_t n_old = a.n_nodes;
    uint64_t *old_ids = xalloc_big(n_old * 8);
    memcpy(old_ids, a.nid, n_old * 8);
    qsort(old_ids, n_old, 8, cmp_u64);
    struct cls_table t = {0};
    char name[TEXT_BYTES];
    uint32_t *of = classes_of(&a, &t);
    for (uint32_t i = 1; i < a.n_nodes; i++) {
        t.v[of[i]].count++;
        t.v[of[i]].bytes += a.nsize[i];
    }
    xfree_big(of, (size_t)a.n_nodes * 4);
    snap_free(&a);
    if (load(&b, o->files[1])) {
        xfree_big(old_ids, n_old * 8);
        free(t.v);
        free(t.slot);
        return EXIT_BAD_INPUT;
    }
    struct cls_table sites = {0};
    uint64_t fresh = 0, fresh_bytes = 0;
    of = classes_of(&b, &t);
    for (uint32_t i = 1; i < b.n_nodes; i++) {
        struct cls *c = &t.v[of[i]];
        c->count2++;
        c->bytes2 += b.nsize[i];
        if (!has_id(old_ids, n_old, b.nid[i])) {
            c->fresh++;
            c->fresh_bytes += b.nsize[i];
            fresh++;
            fresh_bytes += b.nsize[i];
            char site[TEXT_BYTES], key[2 * TEXT_BYTES + 4];
            snprintf(name, sizeof name, "%s", c->name);
            if (snap_site(&b, i, site, sizeof site) == 0)
                snprintf(site, sizeof site, "(no site)");
            snprintf(key, sizeof key, "%s  %s", site, name);
            struct cls *st = cls_get(&sites, key);
            st->fresh++;
            st->fresh_bytes += b.nsize[i];
        }
    }
    xfree_big(of, (size_t)b.n_nodes * 4);
    out_fmt("%s -> %s: %zu -> %u objects; %" PRIu64 " new (%" PRIu64 " bytes)\n", o->files[0],
            b.label, n_old - 1, b.n_nodes - 1, fresh, fresh_bytes);
    qsort(t.v, t.n, sizeof *t.v, by_growth);
    out_fmt("%12s %12s %14s %14s  %s\n", "count", "+/-", "bytes", "+/-", "class");
    size_t shown = 0;
    for (size_t k = 0; k < t.n; k++) {
        const struct cls *c = &t.v[k];
        if (c->count == c->count2 && c->bytes == c->bytes2)
            continue;
        if (o->top && shown++ >= o->top)
            break;
        out_fmt("%12" PRIu64 " %+12" PRId64 " %14" PRIu64 " %+14" PRId64 "  %s\n", c->count2,
                (int64_t)c->count2 - (int64_t)c->count, c->bytes2,
                (int64_t)c->bytes2 - (int64_t)c->bytes, c->name);
    }
    out_str("\nnew objects by class:\n");
    qsort(t.v, t.n, sizeof *t.v, by_fresh);
    shown = 0;
    for (size_t k = 0; k < t.n && t.v[k].fresh; k++) {
        if (o->top && shown++ >= o->top)
            break;
        out_fmt("%12" PRIu64 " %14" PRIu64 "  %s\n", t.v[k].fresh, t.v[k].fresh_bytes, t.v[k].name);
    }
    out_str("\nnew objects by allocation site:\n");
    qsort(sites.v, sites.n, sizeof *sites.v, by_fresh);
    shown = 0;
    for (size_t k = 0; k < sites.n; k++) {
        if (o->top && shown++ >= o->top)
            break;
        out_fmt("%12" PRIu64 " %14" PRIu64 "  %s\n", sites.v[k].fresh, sites.v[k].fresh_bytes,
                sites.v[k].name);
    }
    out_flush();
    xfree_big(old_ids, n_old * 8);
    free(t.v);
    free(t.slot);
    free(sites.v);
    free(sites.slot);
    snap_free(&b);
    return 0;
}

/* ---- path -------------------------------------------------------------------------------- */

/* Breadth-first search from node 0 over strong edges: the edge that reached each node
 * (UINT32_MAX: none) and the node's distance. */
static void bfs_from_root(const struct snap *s, uint32_t *via, uint32_t *dist)
{
    uint32_t n = s->n_nodes;
    uint32_t *queue = xmalloc(((size_t)n + 1) * 4);
    for (uint32_t i = 0; i < n; i++) {
        via[i] = UINT32_MAX;
        dist[i] = UINT32_MAX;
    }
    size_t head = 0, tail = 0;
    queue[tail++] = 0;
    dist[0] = 0;
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t e = s->first_edge[v]; e < s->first_edge[v + 1]; e++) {
            uint32_t w = s->eto[e];
            if (!snap_edge_strong(s, e) || dist[w] != UINT32_MAX)
                continue;
            dist[w] = dist[v] + 1;
            via[w] = e;
            queue[tail++] = w;
        }
    }
    free(queue);
}

static uint32_t edge_source(const struct snap *s, uint32_t e)
{
    uint32_t lo = 0, hi = s->n_nodes;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->first_edge[mid] <= e)
            lo = mid;
        else
            hi = mid;
    }
    while (lo + 1 < s->n_nodes && s->first_edge[lo + 1] <= e)
        lo++;
    return lo;
}

/* Prints the chain root -> ... -> target whose last edge is `last`. */
static void print_chain(const struct snap *s, const uint32_t *via, uint32_t last)
{
    size_t n = 0, cap = 64;
    uint32_t *chain = xmalloc(cap * 4);
    for (uint32_t e = last;;) {
        if (n == cap)
            chain = xrealloc(chain, (cap *= 2) * 4);
        chain[n++] = e;
        uint32_t from = edge_source(s, e);
        if (from == 0)
            break;
        e = via[from];
    }
    out_node(s, 0);
    char label[TEXT_BYTES];
    while (n-- > 0) {
        snap_edge_name(s, chain[n], label, sizeof label);
        out_str("\n  -[");
        out_text(label);
        out_str("]-> ");
        out_node(s, s->eto[chain[n]]);
    }
    out_char('\n');
    free(chain);
}

static int cmd_path(struct opts *o)
{
    struct snap s;
    if (load(&s, o->files[0]))
        return EXIT_BAD_INPUT;
    uint32_t target = node_of(&s, o->id);
    if (target == UINT32_MAX) {
        snap_free(&s);
        return EXIT_BAD_INPUT;
    }
    uint32_t *via = xmalloc((size_t)s.n_nodes * 4), *dist = xmalloc((size_t)s.n_nodes * 4);
    bfs_from_root(&s, via, dist);
    size_t want = o->top_set ? o->top : 1;
    if (target == 0) {
        out_node(&s, 0);
        out_str(" is the root\n");
    } else if (dist[target] == UINT32_MAX) {
        out_node(&s, target);
        out_str(": no root reaches it (garbage)\n");
    } else {
        /* one chain per retainer, nearest retainers first */
        struct graph r;
        uint32_t *edge_of;
        snap_reverse_graph(&s, &r, &edge_of);
        size_t n = r.start[target + 1] - r.start[target], shown = 0;
        uint32_t *cand = xmalloc((n + 1) * 4);
        size_t k = 0;
        for (uint32_t p = r.start[target]; p < r.start[target + 1]; p++)
            if (dist[r.succ[p]] != UINT32_MAX)
                cand[k++] = edge_of[p];
        for (size_t a = 1; a < k; a++) { /* by the retainer's distance, stable */
            uint32_t x = cand[a];
            size_t b = a;
            while (b > 0 && dist[edge_source(&s, cand[b - 1])] > dist[edge_source(&s, x)]) {
                cand[b] = cand[b - 1];
                b--;
            }
            cand[b] = x;
        }
        for (size_t a = 0; a < k && (want == 0 || shown < want); a++, shown++) {
            if (shown)
                out_char('\n');
            print_chain(&s, via, cand[a]);
        }
        free(cand);
        xfree_big(edge_of, ((size_t)r.n_edges + 1) * 4);
        snap_graph_free(&r);
    }
    out_flush();
    free(via);
    free(dist);
    snap_free(&s);
    return 0;
}

/* ---- dominators ------------------------------------------------------------------------ */

static int cmd_dominators(struct opts *o)
{
    struct snap s;
    if (load(&s, o->files[0]))
        return EXIT_BAD_INPUT;
    progress_start(s.in.size);
    progress_phase("computing dominators");
    struct graph g;
    snap_strong_graph(&s, &g);
    uint32_t *idom;
    uint64_t *retained;
    snap_dominators(&s, &g, &idom, &retained);
    progress_end();
    if (o->all) {
        for (uint32_t i = 0; i < s.n_nodes; i++) {
            out_u64(s.nid[i]);
            out_char(' ');
            if (idom[i] == UINT32_MAX) {
                out_str("- 0\n");
                continue;
            }
            out_u64(s.nid[idom[i]]);
            out_char(' ');
            out_u64(retained[i]);
            out_char('\n');
        }
    } else {
        size_t top = o->top_set ? o->top : 20;
        if (top == 0 || top > s.n_nodes)
            top = s.n_nodes;
        /* the top entries by retained size: a min-heap of `top` nodes */
        uint32_t *heap = xmalloc((top + 1) * 4);
        size_t h = 0;
        for (uint32_t i = 1; i < s.n_nodes; i++) {
            if (idom[i] == UINT32_MAX)
                continue;
            if (h < top) {
                size_t c = h++;
                heap[c] = i;
                while (c > 0 && retained[heap[(c - 1) / 2]] > retained[heap[c]]) {
                    uint32_t x = heap[c];
                    heap[c] = heap[(c - 1) / 2];
                    heap[(c - 1) / 2] = x;
                    c = (c - 1) / 2;
                }
            } else if (retained[i] > retained[heap[0]]) {
                heap[0] = i;
                for (size_t c = 0;;) {
                    size_t l = 2 * c + 1, m = c;
                    if (l < h && retained[heap[l]] < retained[heap[m]])
                        m = l;
                    if (l + 1 < h && retained[heap[l + 1]] < retained[heap[m]])
                        m = l + 1;
                    if (m == c)
                        break;
                    uint32_t x = heap[c];
                    heap[c] = heap[m];
                    heap[m] = x;
                    c = m;
                }
            }
        }
        /* largest first */
        for (size_t a = 1; a < h; a++) {
            uint32_t x = heap[a];
            size_t b = a;
            while (b > 0 &&
                   (retained[heap[b - 1]] < retained[x] ||
                    (retained[heap[b - 1]] == retained[x] && s.nid[heap[b - 1]] > s.nid[x]))) {
                heap[b] = heap[b - 1];
                b--;
            }
            heap[b] = x;
        }
        out_fmt("%14s %12s  %s\n", "retained", "self", "object (immediate dominator)");
        for (size_t a = 0; a < h; a++) {
            uint32_t i = heap[a];
            out_fmt("%14" PRIu64 " %12" PRIu64 "  ", retained[i], s.nsize[i]);
            out_node(&s, i);
            out_str("  (");
            out_node(&s, idom[i]);
            out_str(")\n");
        }
        free(heap);
    }
    out_flush();
    free(idom);
    free(retained);
    snap_free(&s);
    return 0;
}

/* ---- garbage ----------------------------------------------------------------------------- */

static int cmd_garbage(struct opts *o)
{
    struct snap s;
    if (load(&s, o->files[0]))
        return EXIT_BAD_INPUT;
    struct graph g;
    snap_strong_graph(&s, &g);
    size_t bytes;
    uint64_t *seen = snap_reached(&s, &g, &bytes);
    snap_graph_free(&g);
    uint64_t n = 0, total = 0;
    for (uint32_t i = 0; i < s.n_nodes; i++) {
        if (seen[i >> 6] >> (i & 63) & 1)
            continue;
        n++;
        total += s.nsize[i];
        if (o->count)
            continue;
        out_fmt("%12" PRIu64 "  ", s.nsize[i]);
        out_node(&s, i);
        out_char('\n');
    }
    if (o->count) {
        out_u64(n);
        out_char('\n');
    }
    out_flush();
    marks_free(seen, bytes);
    snap_free(&s);
    return 0;
}

/* ---- refs and backrefs --------------------------------------------------------------------- */

struct walk_node {
    uint32_t node;
    uint32_t depth;
};

static bool ignored(const struct opts *o, const struct snap *s, uint32_t i)
{
    for (size_t k = 0; k < o->n_ignore; k++)
        if (s->nid[i] == o->ignore[k])
            return true;
    if (o->filter != NULL) {
        char cls[TEXT_BYTES];
        snap_class(s, i, cls, sizeof cls);
        if (strcmp(cls, o->filter) != 0)
            return true;
    }
    return false;
}

static void dot_text(FILE *f, const char *t)
{
    for (; *t; t++) {
        if (*t == '"' || *t == '\\')
            fputc('\\', f);
        if (*t == '\n') {
            fputs("\\n", f);
            continue;
        }
        fputc(*t, f);
    }
}

static void dot_node(FILE *f, const struct snap *s, uint32_t i, uint32_t depth, bool start,
                     bool root_held)
{
    char cls[TEXT_BYTES], name[TEXT_BYTES];
    snap_class(s, i, cls, sizeof cls);
    snap_string(s, s->nname[i], name, sizeof name);
    fprintf(f, "  n%u [label=\"", i);
    dot_text(f, cls);
    fprintf(f, " @%" PRIu64 "\\n", s->nid[i]);
    if (strcmp(cls, name) != 0)
        dot_text(f, name);
    fprintf(f, "\\n%" PRIu64 " bytes\"", s->nsize[i]);
    int shade = 255 - (int)(depth > 6 ? 6 : depth) * 20;
    fprintf(f, ", style=filled, fillcolor=\"#%02x%02x%02x\"", shade, shade, shade);
    if (start)
        fputs(", fontcolor=red", f);
    if (root_held)
        fputs(", peripheries=2", f);
    fputs("];\n", f);
}

/* Renders DOT at dot_path into out with Graphviz's dot program. 0, or 1 after a message. */
static int render(const char *dot_path, const char *out, const char *format)
{
    char fmt[16];
    snprintf(fmt, sizeof fmt, "-T%s", format);
    char *argv[] = {"dot", fmt, "-o", (char *)out, (char *)dot_path, NULL};
    pid_t pid;
    extern char **environ;
    if (posix_spawnp(&pid, "dot", NULL, NULL, argv, environ) != 0) {
        fprintf(stderr, "rcgc: Graphviz's dot is not installed; the DOT text is in %s\n", dot_path);
        return 2;
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "rcgc: dot failed to render %s\n", out);
        return 1;
    }
    return 0;
}

static int cmd_refs(struct opts *o, bool back)
{
    struct snap s;
    if (load(&s, o->files[0]))
        return EXIT_BAD_INPUT;
    uint32_t start = node_of(&s, o->id);
    if (start == UINT32_MAX) {
        snap_free(&s);
        return EXIT_BAD_INPUT;
    }
    struct graph r = {0};
    uint32_t *edge_of = NULL;
    if (back)
        snap_reverse_graph(&s, &r, &edge_of);
    uint32_t *depth = xmalloc((size_t)s.n_nodes * 4);
    for (uint32_t i = 0; i < s.n_nodes; i++)
        depth[i] = UINT32_MAX;
    struct walk_node *q = xmalloc(((size_t)s.n_nodes + 1) * sizeof *q);
    size_t head = 0, tail = 0;
    q[tail++] = (struct walk_node){start, 0};
    depth[start] = 0;
    /* edges drawn: (edge index) */
    size_t n_drawn = 0, cap_drawn = 256;
    uint32_t *drawn = xmalloc(cap_drawn * 4);
    uint32_t *more = xcalloc((size_t)s.n_nodes + 1, 4); /* edges left out per node */
    while (head < tail) {
        struct walk_node wn = q[head++];
        if (wn.depth >= o->max_depth)
            continue;
        uint32_t v = wn.node, k = 0;
        uint32_t lo = back ? r.start[v] : s.first_edge[v],
                 hi = back ? r.start[v + 1] : s.first_edge[v + 1];
        for (uint32_t p = lo; p < hi; p++) {
            uint32_t e = back ? edge_of[p] : p;
            uint32_t w = back ? r.succ[p] : s.eto[e];
            if (ignored(o, &s, w))
                continue;
            if (k++ >= o->too_many) {
                more[v]++;
                continue;
            }
            if (n_drawn == cap_drawn)
                drawn = xrealloc(drawn, (cap_drawn *= 2) * 4);
            drawn[n_drawn++] = e;
            if (depth[w] == UINT32_MAX) {
                depth[w] = wn.depth + 1;
                q[tail++] = (struct walk_node){w, wn.depth + 1};
            }
        }
    }
    char label[TEXT_BYTES];
    int rc = 0;
    if (o->output == NULL) {
        for (size_t k = 0; k < n_drawn; k++) {
            uint32_t e = drawn[k], from = edge_source(&s, e);
            snap_edge_name(&s, e, label, sizeof label);
            out_node(&s, from);
            out_str(" -[");
            out_text(label);
            out_str("]-> ");
            out_node(&s, s.eto[e]);
            if (!snap_edge_strong(&s, e))
                out_str(" (weak)");
            out_char('\n');
        }
        for (size_t k = 0; k < tail; k++)
            if (more[q[k].node]) {
                out_node(&s, q[k].node);
                out_fmt(": %u more\n", more[q[k].node]);
            }
        out_flush();
    } else {
        const char *dotx = strrchr(o->output, '.');
        const char *ext = dotx ? dotx + 1 : "";
        bool is_dot = strcmp(ext, "dot") == 0 || strcmp(ext, "gv") == 0;
        if (!is_dot && strcmp(ext, "svg") && strcmp(ext, "png") && strcmp(ext, "pdf")) {
            fprintf(stderr, "rcgc: %s: unknown extension (use .dot, .svg, .png or .pdf)\n",
                    o->output);
            rc = EXIT_USAGE;
            goto done;
        }
        size_t plen = strlen(o->output);
        char *dot_path = xmalloc(plen + 16);
        if (is_dot)
            snprintf(dot_path, plen + 16, "%s.tmpXXXXXX", o->output);
        else
            snprintf(dot_path, plen + 16, "%.*s.dot", (int)(dotx - o->output), o->output);
        char *tmp = xmalloc(plen + 32);
        snprintf(tmp, plen + 32, "%s.tmpXXXXXX", is_dot ? o->output : dot_path);
        int fd = mkstemp(tmp);
        FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
        if (f == NULL) {
            fprintf(stderr, "rcgc: %s: %s\n", o->output, strerror(errno));
            free(dot_path);
            free(tmp);
            rc = EXIT_BAD_INPUT;
            goto done;
        }
        fprintf(f, "digraph ObjectGraph {\n  node [shape=box, style=filled, fillcolor=white];\n");
        for (size_t k = 0; k < tail; k++) {
            uint32_t v = q[k].node;
            bool held = false;
            if (back)
                for (uint32_t e = s.first_edge[0]; e < s.first_edge[1]; e++)
                    held = held || s.eto[e] == v;
            dot_node(f, &s, v, q[k].depth, v == start, held);
            if (more[v]) {
                fprintf(f, "  m%u [label=\"%u more\", shape=plaintext];\n", v, more[v]);
                fprintf(f, back ? "  m%u -> n%u;\n" : "  n%u -> m%u;\n", v, v);
            }
        }
        for (size_t k = 0; k < n_drawn; k++) {
            uint32_t e = drawn[k];
            snap_edge_name(&s, e, label, sizeof label);
            fprintf(f, "  n%u -> n%u [label=\"", edge_source(&s, e), s.eto[e]);
            dot_text(f, label);
            fprintf(f, "\"%s];\n", snap_edge_strong(&s, e) ? "" : ", style=dashed");
        }
        fputs("}\n", f);
        bool ok = fflush(f) == 0 && !ferror(f);
        ok = fclose(f) == 0 && ok;
        const char *final_dot = is_dot ? o->output : dot_path;
        if (!ok || rename(tmp, final_dot) != 0) {
            fprintf(stderr, "rcgc: %s: %s\n", final_dot, strerror(errno));
            unlink(tmp);
            rc = EXIT_BAD_INPUT;
        } else if (!is_dot) {
            int r2 = render(dot_path, o->output, ext);
            if (r2 == 0)
                unlink(dot_path);
            rc = r2 == 1 ? EXIT_BAD_INPUT : 0;
        }
        free(dot_path);
        free(tmp);
    }
done:
    free(depth);
    free(q);
    free(drawn);
    free(more);
    if (back) {
        xfree_big(edge_of, ((size_t)r.n_edges + 1) * 4);
        snap_graph_free(&r);
    }
    snap_free(&s);
    return rc;
}

/* ---- dump ---------------------------------------------------------------------------------- */

static int cmd_dump(struct opts *o)
{
    struct snap s;
    if (load(&s, o->files[0]))
        return EXIT_BAD_INPUT;
    char text[TEXT_BYTES];
    for (uint32_t i = 0; i < s.n_nodes; i++) {
        out_str("node ");
        out_u64(s.nid[i]);
        out_char(' ');
        out_str(s.node_types[s.ntype[i]]);
        out_char(' ');
        out_u64(s.nsize[i]);
        out_char(' ');
        snap_class(&s, i, text, sizeof text);
        out_text(text);
        out_str(" | ");
        snap_string(&s, s.nname[i], text, sizeof text);
        out_text(text);
        if (snap_site(&s, i, text, sizeof text)) {
            out_str(" | site ");
            out_text(text);
        }
        out_char('\n');
        for (uint32_t e = s.first_edge[i]; e < s.first_edge[i + 1]; e++) {
            out_str("  edge ");
            out_str(s.edge_types[s.etype[e]]);
            out_char(' ');
            out_u64(s.nid[s.eto[e]]);
            out_str(" | ");
            snap_edge_name(&s, e, text, sizeof text);
            out_text(text);
            out_char('\n');
        }
    }
    out_flush();
    snap_free(&s);
    return 0;
}

/* ---- dispatch ------------------------------------------------------------------------------ */

struct command {
    const char *name;
    size_t files; /* FILE arguments */
    bool id;      /* an ID follows */
};

static const struct command commands[] = {
    {"summary", 1, false}, {"diff", 2, false}, {"path", 1, true},     {"dominators", 1, false},
    {"garbage", 1, false}, {"refs", 1, true},  {"backrefs", 1, true}, {"dump", 1, false},
};

int cmd_snapshot(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    struct opts o;
    memset(&o, 0, sizeof o);
    o.max_depth = 3;
    o.too_many = 10;
    o.top = 20;
    o.ignore = xcalloc((size_t)argc + 1, sizeof *o.ignore);
    const char *pos[4] = {NULL, NULL, NULL, NULL};
    size_t n_pos = 0;
    int rc = 0;
    bool only_args = false;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *a = argv[i];
        if (!only_args && strcmp(a, "--") == 0) {
            only_args = true;
        } else if (!only_args && a[0] == '-' && a[1] != '\0') {
            rc = option(&o, argc, argv, &i);
        } else if (n_pos == 4) {
            rc = usage_error("too many arguments:", a);
        } else {
            pos[n_pos++] = a;
        }
    }
    if (rc == -1) {
        fputs(snapshot_help, stdout);
        free(o.ignore);
        return 0;
    }
    const struct command *c = NULL;
    if (rc == 0 && n_pos == 0)
        rc = usage_error("missing command", NULL);
    for (size_t k = 0; rc == 0 && k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(pos[0], commands[k].name) == 0)
            c = &commands[k];
    if (rc == 0 && c == NULL)
        rc = usage_error("unknown command", pos[0]);
    if (rc == 0 && n_pos != 1 + c->files + c->id) {
        char what[96];
        snprintf(what, sizeof what, "%s takes %s%s", c->name, c->files == 2 ? "OLD NEW" : "FILE",
                 c->id ? " ID" : "");
        rc = usage_error(what, NULL);
    }
    if (rc == 0 && c->id && !parse_u64(pos[n_pos - 1], &o.id))
        rc = usage_error("not an object id:", pos[n_pos - 1]);
    if (rc == 0 && c->files == 2 && strcmp(pos[1], "-") == 0 && strcmp(pos[2], "-") == 0)
        rc = usage_error("only one of OLD and NEW can be standard input", NULL);
    if (rc != 0) {
        free(o.ignore);
        return rc;
    }
    o.cmd = c->name;
    for (size_t k = 0; k < c->files; k++)
        o.files[o.n_files++] = pos[1 + k];
    if (!o.top_set && c->id)
        o.top = 1;
    const char *name = c->name;
    if (strcmp(name, "summary") == 0)
        rc = cmd_summary(&o);
    else if (strcmp(name, "diff") == 0)
        rc = cmd_diff(&o);
    else if (strcmp(name, "path") == 0)
        rc = cmd_path(&o);
    else if (strcmp(name, "dominators") == 0)
        rc = cmd_dominators(&o);
    else if (strcmp(name, "garbage") == 0)
        rc = cmd_garbage(&o);
    else if (strcmp(name, "refs") == 0)
        rc = cmd_refs(&o, false);
    else if (strcmp(name, "backrefs") == 0)
        rc = cmd_refs(&o, true);
    else
        rc = cmd_dump(&o);
    free(o.ignore);
    return rc;
}
