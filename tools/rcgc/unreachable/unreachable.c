/* `rcgc unreachable`: options, then the pipeline described in rcgc_tool.h.
 * Every error is detected before the first byte of output, so a failing run
 * prints nothing on standard output. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../rcgc_tool.h"

enum format { FORMAT_AUTO, FORMAT_EDGES, FORMAT_JSON };

struct options {
    const char **roots; /* names given with -r, in order */
    size_t n_roots;     /* their number */
    const char *file;   /* path, "-" or NULL for standard input */
    enum format format; /* input format, AUTO sniffs the first byte */
    bool count;         /* print only the number of unreachable nodes */
};

const char unreachable_help[] =
    "usage: rcgc unreachable [OPTIONS] [FILE]\n"
    "\n"
    "Print the nodes of a directed graph that cannot be reached from any root:\n"
    "the garbage. FILE is a path; '-' or no FILE reads standard input.\n"
    "\n"
    "options:\n"
    "  -r, --root NODE      a start node; may be repeated; at least one is required\n"
    "      --format FORMAT  'edges' or 'json'; by default JSON is chosen when the\n"
    "                       first non-blank byte is '{' or '[', edges otherwise\n"
    "      --count          print only the number of unreachable nodes\n"
    "  -h, --help           show this help and exit, wherever it stands\n"
    "      --version        show the versions of rcgc and its library and exit\n"
    "\n"
    "Edge list: one edge 'SRC DST' per line, separated by spaces or tabs. A line\n"
    "with one token declares a node without edges. Lines whose first non-blank\n"
    "character is '#' or '%' are comments, blank lines are ignored, tokens after\n"
    "the second are ignored (weights). Lines end with LF or CRLF, or with CR alone\n"
    "when the first line does (old Mac files). In a file starting with\n"
    "'%%MatrixMarket' the size line is not an edge. Names are any non-blank byte\n"
    "strings compared byte for byte ('01' and '1' differ), but a control byte in a\n"
    "name (binary junk) is an error.\n"
    "\n"
    "JSON: an object mapping each node to the array of its successors, e.g.\n"
    "  {\"A\": [\"B\", \"C\"], \"G\": [\"H\"], \"H\": [\"G\"]}\n"
    "Successors that are not keys are nodes too. A UTF-8 byte order mark at the\n"
    "start of either format is skipped.\n"
    "\n"
    "Output: each unreachable node once per line, in order of first appearance in\n"
    "the input (for JSON, document order over keys and their arrays). Nothing is\n"
    "printed when every node is reachable. A name holding a control character or\n"
    "starting with '\"' is printed as a JSON string (\"a\\nb\"), so that one line is\n"
    "always one name.\n"
    "\n"
    "Exit status: 0 on success; 1 when the input cannot be read, is malformed, or\n"
    "a root is not a node of the graph; 2 on a usage error. Errors are printed on\n"
    "standard error as 'rcgc: ...', located as 'rcgc: FILE:LINE:COLUMN: ...' when\n"
    "they are in the input. Inputs over 100 MB show progress on standard error\n"
    "when it is a terminal.\n"
    "\n"
    "Environment: RCGC_THREADS=N (1 to 8) reads with N threads; any other value is\n"
    "ignored with a warning.\n";

/* Options whose value may be the next argument (cli_scan_help_version). */
const char *const unreachable_value_options[] = {"-r", "--root", "--format", NULL};

static int usage_error(const char *what, const char *arg)
{
    return cli_usage_error("unreachable", what, arg);
}

/* Value of option `name` given as "--name=V", "-rV" or in the next argument. */
static const char *option_value(int argc, char **argv, int *i, const char *inline_value)
{
    if (inline_value)
        return inline_value;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int set_format(struct options *o, const char *v)
{
    if (strcmp(v, "edges") == 0)
        o->format = FORMAT_EDGES;
    else if (strcmp(v, "json") == 0)
        o->format = FORMAT_JSON;
    else
        return usage_error("unknown format (use 'edges' or 'json'):", v);
    return 0;
}

/* One option at argv[*i] (main.c handled --help and --version);
 * returns 0 or EXIT_USAGE. */
static int parse_option(struct options *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i], *eq = strchr(a, '=');
    size_t name_len = (a[1] == '-' && eq) ? (size_t)(eq - a) : strlen(a);
    const char *inl = (a[1] == '-' && eq) ? eq + 1 : NULL;
    if (strcmp(a, "--count") == 0) {
        o->count = true;
        return 0;
    }
    bool is_root = (name_len == 6 && strncmp(a, "--root", 6) == 0) || strncmp(a, "-r", 2) == 0;
    bool is_format = name_len == 8 && strncmp(a, "--format", 8) == 0;
    if (!is_root && !is_format)
        return usage_error("unknown option", a);
    if (a[1] == 'r' && a[2] != '\0')
        inl = a + 2;
    const char *v = option_value(argc, argv, i, inl);
    if (!v)
        return usage_error("missing value for option", a);
    if (is_format)
        return set_format(o, v);
    o->roots[o->n_roots++] = v;
    return 0;
}

