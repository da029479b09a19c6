/* Reading a .heapsnapshot (snap.h): one pass over the JSON text with a small scanner that
 * knows the document's shape: an object whose "snapshot" member (with "meta") comes before
 * "nodes" and "edges", and a "strings" array; "trace_function_infos" and "trace_tree" are
 * read when present, other members skipped. Nested values are skipped and the trace tree is
 * read with explicit counters, never by recursion, so a hostile file cannot exhaust the C
 * stack. Every count and index is checked before it is used: the node count against the
 * nodes array, edge counts against the edges array, targets, types and string indexes
 * against their tables. Sizes are checked against the file's length before anything is
 * allocated (each number takes at least two bytes), so a small file cannot ask for a huge
 * allocation. Errors longjmp back to snap_load, which frees what was built. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "snap.h"

struct u32vec {
    uint32_t *v;
    size_t n, cap;
};

struct js {
    const unsigned char *p, *begin, *end;
    struct snap *s;
    jmp_buf fail;
    uint64_t node_count, edge_count;   /* from the header; UINT64_MAX if absent */
    unsigned node_fields, edge_fields; /* field counts */
    int nf_type, nf_name, nf_id, nf_size, nf_edges, nf_trace; /* field positions */
    int ef_type, ef_name, ef_to;
    unsigned func_fields;
    int ff_id, ff_name;
    bool have_meta, have_nodes, have_edges, have_strings;
    uint32_t *func_ids;   /* function_id of each function info */
    uint32_t *node_edges; /* edge count of each node, until edges are placed */
    char *nf[SNAP_MAX_TYPES], *ef[SNAP_MAX_TYPES], *ff[SNAP_MAX_TYPES]; /* meta field names */
    unsigned n_nf, n_ef, n_ff;
    size_t released;      /* bytes of a mapped input given back (release_read) */
    struct u32vec tmp[2]; /* numbers being read (trace data), freed on failure */
    char *stack;          /* skip_value's closing brackets */
    size_t stack_cap;
    uint64_t *strv; /* strings being read (snap.strings) */
    size_t strv_n, strv_cap;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3), noreturn))
#endif
static void
bad(struct js *j, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rcgc: %s: ", j->s->label);
    vfprintf(stderr, fmt, ap);
    if (j->p >= j->begin && j->p <= j->end)
        fprintf(stderr, " (at byte %zu)", (size_t)(j->p - j->begin));
    fputc('\n', stderr);
    va_end(ap);
    longjmp(j->fail, 1);
}

static void ws(struct js *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
        j->p++;
}

static int peek(struct js *j)
{
    ws(j);
    return j->p < j->end ? *j->p : -1;
}

static void expect(struct js *j, char c)
{
    if (peek(j) != c) {
        if (j->p >= j->end)
            bad(j, "truncated: expected '%c' at the end of the file", c);
        bad(j, "expected '%c'", c);
    }
    j->p++;
}

/* A string: its raw text between the quotes, escapes checked. */
static struct name string_raw(struct js *j)
{
    expect(j, '"');
    const unsigned char *start = j->p;
    for (;;) {
        if (j->p >= j->end)
            bad(j, "truncated inside a string");
        unsigned char c = *j->p;
        if (c == '"')
            break;
        if (c < 0x20)
            bad(j, "control character inside a string");
        if (c == '\\') {
            if (j->end - j->p < 2)
                bad(j, "truncated inside a string");
            unsigned char e = j->p[1];
            if (e == 'u') {
                if (j->end - j->p < 6)
                    bad(j, "truncated \\u escape");
                for (int k = 2; k < 6; k++) {
                    unsigned char h = j->p[k];
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
                          (h >= 'A' && h <= 'F')))
                        bad(j, "bad \\u escape");
                }
                j->p += 6;
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == 0)
                bad(j, "bad escape (byte 0x%02x after a backslash)", e);
            j->p += 2;
            continue;
        }
        j->p++;
    }
    struct name n = {start, (size_t)(j->p - start)};
    j->p++;
    return n;
}

