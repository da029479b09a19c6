/* The integer fast path of the edge-list reader: when every name is a
 * canonical decimal integer (TOKEN in rcgc_tool.h) no larger than the input
 * could make dense, the key of a name is its value, and the input is read
 * twice instead of being stored as tokens.
 *
 * Pass 1 (one thread per range of edges_ranges): checks that every name is
 * such an integer, counts each source's out-degree and lists the keys in the
 * order the range first mentions them. The first failure stops it and the
 * caller falls back to the general path, which reads the input again.
 * Between the passes, the ranges' key lists are merged in input order into
 * the first-appearance order of the whole input (ranges start at line
 * starts, so no line spans two), and the degrees become ROW_FILL positions
 * (graph.c). Pass 2 reads each range again and puts every successor in its
 * row. Nothing is stored per edge but the successor itself: 4 bytes.
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

#include "rcgc_tool.h"

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

/* One thread's share: two streams read in step (STREAMS), one set of rows. */
struct part {
    struct lane lane[2]; /* the first and second half of the range */
    uint32_t key_cap;    /* KEY_CAP */
    uint32_t *deg;       /* pass 1: out-degrees by key; then ROW_FILL positions */
    size_t n_edges;      /* lines with a successor, both streams */
    bool bad;            /* pass 1 met a name that is not for this path */
    uint32_t *succ;      /* pass 2: the successor array */
};

/* Untouched zero memory for an array indexed by key (KEY_CAP). Huge pages
 * only for big inputs: the first touch of one zeroes 2 MiB, which would be
 * most of the work for a small graph. */
static void *reserve(size_t bytes, size_t input_bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) die_nomem();
    if (input_bytes >= HUGE_INPUT_BYTES) advise_huge(p, bytes);
    return p;
}

static void unreserve(void *p, size_t bytes)
{
    if (p) munmap(p, bytes);
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
        if (n > 0) v = swar_digits(n == 8 ? d : d << (64 - 8 * n));
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
        if (*q != '\r' || q[1] != '\n') return DT_BAD;
        *pp = q + 1;
        return DT_NONE;
    }
    if (!ends_token(q) || v > TOK_INT_MAX || (*p == '0' && n > 1)) return DT_BAD;
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
        if (*a == DT_BAD) return;
        p = skip_blanks(p);
        if (*p != '\n') *b = int_token(&p, end);
        if (*b == DT_BAD) {
            *a = DT_BAD;
            return;
        }
        if (*a == DT_NONE) *b = DT_NONE;
    }
    if (*p != '\n') p = memchr(p, '\n', (size_t)(end - p));
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
static inline __attribute__((always_inline)) void
read_line(const unsigned char **pp, const unsigned char *end, uint32_t *a, uint32_t *b)
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
    if (v >= key_cap) return false;
    uint64_t m = (uint64_t)1 << (v & 63);
    if (!(l->seen[v >> 6] & m)) {
        l->seen[v >> 6] |= m;
        l->order[l->n_order++] = v;
        l->max = v > l->max ? v : l->max;
    }
    return true;
}

/* The passes are software pipelines over a ring of the last RING lines
 * read: a line's row is prefetched when it is read and touched AHEAD lines
 * later, so every access gets the same lead time and about AHEAD cache
 * misses are in flight at once (a burst of a whole batch at a time left
 * the first accesses of each burst waiting).
 *
 * Invariant STREAMS: each thread reads its range as two halves in step, a
 * line of one, then a line of the other. Reading a line is a chain of
 * dependent steps (where it ends decides where the next starts), so one
 * stream leaves the core waiting; two independent chains overlap. Rows are
 * the thread's (the order of successors within a row is free), first
 * appearances are kept per stream and merged in input order. */
#define RING 128u
#define AHEAD 32u
#define PROGRESS_EVERY 65536u

/* A stream's reading position and its ring. */
struct cursor {
    const unsigned char *p, *end; /* bytes still to read */
    size_t head;                  /* lines read (into the ring) */
    size_t tail;                  /* lines done (pass 1) or placed (pass 2) */
    size_t written;               /* pass 2: lines written to succ */
    uint32_t ra[RING], rb[RING];  /* source and successor of lines in the ring */
    uint32_t at[RING];            /* pass 2: their places in succ */
};

static void cursor_start(struct cursor *c, const struct range *r)
{
    c->p = r->begin;
    c->end = r->end;
    c->head = c->tail = c->written = 0;
}

/* One step of pass 1 on one stream: read a line, and finish the one AHEAD
 * lines back (or, at the end, the oldest). False at a name this path does
 * not take. */
