/*
 * snapshot.c -- heap snapshots in V8's .heapsnapshot format (rcgc.h, "heap snapshots"):
 * the whole heap written as the JSON document Chrome DevTools, memlab and `rcgc snapshot`
 * read, and the stable object ids that let two snapshots of one heap be compared.
 *
 * SNAP-IDS: heap->snap.snap_keys/snap_vals map the address of every live object that has
 *   appeared in a snapshot to its id serial (id = 2 * serial + 1, odd as V8's heap object
 *   ids; serials start at 1 and are never reused, so id 1 is free for the synthetic root).
 *   Such an object carries RCI_ORIGIN, the flag that sends its death to rci_origin_forget
 *   (origin.c), which calls rci_snapshot_forget: the entry goes when the object dies, so a
 *   slot's next occupant gets a new serial. Heaps that never took a snapshot have an empty
 *   table and their release path pays nothing beyond the flag test it already had.
 *   Open addressing with linear probing, load at most 1/2, deletion by backward shift.
 *
 * The writer makes seven walks with rc_heap_visit and keeps no per-object state of its own
 * beyond a bitmap of the live slots of each page (ORDINALS below: an edge names its target
 * by its position in the node array, which the bitmap gives with a popcount) and the list
 * of objects held from outside the heap:
 *   1. index: the page bitmaps and the edge count (the header gives it first); each
 *      referent's count is lowered by one per reference the heap holds to it
 *      (COUNTS-BORROWED);
 *   2. roots: objects whose count is still above zero are held from outside (C variables),
 *      by that many references;
 *   3. restore: the counts are raised back (COUNTS-BORROWED ends);
 *   4. nodes, 5. edges: the two arrays, streamed;
 *   6. node names, 7. dict key names: the strings array. Strings are not kept: every name
 *      that is not a fixed string (type and field names, sites) gets the next index as it
 *      is used, and walks 6 and 7 make the same names again in the same order.
 * Edges are enumerated by each_edge, which reads the library's own layouts directly (see
 * there) and calls rc_traverse for every other type.
 * COUNTS-BORROWED: between walks 1 and 3 the reference counts hold external counts; no
 *   user code runs then except traverse functions (which must only visit), and walk 3 runs
 *   whatever happens, so the counts are intact when the call returns.
 * Nothing is allocated or freed between walk 1 and walk 6 (repr functions must not), so
 * each walk sees the same objects in the same order.
 */
#define _POSIX_C_SOURCE 200809L
#include "weakref.h"
#include "graph.h"
#include "builtins.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME_BYTES 41u    /* a node's name: at most 40 bytes of repr, as graph labels */
#define OUT_BYTES 65536u  /* the write buffer */
#define PREFETCH_SLOTS 8u /* walk 4 prefetches the id table's slot of the object this far on */

/* ---- the id table (SNAP-IDS) ----------------------------------------------------------- */

static size_t id_slot(uintptr_t key, size_t cap)
{
    return rci_util_ptrmap_slot(key, cap);
}

static bool ids_grow(rc_heap *heap)
{
    size_t cap = heap->snap.snap_cap ? heap->snap.snap_cap * 2 : 1024;
    uintptr_t *keys = rci_mem_alloc(heap, cap * sizeof *keys);
    uint32_t *vals = keys == NULL ? NULL : rci_mem_alloc(heap, cap * sizeof *vals);
    if (vals == NULL) {
        rci_mem_free(heap, keys, cap * sizeof *keys);
        return false;
    }
    memset(keys, 0, cap * sizeof *keys);
    for (size_t j = 0; j < heap->snap.snap_cap; j++) {
        uintptr_t k = heap->snap.snap_keys[j];
        if (k == 0)
            continue;
        size_t i = id_slot(k, cap);
        while (keys[i] != 0)
            i = (i + 1) & (cap - 1);
        keys[i] = k;
        vals[i] = heap->snap.snap_vals[j];
    }
    rci_mem_free(heap, heap->snap.snap_keys, heap->snap.snap_cap * sizeof *keys);
    rci_mem_free(heap, heap->snap.snap_vals, heap->snap.snap_cap * sizeof *vals);
    heap->snap.snap_keys = keys;
    heap->snap.snap_vals = vals;
    heap->snap.snap_cap = cap;
    return true;
}

static size_t ids_find(const rc_heap *heap, const rc_object *obj)
{
    uintptr_t k = (uintptr_t)obj;
    size_t cap = heap->snap.snap_cap;
    if (cap == 0)
        return SIZE_MAX;
    for (size_t i = id_slot(k, cap);; i = (i + 1) & (cap - 1)) {
        if (heap->snap.snap_keys[i] == k)
            return i;
        if (heap->snap.snap_keys[i] == 0)
            return SIZE_MAX;
    }
}

/* Room for n more ids without growing (so that walk 4 cannot fail half-way). */
static bool ids_reserve(rc_heap *heap, size_t n)
{
    while ((heap->snap.snap_len + n + 1) * 2 > heap->snap.snap_cap)
        if (!ids_grow(heap))
            return false;
    return true;
}

/* obj's id, given one if it has none (room reserved by ids_reserve). */
static uint64_t ids_get(rc_heap *heap, rc_object *obj)
{
    size_t i = ids_find(heap, obj);
    if (i != SIZE_MAX)
        return 2u * (uint64_t)heap->snap.snap_vals[i] + 1u;
    size_t cap = heap->snap.snap_cap;
    i = id_slot((uintptr_t)obj, cap);
    while (heap->snap.snap_keys[i] != 0)
        i = (i + 1) & (cap - 1);
    uint32_t serial = ++heap->snap.snap_serial;
    heap->snap.snap_keys[i] = (uintptr_t)obj;
    heap->snap.snap_vals[i] = serial;
    heap->snap.snap_len++;
    obj->_tinfo |= RCI_ORIGIN;
    return 2u * (uint64_t)serial + 1u;
}