static bool raw_equals(struct name n, const char *text)
{
    return n.len == strlen(text) && memcmp(n.bytes, text, n.len) == 0;
}

static uint64_t number(struct js *j)
{
    ws(j);
    if (j->p >= j->end)
        bad(j, "truncated: expected a number");
    if (*j->p < '0' || *j->p > '9') {
        if (*j->p == '-')
            bad(j, "negative number where a count, index or size was expected");
        bad(j, "expected a number");
    }
    uint64_t v = 0;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
        unsigned d = (unsigned)(*j->p - '0');
        if (v > (UINT64_MAX - d) / 10)
            bad(j, "number too large");
        v = v * 10 + d;
        j->p++;
    }
    if (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E'))
        bad(j, "expected a whole number");
    return v;
}

static void scalar(struct js *j)
{
    int c = peek(j);
    if (c == '"') {
        string_raw(j);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        j->p++;
        while (j->p < j->end && *j->p != 0 && strchr("0123456789.eE+-", *j->p))
            j->p++;
    } else if (c == 't' && j->end - j->p >= 4 && memcmp(j->p, "true", 4) == 0) {
        j->p += 4;
    } else if (c == 'f' && j->end - j->p >= 5 && memcmp(j->p, "false", 5) == 0) {
        j->p += 5;
    } else if (c == 'n' && j->end - j->p >= 4 && memcmp(j->p, "null", 4) == 0) {
        j->p += 4;
    } else {
        bad(j, c < 0 ? "truncated: expected a value" : "expected a value");
    }
}

/* Skips any JSON value; open containers are kept on a stack of their closing brackets, not
 * on the C stack. */
static void skip_value(struct js *j)
{
    size_t depth = 0;
    for (;;) {
        int c = peek(j);
        if (c == '{' || c == '[') {
            j->p++;
            if (depth == j->stack_cap) {
                j->stack_cap = j->stack_cap ? j->stack_cap * 2 : 64;
                j->stack = xrealloc(j->stack, j->stack_cap);
            }
            char close = c == '{' ? '}' : ']';
            j->stack[depth++] = close;
            if (peek(j) != close) {
                if (close == '}') {
                    string_raw(j);
                    expect(j, ':');
                }
                continue; /* the first member's value */
            }
        } else {
            scalar(j);
        }
        /* a value ended: close what ends here, or go on after a ',' */
        for (;;) {
            if (depth == 0)
                return;
            int d = peek(j);
            char close = j->stack[depth - 1];
            if (d == close) {
                j->p++;
                depth--;
                continue;
            }
            if (d != ',')
                bad(j, d < 0 ? "truncated inside a value" : "expected ',' or '%c'", close);
            j->p++;
            if (close == '}') {
                string_raw(j);
                expect(j, ':');
            }
            break;
        }
    }
}

/* Calls item(j, index, user) for each element of an array. */
static void each_item(struct js *j, void (*item)(struct js *, size_t, void *), void *user)
{
    expect(j, '[');
    if (peek(j) == ']') {
        j->p++;
        return;
    }
    for (size_t i = 0;; i++) {
        item(j, i, user);
        int c = peek(j);
        if (c == ',') {
            j->p++;
            continue;
        }
        if (c == ']') {
            j->p++;
            return;
        }
        bad(j, c < 0 ? "truncated inside an array" : "expected ',' or ']' in an array");
    }
}

/* ---- meta ------------------------------------------------------------------------------ */

struct names {
    char **v;    /* where the names go */
    unsigned *n; /* their count, kept current so that an error frees them all */
    unsigned cap;
};

static char *dup_raw(struct name n)
{
    char *t = xmalloc(n.len + 1);
    memcpy(t, n.bytes, n.len);
    t[n.len] = '\0';
    return t;
}

static void name_item(struct js *j, size_t i, void *user)
{
    struct names *ns = user;
    (void)i;
    struct name n = string_raw(j);
    if (*ns->n == ns->cap)
        bad(j, "too many names in a meta list (at most %u)", ns->cap);
    ns->v[*ns->n] = dup_raw(n);
    ++*ns->n;
}

