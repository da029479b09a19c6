/*
 * leakguard.c -- the leak guard tests wrap around code under test: rc_leak_guard_begin
 * records every live object, rc_leak_guard_end counts and reports the objects made since
 * that are still alive, by type and, when origins are recorded, by allocation site.
 */
#include "graph.h"

#include <string.h>

/* ---- leak guard ------------------------------------------------------------------------
 *
 * Invariant GUARDS: every snapshot a guard holds (guard->_seen, begun and not ended) is on
 * heap->leak.snapshots, a doubly linked list, so that rc_heap_free frees the snapshots of guards
 * never ended: the heap frees all it allocated. The guard struct, the caller's, only points
 * at its snapshot (opaque in rcgc.h: struct rc__leak_snapshot).
 */

typedef struct rci_snapshot {
    rci_ptrmap seen;             /* object address -> type index at rc_leak_guard_begin */
    struct rci_snapshot *next;   /* the heap's other snapshots */
    struct rci_snapshot **pprev; /* what points at this one on that list */
} rci_snapshot;

static void snapshot_free(rc_heap *heap, rci_snapshot *s)
{
    *s->pprev = s->next;
    if (s->next != NULL)
        s->next->pprev = s->pprev;
    rci_util_ptrmap_free(heap, &s->seen);
    rci_mem_free(heap, s, sizeof *s);
}

void rci_leakguard_free(rc_heap *heap)
{
    while (heap->leak.snapshots != NULL)
        snapshot_free(heap, heap->leak.snapshots);
}

static int snapshot_obj(rc_heap *heap, rc_object *obj, void *user)
{
    bool added;
    size_t *slot = rci_util_ptrmap_insert(heap, user, obj, &added);
    if (slot == NULL)
        return 1;
    *slot = rci_type_index(obj);
    return 0;
}

rc_status rc_leak_guard_begin(rc_heap *heap, rc_leak_guard *guard)
{
    rc_status st = rci_error_size_check(heap, "rc_leak_guard_begin", "guard", guard, sizeof *guard,
                                        sizeof *guard);
    if (st != RC_OK)
        return st;
    rci_snapshot *s = rci_mem_alloc(heap, sizeof *s);
    if (s == NULL)
        return rci_error(heap, RC_ENOMEM, "rc_leak_guard_begin: no memory for the snapshot");
    memset(s, 0, sizeof *s);
    s->next = heap->leak.snapshots;
    if (s->next != NULL)
        s->next->pprev = &s->next;
    s->pprev = &heap->leak.snapshots;
    heap->leak.snapshots = s;
    if (!rci_util_ptrmap_reserve(heap, &s->seen, rci_object_live_count(heap)) ||
        rc_heap_visit(heap, snapshot_obj, &s->seen) != 0) {
        snapshot_free(heap, s);
        return rci_error(heap, RC_ENOMEM, "rc_leak_guard_begin: no memory to snapshot %zu objects",
                         rci_object_live_count(heap));
    }
    guard->_seen = (struct rc__leak_snapshot *)(void *)s; /* opaque to the caller */
    return RC_OK;
}

typedef struct leak_walk {
    const rci_ptrmap *seen;
    size_t *per_type; /* by type index: objects new since the snapshot */
    size_t *per_site; /* by site index (NULL if no site is recorded) */
    size_t total;
} leak_walk;

static int count_new(rc_heap *heap, rc_object *obj, void *user)
{
    leak_walk *w = user;
    const size_t *was = rci_util_ptrmap_find(w->seen, obj);
    if (was == NULL || *was != rci_type_index(obj)) {
        w->per_type[rci_type_index(obj)]++;
        w->total++;
        int32_t site = w->per_site != NULL ? rci_origin_site(heap, obj) : -1;
        if (site >= 0)
            w->per_site[site]++;
    }
    return 0;
}