void rci_snapshot_forget(rc_heap *heap, rc_object *obj)
{
    size_t i = ids_find(heap, obj);
    if (i == SIZE_MAX)
        return;
    heap->snap.snap_len--;
    size_t mask = heap->snap.snap_cap - 1, hole = i;
    for (size_t j = (i + 1) & mask; heap->snap.snap_keys[j] != 0; j = (j + 1) & mask) {
        size_t home = id_slot(heap->snap.snap_keys[j], heap->snap.snap_cap);
        if (!rci_util_shift_fills(hole, j, home, mask))
            continue;
        heap->snap.snap_keys[hole] = heap->snap.snap_keys[j];
        heap->snap.snap_vals[hole] = heap->snap.snap_vals[j];
        hole = j;
    }
    heap->snap.snap_keys[hole] = 0;
}

bool rci_snapshot_has_id(const rc_heap *heap, const rc_object *obj)
{
    return ids_find(heap, obj) != SIZE_MAX;
}

void rci_snapshot_free(rc_heap *heap)
{
    rci_mem_free(heap, heap->snap.snap_keys, heap->snap.snap_cap * sizeof *heap->snap.snap_keys);
    rci_mem_free(heap, heap->snap.snap_vals, heap->snap.snap_cap * sizeof *heap->snap.snap_vals);
    heap->snap.snap_keys = NULL;
    heap->snap.snap_vals = NULL;
    heap->snap.snap_cap = heap->snap.snap_len = 0;
}

uint64_t rc_snapshot_id(rc_heap *heap, const rc_object *obj)
{
    if (!rc_is_heap_object(obj))
        return 0;
    size_t i = ids_find(heap, obj);
    return i == SIZE_MAX ? 0 : 2u * (uint64_t)heap->snap.snap_vals[i] + 1u;
}

/* ---- the output buffer ----------------------------------------------------------------- */

typedef struct sink {
    FILE *out;
    /* quads[4 * i ...]: i's four decimal digits, zero-padded (i < 10000), filled when the
     * writer starts; one spare entry so that a 4-byte copy may read past the last. */
    char quads[4 * 10001];
    char buf[OUT_BYTES];
    size_t len;
    int err; /* errno of the first failed write, or 0 */
} sink;

static void sink_flush(sink *s)
{
    if (s->len == 0 || s->err) {
        s->len = 0;
        return;
    }
    errno = 0;
    if (fwrite(s->buf, 1, s->len, s->out) != s->len)
        s->err = errno ? errno : EIO;
    s->len = 0;
}

static void put(sink *s, const char *p, size_t n)
{
    if (n <= OUT_BYTES - s->len) { /* the common case: it fits */
        memcpy(s->buf + s->len, p, n);
        s->len += n;
        return;
    }
    while (n > 0) {
        if (s->len == OUT_BYTES)
            sink_flush(s);
        size_t k = OUT_BYTES - s->len < n ? OUT_BYTES - s->len : n;
        memcpy(s->buf + s->len, p, k);
        s->len += k;
        p += k;
        n -= k;
    }
}

static void puts_(sink *s, const char *text)
{
    put(s, text, strlen(text));
}

/* Room for n more bytes at the end of the buffer (n <= OUT_BYTES). */
static char *room(sink *s, size_t n)
{
    if (n > OUT_BYTES - s->len)
        sink_flush(s);
    return s->buf + s->len;
}

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

/* Number of decimal digits of v (v >= 10). */
static unsigned digits_of(uint64_t v)
{
    if (v < UINT64_C(100000000)) {
        uint32_t u = (uint32_t)v;
        return u < 10000 ? (u < 100    ? 2
                            : u < 1000 ? 3
                                       : 4)
                         : (u < 1000000    ? (u < 100000 ? 5 : 6)
                            : u < 10000000 ? 7
                                           : 8);
    }
    unsigned n = 8;
    for (v /= 100000000; v > 0; v /= 10)
        n++;
    return n;
}

/* Writes v's decimal digits at p, last first, two per division (in 32 bits below 2^32);
 * returns the byte after them. */
static char *fmt_long(char *p, uint64_t v)
{
    char *end = p + digits_of(v), *q = end;
    while (v > UINT32_MAX) {
        unsigned r = (unsigned)(v % 100) * 2;
        v /= 100;
        *--q = digit_pairs[r + 1];
        *--q = digit_pairs[r];
    }
    uint32_t u = (uint32_t)v;
    while (u >= 100) {
        unsigned r = (u % 100) * 2;
        u /= 100;
        *--q = digit_pairs[r + 1];
        *--q = digit_pairs[r];
    }
    if (u >= 10) {
        *--q = digit_pairs[u * 2 + 1];
        *--q = digit_pairs[(size_t)u * 2];
    } else {
        *--q = (char)('0' + u);
    }
    return end;
}

/* Writes v's decimal digits at p; returns the byte after them. Most numbers in a snapshot
 * (types, names of fixed strings, sizes, edge counts) have one or two digits. */
static inline char *fmt_u64(char *p, uint64_t v)
{
    if (v < 10) {
        *p = (char)('0' + v);
        return p + 1;
    }
    if (v < 100) {
        p[0] = digit_pairs[v * 2];
        p[1] = digit_pairs[v * 2 + 1];
        return p + 2;
    }
    return fmt_long(p, v);
}

static void put_u64(sink *s, uint64_t v)
{
    char *p = room(s, 20);
    s->len = (size_t)(fmt_u64(p, v) - s->buf);
}

static void quads_fill(sink *s)
{
    for (unsigned i = 0; i < 10000; i++) {
        s->quads[(size_t)4 * i] = (char)('0' + i / 1000);
        s->quads[4 * i + 1] = (char)('0' + i / 100 % 10);
        s->quads[4 * i + 2] = (char)('0' + i / 10 % 10);
        s->quads[4 * i + 3] = (char)('0' + i % 10);
    }
    memset(s->quads + (size_t)4 * 10000, '0', 4);
}

/* fmt_u64 with four digits per division below 10^8, the common case of ids, string
 * indexes and node offsets. Writes up to 3 bytes past the number (put_nums' room covers
 * them; the next number or the sink's length overwrites them). */