/* ["a","b",...]: field names; for types, the first item is itself such a list. */
static void types_item(struct js *j, size_t i, void *user)
{
    if (i == 0 && peek(j) == '[')
        each_item(j, name_item, user);
    else
        skip_value(j);
}

static int field_at(char **v, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return (int)i;
    return -1;
}

static void free_names(char **v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        free(v[i]);
}

static void meta(struct js *j)
{
    struct snap *s = j->s;
    char **nf = j->nf, **ef = j->ef, **ff = j->ff;
    struct names nfs = {nf, &j->n_nf, SNAP_MAX_TYPES}, efs = {ef, &j->n_ef, SNAP_MAX_TYPES},
                 ffs = {ff, &j->n_ff, SNAP_MAX_TYPES};
    struct names nts = {s->node_types, &s->n_node_types, SNAP_MAX_TYPES},
                 ets = {s->edge_types, &s->n_edge_types, SNAP_MAX_TYPES};
    if (j->have_meta)
        bad(j, "snapshot.meta appears twice");
    expect(j, '{');
    bool more = peek(j) != '}';
    while (more) {
        struct name key = string_raw(j);
        expect(j, ':');
        if (raw_equals(key, "node_fields") && j->n_nf == 0)
            each_item(j, name_item, &nfs);
        else if (raw_equals(key, "edge_fields") && j->n_ef == 0)
            each_item(j, name_item, &efs);
        else if (raw_equals(key, "trace_function_info_fields") && j->n_ff == 0)
            each_item(j, name_item, &ffs);
        else if (raw_equals(key, "node_types") && s->n_node_types == 0)
            each_item(j, types_item, &nts);
        else if (raw_equals(key, "edge_types") && s->n_edge_types == 0)
            each_item(j, types_item, &ets);
        else
            skip_value(j);
        more = peek(j) == ',';
        if (more)
            j->p++;
    }
    expect(j, '}');
    unsigned nn = j->n_nf, en = j->n_ef, fn = j->n_ff;
    j->node_fields = nn;
    j->edge_fields = en;
    j->nf_type = field_at(nf, nn, "type");
    j->nf_name = field_at(nf, nn, "name");
    j->nf_id = field_at(nf, nn, "id");
    j->nf_size = field_at(nf, nn, "self_size");
    j->nf_edges = field_at(nf, nn, "edge_count");
    j->nf_trace = field_at(nf, nn, "trace_node_id");
    j->ef_type = field_at(ef, en, "type");
    j->ef_name = field_at(ef, en, "name_or_index");
    j->ef_to = field_at(ef, en, "to_node");
    j->func_fields = fn ? fn : 6;
    j->ff_id = fn ? field_at(ff, fn, "function_id") : 0;
    j->ff_name = fn ? field_at(ff, fn, "name") : 1;
    if (j->nf_type < 0 || j->nf_name < 0 || j->nf_id < 0 || j->nf_size < 0 || j->nf_edges < 0)
        bad(j, "meta.node_fields lacks one of type, name, id, self_size, edge_count");
    if (j->ef_type < 0 || j->ef_name < 0 || j->ef_to < 0)
        bad(j, "meta.edge_fields lacks one of type, name_or_index, to_node");
    if (s->n_node_types == 0 || s->n_edge_types == 0)
        bad(j, "meta.node_types or meta.edge_types is missing or empty");
    if (j->ff_id < 0 || j->ff_name < 0)
        bad(j, "meta.trace_function_info_fields lacks function_id or name");
    s->et_weak = field_at(s->edge_types, s->n_edge_types, "weak");
    s->et_element = field_at(s->edge_types, s->n_edge_types, "element");
    s->et_hidden = field_at(s->edge_types, s->n_edge_types, "hidden");
    s->et_shortcut = field_at(s->edge_types, s->n_edge_types, "shortcut");
    s->nt_object = field_at(s->node_types, s->n_node_types, "object");
    s->nt_native = field_at(s->node_types, s->n_node_types, "native");
    s->nt_hidden = field_at(s->node_types, s->n_node_types, "hidden");
    s->nt_code = field_at(s->node_types, s->n_node_types, "code");
    j->have_meta = true;
}

