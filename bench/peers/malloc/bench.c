/*
 * bench.c -- the floor: the workloads with plain malloc/free and no collector.
 *
 * usage: peer-malloc intlist N | cycles N LIVE | bintrees DEPTH | bytes N | rctraffic N
 * "Collecting" cyclic garbage here means the program, which knows the set, frees every
 * object itself: the cost any collector is compared against. rctraffic's store is a plain
 * pointer store, its alloc a malloc + link + free.
 */
#include "../peer_common.h"

typedef struct node {
    struct node *next, *other;
} node;

static void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes);
    if (p == NULL) {
        fprintf(stderr, "peer-malloc: out of memory\n");
        exit(1);
    }
    return p;
}

static int intlist(size_t n)
{
    size_t uss0 = peer_uss_bytes();
    double t0 = peer_now_s();
    size_t cap = 0, len = 0;
    intptr_t *items = NULL;
    for (size_t i = 0; i < n; i++) {
        if (len == cap) {
            cap = cap < 8 ? 8 : cap + cap / 8 + 6; /* CPython's list growth */
            items = realloc(items, cap * sizeof *items);
            if (items == NULL)
                return 1;
        }
        items[len++] = (intptr_t)i << 1 | 1;
    }
    double t1 = peer_now_s();
    size_t uss1 = peer_uss_bytes();
    double t2 = peer_now_s();
    free(items);
    double t3 = peer_now_s();
    size_t uss2 = peer_uss_bytes();
    peer_report("build_s", t1 - t0);
    peer_report("drop_s", t3 - t2);
    peer_report("uss_start_mb", peer_mib(uss0));
    peer_report("uss_built_mb", peer_mib(uss1) - peer_mib(uss0));
    peer_report("uss_dropped_mb", peer_mib(uss2) - peer_mib(uss0));
    return 0;
}

static node **build(size_t n)
{
    node **objs = xmalloc(n * sizeof *objs);
    for (size_t i = 0; i < n; i++)
        objs[i] = xmalloc(sizeof(node));
    for (size_t i = 0; i < n; i++) {
        objs[i]->next = objs[(i + 1) % n];
        objs[i]->other = objs[peer_other_index(i, n)];
    }
    return objs;
}

static int cycles(size_t n, int live)
{
    node **kept = live ? build(n) : NULL;
    node **garbage = build(n);
    double t0 = peer_now_s();
    for (size_t i = 0; i < n; i++)
        free(garbage[i]);
    double t1 = peer_now_s();
    free(garbage);
    peer_report("collect_s", t1 - t0);
    peer_report("freed", (double)n);
    peer_report("ns_per_obj", (t1 - t0) * 1e9 / (double)n);
    if (kept != NULL) {
        for (size_t i = 0; i < n; i++)
            free(kept[i]);
        free(kept);
    }
    return 0;
}

static node *make_tree(int depth)
{
    node *t = xmalloc(sizeof *t);
    if (depth > 0) {
        t->next = make_tree(depth - 1);
        t->other = make_tree(depth - 1);
    } else {
        t->next = t->other = NULL;
    }
    return t;
}

static long check_tree(const node *t)
{
    return t->next == NULL ? 1 : 1 + check_tree(t->next) + check_tree(t->other);
}

static void free_tree(node *t)
{
    if (t->next != NULL) {
        free_tree(t->next);
        free_tree(t->other);
    }
    free(t);
}

static int bintrees(int max_depth)
{
    const int min_depth = 4;
    if (max_depth < min_depth + 2)
        max_depth = min_depth + 2;
    double t0 = peer_now_s();
    long total = 0;
    node *stretch = make_tree(max_depth + 1);
    total += check_tree(stretch);
    free_tree(stretch);
    node *long_lived = make_tree(max_depth);
    for (int d = min_depth; d <= max_depth; d += 2) {
        long iterations = 1L << (max_depth - d + min_depth);
        for (long i = 0; i < iterations; i++) {
            node *t = make_tree(d);
            total += check_tree(t);
            free_tree(t);
        }
    }
    total += check_tree(long_lived);
    free_tree(long_lived);
    peer_report("check", (double)total);
    peer_report("time_s", peer_now_s() - t0);
    return 0;
}

static int bytes(size_t n)
{
    node **objs = xmalloc(n * sizeof *objs);
    memset(objs, 0, n * sizeof *objs);
    double xs[5], ys[5];
    size_t made = 0;
    for (int s = 0; s < 5; s++) {
        size_t target = s == 4 ? n : n / 4 * (size_t)s;
        while (made < target) {
            objs[made] = xmalloc(sizeof(node));
            objs[made]->next = objs[made]->other = NULL;
            made++;
        }
        xs[s] = (double)made;
        ys[s] = (double)peer_uss_bytes();
    }
    peer_report("bytes_per_obj", peer_slope(xs, ys));
    peer_report("uss_total_mb", (ys[4] - ys[0]) / (1024.0 * 1024.0));
    for (size_t i = 0; i < n; i++)
        free(objs[i]);
    free(objs);
    return 0;
}

static int rctraffic(size_t n)
{
    node *pool[64];
    for (size_t i = 0; i < 64; i++)
        pool[i] = xmalloc(sizeof(node));
    node *volatile slots[1024];
    for (size_t i = 0; i < 1024; i++)
        slots[i] = pool[i & 63];
    double t0 = peer_now_s();
    for (size_t i = 0; i < n; i++)
        slots[i & 1023] = pool[(i * 7) & 63];
    double t1 = peer_now_s();
    if (slots[n & 1023] == NULL)
        return 1;
    size_t n_alloc = n / 10 > 0 ? n / 10 : 1;
    double t2 = peer_now_s();
    for (size_t i = 0; i < n_alloc; i++) {
        node *volatile x = xmalloc(sizeof(node));
        x->next = pool[0];
        free(x);
    }
    double t3 = peer_now_s();
    peer_report("store_ns", (t1 - t0) * 1e9 / (double)n);
    peer_report("alloc_ns", (t3 - t2) * 1e9 / (double)n_alloc);
    for (size_t i = 0; i < 64; i++)
        free(pool[i]);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "intlist") == 0)
        return intlist(peer_count(argv[2]));
    if (argc >= 4 && strcmp(argv[1], "cycles") == 0)
        return cycles(peer_count(argv[2]), atoi(argv[3]));
    if (argc >= 3 && strcmp(argv[1], "bintrees") == 0)
        return bintrees(atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "bytes") == 0)
        return bytes(peer_count(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "rctraffic") == 0)
        return rctraffic(peer_count(argv[2]));
    fprintf(stderr, "usage: peer-malloc intlist N | cycles N LIVE | bintrees DEPTH | bytes N | "
                    "rctraffic N\n");
    return 2;
}