static inline char *fmt_fast(const sink *s, char *p, uint64_t v)
{
    if (v < 100 || v >= UINT64_C(100000000))
        return fmt_u64(p, v);
    uint32_t u = (uint32_t)v;
    if (u < 10000) {
        unsigned n = u < 1000 ? 3 : 4;
        memcpy(p, s->quads + (size_t)4 * u + 4 - n, 4);
        return p + n;
    }
    uint32_t hi = u / 10000, lo = u % 10000;
    unsigned n = hi < 10 ? 1 : hi < 100 ? 2 : hi < 1000 ? 3 : 4;
    memcpy(p, s->quads + (size_t)4 * hi + 4 - n, 4);
    memcpy(p + n, s->quads + (size_t)4 * lo, 4);
    return p + n + 4;
}

/* Writes the lead bytes (at most 2) then the n numbers comma-separated. */
static void put_nums(sink *s, const char *lead, size_t n_lead, const uint64_t *v, size_t n)
{
    char *p = room(s, 2 + 21 * n + 4), *start = p;
    for (size_t i = 0; i < n_lead; i++)
        *p++ = lead[i];
    p = fmt_fast(s, p, v[0]);
    for (size_t i = 1; i < n; i++) {
        *p++ = ',';
        p = fmt_fast(s, p, v[i]);
    }
    s->len += (size_t)(p - start);
}

/* A JSON number array element: ",v" (or "v" first). */
static void put_num(sink *s, uint64_t v, bool *first)
{
    if (!*first)
        put(s, ",", 1);
    *first = false;
    put_u64(s, v);
}

/* Length of the valid UTF-8 sequence at p (n bytes available), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len = c < 0x80             ? 1
                 : (c & 0xE0) == 0xC0 ? 2
                 : (c & 0xF0) == 0xE0 ? 3
                 : (c & 0xF8) == 0xF0 ? 4
                                      : 0;
    if (len == 0 || len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if (len == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0)))
        return 0;
    if (len == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)))
        return 0;
    return len;
}

/* A JSON string; bytes that are not valid UTF-8 (a repr cut inside a character) become
 * U+FFFD. */
static void put_json_string(sink *s, const char *text, size_t n)
{
    const unsigned char *p = (const unsigned char *)text;
    if (n <= NAME_BYTES) { /* the common case: a short name with nothing to escape */
        size_t j = 0;
        while (j < n && p[j] >= 0x20 && p[j] < 0x80 && p[j] != '"' && p[j] != '\\')
            j++;
        if (j == n) {
            char *q = room(s, n + 2);
            q[0] = '"';
            memcpy(q + 1, text, n);
            q[n + 1] = '"';
            s->len += n + 2;
            return;
        }
    }
    put(s, "\"", 1);
    size_t i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            size_t j = i;
            while (j < n && p[j] >= 0x20 && p[j] < 0x80 && p[j] != '"' && p[j] != '\\')
                j++;
            put(s, text + i, j - i);
            i = j;
            continue;
        }
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            put(s, esc, 2);
            i++;
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(s, esc, 6);
            i++;
        } else {
            size_t len = utf8_len(p + i, n - i);
            if (len == 0) {
                puts_(s, "\\ufffd");
                i++;
            } else {
                put(s, text + i, len);
                i += len;
            }
        }
    }
    put(s, "\"", 1);
}

/* ---- node positions (ORDINALS) --------------------------------------------------------- */

/* ORDINALS: node 0 is the synthetic root; objects follow in rc_heap_visit order, which is
 * page by page, slot by slot. A page's record holds a bit per slot handed out (live ones
 * set) and, per 64-bit word, the ordinal of the first object it covers. */
typedef struct snap_page {
    const char *slots;   /* the page's first slot */
    uint32_t slot_bytes; /* bytes per slot */
    uint32_t n_words;    /* words of bits */
    size_t word_at;      /* index of its first word in bits/prefix */
} snap_page;

typedef struct snap_index {
    snap_page *pages;
    size_t n_pages, cap_pages;
    uint64_t *bits;            /* live slots */
    uint32_t *prefix;          /* ordinal of the first live slot of each word's range */
    size_t n_words, cap_words; /* words used; words prefix holds */
    size_t cap_bits;           /* words bits holds (grown first, so >= cap_words) */
    rci_ptrmap by_addr;        /* page address -> index in pages */
    const void *last;          /* the page of the last object seen */
} snap_index;

static bool index_add_page(rc_heap *heap, snap_index *ix, const rci_page *pg)
{
    if (ix->n_pages == ix->cap_pages) {
        size_t cap = ix->cap_pages ? ix->cap_pages * 2 : 64;
        snap_page *p = rci_mem_resize(heap, ix->pages, ix->cap_pages * sizeof *p, cap * sizeof *p);
        if (p == NULL)
            return false;
        ix->pages = p;
        ix->cap_pages = cap;
    }
    uint32_t n_words = (pg->bump + 63u) / 64u;
    if (ix->n_words + n_words > ix->cap_words) {
        size_t cap = ix->cap_words ? ix->cap_words * 2 : 1024;
        while (cap < ix->n_words + n_words)
            cap *= 2;
        if (ix->cap_bits < cap) {
            uint64_t *b = rci_mem_resize(heap, ix->bits, ix->cap_bits * sizeof *b, cap * sizeof *b);
            if (b == NULL)
                return false;
            ix->bits = b;
            ix->cap_bits = cap;
        }
        uint32_t *q = rci_mem_resize(heap, ix->prefix, ix->cap_words * sizeof *q, cap * sizeof *q);
        if (q == NULL)
            return false;
        ix->prefix = q;
        ix->cap_words = cap;
    }
    bool added;
    size_t *slot = rci_util_ptrmap_insert(heap, &ix->by_addr, pg, &added);
    if (slot == NULL)
        return false;
    *slot = ix->n_pages;
    ix->pages[ix->n_pages++] = (snap_page){pg->slots, pg->slot_bytes, n_words, ix->n_words};
    memset(ix->bits + ix->n_words, 0, n_words * sizeof *ix->bits);
    ix->n_words += n_words;
    return true;
}

static void index_free(rc_heap *heap, snap_index *ix)
{
    rci_mem_free(heap, ix->pages, ix->cap_pages * sizeof *ix->pages);
    rci_mem_free(heap, ix->bits, ix->cap_bits * sizeof *ix->bits);
    rci_mem_free(heap, ix->prefix, ix->cap_words * sizeof *ix->prefix);
    rci_util_ptrmap_free(heap, &ix->by_addr);
}