static void header(struct js *j)
{
    expect(j, '{');
    bool more = peek(j) != '}';
    while (more) {
        struct name key = string_raw(j);
        expect(j, ':');
        if (raw_equals(key, "meta"))
            meta(j);
        else if (raw_equals(key, "node_count"))
            j->node_count = number(j);
        else if (raw_equals(key, "edge_count"))
            j->edge_count = number(j);
        else
            skip_value(j);
        more = peek(j) == ',';
        if (more)
            j->p++;
    }
    expect(j, '}');
    if (!j->have_meta)
        bad(j, "snapshot.meta is missing");
}

/* ---- nodes, edges, strings ------------------------------------------------------------- */

/* Items an array of numbers starting at j->p can hold at most (two bytes each). */
static uint64_t room(const struct js *j)
{
    return (uint64_t)(j->end - j->p) / 2 + 1;
}

/* The numbers read so far are not needed again: a mapped file's pages behind them are
 * given back as the reading goes (they are reread if ever touched), so the file costs
 * memory only for its strings and the part being read. */
static void release_read(struct js *j)
{
    if (!j->s->in.mapped || j->s->in.data != j->begin)
        return;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t done = ((size_t)(j->p - j->begin)) / page * page;
    if (done > j->released) {
        madvise((void *)(j->begin + j->released), done - j->released, MADV_DONTNEED);
        j->released = done;
    }
}

static void nodes(struct js *j)
{
    struct snap *s = j->s;
    if (!j->have_meta)
        bad(j, "\"nodes\" comes before \"snapshot\" and its meta");
    if (j->have_nodes)
        bad(j, "\"nodes\" appears twice");
    uint64_t n = j->node_count;
    if (n == UINT64_MAX)
        bad(j, "snapshot.node_count is missing");
    if (n == 0)
        bad(j, "the snapshot has no nodes (node_count 0)");
    if (n >= UINT32_MAX || n * j->node_fields > room(j))
        bad(j, "snapshot.node_count %llu does not fit the file", (unsigned long long)n);
    s->n_nodes = (uint32_t)n;
    s->ntype = xalloc_big(n);
    s->nname = xalloc_big(n * 4);
    s->nid = xalloc_big(n * 8);
    s->nsize = xalloc_big(n * 8);
    s->ntrace = xalloc_big(n * 4);
    j->node_edges = xalloc_big(n * 4);
    expect(j, '[');
    uint64_t v[SNAP_MAX_TYPES] = {0};
    for (uint64_t i = 0; i < n; i++) {
        for (unsigned f = 0; f < j->node_fields; f++) {
            if (i + f > 0)
                expect(j, ',');
            v[f] = number(j);
        }
        if (v[j->nf_type] >= s->n_node_types)
            bad(j, "node %llu has type %llu; meta.node_types has %u", (unsigned long long)i,
                (unsigned long long)v[j->nf_type], s->n_node_types);
        if (v[j->nf_name] >= UINT32_MAX || v[j->nf_edges] >= UINT32_MAX)
            bad(j, "node %llu: name or edge_count out of range", (unsigned long long)i);
        s->ntype[i] = (uint8_t)v[j->nf_type];
        s->nname[i] = (uint32_t)v[j->nf_name];
        s->nid[i] = v[j->nf_id];
        s->nsize[i] = v[j->nf_size];
        s->ntrace[i] =
            j->nf_trace >= 0 && v[j->nf_trace] < UINT32_MAX ? (uint32_t)v[j->nf_trace] : 0;
        j->node_edges[i] = (uint32_t)v[j->nf_edges];
        if ((i & 0xfffff) == 0)
            release_read(j);
    }
    if (peek(j) == ',')
        bad(j, "the nodes array holds more than node_count (%llu) nodes", (unsigned long long)n);
    expect(j, ']');
    j->have_nodes = true;
}

