/* Shared declarations of the rcgc command-line tool (not the library).
 *
 * Pipeline of `rcgc unreachable`, in tools/rcgc/unreachable/ (which `rcgc snapshot`
 * reuses for loading, search and output): load the input (input.c); for an edge list
 * whose names are all small integers, read it once in parallel, keys being
 * the integers, making the search's first pass as it goes (direct.c);
 * otherwise cut it into tokens (parse_edges.c in parallel chunks, or
 * parse_json.c) and give every distinct name a key (keys.c with intern.c),
 * the first pass made on the way. Then the passes over the edges left
 * (sweep.c, with rows and a breadth-first search, graph.c and reach.c, for
 * what passes do not settle) and the nodes not reached are printed
 * (output.c).
 *
 * Token encoding (invariant TOKEN): a token is a uint32_t.
 *   value <= TOK_INT_MAX      the name is that canonical decimal integer;
 *   TOK_OTHER | i             the name has id i in chunk->table (any bytes);
 *   TOK_NONE                  no token (the missing successor of a node line).
 * The classification depends only on the name's bytes, so two tokens name the
 * same node exactly when their bytes are equal: "1" is an integer, "01" and
 * "4294967296" are byte strings.
 */
#ifndef RCGC_TOOL_H
#define RCGC_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TOK_INT_MAX 0x7ffffffeu
#define TOK_OTHER 0x80000000u
#define TOK_NONE 0xffffffffu
#define TOK_OTHER_MAX 0x7ffffffeu

/* Exit statuses of every subcommand. */
#define EXIT_BAD_INPUT 1
#define EXIT_USAGE 2

/* A name that is not a small integer: bytes in the input or a JSON arena. */
struct name {
    const unsigned char *bytes; /* first byte; not NUL-terminated */
    size_t len;                 /* length in bytes, may be 0 (JSON "") */
};

/* Tokens of one contiguous piece of the input, in input order. */
struct chunk {
    uint32_t *pair;                   /* 2 * n_pairs tokens: source, successor or TOK_NONE */
    size_t n_pairs;                   /* lines (or JSON key/successor entries) kept */
    size_t cap_pairs;                 /* pairs the reservation holds */
    size_t map_bytes;                 /* bytes mapped at pair */
    unsigned bits;                    /* 0, or the field width once PACKED */
    struct intern *table;             /* names of TOK_OTHER tokens; NULL if none */
    bool any_int;                     /* some token is an integer */
    uint32_t max_int;                 /* largest integer token seen, 0 if none */
    const unsigned char *begin, *end; /* input bytes of this chunk */
    void *owned;                      /* memory the names point into, freed with the chunk */
    const char *const *roots;         /* edge lists: root names (SETTLING in parse_edges.c) */
    size_t n_roots;
    uint64_t *marks;               /* edge lists: SETTLING marks by id, or NULL */
    size_t marks_bytes;            /* bytes mapped at marks */
    uint32_t settled_ids;          /* ids below this are in order of first appearance */
    const unsigned char *bad_byte; /* edge lists: first control byte in a name (TEXT), or NULL */
};

/* Adding to a chunk; both exit the process on memory exhaustion. */
void chunk_reserve(struct chunk *c, size_t max_pairs);
void die_nomem(void);
static inline void chunk_push_pair(struct chunk *c, uint32_t src, uint32_t dst)
{
    if (c->n_pairs == c->cap_pairs)
        die_nomem();
    c->pair[2 * c->n_pairs] = src;
    c->pair[2 * c->n_pairs + 1] = dst;
    c->n_pairs++;
}
/* Rewriting a chunk's pairs in place as PACKED (chunk.c): put every token
 * in order, each after it was read (the packed form never overtakes the
 * unread tokens), then finish. */
