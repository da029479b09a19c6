/* Edge-list reading: one edge `SRC DST` per line, blanks are spaces and tabs,
 * `#` or `%` first means a comment, extra tokens are ignored, a lone token
 * declares a node, and a CR right before LF belongs to the line end.
 *
 * Invariant LF_END: every range handed to parse_range ends with '\n', so the
 * inner loops stop at that byte and need no bounds checks. The body of the
 * input (up to its last '\n') is split at line starts into one chunk per
 * thread; the final unterminated line, if any, is copied with a '\n' added. */
#include <string.h>

#include "../rcgc_tool.h"

#define PARALLEL_MIN_BYTES (1u << 20)
#define PROGRESS_STEP (16u << 20)

static inline bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static inline bool ends_token(const unsigned char *p)
{
    return *p == ' ' || *p == '\t' || *p == '\n' || (*p == '\r' && p[1] == '\n');
}

/* Lines waiting for the ids of their names, in two batches: when one is
 * full its names are hashed and their table slots prefetched, and the other
 * one, prepared a batch earlier, is resolved, so a slot's cache miss
 * overlaps with the reading of a whole batch of lines. Batches are resolved
 * in input order, which keeps ids in order of first appearance, and each
 * resolved line is kept in the chunk's pairs, or settled.
 *
 * Invariant SETTLING (the first pass of the search, SETTLED in sweep.c,
 * within one chunk): each chunk marks, by local id, the names given as
 * roots and what its own edges reach from them in input order (an edge
 * from a marked name marks its successor). An edge between two names whose
 * successor is marked is settled: it is not kept. A lone name's line is
 * not kept either (the table has the name). Only lines read before the
 * chunk's first integer token are settled, so the ids below settled_ids
 * (those of names met before it) are in order of first appearance and
 * every later token is in the kept pairs (keys.c). keys.c carries the
 * marks over to the keys. */
struct line {
    uint32_t a, b; /* tokens; TOK_OTHER: the next name of the batch */
    bool settle;   /* read before the chunk's first integer token */
};

struct batch {
    struct name key[INTERN_BATCH];        /* the names, in order */
    struct intern_probe pk[INTERN_BATCH]; /* their probes, once prepared */
    struct line line[INTERN_BATCH];       /* the lines, in order */
    size_t n, n_lines;                    /* names and lines */
};

struct pending {
    struct batch b[2];
    struct batch *fill;       /* the batch being filled */
    struct batch *waiting;    /* the other one once prepared, else NULL */
    const char *const *roots; /* root names, for SETTLING */
    size_t n_roots;
    uint32_t max_settled; /* 1 + the largest id of a settling line's names */
};

static inline bool local_marked(const struct chunk *c, uint32_t id)
{
    return c->marks[id >> 6] >> (id & 63) & 1;
}

static inline void local_mark(struct chunk *c, uint32_t id)
{
    c->marks[id >> 6] |= (uint64_t)1 << (id & 63);
}

/* Marks id, new in the table, if its name is a root's. */
static void mark_if_root(struct chunk *c, const struct pending *q, const struct name *nm,
                         uint32_t id)
{
    for (size_t r = 0; r < q->n_roots; r++)
        if (strlen(q->roots[r]) == nm->len && memcmp(q->roots[r], nm->bytes, nm->len) == 0)
            local_mark(c, id);
}

/* A resolved line: settled, or kept as a pair of tokens (names as
 * TOK_OTHER | id, as keys.c reads them). */
static inline void settle_or_keep(struct chunk *c, struct pending *q, const struct line *ln,
                                  uint32_t a, uint32_t b)
{
    if (ln->settle) { /* both are names (or b is TOK_NONE): no integer yet */
        uint32_t ia = a & ~TOK_OTHER;
        q->max_settled = ia + 1 > q->max_settled ? ia + 1 : q->max_settled;
        if (b == TOK_NONE)
            return;
        uint32_t ib = b & ~TOK_OTHER;
        q->max_settled = ib + 1 > q->max_settled ? ib + 1 : q->max_settled;
        if (local_marked(c, ib))
            return;
        if (local_marked(c, ia)) {
            local_mark(c, ib);
            return;
        }
    }
    chunk_push_pair(c, a, b);
}