static void edges(struct js *j)
{
    struct snap *s = j->s;
    if (!j->have_nodes)
        bad(j, "\"edges\" comes before \"nodes\"");
    if (j->have_edges)
        bad(j, "\"edges\" appears twice");
    uint64_t total = 0;
    s->first_edge = xalloc_big(((size_t)s->n_nodes + 1) * 4);
    for (uint32_t i = 0; i < s->n_nodes; i++) {
        s->first_edge[i] = (uint32_t)total;
        total += j->node_edges[i];
        if (total >= UINT32_MAX)
            bad(j, "the nodes' edge counts add up to more than 4294967294");
    }
    s->first_edge[s->n_nodes] = (uint32_t)total;
    if (j->edge_count != UINT64_MAX && j->edge_count != total)
        bad(j, "snapshot.edge_count is %llu but the nodes' edge counts add up to %llu",
            (unsigned long long)j->edge_count, (unsigned long long)total);
    if (total * j->edge_fields > room(j))
        bad(j, "the nodes' edge counts (%llu edges) do not fit the file",
            (unsigned long long)total);
    s->n_edges = (uint32_t)total;
    s->etype = xalloc_big(total + 1);
    s->ename = xalloc_big((total + 1) * 4);
    s->eto = xalloc_big((total + 1) * 4);
    expect(j, '[');
    uint64_t v[SNAP_MAX_TYPES] = {0};
    uint64_t limit = (uint64_t)s->n_nodes * j->node_fields;
    for (uint64_t e = 0; e < total; e++) {
        for (unsigned f = 0; f < j->edge_fields; f++) {
            if (e + f > 0)
                expect(j, ',');
            v[f] = number(j);
        }
        if (v[j->ef_type] >= s->n_edge_types)
            bad(j, "edge %llu has type %llu; meta.edge_types has %u", (unsigned long long)e,
                (unsigned long long)v[j->ef_type], s->n_edge_types);
        uint64_t to = v[j->ef_to];
        if (to >= limit || to % j->node_fields != 0)
            bad(j, "edge %llu points at %llu, not the start of one of the %u nodes",
                (unsigned long long)e, (unsigned long long)to, s->n_nodes);
        if (v[j->ef_name] >= UINT32_MAX)
            bad(j, "edge %llu: name_or_index out of range", (unsigned long long)e);
        s->etype[e] = (uint8_t)v[j->ef_type];
        s->ename[e] = (uint32_t)v[j->ef_name];
        s->eto[e] = (uint32_t)(to / j->node_fields);
        if ((e & 0xfffff) == 0)
            release_read(j);
    }
    if (peek(j) == ',')
        bad(j, "the edges array holds more edges than the nodes' edge counts");
    expect(j, ']');
    xfree_big(j->node_edges, (size_t)s->n_nodes * 4);
    j->node_edges = NULL;
    j->have_edges = true;
    release_read(j);
}

static void string_item(struct js *j, size_t i, void *user)
{
    (void)i;
    (void)user;
    if (j->strv_n == j->strv_cap) {
        j->strv_cap = j->strv_cap ? j->strv_cap * 2 : 1024;
        j->strv = xrealloc(j->strv, j->strv_cap * sizeof *j->strv);
    }
    if (j->strv_n >= UINT32_MAX - 1)
        bad(j, "too many strings");
    struct name n = string_raw(j);
    if (n.len > SNAP_STRING_MAX)
        bad(j, "a string of %zu bytes (the limit is %u)", n.len, SNAP_STRING_MAX);
    j->strv[j->strv_n++] = (uint64_t)(n.bytes - j->begin) << 24 | n.len;
}

static void strings(struct js *j)
{
    if (j->have_strings)
        bad(j, "\"strings\" appears twice");
    each_item(j, string_item, NULL);
    j->s->strings = j->strv;
    j->s->text = j->begin;
    j->s->n_strings = (uint32_t)j->strv_n;
    j->strv = NULL;
    j->have_strings = true;
}

static void u32_push(struct u32vec *u, uint32_t x)
{
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 256;
        u->v = xrealloc(u->v, u->cap * sizeof *u->v);
    }
    u->v[u->n++] = x;
}

