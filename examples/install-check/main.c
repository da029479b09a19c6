/*
 * main.c -- the smallest real use of an installed rcgc: checks that the header and the
 * library agree on the version, makes a cycle of two lists, drops it and collects it.
 * Exits 0 and prints "install-check: ok" when all of that holds.
 */
#include <rcgc.h>

#include <stdio.h>

static int fail(const char *what)
{
    fprintf(stderr, "install-check: %s\n", what);
    return 1;
}

int main(void)
{
    if (rc_version_number() != RC_VERSION_NUMBER)
        return fail("header and library versions differ");
    rc_heap *heap = rc_heap_new(NULL);
    if (heap == NULL)
        return fail("rc_heap_new failed");
    rc_object *a = rc_list_new(heap, 0);
    rc_object *b = rc_list_new(heap, 0);
    if (a == NULL || b == NULL)
        return fail("rc_list_new failed");
    if (rc_list_append(heap, a, b) != RC_OK || rc_list_append(heap, b, a) != RC_OK)
        return fail(rc_heap_errmsg(heap));
    rc_decref(heap, a);
    rc_decref(heap, b);
    int64_t found = rc_collect(heap, 2);
    rc_status st = rc_heap_check(heap);
    rc_heap_free(heap);
    if (found != 2)
        return fail("rc_collect did not find the two-list cycle");
    if (st != RC_OK)
        return fail("rc_heap_check failed");
    printf("install-check: ok (rcgc %d.%d.%d)\n", RC_VERSION_MAJOR, RC_VERSION_MINOR,
           RC_VERSION_PATCH);
    return 0;
}
