/* Token chunks (invariant TOKEN in rcgc_tool.h).
 *
 * Pairs live in an anonymous mapping reserved for the most pairs the
 * chunk's bytes can hold (a pair needs at least two input bytes), so they
 * never move or get copied and untouched pages cost nothing. They are read
 * in order, so they get no huge-page advice (that only added zeroing and
 * compaction time in measurements); the random-access arrays do.
 *
 * Invariant PACKED: once keys are final, a packer rewrites the pairs in
 * place as fields of `bits` bits (2 * n_pairs of them, little-endian bit
 * order, the all-ones field meaning TOK_NONE) and returns the pages beyond
 * them. With 2^20 keys a pair takes 42 bits instead of 64; that is what
 * keeps the adjacency build within its memory budget. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../rcgc_tool.h"

#define PAIR_PAD_BYTES 64

void chunk_reserve(struct chunk *c, size_t max_pairs)
{
    c->map_bytes = max_pairs * 2 * sizeof *c->pair + PAIR_PAD_BYTES;
    void *p = mmap(NULL, c->map_bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        die_nomem();
    c->pair = p;
    c->cap_pairs = max_pairs;
}

uint32_t chunk_intern(struct chunk *c, const unsigned char *bytes, size_t len)
{
    if (!c->table)
        c->table = intern_new(4096);
    uint32_t id = intern_bytes(c->table, bytes, len);
    if (id > TOK_OTHER_MAX)
        die_nomem();
    return TOK_OTHER | id;
}

unsigned packed_bits(uint32_t n_keys)
{
    unsigned bits = 1;
    while (bits < 32 && ((uint64_t)1 << bits) - 1 < n_keys)
        bits++;
    return bits;
}

void packer_start(struct packer *pk, struct chunk *c, unsigned bits)
{
    *pk = (struct packer){.out = (unsigned char *)c->pair, .bits = bits};
    pk->none = ((uint64_t)1 << bits) - 1;
}

void packer_finish(struct packer *pk, struct chunk *c)
{
    memcpy(pk->out + pk->at, &pk->acc, 8);
    memset(pk->out + pk->at + 8, 0, 8);
    c->bits = pk->bits;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), keep = (pk->at + 16 + page - 1) / page * page;
    if (keep < c->map_bytes) {
        munmap(pk->out + keep, c->map_bytes - keep);
        c->map_bytes = keep;
    }
}

void chunk_trim(struct chunk *c, size_t n_pairs)
{
    c->n_pairs = n_pairs;
    c->bits = 0;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t keep = (n_pairs * 2 * sizeof *c->pair + PAIR_PAD_BYTES + page - 1) / page * page;
    if (c->pair && keep < c->map_bytes) {
        munmap((unsigned char *)c->pair + keep, c->map_bytes - keep);
        c->map_bytes = keep;
    }
}

void chunk_release_pairs(struct chunk *c)
{
    if (c->pair)
        munmap(c->pair, c->map_bytes);
    c->pair = NULL;
    c->map_bytes = 0;
}

void chunk_free(struct chunk *c)
{
    chunk_release_pairs(c);
    marks_free(c->marks, c->marks_bytes);
    c->marks = NULL;
    intern_free(c->table);
    c->table = NULL;
    free(c->owned);
    c->owned = NULL;
}

uint32_t token_of_int_name(const unsigned char *s, size_t len)
{
    if (len == 0 || len > 10 || (s[0] == '0' && len > 1))
        return TOK_OTHER;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return TOK_OTHER;
        v = v * 10 + d;
    }
    return v <= TOK_INT_MAX ? (uint32_t)v : TOK_OTHER;
}