static void func_item(struct js *j, size_t i, void *user)
{
    struct u32vec *u = user;
    (void)i;
    uint64_t x = number(j);
    u32_push(u, x < UINT32_MAX ? (uint32_t)x : UINT32_MAX);
}

static void functions(struct js *j)
{
    struct snap *s = j->s;
    struct u32vec *up = &j->tmp[0];
    up->n = 0;
    each_item(j, func_item, up);
    struct u32vec u = *up;
    *up = (struct u32vec){NULL, 0, 0};
    if (u.n % j->func_fields != 0) {
        free(u.v);
        bad(j, "trace_function_infos has %zu numbers, not a multiple of %u", u.n, j->func_fields);
    }
    free(s->func_name);
    free(j->func_ids);
    s->n_funcs = (uint32_t)(u.n / j->func_fields);
    s->func_name = xmalloc((s->n_funcs + 1u) * sizeof *s->func_name);
    j->func_ids = xmalloc((s->n_funcs + 1u) * sizeof *j->func_ids);
    for (uint32_t f = 0; f < s->n_funcs; f++) {
        s->func_name[f] = u.v[(size_t)f * j->func_fields + (unsigned)j->ff_name];
        j->func_ids[f] = u.v[(size_t)f * j->func_fields + (unsigned)j->ff_id];
    }
    free(u.v);
}

/* trace_tree: [id, function_info_index, count, size, [children...]] repeated inside each
 * array; read with a depth counter and a position within the current five. */
static void trace_tree(struct js *j)
{
    struct snap *s = j->s;
    struct u32vec *idp = &j->tmp[0], *fnp = &j->tmp[1];
    idp->n = fnp->n = 0;
    size_t depth = 0;
    unsigned pos = 0;
    uint32_t id = 0;
    expect(j, '[');
    depth = 1;
    while (depth > 0) {
        int c = peek(j);
        if (c == ']') {
            j->p++;
            depth--;
            pos = 0;
            if (depth > 0 && peek(j) == ',')
                j->p++;
            continue;
        }
        if (c == '[') {
            if (pos != 4)
                goto malformed;
            j->p++;
            depth++;
            pos = 0;
            continue;
        }
        if (pos >= 4)
            goto malformed;
        uint64_t v = number(j);
        if (pos == 0)
            id = v < UINT32_MAX ? (uint32_t)v : UINT32_MAX;
        if (pos == 1) {
            u32_push(idp, id);
            u32_push(fnp, v < UINT32_MAX ? (uint32_t)v : UINT32_MAX);
        }
        pos++;
        if (peek(j) == ',')
            j->p++;
        else if (peek(j) != ']')
            goto malformed;
    }
    struct u32vec ids = *idp, funcs = *fnp;
    *idp = *fnp = (struct u32vec){NULL, 0, 0};
    /* sort by id (insertion into place: ids are mostly in order already) */
    for (size_t i = 1; i < ids.n; i++) {
        uint32_t a = ids.v[i], b = funcs.v[i];
        size_t k = i;
        while (k > 0 && ids.v[k - 1] > a) {
            ids.v[k] = ids.v[k - 1];
            funcs.v[k] = funcs.v[k - 1];
            k--;
        }
        ids.v[k] = a;
        funcs.v[k] = b;
    }
    free(s->trace_id);
    free(s->trace_func);
    s->trace_id = ids.v;
    s->trace_func = funcs.v;
    s->n_trace = (uint32_t)ids.n;
    return;
malformed:
    bad(j, "trace_tree is not a tree of [id, function, count, size, [children]] entries");
}

static void document(struct js *j)
{
    expect(j, '{');
    bool more = peek(j) != '}';
    while (more) {
        struct name key = string_raw(j);
        expect(j, ':');
        if (raw_equals(key, "snapshot"))
            header(j);
        else if (raw_equals(key, "nodes"))
            nodes(j);
        else if (raw_equals(key, "edges"))
            edges(j);
        else if (raw_equals(key, "strings"))
            strings(j);
        else if (raw_equals(key, "trace_function_infos") && j->have_meta)
            functions(j);
        else if (raw_equals(key, "trace_tree"))
            trace_tree(j);
        else
            skip_value(j);
        more = peek(j) == ',';
        if (more)
            j->p++;
    }
    expect(j, '}');
    if (peek(j) != -1)
        bad(j, "text after the end of the document");
    if (!j->have_nodes)
        bad(j, "no \"nodes\" array");
    if (!j->have_edges)
        bad(j, "no \"edges\" array");
    if (!j->have_strings)
        bad(j, "no \"strings\" array");
}

