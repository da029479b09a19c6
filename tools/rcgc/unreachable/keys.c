/* Node keys: every distinct name becomes a key in [0, n_keys).
 *
 * Direct mode (every name a small integer and the largest not far above the
 * number of edges, as in SNAP and Graph500 files): the key is the value, no
 * hashing is done, and `order` lists the present keys by first appearance.
 * Hash mode: each chunk interns its tokens in a table of its own (strings
 * while parsing, integers in parallel afterwards), the local tables are merged chunk by chunk into
 * a global one, and tokens are rewritten to global ids. Chunks are in input order and local ids in
 * chunk order, so global ids are in order of first appearance (invariant FIRST_SEEN); `order` is
 * then NULL, meaning the identity.
 *
 * While tokens become keys, keys_assign makes the first pass of the search
 * (SETTLED in sweep.c) from the roots, marked first: an edge from a marked
 * key marks its successor, and only edges whose successor is still unmarked
 * are kept, as key pairs, in place of the chunk's tokens. That costs no pass
 * of its own, and the chunks' pairs become the graph's edge set. */
#include <stdlib.h>
#include <string.h>

#include "../rcgc_tool.h"

#define DIRECT_SLACK 65536u

/* The roots by name and the marks they start (keys_assign). */
struct start {
    const char *const *roots;
    size_t n_roots;
    uint64_t *marks;
};

struct local {
    struct chunk *c;  /* tokens to key */
    uint64_t *marks;  /* shared: keys known reachable */
    size_t kept;      /* edges kept */
    size_t marked;    /* keys this chunk's pass marked */
    uint32_t n_keys;  /* direct: key space */
    uint64_t *seen;   /* direct: keys met in this chunk */
    uint32_t *order;  /* direct: those keys by first appearance */
    uint32_t n_order; /* direct: entries of order */
    struct intern *t; /* hash: this chunk's names by local id */
    uint32_t *map;    /* hash: global id by local id */
};

static inline bool bit_test_set(uint64_t *bits, uint32_t i)
{
    uint64_t m = (uint64_t)1 << (i & 63);
    bool was = (bits[i >> 6] & m) != 0;
    bits[i >> 6] |= m;
    return was;
}

/* The edge (a, b) of pair i, keys, through the first pass of the search:
 * kept as pair *kept (never after i) if it may still matter. */
static inline void keep_edge(uint32_t *pair, uint64_t *marks, size_t *kept, size_t *marked,
                             uint32_t a, uint32_t b)
{
    if (b == TOK_NONE || !sweep_edge(marks, a, b, marked))
        return;
    pair[2 * *kept] = a;
    pair[2 * *kept + 1] = b;
    ++*kept;
}

static void direct_scan(void *arg)
{
    struct local *l = arg;
    l->seen = xcalloc((size_t)l->n_keys / 64 + 1, sizeof *l->seen);
    l->order = xmalloc(((size_t)l->n_keys + 1) * sizeof *l->order);
    const uint32_t *p = l->c->pair;
    for (size_t i = 0; i < l->c->n_pairs; i++) {
        uint32_t a = p[2 * i], b = p[2 * i + 1];
        if (!bit_test_set(l->seen, a))
            l->order[l->n_order++] = a;
        if (b != TOK_NONE && !bit_test_set(l->seen, b))
            l->order[l->n_order++] = b;
        keep_edge(l->c->pair, l->marks, &l->kept, &l->marked, a, b);
    }
    chunk_trim(l->c, l->kept);
}

static void direct_keys(struct local *ls, size_t n, uint32_t max, struct keys *k,
                        const struct start *st)
{
    k->direct = true;
    k->n_keys = max + 1;
    for (size_t i = 0; i < n; i++)
        ls[i].n_keys = k->n_keys;
    for (size_t i = 0; i < st->n_roots; i++) {
        const char *r = st->roots[i];
        uint32_t v = token_of_int_name((const unsigned char *)r, strlen(r));
        if (v < k->n_keys)
            st->marks[v >> 6] |= (uint64_t)1 << (v & 63);
    }
    parallel_run(direct_scan, ls, sizeof *ls, n);
    k->present = xcalloc((size_t)k->n_keys / 64 + 1, sizeof *k->present);
    k->order = xmalloc(((size_t)k->n_keys + 1) * sizeof *k->order);
    for (size_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < ls[i].n_order; j++)
            if (!bit_test_set(k->present, ls[i].order[j]))
                k->order[k->n_nodes++] = ls[i].order[j];
        free(ls[i].seen);
        free(ls[i].order);
    }
}

