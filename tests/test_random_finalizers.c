/*
 * test_random_finalizers.c -- the randomized differential test extended with finalizers
 * (some resurrecting) and weak references. Random create / link / hold / drop / unkeep /
 * weakref / collect sequences run against rcgc and against a model kept here (a plain
 * graph with reachability by search; it shares no code with src/), compared after every
 * operation:
 *  - each finalizer ran at most once, only on an unreachable node, and exactly when the
 *    model says for deaths by counting and for full collections;
 *  - the live nodes are exactly the model's after counting and after full collections
 *    (reachable from the held nodes and the resurrected ones), a subset of the unreachable
 *    ones died after a younger collection, and every count is exact;
 *  - every weakref or weak proxy to a freed node is dead and its callback ran once; every
 *    one to a live node works unless the node was garbage when a collection cleared it
 *    (CPython clears weakrefs to garbage before finalizers, resurrected or not), and
 *    rc_weakref_count counts the live ones;
 *  - nodes with a legacy finalizer (tp_del) run it at every death by counting and never
 *    in a collection: a full collection keeps exactly the garbage they reach (the model's
 *    closure) as uncollectable, untouched (no finalizer, no weakref cleared), counts it in
 *    get_stats, and appends exactly the legacy nodes of it to rc_gc_garbage, whose
 *    references the model counts; a younger collection appends only unreachable legacy
 *    nodes; emptying rc_gc_garbage (an operation) lets counting free them;
 *  - a holder (a user type by reference offsets or by traverse, a tuple, a list or a dict)
 *    holding a new weakref or proxy with a callback and a node, in either order, dies by
 *    counting: the callback runs once exactly when the node dies before the weakref
 *    (holders release their references in a fixed order: rcgc.h), never after the weakref
 *    died; the node may be the holder's last reference;
 *  - rc_heap_check says RC_OK.
 * A failure prints the seed: RCGC_SEED=<seed> replays it, RCGC_ITERATIONS=<n> runs more.
 */
#include "rctest.h"

#include <stdio.h>
#include <string.h>

#define MAX_NODES 48
#define MAX_WRS 32
#define SLOTS 3

typedef struct rnode {
    rc_object hdr;
    rc_object *slot[SLOTS];
    int64_t id;
    bool resurrect;
} rnode;

typedef struct mnode {
    bool exists; /* created and not freed */
    rc_object *obj;
    bool fin;        /* its type has a finalizer */
    bool legacy;     /* its type has a legacy finalizer instead (never both here) */
    bool in_garbage; /* rc_gc_garbage holds it (once: it is alive until taken out) */
    bool resurrect;  /* its finalizer stores it in the keep list */
    bool finalized;
    bool kept; /* in the keep list (at most once: finalizers run once) */
    int holds;
    int slot[SLOTS];
} mnode;

typedef struct mwr {
    rc_object *obj; /* NULL: slot unused */
    bool proxy;     /* a weak proxy rather than a weakref */
    int referent;
    bool dead; /* expected cleared */
    int calls; /* callbacks seen */
} mwr;

typedef struct world {
    rc_heap *heap;
    const rc_type *plain, *finty, *legty;
    const rc_type *hold2, *hold3, *holdt; /* holders: 2 and 3 offsets, traverse/clear */
    rc_object *keep;
    mnode n[MAX_NODES];
    int n_nodes;
    mwr w[MAX_WRS];
    int fin_log[4 * MAX_NODES];
    int fin_count;
    int leg_log[4 * MAX_NODES]; /* legacy finalizer calls, by node id */
    int leg_count;
    uint64_t seed;
    bool tearing_down; /* finalizers no longer resurrect (the keep list is going) */
    int with_release;  /* weakrefs made with a release function (issue 16, item 6) */
    int released;      /* release calls: each such weakref's, once, by rc_heap_free */
} world;

/* The finalizer needs the world; tests run one at a time. */
static world *cur;

/* What the graphs exercised, printed after the run so that a change which stops the
 * workload from reaching finalizers or weakrefs shows. */