static void resolve(struct chunk *c, struct pending *q, struct batch *b)
{
    uint32_t ids[INTERN_BATCH], before = intern_count(c->table);
    intern_bytes_resolve(c->table, b->key, b->pk, b->n, ids);
    for (size_t k = 0; k < b->n; k++) {
        __builtin_prefetch(&c->marks[ids[k] >> 6]);
        if (ids[k] >= before)
            mark_if_root(c, q, &b->key[k], ids[k]);
    }
    size_t k = 0;
    for (size_t i = 0; i < b->n_lines; i++) {
        const struct line *ln = &b->line[i];
        uint32_t a = ln->a, t = ln->b;
        if (a == TOK_OTHER)
            a = TOK_OTHER | ids[k++];
        if (t == TOK_OTHER)
            t = TOK_OTHER | ids[k++];
        settle_or_keep(c, q, ln, a, t);
    }
    b->n = b->n_lines = 0;
}

/* Prepares the batch being filled and resolves the waiting one. */
static void rotate(struct chunk *c, struct pending *q)
{
    struct batch *b = q->fill, *other = b == &q->b[0] ? &q->b[1] : &q->b[0];
    if (!c->table && b->n)
        c->table = intern_new(4096); /* only chunks with names have one */
    intern_bytes_prepare(c->table, b->key, b->n, b->pk);
    if (q->waiting)
        resolve(c, q, q->waiting);
    q->waiting = b;
    q->fill = other;
}

static void flush_pending(struct chunk *c, struct pending *q)
{
    if (q->fill->n_lines)
        rotate(c, q);
    if (q->waiting)
        resolve(c, q, q->waiting);
    q->waiting = NULL;
}

/* Queues a line of tokens a and b (names in ka, kb). */
static inline void defer(struct chunk *c, struct pending *q, uint32_t a, const struct name *ka,
                         uint32_t b, const struct name *kb, bool settle)
{
    struct batch *bt = q->fill;
    if (bt->n + 2 > INTERN_BATCH || bt->n_lines == INTERN_BATCH) {
        rotate(c, q);
        bt = q->fill;
    }
    if (a == TOK_OTHER)
        bt->key[bt->n++] = *ka;
    if (b == TOK_OTHER)
        bt->key[bt->n++] = *kb;
    bt->line[bt->n_lines++] = (struct line){a, b, settle};
}

/* Bytes of x below 0x21 (blanks, line ends, other control bytes): the high
 * bit of each such byte is set, and maybe of bytes above the lowest one (a
 * borrow), so only the lowest set bit is exact. */
static inline uint64_t low_bytes(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u;
    return (x - ones * 0x21) & ~x & (ones * 0x80);
}

/* Invariant TEXT: a name holds no control byte (below 0x20) but a CR right
 * before the line's LF; such a byte means the input is not text (binary
 * junk, or a CR line end in a file whose first line ends with LF), and the
 * first one in input order is reported with its line and column. Bytes
 * from 0x80 are allowed (names need not be UTF-8). Checking costs nothing
 * on the usual path: the word-at-a-time search of scan_token stops at any
 * byte below 0x21 anyway, and only a stop that is not a blank or LF comes
 * here. Returns the end of the name (a blank or '\n'), noting the first
 * control byte in c->bad_byte. */
static __attribute__((noinline)) const unsigned char *name_rest(struct chunk *c,
                                                                const unsigned char *p)
{
    for (;; p++) {
        unsigned char ch = *p;
        if (ch == ' ' || ch == '\t' || ch == '\n')
            return p;
        if (ch < 0x20 && !(ch == '\r' && p[1] == '\n') && !c->bad_byte)
            c->bad_byte = p;
    }
}