/* Scans tokens (now local ids) for their first appearance in the chunk;
 * ids below settled_ids come first, in their order (SETTLING in
 * parse_edges.c: their lines may not have been kept). */
static void local_order(struct local *l, uint32_t count)
{
    struct chunk *c = l->c;
    uint64_t *seen = xcalloc((size_t)count / 64 + 1, sizeof *seen);
    l->order = xmalloc(((size_t)count + 1) * sizeof *l->order);
    for (uint32_t id = 0; id < c->settled_ids; id++) {
        bit_test_set(seen, id);
        l->order[l->n_order++] = id;
    }
    for (size_t i = 0; i < 2 * c->n_pairs; i++)
        if (c->pair[i] != TOK_NONE && !bit_test_set(seen, c->pair[i]))
            l->order[l->n_order++] = c->pair[i];
    free(seen);
}

/* Rewrites every token to its id in the chunk's table. String ids were
 * given during parsing, in order of appearance; integers get theirs now,
 * and only then is a scan for the order of first appearance needed. */
static void hash_local(void *arg)
{
    struct local *l = arg;
    struct chunk *c = l->c;
    if (!c->table)
        c->table = intern_new(4096);
    uint32_t *p = c->pair;
    /* Without integers every token is TOK_OTHER | id: hash_rewrite masks. */
    for (size_t i = 0; c->any_int && i < 2 * c->n_pairs; i++) {
        uint32_t v = p[i];
        if (v != TOK_NONE)
            p[i] = v <= TOK_INT_MAX ? intern_int(c->table, v) : v & ~TOK_OTHER;
    }
    l->t = c->table;
    if (c->any_int)
        local_order(l, intern_count(c->table));
}

#define REWRITE_AHEAD 32
/* Pieces each chunk's rewriting is cut into: the first chunk's is cheaper
 * when its ids need no map (hash_keys), so workers take pieces as they go. */
#define REWRITE_PIECES 8

/* One piece: pairs [lo, hi) of a chunk; its kept edges are compacted from
 * pair lo on, into [lo, kept). */
struct piece {
    struct local *l;
    size_t lo, hi, kept, marked;
};

struct rewrite {
    struct piece piece[REWRITE_PIECES * MAX_RANGES];
    size_t n_pieces;
    size_t next; /* shared: first piece not yet taken */
};

static void rewrite_piece(struct piece *pc)
{
    struct local *l = pc->l;
    uint32_t *pair = l->c->pair;
    const uint32_t *map = l->map;
    size_t n = 2 * pc->hi;
    /* Local ids, or TOK_OTHER | id in a chunk without integers (hash_local). */
    uint32_t id_mask = l->c->any_int ? ~0u : ~TOK_OTHER;
    pc->kept = pc->lo;
    for (size_t i = 2 * pc->lo; i < n; i += 2) {
        uint32_t a = pair[i] & id_mask, b = pair[i + 1];
        b = b == TOK_NONE ? TOK_NONE : b & id_mask;
        if (map) { /* else the local ids are the keys (hash_keys) */
            if (i + REWRITE_AHEAD < n) {
                __builtin_prefetch(&map[pair[i + REWRITE_AHEAD] & id_mask]);
                if (pair[i + REWRITE_AHEAD + 1] != TOK_NONE)
                    __builtin_prefetch(&map[pair[i + REWRITE_AHEAD + 1] & id_mask]);
            }
            a = map[a];
            b = b == TOK_NONE ? TOK_NONE : map[b];
        }
        keep_edge(pair, l->marks, &pc->kept, &pc->marked, a, b);
    }
}

static void rewrite_worker(void *arg)
{
    struct rewrite *rw = *(struct rewrite **)arg;
    for (;;) {
        size_t i = __atomic_fetch_add(&rw->next, 1, __ATOMIC_RELAXED);
        if (i >= rw->n_pieces)
            return;
        rewrite_piece(&rw->piece[i]);
    }
}