/* Fills prefix once every bit is set: object ordinals start at 1. */
static void index_finish(snap_index *ix)
{
    uint32_t at = 1;
    for (size_t w = 0; w < ix->n_words; w++) {
        ix->prefix[w] = at;
        at += (uint32_t)__builtin_popcountll(ix->bits[w]);
    }
}

/* The node ordinal of a live object. */
static uint32_t index_ordinal(const snap_index *ix, const rc_object *obj)
{
    const size_t *pi = rci_util_ptrmap_find(&ix->by_addr, rci_page_of(obj));
    const snap_page *p = &ix->pages[*pi];
    size_t slot = (size_t)((const char *)obj - p->slots) / p->slot_bytes;
    size_t w = p->word_at + slot / 64;
    uint64_t below = ix->bits[w] & ((UINT64_C(1) << (slot % 64)) - 1u);
    return ix->prefix[w] + (uint32_t)__builtin_popcountll(below);
}

/* ---- the writer's state ---------------------------------------------------------------- */

typedef struct root_ref {
    const rc_object *obj; /* the object (for its name, if it is a named root) */
    uint32_t ordinal;     /* the object's node */
    int32_t outside;      /* references held from outside the heap */
} root_ref;

/* Fixed strings, in this order, then the type names, the field names, the sites. */
enum { S_EMPTY, S_ROOT_NAME, S_KEY, S_REFERENT, S_TRACE_ROOT, S_N_FIXED };
static const char *const fixed_strings[S_N_FIXED] = {"", "(rcgc roots)", "key", "referent",
                                                     "(root)"};

typedef struct writer {
    rc_heap *heap;
    unsigned flags; /* RC_SNAPSHOT_* */
    sink *s;
    snap_index ix;
    size_t n_nodes;   /* objects (the root excluded) */
    uint64_t n_edges; /* edges, the root's included */
    root_ref *roots;  /* objects held from outside, in node order */
    size_t n_roots, cap_roots;
    bool failed;           /* memory ran out in walk 1 or 2 */
    uint32_t type_str;     /* string index of type index 0's name ("") */
    uint32_t *field_str;   /* per type index: string index of its first field name */
    uint32_t site_str;     /* string index of the first site's name (two strings per site) */
    uint32_t n_fixed;      /* fixed strings */
    uint64_t next_str;     /* the next dynamic string's index */
    uint64_t *site_bytes;  /* per site: self bytes of its live objects */
    bool first;            /* no element written yet in the current array */
    char name[NAME_BYTES]; /* scratch for a repr */
} writer;

/* ---- what an object looks like ---------------------------------------------------------- */

/* Node types: indexes into meta.node_types[0]. */
#define NT_STRING 2u
#define NT_OBJECT 3u
#define NT_NUMBER 7u
#define NT_SYNTHETIC 9u
/* Edge types: indexes into meta.edge_types[0]. */
#define ET_ELEMENT 1u
#define ET_PROPERTY 2u
#define ET_INTERNAL 3u
#define ET_HIDDEN 4u
#define ET_WEAK 6u

static const char meta_text[] =
    "{\"snapshot\":{\"meta\":{"
    "\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\","
    "\"detachedness\"],"
    "\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\",\"closure\",\"regexp\","
    "\"number\",\"native\",\"synthetic\",\"concatenated string\",\"sliced string\",\"symbol\","
    "\"bigint\",\"object shape\"],\"string\",\"number\",\"number\",\"number\",\"number\","
    "\"number\"],"
    "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
    "\"edge_types\":[[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\","
    "\"weak\"],\"string_or_number\",\"node\"],"
    "\"trace_function_info_fields\":[\"function_id\",\"name\",\"script_name\",\"script_id\","
    "\"line\",\"column\"],"
    "\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"],"
    "\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],"
    "\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]},";

static unsigned node_type(const rc_object *obj)
{
    uint32_t t = rci_type_index(obj);
    if (t == RCI_INDEX_STR)
        return NT_STRING;
    if (t == RCI_INDEX_INT || t == RCI_INDEX_FLOAT)
        return NT_NUMBER;
    return NT_OBJECT;
}

/* Whether the node's name is the object's text (str, int, float) rather than its type's
 * name: a dynamic string. */
static bool name_is_dynamic(const writer *w, const rc_object *obj)
{
    return !(w->flags & RC_SNAPSHOT_TYPE_NAMES) && node_type(obj) != NT_OBJECT;
}

/* A float's name: its repr's digits found in at most three tries (15, 16, then 17
 * significant digits, which always read back), ".0" after an integral value as Python writes it.
 * rc_repr searches for the shortest digits with up to 17 tries, which made naming a heap of
 * floats cost seconds per million. */
static size_t float_name(double v, char *buf)
{
    /* Fast path: a value with at most 9 integral and 6 decimal digits that reads back
     * exactly (15 significant digits at most, so those digits are its shortest repr). */
    double a = v < 0 ? -v : v;
    if ((a >= 1e-4 && a < 1e9) || (a == 0 && v == v)) {
        double m = a * 1e6;
        uint64_t u = (uint64_t)m;
        if ((double)u == m && (double)u / 1e6 == a) {
            char *p = buf;
            if (signbit(v))
                *p++ = '-';
            p = fmt_u64(p, u / 1000000u);
            uint32_t frac = (uint32_t)(u % 1000000u);
            *p++ = '.';
            char six[6];
            for (int k = 5; k >= 0; k--) {
                six[k] = (char)('0' + frac % 10);
                frac /= 10;
            }
            size_t len = 6;
            while (len > 1 && six[len - 1] == '0')
                len--;
            memcpy(p, six, len);
            p += len;
            return (size_t)(p - buf);
        }
    }
    int n = snprintf(buf, NAME_BYTES, "%.15g", v);
    if (strtod(buf, NULL) != v && v == v)
        n = snprintf(buf, NAME_BYTES, "%.16g", v);
    if (strtod(buf, NULL) != v && v == v)
        n = snprintf(buf, NAME_BYTES, "%.17g", v);
    if (strspn(buf, "-0123456789") == (size_t)n && n + 2 < (int)NAME_BYTES) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    if (strcmp(buf, "nan") == 0 || strcmp(buf, "-nan") == 0)
        n = snprintf(buf, NAME_BYTES, "nan");
    return (size_t)n;
}

