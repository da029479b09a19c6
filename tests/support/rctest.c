/*
 * rctest.c -- the shared test helpers declared in rctest.h. Failures inside a helper fail
 * the calling test through cmocka, so callers need not check results.
 */
#include "rctest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------
 * Heaps
 */

rc_heap *rt_heap_new_cfg(const rc_heap_config *cfg)
{
    rc_heap *heap = rc_heap_new(cfg);
    assert_non_null(heap);
    return heap;
}

rc_heap *rt_heap_new(void)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    return rt_heap_new_cfg(&cfg);
}

rc_heap *rt_heap_new_exact(void)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.gc_disabled = true;
    cfg.stress = false;
    cfg.schedule = RC_GC_SCHEDULE_GENERATIONAL;
    rc_heap *heap = rt_heap_new_cfg(&cfg);
    assert_false(rc_gc_is_enabled(heap));
    return heap;
}

void rt_heap_finish(rc_heap *heap)
{
    rc_status st = rc_heap_check(heap);
    if (st != RC_OK)
        fail_msg("rc_heap_check: %s: %s", rc_status_str(st), rc_heap_errmsg(heap));
    rc_heap_free(heap);
}

rc_heap_stats rt_stats(const rc_heap *heap)
{
    rc_heap_stats s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    assert_int_equal(rc_heap_get_stats(heap, &s), RC_OK);
    return s;
}

size_t rt_live_objects(const rc_heap *heap)
{
    return rt_stats(heap).live_objects;
}
size_t rt_live_bytes(const rc_heap *heap)
{
    return rt_stats(heap).live_bytes;
}
size_t rt_tracked_objects(const rc_heap *heap)
{
    return rt_stats(heap).tracked_objects;
}

static int count_visit(rc_heap *heap, rc_object *obj, void *user)
{
    (void)heap;
    (void)obj;
    ++*(size_t *)user;
    return 0;
}

size_t rt_visit_count(rc_heap *heap)
{
    size_t n = 0;
    assert_int_equal(rc_heap_visit(heap, count_visit, &n), 0);
    return n;
}

typedef struct type_count {
    const rc_type *type;
    size_t n;
} type_count;

static int count_type_visit(rc_heap *heap, rc_object *obj, void *user)
{
    type_count *tc = user;
    if (rc_type_of(heap, obj) == tc->type)
        tc->n++;
    return 0;
}

size_t rt_visit_count_type(rc_heap *heap, const rc_type *type)
{
    type_count tc = {type, 0};
    assert_int_equal(rc_heap_visit(heap, count_type_visit, &tc), 0);
    return tc.n;
}

rt_gens rt_gen_sizes(const rc_heap *heap)
{
    rt_gens g;
    rc_gc_get_generation_sizes(heap, g.n);
    return g;
}

rt_gens rt_gc_count(const rc_heap *heap)
{
    rt_gens g;
    rc_gc_get_count(heap, g.n);
    return g;
}

static rc_gc_stats gc_stats(const rc_heap *heap, int generation)
{
    rc_gc_stats s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    assert_int_equal(rc_gc_get_stats(heap, generation, &s), RC_OK);
    return s;
}

uint64_t rt_collections(const rc_heap *heap, int generation)
{
    return gc_stats(heap, generation).collections;
}

uint64_t rt_collected(const rc_heap *heap, int generation)
{
    return gc_stats(heap, generation).collected;
}

/* ---------------------------------------------------------------------------------------
 * The pair type: references declared by offset, so the library traverses and clears it.
 */

static const size_t pair_offsets[2] = {offsetof(rt_pair, a), offsetof(rt_pair, b)};
static const char *const pair_names[2] = {"a", "b"};

rc_heap *rt_step_heap(rt_alloc *alloc)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.stress = false;
    cfg.gc_disabled = true;
    cfg.schedule = RC_GC_SCHEDULE_CANDIDATES;
    cfg.allocator = alloc != NULL ? &alloc->iface : NULL;
    return rt_heap_new_cfg(&cfg);
}

uint64_t rt_collected_all(const rc_heap *heap)
{
    return rt_collected(heap, 0) + rt_collected(heap, 1) + rt_collected(heap, 2);
}

