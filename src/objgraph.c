/*
 * objgraph.c -- objgraph's counters for rcgc heaps: count, most common types, by_type,
 * growth with caller-kept peaks, leaking objects, at(address) (the leak guard is
 * leakguard.c's).
 *
 * Counts per type come from the types' live counters (type.c keeps them exact), so the
 * statistics cost O(types), never a heap walk. Lists of objects come from rc_heap_visit,
 * made as introspect.c's NO-SELF requires.
 */
#include "graph.h"

#include <string.h>

/* ---- counts ---------------------------------------------------------------------------- */

size_t rc_objgraph_count(const rc_heap *heap, const char *name)
{
    size_t total = 0;
    if (name == NULL)
        return 0;
    for (size_t i = 0; i < rc_heap_type_count(heap); i++) {
        const rc_type *t = rc_heap_type_at(heap, i);
        if (strcmp(rc_type_name(t), name) == 0)
            total += rc_type_live_count(t);
    }
    return total;
}

/* True if a ranks before b: larger delta (growth, when *by_delta) or count, then name. */
static bool ranks_before(const void *a_, const void *b_, const void *by_delta)
{
    const rc_type_count *a = a_, *b = b_;
    if (*(const bool *)by_delta && a->delta != b->delta)
        return a->delta > b->delta;
    if (a->count != b->count)
        return a->count > b->count;
    return strcmp(a->name, b->name) < 0;
}

/* Keeps out[0, *n) sorted, holding the best cap entries offered so far. */
static void offer(rc_type_count *out, size_t cap, size_t *n, rc_type_count c, bool by_delta)
{
    rci_util_topn_offer(out, cap, n, &c, sizeof c, ranks_before, &by_delta);
}

size_t rc_objgraph_most_common_types(const rc_heap *heap, rc_type_count *out, size_t cap)
{
    size_t n = 0, kinds = 0;
    if (out == NULL)
        cap = 0;
    for (size_t i = 0; i < rc_heap_type_count(heap); i++) {
        const rc_type *t = rc_heap_type_at(heap, i);
        if (rc_type_live_count(t) == 0)
            continue;
        kinds++;
        offer(out, cap, &n, (rc_type_count){rc_type_name(t), rc_type_live_count(t), 0}, false);
    }
    return kinds;
}

static int name_width(const rc_type_count *c, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (strlen(c[i].name) > w)
            w = strlen(c[i].name);
    return w > 200 ? 200 : (int)w;
}

/* Table space for show_*: the caller's limit, capped at the number of types. */
static rc_type_count *table_new(rc_heap *heap, size_t *limit)
{
    size_t n = rc_heap_type_count(heap);
    if (*limit > n)
        *limit = n;
    return rci_mem_alloc(heap, (*limit + 1) * sizeof(rc_type_count));
}

rc_status rc_objgraph_show_most_common_types(rc_heap *heap, size_t limit, FILE *out)
{
    if (out == NULL)
        return rci_error(heap, RC_EINVAL, "rc_objgraph_show_most_common_types: out is NULL");
    rc_type_count *tab = table_new(heap, &limit);
    if (tab == NULL)
        return rci_error(heap, RC_ENOMEM,
                         "rc_objgraph_show_most_common_types: no memory for %zu rows", limit);
    size_t kinds = rc_objgraph_most_common_types(heap, tab, limit);
    size_t n = kinds < limit ? kinds : limit;
    int width = name_width(tab, n);
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        ok = fprintf(out, "%-*s %zu\n", width, tab[i].name, tab[i].count) > 0 && ok;
    rci_mem_free(heap, tab, (limit + 1) * sizeof *tab);
    return ok ? RC_OK : rci_error(heap, RC_EOS, "rc_objgraph_show_most_common_types: write failed");
}

/* ---- growth ---------------------------------------------------------------------------- */

/* Grows the zero-filled array *arr of *len entries to n entries (peaks of types or sites). */
static bool peaks_fit(rc_heap *heap, size_t **arr, size_t *len, size_t n)
{
    if (*len >= n)
        return true;
    size_t *p = *len == 0 ? rci_mem_alloc(heap, n * sizeof *p)
                          : rci_mem_resize(heap, *arr, *len * sizeof *p, n * sizeof *p);
    if (p == NULL)
        return false;
    memset(p + *len, 0, (n - *len) * sizeof *p);
    *arr = p;
    *len = n;
    return true;
}