/* Reads the token at *pp (not blank, not '\n', before end: LF_END): an
 * integer, TOK_NONE if it is a lone CR, or TOK_OTHER with the name in *key.
 * The end of a name is looked for 8 bytes at a time while 8 bytes remain:
 * the first byte below 0x21 is found, and if it does not end the name (a
 * CR, a control byte) the search goes on in name_rest. */
static inline __attribute__((always_inline)) uint32_t scan_token(struct chunk *c,
                                                                 const unsigned char **pp,
                                                                 const unsigned char *end,
                                                                 struct name *key)
{
    const unsigned char *s = *pp, *p = s;
    if ((unsigned)(*s - '0') <= 9) {
        uint64_t v = 0;
        unsigned d;
        while ((d = (unsigned)(*p - '0')) <= 9 && p - s < 11) {
            v = v * 10 + d;
            p++;
        }
        if (ends_token(p) && v <= TOK_INT_MAX && (*s != '0' || p - s == 1)) {
            *pp = p;
            return (uint32_t)v;
        }
    }
    for (;;) {
        if (end - p < 8)
            break;
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t m = low_bytes(x);
        if (m) {
            p += (size_t)__builtin_ctzll(m) >> 3;
            break;
        }
        p += 8;
    }
    if (*p != ' ' && *p != '\n') {
        if (*p == '\r' && p[1] == '\n')
            p++; /* CRLF, the usual stop that is neither */
        else
            p = name_rest(c, p);
    }
    *pp = p;
    const unsigned char *e = p;
    if (*p == '\n' && e[-1] == '\r')
        e--;
    if (e == s)
        return TOK_NONE;
    key->bytes = s;
    key->len = (size_t)(e - s);
    return TOK_OTHER;
}

static void parse_range(void *arg)
{
    struct chunk *c = arg;
    const unsigned char *p = c->begin, *end = c->end, *reported = p;
    uint32_t max = 0;
    bool any_int = false;
    struct pending q;
    q.b[0].n = q.b[0].n_lines = q.b[1].n = q.b[1].n_lines = 0;
    q.fill = &q.b[0];
    q.waiting = NULL;
    q.roots = c->roots;
    q.n_roots = c->n_roots;
    q.max_settled = 0;
    struct name ka = {NULL, 0}, kb = {NULL, 0};
    while (p < end) {
        while (is_blank(*p))
            p++;
        if (*p == '\n' || *p == '#' || *p == '%') {
            p = memchr(p, '\n', (size_t)(end - p));
            p++;
            continue;
        }
        uint32_t a = scan_token(c, &p, end, &ka), b = TOK_NONE;
        while (is_blank(*p))
            p++;
        if (*p != '\n')
            b = scan_token(c, &p, end, &kb);
        if (a != TOK_NONE) {
            if (a <= TOK_INT_MAX || b <= TOK_INT_MAX) {
                max = (a <= TOK_INT_MAX && a > max) ? a : max;
                max = (b <= TOK_INT_MAX && b > max) ? b : max;
                any_int = true;
            }
            defer(c, &q, a, &ka, b, &kb, !any_int && q.n_roots > 0);
        }
        if (*p != '\n')
            p = memchr(p, '\n', (size_t)(end - p));
        p++;
        if ((size_t)(p - reported) >= PROGRESS_STEP) {
            progress_add((size_t)(p - reported));
            reported = p;
        }
    }
    flush_pending(c, &q);
    progress_add((size_t)(p - reported));
    c->max_int = max;
    c->any_int = any_int;
    c->settled_ids = q.max_settled;
}

/* Offset of the first line to read: a Matrix Market file's size line
 * (its first line that is not a comment or blank) is not an edge. */
