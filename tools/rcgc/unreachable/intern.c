/* Intern table: maps names (integers or byte strings) to dense ids given in
 * insertion order. Open addressing with linear probing, at most 3/4 full.
 *
 * Invariant SLOT: a slot is {tag, key8}; tag is 0 (empty) or
 * (htag << 32 | (id + 1)). htag is the name's 32-bit hash with its low 4
 * bits replaced by a length class: the length for names of 0 to 8 bytes,
 * LC_LONG for longer ones, LC_INT for integers. key8 holds a short name's
 * bytes (zero-padded; with the length class that is the whole name), a long
 * name's first 8 bytes, or an integer's value. So a probe for a short name
 * or an integer, the common case, reads one slot and nothing else: one cache
 * miss per lookup. Only a long name whose tag and first 8 bytes match is
 * compared in full, against its record.
 *
 * A record is {uint32 id, uint32 len, bytes, padding to 4} in the arena;
 * an integer has len INT_LEN and its value as the 4 bytes. Records give the
 * names back by id (rec) and serve the long comparisons. Keys live in the
 * arena, not in the input, so a comparison touches a small, dense area
 * instead of a random place of a file of gigabytes. Integers and byte
 * strings never compare equal (their length classes differ). */
#include <stdlib.h>
#include <string.h>

#include "../rcgc_tool.h"

#define INT_LEN 0xffffffffu
#define REC_HEAD 8u
#define LC_LONG 9u
#define LC_INT 10u
#define LC_MASK 0xfu

struct slot {
    uint64_t tag;  /* SLOT: 0, or htag << 32 | (id + 1) */
    uint64_t key8; /* SLOT: short name, first 8 bytes of a long one, or integer value */
};

struct intern {
    struct slot *slot;    /* SLOT entries, mask + 1 of them */
    size_t mask;          /* slot count - 1; the count is a power of two */
    unsigned char *arena; /* records, 4-byte aligned */
    size_t used, cap;     /* bytes of arena in use and allocated */
    uint32_t *rec;        /* by id: record offset / 4 */
    uint32_t n;           /* ids given */
    uint32_t cap_ids;     /* allocated entries of rec */
};

static inline uint64_t mix(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93u;
    h ^= h >> 32;
    return h;
}

/* Home slot of an htag before masking: its hash bits first (the low 4 are
 * the length class, the same for most names). */
static inline uint32_t home_bits(uint32_t htag)
{
    return htag >> 4 | (htag & LC_MASK) << 28;
}

static inline struct intern_probe with_home(uint32_t htag, uint64_t key8)
{
    return (struct intern_probe){htag, home_bits(htag), key8};
}

/* The len <= 8 bytes at s as a little-endian number, reading no byte
 * outside them: two overlapping 4-byte loads, or three single bytes (an
 * overlap repeats a byte at its own place, so OR keeps it right). */
static inline uint64_t load_short(const unsigned char *s, size_t len)
{
    if (len >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + len - 4, 4);
        return lo | (uint64_t)hi << (8 * (len - 4));
    }
    if (len == 0)
        return 0;
    return s[0] | (uint64_t)s[len / 2] << (8 * (len / 2)) | (uint64_t)s[len - 1] << (8 * (len - 1));
}

static inline __attribute__((always_inline)) struct intern_probe bytes_key(const unsigned char *s,
                                                                           size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ len;
    if (len <= 8) {
        uint64_t w = load_short(s, len);
        h = mix((h ^ w) * 0xc4ceb9fe1a85ec53u);
        return with_home(((uint32_t)(h >> 32) & ~LC_MASK) | (uint32_t)len, w);
    }
    uint64_t first;
    memcpy(&first, s, 8);
    size_t n = len;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    h = mix((h ^ load_short(s, n)) * 0xc4ceb9fe1a85ec53u);
    return with_home(((uint32_t)(h >> 32) & ~LC_MASK) | LC_LONG, first);
}

static inline struct intern_probe int_key(uint32_t v)
{
    uint64_t h = mix(v * 0x9e3779b97f4a7c15u + 0x632be59bd9b4e019u);
    return with_home(((uint32_t)(h >> 32) & ~LC_MASK) | LC_INT, v);
}

static inline size_t home(uint32_t htag, size_t mask)
{
    return (size_t)home_bits(htag) & mask;
}

struct intern *intern_new(size_t expected)
{
    struct intern *t = xcalloc(1, sizeof *t);
    size_t n = 1024;
    while (n < 2 * expected)
        n *= 2;
    t->slot = xalloc_big(n * sizeof *t->slot);
    t->mask = n - 1;
    return t;
}

static void grow(struct intern *t)
{
    size_t n = 2 * (t->mask + 1);
    struct slot *slot = xalloc_big(n * sizeof *slot);
    for (size_t i = 0; i <= t->mask; i++) {
        struct slot e = t->slot[i];
        if (!e.tag)
            continue;
        size_t j = home((uint32_t)(e.tag >> 32), n - 1);
        while (slot[j].tag)
            j = (j + 1) & (n - 1);
        slot[j] = e;
    }
    xfree_big(t->slot, (t->mask + 1) * sizeof *t->slot);
    t->slot = slot;
    t->mask = n - 1;
}