/* rc_objgraph_growth for call: the types that grew in *grew; RC_OK or the error (SIZE). */
static rc_status type_growth(rc_heap *heap, const char *call, rc_objgraph_peaks *peaks,
                             rc_type_count *out, size_t cap, size_t *grew)
{
    size_t types = rc_heap_type_count(heap);
    *grew = 0;
    rc_status st = rci_error_size_check(heap, call, "peaks", peaks, sizeof *peaks, sizeof *peaks);
    if (st != RC_OK)
        return st;
    if (!peaks_fit(heap, &peaks->peak, &peaks->n_peak, types))
        return rci_error(heap, RC_ENOMEM, "%s: no memory for %zu peaks", call, types);
    if (out == NULL)
        cap = 0;
    size_t n = 0;
    for (size_t i = 0; i < types; i++) {
        const rc_type *t = rc_heap_type_at(heap, i);
        size_t count = rc_type_live_count(t);
        if (count <= peaks->peak[i])
            continue;
        rc_type_count c = {rc_type_name(t), count, (int64_t)(count - peaks->peak[i])};
        peaks->peak[i] = count;
        (*grew)++;
        offer(out, cap, &n, c, true);
    }
    return RC_OK;
}

size_t rc_objgraph_growth(rc_heap *heap, rc_objgraph_peaks *peaks, rc_type_count *out, size_t cap)
{
    size_t grew = 0;
    type_growth(heap, "rc_objgraph_growth", peaks, out, cap, &grew);
    return grew;
}

/* rc_objgraph_site_growth for call, as type_growth. */
static rc_status site_growth(rc_heap *heap, const char *call, rc_objgraph_peaks *peaks,
                             rc_site_count *out, size_t cap, size_t *grew)
{
    size_t sites = heap->origins.n_sites;
    *grew = 0;
    rc_status st = rci_error_size_check(heap, call, "peaks", peaks, sizeof *peaks, sizeof *peaks);
    if (st != RC_OK)
        return st;
    if (!peaks_fit(heap, &peaks->site_peak, &peaks->n_site_peak, sites))
        return rci_error(heap, RC_ENOMEM, "%s: no memory for %zu peaks", call, sites);
    if (out == NULL)
        cap = 0;
    size_t n = 0;
    for (uint32_t i = 0; i < sites; i++) {
        rc_site_count c;
        rci_origin_site_info(heap, i, &c);
        if (c.count <= peaks->site_peak[i])
            continue;
        c.delta = (int64_t)(c.count - peaks->site_peak[i]);
        peaks->site_peak[i] = c.count;
        (*grew)++;
        rci_origin_site_offer(out, cap, &n, c, true);
    }
    return RC_OK;
}

size_t rc_objgraph_site_growth(rc_heap *heap, rc_objgraph_peaks *peaks, rc_site_count *out,
                               size_t cap)
{
    size_t grew = 0;
    site_growth(heap, "rc_objgraph_site_growth", peaks, out, cap, &grew);
    return grew;
}

/* Under a type's growth line: the sites of that type that grew, largest increase first. */
static bool show_type_sites(FILE *out, const rc_type_count *type, const rc_site_count *sites,
                            size_t n_sites)
{
    size_t shown = 0, more = 0;
    for (size_t i = 0; i < n_sites; i++) {
        if (sites[i].type_name != type->name)
            continue;
        if (shown == RCI_SITES_PER_TYPE) {
            more++;
            continue;
        }
        shown++;
        if (fprintf(out, "    at %s:%d %+lld\n", sites[i].file, sites[i].line,
                    (long long)sites[i].delta) < 0)
            return false;
    }
    return more == 0 || fprintf(out, "    and %zu more sites\n", more) >= 0;
}

rc_status rc_objgraph_show_growth(rc_heap *heap, rc_objgraph_peaks *peaks, size_t limit, FILE *out)
{
    if (out == NULL)
        return rci_error(heap, RC_EINVAL, "rc_objgraph_show_growth: out is NULL");
    rc_type_count *tab = table_new(heap, &limit);
    if (tab == NULL)
        return rci_error(heap, RC_ENOMEM, "rc_objgraph_show_growth: no memory for %zu rows", limit);
    size_t n_sites = heap->origins.n_sites;
    rc_site_count *sites = n_sites == 0 ? NULL : rci_mem_alloc(heap, n_sites * sizeof *sites);
    if (n_sites != 0 && sites == NULL) {
        rci_mem_free(heap, tab, (limit + 1) * sizeof *tab);
        return rci_error(heap, RC_ENOMEM, "rc_objgraph_show_growth: no memory for %zu sites",
                         n_sites);
    }
    /* Internal forms that return their status: the caller's last error stays (ERRORS). */
    size_t grew = 0, sites_grew = 0;
    rc_status st = type_growth(heap, "rc_objgraph_show_growth", peaks, tab, limit, &grew);
    if (st == RC_OK && n_sites != 0)
        st = site_growth(heap, "rc_objgraph_show_growth", peaks, sites, n_sites, &sites_grew);
    size_t n = grew < limit ? grew : limit;
    int width = name_width(tab, n);
    for (size_t i = 0; i < n && st == RC_OK; i++)
        if (fprintf(out, "%-*s%9zu %+9lld\n", width, tab[i].name, tab[i].count,
                    (long long)tab[i].delta) < 0 ||
            !show_type_sites(out, &tab[i], sites, sites_grew))
            st = rci_error(heap, RC_EOS, "rc_objgraph_show_growth: write failed");
    rci_mem_free(heap, sites, n_sites * sizeof *sites);
    rci_mem_free(heap, tab, (limit + 1) * sizeof *tab);
    return st;
}

