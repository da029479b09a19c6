/*
 * common.h -- what every rcgc benchmark program shares: a monotonic clock, the process's
 * USS through rc_process_memory_get, argument parsing, the "node" user type (a container
 * holding two references) and the report format.
 *
 * Every program prints its results as "key value" lines on stdout, one figure a line, and
 * nothing else there; bench/bench.py reads them. Progress and errors go to stderr. The
 * programs use only rcgc's public API.
 */
#ifndef RCGC_BENCH_COMMON_H
#define RCGC_BENCH_COMMON_H

/* clock_gettime under -std=c11; this header is included first by every program. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <rcgc.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The workloads' container: two references, as a Python class with __slots__ = ('next',
 * 'other') holds. 24 bytes with the 8-byte header. */
typedef struct bench_node {
    rc_object hdr;
    rc_object *next;
    rc_object *other;
} bench_node;

static inline double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void bench_die(rc_heap *heap, const char *what)
{
    fprintf(stderr, "rcgc-bench: %s: %s\n", what, heap ? rc_heap_errmsg(heap) : "failed");
    exit(1);
}

static inline void bench_usage(const char *usage)
{
    fprintf(stderr, "usage: %s\n", usage);
    exit(2);
}

/* A positive count from argv, e.g. "10000000" or "10M" / "100k". */
static inline size_t bench_arg_count(const char *s, const char *usage)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == 'k' || *end == 'K') {
        v *= 1000u;
        end++;
    } else if (*end == 'M' || *end == 'm') {
        v *= 1000000u;
        end++;
    }
    if (errno != 0 || *end != '\0' || v == 0)
        bench_usage(usage);
    return (size_t)v;
}

static inline size_t bench_uss_bytes(rc_heap *heap)
{
    rc_process_memory m;
    memset(&m, 0, sizeof m);
    m.size = sizeof m;
    if (rc_process_memory_get(heap, &m) != RC_OK)
        bench_die(heap, "rc_process_memory_get");
    return m.uss_bytes;
}

/* *peak becomes the larger of itself and the process's USS now. */
static inline void bench_peak_uss(rc_heap *heap, size_t *peak)
{
    size_t u = bench_uss_bytes(heap);
    if (u > *peak)
        *peak = u;
}

static inline double bench_mib(size_t bytes)
{
    return (double)bytes / (1024.0 * 1024.0);
}

static inline rc_heap *bench_heap_new(void)
{
    rc_heap *heap = rc_heap_new(NULL);
    if (heap == NULL)
        bench_die(NULL, "rc_heap_new");
    return heap;
}

static inline rc_type *bench_node_type(rc_heap *heap)
{
    static const size_t offsets[] = {offsetof(bench_node, next), offsetof(bench_node, other)};
    static const char *const names[] = {"next", "other"};
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "node";
    spec.instance_bytes = sizeof(bench_node);
    spec.ref_offsets = offsets;
    spec.n_ref_offsets = 2;
    spec.ref_names = names;
    rc_type *t = rc_type_new(heap, &spec);
    if (t == NULL)
        bench_die(heap, "rc_type_new");
    return t;
}

static inline bench_node *bench_node_new(rc_heap *heap, const rc_type *type)
{
    rc_object *o = rc_new(heap, type);
    if (o == NULL)
        bench_die(heap, "rc_new");
    return (bench_node *)o;
}

/* The pseudo-random edge of workload 2, the same formula in every peer: a fixed
 * permutation of [0, n), cheap enough that no interpreter's build time is dominated by
 * it. */
static inline size_t bench_other_index(size_t i, size_t n)
{
    return (size_t)(((uint64_t)i * 2654435761u + 12345u) % (uint64_t)n);
}

static inline void bench_report(const char *key, double value)
{
    printf("%s %.9g\n", key, value);
}

/* Live objects of the heap (rc_heap_stats.live_objects): a workload that knows what it holds
 * gets the garbage waiting to be found as live_objects minus that. */
static inline size_t bench_live_objects(const rc_heap *heap)
{
    rc_heap_stats s;
    memset(&s, 0, sizeof s);
    s.size = sizeof s;
    rc_heap_get_stats(heap, &s);
    return s.live_objects;
}

/* The heap's pause statistics (rc_gc_get_pause_stats). */
static inline rc_gc_pause_stats bench_pause_stats(const rc_heap *heap)
{
    rc_gc_pause_stats p;
    memset(&p, 0, sizeof p);
    p.size = sizeof p;
    rc_gc_get_pause_stats(heap, &p);
    return p;
}

/* The upper bound of the histogram bucket holding the q-quantile of the pauses, in ms
 * (capped at the longest pause). */
static inline double bench_pause_quantile_ms(const rc_gc_pause_stats *p, double q)
{
    uint64_t want = (uint64_t)((double)p->pauses * q);
    if (want >= p->pauses)
        want = p->pauses ? p->pauses - 1 : 0;
    uint64_t seen = 0;
    for (unsigned b = 0; b < RC_GC_PAUSE_BUCKETS; b++) {
        seen += p->histogram[b];
        if (seen > want) {
            uint64_t hi = b + 1 < RC_GC_PAUSE_BUCKETS ? rc_gc_pause_bucket_ns(b + 1) : p->max_ns;
            if (hi > p->max_ns)
                hi = p->max_ns;
            return (double)hi * 1e-6;
        }
    }
    return (double)p->max_ns * 1e-6;
}

/* Reports the automatic pauses since `before` (a bench_pause_stats taken when the measured
 * part began; explicit rc_collect calls are not counted by the library anyway):
 * auto_pauses, max_pause_ms (the longest of the whole run: the library keeps no per-span
 * maximum, so `before` must be taken before any automatic work), p99_pause_ms and
 * p50_pause_ms (bucket upper bounds, four buckets per doubling), collector_ms (summed
 * pauses), increments, incremental (collections completed in increments), suspected. */
static inline void bench_report_pauses(const rc_heap *heap, const rc_gc_pause_stats *before)
{
    rc_gc_pause_stats p = bench_pause_stats(heap);
    p.pauses -= before->pauses;
    p.total_ns -= before->total_ns;
    for (unsigned b = 0; b < RC_GC_PAUSE_BUCKETS; b++)
        p.histogram[b] -= before->histogram[b];
    bench_report("auto_pauses", (double)p.pauses);
    bench_report("max_pause_ms", (double)p.max_ns * 1e-6);
    bench_report("p99_pause_ms", bench_pause_quantile_ms(&p, 0.99));
    bench_report("p50_pause_ms", bench_pause_quantile_ms(&p, 0.50));
    bench_report("collector_ms", (double)p.total_ns * 1e-6);
    bench_report("increments", (double)(p.increments - before->increments));
    bench_report("incremental", (double)(p.incremental - before->incremental));
    bench_report("suspected", (double)(p.suspected - before->suspected));
}

/* "inc" (automatic collection in increments, the default) or "stw"
 * (rc_heap_config.stop_the_world); anything else is a usage error. */
static inline bool bench_parse_mode(const char *s, bool *stw)
{
    if (strcmp(s, "inc") == 0)
        *stw = false;
    else if (strcmp(s, "stw") == 0)
        *stw = true;
    else
        return false;
    return true;
}

#endif