/* The node's name as text (dynamic names only): the str's text, the number's repr. */
static size_t node_name(writer *w, rc_object *obj, const char **text)
{
    if (rci_type_index(obj) == RCI_INDEX_STR) {
        const rci_str *s = (const rci_str *)obj;
        *text = s->data;
        return s->len < NAME_BYTES - 1 ? s->len : NAME_BYTES - 1;
    }
    *text = w->name;
    if (rci_type_index(obj) == RCI_INDEX_FLOAT)
        return float_name(((const rci_float *)obj)->value, w->name);
    return rc_repr_into(w->heap, obj, w->name, sizeof w->name);
}

static size_t self_bytes(const rc_object *obj)
{
    size_t bytes = rci_page_of(obj)->slot_bytes;
    uint32_t t = rci_type_index(obj);
    if (t == RCI_INDEX_LIST) {
        bytes += ((const rci_list *)obj)->cap * sizeof(rc_object *);
    } else if (t == RCI_INDEX_DICT) {
        const rci_dict *d = (const rci_dict *)obj;
        if (d->table != NULL)
            bytes += d->size * sizeof(int32_t) + rci_dict_usable(d->size) * sizeof(rci_dict_entry);
    }
    return bytes;
}

/* One edge as the walks see it. */
typedef struct snap_edge {
    unsigned type;     /* ET_* */
    uint64_t name;     /* a string index, or the element / hidden index */
    rc_object *key;    /* non-NULL: the name is this key's repr (a dynamic string) */
    rc_object *target; /* a heap object */
} snap_edge;

typedef void (*edge_fn)(writer *w, const snap_edge *e);

typedef struct edge_walk {
    writer *w;
    edge_fn fn;
    size_t i; /* the reference's position among the object's references */
} edge_walk;

/* A reference from a traverse function of the spec's own: a hidden edge by position. */
static int edge_visit(rc_heap *heap, rc_object *ref, void *arg)
{
    (void)heap;
    edge_walk *ew = arg;
    size_t i = ew->i++;
    if (!rc_is_heap_object(ref))
        return 0;
    snap_edge e = {ET_HIDDEN, i, NULL, ref};
    ew->fn(ew->w, &e);
    return 0;
}

/* Whether t's references are its named offset fields (then its trailing array's items, if
 * it has one): types without a traverse function of the spec's own. */
static bool has_named_fields(const rc_type *t)
{
    return !t->user_traverse && (t->traverse == NULL || t->has_array);
}

/* Element edges for n items. */
static void item_edges(writer *w, rc_object *const *items, size_t n, edge_fn fn)
{
    for (size_t i = 0; i < n; i++) {
        if (rc_is_heap_object(items[i])) {
            snap_edge e = {ET_ELEMENT, i, NULL, items[i]};
            fn(w, &e);
        }
    }
}

/* Calls fn for every edge of obj, in a fixed order: a dict's entries in insertion order
 * (key, then value named by the key's repr); list and tuple items as elements; reference
 * fields by name, then a trailing array's items as elements; other traverse functions'
 * references as hidden edges numbered by position; a weakref's referent as a weak edge.
 * None and small ints are not objects and make no edge.
 * Dicts, lists, tuples and types declared by offsets (with or without a trailing array)
 * are read here directly rather than through rc_traverse: their layouts are the library's
 * own (the same fields their traverse functions visit, dict.c, list.c, tuple.c, type.c),
 * and a call through a function pointer per reference was a third of the writer's time.
 * Every other type goes through rc_traverse. */
static void each_edge(writer *w, rc_object *obj, edge_fn fn)
{
    rc_heap *heap = w->heap;
    const rc_type *t = rci_type_of(heap, obj);
    if (!t->holds_refs)
        return;
    if (t == heap->types.t_dict) {
        const rci_dict *d = (const rci_dict *)obj;
        const rci_dict_entry *e = rci_dict_entries(d);
        for (size_t i = 0; i < d->n_entries; i++) {
            if (e[i].key == RCI_DICT_HOLE)
                continue;
            if (rc_is_heap_object(e[i].key)) {
                snap_edge k = {ET_INTERNAL, S_KEY, NULL, e[i].key};
                fn(w, &k);
            }
            if (rc_is_heap_object(e[i].value)) {
                snap_edge v = {ET_PROPERTY, 0, e[i].key, e[i].value};
                fn(w, &v);
            }
        }
        return;
    }
    if (t == heap->types.t_tuple) {
        const rci_tuple *tu = (const rci_tuple *)obj;
        item_edges(w, tu->items, tu->len, fn);
        return;
    }
    if (t == heap->types.t_list) {
        const rci_list *l = (const rci_list *)obj;
        item_edges(w, l->items, l->len, fn);
        return;
    }
    if (has_named_fields(t)) {
        uint32_t first = w->field_str[t->index];
        for (size_t i = 0; i < t->n_ref_offsets; i++) {
            rc_object *ref;
            memcpy(&ref, (const char *)obj + t->ref_offsets[i],
                   sizeof ref); /* NOLINT(bugprone-sizeof-expression): a pointer is copied */
            if (rc_is_heap_object(ref)) {
                snap_edge e = {ET_PROPERTY, first + i, NULL, ref};
                fn(w, &e);
            }
        }
        if (t->has_array)
            item_edges(w, rci_type_array_items(t, obj), rci_type_array_count(t, obj), fn);
    } else {
        edge_walk ew = {w, fn, 0};
        rc_traverse(heap, obj, edge_visit, &ew);
    }
    if (t->index == heap->wr.wr_type_index || t->index == heap->wr.wr_proxy_index) {
        rc_object *referent = ((const rci_weakref *)obj)->referent;
        if (referent != NULL) {
            snap_edge e = {ET_WEAK, S_REFERENT, NULL, referent};
            fn(w, &e);
        }
    }
}