static inline __attribute__((always_inline)) bool count_step(struct part *t, struct lane *l,
                                                             struct cursor *c)
{
    if (c->p < c->end) {
        uint32_t a, b;
        read_line(&c->p, c->end, &a, &b);
        if (a == DT_BAD || (a != DT_NONE && a >= t->key_cap)) return false;
        if (a == DT_NONE) return true;
        __builtin_prefetch(&t->deg[a], 1);
        c->ra[c->head % RING] = a;
        c->rb[c->head % RING] = b;
        if (++c->head - c->tail <= AHEAD) return true;
    } else if (c->tail == c->head) {
        return true;
    }
    uint32_t a = c->ra[c->tail % RING], b = c->rb[c->tail % RING];
    c->tail++;
    if (!meet(l, t->key_cap, a) || (b != DT_NONE && !meet(l, t->key_cap, b))) return false;
    t->deg[a] += b != DT_NONE;
    t->n_edges += b != DT_NONE;
    return true;
}

/* Nothing left to read or to finish; pass 1 writes nothing, so its
 * cursors keep written == 0 and pass `written` as tail. */
static inline bool cursor_done(const struct cursor *c, size_t written)
{
    return c->p >= c->end && c->tail == c->head && written == c->tail;
}

/* Reports the bytes read since the last report. */
static void report(const struct cursor *c, const struct lane *lane, size_t *reported)
{
    size_t now = (size_t)(c[0].p - lane[0].r.begin) + (size_t)(c[1].p - lane[1].r.begin);
    progress_add(now - *reported);
    *reported = now;
}

/* Pass 1 over one thread's range: checks the names, notes first
 * appearances and counts out-degrees. */
static void count_pass(void *arg)
{
    struct part *t = arg;
    struct cursor c[2];
    cursor_start(&c[0], &t->lane[0].r);
    cursor_start(&c[1], &t->lane[1].r);
    size_t steps = 0, reported = 0;
    bool ok = true;
    while (ok && !(cursor_done(&c[0], c[0].tail) && cursor_done(&c[1], c[1].tail))) {
        ok = count_step(t, &t->lane[0], &c[0]) && count_step(t, &t->lane[1], &c[1]);
        if (++steps % PROGRESS_EVERY == 0) report(c, t->lane, &reported);
    }
    report(c, t->lane, &reported);
    t->bad = !ok;
    t->lane[0].n_lines = c[0].head;
    t->lane[1].n_lines = c[1].head;
}

/* One step of pass 2 on one stream, over input that pass 1 accepted: read
 * a line and prefetch its row's fill position; AHEAD lines back, take that
 * line's place in succ and prefetch it for writing; AHEAD lines further
 * back, write it. */
static inline __attribute__((always_inline)) void fill_step(struct part *t, struct cursor *c)
{
    bool more = c->p < c->end;
    if (more) {
        uint32_t a, b;
        read_line(&c->p, c->end, &a, &b);
        if (b == DT_NONE) return;
        __builtin_prefetch(&t->deg[a], 1);
        c->ra[c->head % RING] = a;
        c->rb[c->head % RING] = b;
        c->head++;
    }
    if (c->head - c->tail > AHEAD || (!more && c->tail < c->head)) {
        uint32_t at = t->deg[c->ra[c->tail % RING]]++;
        c->at[c->tail % RING] = at;
        __builtin_prefetch(&t->succ[at], 1);
        c->tail++;
    }
    if (c->tail - c->written > AHEAD || (!more && c->written < c->tail)) {
        t->succ[c->at[c->written % RING]] = c->rb[c->written % RING];
        c->written++;
    }
}

static void fill_pass(void *arg)
{
    struct part *t = arg;
    struct cursor c[2];
    cursor_start(&c[0], &t->lane[0].r);
    cursor_start(&c[1], &t->lane[1].r);
    while (!(cursor_done(&c[0], c[0].written) && cursor_done(&c[1], c[1].written))) {
        fill_step(t, &c[0]);
        fill_step(t, &c[1]);
    }
}

