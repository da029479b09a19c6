/*
 * gcmodule.c -- the parts of Python's gc module that sit around the collector rather than
 * in it: enable and disable, counts, thresholds, generation sizes and statistics, tracking,
 * freeze and unfreeze, is_finalized, the garbage list, collection callbacks and the debug
 * flags with their messages. gc.c runs the collections (rc_collect) and the schedule.
 *
 * OUTPUT: debug messages are the library's one sanctioned output besides the debug-build
 *   misuse hook: they are written only when a RC_GC_DEBUG_* flag asks, one line per call
 *   to the heap's output function (rc_gc_set_debug_output), stderr by default.
 * CALLBACKS: heap->gcmod.gc_cbs holds the registrations in order; a callback may add or remove
 *   registrations while it runs (the loop rereads the table), and the added ones are
 *   called from the next event on.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include "gcmodule.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct rci_gc_cb {
    rc_gc_callback_fn fn;
    void *user;
} rci_gc_cb;

/* ---- freeze ------------------------------------------------------------------------------ */

typedef struct freeze_ctx {
    unsigned from_max; /* objects with gen <= from_max move ... */
    unsigned from_min;
    unsigned to; /* ... to this generation */
} freeze_ctx;

static int move_page(rc_heap *heap, rci_page *page, void *user)
{
    freeze_ctx *ctx = user;
    RCI_PAGE_FOR_EACH_SLOT(page, obj)
    {
        if (!rci_object_is_live(obj) || !(obj->_tinfo & RCI_TRACKED))
            continue;
        unsigned g = rci_object_gen(obj);
        if (g < ctx->from_min || g > ctx->from_max)
            continue;
        heap->gc.gen_size[g]--;
        heap->gc.gen_size[ctx->to]++;
        obj->_tinfo = (obj->_tinfo & ~RCI_GEN_MASK) | ctx->to;
    }
    return 0;
}

static rc_status move_generations(rc_heap *heap, const char *call, freeze_ctx ctx)
{
    if (heap->gc.collecting || heap->objs.freeing)
        return rci_error(heap, RC_ESTATE, "%s: called during a collection or a release", call);
    rci_pages_each(heap, true, move_page, &ctx);
    return RC_OK;
}

rc_status rc_gc_freeze(rc_heap *heap)
{
    freeze_ctx ctx = {2, 0, RCI_PERMANENT_GEN};
    rc_status st = move_generations(heap, "rc_gc_freeze", ctx);
    if (st == RC_OK)
        heap->gc.gen[0].count = 0;
    return st;
}

rc_status rc_gc_unfreeze(rc_heap *heap)
{
    freeze_ctx ctx = {RCI_PERMANENT_GEN, RCI_PERMANENT_GEN, 2};
    return move_generations(heap, "rc_gc_unfreeze", ctx);
}

size_t rc_gc_get_freeze_count(const rc_heap *heap)
{
    return heap->gc.gen_size[RCI_PERMANENT_GEN];
}

bool rc_gc_is_finalized(const rc_heap *heap, const rc_object *obj)
{
    (void)heap;
    return rc_is_heap_object(obj) && (obj->_tinfo & RCI_FINALIZED) != 0;
}

/* ---- the garbage list -------------------------------------------------------------------- */

rc_object *rci_gcmodule_garbage_list(rc_heap *heap)
{
    if (heap->gcmod.gc_garbage == NULL)
        heap->gcmod.gc_garbage = rc_list_new(heap, 0);
    return heap->gcmod.gc_garbage;
}

rc_object *rc_gc_garbage(rc_heap *heap)
{
    return rc_newref(rci_gcmodule_garbage_list(heap));
}

/* ---- debug output ------------------------------------------------------------------------ */

void rc_gc_set_debug(rc_heap *heap, unsigned flags)
{
    heap->gcmod.gc_debug = flags;
}

unsigned rc_gc_get_debug(const rc_heap *heap)
{
    return heap->gcmod.gc_debug;
}

void rc_gc_set_debug_output(rc_heap *heap, rc_gc_output_fn fn, void *user)
{
    heap->gcmod.gc_out = fn;
    heap->gcmod.gc_out_user = user;
}

void rci_gcmodule_out(rc_heap *heap, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (heap->gcmod.gc_out != NULL)
        heap->gcmod.gc_out(heap, line, heap->gcmod.gc_out_user);
    else
        fprintf(stderr, "%s\n", line);
}

/* ---- callbacks --------------------------------------------------------------------------- */

