/* libFuzzer target for `rcgc unreachable`: the whole pipeline after the
 * input is loaded, on the edge-list reader (FUZZ_JSON 0) or the JSON reader
 * (FUZZ_JSON 1). Built and run by fuzz.sh with clang, under AddressSanitizer
 * and UndefinedBehaviorSanitizer. Beyond "no crash, no leak", it checks what
 * must hold for any input: roots are reached, every node has a name that
 * finds its own key again, and the unreachable count is at most the number
 * of nodes. Edge lists are cut into 1 to 8 ranges (RCGC_THREADS, from the
 * last byte), and when the integer fast path (direct.c) takes an input, its
 * nodes, order and answer must equal the general reader's. Edge lists
 * first go through input_lone_cr_to_lf, as in the tool. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rcgc_tool.h"

#ifndef FUZZ_JSON
#define FUZZ_JSON 0
#endif

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz invariant broken: %s\n", what);
        abort();
    }
}

static void check_names(const struct keys *k)
{
    for (uint32_t i = 0; i < k->n_nodes && i < 64; i++) {
        uint32_t key = k->order ? k->order[i] : i;
        char buf[32];
        if (k->direct) {
            snprintf(buf, sizeof buf, "%u", key);
            check(keys_find(k, buf) == key, "direct key finds itself");
            continue;
        }
        struct name nm = intern_name(k->table, key);
        if (!nm.bytes) {
            snprintf(buf, sizeof buf, "%zu", nm.len);
            check(keys_find(k, buf) == key, "integer name finds its key");
        } else if (nm.len < 64 && !memchr(nm.bytes, 0, nm.len)) {
            char s[64];
            memcpy(s, nm.bytes, nm.len);
            s[nm.len] = '\0';
            check(keys_find(k, s) == key, "byte name finds its key");
        }
    }
}

/* The general reader with these roots: keys in *k and the search's marks
 * in a new bitmap (NULL if the input is refused or has no nodes). */
static uint64_t *general(const struct input *in, const char *const *roots, size_t n_roots,
                         struct keys *k)
{
    struct chunk *cs = NULL;
    size_t n = 0;
    struct graph g = {0};
    int rc = FUZZ_JSON ? parse_json(in, &cs, &n) : parse_edges(in, roots, n_roots, &cs, &n);
    memset(k, 0, sizeof *k);
    if (rc == 0)
        keys_assign(cs, n, roots, n_roots, k, &g);
    for (size_t i = 0; i < n; i++)
        chunk_free(&cs[i]);
    free(cs);
    if (rc != 0 || k->n_nodes == 0) {
        graph_free(&g);
        return NULL;
    }
    uint64_t *seen = xcalloc((size_t)k->n_keys / 64 + 1, sizeof *seen);
    check(sweep_reach(&g, seen) == 0, "small inputs search to the end");
    graph_free(&g);
    return seen;
}

static bool marked(const uint64_t *seen, uint32_t key)
{
    return seen[key >> 6] >> (key & 63) & 1;
}

/* The first node's name as a C string in buf, or NULL if it has a NUL. */
static const char *first_name(const struct keys *k, char *buf, size_t cap)
{
    uint32_t key = k->order ? k->order[0] : 0;
    if (k->direct) {
        snprintf(buf, cap, "%u", key);
        return buf;
    }
    struct name nm = intern_name(k->table, key);
    if (!nm.bytes) {
        snprintf(buf, cap, "%zu", nm.len);
        return buf;
    }
    if (nm.len >= cap || memchr(nm.bytes, 0, nm.len))
        return NULL;
    memcpy(buf, nm.bytes, nm.len);
    buf[nm.len] = '\0';
    return buf;
}

/* Unreachable nodes as names in output order, into a NUL-separated buffer
 * (the comparison of two readers' answers). */
static char *answer(const struct keys *k, const uint64_t *seen, size_t *len)
{
    size_t cap = 64, n = 0;
    char *buf = xmalloc(cap);
    for (uint32_t i = 0; i < k->n_nodes; i++) {
        uint32_t key = k->order ? k->order[i] : i;
        if (marked(seen, key))
            continue;
        char tmp[32];
        struct name nm = {(const unsigned char *)tmp, 0};
        if (k->direct) {
            nm.len = (size_t)snprintf(tmp, sizeof tmp, "%u", key);
        } else {
            nm = intern_name(k->table, key);
            if (!nm.bytes) {
                nm.len = (size_t)snprintf(tmp, sizeof tmp, "%zu", nm.len);
                nm.bytes = (const unsigned char *)tmp;
            }
        }
        while (n + nm.len + 1 > cap)
            buf = xrealloc(buf, cap *= 2);
        memcpy(buf + n, nm.bytes, nm.len);
        n += nm.len;
        buf[n++] = '\0';
    }
    *len = n;
    return buf;
}

/* The integer fast path, when it takes the input, must agree with the
 * general reader exactly: same nodes, same order, same answer. */
static void check_direct(const struct input *in, const char *const *roots, size_t n_roots,
                         const struct keys *k, const uint64_t *seen)
{
    struct keys dk = {0};
    struct graph dg = {0};
    int rc = direct_read(in, roots, n_roots, &dk, &dg);
    if (rc == 0) {
        check(k->n_nodes == dk.n_nodes, "fast path finds the same nodes");
        if (k->n_nodes > 0) {
            uint64_t *dseen = xcalloc((size_t)dk.n_keys / 64 + 1, sizeof *dseen);
            check(sweep_reach(&dg, dseen) == 0, "small inputs search to the end");
            size_t la, lb;
            char *a = answer(k, seen, &la), *b = answer(&dk, dseen, &lb);
            check(la == lb && memcmp(a, b, la) == 0, "fast path gives the same answer");
            free(a);
            free(b);
            free(dseen);
        }
    }
    graph_free(&dg);
    keys_free(&dk);
}

static void fuzz_one(const struct input *input);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct input in = {.data = data, .size = size, .mapped = false, .label = "fuzz"};
    /* As cmd_unreachable does for edge lists: old-Mac line ends become LF in
     * a copy (then owned by in.block). */
    if (!FUZZ_JSON)
        input_lone_cr_to_lf(&in);
    fuzz_one(&in);
    input_release(&in);
    return 0;
}

static void fuzz_one(const struct input *input)
{
    const struct input in = *input;
    const unsigned char *data = in.data;
    size_t size = in.size;
    char threads[2] = {(char)('1' + (size ? data[size - 1] % 8 : 0)), '\0'};
    setenv("RCGC_THREADS", threads, 1);
    /* Once without roots for the names, then from the first node and "A". */
    struct keys k = {0};
    uint64_t *seen = general(&in, NULL, 0, &k);
    char buf[64];
    const char *roots[2] = {seen ? first_name(&k, buf, sizeof buf) : NULL, "A"};
    if (seen)
        check_names(&k);
    keys_free(&k);
    free(seen);
    if (!roots[0])
        return;
    seen = general(&in, roots, 2, &k);
    check(seen != NULL, "the same input is read again");
    uint32_t root = keys_find(&k, roots[0]);
    check(root != UINT32_MAX && marked(seen, root), "root reached");
    uint64_t unreachable = 0;
    for (uint32_t i = 0; i < k.n_nodes; i++)
        unreachable += !marked(seen, k.order ? k.order[i] : i);
    check(unreachable < k.n_nodes, "fewer unreachable than nodes");
    if (!FUZZ_JSON)
        check_direct(&in, roots, 2, &k, seen);
    keys_free(&k);
    free(seen);
}
