/* Random graph generator with its own answer, for differential tests of
 * `rcgc unreachable`. Shares no code with the tool: names are built here,
 * edges kept as index pairs, and reachability found by a plain search over
 * an adjacency built by sorting (no hashing, no parsing).
 *
 * usage: randgraph SEED NODES EDGES MODE GRAPH EXPECTED ROOTS
 * MODE: int (dense integers), deep (dense integers on one long path whose
 *       edges are listed backwards, so that reaching along it takes one
 *       step per pass over the input, plus some random edges),
 *       sparse (large and 64-bit-plus integers),
 *       str (byte strings, some not UTF-8), mixed ("7", "07", "+7" apart),
 *       json (an object of arrays, with escapes).
 * Writes the graph to GRAPH, the expected output to EXPECTED and one root
 * name per line to ROOTS. Edge lists get random blanks, comments, weights,
 * CRLF line ends and lone-node lines. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;

static uint64_t rnd(void)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static size_t below(size_t n)
{
    return (size_t)(rnd() % n);
}

/* Name of node i (unique per i) into buf; returns its length. */
static size_t make_name(const char *mode, size_t i, unsigned char *buf)
{
    if (strcmp(mode, "int") == 0 || strcmp(mode, "deep") == 0)
        return (size_t)sprintf((char *)buf, "%zu", i);
    if (strcmp(mode, "sparse") == 0) {
        uint64_t v = (uint64_t)i * 11400714819323198485u;
        if (i % 3 == 0)
            v >>= 31;
        return (size_t)sprintf((char *)buf, "%" PRIu64 "%s", v, i % 7 == 0 ? "0" : "");
    }
    if (strcmp(mode, "mixed") == 0) {
        static const char *pre[] = {"", "0", "+", "00", "-"};
        return (size_t)sprintf((char *)buf, "%s%zu", pre[i % 5], i / 5);
    }
    size_t n = (size_t)sprintf((char *)buf, "n%zx", i);
    if (i % 4 == 1)
        buf[n++] = (unsigned char)(0x80 + i % 100);
    if (i % 4 == 2) {
        memset(buf + n, 'x', 300);
        n += 300;
    }
    if (strcmp(mode, "json") == 0 && i % 5 == 3) {
        memcpy(buf + n, "\"q\\ \t\x01", 6);
        n += 6;
    }
    return n;
}

struct graph {
    size_t n, m;
    size_t *src, *dst;    /* edges by index; dst SIZE_MAX for a lone node */
    unsigned char **name; /* names by node */
    size_t *len;          /* name lengths */
};

/* A name as `rcgc unreachable` prints it (NAME_QUOTING in output.c, written
 * here again from its documented rule): as it is, unless it holds a byte
 * below 0x20 or 0x7f or starts with '"'; then in quotes with \" \\ \b \f
 * \n \r \t or \u00xx (lower-case hex) escapes. */
static void put_output_name(FILE *f, const unsigned char *s, size_t n)
{
    bool quote = n > 0 && s[0] == '"';
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] < 0x20 || s[i] == 0x7f;
    if (!quote) {
        fwrite(s, 1, n, f);
        return;
    }
    static const char from[] = "\"\\\b\f\n\r\t", to[] = "\"\\bfnrt";
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        const char *named = s[i] ? strchr(from, s[i]) : NULL;
        if (named)
            fprintf(f, "\\%c", to[named - from]);
        else if (s[i] < 0x20 || s[i] == 0x7f)
            fprintf(f, "\\u%04x", s[i]);
        else
            fputc(s[i], f);
    }
    fputc('"', f);
}