/* Tokens to keys through the maps, with the first pass of the search; then
 * each chunk's kept edges are moved together and its local data freed. */
static void hash_rewrite(struct local *ls, size_t n)
{
    struct rewrite *rw = xcalloc(1, sizeof *rw);
    for (size_t i = 0; i < n; i++) {
        size_t pairs = ls[i].c->n_pairs;
        for (size_t j = 0; j < REWRITE_PIECES; j++)
            rw->piece[rw->n_pieces++] = (struct piece){.l = &ls[i],
                                                       .lo = pairs * j / REWRITE_PIECES,
                                                       .hi = pairs * (j + 1) / REWRITE_PIECES};
    }
    struct rewrite *workers[MAX_THREADS];
    size_t n_workers = parallel_threads();
    for (size_t i = 0; i < n_workers; i++)
        workers[i] = rw;
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): the items are pointers, one per worker */
    parallel_run(rewrite_worker, workers, sizeof *workers, n_workers);
    for (size_t i = 0; i < n; i++) {
        struct local *l = &ls[i];
        size_t kept = 0;
        for (size_t j = 0; j < REWRITE_PIECES; j++) {
            const struct piece *pc = &rw->piece[i * REWRITE_PIECES + j];
            memmove(l->c->pair + 2 * kept, l->c->pair + 2 * pc->lo,
                    (pc->kept - pc->lo) * 2 * sizeof *l->c->pair);
            kept += pc->kept - pc->lo;
        }
        chunk_trim(l->c, kept);
        free(l->map);
        free(l->order);
        intern_free(l->c->table);
        l->c->table = NULL;
    }
    free(rw);
}

/* Global ids for a batch of byte-string names of one chunk. */
static size_t merge_batch(struct local *l, struct intern *global, const struct name *names,
                          const uint32_t *lids, size_t n)
{
    uint32_t ids[INTERN_BATCH];
    intern_bytes_batch(global, names, n, ids);
    for (size_t i = 0; i < n; i++)
        l->map[lids[i]] = ids[i];
    return 0;
}

/* Global ids for one chunk's names, taken in their order of first appearance. */
static void merge_local(struct local *l, struct intern *global)
{
    uint32_t count = intern_count(l->t), lids[INTERN_BATCH];
    struct name names[INTERN_BATCH];
    size_t q = 0;
    l->map = xmalloc(((size_t)count + 1) * sizeof *l->map);
    uint32_t n = l->order ? l->n_order : count;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t lid = l->order ? l->order[j] : j;
        struct name nm = intern_name(l->t, lid);
        if (!nm.bytes) {
            q = merge_batch(l, global, names, lids, q);
            l->map[lid] = intern_int(global, (uint32_t)nm.len);
            continue;
        }
        names[q] = nm;
        lids[q++] = lid;
        if (q == INTERN_BATCH)
            q = merge_batch(l, global, names, lids, q);
    }
    merge_batch(l, global, names, lids, q);
}

/* The chunk's SETTLING marks (parse_edges.c), by local id, as marks of
 * keys: what a chunk's own edges reach from a root is reachable. */
static void carry_marks(const struct local *l, uint64_t *marks)
{
    const struct chunk *c = l->c;
    if (!c->marks)
        return;
    uint32_t count = intern_count(l->t);
    for (uint32_t w = 0; w < count / 64 + 1; w++) {
        for (uint64_t bits = c->marks[w]; bits; bits &= bits - 1) {
            uint32_t id = w * 64 + (uint32_t)__builtin_ctzll(bits);
            uint32_t key = l->map ? l->map[id] : id;
            marks[key >> 6] |= (uint64_t)1 << (key & 63);
        }
    }
}