static int parse_args(struct options *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->roots = xcalloc((size_t)argc + 1, sizeof *o->roots);
    bool only_files = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_files && strcmp(a, "--") == 0) {
            only_files = true;
        } else if (!only_files && a[0] == '-' && a[1] != '\0') {
            int rc = parse_option(o, argc, argv, &i);
            if (rc != 0)
                return rc;
        } else if (o->file) {
            return usage_error("more than one FILE:", a);
        } else {
            o->file = a;
        }
    }
    if (o->n_roots == 0)
        return usage_error("no root given (use -r NODE)", NULL);
    return 0;
}

/* JSON when the first byte that is not JSON whitespace opens an object or
 * an array (an array is then rejected as JSON, not read as a node "["). */
static enum format sniff(const struct input *in)
{
    for (size_t i = 0; i < in->size; i++) {
        unsigned char c = in->data[i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return c == '{' || c == '[' ? FORMAT_JSON : FORMAT_EDGES;
    }
    return FORMAT_EDGES;
}

static void print_key(const struct keys *k, uint32_t key)
{
    if (k->direct) {
        out_u64(key);
    } else {
        struct name nm = intern_name(k->table, key);
        if (nm.bytes)
            out_name(nm.bytes, nm.len);
        else
            out_u64(nm.len);
    }
    out_char('\n');
}

static void print_unreachable(const struct keys *k, const uint64_t *seen, bool count)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < k->n_nodes; i++) {
        uint32_t key = k->order ? k->order[i] : i;
        if (seen[key >> 6] >> (key & 63) & 1)
            continue;
        n++;
        if (!count)
            print_key(k, key);
    }
    if (count) {
        out_u64(n);
        out_char('\n');
    }
    out_flush();
}

/* Keys of the roots, or 1 after naming the first root that is not a node. */
static int find_roots(const struct options *o, const struct keys *k, uint32_t *keys)
{
    for (size_t i = 0; i < o->n_roots; i++) {
        keys[i] = keys_find(k, o->roots[i]);
        if (keys[i] == UINT32_MAX) {
            fprintf(stderr, "rcgc: root '%s': not a node of the graph\n", o->roots[i]);
            return 1;
        }
    }
    return 0;
}

/* The general path: tokens in chunks, then keys and the edges. */
static int read_general(const struct options *o, enum format f, const struct input *in,
                        struct keys *k, struct graph *g)
{
    struct chunk *cs = NULL;
    size_t n_chunks = 0;
    int rc = f == FORMAT_JSON ? parse_json(in, &cs, &n_chunks)
                              : parse_edges(in, o->roots, o->n_roots, &cs, &n_chunks);
    if (rc == 0) {
        progress_phase("numbering nodes");
        keys_assign(cs, n_chunks, o->roots, o->n_roots, k, g);
    }
    for (size_t i = 0; i < n_chunks; i++)
        chunk_free(&cs[i]);
    free(cs);
    return rc;
}

/* Keys and edges of the input: an edge list whose names are all small
 * integers takes direct.c's path, anything else the general one. */
static int read_graph(const struct options *o, struct input *in, struct keys *k, struct graph *g)
{
    enum format f = o->format == FORMAT_AUTO ? sniff(in) : o->format;
    if (f == FORMAT_EDGES) {
        input_lone_cr_to_lf(in);
        int rc = direct_read(in, o->roots, o->n_roots, k, g);
        if (rc >= 0)
            return rc;
        progress_start(in->size);
    }
    return read_general(o, f, in, k, g);
}

static int run(const struct options *o, struct input *in)
{
    struct keys k = {0};
    struct graph g = {0};
    uint32_t *roots = xcalloc(o->n_roots, sizeof *roots);
    progress_start(in->size);
    int rc = read_graph(o, in, &k, &g);
    if (rc == 0 && input_report_shrink(in))
        rc = 1;
    if (rc == 0)
        rc = find_roots(o, &k, roots);
    if (rc == 0) {
        progress_phase("searching");
        uint64_t *seen = xcalloc((size_t)k.n_keys / 64 + 1, sizeof *seen);
        rc = sweep_reach(&g, seen);
        graph_free(&g);
        progress_end();
        if (rc == 0)
            print_unreachable(&k, seen, o->count);
        /* Names point into the input: a shrink while they were printed. */
        if (rc == 0 && input_report_shrink(in))
            rc = 1;
        free(seen);
    }
    progress_end();
    graph_free(&g);
    free(roots);
    keys_free(&k);
    return rc;
}

int cmd_unreachable(int argc, char **argv)
{
    struct options o;
    int rc = parse_args(&o, argc, argv);
    if (rc != 0) {
        free(o.roots);
        return rc;
    }
    parallel_check_env();
    signal(SIGPIPE, SIG_IGN);
    struct input in;
    rc = input_load(&in, o.file);
    if (rc == 0) {
        rc = run(&o, &in);
        input_release(&in);
    }
    free(o.roots);
    return rc ? EXIT_BAD_INPUT : 0;
}