rc_status rc_gc_callback_add(rc_heap *heap, rc_gc_callback_fn fn, void *user)
{
    if (fn == NULL)
        return rci_error(heap, RC_EINVAL, "rc_gc_callback_add: fn is NULL");
    if (!rci_util_vec_reserve(heap, &heap->gcmod.gc_cbs, &heap->gcmod.gc_cbs_cap,
                              heap->gcmod.gc_cbs_len + 1, sizeof(rci_gc_cb), 4))
        return rci_error(heap, RC_ENOMEM, "rc_gc_callback_add: out of memory (%zu callbacks)",
                         heap->gcmod.gc_cbs_len);
    heap->gcmod.gc_cbs[heap->gcmod.gc_cbs_len].fn = fn;
    heap->gcmod.gc_cbs[heap->gcmod.gc_cbs_len].user = user;
    heap->gcmod.gc_cbs_len++;
    return RC_OK;
}

rc_status rc_gc_callback_remove(rc_heap *heap, rc_gc_callback_fn fn, void *user)
{
    for (size_t i = 0; i < heap->gcmod.gc_cbs_len; i++) {
        if (heap->gcmod.gc_cbs[i].fn == fn && heap->gcmod.gc_cbs[i].user == user) {
            memmove(&heap->gcmod.gc_cbs[i], &heap->gcmod.gc_cbs[i + 1],
                    (heap->gcmod.gc_cbs_len - i - 1) * sizeof *heap->gcmod.gc_cbs);
            heap->gcmod.gc_cbs_len--;
            return RC_OK;
        }
    }
    return rci_error(heap, RC_EINVAL, "rc_gc_callback_remove: callback not registered");
}