/* ---- walks 1 to 3: index and counts (COUNTS-BORROWED) ---------------------------------- */

/* Walks 1 and 3 reach every reference rc_traverse would (each_edge's weak edge is not a
 * reference the heap counts) and count the edges on the way (the header's edge_count). */
static void lower_edge(writer *w, const snap_edge *e)
{
    w->n_edges++;
    if (e->type != ET_WEAK)
        e->target->_refcnt--;
}

static void raise_edge(writer *w, const snap_edge *e)
{
    (void)w;
    if (e->type != ET_WEAK)
        e->target->_refcnt++;
}

static int walk_index(rc_heap *heap, rc_object *obj, void *user)
{
    writer *w = user;
    const rci_page *pg = rci_page_of(obj);
    if (!w->failed && (const void *)pg != w->ix.last) {
        if (!index_add_page(heap, &w->ix, pg))
            w->failed = true;
        w->ix.last = pg;
    }
    if (!w->failed) {
        const snap_page *p = &w->ix.pages[w->ix.n_pages - 1];
        size_t slot = (size_t)((const char *)obj - p->slots) / p->slot_bytes;
        w->ix.bits[p->word_at + slot / 64] |= UINT64_C(1) << (slot % 64);
    }
    w->n_nodes++;
    each_edge(w, obj, lower_edge);
    return 0;
}

static int walk_roots(rc_heap *heap, rc_object *obj, void *user)
{
    writer *w = user;
    if (obj->_refcnt <= 0 || w->failed)
        return 0;
    if (w->n_roots == w->cap_roots) {
        size_t cap = w->cap_roots ? w->cap_roots * 2 : 64;
        root_ref *r = rci_mem_resize(heap, w->roots, w->cap_roots * sizeof *r, cap * sizeof *r);
        if (r == NULL) {
            w->failed = true;
            return 0;
        }
        w->roots = r;
        w->cap_roots = cap;
    }
    w->roots[w->n_roots++] = (root_ref){obj, index_ordinal(&w->ix, obj), obj->_refcnt};
    return 0;
}

static int walk_restore(rc_heap *heap, rc_object *obj, void *user)
{
    (void)heap;
    each_edge(user, obj, raise_edge);
    return 0;
}

static void count_edge(writer *w, const snap_edge *e)
{
    (void)e;
    w->n_edges++;
}

/* ---- walk 4: nodes --------------------------------------------------------------------- */

typedef struct edge_counter {
    writer *w;
    uint64_t n;
} edge_counter;

static int walk_nodes(rc_heap *heap, rc_object *obj, void *user)
{
    writer *w = user;
    sink *s = w->s;
    if (heap->snap.snap_cap != 0) {
        /* The id table is keyed by a hash of the address, so on a large heap each lookup
         * is a cache miss; objects come in address order, so the slot a few objects ahead
         * is known now (only its address is used, the memory there is not read). */
        uintptr_t ahead = (uintptr_t)obj + (uintptr_t)PREFETCH_SLOTS * rci_page_of(obj)->slot_bytes;
        size_t i = id_slot(ahead, heap->snap.snap_cap);
        __builtin_prefetch(&heap->snap.snap_keys[i]);
        __builtin_prefetch(&heap->snap.snap_vals[i]);
    }
    uint64_t before = w->n_edges;
    each_edge(w, obj, count_edge);
    uint64_t name = w->type_str + rci_type_index(obj);
    if (name_is_dynamic(w, obj))
        name = w->next_str++;
    int32_t site = rci_origin_site(heap, obj);
    size_t bytes = self_bytes(obj);
    if (site >= 0)
        w->site_bytes[site] += bytes;
    uint64_t f[7] = {node_type(obj),
                     name,
                     ids_get(heap, obj),
                     bytes,
                     w->n_edges - before,
                     site >= 0 ? (uint64_t)site + 2u : 0u,
                     0};
    put_nums(s, "\n,", 2, f, 7);
    return s->err != 0;
}

/* ---- walk 5: edges --------------------------------------------------------------------- */

static void write_edge(writer *w, const snap_edge *e)
{
    sink *s = w->s;
    uint64_t f[3] = {e->type, e->key != NULL ? w->next_str++ : e->name,
                     (uint64_t)index_ordinal(&w->ix, e->target) * 7u};
    put_nums(s, "\n,", w->first ? 1 : 2, f, 3);
    w->first = false;
}

static int walk_edges(rc_heap *heap, rc_object *obj, void *user)
{
    writer *w = user;
    (void)heap;
    each_edge(w, obj, write_edge);
    return w->s->err != 0;
}

/* ---- walk 6: strings ------------------------------------------------------------------- */

static void put_string(writer *w, const char *text, size_t n)
{
    put(w->s, ",\n", 2);
    put_json_string(w->s, text, n);
}

static int walk_node_names(rc_heap *heap, rc_object *obj, void *user)
{
    writer *w = user;
    (void)heap;
    if (!name_is_dynamic(w, obj))
        return 0;
    const char *text;
    size_t n = node_name(w, obj, &text);
    put_string(w, text, n);
    return w->s->err != 0;
}

static void key_name(writer *w, const snap_edge *e)
{
    if (e->key == NULL)
        return;
    size_t n = rc_repr_into(w->heap, e->key, w->name, sizeof w->name);
    put_string(w, w->name, n);
}

static int walk_key_names(rc_heap *heap, rc_object *obj, void *user)
{
    writer *w = user;
    (void)heap;
    if (rci_type_index(obj) == RCI_INDEX_DICT)
        each_edge(w, obj, key_name);
    return w->s->err != 0;
}

/* ---- the document ---------------------------------------------------------------------- */

/* Numbers the fixed strings: the constants, the type names (by type index), each type's
 * field names, two per site. */