static void put_json_string(FILE *f, const unsigned char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || (c == 'q' && i % 2 == 0))
            fprintf(f, "\\u%04X", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void put_blanks(FILE *f, int min)
{
    static const char *b[] = {" ", "\t", "  ", " \t "};
    if (min || below(4) == 0)
        fputs(b[below(4)], f);
}

static void put_noise(FILE *f)
{
    static const char *noise[] = {"# comment 1 2\n", "% comment\n", "  # x y\n", "\n",
                                  "  \t\n",          "\r\n",        "%%\n"};
    if (below(20) == 0)
        fputs(noise[below(7)], f);
}

static void write_edges(const struct graph *g, FILE *f)
{
    for (size_t e = 0; e < g->m; e++) {
        put_noise(f);
        put_blanks(f, 0);
        fwrite(g->name[g->src[e]], 1, g->len[g->src[e]], f);
        if (g->dst[e] != SIZE_MAX) {
            put_blanks(f, 1);
            fwrite(g->name[g->dst[e]], 1, g->len[g->dst[e]], f);
            if (below(8) == 0)
                fputs(below(2) ? " 1.5" : "\t7 extra", f);
        }
        if (below(6) == 0)
            put_blanks(f, 1);
        if (e + 1 < g->m || below(2))
            fputs(below(5) == 0 ? "\r\n" : "\n", f);
    }
}

/* Reorders edges so that each source's edges are together, sources in
 * order of first appearance as a source: the order of a JSON document. */
static void group_by_source(struct graph *g)
{
    size_t *rank = malloc(g->n * sizeof *rank), *cnt = calloc(g->m + 1, sizeof *cnt), r = 0;
    for (size_t i = 0; i < g->n; i++)
        rank[i] = SIZE_MAX;
    for (size_t e = 0; e < g->m; e++)
        if (rank[g->src[e]] == SIZE_MAX)
            rank[g->src[e]] = r++;
    for (size_t e = 0; e < g->m; e++)
        cnt[rank[g->src[e]] + 1]++;
    for (size_t k = 0; k < r; k++)
        cnt[k + 1] += cnt[k];
    size_t *s = malloc(g->m * sizeof *s), *d = malloc(g->m * sizeof *d);
    for (size_t e = 0; e < g->m; e++) {
        size_t at = cnt[rank[g->src[e]]]++;
        s[at] = g->src[e];
        d[at] = g->dst[e];
    }
    free(g->src);
    free(g->dst);
    g->src = s;
    g->dst = d;
    free(rank);
    free(cnt);
}

static void write_json(const struct graph *g, FILE *f)
{
    fputs(below(2) ? "{" : " \n{", f);
    for (size_t e = 0; e < g->m;) {
        size_t s = g->src[e];
        fputs(e ? ",\n " : "", f);
        put_json_string(f, g->name[s], g->len[s]);
        fputs(below(2) ? ":[" : " : [ ", f);
        size_t k = 0;
        for (; e < g->m && g->src[e] == s; e++) {
            if (g->dst[e] == SIZE_MAX)
                continue;
            fputs(k++ ? (below(2) ? "," : " ,\t") : "", f);
            put_json_string(f, g->name[g->dst[e]], g->len[g->dst[e]]);
        }
        fputs("]", f);
    }
    fputs("}\n", f);
}

/* Nodes in order of first appearance; returns their number. A JSON key with
 * only lone-node entries still appears, as in the document. */
static size_t first_seen(const struct graph *g, size_t *order, unsigned char *met)
{
    size_t k = 0;
    for (size_t e = 0; e < g->m; e++) {
        size_t v[2] = {g->src[e], g->dst[e]};
        for (int j = 0; j < 2; j++)
            if (v[j] != SIZE_MAX && !met[v[j]]) {
                met[v[j]] = 1;
                order[k++] = v[j];
            }
    }
    return k;
}

/* Plain breadth-first search over rows built by counting sort. */
static void reach(const struct graph *g, const size_t *roots, size_t n_roots, unsigned char *seen)
{
    size_t *row = calloc(g->n + 1, sizeof *row), *adj = malloc((g->m + 1) * sizeof *adj);
    size_t *fill = calloc(g->n + 1, sizeof *fill), *queue = malloc(g->n * sizeof *queue);
    for (size_t e = 0; e < g->m; e++)
        if (g->dst[e] != SIZE_MAX)
            row[g->src[e] + 1]++;
    for (size_t i = 0; i < g->n; i++)
        row[i + 1] += row[i];
    for (size_t e = 0; e < g->m; e++)
        if (g->dst[e] != SIZE_MAX)
            adj[row[g->src[e]] + fill[g->src[e]]++] = g->dst[e];
    size_t head = 0, tail = 0;
    for (size_t i = 0; i < n_roots; i++)
        if (!seen[roots[i]]) {
            seen[roots[i]] = 1;
            queue[tail++] = roots[i];
        }
    while (head < tail) {
        size_t v = queue[head++];
        for (size_t k = row[v]; k < row[v + 1]; k++)
            if (!seen[adj[k]]) {
                seen[adj[k]] = 1;
                queue[tail++] = adj[k];
            }
    }
    free(row);
    free(adj);
    free(fill);
    free(queue);
}

static void build(struct graph *g, const char *mode, size_t n, size_t m)
{
    unsigned char buf[512];
    g->n = n;
    g->m = m;
    g->name = malloc(n * sizeof *g->name);
    g->len = malloc(n * sizeof *g->len);
    for (size_t i = 0; i < n; i++) {
        g->len[i] = make_name(mode, i, buf);
        g->name[i] = malloc(g->len[i] + 1);
        memcpy(g->name[i], buf, g->len[i]);
    }
    g->src = malloc(m * sizeof *g->src);
    g->dst = malloc(m * sizeof *g->dst);
    size_t spread = 1 + below(8);
    bool deep = strcmp(mode, "deep") == 0;
    for (size_t e = 0; e < m; e++) {
        if (deep && n > 1 && e % 8 != 7) {
            g->src[e] = n - 2 - e % (n - 1);
            g->dst[e] = g->src[e] + 1;
            continue;
        }
        g->src[e] = below(n);
        size_t near = (g->src[e] + below(2 * spread + 1) + n - spread) % n;
        g->dst[e] = below(10) == 0 ? SIZE_MAX : below(3) == 0 ? below(n) : near;
    }
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        fputs("usage: randgraph SEED NODES EDGES MODE GRAPH EXPECTED ROOTS\n", stderr);
        return 2;
    }
    state = strtoull(argv[1], NULL, 10);
    size_t n = strtoull(argv[2], NULL, 10), m = strtoull(argv[3], NULL, 10);
    const char *mode = argv[4];
    bool json = strcmp(mode, "json") == 0;
    if (n == 0 || m == 0)
        return 2;
    struct graph g;
    build(&g, mode, n, m);
    if (json)
        group_by_source(&g);
    FILE *f = fopen(argv[5], "wb"), *x = fopen(argv[6], "wb"), *r = fopen(argv[7], "wb");
    if (!f || !x || !r)
        return 1;
    if (json)
        write_json(&g, f);
    else
        write_edges(&g, f);
    size_t *order = malloc(n * sizeof *order), roots[3], n_roots = 1 + below(3);
    unsigned char *met = calloc(n, 1), *seen = calloc(n, 1);
    size_t k = first_seen(&g, order, met);
    for (size_t i = 0; i < n_roots; i++) {
        roots[i] = order[below(k)];
        fwrite(g.name[roots[i]], 1, g.len[roots[i]], r);
        fputc('\n', r);
    }
    reach(&g, roots, n_roots, seen);
    for (size_t i = 0; i < k; i++)
        if (!seen[order[i]]) {
            put_output_name(x, g.name[order[i]], g.len[order[i]]);
            fputc('\n', x);
        }
    for (size_t i = 0; i < n; i++)
        free(g.name[i]);
    free(g.name);
    free(g.len);
    free(g.src);
    free(g.dst);
    free(order);
    free(met);
    free(seen);
    int bad = fclose(f) != 0;
    bad |= fclose(x) != 0;
    bad |= fclose(r) != 0;
    return bad;
}
