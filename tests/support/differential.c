/*
 * differential.c -- the randomized differential test described in differential.h.
 *
 * Each graph gets its own heap. A node is a pair, a bag, a list, a tuple, a dict, a phoenix
 * or an atomic leaf (float, str, boxed int), and carries its oracle id inside itself (the
 * pair's, phoenix's and bag's id field; item 0 of a list or tuple; the value under key 0 of a dict; a leaf's
 * value), so the live set read back through rc_heap_visit is exact even when a freed slot
 * is reused by a new node. Oracle slot s of a list or tuple is its item s + 1; of a dict,
 * the value under key s + 1.
 *
 * Pointers to nodes that may be cyclic garbage are only used around calls that cannot
 * collect (links, holds): a constructor may run a collection, so the targets a new node is
 * born with are taken from nodes reachable before it (which no collection may free).
 *
 * A phoenix is a pair whose finalizer resurrects it the first time it runs (PEP 442: once),
 * by taking a reference that the model then counts as a hold of the test. The model of a
 * collection follows CPython 3.9+ (src/gc.c, COUNTED): the unfinalized phoenixes of the
 * garbage are resurrected, with everything they reach; the rest of the garbage is freed,
 * and only that is counted (rc_collect, rc_gc_stats.collected).
 */
#define _POSIX_C_SOURCE 200809L /* sigaction */

#include "differential.h"

#include "oracle.h"
#include "rctest.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Containers first; the atomic kinds (never tracked, no slots) are the leaves whose
 * release by garbage is phase 4's work (src/gc.c). */
typedef enum node_kind {
    K_PAIR,
    K_BAG,
    K_LIST,
    K_TUPLE,
    K_DICT,
    K_PHOENIX,
    K_FLOAT,
    K_STR,
    K_BIGINT,
    K_COUNT
} node_kind;

#define K_CONTAINERS K_FLOAT

static const char *const kind_names[K_COUNT] = {"pair",    "bag",   "list", "tuple", "dict",
                                                "phoenix", "float", "str",  "bigint"};

/* A boxed int node holds BIGINT_BASE + id, above the small-int range. */
#define BIGINT_BASE (RC_SMALL_INT_MAX + (int64_t)1)

typedef struct diff {
    const rt_diff_params *p;
    uint64_t seed;
    size_t op;      /* index of the operation being checked */
    char what[160]; /* the operation, for failure messages */
    rt_rng rng;
    rc_heap *heap;
    const rc_type *pair, *bag, *list, *tuple, *dict, *phoenix;
    or_graph *g;
    size_t cap;      /* entries in the per-id arrays */
    rc_object **obj; /* obj[id]: the live object, NULL once freed */
    node_kind *kind;
    bool *reach;
    bool *reach_wide;   /* during op_collect: reachable from holds or untracked nodes */
    bool *untracked;    /* the test called rc_gc_untrack on it (and not rc_gc_track since) */
    bool untrack_seen;  /* some node of this graph was untracked at some point */
    unsigned char *gen; /* the generation the model puts a tracked container in */
    bool *must_free;    /* garbage of the last collection: must be gone at the next sync */
    bool *scratch;      /* work array for expected_garbage */
    bool *finalized;    /* a phoenix whose finalizer has run (it never runs again) */
    bool *rez_expect;   /* the phoenixes the last collection's model resurrects */
    int *rez;           /* ids the phoenix finalizer resurrected, not yet absorbed */
    size_t n_rez, rez_cap;
    uint64_t pre_collections[3], pre_collected[3]; /* stats before a constructor */
    /* The collector's schedule (src/gc.c section 5), followed from the outside: */
    bool sched;        /* modelled (the heap started with no tracked objects) */
    size_t m_count[3]; /* rc_gc_get_count as it must be */
    size_t m_thr[3];   /* thresholds */
    bool m_enabled, m_stress;
    bool cand;                       /* the candidate schedule (rt_diff_params.candidates) */
    size_t m_ll_total, m_ll_pending; /* long-lived objects and promotions since */
    bool in_collection;              /* the current operation frees only inside a collection */
    bool *tracked_before;            /* rc_gc_is_tracked just before the current collection */
    long *expect;
    rc_object **seen; /* rc_heap_visit's objects */
    size_t n_seen, seen_cap;
    rc_object **base; /* objects alive before the graph started (not nodes) */
    size_t n_base;
    size_t n_live; /* nodes alive */
    size_t base_live_objects;
    size_t base_tracked_objects;
    rt_diff_totals t; /* this graph's share of the totals */
} diff;

static void diff_fail(diff *d, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void diff_fail(diff *d, int line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    print_message("differential mismatch: RCGC_SEED=0x%016" PRIx64 " replays it\n"
                  "  after op %zu (%s)\n  %s (differential.c:%d)\n",
                  d->seed, d->op, d->what, msg, line);
    fail();
}

/* A crash (say, a node freed while reachable and then used) ends the graph before any
 * check can name its seed; this handler does, then hands the signal on to cmocka's. Test
 * code, so a writable static is fine here (STYLE 3 binds src/ only). */
static volatile uint64_t crash_seed;
static struct sigaction crash_prev[3];
static const int crash_signals[3] = {SIGSEGV, SIGBUS, SIGABRT};

static void crash_handler(int sig)
{
    char msg[96];
    int n =
        snprintf(msg, sizeof msg, "\ndifferential crash: RCGC_SEED=0x%016" PRIx64 " replays it\n",
                 (uint64_t)crash_seed);
    if (n > 0)
        fputs(msg, stderr);
    for (int i = 0; i < 3; i++) {
        if (crash_signals[i] != sig)
            continue;
        sigaction(sig, &crash_prev[i], NULL);
    }
    raise(sig);
}

static void crash_report_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = crash_handler;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++)
        sigaction(crash_signals[i], &sa, &crash_prev[i]);
}

static void crash_report_remove(void)
{
    for (int i = 0; i < 3; i++)
        sigaction(crash_signals[i], &crash_prev[i], NULL);
}

#define DCHECK(d, cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            diff_fail((d), __LINE__, __VA_ARGS__);                                                 \
    } while (0)

static void *xrealloc(void *p, size_t bytes)
{
    void *q = realloc(p, bytes);
    assert_non_null(q);
    return q;
}

