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

#endif
