/*
 * check.c -- rc_heap_check: recounts what the heap's books claim and verifies the
 * invariants PAGE and POOL (page.c), HEADER (object.c), the collector's list and
 * generation rules (gc.c, section 8), WEAKLIST and TABLE (weakref.c), and SITES and OBJS
 * (origin.c). Walks every page; allocates nothing, except to write the repr of an object
 * whose count is too small into the report (check_counts).
 */
#include "weakref.h"

#include <string.h>

typedef struct check_ctx {
    size_t live, tracked, bytes_slots, gen_size[3], permanent, origins, snap_ids;
    size_t marked_pending, marked_pending_bytes; /* objects marked RCI_PENDING, their slots */
    size_t weak_linked; /* weakrefs and proxies with a referent (rci_weakref_has_referent) */
    rc_status status;
} check_ctx;

static rc_status fail(rc_heap *heap, check_ctx *ctx, const char *what, const void *where)
{
    if (ctx->status == RC_OK)
        ctx->status = rci_error(heap, RC_ECORRUPT, "rc_heap_check: %s (at %p)", what, where);
    return ctx->status;
}

static int check_free_list(rc_heap *heap, rci_page *page, check_ctx *ctx)
{
    uint32_t n_free = 0;
    for (char *slot = page->free; slot != NULL; n_free++) {
        if (rci_page_of(slot) != page || (size_t)(slot - page->slots) % page->slot_bytes != 0 ||
            ((rc_object *)slot)->_tinfo != 0 || n_free > page->n_slots)
            return fail(heap, ctx, "free list holds a slot that is not free or not in its page",
                        slot);
        memcpy(&slot, slot + 8, sizeof slot);
    }
    if (n_free + page->n_used != page->bump)
        return fail(heap, ctx, "page's free and used slots do not add up to its bump", page);
    return RC_OK;
}

static int check_object(rc_heap *heap, rci_page *page, rc_object *obj, check_ctx *ctx)
{
    uint32_t idx = rci_type_index(obj);
    if (idx == 0 || idx >= heap->types.n_types)
        return fail(heap, ctx, "object with an unknown type index", obj);
    rc_type *t = rci_type_of(heap, obj);
    if (obj->_refcnt < 1)
        return fail(heap, ctx, "live object with a count below 1", obj);
    if (t->has_array &&
        rci_type_array_count(t, obj) > (page->slot_bytes - t->array_off) / sizeof(rc_object *))
        return fail(heap, ctx, "trailing array count larger than its object", obj);
    if (t->holds_refs != page->container)
        return fail(heap, ctx, "object in a page of the wrong kind (container/atomic)", obj);
    if (obj->_tinfo & (RCI_REACHABLE | RCI_SCANNED | RCI_EXTREFS | RCI_GARBAGE | RCI_UNCOLLECTABLE))
        return fail(heap, ctx, "collection bit set between collections", obj);
    if ((obj->_tinfo & RCI_WEAKREFD) && !rci_weakref_has_entry(heap, obj))
        return fail(heap, ctx, "RCI_WEAKREFD set on an object without a weakref list", obj);
    if (obj->_tinfo & RCI_ORIGIN) {
        const char *why = rci_origin_check_object(heap, obj);
        if (why != NULL)
            return fail(heap, ctx, why, obj);
        ctx->origins += rci_origin_site(heap, obj) >= 0;
        ctx->snap_ids += rci_snapshot_has_id(heap, obj);
    }
    ctx->live++;
    ctx->bytes_slots += page->slot_bytes;
    ctx->weak_linked += rci_weakref_has_referent(heap, obj);
    if (!(obj->_tinfo & RCI_TRACKED))
        return rci_object_gen(obj) == 0 || rci_immortal_is_ti(obj->_tinfo)
                   ? RC_OK
                   : fail(heap, ctx, "untracked object with a generation", obj);
    if (!t->holds_refs)
        return fail(heap, ctx, "tracked object of a type that holds no references", obj);
    ctx->tracked++;
    unsigned g = rci_object_gen(obj);
    if (g == RCI_PERMANENT_GEN)
        ctx->permanent++;
    else
        ctx->gen_size[g]++;
    if (g == 0 && !(page->lists & RCI_IN_YOUNG))
        return fail(heap, ctx, "generation-0 object on a page missing from the young list", obj);
    if (g == 1 && !(page->lists & RCI_IN_GEN1))
        return fail(heap, ctx, "generation-1 object on a page missing from the gen1 list", obj);
    return RC_OK;
}

