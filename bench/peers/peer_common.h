/*
 * peer_common.h -- what the C peers (malloc, Boehm GC) share: a monotonic clock, USS read
 * from /proc/self/smaps_rollup (Private_Clean + Private_Dirty, what psutil calls uss), the
 * workloads' permutation, least-squares slope, and the "key value" report lines that
 * bench/bench.py reads. Same formats and formulas as bench/rcgc/common.h.
 */
#ifndef PEER_COMMON_H
#define PEER_COMMON_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double peer_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline size_t peer_uss_bytes(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (f == NULL) {
        perror("peer: /proc/self/smaps_rollup");
        exit(1);
    }
    char line[256];
    size_t kb_total = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long kb;
        if (sscanf(line, "Private_Clean: %lu kB", &kb) == 1 ||
            sscanf(line, "Private_Dirty: %lu kB", &kb) == 1)
            kb_total += kb;
    }
    fclose(f);
    return kb_total * 1024u;
}

static inline double peer_mib(size_t bytes)
{
    return (double)bytes / (1024.0 * 1024.0);
}

static inline size_t peer_other_index(size_t i, size_t n)
{
    return (size_t)(((uint64_t)i * 2654435761u + 12345u) % (uint64_t)n);
}

static inline void peer_report(const char *key, double value)
{
    printf("%s %.9g\n", key, value);
}

static inline size_t peer_count(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == 'k' || *end == 'K') {
        v *= 1000u;
        end++;
    } else if (*end == 'M' || *end == 'm') {
        v *= 1000000u;
        end++;
    }
    if (*end != '\0' || v == 0) {
        fprintf(stderr, "peer: bad count '%s'\n", s);
        exit(2);
    }
    return (size_t)v;
}

/* Least-squares slope of ys over xs (5 points). */
static inline double peer_slope(const double xs[5], const double ys[5])
{
    double mx = 0, my = 0, sxy = 0, sxx = 0;
    for (int s = 0; s < 5; s++) {
        mx += xs[s] / 5;
        my += ys[s] / 5;
    }
    for (int s = 0; s < 5; s++) {
        sxy += (xs[s] - mx) * (ys[s] - my);
        sxx += (xs[s] - mx) * (xs[s] - mx);
    }
    return sxy / sxx;
}

#endif
