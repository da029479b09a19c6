/*
 * heap.c -- the heap object: creation and destruction, configuration, statistics and the
 * heap visitor (errors and misuse are error.c's).
 */
#include "internal.h"

#include <string.h>

int rc_version_number(void)
{
    return RC_VERSION_NUMBER;
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
    return rci_error_size_check(NULL, "rc_heap_new", "cfg", cfg, sizeof *cfg, sizeof *cfg) ==
               RC_OK &&
           /* every threshold may be 0 (rc_gc_set_threshold) */
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
    heap->origins.record_origins = cfg->record_origins;
    heap->err.misuse = RCI_DEFAULT_MISUSE_ABORTS ? rc_misuse_hook_abort : NULL;
    heap->wr.wr_type_index = heap->wr.wr_proxy_index = RCI_MAX_TYPES; /* none registered yet */
    rci_page_pools_init(heap);
    rci_gc_init(heap, cfg);
    heap->types.table = rci_mem_alloc(heap, 16 * sizeof(rc_type *));
    if (heap->types.table == NULL) {
        a->free(a->user, heap, sizeof *heap, RCI_BUF_ALIGN);
        return NULL;
    }
    heap->types.types_cap = 16;
    heap->types.table[0] = NULL;
    heap->types.n_types = 1;
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
    rci_leakguard_free(heap);
    rci_snapshot_free(heap);
    rci_roots_free(heap);
    rci_types_free(heap);
    rc_allocator a = heap->alloc;
    a.free(a.user, heap, sizeof *heap, RCI_BUF_ALIGN);
}

rc_status rc_heap_get_stats(const rc_heap *heap, rc_heap_stats *out)
{
    /* Any size from the bare size field up: an older layout gets the fields it has. */
    rc_status st =
        rci_error_size_check(heap, "rc_heap_get_stats", "out", out, sizeof(size_t), SIZE_MAX);
    if (st != RC_OK)
        return st;
    rc_heap_stats s;
    memset(&s, 0, sizeof s);
    s.size = out->size < sizeof s ? out->size : sizeof s;
    s.live_objects = rci_object_live_count(heap);
    s.live_bytes = heap->mem.live_bytes;
    s.tracked_objects = rci_object_tracked_count(heap);
    s.page_bytes = heap->pages.page_bytes;
    s.large_bytes = heap->pages.large_bytes;
    s.buffer_bytes = heap->mem.buffer_bytes;
    s.peak_live_bytes = heap->mem.peak_live_bytes;
    s.total_allocated = heap->objs.total_allocated;
    s.total_freed = heap->objs.total_freed;
    s.lost_finalizers = heap->objs.lost_finalizers;
    s.lost_callbacks = heap->wr.lost_callbacks;
    s.unsaved_garbage = heap->gc.unsaved_garbage;
    s.doomed_objects = heap->gc.doomed_len;
    s.doomed_bytes = heap->gc.doomed_bytes;
    memcpy(out, &s, s.size);
    return RC_OK;
}

rc_status rc_process_memory_get(rc_heap *heap, rc_process_memory *out)
{
    char why[160];
    rc_status st =
        rci_error_size_check(heap, "rc_process_memory_get", "out", out, sizeof *out, sizeof *out);
    if (st != RC_OK)
        return st;
    st = rci_os_memory(out, why, sizeof why);
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
    /* Not RCI_PAGE_FOR_EACH_SLOT: its end, recomputed at every step, costs one more
     * instruction per slot (measured in gc.c's promotion loops); every heap walk runs here. */
    for (uint32_t i = 0; i < page->bump; i++) {
        rc_object *obj = (rc_object *)(page->slots + (size_t)i * page->slot_bytes);
        if (!rci_object_is_live(obj))
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
    bool deferred = heap->pages.defer_page_release;
    heap->pages.defer_page_release = true;
    int rc = rci_pages_each(heap, containers_only, visit_page, &ctx);
    heap->pages.defer_page_release = deferred;
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