static void hash_keys(struct local *ls, size_t n, struct keys *k, const struct start *st)
{
    parallel_run(hash_local, ls, sizeof *ls, n);
    size_t expected = 0;
    for (size_t i = 0; i < n; i++)
        expected = intern_count(ls[i].t) > expected ? intern_count(ls[i].t) : expected;
    /* When the first chunk's ids are in order of first appearance (no
     * integers reordered them), its table starts the global one as it is:
     * FIRST_SEEN holds, and its ids need no map. */
    size_t from = 0;
    if (n > 0 && !ls[0].order) {
        k->table = ls[0].t;
        ls[0].c->table = NULL;
        from = 1;
    } else {
        k->table = intern_new(expected);
    }
    for (size_t i = from; i < n; i++)
        merge_local(&ls[i], k->table);
    k->n_nodes = k->n_keys = intern_count(k->table);
    for (size_t i = 0; i < n; i++)
        ls[i].n_keys = k->n_keys;
    for (size_t i = 0; i < st->n_roots; i++) {
        uint32_t v = keys_find(k, st->roots[i]);
        if (v != UINT32_MAX)
            st->marks[v >> 6] |= (uint64_t)1 << (v & 63);
    }
    for (size_t i = 0; i < n; i++)
        carry_marks(&ls[i], st->marks);
    hash_rewrite(ls, n);
}

int keys_assign(struct chunk *chunks, size_t n_chunks, const char *const *roots, size_t n_roots,
                struct keys *k, struct graph *g)
{
    memset(k, 0, sizeof *k);
    size_t pairs = 0;
    bool others = false;
    uint32_t max = 0;
    for (size_t i = 0; i < n_chunks; i++) {
        pairs += chunks[i].n_pairs;
        others |= chunks[i].table != NULL;
        max = chunks[i].max_int > max ? chunks[i].max_int : max;
    }
    struct local *ls = xcalloc(n_chunks + 1, sizeof *ls);
    bool direct = !others && (uint64_t)max < (uint64_t)pairs + DIRECT_SLACK;
    /* In hash mode a key is a name of some chunk's table or a token of
     * its pairs (SETTLING in parse_edges.c may have dropped the lines of
     * names that are in the tables). */
    uint64_t key_bound = (uint64_t)max + 1;
    if (!direct) {
        key_bound = 2 * (uint64_t)pairs + 1;
        for (size_t i = 0; i < n_chunks; i++)
            key_bound += intern_count(chunks[i].table);
    }
    size_t marks_bytes;
    struct start st = {roots, n_roots, marks_new(key_bound, &marks_bytes)};
    for (size_t i = 0; i < n_chunks; i++) {
        ls[i].c = &chunks[i];
        ls[i].marks = st.marks;
    }
    if (direct)
        direct_keys(ls, n_chunks, max, k, &st);
    else
        hash_keys(ls, n_chunks, k, &st);
    free(ls);
    if (k->n_nodes == 0) {
        marks_free(st.marks, marks_bytes);
        return 0;
    }
    g->n_keys = k->n_keys;
    g->marks = st.marks;
    g->marks_bytes = marks_bytes;
    g->edges = xcalloc(1, sizeof *g->edges);
    g->edges->n_parts = n_chunks;
    for (size_t i = 0; i < n_chunks; i++) {
        struct edge_part *p = &g->edges->part[i];
        p->c = (struct chunk){.pair = chunks[i].pair,
                              .n_pairs = chunks[i].n_pairs,
                              .cap_pairs = chunks[i].cap_pairs,
                              .map_bytes = chunks[i].map_bytes};
        p->n[0] = chunks[i].n_pairs;
        chunks[i].pair = NULL;
        chunks[i].map_bytes = 0;
    }
    return 0;
}

uint32_t keys_find(const struct keys *k, const char *name)
{
    const unsigned char *s = (const unsigned char *)name;
    size_t len = strlen(name);
    uint32_t tok = token_of_int_name(s, len);
    if (k->direct) {
        if (tok > TOK_INT_MAX || tok >= k->n_keys)
            return UINT32_MAX;
        return (k->present[tok >> 6] >> (tok & 63)) & 1 ? tok : UINT32_MAX;
    }
    return tok <= TOK_INT_MAX ? intern_find_int(k->table, tok)
                              : intern_find_bytes(k->table, s, len);
}

void keys_free(struct keys *k)
{
    free(k->order);
    free(k->present);
    intern_free(k->table);
    memset(k, 0, sizeof *k);
}
