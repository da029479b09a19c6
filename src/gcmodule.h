/*
 * gcmodule.h -- gcmodule.c's functions for the collector (gc.c) and the rest of the
 * library: collection callbacks and debug lines around a collection, the garbage list.
 */
#ifndef RCGC_GCMODULE_H
#define RCGC_GCMODULE_H

#include "internal.h"

/* Around one collection (gc.c): start callbacks and debug lines; then the end. Both are
 * cheap when no callback or debug flag is set. start returns the start time in ns. */
uint64_t rci_gcmodule_start(rc_heap *heap, unsigned gen);
void rci_gcmodule_stop(rc_heap *heap, unsigned gen, uint64_t t0, size_t collected,
                       size_t uncollectable);
/* One debug line (printf format, no newline) to the heap's debug output. */
void rci_gcmodule_out(rc_heap *heap, const char *fmt, ...) RCI_PRINTF(2, 3);
/* The garbage list, created on first use (NULL on ENOMEM); borrowed. */
rc_object *rci_gcmodule_garbage_list(rc_heap *heap);
/* Heap shutdown: frees the callback table; the garbage list dies with every object. */
void rci_gcmodule_shutdown(rc_heap *heap);

#endif /* RCGC_GCMODULE_H */
