/* Allocation that never returns NULL: the tool has no use for a partial
 * result, so running out of memory prints one line and exits with status 1. */
#include <stdio.h>
#include <stdlib.h>

#include "rcgc_tool.h"

void die_nomem(void)
{
    fputs("rcgc: out of memory\n", stderr);
    exit(EXIT_BAD_INPUT);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) die_nomem();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) die_nomem();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) die_nomem();
    return q;
}