static int check_page(rc_heap *heap, rci_page *page, void *user)
{
    check_ctx *ctx = user;
    if (page->bump > page->n_slots || page->n_used > page->bump)
        return fail(heap, ctx, "page counters out of range", page);
    if (page->pool != NULL && check_free_list(heap, page, ctx) != RC_OK)
        return ctx->status;
    RCI_PAGE_FOR_EACH_SLOT(page, obj)
    {
        if (obj->_tinfo & RCI_PENDING) {
            /* Doomed objects (gc.c section 9, DOOMED: not live), and, when a collection
             * started during a drain (gc.c, section 6), the objects the drain has still to
             * free: counted, their slots too, in no generation. Told apart below. */
            ctx->marked_pending++;
            ctx->marked_pending_bytes += page->slot_bytes;
            continue;
        }
        if (obj->_tinfo != 0 && check_object(heap, page, obj, ctx) != RC_OK)
            return ctx->status;
    }
    return 0;
}

static int visit_subtract_all(rc_heap *heap, rc_object *ref, void *arg)
{
    (void)heap;
    (void)arg;
    if (rc_is_heap_object(ref))
        ref->_refcnt--;
    return 0;
}

static int visit_add_all(rc_heap *heap, rc_object *ref, void *arg)
{
    (void)heap;
    (void)arg;
    if (rc_is_heap_object(ref))
        ref->_refcnt++;
    return 0;
}

static int subtract_obj(rc_heap *heap, rc_object *obj, void *user)
{
    (void)user;
    return rc_traverse(heap, obj, visit_subtract_all, NULL);
}

static int restore_obj(rc_heap *heap, rc_object *obj, void *user)
{
    (void)user;
    return rc_traverse(heap, obj, visit_add_all, NULL);
}

typedef struct negative {
    rc_object *obj;  /* the first object found with a count below the references to it */
    int32_t deficit; /* its count minus those references (negative) */
} negative;

static int negative_obj(rc_heap *heap, rc_object *obj, void *user)
{
    (void)heap;
    negative *n = user;
    if (obj->_refcnt < 0 && n->obj == NULL) {
        n->obj = obj;
        n->deficit = obj->_refcnt;
    }
    return 0;
}

/* No count may be below the references heap objects hold to it: subtract every
 * reference found by traversal, look for a negative count, add them back. The message
 * names the object as CPython's gc_decref report does (test_gc test_refcount_errors):
 * address, type, count, the references found and the repr, written once every count is
 * restored (a type's repr function may run then). */
static rc_status check_counts(rc_heap *heap, check_ctx *ctx)
{
    negative bad = {NULL, 0};
    rc_heap_visit(heap, subtract_obj, NULL);
    rc_heap_visit(heap, negative_obj, &bad);
    rc_heap_visit(heap, restore_obj, NULL);
    if (bad.obj == NULL)
        return RC_OK;
    char shown[96];
    int32_t count = bad.obj->_refcnt;
    rc_repr_into(heap, bad.obj, shown, sizeof shown);
    ctx->status = rci_error(heap, RC_ECORRUPT,
                            "rc_heap_check: refcount is too small: object %p of type '%s' has "
                            "refcount %d but heap objects hold %lld references to it; repr %s",
                            (void *)bad.obj, rci_type_of(heap, bad.obj)->name, (int)count,
                            (long long)count - (long long)bad.deficit, shown);
    return ctx->status;
}

/* The objects marked pending: the doomed list's, and during a drain those waiting on the
 * pending list, which are live. */