static bool number_fixed(writer *w)
{
    rc_heap *heap = w->heap;
    w->field_str = rci_mem_alloc(heap, (heap->types.n_types + 1u) * sizeof *w->field_str);
    if (w->field_str == NULL)
        return false;
    uint32_t at = S_N_FIXED;
    w->type_str = at;
    at += heap->types.n_types;
    for (uint32_t t = 0; t < heap->types.n_types; t++) {
        w->field_str[t] = at;
        if (t > 0 && has_named_fields(heap->types.table[t]))
            at += (uint32_t)heap->types.table[t]->n_ref_offsets;
    }
    w->site_str = at;
    at += 2u * heap->origins.n_sites;
    w->n_fixed = at;
    w->next_str = at;
    w->site_bytes = rci_mem_alloc(heap, (heap->origins.n_sites + 1u) * sizeof *w->site_bytes);
    if (w->site_bytes == NULL)
        return false;
    memset(w->site_bytes, 0, (heap->origins.n_sites + 1u) * sizeof *w->site_bytes);
    return true;
}

static void write_fixed_strings(writer *w)
{
    rc_heap *heap = w->heap;
    char buf[64];
    for (unsigned i = 0; i < S_N_FIXED; i++) {
        if (i > 0)
            put(w->s, ",\n", 2);
        put_json_string(w->s, fixed_strings[i], strlen(fixed_strings[i]));
    }
    for (uint32_t t = 0; t < heap->types.n_types; t++) {
        const char *name = t == 0 ? "" : heap->types.table[t]->name;
        put_string(w, name, strlen(name));
    }
    for (uint32_t t = 1; t < heap->types.n_types; t++) {
        const rc_type *ty = heap->types.table[t];
        if (!has_named_fields(ty))
            continue;
        for (size_t i = 0; i < ty->n_ref_offsets; i++) {
            if (ty->ref_names != NULL && ty->ref_names[i] != NULL) {
                put_string(w, ty->ref_names[i], strlen(ty->ref_names[i]));
            } else {
                int n = snprintf(buf, sizeof buf, "field %zu", i);
                put_string(w, buf, (size_t)n);
            }
        }
    }
    for (uint32_t site = 0; site < heap->origins.n_sites; site++) {
        rc_site_count c;
        rci_origin_site_info(heap, site, &c);
        int n =
            snprintf(buf, sizeof buf, "%s@%s:%d", c.type_name, rci_origin_basename(c.file), c.line);
        put_string(w, buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
        put_string(w, c.file, strlen(c.file));
    }
}

/* trace_function_infos and trace_tree: one function per site, the tree a root with one
 * child per site (V8's allocation-tracking layout). */
static void write_sites(writer *w)
{
    rc_heap *heap = w->heap;
    sink *s = w->s;
    puts_(s, "],\n\"trace_function_infos\":[");
    w->first = true;
    put_num(s, 1, &w->first);
    put_num(s, S_TRACE_ROOT, &w->first);
    put_num(s, S_EMPTY, &w->first);
    put_num(s, 0, &w->first);
    put_num(s, 0, &w->first);
    put_num(s, 0, &w->first);
    for (uint32_t site = 0; site < heap->origins.n_sites; site++) {
        rc_site_count c;
        rci_origin_site_info(heap, site, &c);
        put(s, "\n", 1);
        put_num(s, site + 2u, &w->first);
        put_num(s, w->site_str + 2u * site, &w->first);
        put_num(s, w->site_str + 2u * site + 1u, &w->first);
        put_num(s, site + 1u, &w->first);
        put_num(s, (uint64_t)(c.line > 0 ? c.line : 0), &w->first);
        put_num(s, 0, &w->first);
    }
    uint64_t count = 0, bytes = 0;
    for (uint32_t site = 0; site < heap->origins.n_sites; site++) {
        rc_site_count c;
        rci_origin_site_info(heap, site, &c);
        count += c.count;
        bytes += w->site_bytes[site];
    }
    puts_(s, "],\n\"trace_tree\":[1,0,");
    put_u64(s, count);
    put(s, ",", 1);
    put_u64(s, bytes);
    put(s, ",[", 2);
    w->first = true;
    for (uint32_t site = 0; site < heap->origins.n_sites; site++) {
        rc_site_count c;
        rci_origin_site_info(heap, site, &c);
        if (!w->first)
            put(s, ",", 1);
        w->first = true;
        put_num(s, site + 2u, &w->first);
        put_num(s, site + 1u, &w->first);
        put_num(s, c.count, &w->first);
        put_num(s, w->site_bytes[site], &w->first);
        put(s, ",[]", 3);
    }
    puts_(s, "]],\n\"samples\":[],\n\"locations\":[],\n\"strings\":[");
}

static void write_root(writer *w)
{
    sink *s = w->s;
    puts_(s, "\n\"nodes\":[");
    put_u64(s, NT_SYNTHETIC);
    put(s, ",", 1);
    put_u64(s, S_ROOT_NAME);
    put(s, ",1,0,", 5);
    put_u64(s, w->n_roots);
    put(s, ",0,0", 4);
}

static void write_root_edges(writer *w)
{
    for (size_t i = 0; i < w->n_roots; i++) {
        snap_edge e = {ET_PROPERTY, w->next_str++, NULL, NULL};
        sink *s = w->s;
        put(s, w->first ? "\n" : ",\n", w->first ? 1 : 2);
        w->first = false;
        put_u64(s, e.type);
        put(s, ",", 1);
        put_u64(s, e.name);
        put(s, ",", 1);
        put_u64(s, (uint64_t)w->roots[i].ordinal * 7u);
    }
}

/* A root edge's name: "held from outside (N refs)", or for a named root (rc_root_name)
 * "root NAME (N refs)", the name cut to ROOT_NAME_BYTES bytes. */
#define ROOT_NAME_BYTES 200
static void write_root_names(writer *w)
{
    char buf[ROOT_NAME_BYTES + 64];
    for (size_t i = 0; i < w->n_roots; i++) {
        const char *name = rci_root_name_of(w->heap, w->roots[i].obj);
        long refs = (long)w->roots[i].outside;
        int n = name != NULL
                    ? snprintf(buf, sizeof buf, "root %.*s (%ld refs)", ROOT_NAME_BYTES, name, refs)
                    : snprintf(buf, sizeof buf, "held from outside (%ld refs)", refs);
        put_string(w, buf, (size_t)n);
    }
}

/* Walks 4 to 6 (the counts are intact again); non-zero when a write failed. */
static int write_document(writer *w)
{
    rc_heap *heap = w->heap;
    sink *s = w->s;
    puts_(s, meta_text);
    puts_(s, "\"node_count\":");
    put_u64(s, w->n_nodes + 1u);
    puts_(s, ",\"edge_count\":");
    put_u64(s, w->n_edges + w->n_roots);
    puts_(s, ",\"trace_function_count\":");
    put_u64(s, heap->origins.n_sites + 1u);
    puts_(s, "},");
    write_root(w);
    w->n_edges = 0;
    if (rc_heap_visit(heap, walk_nodes, w) != 0)
        return 1;
    puts_(s, "],\n\"edges\":[");
    w->first = true;
    write_root_edges(w);
    if (rc_heap_visit(heap, walk_edges, w) != 0)
        return 1;
    write_sites(w);
    write_fixed_strings(w);
    if (rc_heap_visit(heap, walk_node_names, w) != 0)
        return 1;
    write_root_names(w);
    if (rc_heap_visit(heap, walk_key_names, w) != 0)
        return 1;
    puts_(s, "]}\n");
    sink_flush(s);
    if (s->err == 0 && fflush(s->out) != 0)
        s->err = errno ? errno : EIO;
    return s->err != 0;
}

static void writer_free(writer *w)
{
    rc_heap *heap = w->heap;
    index_free(heap, &w->ix);
    rci_mem_free(heap, w->roots, w->cap_roots * sizeof *w->roots);
    if (w->field_str != NULL)
        rci_mem_free(heap, w->field_str, (heap->types.n_types + 1u) * sizeof *w->field_str);
    if (w->site_bytes != NULL)
        rci_mem_free(heap, w->site_bytes, (heap->origins.n_sites + 1u) * sizeof *w->site_bytes);
    rci_mem_free(heap, w->s, sizeof *w->s);
}

#define SNAPSHOT_FLAGS (RC_SNAPSHOT_TYPE_NAMES)

static rc_status snapshot_check_args(rc_heap *heap, const void *out, unsigned flags,
                                     const char *call)
{
    if (out == NULL)
        return rci_error(heap, RC_EINVAL, "%s: no output (NULL)", call);
    if (flags & ~(unsigned)SNAPSHOT_FLAGS)
        return rci_error(heap, RC_EINVAL, "%s: unknown flags 0x%x", call,
                         flags & ~(unsigned)SNAPSHOT_FLAGS);
    if (heap->gc.collecting || heap->objs.freeing || heap->objs.pending != NULL)
        return rci_error(heap, RC_ESTATE, "%s: the heap is collecting or freeing objects", call);
    return RC_OK;
}

/* The writer without its argument checks; call names the public function. */
static rc_status snapshot_write(rc_heap *heap, FILE *out, unsigned flags, const char *call)
{
    writer w;
    memset(&w, 0, sizeof w);
    w.heap = heap;
    w.flags = flags;
    w.s = rci_mem_alloc(heap, sizeof *w.s);
    if (w.s == NULL || !number_fixed(&w) || !ids_reserve(heap, rci_object_live_count(heap))) {
        writer_free(&w);
        return rci_error(heap, RC_ENOMEM, "%s: out of memory preparing the snapshot", call);
    }
    w.s->out = out;
    quads_fill(w.s);
    w.s->len = 0;
    w.s->err = 0;
    /* COUNTS-BORROWED from walk 1 to walk 3, whatever fails in between. */
    rc_heap_visit(heap, walk_index, &w);
    if (!w.failed) {
        index_finish(&w.ix);
        rc_heap_visit(heap, walk_roots, &w);
    }
    rc_heap_visit(heap, walk_restore, &w);
    if (w.failed) {
        writer_free(&w);
        return rci_error(heap, RC_ENOMEM, "%s: out of memory indexing %zu objects", call,
                         w.n_nodes);
    }
    int bad = write_document(&w);
    int err = w.s->err;
    writer_free(&w);
    if (bad)
        return rci_error(heap, RC_EOS, "%s: write failed: %s", call, strerror(err));
    return RC_OK;
}

rc_status rc_heap_snapshot_write(rc_heap *heap, FILE *out, unsigned flags)
{
    rc_status st = snapshot_check_args(heap, out, flags, "rc_heap_snapshot_write");
    return st != RC_OK ? st : snapshot_write(heap, out, flags, "rc_heap_snapshot_write");
}

rc_status rc_heap_snapshot_write_path(rc_heap *heap, const char *path, unsigned flags)
{
    static const char call[] = "rc_heap_snapshot_write_path";
    rc_status st = snapshot_check_args(heap, path, flags, call);
    if (st != RC_OK)
        return st;
    size_t n = strlen(path);
    char *tmp = rci_mem_alloc(heap, n + 8);
    if (tmp == NULL)
        return rci_error(heap, RC_ENOMEM, "%s: out of memory", call);
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".XXXXXX", 8);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        rci_mem_free(heap, tmp, n + 8);
        return rci_error(heap, RC_EOS, "%s: cannot create a temporary file next to '%s': %s", call,
                         path, strerror(e));
    }
    FILE *f = fdopen(fd, "w");
    if (f == NULL) {
        int e = errno;
        close(fd);
        unlink(tmp);
        rci_mem_free(heap, tmp, n + 8);
        return rci_error(heap, RC_EOS, "%s: '%s': %s", call, path, strerror(e));
    }
    st = snapshot_write(heap, f, flags, call);
    if (st == RC_OK && fsync(fileno(f)) != 0 && errno != EINVAL)
        st = rci_error(heap, RC_EOS, "%s: '%s': %s", call, path, strerror(errno));
    if (fclose(f) != 0 && st == RC_OK)
        st = rci_error(heap, RC_EOS, "%s: '%s': %s", call, path, strerror(errno));
    if (st == RC_OK && rename(tmp, path) != 0)
        st = rci_error(heap, RC_EOS, "%s: cannot rename the snapshot to '%s': %s", call, path,
                       strerror(errno));
    if (st != RC_OK)
        unlink(tmp);
    rci_mem_free(heap, tmp, n + 8);
    return st;
}