static void call_callbacks(rc_heap *heap, const rc_gc_info *info)
{
    size_t n = heap->gcmod.gc_cbs_len;
    for (size_t i = 0; i < n && i < heap->gcmod.gc_cbs_len; i++)
        heap->gcmod.gc_cbs[i].fn(heap, info, heap->gcmod.gc_cbs[i].user);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t rci_gcmodule_start(rc_heap *heap, unsigned gen)
{
    if (heap->gcmod.gc_cbs_len == 0 && !(heap->gcmod.gc_debug & RC_GC_DEBUG_STATS))
        return 0;
    if (heap->gcmod.gc_debug & RC_GC_DEBUG_STATS) {
        rci_gcmodule_out(heap, "gc: collecting generation %u...", gen);
        rci_gcmodule_out(heap, "gc: objects in each generation: %zu %zu %zu", heap->gc.gen_size[0],
                         heap->gc.gen_size[1], heap->gc.gen_size[2]);
        rci_gcmodule_out(heap, "gc: objects in permanent generation: %zu",
                         heap->gc.gen_size[RCI_PERMANENT_GEN]);
    }
    if (heap->gcmod.gc_cbs_len > 0) {
        rc_gc_info info;
        memset(&info, 0, sizeof info);
        info.size = sizeof info;
        info.phase = RC_GC_PHASE_START;
        info.generation = (int)gen;
        call_callbacks(heap, &info);
    }
    return now_ns();
}

/* collected: the garbage freed; uncollectable: the garbage a legacy finalizer kept. */
void rci_gcmodule_stop(rc_heap *heap, unsigned gen, uint64_t t0, size_t collected,
                       size_t uncollectable)
{
    bool pauses = gen == 2 && (heap->gcmod.gc_debug & RC_GC_DEBUG_PAUSES);
    if (heap->gcmod.gc_cbs_len == 0 && !(heap->gcmod.gc_debug & RC_GC_DEBUG_STATS) && !pauses)
        return;
    uint64_t dt = t0 != 0 ? now_ns() - t0 : 0;
    if (heap->gcmod.gc_debug & RC_GC_DEBUG_STATS)
        rci_gcmodule_out(heap, "gc: done, %zu unreachable, %zu uncollectable, %.4fs elapsed",
                         collected + uncollectable, uncollectable, (double)dt / 1e9);
    if (pauses)
        rc_gc_pause_stats_print(heap);
    if (heap->gcmod.gc_cbs_len > 0) {
        rc_gc_info info;
        memset(&info, 0, sizeof info);
        info.size = sizeof info;
        info.phase = RC_GC_PHASE_STOP;
        info.generation = (int)gen;
        info.collected = collected;
        info.uncollectable = uncollectable;
        info.duration_ns = dt;
        call_callbacks(heap, &info);
    }
}

void rci_gcmodule_shutdown(rc_heap *heap)
{
    rci_mem_free(heap, heap->gcmod.gc_cbs, heap->gcmod.gc_cbs_cap * sizeof(rci_gc_cb));
    heap->gcmod.gc_cbs = NULL;
    heap->gcmod.gc_cbs_len = heap->gcmod.gc_cbs_cap = 0;
    heap->gcmod.gc_garbage = NULL;
}

/* ---- the collector's switches, counts, thresholds and figures (gc.c runs the collections) */

bool rc_gc_is_collecting(const rc_heap *heap)
{
    return heap->gc.collecting;
}

void rc_gc_enable(rc_heap *heap)
{
    heap->gc.gc_enabled = true;
    rci_gc_trigger_update(heap);
}

void rc_gc_disable(rc_heap *heap)
{
    heap->gc.gc_enabled = false;
    rci_gc_trigger_update(heap);
}

bool rc_gc_is_enabled(const rc_heap *heap)
{
    return heap->gc.gc_enabled;
}

void rc_gc_get_count(const rc_heap *heap, size_t count[3])
{
    if (rci_gc_candidates(heap)) {
        count[0] = heap->gc.gen_size[1];
        count[1] = heap->gc.gen[2].count;
        count[2] = heap->gc.cand_truncated;
        return;
    }
    for (unsigned g = 0; g < 3; g++)
        count[g] = heap->gc.gen[g].count;
}

rc_gc_schedule rc_gc_get_schedule(const rc_heap *heap)
{
    return heap->gc.schedule;
}

size_t rc_gc_get_trigger(const rc_heap *heap)
{
    return rci_gc_candidates(heap) ? heap->gc.cand_trigger : heap->gc.gen[0].threshold;
}

void rc_gc_get_threshold(const rc_heap *heap, size_t threshold[3])
{
    for (unsigned g = 0; g < 3; g++)
        threshold[g] = heap->gc.gen[g].threshold;
}

/* CPython's meaning for every value, 0 included: threshold[0] 0 turns automatic collection
 * off; threshold[1] or [2] 0 lets that generation be collected whenever the younger one
 * has been collected since (count > 0, section 5). */
rc_status rc_gc_set_threshold(rc_heap *heap, size_t t0, size_t t1, size_t t2)
{
    heap->gc.gen[0].threshold = t0;
    heap->gc.gen[1].threshold = t1;
    heap->gc.gen[2].threshold = t2;
    heap->gc.cand_trigger = t0;
    rci_gc_trigger_update(heap);
    return RC_OK;
}

void rc_gc_get_generation_sizes(const rc_heap *heap, size_t sizes[3])
{
    for (unsigned g = 0; g < 3; g++)
        sizes[g] = heap->gc.gen_size[g];
}

rc_status rc_gc_get_stats(const rc_heap *heap, int generation, rc_gc_stats *out)
{
    rc_status st =
        rci_error_size_check(heap, "rc_gc_get_stats", "out", out, sizeof(size_t), SIZE_MAX);
    if (st != RC_OK)
        return st;
    if (generation < 0 || generation > 2) /* written through const: internal.h, SIZE */
        return rci_error((rc_heap *)(uintptr_t)heap, RC_EINVAL,
                         "rc_gc_get_stats: generation %d out of range (0 to 2)", generation);
    size_t n = out->size < sizeof(rc_gc_stats) ? out->size : sizeof(rc_gc_stats);
    rc_gc_stats s = heap->gc.gen[generation].stats;
    s.size = n;
    memcpy(out, &s, n);
    return RC_OK;
}

/* ---- tracking -------------------------------------------------------------------------- */

bool rc_gc_is_tracked(const rc_heap *heap, const rc_object *obj)
{
    (void)heap;
    return rc_is_heap_object(obj) && (obj->_tinfo & RCI_TRACKED) != 0;
}

void rc_gc_track(rc_heap *heap, rc_object *obj)
{
    if (!rc_is_heap_object(obj) || (obj->_tinfo & RCI_TRACKED) || rci_immortal_is_ti(obj->_tinfo) ||
        !rci_type_of(heap, obj)->holds_refs)
        return;
    obj->_tinfo = (obj->_tinfo & ~RCI_GEN_MASK) | RCI_TRACKED;
    rci_page_note_gen(heap, rci_page_of(obj), 0);
    heap->gc.gen_size[0]++;
}

void rc_gc_untrack(rc_heap *heap, rc_object *obj)
{
    if (!rc_is_heap_object(obj) || !(obj->_tinfo & RCI_TRACKED))
        return;
    if (heap->gc.collecting) {
        rci_error_misuse(heap, RC_MISUSE_REENTRANT_COLLECT, obj, __FILE__, __LINE__,
                         "rc_gc_untrack: called during a collection");
        return;
    }
    rci_object_untrack_accounting(heap, obj);
}