struct packer {
    unsigned char *out; /* the chunk's pair array, as bytes */
    uint64_t acc;       /* bits not yet stored, lowest first */
    uint64_t none;      /* field value standing for TOK_NONE */
    size_t at;          /* bytes stored */
    unsigned used;      /* bits held in acc */
    unsigned bits;      /* field width */
};
void packer_start(struct packer *pk, struct chunk *c, unsigned bits);
void packer_finish(struct packer *pk, struct chunk *c);
static inline void packer_put(struct packer *pk, uint32_t token)
{
    uint64_t v = token == TOK_NONE ? pk->none : token;
    pk->acc |= v << pk->used;
    pk->used += pk->bits;
    if (pk->used >= 64) {
        memcpy(pk->out + pk->at, &pk->acc, 8);
        pk->at += 8;
        pk->used -= 64;
        pk->acc = pk->used ? v >> (pk->bits - pk->used) : 0;
    }
}
/* Field width for keys below n_keys, the all-ones value left for TOK_NONE. */
unsigned packed_bits(uint32_t n_keys);
void chunk_release_pairs(struct chunk *c);
/* Keeps the first n_pairs pairs (unpacked) and returns the pages beyond. */
void chunk_trim(struct chunk *c, size_t n_pairs);

/* Field i of a packed pair array (PACKED): 8 readable bytes cover any field. */
static inline uint32_t packed_get(const uint32_t *pair, size_t i, unsigned bits)
{
    uint64_t bit = (uint64_t)i * bits, x;
    memcpy(&x, (const unsigned char *)pair + (bit >> 3), 8);
    return (uint32_t)((x >> (bit & 7)) & (((uint64_t)1 << bits) - 1));
}
uint32_t chunk_intern(struct chunk *c, const unsigned char *bytes, size_t len);
void chunk_free(struct chunk *c);

/* Token of a name by its bytes (TOKEN); TOK_OTHER means "not an integer". */
uint32_t token_of_int_name(const unsigned char *s, size_t len);

/* Loaded input: mapped or read; `data[size]` may not be readable. A UTF-8
 * byte order mark at the start is not part of data. */
struct input {
    const unsigned char *data; /* the bytes */
    size_t size;               /* length in bytes */
    bool mapped;               /* data is an mmap of the file */
    const char *label;         /* file name for messages, "<stdin>" for stdin */
    void *block;               /* what input_release returns: the mapping or buffer */
    size_t block_bytes;        /* its length in bytes */
};
int input_load(struct input *in, const char *path);
void input_release(struct input *in);
/* True when a mapped input's file shrank while it was read (SHRINK in
 * input.c): the bytes past its new end read as '\n', and the run must fail. */
bool input_shrank(const struct input *in);
/* Prints that the file shrank, if it did; then 1, else 0. */
int input_report_shrink(const struct input *in);
/* Old-Mac line ends: if the first line holds a CR not followed by LF, every
 * such CR becomes LF, in a copy that replaces the input's bytes. */
void input_lone_cr_to_lf(struct input *in);

/* Shared helpers of every subcommand (cli.c). */
/* Line and column (both from 1, the column in bytes) of byte `offset` of
 * d[0..n), counting LF, CRLF and CR alone as line ends. Cost: O(offset). */
struct text_pos {
    size_t line, column;
};
struct text_pos text_pos_of(const unsigned char *d, size_t n, size_t offset);
/* `rcgc: FILE:LINE:COLUMN: message` for byte `offset` of the input, or the
 * shrink message if the file shrank (then the position means nothing). */