/* Appends a record; returns its offset / 4. */
static uint32_t put_record(struct intern *t, uint32_t id, uint32_t len, const void *key, size_t n)
{
    size_t need = (REC_HEAD + n + 3) & ~(size_t)3;
    if (t->used + need > t->cap) {
        t->cap = t->cap ? 2 * t->cap : 65536;
        while (t->used + need > t->cap)
            t->cap *= 2;
        t->arena = xrealloc(t->arena, t->cap);
    }
    if ((t->used >> 2) >= UINT32_MAX - 1)
        die_nomem();
    unsigned char *r = t->arena + t->used;
    memcpy(r, &id, 4);
    memcpy(r + 4, &len, 4);
    memcpy(r + REC_HEAD, key, n);
    uint32_t off = (uint32_t)(t->used >> 2);
    t->used += need;
    return off;
}

static uint32_t add(struct intern *t, size_t at, struct intern_probe pk, uint32_t len,
                    const void *key, size_t n)
{
    if (t->n == UINT32_MAX - 1)
        die_nomem();
    if (t->n == t->cap_ids) {
        t->cap_ids = t->cap_ids ? 2 * t->cap_ids : 1024;
        t->rec = xrealloc(t->rec, (size_t)t->cap_ids * sizeof *t->rec);
    }
    uint32_t id = t->n++;
    t->rec[id] = put_record(t, id, len, key, n);
    t->slot[at] = (struct slot){(uint64_t)pk.htag << 32 | ((uint64_t)id + 1), pk.key8};
    if (4 * (size_t)t->n > 3 * t->mask)
        grow(t);
    return id;
}

/* Whether entry id is the long name s of len bytes. */
static bool long_equal(const struct intern *t, uint32_t id, const unsigned char *s, size_t len)
{
    const unsigned char *r = t->arena + (size_t)t->rec[id] * 4;
    uint32_t rlen;
    memcpy(&rlen, r + 4, 4);
    return rlen == len && memcmp(r + REC_HEAD, s, len) == 0;
}

/* Slot holding the key, or the empty slot where it would go; s and len
 * matter only for long names. */
static inline size_t probe(const struct intern *t, struct intern_probe pk, const unsigned char *s,
                           size_t len)
{
    size_t i = (size_t)pk.home & t->mask;
    uint64_t want = (uint64_t)pk.htag << 32;
    for (;;) {
        const struct slot *e = &t->slot[i];
        if (!e->tag)
            return i;
        if ((e->tag & ~(uint64_t)UINT32_MAX) == want && e->key8 == pk.key8 &&
            ((pk.htag & LC_MASK) != LC_LONG || long_equal(t, (uint32_t)e->tag - 1, s, len)))
            return i;
        i = (i + 1) & t->mask;
    }
}

static inline uint32_t id_at(const struct intern *t, size_t i)
{
    return (uint32_t)t->slot[i].tag - 1;
}

uint32_t intern_int(struct intern *t, uint32_t value)
{
    struct intern_probe pk = int_key(value);
    size_t i = probe(t, pk, NULL, 0);
    return t->slot[i].tag ? id_at(t, i) : add(t, i, pk, INT_LEN, &value, 4);
}

uint32_t intern_bytes(struct intern *t, const unsigned char *s, size_t len)
{
    if (len >= INT_LEN)
        die_nomem();
    struct intern_probe pk = bytes_key(s, len);
    size_t i = probe(t, pk, s, len);
    return t->slot[i].tag ? id_at(t, i) : add(t, i, pk, (uint32_t)len, s, len);
}

void intern_bytes_prepare(const struct intern *t, const struct name *keys, size_t n,
                          struct intern_probe *pk)
{
    for (size_t i = 0; i < n; i++) {
        if (keys[i].len >= INT_LEN)
            die_nomem();
        pk[i] = bytes_key(keys[i].bytes, keys[i].len);
        __builtin_prefetch(&t->slot[(size_t)pk[i].home & t->mask]);
    }
}

void intern_bytes_resolve(struct intern *t, const struct name *keys, const struct intern_probe *pk,
                          size_t n, uint32_t *ids)
{
    for (size_t i = 0; i < n; i++) {
        size_t at = probe(t, pk[i], keys[i].bytes, keys[i].len);
        ids[i] = t->slot[at].tag
                     ? id_at(t, at)
                     : add(t, at, pk[i], (uint32_t)keys[i].len, keys[i].bytes, keys[i].len);
    }
}

void intern_bytes_batch(struct intern *t, const struct name *keys, size_t n, uint32_t *ids)
{
    struct intern_probe pk[INTERN_BATCH];
    intern_bytes_prepare(t, keys, n, pk);
    intern_bytes_resolve(t, keys, pk, n, ids);
}

uint32_t intern_find_int(const struct intern *t, uint32_t value)
{
    size_t i = probe(t, int_key(value), NULL, 0);
    return t->slot[i].tag ? id_at(t, i) : UINT32_MAX;
}

uint32_t intern_find_bytes(const struct intern *t, const unsigned char *s, size_t len)
{
    if (len >= INT_LEN)
        return UINT32_MAX;
    size_t i = probe(t, bytes_key(s, len), s, len);
    return t->slot[i].tag ? id_at(t, i) : UINT32_MAX;
}

uint32_t intern_count(const struct intern *t)
{
    return t ? t->n : 0;
}

struct name intern_name(const struct intern *t, uint32_t id)
{
    const unsigned char *r = t->arena + (size_t)t->rec[id] * 4;
    uint32_t len;
    memcpy(&len, r + 4, 4);
    struct name nm = {r + REC_HEAD, len};
    if (len == INT_LEN) {
        uint32_t v;
        memcpy(&v, r + REC_HEAD, 4);
        nm.bytes = NULL;
        nm.len = v;
    }
    return nm;
}

void intern_free(struct intern *t)
{
    if (!t)
        return;
    xfree_big(t->slot, (t->mask + 1) * sizeof *t->slot);
    free(t->arena);
    free(t->rec);
    free(t);
}
