/*
 * rctest.h -- what the engine's tests share: heaps configured for exact assertions, two
 * small user types (one declared through reference offsets, one through traverse/clear), a
 * counting and fault-injecting allocator, a misuse recorder, a seeded random generator and
 * readers for the RCGC_* environment variables.
 *
 * Everything here uses the public API only (include/rcgc.h); the library's internals are
 * reserved for tests/internal/.
 */
#ifndef RCTEST_H
#define RCTEST_H

/* cmocka needs these before its own header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>

#include "rcgc.h"

/* ---------------------------------------------------------------------------------------
 * Sanitizers. Process memory figures (USS) are meaningless under AddressSanitizer, whose
 * shadow memory and quarantine keep freed pages resident.
 */
#if defined(__SANITIZE_ADDRESS__)
#define RT_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RT_UNDER_ASAN 1
#endif
#endif
#ifndef RT_UNDER_ASAN
#define RT_UNDER_ASAN 0
#endif

/* Whether process memory figures mean anything in this run: not under AddressSanitizer,
 * and not under Valgrind, which maps memory its own way (scripts/valgrind-tests.sh sets
 * RCGC_NO_USS_CHECKS=1). */
bool rt_uss_checks(void);

/* ---------------------------------------------------------------------------------------
 * Heaps
 */

/* A heap with the defaults of rc_heap_config_init (stress on if the library was built with
 * RCGC_STRESS_GC). For tests whose assertions hold whatever the collection schedule. */
rc_heap *rt_heap_new(void);
/* A heap whose collections happen only when the test calls rc_collect: automatic
 * collection disabled, stress off, and the generational schedule, whose generations move
 * exactly as CPython's do (rc_decref never makes a candidate). For tests asserting exact
 * counts and generations; the candidate schedule has tests of its own
 * (test_gc_schedule.c). */
rc_heap *rt_heap_new_exact(void);
/* A heap from cfg; fails the test if rc_heap_new returns NULL. */
rc_heap *rt_heap_new_cfg(const rc_heap_config *cfg);
/* Objects collected by every generation's collections so far. */
uint64_t rt_collected_all(const rc_heap *heap);
/* rc_gc_get_pause_stats, asserted to succeed. */
rc_gc_pause_stats rt_pause_stats(const rc_heap *heap);
/* Every test ends with this: rc_heap_check must say RC_OK, then the heap is freed. */
void rt_heap_finish(rc_heap *heap);

rc_heap_stats rt_stats(const rc_heap *heap);
size_t rt_live_objects(const rc_heap *heap);
size_t rt_live_bytes(const rc_heap *heap);
size_t rt_tracked_objects(const rc_heap *heap);
/* Objects rc_heap_visit reports (counts independently of the heap's counters). */
size_t rt_visit_count(rc_heap *heap);
/* Live instances of type found by rc_heap_visit. */
size_t rt_visit_count_type(rc_heap *heap, const rc_type *type);

/* Generation sizes and gc counts as plain values. */
typedef struct rt_gens {
    size_t n[3];
} rt_gens;
rt_gens rt_gen_sizes(const rc_heap *heap);
rt_gens rt_gc_count(const rc_heap *heap);
uint64_t rt_collections(const rc_heap *heap, int generation);
uint64_t rt_collected(const rc_heap *heap, int generation);

/* ---------------------------------------------------------------------------------------
 * User types
 */

/* A node with two reference fields declared through ref_offsets and a plain id. */
typedef struct rt_pair {
    rc_object hdr;
    rc_object *a;
    rc_object *b;
    int64_t id;
} rt_pair;

/* Registers the "pair" type (fails the test on NULL). */
const rc_type *rt_pair_type(rc_heap *heap);
/* A new pair (count 1) with both fields None. */
rc_object *rt_pair_new(rc_heap *heap, const rc_type *pair_type, int64_t id);
/* A pair-layout type named "rez" whose finalizer resurrects: each run counts in rt_rez.runs
 * and appends the dying object to rt_rez.holder, a list made (and runs reset) by
 * rt_rez_type. One heap at a time uses it (test code). */