/* Under a type's line: where its leaked objects were made, most first (ALLOCATION SITES). */
static void leak_sites(rc_heap *heap, const leak_walk *w, uint32_t type, FILE *out)
{
    rc_site_count best[RCI_SITES_PER_TYPE];
    size_t n = 0, sited = 0, kinds = 0;
    for (uint32_t s = 0; s < heap->origins.n_sites; s++) {
        rc_site_count c;
        rci_origin_site_info(heap, s, &c);
        if (c.type_name != heap->types.table[type]->name || w->per_site[s] == 0)
            continue;
        c.count = w->per_site[s];
        sited += c.count;
        kinds++;
        rci_origin_site_offer(best, RCI_SITES_PER_TYPE, &n, c, false);
    }
    for (size_t i = 0; i < n; i++)
        fprintf(out, "    at %s:%d %zu\n", best[i].file, best[i].line, best[i].count);
    if (kinds > n)
        fprintf(out, "    and %zu more sites\n", kinds - n);
    if (sited < w->per_type[type])
        fprintf(out, "    no recorded site %zu\n", w->per_type[type] - sited);
}

static void leak_report(rc_heap *heap, const leak_walk *w, FILE *out)
{
    /* Largest groups first: repeatedly pick the largest group not yet written. */
    const size_t *per_type = w->per_type;
    size_t n = heap->types.n_types, last = (size_t)-1;
    size_t written = 0;
    for (;;) {
        size_t best = 0, best_count = 0;
        for (size_t i = 1; i < n; i++) {
            size_t c = per_type[i];
            if (c == 0 || c > last || (c == last && i <= written))
                continue;
            if (c > best_count) {
                best = i;
                best_count = c;
            }
        }
        if (best_count == 0)
            return;
        fprintf(out, "%s %zu\n", heap->types.table[best]->name, best_count);
        if (w->per_site != NULL)
            leak_sites(heap, w, (uint32_t)best, out);
        last = best_count;
        written = best;
    }
}

int64_t rc_leak_guard_end(rc_heap *heap, rc_leak_guard *guard, FILE *out)
{
    if (rci_error_size_check(heap, "rc_leak_guard_end", "guard", guard, sizeof *guard,
                             sizeof *guard) != RC_OK)
        return -1;
    if (guard->_seen == NULL) {
        rci_error(heap, RC_EINVAL, "rc_leak_guard_end: guard not begun");
        return -1;
    }
    rci_snapshot *s = (rci_snapshot *)(void *)guard->_seen;
    const rci_ptrmap *seen = &s->seen;
    guard->_seen = NULL;
    int64_t result = -1;
    size_t n = heap->types.n_types;
    size_t *per_type = NULL;
    if (rc_collect(heap, 2) >= 0) {
        per_type = rci_mem_alloc(heap, n * sizeof *per_type);
        if (per_type == NULL)
            rci_error(heap, RC_ENOMEM, "rc_leak_guard_end: no memory for %zu types", n);
    }
    size_t n_sites = heap->origins.n_sites;
    size_t *per_site = NULL;
    if (per_type != NULL && n_sites != 0 && out != NULL) {
        per_site = rci_mem_alloc(heap, n_sites * sizeof *per_site);
        if (per_site == NULL) {
            rci_error(heap, RC_ENOMEM, "rc_leak_guard_end: no memory for %zu sites", n_sites);
            rci_mem_free(heap, per_type, n * sizeof *per_type);
            per_type = NULL;
        }
    }
    if (per_type != NULL) {
        memset(per_type, 0, n * sizeof *per_type);
        if (per_site != NULL)
            memset(per_site, 0, n_sites * sizeof *per_site);
        leak_walk w = {seen, per_type, per_site, 0};
        rc_heap_visit(heap, count_new, &w);
        if (out != NULL)
            leak_report(heap, &w, out);
        result = (int64_t)w.total;
        rci_mem_free(heap, per_type, n * sizeof *per_type);
        rci_mem_free(heap, per_site, n_sites * sizeof *per_site);
    }
    snapshot_free(heap, s);
    return result;
}
