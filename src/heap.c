/*
 * heap.c -- the heap object: creation and destruction, configuration, the error and
 * misuse reporting every other file goes through, statistics and the heap visitor.
 *
 * ERRORS: last_error/errmsg describe the most recent failed call and are only replaced by
 * the next failure or rc_heap_clear_error; a successful call leaves them alone (as errno).
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rc_version_number(void)
{
    return RC_VERSION_NUMBER;
}

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
    vsnprintf(heap->errmsg, sizeof heap->errmsg, fmt, ap);
    va_end(ap);
    heap->last_error = code;
    return code;
}

rc_status rci_misuse(rc_heap *heap, rc_misuse_kind kind, const rc_object *obj, const char *file,
                     int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(heap->errmsg, sizeof heap->errmsg, fmt, ap);
    va_end(ap);
    heap->last_error = RC_EMISUSE;
    if (heap->misuse != NULL) {
        const char *tname = NULL;
        if (rc_is_heap_object(obj) && rci_type_index(obj) < heap->n_types &&
            rci_type_index(obj) != 0)
            tname = rci_type_of(heap, obj)->name;
        rc_misuse m = {kind, heap->errmsg, obj, tname, file, line};
        heap->misuse(heap, &m, heap->misuse_user);
    }
    return RC_EMISUSE;
}

void rci_assert_failed(rc_heap *heap, const char *file, int line, const char *expr)
{
    const char *base = strrchr(file, '/');
    rci_misuse(heap, RC_MISUSE_ASSERT, NULL, file, line, "internal assertion failed at %s:%d: %s",
               base != NULL ? base + 1 : file, line, expr);
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

void rc_heap_config_init(rc_heap_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->size = sizeof *cfg;
    cfg->threshold[0] = 2000;
    cfg->threshold[1] = 10;
    cfg->threshold[2] = 10;
#ifdef RCGC_STRESS_GC
    cfg->stress = true;
#endif
}

static bool config_valid(const rc_heap_config *cfg)
{
    return cfg->size == sizeof *cfg && /* every threshold may be 0 (rc_gc_set_threshold) */
           (cfg->schedule == RC_GC_SCHEDULE_CANDIDATES ||
            cfg->schedule == RC_GC_SCHEDULE_GENERATIONAL);
}

rc_heap *rc_heap_new(const rc_heap_config *cfg)
{
    rc_heap_config defaults;
    if (cfg == NULL) {
        rc_heap_config_init(&defaults);
        cfg = &defaults;
    }
    /* A config of the size before the bounded-pause fields: those get their defaults. */
    rc_heap_config grown;
    if (cfg->size == offsetof(rc_heap_config, stop_the_world)) {
        rc_heap_config_init(&grown);
        memcpy(&grown, cfg, cfg->size);
        grown.size = sizeof grown;
        cfg = &grown;
    }
    if (!config_valid(cfg))
        return NULL;
    const rc_allocator *a = cfg->allocator ? cfg->allocator : rc_allocator_system();
    rc_heap *heap = a->alloc(a->user, sizeof *heap, RCI_BUF_ALIGN);
    if (heap == NULL)
        return NULL;
    memset(heap, 0, sizeof *heap);
    heap->alloc = *a;
    heap->hash_seed = cfg->hash_seed;
    heap->record_origins = cfg->record_origins;
    heap->misuse = RCI_DEFAULT_MISUSE_ABORTS ? rc_misuse_hook_abort : NULL;
    heap->wr_type_index = heap->wr_proxy_index = RCI_MAX_TYPES; /* none registered yet */
    rci_pools_init(heap);
    rci_gc_init(heap, cfg);
    heap->types = rci_mem_alloc(heap, 16 * sizeof(rc_type *));
    if (heap->types == NULL) {
        a->free(a->user, heap, sizeof *heap, RCI_BUF_ALIGN);
        return NULL;
    }
    heap->types_cap = 16;
    heap->types[0] = NULL;
    heap->n_types = 1;
    if (rci_builtins_register(heap) != RC_OK) {
        rci_types_free(heap);
        a->free(a->user, heap, sizeof *heap, RCI_BUF_ALIGN);
        return NULL;
    }
    return heap;
}