static struct {
    uint64_t finalized, resurrected, collected, wr_callbacks, legacy_calls, uncollectable, proxies,
        holders, holder_callbacks, releases;
} totals;

static void node_legacy(rc_heap *heap, rc_object *self)
{
    (void)heap;
    if (cur->leg_count < 4 * MAX_NODES)
        cur->leg_log[cur->leg_count] = (int)((rnode *)self)->id;
    cur->leg_count++;
    totals.legacy_calls++;
}

static void node_finalize(rc_heap *heap, rc_object *self)
{
    rnode *r = (rnode *)self;
    if (cur->fin_count < 4 * MAX_NODES)
        cur->fin_log[cur->fin_count] = (int)r->id;
    cur->fin_count++;
    totals.finalized++;
    if (r->resurrect && !cur->tearing_down) {
        totals.resurrected++;
        rt_append(heap, cur->keep, self);
    }
}

static void wr_callback(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    mwr *m = user;
    assert_ptr_equal(m->obj, wr);
    m->calls++;
    totals.wr_callbacks++;
}

static void wr_release(rc_heap *heap, void *user)
{
    (void)heap;
    (void)user;
    cur->released++;
    totals.releases++;
}

static const rc_type *node_type(rc_heap *heap, bool fin, bool legacy)
{
    static const size_t offs[SLOTS] = {offsetof(rnode, slot[0]), offsetof(rnode, slot[1]),
                                       offsetof(rnode, slot[2])};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = legacy ? "lnode" : fin ? "fnode" : "rnode";
    spec.instance_bytes = sizeof(rnode);
    spec.ref_offsets = offs;
    spec.n_ref_offsets = SLOTS;
    spec.finalize = fin ? node_finalize : NULL;
    spec.legacy_finalize = legacy ? node_legacy : NULL;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

#define CHECK(w, cond)                                                                             \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_msg("seed 0x%llx: %s (line %d)", (unsigned long long)(w)->seed, #cond, __LINE__); \
    } while (0)

/* ---- the model --------------------------------------------------------------------------- */

static long model_count(const world *w, int id)
{
    long c = w->n[id].holds + (w->n[id].kept ? 1 : 0) + (w->n[id].in_garbage ? 1 : 0);
    for (int j = 0; j < w->n_nodes; j++)
        if (w->n[j].exists)
            for (int s = 0; s < SLOTS; s++)
                c += w->n[j].slot[s] == id;
    return c;
}

static void model_reach(const world *w, bool *reach)
{
    int stack[MAX_NODES], sp = 0;
    memset(reach, 0, MAX_NODES * sizeof *reach);
    for (int i = 0; i < w->n_nodes; i++)
        if (w->n[i].exists && (w->n[i].holds > 0 || w->n[i].kept || w->n[i].in_garbage)) {
            reach[i] = true;
            stack[sp++] = i;
        }
    while (sp > 0) {
        int i = stack[--sp];
        for (int s = 0; s < SLOTS; s++) {
            int t = w->n[i].slot[s];
            if (t >= 0 && !reach[t]) {
                reach[t] = true;
                stack[sp++] = t;
            }
        }
    }
}

/* Legacy finalizers expected by the current operation (deaths by counting). */
static bool expect_leg[MAX_NODES];

/* Deaths by counting after the model lost a reference to id: PEP 442 at count zero, then
 * the weakrefs, then the legacy finalizer (which never resurrects here). */
static void model_release(world *w, int id, bool *expect_fin)
{
    int work[4 * MAX_NODES], wn = 0;
    work[wn++] = id;
    while (wn > 0) {
        int i = work[--wn];
        mnode *m = &w->n[i];
        if (!m->exists || model_count(w, i) > 0)
            continue;
        if (m->fin && !m->finalized) {
            m->finalized = true;
            expect_fin[i] = true;
            if (m->resurrect) {
                m->kept = true;
                continue;
            }
        }
        m->exists = false;
        if (m->legacy)
            expect_leg[i] = true;
        for (int k = 0; k < MAX_WRS; k++)
            if (w->w[k].obj != NULL && w->w[k].referent == i)
                w->w[k].dead = true;
        for (int s = 0; s < SLOTS; s++) {
            int t = m->slot[s];
            m->slot[s] = -1;
            if (t >= 0)
                work[wn++] = t;
        }
    }
}