/* Checks the string indexes (known only once "strings" is read). */
static void check_names(struct js *j)
{
    struct snap *s = j->s;
    j->p = j->end + 1; /* no position for these messages */
    for (uint32_t i = 0; i < s->n_nodes; i++)
        if (s->nname[i] >= s->n_strings)
            bad(j, "node %u (id %llu) names string %u; there are %u strings", i,
                (unsigned long long)s->nid[i], s->nname[i], s->n_strings);
    for (uint32_t e = 0; e < s->n_edges; e++) {
        int t = s->etype[e];
        if (t != s->et_element && t != s->et_hidden && s->ename[e] >= s->n_strings)
            bad(j, "edge %u names string %u; there are %u strings", e, s->ename[e], s->n_strings);
    }
    for (uint32_t f = 0; f < s->n_funcs; f++)
        if (s->func_name[f] >= s->n_strings)
            s->func_name[f] = 0;
    /* trace nodes name function infos by index; make them names directly */
    for (uint32_t k = 0; k < s->n_trace; k++)
        s->trace_func[k] =
            s->trace_func[k] < s->n_funcs ? s->func_name[s->trace_func[k]] : UINT32_MAX;
}

static void free_meta(struct js *j)
{
    free(j->tmp[0].v);
    free(j->tmp[1].v);
    free_names(j->nf, j->n_nf);
    free_names(j->ef, j->n_ef);
    free_names(j->ff, j->n_ff);
}

int snap_load_bytes(struct snap *s, const unsigned char *data, size_t size, const char *label)
{
    struct js *j = xcalloc(1, sizeof *j);
    s->label = label;
    j->s = s;
    j->p = j->begin = data;
    j->end = data + size;
    j->node_count = j->edge_count = UINT64_MAX;
    progress_start(size);
    progress_phase("reading the snapshot");
    if (setjmp(j->fail) != 0) {
        progress_end();
        xfree_big(j->node_edges, (size_t)s->n_nodes * 4);
        free(j->func_ids);
        free(j->stack);
        free(j->strv);
        free_meta(j);
        free(j);
        snap_free(s);
        return 1;
    }
    document(j);
    check_names(j);
    free(j->func_ids);
    free(j->stack);
    free_meta(j);
    free(j);
    progress_end();
    return 0;
}

int snap_load(struct snap *s, const char *path)
{
    memset(s, 0, sizeof *s);
    if (input_load(&s->in, path) != 0)
        return 1;
    return snap_load_bytes(s, s->in.data, s->in.size, s->in.label);
}

void snap_free(struct snap *s)
{
    uint64_t n = s->n_nodes, e = s->n_edges;
    if (s->ntype)
        xfree_big(s->ntype, n);
    if (s->nname)
        xfree_big(s->nname, n * 4);
    if (s->nid)
        xfree_big(s->nid, n * 8);
    if (s->nsize)
        xfree_big(s->nsize, n * 8);
    if (s->ntrace)
        xfree_big(s->ntrace, n * 4);
    if (s->first_edge)
        xfree_big(s->first_edge, (n + 1) * 4);
    if (s->etype)
        xfree_big(s->etype, e + 1);
    if (s->ename)
        xfree_big(s->ename, (e + 1) * 4);
    if (s->eto)
        xfree_big(s->eto, (e + 1) * 4);
    free(s->strings);
    free_names(s->node_types, s->n_node_types);
    free_names(s->edge_types, s->n_edge_types);
    free(s->func_name);
    free(s->trace_id);
    free(s->trace_func);
    if (s->in.data)
        input_release(&s->in);
    memset(s, 0, sizeof *s);
}
