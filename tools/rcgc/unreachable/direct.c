/* The integer fast path of the edge-list reader: when every name is a
 * canonical decimal integer (TOKEN in rcgc_tool.h) no larger than the input
 * could make dense, the key of a name is its value, and the input is read
 * once, with the search's first pass done as it is read.
 *
 * The pass (one thread per range of edges_ranges) checks that every name is
 * such an integer and lists the keys in the order the range first mentions
 * them; the first failure stops it and the caller falls back to the general
 * path, which reads the input again. The roots are marked before it starts,
 * and each edge goes through sweep_edge (SETTLED in sweep.c): an edge from
 * a marked key marks its successor, and only an edge whose successor is
 * still unmarked is kept, 8 bytes, for the passes of sweep.c. Reaching
 * along edges in input order, from a hub root of an R-MAT graph, this
 * settles most edges as they are read, so few are ever stored. After the
 * pass, the ranges' key lists are merged in input order into the
 * first-appearance order of the whole input (ranges start at line starts,
 * so no line spans two).
 *
 * Invariant KEY_CAP: keys are below key_cap = input bytes / 2 + DIRECT_SLACK,
 * the most that the direct mode of keys.c would accept, so per-range arrays
 * indexed by key are reserved at that size without being touched; only the
 * pages of keys actually used ever exist. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../rcgc_tool.h"

#define DIRECT_SLACK 65536u
#define HUGE_INPUT_BYTES ((size_t)64 << 20)

/* int_token results that are not keys. */
#define DT_NONE 0xffffffffu /* a lone CR before LF: no token */
#define DT_BAD 0xfffffffeu  /* not a canonical integer below key_cap */

/* Keys met in one stream, by first appearance. */
struct lane {
    struct range r;   /* bytes of this stream, possibly empty */
    uint64_t *seen;   /* keys met in this stream, key_cap bits */
    uint32_t *order;  /* those keys by first appearance; n_order of them */
    uint32_t n_order; /* entries of order */
    uint32_t max;     /* largest key met, valid if n_order > 0 */
    size_t n_lines;   /* lines with a source */
};

/* One thread's share: two streams read in step (STREAMS), their edges. */
struct part {
    struct lane lane[EDGE_LANES]; /* the first and second half of the range */
    uint32_t key_cap;             /* KEY_CAP */
    bool bad;                     /* the pass met a name that is not for this path */
    struct edge_part *edges;      /* where the streams' edges go */
    uint64_t *marks;              /* shared: keys known reachable (sweep.c) */
    size_t marked;                /* keys this thread marked */
};

/* Untouched zero memory for an array indexed by key (KEY_CAP). Huge pages
 * only for big inputs: the first touch of one zeroes 2 MiB, which would be
 * most of the work for a small graph. */
static void *reserve(size_t bytes, size_t input_bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        die_nomem();
    if (input_bytes >= HUGE_INPUT_BYTES)
        advise_huge(p, bytes);
    return p;
}

static void unreserve(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes);
}

/* Value of 0 to 8 decimal digits held one per byte, the first digit in the
 * lowest byte, after a left shift that made the missing leading digits 0. */
static inline uint64_t swar_digits(uint64_t d)
{
    d = (d * 10 + (d >> 8)) & 0x00ff00ff00ff00ffu;
    d = (d * 100 + (d >> 16)) & 0x0000ffff0000ffffu;
    return (d * 10000 + (d >> 32)) & 0xffffffffu;
}

static inline bool ends_token(const unsigned char *q)
{
    return *q == ' ' || *q == '\t' || *q == '\n' || (*q == '\r' && q[1] == '\n');
}

/* Reads the token at *pp (not blank, not '\n', inside a range: LF_END) as
 * a key. Digits are found and converted 8 bytes at a time where 8 bytes
 * remain in the range; a byte below '0' borrows only from the bytes above
 * it, so the lowest non-digit byte and the digits under it are exact. */
static inline __attribute__((always_inline)) uint32_t int_token(const unsigned char **pp,
                                                                const unsigned char *end)
{
    const unsigned char *p = *pp;
    uint64_t v = 0;
    size_t n = 0;
    if (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t d = x - 0x3030303030303030u;
        uint64_t m = ((d + 0x7676767676767676u) | d) & 0x8080808080808080u;
        n = m ? (size_t)__builtin_ctzll(m) >> 3 : 8;
        if (n > 0)
            v = swar_digits(n == 8 ? d : d << (64 - 8 * n));
    }
    if (n == 8 || end - p < 8) {
        unsigned dg;
        while (n < 11 && (dg = (unsigned)(p[n] - '0')) <= 9) {
            v = v * 10 + dg;
            n++;
        }
    }
    const unsigned char *q = p + n;
    if (n == 0) {
        if (*q != '\r' || q[1] != '\n')
            return DT_BAD;
        *pp = q + 1;
        return DT_NONE;
    }
    if (!ends_token(q) || v > TOK_INT_MAX || (*p == '0' && n > 1))
        return DT_BAD;
    *pp = q;
    return (uint32_t)v;
}