/* ---- comparison -------------------------------------------------------------------------- */

typedef struct seen {
    world *w;
    bool alive[MAX_NODES];
} seen;

static int see_node(rc_heap *heap, rc_object *obj, void *user)
{
    seen *s = user;
    const rc_type *t = rc_type_of(heap, obj);
    if (t == s->w->plain || t == s->w->finty || t == s->w->legty) {
        int64_t id = ((rnode *)obj)->id;
        CHECK(s->w, id >= 0 && id < s->w->n_nodes && s->w->n[id].obj == obj);
        s->alive[id] = true;
    }
    return 0;
}

static void observe(world *w, bool *alive)
{
    seen s;
    memset(&s, 0, sizeof s);
    s.w = w;
    rc_heap_visit(w->heap, see_node, &s);
    memcpy(alive, s.alive, sizeof s.alive);
}

/* What a weakref or proxy gives now (a new reference, or NULL once its referent died). */
static rc_object *wr_target(world *w, const mwr *m)
{
    if (!m->proxy)
        return rc_weakref_get(w->heap, m->obj);
    rc_heap_clear_error(w->heap);
    rc_object *got = rc_weakproxy_get(w->heap, m->obj);
    CHECK(w, got != NULL || rc_heap_last_error(w->heap) == RC_EREFERENCE);
    return got;
}

static void compare(world *w, const bool *expect_fin, bool exact_alive)
{
    bool fin_seen[MAX_NODES] = {false};
    CHECK(w, w->fin_count <= 4 * MAX_NODES);
    for (int k = 0; k < w->fin_count; k++) {
        int id = w->fin_log[k];
        CHECK(w, !fin_seen[id]); /* at most once */
        fin_seen[id] = true;
    }
    for (int i = 0; i < w->n_nodes; i++)
        CHECK(w, fin_seen[i] == expect_fin[i]);
    w->fin_count = 0;
    bool leg_seen[MAX_NODES] = {false};
    CHECK(w, w->leg_count <= 4 * MAX_NODES);
    for (int k = 0; k < w->leg_count; k++) {
        CHECK(w, !leg_seen[w->leg_log[k]]); /* one death, one call */
        leg_seen[w->leg_log[k]] = true;
    }
    for (int i = 0; i < w->n_nodes; i++)
        CHECK(w, leg_seen[i] == expect_leg[i]);
    w->leg_count = 0;
    bool alive[MAX_NODES];
    observe(w, alive);
    for (int i = 0; i < w->n_nodes; i++) {
        if (exact_alive)
            CHECK(w, alive[i] == w->n[i].exists);
        if (w->n[i].exists) {
            CHECK(w, alive[i]);
            CHECK(w, rc_refcount(w->n[i].obj) == model_count(w, i));
            CHECK(w, rc_gc_is_finalized(w->heap, w->n[i].obj) == w->n[i].finalized);
        }
    }
    for (int k = 0; k < MAX_WRS; k++) {
        mwr *m = &w->w[k];
        if (m->obj == NULL)
            continue;
        rc_object *got = wr_target(w, m);
        if (m->dead) {
            CHECK(w, got == NULL);
            CHECK(w, m->calls == 1);
        } else {
            CHECK(w, got == w->n[m->referent].obj);
            CHECK(w, m->calls == 0);
        }
        rc_decref(w->heap, got);
    }
    for (int i = 0; i < w->n_nodes; i++) {
        if (!w->n[i].exists)
            continue;
        size_t live = 0;
        for (int k = 0; k < MAX_WRS; k++)
            live += w->w[k].obj != NULL && !w->w[k].dead && w->w[k].referent == i;
        CHECK(w, rc_weakref_count(w->heap, w->n[i].obj) == live);
    }
    CHECK(w, rc_heap_check(w->heap) == RC_OK);
}