typedef struct rt_rez_state {
    rc_object *holder;
    int runs;
} rt_rez_state;
extern rt_rez_state rt_rez;
const rc_type *rt_rez_type(rc_heap *heap);

/* Stores a new reference to value in field 0 (a) or 1 (b), releasing the old one. */
void rt_pair_set(rc_heap *heap, rc_object *pair, int field, rc_object *value);
rc_object *rt_pair_get(const rc_object *pair, int field);
/* A cycle of k pairs (ids 0 to k-1) through field a; returns the first (owned). Each node
 * but the first is left at count 1 by rc_decref: a candidate. */
rc_object *rt_pair_cycle(rc_heap *heap, const rc_type *pair_type, int k);

/* A node with a fixed array of reference slots reported through traverse and dropped by
 * clear. Its optional hooks let a test run code inside the collector or inside freeing. */
#define RT_BAG_SLOTS 4
typedef struct rt_bag rt_bag;
typedef void (*rt_bag_hook)(rc_heap *heap, rc_object *self, void *user);
struct rt_bag {
    rc_object hdr;
    int64_t id;
    rc_object *slot[RT_BAG_SLOTS];
    rt_bag_hook on_traverse; /* called at the start of each traverse, or NULL */
    rt_bag_hook on_clear;    /* called at the start of clear, or NULL */
    void *hook_user;
};

const rc_type *rt_bag_type(rc_heap *heap);
rc_object *rt_bag_new(rc_heap *heap, const rc_type *bag_type, int64_t id);
void rt_bag_set(rc_heap *heap, rc_object *bag, int slot, rc_object *value);
rc_object *rt_bag_get(const rc_object *bag, int slot);

/* Convenience: an empty list / dict that must not fail. */
rc_object *rt_list(rc_heap *heap);
rc_object *rt_dict(rc_heap *heap);
/* Appends value to list; fails the test if the append fails. */
void rt_append(rc_heap *heap, rc_object *list, rc_object *value);

/* ---------------------------------------------------------------------------------------
 * A counting allocator over rc_allocator_system() that can fail the N-th request.
 */
typedef struct rt_alloc {
    rc_allocator iface;       /* give &iface to rc_heap_config.allocator */
    const rc_allocator *base; /* rc_allocator_system() */
    uint64_t requests;        /* alloc and resize calls so far */
    int64_t fail_at;          /* the request (0-based) to refuse; -1: never */
    bool fail_all_after;      /* refuse every request from fail_at on, not just one */
    uint64_t refused;         /* requests refused */
    size_t outstanding_bytes; /* allocated and not yet freed */
    size_t outstanding_blocks;
    size_t bad_frees; /* frees whose size exceeded what was outstanding */
} rt_alloc;

void rt_alloc_init(rt_alloc *a, int64_t fail_at);
/* A heap whose collections happen only when the test asks (rc_collect, rc_collect_step):
 * candidate schedule, automatic collection off, stress off; alloc may be NULL. */
rc_heap *rt_step_heap(rt_alloc *alloc);

/* ---------------------------------------------------------------------------------------
 * Misuse recorder: rc_heap_set_misuse_hook(heap, rt_misuse_record, &log).
 */
typedef struct rt_misuse_log {
    int count;
    rc_misuse_kind kind;
    const void *address;
    char type_name[64];
    char message[256];
} rt_misuse_log;

void rt_misuse_record(rc_heap *heap, const rc_misuse *misuse, void *user);

/* ---------------------------------------------------------------------------------------
 * Randomness and the environment
 */
typedef struct rt_rng {
    uint64_t state;
} rt_rng;

void rt_rng_seed(rt_rng *rng, uint64_t seed);
uint64_t rt_rng_next(rt_rng *rng);
/* Uniform in [0, n); n > 0. */
uint32_t rt_rng_below(rt_rng *rng, uint32_t n);
/* The splitmix64 finaliser: spreads consecutive seeds apart. */
uint64_t rt_mix64(uint64_t x);

/* The value of an environment variable as an unsigned number (decimal or 0x hex); *found
 * tells whether it was set. Fails the test on an unparsable value. */
uint64_t rt_env_u64(const char *name, uint64_t fallback, bool *found);

#endif /* RCTEST_H */