static void grow_arrays(diff *d, size_t want)
{
    if (want <= d->cap)
        return;
    size_t cap = d->cap ? d->cap * 2 : 64;
    while (cap < want)
        cap *= 2;
    d->obj = xrealloc(d->obj, cap * sizeof *d->obj);
    d->kind = xrealloc(d->kind, cap * sizeof *d->kind);
    d->reach = xrealloc(d->reach, cap * sizeof *d->reach);
    d->reach_wide = xrealloc(d->reach_wide, cap * sizeof *d->reach_wide);
    d->untracked = xrealloc(d->untracked, cap * sizeof *d->untracked);
    d->gen = xrealloc(d->gen, cap * sizeof *d->gen);
    d->must_free = xrealloc(d->must_free, cap * sizeof *d->must_free);
    d->scratch = xrealloc(d->scratch, cap * sizeof *d->scratch);
    d->finalized = xrealloc(d->finalized, cap * sizeof *d->finalized);
    d->rez_expect = xrealloc(d->rez_expect, cap * sizeof *d->rez_expect);
    d->tracked_before = xrealloc(d->tracked_before, cap * sizeof *d->tracked_before);
    d->expect = xrealloc(d->expect, cap * sizeof *d->expect);
    for (size_t i = d->cap; i < cap; i++) {
        d->obj[i] = NULL;
        d->tracked_before[i] = false;
        d->must_free[i] = false;
        d->finalized[i] = false;
        d->rez_expect[i] = false;
    }
    d->cap = cap;
}

static rc_object *small(diff *d, int64_t v)
{
    rc_object *o = rc_int_new(d->heap, v);
    assert_false(rc_is_heap_object(o));
    return o;
}

/* ---------------------------------------------------------------------------------------
 * Phoenixes
 */

/* The graph running now, for the phoenix finalizer (graphs run one at a time). Test code,
 * so a writable static is fine here (STYLE 3 binds src/ only). */
static diff *cur_diff;

/* Resurrects self with a reference of its own, which absorb() hands to the model. */
static void phoenix_finalize(rc_heap *heap, rc_object *self)
{
    (void)heap;
    diff *d = cur_diff;
    rc_incref(self);
    if (d->n_rez == d->rez_cap) {
        d->rez_cap = d->rez_cap ? d->rez_cap * 2 : 16;
        d->rez = xrealloc(d->rez, d->rez_cap * sizeof *d->rez);
    }
    d->rez[d->n_rez++] = (int)((rt_pair *)self)->id;
}

/* The bag of rt_diff_params.arrays: rt_bag's id first (record_base and node_id read it as
 * an rt_bag), then slot 0 as a reference offset and slots 1 to 3 as a trailing array. */
typedef struct array_bag {
    rc_object hdr;
    int64_t id;
    size_t n; /* RT_BAG_SLOTS - 1 once made */
    rc_object *slot[RT_BAG_SLOTS];
} array_bag;