/* Merges the ranges' key lists into k (direct mode of keys.c). */
static void merge_order(struct part *ts, size_t n, struct keys *k)
{
    uint32_t max = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t h = 0; h < 2; h++)
            if (ts[i].lane[h].n_order && ts[i].lane[h].max > max) max = ts[i].lane[h].max;
    k->direct = true;
    k->n_keys = max + 1;
    k->present = xcalloc((size_t)k->n_keys / 64 + 1, sizeof *k->present);
    k->order = xmalloc(((size_t)k->n_keys + 1) * sizeof *k->order);
    for (size_t i = 0; i < 2 * n; i++) {
        const struct lane *l = &ts[i / 2].lane[i % 2];
        for (uint32_t j = 0; j < l->n_order; j++) {
            uint32_t v = l->order[j];
            uint64_t m = (uint64_t)1 << (v & 63);
            if (k->present[v >> 6] & m) continue;
            k->present[v >> 6] |= m;
            k->order[k->n_nodes++] = v;
        }
    }
}

/* Turns the degrees into ROW_FILL positions; the edge count, or UINT32_MAX
 * if there are too many. */
static uint32_t fill_positions(struct part *ts, size_t n, uint32_t n_keys)
{
    uint64_t total = 0;
    for (uint32_t v = 0; v < n_keys; v++) {
        for (size_t i = 0; i < n; i++) {
            uint32_t d = ts[i].deg[v];
            ts[i].deg[v] = (uint32_t)total;
            total += d;
        }
        if (total >= UINT32_MAX) return UINT32_MAX;
    }
    return (uint32_t)total;
}

static void free_lists(struct part *ts, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++) {
        struct lane *l = &ts[i / 2].lane[i % 2];
        size_t cap = ts[i / 2].key_cap;
        unreserve(l->seen, (cap / 64 + 1) * sizeof *l->seen);
        unreserve(l->order, cap * sizeof *l->order);
        l->seen = NULL;
        l->order = NULL;
    }
}

/* Frees the degree arrays of ranges [from, n). */
static void free_degrees(struct part *ts, size_t from, size_t n)
{
    for (size_t i = from; i < n; i++) {
        unreserve(ts[i].deg, (size_t)ts[i].key_cap * sizeof *ts[i].deg);
        ts[i].deg = NULL;
    }
}

/* Rows start where the last range's fill positions ended; copied into an
 * array of their own so the reservations can go. */
static uint32_t *row_starts(const struct part *last, uint32_t n_keys)
{
    uint32_t *start = xalloc_big(((size_t)n_keys + 1) * sizeof *start);
    start[0] = 0;
    memcpy(start + 1, last->deg, (size_t)n_keys * sizeof *start);
    return start;
}

/* Second pass and the row starts, once keys are known. */
static int build(struct part *ts, size_t n, uint32_t n_keys, struct graph *g)
{
    uint32_t edges = fill_positions(ts, n, n_keys);
    if (edges == UINT32_MAX) {
        fputs("rcgc: too many edges (the limit is 4294967294)\n", stderr);
        return 1;
    }
    g->n_keys = n_keys;
    g->n_edges = edges;
    g->succ = xalloc_big((size_t)edges * sizeof *g->succ);
    for (size_t i = 0; i < n; i++)
        ts[i].succ = g->succ;
    parallel_run(fill_pass, ts, sizeof *ts, n);
    free_degrees(ts, 0, n - 1);
    g->start = row_starts(&ts[n - 1], n_keys);
    return 0;
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

int direct_read(const struct input *in, struct keys *k, struct graph *g)
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
        ts[i].deg = reserve(cap * sizeof *ts[i].deg, in->size);
        halve(&r[i], &ts[i].lane[0].r, &ts[i].lane[1].r);
        for (size_t h = 0; h < 2; h++) {
            ts[i].lane[h].seen = reserve((cap / 64 + 1) * sizeof *ts[i].lane[h].seen, in->size);
            ts[i].lane[h].order = reserve(cap * sizeof *ts[i].lane[h].order, in->size);
        }
    }
    parallel_run(count_pass, ts, sizeof *ts, n);
    bool bad = false;
    size_t lines = 0;
    for (size_t i = 0; i < n; i++) {
        bad |= ts[i].bad;
        lines += ts[i].lane[0].n_lines + ts[i].lane[1].n_lines;
    }
    int rc = -1;
    memset(k, 0, sizeof *k);
    if (!bad) {
        progress_phase("numbering nodes");
        merge_order(ts, n, k);
        rc = (uint64_t)k->n_keys <= (uint64_t)lines + DIRECT_SLACK ? 0 : -1;
    }
    free_lists(ts, n);
    if (rc == 0 && k->n_nodes > 0) {
        progress_phase("building adjacency");
        rc = build(ts, n, k->n_keys, g);
    }
    if (rc != 0) keys_free(k);
    free_degrees(ts, 0, n);
    free(tail);
    return rc;
}
