/* libFuzzer target for `rcgc unreachable`: the whole pipeline after the
 * input is loaded, on the edge-list reader (FUZZ_JSON 0) or the JSON reader
 * (FUZZ_JSON 1). Built and run by fuzz.sh with clang, under AddressSanitizer
 * and UndefinedBehaviorSanitizer. Beyond "no crash, no leak", it checks what
 * must hold for any input: roots are reached, every node has a name that
 * finds its own key again, and the unreachable count is at most the number
 * of nodes. */
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

static void search(const struct keys *k, const struct graph *g)
{
    uint32_t roots[2] = {k->order ? k->order[0] : 0, keys_find(k, "A")};
    size_t n_roots = roots[1] == UINT32_MAX ? 1 : 2;
    uint64_t *seen = xcalloc((size_t)k->n_keys / 64 + 1, sizeof *seen);
    graph_reach(g, roots, n_roots, seen);
    check(seen[roots[0] >> 6] >> (roots[0] & 63) & 1, "root reached");
    uint64_t unreachable = 0;
    for (uint32_t i = 0; i < k->n_nodes; i++) {
        uint32_t key = k->order ? k->order[i] : i;
        unreachable += !(seen[key >> 6] >> (key & 63) & 1);
    }
    check(unreachable < k->n_nodes, "fewer unreachable than nodes");
    free(seen);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct input in = {.data = data, .size = size, .mapped = false, .label = "fuzz"};
    struct chunk *cs = NULL;
    size_t n = 0;
    int rc = FUZZ_JSON ? parse_json(&in, &cs, &n) : parse_edges(&in, &cs, &n);
    struct keys k = {0};
    struct graph g = {0};
    if (rc == 0) {
        keys_assign(cs, n, &k);
        check_names(&k);
        if (k.n_nodes > 0 && graph_build(cs, n, k.n_keys, &g) == 0)
            search(&k, &g);
        graph_free(&g);
    }
    keys_free(&k);
    for (size_t i = 0; i < n; i++)
        chunk_free(&cs[i]);
    free(cs);
    return 0;
}
