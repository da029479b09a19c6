/* Intern table: maps names (integers or byte strings) to dense ids given in
 * insertion order. Open addressing with linear probing, at most half full.
 *
 * Invariant SLOT: a slot is 0 (empty) or (hash32 << 32 | (id + 1)); the hash
 * is kept in the slot so that a probe touches the name only on a likely
 * match. Integers and byte strings share the table but never compare equal:
 * an integer entry has bytes == NULL and its value in len. */
#include <stdlib.h>
#include <string.h>

#include "rcgc_tool.h"

struct intern {
    uint64_t *slot;     /* SLOT entries, mask + 1 of them */
    size_t mask;        /* slot count - 1; the count is a power of two */
    struct name *names; /* by id: the name (bytes NULL: integer len) */
    uint32_t n;         /* ids given */
    uint32_t cap;       /* allocated entries of names */
};

static inline uint64_t mix(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93u;
    h ^= h >> 32;
    return h;
}

static uint64_t hash_bytes(const unsigned char *s, size_t len)
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
    return mix(h) | 1;
}

static inline uint64_t hash_int(uint32_t v)
{
    return mix(v * 0x9e3779b97f4a7c15u);
}

struct intern *intern_new(size_t expected)
{
    struct intern *t = xcalloc(1, sizeof *t);
    size_t n = 1024;
    while (n < 2 * expected)
        n *= 2;
    t->slot = xcalloc(n, sizeof *t->slot);
    t->mask = n - 1;
    return t;
}

static void grow(struct intern *t)
{
    size_t n = 2 * (t->mask + 1);
    uint64_t *slot = xcalloc(n, sizeof *slot);
    for (size_t i = 0; i <= t->mask; i++) {
        uint64_t e = t->slot[i];
        if (!e) continue;
        size_t j = (e >> 32) & (n - 1);
        while (slot[j])
            j = (j + 1) & (n - 1);
        slot[j] = e;
    }
    free(t->slot);
    t->slot = slot;
    t->mask = n - 1;
}

static uint32_t add(struct intern *t, size_t at, uint32_t h, const unsigned char *s, size_t len)
{
    if (t->n == UINT32_MAX - 1) die_nomem();
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->names = xrealloc(t->names, (size_t)t->cap * sizeof *t->names);
    }
    uint32_t id = t->n++;
    t->names[id].bytes = s;
    t->names[id].len = len;
    t->slot[at] = (uint64_t)h << 32 | (id + 1);
    if (2 * (size_t)t->n > t->mask) grow(t);
    return id;
}

static inline bool same(const struct name *e, const unsigned char *s, size_t len)
{
    if (s == NULL) return e->bytes == NULL && e->len == len;
    return e->bytes != NULL && e->len == len && memcmp(e->bytes, s, len) == 0;
}

/* Slot holding the name, or the empty slot where it would go. */
static size_t probe(const struct intern *t, uint32_t h, const unsigned char *s, size_t len)
{
    size_t i = h & t->mask;
    for (;;) {
        uint64_t e = t->slot[i];
        if (!e || ((uint32_t)(e >> 32) == h && same(&t->names[(uint32_t)e - 1], s, len))) return i;
        i = (i + 1) & t->mask;
    }
}

uint32_t intern_int(struct intern *t, uint32_t value)
{
    uint32_t h = (uint32_t)(hash_int(value) >> 32);
    size_t i = probe(t, h, NULL, value);
    if (t->slot[i]) return (uint32_t)t->slot[i] - 1;
    return add(t, i, h, NULL, value);
}

uint32_t intern_bytes(struct intern *t, const unsigned char *s, size_t len)
{
    uint32_t h = (uint32_t)(hash_bytes(s, len) >> 32);
    size_t i = probe(t, h, s, len);
    if (t->slot[i]) return (uint32_t)t->slot[i] - 1;
    return add(t, i, h, s, len);
}

uint32_t intern_find_int(const struct intern *t, uint32_t value)
{
    size_t i = probe(t, (uint32_t)(hash_int(value) >> 32), NULL, value);
    return t->slot[i] ? (uint32_t)t->slot[i] - 1 : UINT32_MAX;
}

uint32_t intern_find_bytes(const struct intern *t, const unsigned char *s, size_t len)
{
    size_t i = probe(t, (uint32_t)(hash_bytes(s, len) >> 32), s, len);
    return t->slot[i] ? (uint32_t)t->slot[i] - 1 : UINT32_MAX;
}

uint32_t intern_count(const struct intern *t)
{
    return t->n;
}

struct name intern_name(const struct intern *t, uint32_t id)
{
    return t->names[id];
}

void intern_free(struct intern *t)
{
    if (!t) return;
    free(t->slot);
    free(t->names);
    free(t);
}
