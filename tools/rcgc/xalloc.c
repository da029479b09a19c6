/* Allocation that never returns NULL: the tool has no use for a partial
 * result, so running out of memory prints one line and exits with status 1. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "rcgc_tool.h"

#define BIG_BYTES ((size_t)4 << 20)

void die_nomem(void)
{
    fputs("rcgc: out of memory\n", stderr);
    exit(EXIT_BAD_INPUT);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_nomem();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die_nomem();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die_nomem();
    return q;
}

/* Large zeroed blocks (hash slots, rows, successors): mapped directly and
 * advised onto transparent huge pages, since these arrays are accessed at
 * random and 4 KiB pages would cost a TLB miss on most accesses. Smaller
 * blocks come from calloc. The size given to xfree_big must be the one
 * given to xalloc_big, which picks the same path for it. */
void *xalloc_big(size_t n)
{
    if (n < BIG_BYTES)
        return xcalloc(n, 1);
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        die_nomem();
    advise_huge(p, n);
    return p;
}

void xfree_big(void *p, size_t n)
{
    if (!p)
        return;
    if (n < BIG_BYTES)
        free(p);
    else
        munmap(p, n);
}

void advise_huge(void *p, size_t n)
{
#ifdef MADV_HUGEPAGE
    madvise(p, n, MADV_HUGEPAGE);
#else
    (void)p;
    (void)n;
#endif
}