static inline const unsigned char *skip_blanks(const unsigned char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* One line from *pp: its source and successor (either may be DT_NONE; a
 * comment or blank line gives two DT_NONE), or DT_BAD in *a. Leaves *pp
 * after the line's '\n'. */
static void read_line_slow(const unsigned char **pp, const unsigned char *end, uint32_t *a,
                           uint32_t *b)
{
    const unsigned char *p = skip_blanks(*pp);
    *a = *b = DT_NONE;
    if (*p != '\n' && *p != '#' && *p != '%') {
        *a = int_token(&p, end);
        if (*a == DT_BAD)
            return;
        p = skip_blanks(p);
        if (*p != '\n')
            *b = int_token(&p, end);
        if (*b == DT_BAD) {
            *a = DT_BAD;
            return;
        }
        if (*a == DT_NONE)
            *b = DT_NONE;
    }
    if (*p != '\n')
        p = memchr(p, '\n', (size_t)(end - p));
    *pp = p + 1;
}

/* Digits (1 to 7, not starting with 0 unless alone) at the start of the 8
 * bytes x, as by int_token; *len gets their count and *stop the byte after
 * them. False if x does not start so. */
static inline __attribute__((always_inline)) bool short_int(uint64_t x, uint32_t *v, size_t *len,
                                                            unsigned *stop)
{
    uint64_t d = x - 0x3030303030303030u;
    uint64_t m = ((d + 0x7676767676767676u) | d) & 0x8080808080808080u;
    size_t n = (size_t)__builtin_ctzll(m | ((uint64_t)1 << 63)) >> 3;
    *len = n;
    *stop = (unsigned)(x >> (8 * n)) & 0xff;
    *v = (uint32_t)swar_digits(d << 1 << (63 - 8 * n));
    return m != 0 && n > 0 && ((d & 0xff) != 0 || n == 1);
}

/* read_line_slow's result. The usual line, two short integers, one blank
 * and '\n', is read from two 8-byte loads; anything else takes the slow
 * way. */
static inline __attribute__((always_inline)) void read_line(const unsigned char **pp,
                                                            const unsigned char *end, uint32_t *a,
                                                            uint32_t *b)
{
    const unsigned char *p = *pp;
    if (end - p >= 16) {
        uint64_t x, y;
        size_t n, n2;
        unsigned c, c2;
        memcpy(&x, p, 8);
        if (short_int(x, a, &n, &c) && (c == ' ' || c == '\t')) {
            const unsigned char *q = p + n + 1;
            memcpy(&y, q, 8);
            if (short_int(y, b, &n2, &c2) && c2 == '\n') {
                *pp = q + n2 + 1;
                return;
            }
        }
    }
    read_line_slow(pp, end, a, b);
}

/* Records key v as met in this stream; false if it is not below key_cap. */
static inline bool meet(struct lane *l, uint32_t key_cap, uint32_t v)
{
    if (v >= key_cap)
        return false;
    uint64_t m = (uint64_t)1 << (v & 63);
    if (!(l->seen[v >> 6] & m)) {
        l->seen[v >> 6] |= m;
        l->order[l->n_order++] = v;
        l->max = v > l->max ? v : l->max;
    }
    return true;
}

/* The pass is a software pipeline over a ring of the last RING lines read:
 * the `seen` words of a line's keys are prefetched when it is read and
 * touched AHEAD lines later, so about AHEAD cache misses are in flight at
 * once (at scale 23 a stream's bitmap is 1 MiB and misses the core's cache).
 *
 * Invariant STREAMS: each thread reads its range as two halves in step, a
 * line of one, then a line of the other. Reading a line is a chain of
 * dependent steps (where it ends decides where the next starts), so one
 * stream leaves the core waiting; two independent chains overlap. Each
 * stream keeps its own first appearances and its own edges, in its order;
 * they are merged in input order afterwards. */
#define RING 128u
#define AHEAD 32u
#define PROGRESS_EVERY 65536u

/* A stream's reading position and its ring. */
struct cursor {
    const unsigned char *p, *end; /* bytes still to read */
    size_t head;                  /* lines read (into the ring) */
    size_t tail;                  /* lines done */
    uint32_t ra[RING], rb[RING];  /* source and successor of lines in the ring */
};

static void cursor_start(struct cursor *c, const struct range *r)
{
    c->p = r->begin;
    c->end = r->end;
    c->head = c->tail = 0;
}

/* One step on stream h: read a line, and finish the one AHEAD lines back
 * (or, at the end, the oldest): note its keys' first appearances and keep
 * its edge. False at a name this path does not take. */
static inline __attribute__((always_inline)) bool scan_step(struct part *t, size_t h,
                                                            struct cursor *c)
{
    struct lane *l = &t->lane[h];
    if (c->p < c->end) {
        uint32_t a, b;
        read_line(&c->p, c->end, &a, &b);
        if (a == DT_BAD || (a != DT_NONE && a >= t->key_cap))
            return false;
        if (a == DT_NONE)
            return true;
        __builtin_prefetch(&l->seen[a >> 6], 1);
        __builtin_prefetch(&t->marks[a >> 6]);
        if (b < t->key_cap) {
            __builtin_prefetch(&l->seen[b >> 6], 1);
            __builtin_prefetch(&t->marks[b >> 6]);
        }
        c->ra[c->head % RING] = a;
        c->rb[c->head % RING] = b;
        if (++c->head - c->tail <= AHEAD)
            return true;
    } else if (c->tail == c->head) {
        return true;
    }
    uint32_t a = c->ra[c->tail % RING], b = c->rb[c->tail % RING];
    c->tail++;
    if (!meet(l, t->key_cap, a))
        return false;
    if (b == DT_NONE)
        return true;
    if (!meet(l, t->key_cap, b))
        return false;
    if (!sweep_edge(t->marks, a, b, &t->marked))
        return true;
    struct edge_part *e = t->edges;
    uint32_t *pair = e->c.pair + 2 * (e->at[h] + e->n[h]++);
    pair[0] = a;
    pair[1] = b;
    return true;
}

static inline bool cursor_done(const struct cursor *c)
{
    return c->p >= c->end && c->tail == c->head;
}

/* Reports the bytes read since the last report. */
static void report(const struct cursor *c, const struct lane *lane, size_t *reported)
{
    size_t now = (size_t)(c[0].p - lane[0].r.begin) + (size_t)(c[1].p - lane[1].r.begin);
    progress_add(now - *reported);
    *reported = now;
}

/* The pass over one thread's range: checks the names, notes first
 * appearances and keeps the edges. */
static void scan_pass(void *arg)
{
    struct part *t = arg;
    struct cursor c[EDGE_LANES];
    cursor_start(&c[0], &t->lane[0].r);
    cursor_start(&c[1], &t->lane[1].r);
    size_t steps = 0, reported = 0;
    bool ok = true;
    while (ok && !(cursor_done(&c[0]) && cursor_done(&c[1]))) {
        ok = scan_step(t, 0, &c[0]) && scan_step(t, 1, &c[1]);
        if (++steps % PROGRESS_EVERY == 0)
            report(c, t->lane, &reported);
    }
    report(c, t->lane, &reported);
    t->bad = !ok;
    t->lane[0].n_lines = c[0].head;
    t->lane[1].n_lines = c[1].head;
}

/* Merges the ranges' key lists into k (direct mode of keys.c). */
static void merge_order(struct part *ts, size_t n, struct keys *k)
{
    uint32_t max = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t h = 0; h < 2; h++)
            if (ts[i].lane[h].n_order && ts[i].lane[h].max > max)
                max = ts[i].lane[h].max;
    k->direct = true;
    k->n_keys = max + 1;
    k->present = xcalloc((size_t)k->n_keys / 64 + 1, sizeof *k->present);
    k->order = xmalloc(((size_t)k->n_keys + 1) * sizeof *k->order);
    for (size_t i = 0; i < 2 * n; i++) {
        const struct lane *l = &ts[i / 2].lane[i % 2];
        for (uint32_t j = 0; j < l->n_order; j++) {
            uint32_t v = l->order[j];
            uint64_t m = (uint64_t)1 << (v & 63);
            if (k->present[v >> 6] & m)
                continue;
            k->present[v >> 6] |= m;
            k->order[k->n_nodes++] = v;
        }
    }
}

