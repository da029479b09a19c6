/* Heap snapshot benchmark (bench/snapshot/run.sh): builds a heap of N objects shaped like a
 * server's (records in lists under a dict of sessions), writes its snapshot to OLD, grows
 * it by 1% (new records, some old ones dropped) and writes NEW. Prints one line per write:
 *   write SECONDS BYTES OBJECTS CPU_SECONDS
 * usage: rcgc-bench-snapshot N OLD NEW */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "rcgc.h"

typedef struct record {
    rc_object hdr;
    rc_object *name, *payload, *next;
} record;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static void check(rc_status st, rc_heap *h)
{
    if (st != RC_OK) {
        fprintf(stderr, "rcgc-bench-snapshot: %s\n", rc_heap_errmsg(h));
        exit(1);
    }
}

static void timed_write(rc_heap *h, const char *path)
{
    rc_heap_stats st = {.size = sizeof st};
    rc_heap_get_stats(h, &st);
    double t0 = now(), c0 = cpu();
    check(rc_heap_snapshot_write_path(h, path, 0), h);
    double t1 = now(), c1 = cpu();
    struct stat sb;
    stat(path, &sb);
    printf("write %.3f %lld %zu %.3f\n", t1 - t0, (long long)sb.st_size, st.live_objects, c1 - c0);
    fflush(stdout);
}

/* One record: the record, its name (str), its payload (a tuple of a float and a str):
 * five objects. */
static rc_object *make_record(rc_heap *h, const rc_type *rt, size_t i, rc_object *next)
{
    char text[32];
    snprintf(text, sizeof text, "user-%zu", i);
    record *r = (record *)rc_new(h, rt);
    r->name = rc_str_from_cstr(h, text);
    rc_object *f = rc_float_new(h, (double)i * 0.5);
    rc_object *s = rc_str_from_cstr(h, "payload");
    rc_object *items[2] = {f, s};
    r->payload = rc_tuple_new(h, 2, items);
    rc_decref(h, f);
    rc_decref(h, s);
    r->next = rc_newref(next);
    return &r->hdr;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fputs("usage: rcgc-bench-snapshot N OLD NEW\n", stderr);
        return 2;
    }
    size_t n = strtoull(argv[1], NULL, 10);
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.gc_disabled = true;
    rc_heap *h = rc_heap_new(&cfg);
    static const size_t offs[3] = {offsetof(record, name), offsetof(record, payload),
                                   offsetof(record, next)};
    static const char *const names[3] = {"name", "payload", "next"};
    rc_type_spec spec = {.size = sizeof spec,
                         .name = "Record",
                         .instance_bytes = sizeof(record),
                         .ref_offsets = offs,
                         .n_ref_offsets = 3,
                         .ref_names = names};
    const rc_type *rt = rc_type_new(h, &spec);
    rc_object *sessions = rc_dict_new(h);
    size_t per_list = 100, made = 1;
    size_t k = 0;
    while (made + 2 + per_list * 5 <= n) {
        rc_object *l = rc_list_new(h, per_list);
        rc_object *prev = NULL;
        for (size_t i = 0; i < per_list; i++) {
            rc_object *r = make_record(h, rt, k * per_list + i, prev);
            check(rc_list_append(h, l, r), h);
            rc_decref(h, r);
            prev = r;
        }
        rc_object *key = rc_int_new(h, (int64_t)k++);
        check(rc_dict_set(h, sessions, key, l), h);
        rc_decref(h, l);
        made += 2 + per_list * 5;
    }
    timed_write(h, argv[2]);
    /* 1% growth: new sessions; every 50th session dropped */
    size_t grow = k / 100;
    for (size_t g = 0; g < grow; g++) {
        rc_object *key = rc_int_new(h, (int64_t)(g * 50));
        check(rc_dict_del(h, sessions, key), h);
    }
    for (size_t g = 0; g < 2 * grow; g++) {
        rc_object *l = rc_list_new(h, per_list);
        for (size_t i = 0; i < per_list; i++) {
            rc_object *r = make_record(h, rt, (k + g) * per_list + i, NULL);
            check(rc_list_append(h, l, r), h);
            rc_decref(h, r);
        }
        rc_object *key = rc_int_new(h, (int64_t)(k + g));
        check(rc_dict_set(h, sessions, key, l), h);
        rc_decref(h, l);
    }
    timed_write(h, argv[3]);
    rc_decref(h, sessions);
    rc_heap_free(h);
    return 0;
}