/* ---- operations -------------------------------------------------------------------------- */

static int pick_live(world *w, rt_rng *rng)
{
    int live[MAX_NODES], n = 0;
    for (int i = 0; i < w->n_nodes; i++)
        if (w->n[i].exists)
            live[n++] = i;
    return n == 0 ? -1 : live[rt_rng_below(rng, (uint32_t)n)];
}

/* ---- holders of a weakref and its referent ------------------------------------------------ */

typedef struct holder {
    rc_object hdr;
    rc_object *f[3];
} holder;

static int holdt_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    holder *h = (holder *)self;
    for (int i = 0; i < 3; i++) {
        int r = visit(heap, h->f[i], arg);
        if (r != 0)
            return r;
    }
    return 0;
}

static void holdt_clear(rc_heap *heap, rc_object *self)
{
    holder *h = (holder *)self;
    for (int i = 0; i < 3; i++) {
        rc_object *o = h->f[i];
        h->f[i] = NULL;
        rc_decref(heap, o);
    }
}

static const rc_type *holder_type(rc_heap *heap, int n_offsets, bool traverse)
{
    static const size_t offs[3] = {offsetof(holder, f[0]), offsetof(holder, f[1]),
                                   offsetof(holder, f[2])};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = traverse ? "holdt" : n_offsets == 2 ? "hold2" : "hold3";
    spec.instance_bytes = sizeof(holder);
    if (traverse) {
        spec.traverse = holdt_traverse;
        spec.clear = holdt_clear;
    } else {
        spec.ref_offsets = offs;
        spec.n_ref_offsets = (size_t)n_offsets;
    }
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

typedef struct holder_cb_log {
    rc_object *wr;
    int calls;
} holder_cb_log;

static void holder_callback(rc_heap *heap, rc_object *wr, void *user)
{
    (void)heap;
    holder_cb_log *log = user;
    assert_ptr_equal(log->wr, wr);
    log->calls++;
    totals.holder_callbacks++;
}

enum { HK_HOLD2, HK_HOLD3, HK_HOLDT, HK_TUPLE, HK_LIST, HK_DICT_VALUES, HK_DICT_ITEM, HK_KINDS };

/* A holder of kind k releasing a before b (new references to both). */
static rc_object *holder_make(world *w, int k, rc_object *a, rc_object *b)
{
    rc_heap *heap = w->heap;
    rc_object *h = NULL;
    if (k == HK_HOLD2 || k == HK_HOLD3 || k == HK_HOLDT) {
        h = rc_new(heap, k == HK_HOLD2 ? w->hold2 : k == HK_HOLD3 ? w->hold3 : w->holdt);
        assert_non_null(h);
        ((holder *)h)->f[0] = rc_newref(a);
        ((holder *)h)->f[k == HK_HOLD2 ? 1 : 2] = rc_newref(b); /* hold3, holdt: None between */
    } else if (k == HK_TUPLE) {
        rc_object *items[2] = {b, a}; /* last item first */
        h = rc_tuple_new(heap, 2, items);
        assert_non_null(h);
    } else if (k == HK_LIST) {
        h = rt_list(heap);
        rt_append(heap, h, b);
        rt_append(heap, h, a);
    } else if (k == HK_DICT_VALUES) {
        h = rt_dict(heap);
        assert_int_equal(rc_dict_set(heap, h, rc_int_new(heap, 7), a), RC_OK);
        assert_int_equal(rc_dict_set(heap, h, rc_int_new(heap, 8), b), RC_OK);
    } else {
        h = rt_dict(heap);
        assert_int_equal(rc_dict_set(heap, h, a, b), RC_OK); /* the key goes first */
    }
    return h;
}

/* A holder {weakref or proxy with a callback to node a, a} in a random order dies by
 * counting; sometimes it holds a's last reference. */
static void op_holder(world *w, rt_rng *rng, bool *expect_fin)
{
    int a = pick_live(w, rng);
    if (a < 0)
        return;
    int k = (int)rt_rng_below(rng, HK_KINDS);
    bool proxy = rt_rng_below(rng, 2) == 0;
    /* A proxy is unhashable: as a dict key it would be refused, so there the node leads. */
    bool weak_first = rt_rng_below(rng, 2) == 0 && !(proxy && k == HK_DICT_ITEM);
    rc_object *obj = w->n[a].obj;
    holder_cb_log log = {NULL, 0};
    rc_object *wr = proxy ? rc_weakproxy_new(w->heap, obj, holder_callback, &log)
                          : rc_weakref_new(w->heap, obj, holder_callback, &log);
    assert_non_null(wr);
    log.wr = wr;
    rc_object *h = weak_first ? holder_make(w, k, wr, obj) : holder_make(w, k, obj, wr);
    rc_decref(w->heap, wr);
    w->n[a].holds++; /* the holder's reference */
    if (w->n[a].holds > 1 && rt_rng_below(rng, 2) == 0) {
        w->n[a].holds--; /* the test's own hold goes: the holder's may be the last */
        rc_decref(w->heap, obj);
    }
    totals.holders++;
    rc_decref(w->heap, h);
    w->n[a].holds--;
    model_release(w, a, expect_fin);
    int expected = !weak_first && !w->n[a].exists ? 1 : 0;
    CHECK(w, log.calls == expected);
}

static void op_create(world *w, rt_rng *rng, bool *expect_fin)
{
    (void)expect_fin;
    if (w->n_nodes == MAX_NODES)
        return;
    int id = w->n_nodes++;
    mnode *m = &w->n[id];
    memset(m, 0, sizeof *m);
    uint32_t kind = rt_rng_below(rng, 6);
    m->legacy = kind == 0;
    m->fin = kind >= 2;
    m->resurrect = m->fin && rt_rng_below(rng, 3) == 0;
    m->obj = rc_new(w->heap, m->legacy ? w->legty : m->fin ? w->finty : w->plain);
    assert_non_null(m->obj);
    ((rnode *)m->obj)->id = id;
    ((rnode *)m->obj)->resurrect = m->resurrect;
    m->exists = true;
    m->holds = 1;
    for (int s = 0; s < SLOTS; s++)
        m->slot[s] = -1;
}

static void op_link(world *w, rt_rng *rng, bool *expect_fin)
{
    int a = pick_live(w, rng);
    if (a < 0)
        return;
    int s = (int)rt_rng_below(rng, SLOTS);
    int b = rt_rng_below(rng, 4) == 0 ? -1 : pick_live(w, rng);
    rnode *r = (rnode *)w->n[a].obj;
    rc_object *old = r->slot[s];
    int old_id = w->n[a].slot[s];
    r->slot[s] = b >= 0 ? rc_newref(w->n[b].obj) : NULL;
    w->n[a].slot[s] = b;
    rc_decref(w->heap, old);
    if (old_id >= 0)
        model_release(w, old_id, expect_fin);
}

static void op_hold(world *w, rt_rng *rng, bool *expect_fin)
{
    (void)expect_fin;
    int a = pick_live(w, rng);
    if (a < 0)
        return;
    rc_incref(w->n[a].obj);
    w->n[a].holds++;
}

static void op_drop(world *w, rt_rng *rng, bool *expect_fin)
{
    int held[MAX_NODES], n = 0;
    for (int i = 0; i < w->n_nodes; i++)
        if (w->n[i].exists && w->n[i].holds > 0)
            held[n++] = i;
    if (n == 0)
        return;
    int a = held[rt_rng_below(rng, (uint32_t)n)];
    w->n[a].holds--;
    rc_decref(w->heap, w->n[a].obj);
    model_release(w, a, expect_fin);
}

static void op_unkeep(world *w, rt_rng *rng, bool *expect_fin)
{
    (void)rng;
    if (rc_list_len(w->heap, w->keep) == 0)
        return;
    rc_object *o = NULL;
    assert_int_equal(rc_list_pop(w->heap, w->keep, -1, &o), RC_OK);
    int id = (int)((rnode *)o)->id;
    CHECK(w, w->n[id].kept && w->n[id].obj == o);
    w->n[id].kept = false;
    rc_decref(w->heap, o);
    model_release(w, id, expect_fin);
}

/* Takes one node out of rc_gc_garbage (gc.garbage.pop()): the model loses that reference. */
static void op_ungarbage(world *w, rt_rng *rng, bool *expect_fin)
{
    (void)rng;
    rc_object *garbage = rc_gc_garbage(w->heap);
    if (rc_list_len(w->heap, garbage) > 0) {
        rc_object *o = NULL;
        assert_int_equal(rc_list_pop(w->heap, garbage, -1, &o), RC_OK);
        int id = (int)((rnode *)o)->id;
        CHECK(w, w->n[id].in_garbage && w->n[id].obj == o);
        w->n[id].in_garbage = false;
        rc_decref(w->heap, o);
        model_release(w, id, expect_fin);
    }
    rc_decref(w->heap, garbage);
}

/* The unreachable nodes (unreach) that garbage with a legacy finalizer reaches: the model
 * of move_legacy_finalizer_reachable, for a full collection. */
static void model_uncollectable(const world *w, const bool *unreach, bool *unc)
{
    int stack[MAX_NODES], sp = 0;
    memset(unc, 0, MAX_NODES * sizeof *unc);
    for (int i = 0; i < w->n_nodes; i++)
        if (unreach[i] && w->n[i].legacy) {
            unc[i] = true;
            stack[sp++] = i;
        }
    while (sp > 0) {
        int i = stack[--sp];
        for (int s = 0; s < SLOTS; s++) {
            int t = w->n[i].slot[s];
            if (t >= 0 && unreach[t] && !unc[t]) {
                unc[t] = true;
                stack[sp++] = t;
            }
        }
    }
}

/* After a collection: every object rc_gc_garbage gained is an unreachable legacy node (for
 * a full collection, exactly those of the uncollectable part); the model takes them in. */
static void take_garbage_list(world *w, const bool *r0, const bool *unc, int gen)
{
    rc_object *garbage = rc_gc_garbage(w->heap);
    bool listed[MAX_NODES] = {false};
    size_t pos = 0;
    rc_object *item;
    while (rc_list_next(w->heap, garbage, &pos, &item)) {
        int id = (int)((rnode *)item)->id;
        CHECK(w, id >= 0 && id < w->n_nodes && w->n[id].obj == item && !listed[id]);
        listed[id] = true;
        if (!w->n[id].in_garbage) {
            CHECK(w, w->n[id].legacy && !r0[id]);
            w->n[id].in_garbage = true;
        }
    }
    for (int i = 0; i < w->n_nodes; i++) {
        CHECK(w, listed[i] == (w->n[i].exists && w->n[i].in_garbage));
        if (gen == 2 && w->n[i].exists)
            CHECK(w, listed[i] == (w->n[i].in_garbage && (r0[i] || (unc[i] && w->n[i].legacy))));
    }
    rc_decref(w->heap, garbage);
}

static void op_weakref(world *w, rt_rng *rng, bool *expect_fin)
{
    (void)expect_fin;
    int k = (int)rt_rng_below(rng, MAX_WRS);
    mwr *m = &w->w[k];
    if (m->obj != NULL) { /* drop it: its callback never runs */
        rc_decref(w->heap, m->obj);
        memset(m, 0, sizeof *m);
        return;
    }
    int a = pick_live(w, rng);
    if (a < 0)
        return;
    m->referent = a;
    m->dead = false;
    m->calls = 0;
    m->proxy = rt_rng_below(rng, 2) == 0;
    totals.proxies += m->proxy;
    bool release = rt_rng_below(rng, 3) == 0; /* the same rules, plus a release function */
    if (release)
        m->obj = m->proxy
                     ? rc_weakproxy_new_release(w->heap, w->n[a].obj, wr_callback, m, wr_release)
                     : rc_weakref_new_release(w->heap, w->n[a].obj, wr_callback, m, wr_release);
    else
        m->obj = m->proxy ? rc_weakproxy_new(w->heap, w->n[a].obj, wr_callback, m)
                          : rc_weakref_new(w->heap, w->n[a].obj, wr_callback, m);
    assert_non_null(m->obj);
    w->with_release += release;
}

static void op_collect(world *w, rt_rng *rng, bool *expect_fin)
{
    int gen = (int)rt_rng_below(rng, 3);
    bool r0[MAX_NODES], unreach[MAX_NODES], unc[MAX_NODES];
    model_reach(w, r0);
    for (int i = 0; i < w->n_nodes; i++)
        unreach[i] = w->n[i].exists && !r0[i];
    model_uncollectable(w, unreach, unc);
    size_t n_unc = 0;
    for (int i = 0; i < w->n_nodes; i++)
        n_unc += unc[i];
    rc_gc_stats st0 = {.size = sizeof st0}, st1 = {.size = sizeof st1};
    assert_int_equal(rc_gc_get_stats(w->heap, gen, &st0), RC_OK);
    int64_t n = rc_collect(w->heap, gen);
    assert_int_equal(rc_gc_get_stats(w->heap, gen, &st1), RC_OK);
    /* CPython 3.9+'s count: the garbage freed (resurrected nodes and what they keep are
     * not) plus the uncollectable. */
    CHECK(w, n >= 0);
    CHECK(w, n == (int64_t)(st1.collected - st0.collected + st1.uncollectable - st0.uncollectable));
    if (gen == 2) {
        CHECK(w, st1.uncollectable - st0.uncollectable == n_unc);
        totals.uncollectable += n_unc;
    }
    totals.collected += (uint64_t)n;
    int unreachable = 0;
    for (int i = 0; i < w->n_nodes; i++)
        unreachable += w->n[i].exists && !r0[i];
    CHECK(w, n <= unreachable);
    /* Finalizers that ran: only on unreachable, unfinalized nodes. */
    for (int k = 0; k < w->fin_count; k++) {
        int id = w->fin_log[k];
        CHECK(w, w->n[id].exists && !r0[id] && w->n[id].fin && !w->n[id].finalized);
        CHECK(w, gen != 2 || !unc[id]); /* uncollectable garbage is not finalized */
        expect_fin[id] = true;
        w->n[id].finalized = true;
        if (w->n[id].resurrect)
            w->n[id].kept = true;
    }
    bool alive[MAX_NODES];
    observe(w, alive);
    for (int i = 0; i < w->n_nodes; i++) {
        if (!w->n[i].exists)
            continue;
        if (gen == 2) {
            CHECK(w, !r0[i] || alive[i]);
            CHECK(w, !unc[i] || alive[i]);
            if (!r0[i] && !unc[i] && w->n[i].fin && !w->n[i].finalized)
                CHECK(w, !"an unreachable node's finalizer did not run");
        }
        if (!alive[i])
            CHECK(w, !r0[i]);
        /* A legacy node dies in a collection only by counting (outside the collected set,
         * released by garbage), and then its legacy finalizer runs once. */
        if (w->n[i].legacy && !alive[i])
            expect_leg[i] = true;
    }
    take_garbage_list(w, r0, unc, gen);
    int freed = 0;
    for (int i = 0; i < w->n_nodes; i++)
        freed += w->n[i].exists && !alive[i];
    /* A younger collection also frees, by counting, older nodes only its garbage held. */
    CHECK(w, (int64_t)(st1.collected - st0.collected) <= freed);
    if (gen == 2)
        CHECK(w, (int64_t)(st1.collected - st0.collected) == freed);
    /* Weakrefs to garbage were cleared whether or not it was resurrected. */
    for (int k = 0; k < MAX_WRS; k++) {
        mwr *m = &w->w[k];
        if (m->obj == NULL || m->dead)
            continue;
        rc_object *got = wr_target(w, m);
        if (got == NULL) {
            CHECK(w, !r0[m->referent]);
            CHECK(w, gen != 2 || !unc[m->referent]); /* uncollectable: not cleared */
            m->dead = true;
        } else if (gen == 2) {
            CHECK(w, r0[m->referent] || unc[m->referent]);
        }
        rc_decref(w->heap, got);
    }
    for (int i = 0; i < w->n_nodes; i++)
        if (w->n[i].exists && !alive[i]) {
            w->n[i].exists = false;
            for (int s = 0; s < SLOTS; s++)
                w->n[i].slot[s] = -1;
            for (int k = 0; k < MAX_WRS; k++)
                if (w->w[k].obj != NULL && w->w[k].referent == i)
                    CHECK(w, w->w[k].dead);
        }
    if (gen == 2) {
        bool r1[MAX_NODES];
        model_reach(w, r1);
        for (int i = 0; i < w->n_nodes; i++)
            CHECK(w, alive[i] == (w->n[i].exists && r1[i]));
    }
}

typedef void (*op_fn)(world *w, rt_rng *rng, bool *expect_fin);

static void run_one(uint64_t seed, int n_ops)
{
    world *w = test_calloc(1, sizeof *w);
    cur = w;
    w->seed = seed;
    w->heap = rt_heap_new_exact();
    w->plain = node_type(w->heap, false, false);
    w->finty = node_type(w->heap, true, false);
    w->legty = node_type(w->heap, false, true);
    w->hold2 = holder_type(w->heap, 2, false);
    w->hold3 = holder_type(w->heap, 3, false);
    w->holdt = holder_type(w->heap, 0, true);
    w->keep = rt_list(w->heap);
    rt_rng rng;
    rt_rng_seed(&rng, seed);
    static const op_fn ops[] = {op_create,  op_create,  op_create,    op_link,
                                op_link,    op_link,    op_link,      op_hold,
                                op_drop,    op_drop,    op_unkeep,    op_weakref,
                                op_weakref, op_collect, op_ungarbage, op_holder};
    for (int step = 0; step < n_ops; step++) {
        bool expect_fin[MAX_NODES] = {false};
        memset(expect_leg, 0, sizeof expect_leg);
        w->fin_count = 0;
        w->leg_count = 0;
        ops[rt_rng_below(&rng, sizeof ops / sizeof ops[0])](w, &rng, expect_fin);
        compare(w, expect_fin, true);
    }
    w->tearing_down = true;
    for (int k = 0; k < MAX_WRS; k++)
        rc_decref(w->heap, w->w[k].obj);
    rc_decref(w->heap, w->keep);
    rt_heap_finish(w->heap);
    CHECK(w, w->released == w->with_release);
    cur = NULL;
    test_free(w);
}

static void random_graphs_with_finalizers_and_weakrefs_match_model(void **state)
{
    (void)state;
    bool found = false;
    uint64_t seed = rt_env_u64("RCGC_SEED", 0, &found);
    if (found) {
        run_one(seed, 300);
        return;
    }
    uint64_t iterations = rt_env_u64("RCGC_ITERATIONS", 400, NULL);
    for (uint64_t i = 0; i < iterations; i++)
        run_one(rt_mix64(0xf1a1u + i), 300);
    print_message("graphs %llu: finalized %llu, resurrected %llu, collected %llu, weakref "
                  "callbacks %llu, proxies %llu, legacy finalizer calls %llu, uncollectable "
                  "%llu, holders %llu (callbacks %llu), releases %llu\n",
                  (unsigned long long)iterations, (unsigned long long)totals.finalized,
                  (unsigned long long)totals.resurrected, (unsigned long long)totals.collected,
                  (unsigned long long)totals.wr_callbacks, (unsigned long long)totals.proxies,
                  (unsigned long long)totals.legacy_calls, (unsigned long long)totals.uncollectable,
                  (unsigned long long)totals.holders, (unsigned long long)totals.holder_callbacks,
                  (unsigned long long)totals.releases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_graphs_with_finalizers_and_weakrefs_match_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
