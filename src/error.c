/*
 * error.c -- the error and misuse reporting every other file goes through: status names,
 * the heap's last error and its message, the misuse hook and internal assertion failures.
 *
 * ERRORS: last_error/errmsg describe the most recent failed call and are only replaced by
 *   the next failure or rc_heap_clear_error; a successful call leaves them alone (as errno).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rc_status_str(rc_status status)
{
    switch (status) {
    case RC_OK:
        return "ok";
    case RC_ENOMEM:
        return "out of memory";
    case RC_EINVAL:
        return "invalid argument";
    case RC_ETYPE:
        return "wrong type";
    case RC_EINDEX:
        return "index out of range";
    case RC_EKEY:
        return "key not found";
    case RC_EMISUSE:
        return "API misuse";
    case RC_ESTATE:
        return "not allowed in the heap's current state";
    case RC_EOS:
        return "operating system error";
    case RC_ECORRUPT:
        return "heap inconsistency";
    case RC_ELIMIT:
        return "limit reached";
    case RC_EREFERENCE:
        return "weakly-referenced object no longer exists";
    }
    return "unknown status";
}

rc_status rci_error(rc_heap *heap, rc_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(heap->err.errmsg, sizeof heap->err.errmsg, fmt, ap);
    va_end(ap);
    heap->err.last_error = code;
    return code;
}

rc_status rci_error_misuse(rc_heap *heap, rc_misuse_kind kind, const rc_object *obj,
                           const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(heap->err.errmsg, sizeof heap->err.errmsg, fmt, ap);
    va_end(ap);
    heap->err.last_error = RC_EMISUSE;
    if (heap->err.misuse != NULL) {
        const char *tname = NULL;
        if (rc_is_heap_object(obj) && rci_type_index(obj) < heap->types.n_types &&
            rci_type_index(obj) != 0)
            tname = rci_type_of(heap, obj)->name;
        rc_misuse m = {kind, heap->err.errmsg, obj, tname, file, line};
        heap->err.misuse(heap, &m, heap->err.misuse_user);
    }
    return RC_EMISUSE;
}

void rci_error_assert_failed(rc_heap *heap, const char *file, int line, const char *expr)
{
    const char *base = strrchr(file, '/');
    rci_error_misuse(heap, RC_MISUSE_ASSERT, NULL, file, line,
                     "internal assertion failed at %s:%d: %s", base != NULL ? base + 1 : file, line,
                     expr);
}

/* Debug builds' default misuse hook, exported for release builds' clients to install: the
 * library's only output and only abort (STYLE 7). */
void rc_misuse_hook_abort(rc_heap *heap, const rc_misuse *m, void *user)
{
    (void)heap;
    (void)user;
    fprintf(stderr, "rcgc: misuse at %s:%d: %s (object %p, type %s)\n", m->file, m->line,
            m->message, m->address, m->type_name ? m->type_name : "?");
    abort();
}

rc_status rc_heap_last_error(const rc_heap *heap)
{
    return heap->err.last_error;
}

const char *rc_heap_errmsg(const rc_heap *heap)
{
    return heap->err.last_error == RC_OK ? "" : heap->err.errmsg;
}

void rc_heap_clear_error(rc_heap *heap)
{
    heap->err.last_error = RC_OK;
    heap->err.errmsg[0] = '\0';
}

rc_status rci_error_size_check(const rc_heap *heap, const char *call, const char *what,
                               const void *s, size_t min_bytes, size_t max_bytes)
{
    rc_heap *h = (rc_heap *)(uintptr_t)heap; /* SIZE: see internal.h */
    if (s == NULL)
        return h == NULL ? RC_EINVAL : rci_error(h, RC_EINVAL, "%s: %s is NULL", call, what);
    size_t size;
    memcpy(&size, s, sizeof size);
    if (size >= min_bytes && size <= max_bytes)
        return RC_OK;
    if (h == NULL)
        return RC_EINVAL;
    if (min_bytes == max_bytes)
        return rci_error(h, RC_EINVAL, "%s: %s->size is %zu, expected %zu", call, what, size,
                         max_bytes);
    if (max_bytes == SIZE_MAX)
        return rci_error(h, RC_EINVAL, "%s: %s->size is %zu, expected at least %zu", call, what,
                         size, min_bytes);
    return rci_error(h, RC_EINVAL, "%s: %s->size is %zu, expected %zu to %zu", call, what, size,
                     min_bytes, max_bytes);
}

void rc_heap_set_misuse_hook(rc_heap *heap, rc_misuse_fn fn, void *user)
{
    heap->err.misuse = fn;
    heap->err.misuse_user = user;
}