void rc_heap_free(rc_heap *heap)
{
    if (heap == NULL)
        return;
    rci_gc_free_all(heap);
    rci_pages_free_all(heap);
    rci_origins_free(heap);
    rci_leak_guards_free(heap);
    rci_snapshot_free(heap);
    rci_roots_free(heap);
    rci_types_free(heap);
    rc_allocator a = heap->alloc;
    a.free(a.user, heap, sizeof *heap, RCI_BUF_ALIGN);
}

rc_status rc_heap_last_error(const rc_heap *heap)
{
    return heap->last_error;
}

const char *rc_heap_errmsg(const rc_heap *heap)
{
    return heap->last_error == RC_OK ? "" : heap->errmsg;
}

void rc_heap_clear_error(rc_heap *heap)
{
    heap->last_error = RC_OK;
    heap->errmsg[0] = '\0';
}

void rc_heap_set_misuse_hook(rc_heap *heap, rc_misuse_fn fn, void *user)
{
    heap->misuse = fn;
    heap->misuse_user = user;
}

rc_status rc_heap_get_stats(const rc_heap *heap, rc_heap_stats *out)
{
    if (out == NULL || out->size < sizeof(size_t))
        return RC_EINVAL;
    rc_heap_stats s;
    memset(&s, 0, sizeof s);
    s.size = out->size < sizeof s ? out->size : sizeof s;
    s.live_objects = rci_live_objects(heap);
    s.live_bytes = heap->live_bytes;
    s.tracked_objects = rci_tracked_objects(heap);
    s.page_bytes = heap->page_bytes;
    s.large_bytes = heap->large_bytes;
    s.buffer_bytes = heap->buffer_bytes;
    s.peak_live_bytes = heap->peak_live_bytes;
    s.total_allocated = heap->total_allocated;
    s.total_freed = heap->total_freed;
    memcpy(out, &s, s.size);
    return RC_OK;
}

rc_status rc_process_memory_get(rc_heap *heap, rc_process_memory *out)
{
    char why[160];
    if (out == NULL || out->size != sizeof *out) {
        if (heap != NULL)
            rci_error(heap, RC_EINVAL,
                      "rc_process_memory_get: out is NULL or its size field "
                      "is not sizeof(rc_process_memory)");
        return RC_EINVAL;
    }
    rc_status st = rci_os_memory(out, why, sizeof why);
    if (st != RC_OK && heap != NULL)
        rci_error(heap, st, "rc_process_memory_get: %s", why);
    return st;
}

struct visit_ctx {
    rc_heap_visit_fn fn;
    void *user;
};

static int visit_page(rc_heap *heap, rci_page *page, void *user)
{
    struct visit_ctx *ctx = user;
    for (uint32_t i = 0; i < page->bump; i++) {
        rc_object *obj = (rc_object *)(page->slots + (size_t)i * page->slot_bytes);
        if (!rci_is_live(obj))
            continue;
        int rc = ctx->fn(heap, obj, ctx->user);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int visit(rc_heap *heap, bool containers_only, rc_heap_visit_fn fn, void *user)
{
    struct visit_ctx ctx = {fn, user};
    bool deferred = heap->defer_page_release;
    heap->defer_page_release = true;
    int rc = rci_pages_each(heap, containers_only, visit_page, &ctx);
    heap->defer_page_release = deferred;
    if (!deferred)
        rci_pages_release_empty(heap);
    return rc;
}

int rc_heap_visit(rc_heap *heap, rc_heap_visit_fn fn, void *user)
{
    return visit(heap, false, fn, user);
}

int rci_heap_visit_containers(rc_heap *heap, rc_heap_visit_fn fn, void *user)
{
    return visit(heap, true, fn, user);
}