rc_gc_pause_stats rt_pause_stats(const rc_heap *heap)
{
    rc_gc_pause_stats s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    assert_int_equal(rc_gc_get_pause_stats(heap, &s), RC_OK);
    return s;
}

const rc_type *rt_pair_type(rc_heap *heap)
{
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "pair";
    spec.instance_bytes = sizeof(rt_pair);
    spec.ref_offsets = pair_offsets;
    spec.n_ref_offsets = 2;
    spec.ref_names = pair_names;
    rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

rt_rez_state rt_rez; /* test code: a writable global is fine here */

static void rt_rez_finalize(rc_heap *heap, rc_object *self)
{
    rt_rez.runs++;
    rt_append(heap, rt_rez.holder, self);
}

const rc_type *rt_rez_type(rc_heap *heap)
{
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "rez";
    spec.instance_bytes = sizeof(rt_pair);
    spec.ref_offsets = pair_offsets;
    spec.n_ref_offsets = 2;
    spec.finalize = rt_rez_finalize;
    const rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    rt_rez.holder = rt_list(heap);
    rt_rez.runs = 0;
    return t;
}

rc_object *rt_pair_new(rc_heap *heap, const rc_type *pair_type, int64_t id)
{
    rc_object *o = rc_new(heap, pair_type);
    assert_non_null(o);
    ((rt_pair *)o)->id = id;
    return o;
}

void rt_pair_set(rc_heap *heap, rc_object *pair, int field, rc_object *value)
{
    rt_pair *p = (rt_pair *)pair;
    rc_object **slot = field == 0 ? &p->a : &p->b;
    rc_object *old = *slot;
    *slot = rc_newref(value);
    rc_decref(heap, old);
}

rc_object *rt_pair_cycle(rc_heap *heap, const rc_type *pair_type, int k)
{
    rc_object *first = rt_pair_new(heap, pair_type, 0);
    rc_object *prev = first;
    for (int j = 1; j < k; j++) {
        rc_object *n = rt_pair_new(heap, pair_type, j);
        rt_pair_set(heap, prev, 0, n);
        if (prev != first)
            rc_decref(heap, prev);
        prev = n;
    }
    rt_pair_set(heap, prev, 0, first);
    if (prev != first)
        rc_decref(heap, prev);
    return first;
}

rc_object *rt_pair_get(const rc_object *pair, int field)
{
    const rt_pair *p = (const rt_pair *)pair;
    return field == 0 ? p->a : p->b;
}

/* ---------------------------------------------------------------------------------------
 * The bag type: traverse and clear written by hand.
 */

static int bag_traverse(rc_heap *heap, rc_object *self, rc_visit_fn visit, void *arg)
{
    rt_bag *b = (rt_bag *)self;
    if (b->on_traverse)
        b->on_traverse(heap, self, b->hook_user);
    for (int i = 0; i < RT_BAG_SLOTS; i++) {
        int r = visit(heap, b->slot[i], arg);
        if (r)
            return r;
    }
    return 0;
}

static void bag_clear(rc_heap *heap, rc_object *self)
{
    rt_bag *b = (rt_bag *)self;
    if (b->on_clear)
        b->on_clear(heap, self, b->hook_user);
    for (int i = 0; i < RT_BAG_SLOTS; i++) {
        rc_object *old = b->slot[i];
        b->slot[i] = NULL;
        rc_decref(heap, old);
    }
}

const rc_type *rt_bag_type(rc_heap *heap)
{
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "bag";
    spec.instance_bytes = sizeof(rt_bag);
    spec.traverse = bag_traverse;
    spec.clear = bag_clear;
    rc_type *t = rc_type_new(heap, &spec);
    assert_non_null(t);
    return t;
}

rc_object *rt_bag_new(rc_heap *heap, const rc_type *bag_type, int64_t id)
{
    rc_object *o = rc_new(heap, bag_type);
    assert_non_null(o);
    ((rt_bag *)o)->id = id;
    return o;
}

void rt_bag_set(rc_heap *heap, rc_object *bag, int slot, rc_object *value)
{
    rt_bag *b = (rt_bag *)bag;
    rc_object *old = b->slot[slot];
    b->slot[slot] = rc_newref(value);
    rc_decref(heap, old);
}

rc_object *rt_bag_get(const rc_object *bag, int slot)
{
    return ((const rt_bag *)bag)->slot[slot];
}

rc_object *rt_list(rc_heap *heap)
{
    rc_object *l = rc_list_new(heap, 0);
    assert_non_null(l);
    return l;
}

rc_object *rt_dict(rc_heap *heap)
{
    rc_object *d = rc_dict_new(heap);
    assert_non_null(d);
    return d;
}

void rt_append(rc_heap *heap, rc_object *list, rc_object *value)
{
    rc_status st = rc_list_append(heap, list, value);
    if (st != RC_OK)
        fail_msg("rc_list_append: %s: %s", rc_status_str(st), rc_heap_errmsg(heap));
}

/* ---------------------------------------------------------------------------------------
 * The counting, fault-injecting allocator.
 */

static bool alloc_refuse(rt_alloc *a)
{
    uint64_t n = a->requests++;
    if (a->fail_at < 0)
        return false;
    bool refuse = a->fail_all_after ? n >= (uint64_t)a->fail_at : n == (uint64_t)a->fail_at;
    if (refuse)
        a->refused++;
    return refuse;
}

static void *fa_alloc(void *user, size_t bytes, size_t align)
{
    rt_alloc *a = user;
    if (alloc_refuse(a))
        return NULL;
    void *p = a->base->alloc(a->base->user, bytes, align);
    if (p) {
        a->outstanding_bytes += bytes;
        a->outstanding_blocks++;
    }
    return p;
}

static void *fa_resize(void *user, void *block, size_t old_bytes, size_t new_bytes)
{
    rt_alloc *a = user;
    if (alloc_refuse(a))
        return NULL;
    void *p = a->base->resize(a->base->user, block, old_bytes, new_bytes);
    if (p) {
        if (old_bytes > a->outstanding_bytes)
            a->bad_frees++;
        a->outstanding_bytes += new_bytes;
        a->outstanding_bytes -= old_bytes;
    }
    return p;
}

static void fa_free(void *user, void *block, size_t bytes, size_t align)
{
    rt_alloc *a = user;
    if (block == NULL)
        return;
    if (bytes > a->outstanding_bytes || a->outstanding_blocks == 0) {
        a->bad_frees++;
    } else {
        a->outstanding_bytes -= bytes;
        a->outstanding_blocks--;
    }
    a->base->free(a->base->user, block, bytes, align);
}

void rt_alloc_init(rt_alloc *a, int64_t fail_at)
{
    memset(a, 0, sizeof *a);
    a->base = rc_allocator_system();
    assert_non_null(a->base);
    a->fail_at = fail_at;
    a->iface.alloc = fa_alloc;
    a->iface.resize = fa_resize;
    a->iface.free = fa_free;
    a->iface.user = a;
}

/* ---------------------------------------------------------------------------------------
 * Misuse recorder
 */

void rt_misuse_record(rc_heap *heap, const rc_misuse *misuse, void *user)
{
    (void)heap;
    rt_misuse_log *log = user;
    log->count++;
    log->kind = misuse->kind;
    log->address = misuse->address;
    snprintf(log->type_name, sizeof log->type_name, "%s",
             misuse->type_name ? misuse->type_name : "");
    snprintf(log->message, sizeof log->message, "%s", misuse->message ? misuse->message : "");
}

/* ---------------------------------------------------------------------------------------
 * Randomness (splitmix64: small, fast, and every seed gives a distinct stream)
 */

uint64_t rt_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

void rt_rng_seed(rt_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

uint64_t rt_rng_next(rt_rng *rng)
{
    rng->state += 0x9e3779b97f4a7c15ull;
    return rt_mix64(rng->state);
}

uint32_t rt_rng_below(rt_rng *rng, uint32_t n)
{
    return (uint32_t)(rt_rng_next(rng) % n);
}

uint64_t rt_env_u64(const char *name, uint64_t fallback, bool *found)
{
    const char *s = getenv(name);
    if (found)
        *found = s != NULL && *s != '\0';
    if (s == NULL || *s == '\0')
        return fallback;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || end == s || *end != '\0')
        fail_msg("%s=%s is not a number", name, s);
    return (uint64_t)v;
}

bool rt_uss_checks(void)
{
    const char *off = getenv("RCGC_NO_USS_CHECKS");
    return !RT_UNDER_ASAN && (off == NULL || off[0] == '\0' || off[0] == '0');
}