static size_t body_start(const unsigned char *d, size_t n)
{
    static const char mm[] = "%%MatrixMarket";
    if (n < sizeof mm - 1 || memcmp(d, mm, sizeof mm - 1) != 0)
        return 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && is_blank(d[j]))
            j++;
        const unsigned char *nl = memchr(d + j, '\n', n - j);
        size_t next = nl ? (size_t)(nl - d) + 1 : n;
        bool skip = j == n || d[j] == '\n' || d[j] == '\r' || d[j] == '#' || d[j] == '%';
        i = next;
        if (!skip)
            break;
    }
    return i;
}

static size_t last_newline_end(const unsigned char *d, size_t from, size_t n)
{
    size_t i = n;
    while (i > from && d[i - 1] != '\n')
        i--;
    return i;
}

static size_t split_body(struct range *r, const unsigned char *d, size_t from, size_t to)
{
    size_t n = parallel_threads();
    if (to - from < PARALLEL_MIN_BYTES && !parallel_threads_forced())
        n = 1;
    size_t used = 0, at = from;
    for (size_t i = 0; i < n && at < to; i++) {
        size_t cut = i + 1 == n ? to : from + (to - from) / n * (i + 1);
        if (cut <= at)
            cut = at + 1;
        while (cut < to && d[cut - 1] != '\n')
            cut++;
        r[used].begin = d + at;
        r[used].end = d + cut;
        used++;
        at = cut;
    }
    return used;
}

size_t edges_ranges(const struct input *in, struct range *r, unsigned char **tail_copy)
{
    const unsigned char *d = in->data;
    size_t start = body_start(d, in->size);
    size_t body_end = last_newline_end(d, start, in->size);
    size_t n = split_body(r, d, start, body_end);
    *tail_copy = NULL;
    if (body_end < in->size && start < in->size) {
        size_t from = body_end > start ? body_end : start, len = in->size - from;
        unsigned char *tail = xmalloc(len + 1);
        memcpy(tail, d + from, len);
        tail[len] = '\n';
        *tail_copy = tail;
        r[n].begin = tail;
        r[n].end = tail + len + 1;
        n++;
    }
    return n;
}

/* TEXT: the first control byte in a name, if any chunk met one; 1 after
 * reporting it. The last chunk may be the copied final line (tail_copy),
 * whose bytes are the input's last ones. */
static int report_bad_byte(const struct input *in, const struct chunk *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const unsigned char *bad = cs[i].bad_byte;
        if (!bad)
            continue;
        size_t at =
            cs[i].owned ? in->size - (size_t)(cs[i].end - 1 - bad) : (size_t)(bad - in->data);
        cli_error_at(in, at, "control byte 0x%02x in a name: the input is not a text edge list%s",
                     *bad,
                     *bad == '\r' ? " (CR line ends after a first line ending with LF?)" : "");
        return 1;
    }
    return 0;
}

int parse_edges(const struct input *in, const char *const *roots, size_t n_roots,
                struct chunk **chunks, size_t *n_chunks)
{
    struct range r[MAX_RANGES];
    unsigned char *tail;
    size_t n = edges_ranges(in, r, &tail);
    struct chunk *cs = xcalloc(n + 1, sizeof *cs);
    for (size_t i = 0; i < n; i++) {
        cs[i].begin = r[i].begin;
        cs[i].end = r[i].end;
        size_t pairs = (size_t)(cs[i].end - cs[i].begin) / 2 + 2;
        chunk_reserve(&cs[i], pairs);
        /* A chunk has at most one id per token. */
        cs[i].marks = marks_new(2 * (uint64_t)pairs, &cs[i].marks_bytes);
        cs[i].roots = roots;
        cs[i].n_roots = n_roots;
    }
    if (tail)
        cs[n - 1].owned = tail;
    parallel_run(parse_range, cs, sizeof *cs, n);
    *chunks = cs;
    *n_chunks = n;
    return report_bad_byte(in, cs, n);
}
