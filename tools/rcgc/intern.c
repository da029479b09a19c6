/* Intern table: maps names (integers or byte strings) to dense ids given in
 * insertion order. Open addressing with linear probing, at most half full.
 *
 * Invariant SLOT: a slot is 0 (empty) or (hash32 << 32 | (rec / 4 + 1)),
 * where rec is the byte offset of the entry's record in the arena. A record
 * is {uint32 id, uint32 len, bytes, padding to 4}; an integer has len
 * INT_LEN and its value as the 4 bytes. Keys live in the arena, not in the
 * input, so a probe touches a small, dense area instead of a random place
 * of a file of gigabytes; the hash in the slot makes most mismatches free.
 * Integers and byte strings never compare equal (INT_LEN is not a length). */
#include <stdlib.h>
#include <string.h>

#include "rcgc_tool.h"

#define INT_LEN 0xffffffffu
#define REC_HEAD 8u

struct intern {
    uint64_t *slot;       /* SLOT entries, mask + 1 of them */
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

static inline uint32_t hash_bytes(const unsigned char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 29;
        s += 8;
        len -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, s, len);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
    return (uint32_t)(mix(h) >> 32);
}

static inline uint32_t hash_int(uint32_t v)
{
    return (uint32_t)(mix(v * 0x9e3779b97f4a7c15u + 0x632be59bd9b4e019u) >> 32);
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
    uint64_t *slot = xalloc_big(n * sizeof *slot);
    for (size_t i = 0; i <= t->mask; i++) {
        uint64_t e = t->slot[i];
        if (!e) continue;
        size_t j = (e >> 32) & (n - 1);
        while (slot[j])
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
    if ((t->used >> 2) >= UINT32_MAX - 1) die_nomem();
    unsigned char *r = t->arena + t->used;
    memcpy(r, &id, 4);
    memcpy(r + 4, &len, 4);
    memcpy(r + REC_HEAD, key, n);
    uint32_t off = (uint32_t)(t->used >> 2);
    t->used += need;
    return off;
}

static uint32_t add(struct intern *t, size_t at, uint32_t h, uint32_t len, const void *key,
                    size_t n)
{
    if (t->n == UINT32_MAX - 1) die_nomem();
    if (t->n == t->cap_ids) {
        t->cap_ids = t->cap_ids ? 2 * t->cap_ids : 1024;
        t->rec = xrealloc(t->rec, (size_t)t->cap_ids * sizeof *t->rec);
    }
    uint32_t id = t->n++;
    t->rec[id] = put_record(t, id, len, key, n);
    t->slot[at] = (uint64_t)h << 32 | ((uint64_t)t->rec[id] + 1);
    if (4 * (size_t)t->n > 3 * t->mask) grow(t);
    return id;
}

/* Slot holding the key, or the empty slot where it would go. */
static inline size_t probe(const struct intern *t, uint32_t h, uint32_t len, const void *key,
                           size_t n)
{
    size_t i = h & t->mask;
    for (;;) {
        uint64_t e = t->slot[i];
        if (!e) return i;
        if ((uint32_t)(e >> 32) == h) {
            const unsigned char *r = t->arena + (((uint32_t)e - 1) * (size_t)4);
            uint32_t rlen;
            memcpy(&rlen, r + 4, 4);
            if (rlen == len && memcmp(r + REC_HEAD, key, n) == 0) return i;
        }
        i = (i + 1) & t->mask;
    }
}

static inline uint32_t id_at(const struct intern *t, size_t i)
{
    uint32_t id;
    memcpy(&id, t->arena + (((uint32_t)t->slot[i] - 1) * (size_t)4), 4);
    return id;
}

uint32_t intern_int(struct intern *t, uint32_t value)
{
    uint32_t h = hash_int(value);
    size_t i = probe(t, h, INT_LEN, &value, 4);
    return t->slot[i] ? id_at(t, i) : add(t, i, h, INT_LEN, &value, 4);
}

uint32_t intern_bytes(struct intern *t, const unsigned char *s, size_t len)
{
    if (len >= INT_LEN) die_nomem();
    uint32_t h = hash_bytes(s, len);
    size_t i = probe(t, h, (uint32_t)len, s, len);
    return t->slot[i] ? id_at(t, i) : add(t, i, h, (uint32_t)len, s, len);
}

void intern_bytes_batch(struct intern *t, const struct name *keys, size_t n, uint32_t *ids)
{
    uint32_t h[INTERN_BATCH];
    for (size_t i = 0; i < n; i++) {
        h[i] = keys[i].len < INT_LEN ? hash_bytes(keys[i].bytes, keys[i].len) : 0;
        __builtin_prefetch(&t->slot[h[i] & t->mask]);
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t e = t->slot[h[i] & t->mask];
        if (e) __builtin_prefetch(t->arena + ((uint32_t)e - 1) * (size_t)4);
    }
    for (size_t i = 0; i < n; i++) {
        if (keys[i].len >= INT_LEN) die_nomem();
        size_t at = probe(t, h[i], (uint32_t)keys[i].len, keys[i].bytes, keys[i].len);
        ids[i] = t->slot[at] ? id_at(t, at)
                             : add(t, at, h[i], (uint32_t)keys[i].len, keys[i].bytes, keys[i].len);
    }
}

uint32_t intern_find_int(const struct intern *t, uint32_t value)
{
    size_t i = probe(t, hash_int(value), INT_LEN, &value, 4);
    return t->slot[i] ? id_at(t, i) : UINT32_MAX;
}

uint32_t intern_find_bytes(const struct intern *t, const unsigned char *s, size_t len)
{
    if (len >= INT_LEN) return UINT32_MAX;
    size_t i = probe(t, hash_bytes(s, len), (uint32_t)len, s, len);
    return t->slot[i] ? id_at(t, i) : UINT32_MAX;
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
    if (!t) return;
    xfree_big(t->slot, (t->mask + 1) * sizeof *t->slot);
    free(t->arena);
    free(t->rec);
    free(t);
}