static rc_status check_pending(rc_heap *heap, check_ctx *ctx)
{
    const char *why = rci_doomed_check(heap);
    if (why != NULL)
        return fail(heap, ctx, why, heap->gc.doomed);
    if (ctx->marked_pending < heap->gc.doomed_len ||
        ctx->marked_pending_bytes < heap->gc.doomed_bytes)
        return fail(heap, ctx, "doomed objects missing from the pages (DOOMED)", heap->gc.doomed);
    size_t left = ctx->marked_pending - heap->gc.doomed_len;
    if (left != 0 && !heap->objs.freeing)
        return fail(heap, ctx, "object left on the pending list", heap->objs.pending);
    ctx->live += left;
    ctx->bytes_slots += ctx->marked_pending_bytes - heap->gc.doomed_bytes;
    return RC_OK;
}

static rc_status check_books(rc_heap *heap, check_ctx *ctx)
{
    size_t buffers = heap->mem.buffer_bytes;
    if (ctx->live != rci_object_live_count(heap))
        return fail(heap, ctx, "live_objects differs from a recount", heap);
    if (ctx->tracked != rci_object_tracked_count(heap))
        return fail(heap, ctx, "tracked_objects differs from a recount", heap);
    if (ctx->bytes_slots + buffers != heap->mem.live_bytes)
        return fail(heap, ctx, "live_bytes differs from slots plus buffers", heap);
    for (unsigned g = 0; g < 3; g++)
        if (ctx->gen_size[g] != heap->gc.gen_size[g])
            return fail(heap, ctx, "a generation's size differs from a recount", heap);
    if (ctx->permanent != heap->gc.gen_size[RCI_PERMANENT_GEN])
        return fail(heap, ctx, "the permanent generation's size differs from a recount", heap);
    size_t per_type = 0;
    for (uint32_t i = 1; i < heap->types.n_types; i++)
        per_type += heap->types.table[i]->live_count;
    if (per_type != rci_object_live_count(heap))
        return fail(heap, ctx, "per-type live counts do not add up to live_objects", heap);
    if (ctx->origins != heap->origins.origin_len)
        return fail(heap, ctx,
                    "allocation-site table entries differ from objects marked RCI_ORIGIN", heap);
    if (ctx->snap_ids != heap->snap.snap_len)
        return fail(heap, ctx, "snapshot id table entries differ from the live objects holding one",
                    heap);
    const char *why = rci_origins_check(heap);
    return why == NULL ? RC_OK : fail(heap, ctx, why, heap);
}

rc_status rc_heap_check(rc_heap *heap)
{
    if (heap->gc.collecting || heap->objs.freeing || heap->objs.pending != NULL)
        return rci_error(heap, RC_ESTATE, "rc_heap_check: called during a collection or a release");
    return rci_check_now(heap);
}

rc_status rci_check_now(rc_heap *heap)
{
    check_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    rci_pages_each(heap, false, check_page, &ctx);
    if (ctx.status != RC_OK)
        return ctx.status;
    if (check_pending(heap, &ctx) != RC_OK || check_books(heap, &ctx) != RC_OK)
        return ctx.status;
    const void *where = NULL;
    const char *why = rci_weakrefs_check(heap, ctx.weak_linked, &where);
    if (why != NULL)
        return fail(heap, &ctx, why, where);
    if (heap->objs.deferred_len != 0)
        return fail(heap, &ctx, "deferred rites left between collections", heap);
    /* Callbacks may be due (a callback running now, or a collection started inside one):
     * each queued weakref holds a reference to itself (weakref.c, QUEUE). */
    for (size_t i = 0; i < heap->wr.wr_calls_len; i++) {
        const rc_object *w = heap->wr.wr_calls[i];
        if (!rc_is_heap_object(w) || !rci_object_is_live(w) || w->_refcnt < 1 ||
            (rci_type_index(w) != heap->wr.wr_type_index &&
             rci_type_index(w) != heap->wr.wr_proxy_index))
            return fail(heap, &ctx, "weakref callback queue holds something not a live weakref", w);
    }
    return check_counts(heap, &ctx);
}