static void free_lists(struct part *ts, size_t n)
{
    for (size_t i = 0; i < EDGE_LANES * n; i++) {
        struct lane *l = &ts[i / EDGE_LANES].lane[i % EDGE_LANES];
        size_t cap = ts[i / EDGE_LANES].key_cap;
        unreserve(l->seen, (cap / 64 + 1) * sizeof *l->seen);
        unreserve(l->order, cap * sizeof *l->order);
        l->seen = NULL;
        l->order = NULL;
    }
}

/* Cuts a range in two at the line start nearest its middle (STREAMS); the
 * second half may be empty. */
static void halve(const struct range *r, struct range *first, struct range *second)
{
    const unsigned char *cut = r->begin + (r->end - r->begin + 1) / 2;
    while (cut < r->end && cut[-1] != '\n')
        cut++;
    *first = (struct range){r->begin, cut};
    *second = (struct range){cut, r->end};
}

/* Room for the edges of each stream of ts[i]: an edge's line takes at
 * least 4 bytes ("1 2\n"), and the reservation is only touched as far as
 * it is filled. */
static struct edge_set *edges_new(struct part *ts, size_t n)
{
    struct edge_set *es = xcalloc(1, sizeof *es);
    es->n_parts = n;
    for (size_t i = 0; i < n; i++) {
        size_t at = 0;
        for (size_t h = 0; h < EDGE_LANES; h++) {
            es->part[i].at[h] = at;
            at += (size_t)(ts[i].lane[h].r.end - ts[i].lane[h].r.begin) / 4 + 1;
        }
        chunk_reserve(&es->part[i].c, at);
        ts[i].edges = &es->part[i];
    }
    return es;
}

