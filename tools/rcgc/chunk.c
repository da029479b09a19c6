/* Token chunks (invariant TOKEN in rcgc_tool.h): growable arrays filled by
 * the parsers. Arrays grow by doubling; glibc moves large blocks with
 * mremap, so growth costs no copy of the pairs already written. */
#include <stdlib.h>

#include "rcgc_tool.h"

void chunk_push_pair(struct chunk *c, uint32_t src, uint32_t dst)
{
    if (c->n_pairs == c->cap_pairs) {
        c->cap_pairs = c->cap_pairs ? 2 * c->cap_pairs : 4096;
        c->pair = xrealloc(c->pair, c->cap_pairs * 2 * sizeof *c->pair);
    }
    c->pair[2 * c->n_pairs] = src;
    c->pair[2 * c->n_pairs + 1] = dst;
    c->n_pairs++;
}

uint32_t chunk_intern(struct chunk *c, const unsigned char *bytes, size_t len)
{
    if (!c->table) c->table = intern_new(4096);
    uint32_t id = intern_bytes(c->table, bytes, len);
    if (id > TOK_OTHER_MAX) die_nomem();
    return TOK_OTHER | id;
}
void chunk_free(struct chunk *c)
{
    free(c->pair);
    intern_free(c->table);
    c->table = NULL;
    free(c->owned);
    c->owned = NULL;
    c->pair = NULL;
}

uint32_t token_of_int_name(const unsigned char *s, size_t len)
{
    if (len == 0 || len > 10 || (s[0] == '0' && len > 1)) return TOK_OTHER;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9) return TOK_OTHER;
        v = v * 10 + d;
    }
    return v <= TOK_INT_MAX ? (uint32_t)v : TOK_OTHER;
}
