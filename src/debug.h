/*
 * debug.h -- the only place debug-build behaviour is switched (STYLE 8). RCGC_DEBUG:
 * 0 release; 1 API checks, misuse hook and poisoning of freed slots; 2 adds rc_assert and
 * the collector's phase validators;
 * 3 runs rc_heap_check around every collection. Included by internal.h, after rcgc.h.
 */
#ifndef RCGC_DEBUG_H
#define RCGC_DEBUG_H

#include "attrs.h"

#ifndef RCGC_DEBUG
#define RCGC_DEBUG 0
#endif

/* Internal assertion, at debug level 2 and up: never allocates, no side effects in expr
 * (below level 2 expr is not evaluated). A failure goes to rci_error_assert_failed (error.c), which
 * reports misuse of kind RC_MISUSE_ASSERT with this file and line and expr's text: the
 * debug builds' default hook prints it and aborts; a hook that returns lets the caller go
 * on, as after any other misuse report. */
#if RCGC_DEBUG >= 2
#define rc_assert(heap, expr)                                                                      \
    (RCI_LIKELY(expr) ? (void)0 : rci_error_assert_failed((heap), __FILE__, __LINE__, #expr))
#else
#define rc_assert(heap, expr) ((void)0)
#endif

/* rc_assert for an invariant stated under a name (docs/ARCHITECTURE.md, "Invariants by
 * name"): the report reads "NAME: expr". name is a string literal. */
#if RCGC_DEBUG >= 2
#define rc_assert_inv(heap, name, expr)                                                            \
    (RCI_LIKELY(expr) ? (void)0                                                                    \
                      : rci_error_assert_failed((heap), __FILE__, __LINE__, name ": " #expr))
#else
#define rc_assert_inv(heap, name, expr) ((void)0)
#endif

/* rc_assert's failure path (heap.c); defined at every debug level. */
RCI_COLD RCI_NOINLINE void rci_error_assert_failed(rc_heap *heap, const char *file, int line,
                                                   const char *expr);

/* Freed slots are filled with this byte at debug level 1 and up. */
#define RCI_POISON_BYTE 0xDB
#define RCI_POISON_FREED (RCGC_DEBUG >= 1)
#define RCI_VALIDATE_PHASES (RCGC_DEBUG >= 2) /* gcvalidate.c after each collection phase */
#define RCI_CHECK_EACH_COLLECTION (RCGC_DEBUG >= 3)
#define RCI_DEFAULT_MISUSE_ABORTS (RCGC_DEBUG >= 1)

#endif /* RCGC_DEBUG_H */
