/*
 * introspect.h -- introspect.c's helper for every call that returns a list of objects it
 * found (introspect.c, objgraph.c): the list is made first and filled after the walk
 * (NO-SELF).
 */
#ifndef RCGC_INTROSPECT_H
#define RCGC_INTROSPECT_H

#include "util.h"

/* Appends vec's items to list, a new list the caller made before gathering them
 * (introspect.c, NO-SELF), and returns it; on failure releases it and returns NULL with the
 * heap's error set, naming `call`. */
rc_object *rci_introspect_list_fill(rc_heap *heap, rc_object *list, const rci_ptrvec *vec,
                                    const char *call);

#endif /* RCGC_INTROSPECT_H */