static const rc_type *array_bag_type(rc_heap *heap)
{
    static const size_t offs[1] = {offsetof(array_bag, slot)};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "array bag";
    spec.instance_bytes = sizeof(array_bag);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 1;
    spec.ref_array_count_offset = offsetof(array_bag, n);
    spec.ref_array_offset = offsetof(array_bag, slot) + sizeof(rc_object *);
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

/* Stores value (a new reference; NULL clears) in a bag's slot, of either kind of bag. */
static void bag_set(const diff *d, rc_object *bag, size_t slot, rc_object *value)
{
    if (!d->p->arrays) {
        rt_bag_set(d->heap, bag, (int)slot, value);
        return;
    }
    rc_object **field = &((array_bag *)bag)->slot[slot];
    rc_object *old = *field;
    *field = rc_newref(value);
    rc_decref(d->heap, old);
}

static const rc_type *phoenix_type(rc_heap *heap)
{
    static const size_t offs[2] = {offsetof(rt_pair, a), offsetof(rt_pair, b)};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "phoenix";
    spec.instance_bytes = sizeof(rt_pair);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = 2;
    spec.finalize = phoenix_finalize;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

/* The model learns of the resurrections since the last call: each resurrected phoenix
 * ran its finalizer for the first time and is held once more. */
static void absorb(diff *d)
{
    for (size_t i = 0; i < d->n_rez; i++) {
        int id = d->rez[i];
        DCHECK(d,
               id >= 0 && (size_t)id < or_size(d->g) && or_exists(d->g, id) &&
                   d->kind[id] == K_PHOENIX,
               "a finalizer ran for %d, which is no live phoenix", id);
        DCHECK(d, !d->finalized[id], "the finalizer of phoenix %d ran twice", id);
        d->finalized[id] = true;
        or_hold_add(d->g, id, 1);
        d->t.resurrected++;
    }
    d->n_rez = 0;
}

/* After a collection: every phoenix the model resurrects was resurrected (others may have
 * been too, outside the collected set, dying by counting when the garbage let go), then
 * absorb. */
static void absorb_collection(diff *d)
{
    size_t n = or_size(d->g);
    for (size_t i = 0; i < d->n_rez; i++)
        if (d->rez[i] >= 0 && (size_t)d->rez[i] < n)
            d->rez_expect[d->rez[i]] = false;
    for (size_t id = 0; id < n; id++) {
        DCHECK(d, !d->rez_expect[id], "garbage phoenix %zu was not finalized by the collection",
               id);
    }
    absorb(d);
}

/* ---------------------------------------------------------------------------------------
 * Reading the live set back
 */

static int collect_seen(rc_heap *heap, rc_object *obj, void *user)
{
    (void)heap;
    diff *d = user;
    if (d->n_seen == d->seen_cap) {
        d->seen_cap = d->seen_cap ? d->seen_cap * 2 : 256;
        d->seen = xrealloc(d->seen, d->seen_cap * sizeof *d->seen);
    }
    d->seen[d->n_seen++] = obj;
    return 0;
}

static void visit_all(diff *d)
{
    d->n_seen = 0;
    DCHECK(d, rc_heap_visit(d->heap, collect_seen, d) == 0, "rc_heap_visit stopped early");
}

static bool is_base(const diff *d, const rc_object *o)
{
    for (size_t i = 0; i < d->n_base; i++)
        if (d->base[i] == o)
            return true;
    return false;
}

static int64_t id_of(diff *d, rc_object *o)
{
    const rc_type *t = rc_type_of(d->heap, o);
    rc_object *v = NULL;
    if (t == rc_heap_builtin_float(d->heap))
        return (int64_t)rc_float_value(d->heap, o);
    if (t == rc_heap_builtin_str(d->heap))
        return strtoll(rc_str_data(d->heap, o) + 1, NULL, 10);
    if (t == rc_heap_builtin_int(d->heap))
        return rc_int_value(d->heap, o) - BIGINT_BASE;
    if (t == d->pair || t == d->phoenix)
        return ((rt_pair *)o)->id;
    if (t == d->bag)
        return ((rt_bag *)o)->id;
    if (t == d->list)
        v = rc_list_get_borrow(d->heap, o, 0);
    else if (t == d->tuple)
        v = rc_tuple_get_borrow(d->heap, o, 0);
    else if (t == d->dict) {
        if (rc_dict_get(d->heap, o, small(d, 0), &v) != RC_OK)
            return -1;
        rc_decref(d->heap, v);
    } else
        return -1;
    if (v == NULL || !rc_is_int(d->heap, v))
        return -1;
    return rc_int_value(d->heap, v);
}

/* Reconciles the oracle with the heap: nodes no longer visited were freed (and must have
 * been unreachable); every live node's count must match. Returns the nodes freed and, of
 * those, the ones tracked just before (for collection counts). */
static void sync(diff *d, size_t *freed, size_t *freed_tracked)
{
    size_t n = or_size(d->g);
    bool *live = calloc(n ? n : 1, sizeof *live);
    assert_non_null(live);
    size_t nodes_seen = 0;
    visit_all(d);
    for (size_t i = 0; i < d->n_seen; i++) {
        rc_object *o = d->seen[i];
        if (is_base(d, o))
            continue;
        int64_t id = id_of(d, o);
        DCHECK(d, id >= 0 && (size_t)id < n, "a live %s object has no node id",
               rc_type_name(rc_type_of(d->heap, o)));
        DCHECK(d, or_exists(d->g, (int)id) && d->obj[id] == o,
               "node %" PRId64 " (%s) is live but was freed before", id, kind_names[d->kind[id]]);
        DCHECK(d, !live[id], "node %" PRId64 " visited twice", id);
        live[id] = true;
        nodes_seen++;
    }
    or_reachable(d->g, d->reach);
    size_t nf = 0, nft = 0;
    for (size_t id = 0; id < n; id++) {
        if (!or_exists(d->g, (int)id) || live[id])
            continue;
        DCHECK(d, !d->reach[id], "node %zu (%s) was freed while reachable (holds %d)", id,
               kind_names[d->kind[id]], or_holds(d->g, (int)id));
        or_remove(d->g, (int)id);
        d->must_free[id] = false;
        /* A container's death is a deallocation for get_count()[0] (tracked or not, as in
         * CPython); inside a collection the count is reset afterwards anyway. */
        if (!d->in_collection && d->kind[id] < K_CONTAINERS && d->m_count[0] > 0)
            d->m_count[0]--;
        d->obj[id] = NULL;
        d->n_live--;
        nf++;
        nft += d->tracked_before[id];
    }
    free(live);
    DCHECK(d, nodes_seen == d->n_live, "visited %zu nodes, expected %zu", nodes_seen, d->n_live);

    for (size_t id = 0; id < n; id++)
        DCHECK(d, !or_exists(d->g, (int)id) || !d->must_free[id],
               "node %zu (%s) was garbage of the last collection but is still alive", id,
               kind_names[d->kind[id]]);

    or_expected_refcounts(d->g, d->expect);
    for (size_t id = 0; id < n; id++) {
        if (!or_exists(d->g, (int)id))
            continue;
        int64_t got = rc_refcount(d->obj[id]);
        DCHECK(d, d->expect[id] > 0,
               "node %zu (%s) has no references left but was not freed (rc_refcount %" PRId64 ")",
               id, kind_names[d->kind[id]], got);
        bool want_tracked = !d->untracked[id] && d->kind[id] < K_CONTAINERS;
        DCHECK(d, rc_gc_is_tracked(d->heap, d->obj[id]) == want_tracked,
               "node %zu (%s): rc_gc_is_tracked says %d", id, kind_names[d->kind[id]],
               (int)rc_gc_is_tracked(d->heap, d->obj[id]));
        DCHECK(d, got == d->expect[id],
               "node %zu (%s): rc_refcount %" PRId64 ", expected %ld (holds %d)", id,
               kind_names[d->kind[id]], got, d->expect[id], or_holds(d->g, (int)id));
    }

    size_t tracked_nodes = 0, per_gen[3] = {0, 0, 0};
    for (size_t id = 0; id < n; id++) {
        if (or_exists(d->g, (int)id) && !d->untracked[id] && d->kind[id] < K_CONTAINERS) {
            tracked_nodes++;
            per_gen[d->gen[id]]++;
        }
    }
    rc_heap_stats st = rt_stats(d->heap);
    DCHECK(d, st.tracked_objects == d->base_tracked_objects + tracked_nodes,
           "tracked_objects %zu, expected %zu", st.tracked_objects,
           d->base_tracked_objects + tracked_nodes);
    DCHECK(d, st.live_objects == d->base_live_objects + d->n_live, "live_objects %zu, expected %zu",
           st.live_objects, d->base_live_objects + d->n_live);
    rt_gens gs = rt_gen_sizes(d->heap);
    if (d->base_tracked_objects == 0 && !d->cand)
        for (int g = 0; g < 3; g++)
            DCHECK(d, gs.n[g] == per_gen[g],
                   "generation %d holds %zu objects, the model says %zu (sizes %zu %zu %zu)", g,
                   gs.n[g], per_gen[g], gs.n[0], gs.n[1], gs.n[2]);
    DCHECK(d, gs.n[0] + gs.n[1] + gs.n[2] == st.tracked_objects,
           "generation sizes %zu+%zu+%zu differ from tracked_objects %zu", gs.n[0], gs.n[1],
           gs.n[2], st.tracked_objects);
    if (freed)
        *freed = nf;
    else
        d->t.freed_otherwise += nf;
    if (freed_tracked)
        *freed_tracked = nft;
}

static void check_heap(diff *d)
{
    rc_status st = rc_heap_check(d->heap);
    DCHECK(d, st == RC_OK, "rc_heap_check: %s: %s", rc_status_str(st), rc_heap_errmsg(d->heap));
}

/* ---------------------------------------------------------------------------------------
 * Choosing nodes
 */

/* A random live node satisfying want (NULL: any), or -1. */
static int pick(diff *d, bool (*want)(diff *, int))
{
    size_t n = or_size(d->g);
    if (n == 0)
        return -1;
    size_t start = rt_rng_below(&d->rng, (uint32_t)n);
    for (size_t k = 0; k < n; k++) {
        int id = (int)((start + k) % n);
        if (or_exists(d->g, id) && (want == NULL || want(d, id)))
            return id;
    }
    return -1;
}

static bool is_held(diff *d, int id)
{
    return or_holds(d->g, id) > 0;
}
static bool is_reachable(diff *d, int id)
{
    return d->reach[id];
}
static bool is_mutable(diff *d, int id)
{
    return d->kind[id] != K_TUPLE && d->kind[id] < K_CONTAINERS;
}
static bool is_container(diff *d, int id)
{
    return d->kind[id] < K_CONTAINERS;
}

static bool has_edge(diff *d, int id)
{
    if (!is_mutable(d, id))
        return false;
    size_t n = or_slot_count(d->g, id);
    for (size_t s = 0; s < n; s++)
        if (or_slot_get(d->g, id, s) != OR_NONE)
            return true;
    return false;
}

/* ---------------------------------------------------------------------------------------
 * Operations. Each changes the heap and the oracle the same way.
 */

/* ---------------------------------------------------------------------------------------
 * The model of one collection of generation gen (src/gc.c sections 3-5): the collected set
 * S is the tracked containers of generation <= gen; everything else (held nodes, older or
 * untracked or atomic nodes) is outside and its references are roots. The members of S not
 * reachable from those roots are the garbage: the collection must find exactly them, free
 * them, and move the rest of S up one generation.
 */

static bool in_collected_set(const diff *d, size_t id, int gen)
{
    return or_exists(d->g, (int)id) && !d->untracked[id] && d->kind[id] < K_CONTAINERS &&
           d->gen[id] <= gen;
}

/* Marks the garbage a collection of gen frees in must_free and the phoenixes it
 * resurrects in rez_expect; returns how many it frees (what it counts), and the size of the
 * collected set in *set_size. The garbage is the set's members nothing outside it reaches;
 * its unfinalized phoenixes are resurrected and keep what they reach (CPython 3.9+). */
static size_t expected_garbage(diff *d, int gen, size_t *set_size)
{
    size_t n = or_size(d->g), count = 0;
    bool any_rez = false;
    *set_size = 0;
    for (size_t id = 0; id < n; id++)
        *set_size += in_collected_set(d, id, gen);
    for (size_t id = 0; id < n; id++)
        d->scratch[id] = or_exists(d->g, (int)id) && !in_collected_set(d, id, gen);
    or_reachable_from(d->g, d->scratch, d->reach_wide);
    for (size_t id = 0; id < n; id++) {
        d->must_free[id] = in_collected_set(d, id, gen) && !d->reach_wide[id];
        d->rez_expect[id] = d->must_free[id] && d->kind[id] == K_PHOENIX && !d->finalized[id];
        any_rez |= d->rez_expect[id];
    }
    if (any_rez) {
        for (size_t id = 0; id < n; id++)
            d->scratch[id] = d->scratch[id] || d->rez_expect[id];
        or_reachable_from(d->g, d->scratch, d->reach_wide);
        for (size_t id = 0; id < n; id++)
            d->must_free[id] = d->must_free[id] && !d->reach_wide[id];
    }
    for (size_t id = 0; id < n; id++)
        count += d->must_free[id];
    return count;
}

static void promote(diff *d, int gen)
{
    size_t n = or_size(d->g);
    for (size_t id = 0; id < n; id++)
        if (in_collected_set(d, id, gen))
            d->gen[id] = (unsigned char)(gen < 2 ? gen + 1 : 2);
}

static void stats_snapshot(diff *d, uint64_t collections[3], uint64_t collected[3])
{
    for (int g = 0; g < 3; g++) {
        collections[g] = rt_collections(d->heap, g);
        collected[g] = rt_collected(d->heap, g);
    }
}

/* What a collection of gen does to the counts and the long-lived figures. */
static void model_collected(diff *d, int gen, size_t set_size, size_t garbage)
{
    if (gen == 2) {
        d->m_ll_pending = 0;
        d->m_ll_total = set_size - garbage;
    } else if (gen == 1) {
        d->m_ll_pending += set_size - garbage;
    }
    if (gen < 2)
        d->m_count[gen + 1]++;
    for (int g = 0; g <= gen; g++)
        d->m_count[g] = 0;
}

/* The generation an allocation of a tracked object collects, or -1 (get_count()[0] has
 * been incremented already). The oldest generation over its threshold goes, except that a
 * full collection waits while promotions since the last are under a quarter of what it
 * left. */
static int model_schedule(const diff *d)
{
    bool due = d->m_enabled && d->m_thr[0] > 0 && d->m_count[0] > d->m_thr[0];
    if (!d->m_stress && !due)
        return -1;
    for (int i = 2; i >= 0; i--) {
        if (d->m_count[i] > d->m_thr[i]) {
            if (i == 2 && d->m_ll_pending < d->m_ll_total / 4)
                continue;
            return i;
        }
    }
    return d->m_stress ? 0 : -1;
}

static void check_counts(diff *d)
{
    if (!d->sched)
        return;
    rt_gens c = rt_gc_count(d->heap);
    DCHECK(d, c.n[0] == d->m_count[0] && c.n[1] == d->m_count[1] && c.n[2] == d->m_count[2],
           "rc_gc_get_count %zu %zu %zu, the model says %zu %zu %zu", c.n[0], c.n[1], c.n[2],
           d->m_count[0], d->m_count[1], d->m_count[2]);
}

/* Call before a constructor: remembers the collection counts. */
static void before_alloc(diff *d)
{
    stats_snapshot(d, d->pre_collections, d->pre_collected);
}

/* Call right after a constructor of kind k, before the model learns of the new node: the
 * allocation ran the collection the schedule says (none for atomic kinds), which found
 * exactly the model's garbage (rc_gc_stats.collected) and promoted the survivors. */
static void after_alloc(diff *d, node_kind k)
{
    uint64_t coll[3], got[3];
    int predicted = -1;
    if (k < K_CONTAINERS) {
        d->m_count[0]++;
        predicted = model_schedule(d);
    }
    stats_snapshot(d, coll, got);
    int which = -1, runs = 0;
    for (int g = 0; g < 3; g++) {
        if (coll[g] != d->pre_collections[g]) {
            runs += (int)(coll[g] - d->pre_collections[g]);
            which = g;
        }
    }
    if (d->sched)
        DCHECK(d, which == predicted,
               "the allocation collected generation %d, the schedule says %d (counts %zu %zu "
               "%zu, thresholds %zu %zu %zu, long-lived %zu pending %zu)",
               which, predicted, d->m_count[0], d->m_count[1], d->m_count[2], d->m_thr[0],
               d->m_thr[1], d->m_thr[2], d->m_ll_total, d->m_ll_pending);
    if (runs == 0)
        return;
    DCHECK(d, runs == 1, "one allocation ran %d collections", runs);
    if (d->cand) {
        /* What a partial run examines is not modelled: sync checks that it freed only
         * unreachable nodes; phoenixes it resurrected are held now. */
        absorb(d);
        d->t.auto_collections++;
        return;
    }
    size_t set_size;
    size_t garbage = expected_garbage(d, which, &set_size);
    DCHECK(d, got[which] - d->pre_collected[which] == garbage,
           "automatic collection of generation %d found %" PRIu64 ", the model says %zu", which,
           got[which] - d->pre_collected[which], garbage);
    absorb_collection(d);
    promote(d, which);
    model_collected(d, which, set_size, garbage);
    d->t.auto_collections++;
}

static int add_node(diff *d, node_kind k, size_t n_slots, rc_object *o)
{
    int id = or_add(d->g, n_slots);
    d->t.nodes++;
    grow_arrays(d, (size_t)id + 1);
    d->obj[id] = o;
    d->kind[id] = k;
    d->tracked_before[id] = false;
    d->reach[id] = false; /* not a candidate for the rest of this operation */
    d->untracked[id] = false;
    d->gen[id] = 0;
    d->must_free[id] = false;
    or_hold_add(d->g, id, 1);
    d->n_live++;
    return id;
}

static void op_create(diff *d)
{
    /* One node in five is an atomic leaf. */
    node_kind k = rt_rng_below(&d->rng, 5) == 0
                      ? (node_kind)(K_CONTAINERS + rt_rng_below(&d->rng, K_COUNT - K_CONTAINERS))
                      : (node_kind)rt_rng_below(&d->rng, K_CONTAINERS);
    int id = (int)or_size(d->g);
    rc_heap *h = d->heap;
    snprintf(d->what, sizeof d->what, "create %s %d", kind_names[k], id);
    /* A constructor may collect: its arguments must be reachable (or_reachable is current:
     * sync ran after the previous operation). */
    if (k >= K_CONTAINERS) {
        char text[32];
        snprintf(text, sizeof text, "n%d", id);
        before_alloc(d);
        rc_object *o = k == K_FLOAT ? rc_float_new(h, (double)id)
                       : k == K_STR ? rc_str_from_cstr(h, text)
                                    : rc_int_new(h, BIGINT_BASE + id);
        after_alloc(d, k);
        DCHECK(d, o != NULL && rc_is_heap_object(o), "creating a %s: %s", kind_names[k],
               rc_heap_errmsg(h));
        add_node(d, k, 0, o);
    } else if (k == K_PAIR || k == K_PHOENIX) {
        before_alloc(d);
        rc_object *o = rt_pair_new(h, k == K_PAIR ? d->pair : d->phoenix, id);
        after_alloc(d, k);
        add_node(d, k, 2, o);
    } else if (k == K_BAG) {
        before_alloc(d);
        rc_object *o = rt_bag_new(h, d->bag, id);
        if (d->p->arrays)
            ((array_bag *)o)->n = RT_BAG_SLOTS - 1;
        after_alloc(d, k);
        add_node(d, k, RT_BAG_SLOTS, o);
    } else if (k == K_TUPLE) {
        rc_object *items[4];
        int targets[3];
        size_t fan = rt_rng_below(&d->rng, 4);
        items[0] = small(d, id);
        for (size_t i = 0; i < fan; i++) {
            targets[i] = pick(d, is_reachable);
            if (targets[i] < 0) {
                fan = i;
                break;
            }
            items[i + 1] = d->obj[targets[i]];
        }
        before_alloc(d);
        rc_object *t = rc_tuple_new(h, fan + 1, items);
        after_alloc(d, k);
        DCHECK(d, t != NULL, "rc_tuple_new: %s", rc_heap_errmsg(h));
        int nid = add_node(d, k, fan, t);
        for (size_t i = 0; i < fan; i++)
            or_slot_set(d->g, nid, i, targets[i]);
    } else if (k == K_LIST) {
        size_t hint = rt_rng_below(&d->rng, 3);
        before_alloc(d);
        rc_object *l = rc_list_new(h, hint);
        after_alloc(d, k);
        DCHECK(d, l != NULL, "rc_list_new: %s", rc_heap_errmsg(h));
        DCHECK(d, rc_list_append(h, l, small(d, id)) == RC_OK, "append id");
        add_node(d, k, 0, l);
        size_t fan = rt_rng_below(&d->rng, 4);
        for (size_t i = 0; i < fan; i++) {
            int t = pick(d, is_reachable);
            if (t < 0)
                break;
            DCHECK(d, rc_list_append(h, l, d->obj[t]) == RC_OK, "append");
            or_slot_append(d->g, id, t);
        }
    } else {
        before_alloc(d);
        rc_object *m = rc_dict_new(h);
        after_alloc(d, k);
        DCHECK(d, m != NULL, "rc_dict_new: %s", rc_heap_errmsg(h));
        DCHECK(d, rc_dict_set(h, m, small(d, 0), small(d, id)) == RC_OK, "dict id");
        add_node(d, k, 0, m);
        size_t fan = rt_rng_below(&d->rng, 4);
        for (size_t i = 0; i < fan; i++) {
            int t = pick(d, is_reachable);
            if (t < 0)
                break;
            DCHECK(d, rc_dict_set(h, m, small(d, (int64_t)i + 1), d->obj[t]) == RC_OK, "set");
            or_slot_append(d->g, id, t);
        }
    }
}

static void op_link(diff *d)
{
    int from = pick(d, is_mutable);
    int to = pick(d, NULL);
    if (from < 0 || to < 0)
        return;
    rc_heap *h = d->heap;
    rc_object *f = d->obj[from], *t = d->obj[to];
    size_t n = or_slot_count(d->g, from);
    size_t s;
    switch (d->kind[from]) {
    case K_PAIR:
    case K_PHOENIX:
        s = rt_rng_below(&d->rng, 2);
        rt_pair_set(h, f, (int)s, t);
        or_slot_set(d->g, from, s, to);
        break;
    case K_BAG:
        s = rt_rng_below(&d->rng, RT_BAG_SLOTS);
        bag_set(d, f, s, t);
        or_slot_set(d->g, from, s, to);
        break;
    case K_LIST:
        s = rt_rng_below(&d->rng, (uint32_t)n + 1);
        if (s == n) {
            DCHECK(d, rc_list_append(h, f, t) == RC_OK, "append: %s", rc_heap_errmsg(h));
            or_slot_append(d->g, from, to);
        } else if (rt_rng_below(&d->rng, 3) == 0) {
            DCHECK(d, rc_list_insert(h, f, (int64_t)s + 1, t) == RC_OK, "insert: %s",
                   rc_heap_errmsg(h));
            or_slot_insert(d->g, from, s, to);
        } else {
            DCHECK(d, rc_list_set(h, f, (int64_t)s + 1, t) == RC_OK, "set: %s", rc_heap_errmsg(h));
            or_slot_set(d->g, from, s, to);
        }
        break;
    case K_DICT:
        s = rt_rng_below(&d->rng, (uint32_t)n + 1);
        DCHECK(d, rc_dict_set(h, f, small(d, (int64_t)s + 1), t) == RC_OK, "dict set: %s",
               rc_heap_errmsg(h));
        if (s == n)
            or_slot_append(d->g, from, to);
        else
            or_slot_set(d->g, from, s, to);
        break;
    default:
        return;
    }
    snprintf(d->what, sizeof d->what, "link %s %d slot %zu -> %s %d", kind_names[d->kind[from]],
             from, s, kind_names[d->kind[to]], to);
}

static void op_unlink(diff *d)
{
    int from = pick(d, has_edge);
    if (from < 0)
        return;
    rc_heap *h = d->heap;
    rc_object *f = d->obj[from];
    size_t n = or_slot_count(d->g, from);
    size_t s = rt_rng_below(&d->rng, (uint32_t)n);
    while (or_slot_get(d->g, from, s) == OR_NONE)
        s = (s + 1) % n;
    int to = or_slot_get(d->g, from, s);
    snprintf(d->what, sizeof d->what, "unlink %s %d slot %zu (-> %d)", kind_names[d->kind[from]],
             from, s, to);
    switch (d->kind[from]) {
    case K_PAIR:
    case K_PHOENIX:
        or_slot_set(d->g, from, s, OR_NONE);
        rt_pair_set(h, f, (int)s, NULL);
        break;
    case K_BAG:
        or_slot_set(d->g, from, s, OR_NONE);
        bag_set(d, f, s, NULL);
        break;
    case K_LIST: {
        rc_object *out = NULL;
        DCHECK(d, rc_list_pop(h, f, (int64_t)s + 1, &out) == RC_OK, "pop: %s", rc_heap_errmsg(h));
        DCHECK(d, out == d->obj[to], "pop returned another object");
        or_slot_pop(d->g, from, s);
        /* The popped reference is ours: keep it as a hold or release it. */
        if (rt_rng_below(&d->rng, 2)) {
            or_hold_add(d->g, to, 1);
        } else {
            rc_decref(h, out);
        }
        break;
    }
    case K_DICT:
        or_slot_set(d->g, from, s, OR_NONE);
        DCHECK(d, rc_dict_del(h, f, small(d, (int64_t)s + 1)) == RC_OK, "dict del: %s",
               rc_heap_errmsg(h));
        break;
    default:
        break;
    }
}

static void op_hold(diff *d)
{
    int id = pick(d, NULL);
    if (id < 0)
        return;
    snprintf(d->what, sizeof d->what, "hold %s %d", kind_names[d->kind[id]], id);
    rc_incref(d->obj[id]);
    or_hold_add(d->g, id, 1);
}

static void op_drop(diff *d)
{
    int id = pick(d, is_held);
    if (id < 0)
        return;
    snprintf(d->what, sizeof d->what, "drop %s %d", kind_names[d->kind[id]], id);
    or_hold_add(d->g, id, -1);
    rc_decref(d->heap, d->obj[id]);
}

static void op_collect(diff *d, int gen)
{
    snprintf(d->what, sizeof d->what, "rc_collect(%d)", gen);
    size_t n = or_size(d->g);
    bool any_untracked = false;
    for (size_t id = 0; id < n; id++) {
        d->tracked_before[id] = or_exists(d->g, (int)id) && rc_gc_is_tracked(d->heap, d->obj[id]);
        any_untracked |= or_exists(d->g, (int)id) && d->untracked[id];
    }
    /* Untracked nodes are never examined: what they reach survives (src/gc.c section 1). */
    or_reachable_from(d->g, d->untracked, d->reach_wide);
    bool *wide = calloc(n ? n : 1, sizeof *wide);
    assert_non_null(wide);
    memcpy(wide, d->reach_wide, n * sizeof *wide);
    size_t set_size;
    size_t garbage = expected_garbage(d, gen, &set_size);
    uint64_t before = rt_collections(d->heap, gen);
    int64_t found = rc_collect(d->heap, gen);
    /* Under the candidate schedule the members of generations 0 and 1 are not modelled;
     * a full collection's garbage still is exactly the unreachable set. */
    DCHECK(d, found == (int64_t)garbage || (d->cand && gen < 2 && found >= 0),
           "rc_collect(%d) returned %" PRId64 ", the model says %zu", gen, found, garbage);
    if (d->cand && gen < 2) {
        memset(d->must_free, 0, n * sizeof *d->must_free);
        memset(d->rez_expect, 0, n * sizeof *d->rez_expect);
    }
    absorb_collection(d);
    /* What the resurrected phoenixes reach survives too (they are held now). */
    or_reachable_from(d->g, d->untracked, wide);
    promote(d, gen);
    DCHECK(d, found >= 0, "rc_collect returned %" PRId64 ": %s", found, rc_heap_errmsg(d->heap));
    DCHECK(d, rt_collections(d->heap, gen) == before + 1, "collections of generation %d", gen);
    size_t freed, freed_tracked;
    d->in_collection = true;
    sync(d, &freed, &freed_tracked);
    d->in_collection = false;
    model_collected(d, gen, set_size, garbage);
    check_counts(d);
    d->t.explicit_collections++;
    d->t.freed_by_collections += freed;
    /* Survivors moved up: the collected generations are empty (nothing allocated since). */
    rt_gens gs = rt_gen_sizes(d->heap);
    /* (Under the candidate schedule user code run by the collection may leave candidates,
     * buffered once it ends: generation 1 need not be empty.) */
    for (int g = 0; g <= gen && g < 2 && !d->cand; g++)
        DCHECK(d, gs.n[g] == 0, "generation %d holds %zu objects after rc_collect(%d)", g, gs.n[g],
               gen);
    for (size_t id = 0; id < n; id++)
        d->tracked_before[id] = false;
    if (gen == 2 && !any_untracked) {
        DCHECK(d, (uint64_t)found == freed_tracked,
               "full collection returned %" PRId64 ", freed %zu tracked nodes (%zu in all)", found,
               freed_tracked, freed);
        for (size_t id = 0; id < n; id++)
            DCHECK(d, !or_exists(d->g, (int)id) || d->reach[id],
                   "unreachable node %zu (%s) survived a full collection", id,
                   kind_names[d->kind[id]]);
    } else if (gen == 2) {
        /* An untracked node freed by the collection's cascade may leave what only it
         * reached for the next collection, and found excludes such nodes. */
        DCHECK(d, (uint64_t)found <= freed_tracked,
               "full collection returned %" PRId64 ", freed %zu tracked nodes", found,
               freed_tracked);
        for (size_t id = 0; id < n; id++)
            DCHECK(d, !or_exists(d->g, (int)id) || wide[id],
                   "node %zu (%s), unreachable from holds and untracked nodes, survived a full "
                   "collection",
                   id, kind_names[d->kind[id]]);
    } else {
        DCHECK(d, (uint64_t)found <= freed, "collection returned %" PRId64 " but freed %zu nodes",
               found, freed);
        /* rt_diff_params.complete: the candidates and their neighbourhood hold every
         * garbage cycle. */
        for (size_t id = 0; gen == 1 && d->p->complete && !d->untrack_seen && id < n; id++)
            DCHECK(d, !or_exists(d->g, (int)id) || d->reach[id],
                   "unreachable node %zu (%s) survived rc_collect(1)", id, kind_names[d->kind[id]]);
    }
    free(wide);
    check_heap(d);
}

static void op_track_toggle(diff *d)
{
    bool retrack = rt_rng_below(&d->rng, 10) < 7;
    int id = -1;
    size_t n = or_size(d->g);
    for (size_t i = 0; retrack && i < n; i++)
        if (or_exists(d->g, (int)i) && d->untracked[i])
            id = (int)i;
    if (id < 0)
        id = pick(d, is_container);
    if (id < 0)
        return;
    snprintf(d->what, sizeof d->what, "%s %s %d", d->untracked[id] ? "track" : "untrack",
             kind_names[d->kind[id]], id);
    if (d->untracked[id])
        rc_gc_track(d->heap, d->obj[id]);
    else
        rc_gc_untrack(d->heap, d->obj[id]);
    d->untracked[id] = !d->untracked[id];
    d->untrack_seen = true;
    d->gen[id] = 0; /* rc_gc_track starts it young */
}

static void op_configure(diff *d)
{
    static const size_t t0s[] = {0, 1, 2, 3, 5, 8, 13, 700};
    static const size_t t12s[] = {0, 1, 2, 3, 10};
    if (rt_rng_below(&d->rng, 2)) {
        bool on = rt_rng_below(&d->rng, 2);
        snprintf(d->what, sizeof d->what, "gc %s", on ? "enable" : "disable");
        if (on)
            rc_gc_enable(d->heap);
        else
            rc_gc_disable(d->heap);
        d->m_enabled = on;
        DCHECK(d, rc_gc_is_enabled(d->heap) == on, "rc_gc_is_enabled");
    } else {
        size_t t0 = t0s[rt_rng_below(&d->rng, 8)];
        size_t t1 = t12s[rt_rng_below(&d->rng, 5)];
        size_t t2 = t12s[rt_rng_below(&d->rng, 5)];
        if (d->p->complete)
            t2 = d->p->max_nodes; /* no neighbourhood budget runs out */
        snprintf(d->what, sizeof d->what, "threshold %zu %zu %zu", t0, t1, t2);
        DCHECK(d, rc_gc_set_threshold(d->heap, t0, t1, t2) == RC_OK, "rc_gc_set_threshold");
        d->m_thr[0] = t0;
        d->m_thr[1] = t1;
        d->m_thr[2] = t2;
    }
}

/* Collections rc_collect_step ran, over every graph of the process (test code: a
 * writable static is fine here). */
static uint64_t step_collections;

uint64_t rt_diff_step_collections(void)
{
    return step_collections;
}

/* Release slices (src/gc.c section 9, DOOMED) in the graphs so far (test code). */
static uint64_t release_slices;

uint64_t rt_diff_release_slices(void)
{
    return release_slices;
}

static uint64_t all_collections(diff *d)
{
    return rt_collections(d->heap, 0) + rt_collections(d->heap, 1) + rt_collections(d->heap, 2);
}

/* Increments of the incremental collection between operations (src/gc.c section 9): a
 * step may end the collection, which frees only unreachable nodes (sync) and may
 * resurrect phoenixes (absorb); a step that does not end it frees nothing. */
static void op_steps(diff *d)
{
    uint32_t k = rt_rng_below(&d->rng, 4);
    for (uint32_t i = 0; i < k; i++) {
        snprintf(d->what, sizeof d->what, "rc_collect_step %u of %u", i + 1, k);
        uint64_t before = all_collections(d);
        size_t live = d->n_live;
        (void)rc_collect_step(d->heap, 0);
        uint64_t ran = all_collections(d) - before;
        DCHECK(d, ran <= 1, "one step ran %" PRIu64 " collections", ran);
        d->t.auto_collections += ran;
        step_collections += ran;
        absorb(d);
        sync(d, NULL, NULL);
        DCHECK(d, ran == 1 || d->n_live == live, "a step that ended no collection freed %zu nodes",
               live - d->n_live);
        check_heap(d);
    }
}

/* ---------------------------------------------------------------------------------------
 * One graph
 */

static int record_base(rc_heap *heap, rc_object *obj, void *user)
{
    (void)heap;
    diff *d = user;
    d->base = xrealloc(d->base, (d->n_base + 1) * sizeof *d->base);
    d->base[d->n_base++] = obj;
    return 0;
}

/* LOOK-PAYS (src/gc.c, section 5a): ACYCLIC-NOW's look is taken per type while it pays.
 * In one graph in two under the candidate schedule (the seed's top bit), 16 young
 * containers of each kind holding a tracked list are dropped to count 1, then freed,
 * before the graph starts: each kind's look starts off, so the graph's young candidates,
 * acyclic or not, are buffered unseen until a sample finds an acyclic one. Automatic
 * collection is off meanwhile (not in stress mode, which collects all the same: no priming
 * there); the graph's base counts are taken after. */
static void prime_looks_off(diff *d)
{
    rc_heap *h = d->heap;
    bool on = rc_gc_is_enabled(h);
    rc_gc_disable(h);
    for (int round = 0; round < 16; round++) {
        /* inner becomes a candidate first (a list holding a list: a miss for lists), so
         * that the drops below leave it alone (generation 1 is not buffered again). */
        rc_object *inner = rc_list_new(h, 1), *o[5];
        assert_non_null(inner);
        rc_object *inner2 = rc_list_new(h, 0);
        assert_non_null(inner2);
        assert_int_equal(rc_list_append_steal(h, inner, inner2), RC_OK);
        rc_incref(inner);
        rc_decref(h, inner);
        o[0] = rt_pair_new(h, d->pair, -1);
        rt_pair_set(h, o[0], 0, inner);
        o[1] = rt_bag_new(h, d->bag, -1);
        if (d->p->arrays)
            ((array_bag *)o[1])->n = RT_BAG_SLOTS - 1;
        bag_set(d, o[1], 0, inner);
        o[2] = rc_list_new(h, 1);
        assert_non_null(o[2]);
        assert_int_equal(rc_list_append(h, o[2], inner), RC_OK);
        o[3] = rc_tuple_new(h, 1, &inner);
        assert_non_null(o[3]);
        o[4] = rc_dict_new(h);
        assert_non_null(o[4]);
        assert_int_equal(rc_dict_set(h, o[4], small(d, 0), inner), RC_OK);
        for (int k = 0; k < 5; k++) {
            rc_incref(o[k]);
            rc_decref(h, o[k]); /* count 1: a look that finds a tracked object */
            rc_decref(h, o[k]);
        }
        rc_decref(h, inner);
    }
    if (on)
        rc_gc_enable(h);
}

static void graph_setup(diff *d)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.gc_disabled = rt_rng_below(&d->rng, 4) == 0;
    static const size_t t0s[] = {1, 2, 3, 5, 10, 50};
    cfg.threshold[0] = t0s[rt_rng_below(&d->rng, 6)];
    cfg.threshold[1] = 1 + rt_rng_below(&d->rng, 3);
    cfg.threshold[2] = 1 + rt_rng_below(&d->rng, 3);
    cfg.schedule = d->cand ? RC_GC_SCHEDULE_CANDIDATES : RC_GC_SCHEDULE_GENERATIONAL;
    if (d->p->stress)
        cfg.stress = true;
    if (d->p->short_pauses) {
        static const size_t big_t0s[] = {50, 300, 600};
        cfg.pause_budget_ns = 1;
        cfg.threshold[0] = big_t0s[rt_rng_below(&d->rng, 3)]; /* runs over 256 candidates */
    }
    d->heap = rt_heap_new_cfg(&cfg);
    for (int g = 0; g < 3; g++)
        d->m_thr[g] = cfg.threshold[g];
    d->m_enabled = !cfg.gc_disabled;
    d->m_stress = cfg.stress;
    d->pair = rt_pair_type(d->heap);
    d->bag = d->p->arrays ? array_bag_type(d->heap) : rt_bag_type(d->heap);
    d->list = rc_heap_builtin_list(d->heap);
    d->tuple = rc_heap_builtin_tuple(d->heap);
    d->dict = rc_heap_builtin_dict(d->heap);
    d->phoenix = phoenix_type(d->heap);
    if (d->cand && !d->m_stress && (d->seed >> 63) != 0)
        prime_looks_off(d);
    d->g = or_new();
    assert_int_equal(rc_heap_visit(d->heap, record_base, d), 0);
    d->base_live_objects = rt_live_objects(d->heap);
    d->base_tracked_objects = rt_tracked_objects(d->heap);
    rt_gens c0 = rt_gc_count(d->heap);
    d->sched =
        !d->cand && d->base_tracked_objects == 0 && c0.n[0] == 0 && c0.n[1] == 0 && c0.n[2] == 0;
}

static void graph_teardown(diff *d)
{
    snprintf(d->what, sizeof d->what, "teardown: track every node, drop every hold");
    size_t n = or_size(d->g);
    for (size_t id = 0; id < n; id++) {
        if (or_exists(d->g, (int)id) && d->untracked[id]) {
            rc_gc_track(d->heap, d->obj[id]);
            d->gen[id] = 0;
        }
        d->untracked[id] = false;
    }
    /* A held node cannot be freed before its last hold goes, so obj[id] stays valid. Each
     * round may resurrect phoenixes (dying by counting or in the collection), which hold
     * themselves and keep what they reach, other phoenixes included; a phoenix resurrects
     * once, so each round but the last resurrects at least one and the rounds end. */
    size_t rounds = 2;
    for (size_t id = 0; id < n; id++)
        rounds += or_exists(d->g, (int)id) && d->kind[id] == K_PHOENIX && !d->finalized[id];
    for (size_t round = 0; round < rounds && d->n_live > 0; round++) {
        for (size_t id = 0; id < n; id++) {
            if (!or_exists(d->g, (int)id))
                continue;
            while (or_holds(d->g, (int)id) > 0) {
                or_hold_add(d->g, (int)id, -1);
                rc_decref(d->heap, d->obj[id]);
            }
        }
        absorb(d);
        sync(d, NULL, NULL);
        op_collect(d, 2);
    }
    DCHECK(d, d->n_live == 0, "%zu nodes survive with no holds", d->n_live);
    DCHECK(d, rt_live_objects(d->heap) == d->base_live_objects, "live objects after teardown");
    uint64_t all = 0;
    for (int g = 0; g < 3; g++)
        all += rt_collections(d->heap, g);
    DCHECK(d, all - d->t.explicit_collections == d->t.auto_collections,
           "%" PRIu64 " collections ran, %" PRIu64 " explicit and %" PRIu64
           " seen during allocations",
           all, d->t.explicit_collections, d->t.auto_collections);
    d->t.graphs = 1;
    d->t.ops = d->op;
    rc_gc_pause_stats ps;
    memset(&ps, 0, sizeof ps);
    ps.size = sizeof ps;
    if (rc_gc_get_pause_stats(d->heap, &ps) == RC_OK)
        release_slices += ps.release_slices;
    rt_heap_finish(d->heap);
    or_free(d->g);
    free(d->obj);
    free(d->kind);
    free(d->reach);
    free(d->reach_wide);
    free(d->untracked);
    free(d->gen);
    free(d->must_free);
    free(d->scratch);
    free(d->finalized);
    free(d->rez_expect);
    free(d->rez);
    free(d->tracked_before);
    free(d->expect);
    free(d->seen);
    free(d->base);
}

void rt_diff_run_one(uint64_t seed, const rt_diff_params *p, rt_diff_totals *totals)
{
    diff d;
    memset(&d, 0, sizeof d);
    d.p = p;
    d.cand = p->candidates;
    d.seed = seed;
    crash_seed = seed;
    cur_diff = &d;
    rt_rng_seed(&d.rng, seed);
    graph_setup(&d);
    grow_arrays(&d, 1);
    snprintf(d.what, sizeof d.what, "start");
    sync(&d, NULL, NULL);
    for (d.op = 0; d.op < p->n_ops; d.op++) {
        if (p->increments)
            op_steps(&d);
        uint32_t r = rt_rng_below(&d.rng, 100);
        bool room = or_size(d.g) < p->max_nodes;
        if (r < 23 && room) {
            d.in_collection = true; /* a create frees nothing outside its collection */
            op_create(&d);
        } else if (r < 49)
            op_link(&d);
        else if (r < 63)
            op_unlink(&d);
        else if (r < 71)
            op_hold(&d);
        else if (r < 87)
            op_drop(&d);
        else if (r < 95 && p->short_pauses && rt_rng_below(&d.rng, 16) != 0)
            op_drop(&d); /* automatic runs over many candidates: rare rc_collect */
        else if (r < 95) {
            op_collect(&d, (int)rt_rng_below(&d.rng, 3));
            continue;
        } else if (r < 97)
            op_track_toggle(&d);
        else
            op_configure(&d);
        /* Where an operation had nothing to work on it did nothing; sync anyway. */
        absorb(&d);
        sync(&d, NULL, NULL);
        d.in_collection = false;
        check_counts(&d);
        check_heap(&d);
    }
    graph_teardown(&d);
    if (totals) {
        totals->graphs += d.t.graphs;
        totals->ops += d.t.ops;
        totals->nodes += d.t.nodes;
        totals->explicit_collections += d.t.explicit_collections;
        totals->auto_collections += d.t.auto_collections;
        totals->freed_by_collections += d.t.freed_by_collections;
        totals->freed_otherwise += d.t.freed_otherwise;
        totals->resurrected += d.t.resurrected;
    }
    cur_diff = NULL;
}

void rt_diff_run(const rt_diff_params *p)
{
    bool replay = false;
    uint64_t seed = rt_env_u64("RCGC_SEED", 0, &replay);
    crash_report_install();
    if (replay) {
        print_message("replaying RCGC_SEED=0x%016" PRIx64 "\n", seed);
        rt_diff_run_one(seed, p, NULL);
        crash_report_remove();
        return;
    }
    rt_diff_totals t;
    memset(&t, 0, sizeof t);
    uint64_t n = rt_env_u64("RCGC_ITERATIONS", p->iterations, NULL);
    for (uint64_t i = 0; i < n; i++)
        rt_diff_run_one(rt_mix64(p->base_seed + i), p, &t);
    crash_report_remove();
    print_message("%" PRIu64 " graphs, %" PRIu64 " operations, %" PRIu64 " nodes; %" PRIu64
                  " rc_collect calls freed %" PRIu64 " nodes; %" PRIu64
                  " automatic collections; %" PRIu64 " nodes freed otherwise; %" PRIu64
                  " phoenixes resurrected\n",
                  t.graphs, t.ops, t.nodes, t.explicit_collections, t.freed_by_collections,
                  t.auto_collections, t.freed_otherwise, t.resurrected);
    /* The workload must reach every path it is meant to test. */
    assert_true(t.freed_by_collections > 0);
    assert_true(t.auto_collections > 0);
    assert_true(t.freed_otherwise > 0);
    assert_true(t.resurrected > 0);
}
