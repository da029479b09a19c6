/*
 * debug.h -- the only place debug-build behaviour is switched (STYLE 8). RCGC_DEBUG:
 * 0 release; 1 API checks, misuse hook and poisoning of freed slots; 2 adds rc_assert;
 * 3 runs rc_heap_check around every collection.
 */
#ifndef RCGC_DEBUG_H
#define RCGC_DEBUG_H

#ifndef RCGC_DEBUG
#define RCGC_DEBUG 0
#endif

/* Internal assertion: never allocates, no side effects in expr. On failure it reports
 * through the misuse hook path of the heap in scope, which debug builds abort on. */
#if RCGC_DEBUG >= 2
#define rc_assert(heap, expr)                                                                  \
    ((expr) ? (void)0                                                                          \
            : (void)rci_misuse((heap), RC_MISUSE_FREED_OBJECT, NULL, __FILE__, __LINE__,       \
                               "internal assertion failed: %s", #expr))
#else
#define rc_assert(heap, expr) ((void)0)
#endif

/* Freed slots are filled with this byte at debug level 1 and up. */
#define RCI_POISON_BYTE 0xDB
#define RCI_POISON_FREED (RCGC_DEBUG >= 1)
#define RCI_CHECK_EACH_COLLECTION (RCGC_DEBUG >= 3)
#define RCI_DEFAULT_MISUSE_ABORTS (RCGC_DEBUG >= 1)

#endif /* RCGC_DEBUG_H */