void rc_objgraph_peaks_free(rc_heap *heap, rc_objgraph_peaks *peaks)
{
    if (peaks == NULL)
        return;
    if (peaks->n_peak != 0)
        rci_mem_free(heap, peaks->peak, peaks->n_peak * sizeof *peaks->peak);
    if (peaks->n_site_peak != 0)
        rci_mem_free(heap, peaks->site_peak, peaks->n_site_peak * sizeof *peaks->site_peak);
    peaks->peak = NULL;
    peaks->n_peak = 0;
    peaks->site_peak = NULL;
    peaks->n_site_peak = 0;
}

/* ---- lists of objects ------------------------------------------------------------------ */

typedef struct select_walk {
    const rc_object *self;     /* the list being filled (NO-SELF) */
    const bool *type_wanted;   /* by type index, or NULL */
    const rci_ptrmap *exclude; /* objects left out, or NULL */
    rci_ptrvec found;
} select_walk;

static int select_obj(rc_heap *heap, rc_object *obj, void *user)
{
    select_walk *w = user;
    if (obj == w->self)
        return 0;
    if (w->type_wanted != NULL && !w->type_wanted[rci_type_index(obj)])
        return 0;
    if (w->exclude != NULL && rci_util_ptrmap_find(w->exclude, obj) != NULL)
        return 0;
    return rci_util_ptrvec_push(heap, &w->found, obj) ? 0 : 1;
}

/* A new list of the objects select_obj accepts (list made first: NO-SELF). */
static rc_object *select_list(rc_heap *heap, select_walk *w, const char *call)
{
    rc_object *list = rc_list_new(heap, 0);
    if (list == NULL)
        return NULL;
    w->self = list;
    if (rc_heap_visit(heap, select_obj, w) != 0) {
        rci_error(heap, RC_ENOMEM, "%s: no memory after %zu objects", call, w->found.len);
        rc_decref(heap, list);
        list = NULL;
    } else {
        list = rci_introspect_list_fill(heap, list, &w->found, call);
    }
    rci_util_ptrvec_free(heap, &w->found);
    return list;
}

rc_object *rc_objgraph_by_type(rc_heap *heap, const char *name)
{
    if (name == NULL) {
        rci_error(heap, RC_EINVAL, "rc_objgraph_by_type: name is NULL");
        return NULL;
    }
    size_t n = heap->types.n_types;
    bool *wanted = rci_mem_alloc(heap, n * sizeof *wanted);
    if (wanted == NULL) {
        rci_error(heap, RC_ENOMEM, "rc_objgraph_by_type: no memory for %zu types", n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        wanted[i] = heap->types.table[i] != NULL && strcmp(heap->types.table[i]->name, name) == 0;
    select_walk w = {NULL, wanted, NULL, {0}};
    rc_object *list = select_list(heap, &w, "rc_objgraph_by_type");
    rci_mem_free(heap, wanted, n * sizeof *wanted);
    return list;
}

static int note_target(rc_heap *heap, rc_object *ref, void *arg)
{
    bool added;
    if (!rc_is_heap_object(ref))
        return 0;
    return rci_util_ptrmap_insert(heap, arg, ref, &added) == NULL;
}

static int note_targets_of(rc_heap *heap, rc_object *obj, void *user)
{
    if (!rci_type_of(heap, obj)->holds_refs)
        return 0;
    return rc_traverse(heap, obj, note_target, user);
}

rc_object *rc_objgraph_get_leaking_objects(rc_heap *heap)
{
    rci_ptrmap referenced = {0};
    rc_object *list = NULL;
    if (rci_heap_visit_containers(heap, note_targets_of, &referenced) != 0) {
        rci_error(heap, RC_ENOMEM, "rc_objgraph_get_leaking_objects: no memory for %zu targets",
                  referenced.len);
    } else {
        select_walk w = {NULL, NULL, &referenced, {0}};
        list = select_list(heap, &w, "rc_objgraph_get_leaking_objects");
    }
    rci_util_ptrmap_free(heap, &referenced);
    return list;
}

typedef struct at_walk {
    uintptr_t address;
    rc_object *found;
} at_walk;

static int find_at(rc_heap *heap, rc_object *obj, void *user)
{
    (void)heap;
    at_walk *w = user;
    if ((uintptr_t)obj != w->address)
        return 0;
    w->found = obj;
    return 1;
}

rc_object *rc_objgraph_at(rc_heap *heap, uintptr_t address)
{
    at_walk w = {address, NULL};
    if (address == 0 || (address & 7u) != 0)
        return NULL;
    rc_heap_visit(heap, find_at, &w);
    return rc_newref(w.found);
}