void cli_error_at(const struct input *in, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* `rcgc: warning: message` on standard error. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* `rcgc: COMMAND: what arg` and a hint at --help; returns EXIT_USAGE. */
int cli_usage_error(const char *command, const char *what, const char *arg);
/* --help and --version win wherever they stand (before a "--"): scans
 * argv[1..argc) skipping the values of the options named in value_options
 * (NULL-terminated, without their value attached: "-r", "--root"), and
 * returns the first of CLI_HELP or CLI_VERSION met, else CLI_RUN. main.c
 * does this for every subcommand before running it. */
enum { CLI_RUN, CLI_HELP, CLI_VERSION };
int cli_scan_help_version(int argc, char **argv, const char *const *value_options);
/* Writes a node name for a line of output (NAME_QUOTING in output.c). */
void out_name(const unsigned char *bytes, size_t len);

/* A piece of an edge list that ends with '\n' (LF_END in parse_edges.c). */
struct range {
    const unsigned char *begin, *end; /* bytes; end[-1] == '\n' */
};
/* Most threads the tool runs (parallel_run). */
#define MAX_THREADS 8
/* Most ranges edges_ranges makes: one per thread and a copied final line. */
#define MAX_RANGES (MAX_THREADS + 1)
/* Cuts an edge list into ranges at line starts, in input order; a final
 * line without '\n' is copied into *tail_copy (freed by the caller). */
size_t edges_ranges(const struct input *in, struct range *r, unsigned char **tail_copy);

/* Parsers: fill chunks from the input; return 0 or print and return 1. */
int parse_edges(const struct input *in, const char *const *roots, size_t n_roots,
                struct chunk **chunks, size_t *n_chunks);
int parse_json(const struct input *in, struct chunk **chunks, size_t *n_chunks);

/* Node keys: every distinct name gets a key in [0, n_keys). */
struct keys {
    uint32_t n_keys;      /* key space; some keys may be unused (direct mode) */
    uint32_t n_nodes;     /* distinct names */
    uint32_t *order;      /* n_nodes keys in order of first appearance */
    bool direct;          /* key == integer value of the name */
    struct intern *table; /* hash mode: names by key (= id) and lookup */
    uint64_t *present;    /* direct mode: bitmap of used keys */
};
/* Keys for every name, and g as the edges that may still matter after the
 * first pass of the search from the named roots (keys.c); the chunks' pairs
 * move to g. */
struct graph;
int keys_assign(struct chunk *chunks, size_t n_chunks, const char *const *roots, size_t n_roots,
                struct keys *k, struct graph *g);
/* Key of a name given on the command line, or UINT32_MAX if not a node. */
uint32_t keys_find(const struct keys *k, const char *name);
void keys_free(struct keys *k);

/* Intern table: byte strings and integers to dense ids in insertion order. */
struct intern;
struct intern *intern_new(size_t expected);
uint32_t intern_int(struct intern *t, uint32_t value);
uint32_t intern_bytes(struct intern *t, const unsigned char *s, size_t len);
/* intern_bytes for n <= INTERN_BATCH names in order, overlapping their
 * misses. 16, not more: at scale 23 (tables of 256 MiB) 32 names in flight
 * made the string-named read 25% slower (the prefetches queue for the
 * core's line fill buffers); 8 was slower too. */
#define INTERN_BATCH 16
void intern_bytes_batch(struct intern *t, const struct name *keys, size_t n, uint32_t *ids);
/* intern_bytes_batch in two steps, so that a caller can do other work while
 * the table slots come in: prepare hashes the names and prefetches their
 * slots; resolve (for the same names, in order) gives the ids. Ids are
 * given in resolve order, whatever happened to the table in between. */
struct intern_probe {
    uint32_t htag; /* hash and length class (SLOT in intern.c) */
    uint32_t home; /* its slot, before masking by the table's size */
    uint64_t key8; /* the name's first bytes */
};
void intern_bytes_prepare(const struct intern *t, const struct name *keys, size_t n,
                          struct intern_probe *pk);
void intern_bytes_resolve(struct intern *t, const struct name *keys, const struct intern_probe *pk,
                          size_t n, uint32_t *ids);
uint32_t intern_find_int(const struct intern *t, uint32_t value);
uint32_t intern_find_bytes(const struct intern *t, const unsigned char *s, size_t len);
uint32_t intern_count(const struct intern *t);
/* Entry by id: bytes is NULL for integers, then len is the value. */
struct name intern_name(const struct intern *t, uint32_t id);
void intern_free(struct intern *t);

/* A graph for the search: adjacency in compressed rows (start, succ), or
 * the edges as read (direct.c), one chunk of key pairs per thread (each
 * chunk's edges are those of its `lanes` in input order, see struct lane
 * below), which the search reads in passes (sweep.c). */
struct graph {
    uint32_t n_keys;        /* rows, or the key space of the edges */
    uint32_t *start;        /* n_keys + 1 offsets into succ */
    uint32_t *succ;         /* successor keys, grouped by source */
    uint32_t n_edges;       /* entries of succ */
    struct edge_set *edges; /* or NULL: the edges as read */
    uint64_t *marks;        /* with edges: keys known reachable (sweep.c) */
    size_t marks_bytes;     /* bytes mapped at marks */
};
/* The edges of one thread's range: pairs (source key, successor key) in
 * chunk.pair, lane l's n[l] pairs starting at pair index at[l]. */
#define EDGE_LANES 2
struct edge_set {
    size_t n_parts;
    struct edge_part {
        struct chunk c;        /* the pairs (not PACKED until rows are built) */
        size_t at[EDGE_LANES]; /* first pair of each lane */
        size_t n[EDGE_LANES];  /* pairs of each lane */
    } part[MAX_RANGES];
};
int graph_build(struct chunk *chunks, size_t n_chunks, uint32_t n_keys, struct graph *g);
/* Marks in `seen` (a bitmap of n_keys bits) what is reachable from the
 * keys `from`, which are marked already (reach.c). */
void graph_reach_from(const struct graph *g, const uint32_t *from, size_t n_from, uint64_t *seen);
/* Marks in `seen` (n_keys bits) every key reachable from those g->marks
 * holds (the roots and what the reading found reachable), searching
 * g->edges; consumes the edges and the marks (sweep.c). 0, or 1 after
 * printing that the edges left are too many for rows. */
int sweep_reach(struct graph *g, uint64_t *seen);
/* One step of the search over edges as read (SETTLED in sweep.c): marks b
 * if a is marked; whether the edge (a, b) can still matter, i.e. b is not
 * marked. `count` is incremented if this call marked b. */
static inline bool sweep_edge(uint64_t *marks, uint32_t a, uint32_t b, size_t *count)
{
    uint64_t mb = (uint64_t)1 << (b & 63);
    if (__atomic_load_n(&marks[b >> 6], __ATOMIC_RELAXED) & mb)
        return false;
    if (!(__atomic_load_n(&marks[a >> 6], __ATOMIC_RELAXED) >> (a & 63) & 1))
        return true;
    *count += !(__atomic_fetch_or(&marks[b >> 6], mb, __ATOMIC_RELAXED) & mb);
    return false;
}
/* Returns an edge set's memory; NULL is allowed. */
void edges_free(struct edge_set *es);
/* A zeroed bitmap for keys below max_keys, its size in *bytes; marks_free
 * takes that size (NULL is allowed). */
uint64_t *marks_new(uint64_t max_keys, size_t *bytes);
void marks_free(uint64_t *marks, size_t bytes);
void graph_free(struct graph *g);

/* Keys and adjacency of an edge list in one go when every name is a small
 * canonical integer (direct.c): 0, 1 after printing an error, or -1 when
 * the input is not for this path and nothing was kept. */
int direct_read(const struct input *in, const char *const *roots, size_t n_roots, struct keys *k,
                struct graph *g);

/* Warns once, on standard error, when RCGC_THREADS is set but invalid
 * (anything but 1 to MAX_THREADS, or empty): it is then ignored. */
void parallel_check_env(void);
/* Runs fn(arg + i * stride) for i < n on n threads (the caller is one). */
void parallel_run(void (*fn)(void *), void *arg, size_t stride, size_t n);
/* Threads to use: RCGC_THREADS (1 to MAX_THREADS) if set, else the online CPUs. */
size_t parallel_threads(void);
/* True when RCGC_THREADS is set: inputs of any size are then split (tests). */
bool parallel_threads_forced(void);

/* Buffered standard output; a closed pipe ends the process quietly. */
void out_bytes(const void *p, size_t n);
void out_u64(uint64_t v);
void out_char(char c);
void out_flush(void);

/* Progress on standard error, only when it is a terminal. */
void progress_start(size_t total_bytes);
void progress_add(size_t bytes);
void progress_phase(const char *what);
void progress_end(void);

/* Memory that cannot be had ends the tool with a message. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xalloc_big(size_t n);
void xfree_big(void *p, size_t n);
void advise_huge(void *p, size_t n);

/* Subcommands: argv[0] is the command's name; --help and --version were
 * handled by main.c with the command's help text and value options. */
int cmd_unreachable(int argc, char **argv);
extern const char unreachable_help[];
extern const char *const unreachable_value_options[];

#endif