/* The roots' bits, for those that can be keys here: a root that is not a
 * canonical integer below the cap is no node of an input this path takes,
 * which the caller reports. */
static void mark_roots(uint64_t *marks, uint32_t key_cap, const char *const *roots, size_t n_roots)
{
    for (size_t i = 0; i < n_roots; i++) {
        uint32_t v = token_of_int_name((const unsigned char *)roots[i], strlen(roots[i]));
        if (v < key_cap)
            marks[v >> 6] |= (uint64_t)1 << (v & 63);
    }
}

int direct_read(const struct input *in, const char *const *roots, size_t n_roots, struct keys *k,
                struct graph *g)
{
    struct range r[MAX_RANGES];
    unsigned char *tail;
    size_t n = edges_ranges(in, r, &tail);
    uint64_t cap = (uint64_t)in->size / 2 + DIRECT_SLACK;
    if (n == 0 || cap > TOK_INT_MAX) {
        free(tail);
        return -1;
    }
    struct part ts[MAX_RANGES];
    memset(ts, 0, sizeof ts);
    for (size_t i = 0; i < n; i++) {
        ts[i].key_cap = (uint32_t)cap;
        halve(&r[i], &ts[i].lane[0].r, &ts[i].lane[1].r);
        for (size_t h = 0; h < EDGE_LANES; h++) {
            ts[i].lane[h].seen = reserve((cap / 64 + 1) * sizeof *ts[i].lane[h].seen, in->size);
            ts[i].lane[h].order = reserve(cap * sizeof *ts[i].lane[h].order, in->size);
        }
    }
    struct edge_set *es = edges_new(ts, n);
    size_t marks_bytes;
    uint64_t *marks = marks_new(cap, &marks_bytes);
    mark_roots(marks, (uint32_t)cap, roots, n_roots);
    for (size_t i = 0; i < n; i++)
        ts[i].marks = marks;
    parallel_run(scan_pass, ts, sizeof *ts, n);
    bool bad = false;
    size_t lines = 0, edges = 0;
    for (size_t i = 0; i < n; i++) {
        bad |= ts[i].bad;
        for (size_t h = 0; h < EDGE_LANES; h++) {
            lines += ts[i].lane[h].n_lines;
            edges += es->part[i].n[h];
        }
    }
    int rc = -1;
    memset(k, 0, sizeof *k);
    if (!bad) {
        progress_phase("numbering nodes");
        merge_order(ts, n, k);
        rc = (uint64_t)k->n_keys <= (uint64_t)lines + DIRECT_SLACK ? 0 : -1;
    }
    free_lists(ts, n);
    if (rc == 0 && edges >= UINT32_MAX) {
        fputs("rcgc: too many edges (the limit is 4294967294)\n", stderr);
        rc = 1;
    }
    if (rc == 0 && k->n_nodes > 0) {
        g->n_keys = k->n_keys;
        g->edges = es;
        g->marks = marks;
        g->marks_bytes = marks_bytes;
        es = NULL;
        marks = NULL;
    }
    if (rc != 0)
        keys_free(k);
    edges_free(es);
    marks_free(marks, marks_bytes);
    free(tail);
    return rc;
}
