/*
 * mem.h -- the memory layer of the Scheme interpreter: how values look and how they are
 * made, kept and dropped. Everything else in examples/scheme/ goes through this file.
 *
 * One source, three memory managers, chosen at compile time:
 *   SCM_RCGC     (default) rcgc: reference counts plus the cycle collector;
 *   SCM_BOEHM    Boehm GC: GC_MALLOC, nothing is ever freed by hand;
 *   SCM_NOFREE   malloc that never frees.
 * The last two exist only for bench/interp; under them the reference-count macros do
 * nothing and the collector builtins are absent.
 *
 * A value (V) is a pointer to an object header, or a small integer packed into the pointer
 * (value << 1 | 1, as rcgc packs them). NULL is never a value: it means "an error was
 * raised" (interp.h, scm_error), so the empty list is an object of its own.
 *
 * Ownership (rcgc only; the rule the evaluator follows everywhere): a function returning a
 * V returns a new reference; arguments are borrowed. REF adds one, UNREF drops one.
 */
#ifndef SCM_MEM_H
#define SCM_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if !defined(SCM_BOEHM) && !defined(SCM_NOFREE)
#define SCM_RCGC 1
#include <rcgc.h>
typedef rc_object obj;
#else
/* The same 8 bytes as rcgc's header, so every object has the same size in all builds. */
typedef struct obj {
    uint32_t kind;  /* enum kind */
    uint32_t spare; /* padding */
} obj;
#endif
typedef obj *V;

/* What a value is. The order of the heap kinds is the order of their registration. */
enum kind {
    K_INT,     /* a small integer (no object) */
    K_NIL,     /* the empty list (one immortal object) */
    K_BOOL,    /* #t and #f (immortal) */
    K_UNSPEC,  /* what set! and friends return (immortal) */
    K_PAIR,    /* struct pair */
    K_SYMBOL,  /* struct symbol, interned */
    K_STRING,  /* rcgc's str; struct string elsewhere */
    K_VECTOR,  /* struct vector */
    K_CLOSURE, /* struct closure */
    K_PRIM,    /* struct prim: a builtin (immortal) */
    K_FRAME,   /* struct frame: one activation's variables */
    K_NODE,    /* struct node: compiled code */
    K_COUNT
};

struct interp;
typedef V (*prim_fn)(struct interp *in, int argc, V *argv);

typedef struct pair {
    obj hdr;
    V car, cdr;
} pair;
typedef struct symbol {
    obj hdr;
    V name;
    V value;
} symbol; /* name: a string; value: global */
typedef struct vector {
    obj hdr;
    size_t n;
    V items[];
} vector;
typedef struct closure {
    obj hdr;
    V code;
    V env;
} closure; /* code: an N_LAMBDA node */
typedef struct frame {
    obj hdr;
    V parent;
    size_t n;
    V slots[];
} frame;
typedef struct prim {
    obj hdr;
    V name; /* a string */
    prim_fn fn;
    int16_t min_args, max_args; /* max -1: any number */
    bool owned_args;            /* arguments must be owned: it may run Scheme code (apply,
                                 map), or counts references (why-alive) */
    bool steals;                /* it takes over its arguments' references (cons, list, vector) */
    bool predicate;             /* it answers #t or #f only, uncounted (scm_bool): a test
                                   that asked it has nothing to drop (eval.c, eval_test) */
} prim;
#ifndef SCM_RCGC
typedef struct string {
    obj hdr;
    size_t len;
    char data[];
} string;
#endif

/* Compiled code (compile.c): one node per expression. */
typedef struct node {
    obj hdr;
    int32_t op;    /* enum op (interp.h) */
    int32_t line;  /* source line, for errors and allocation sites */
    int32_t depth; /* N_LOCAL/N_SETLOCAL: frames up; N_LAMBDA: 1 if it takes a rest list */
    int32_t index; /* N_LOCAL/N_SETLOCAL: slot; N_LAMBDA/N_LET: parameters */
    int32_t slots; /* N_LAMBDA/N_LET: frame size (parameters and internal defines) */
    int32_t flags; /* N_CALL: NODE_SIMPLE_ARGS */
    V a, b, c;     /* operands: constant, symbol, sub-expressions (see enum op) */
    size_t n;      /* entries of kids */
    V kids[];      /* N_CALL: arguments; N_SEQ, N_AND, N_OR, N_LET: expressions */
} node;

/* An N_CALL whose arguments are all variables or constants: evaluating them cannot run
 * code, so a builtin that does not call back may borrow them straight from their frames. */
#define NODE_SIMPLE_ARGS 1

/* Small integers: the range is rcgc's small-int range in every build. */
#define SCM_INT_MIN (-((int64_t)1 << 62))
#define SCM_INT_MAX (((int64_t)1 << 62) - 1)

#ifdef SCM_RCGC
/* Values in range only (scm_int checks): rcgc's inline small-int paths, no heap needed.
 * INTVAL only after IS_INT (every caller tests first: INT_ARG, builtins.c). */
#define IS_INT(v) rc_is_small_int(v)
#define MKINT(n) rc_int_new(NULL, (n))
#define INTVAL(v) rc_small_int_value(v)
#define REF(v) rc_incref(v)
#define NEWREF(v) rc_newref(v)
#define UNREF(in, v) rc_decref((in)->m.heap, (v))
/* The same for a value known not to be NULL (VREF, VUNREF) or known to be an object (OREF,
 * OUNREF): the evaluator's inner loop, where a NULL is impossible by construction. */
#define VREF(v) rc_incref_value(v)
#define VNEWREF(v) rc_newref_value(v)
#define VUNREF(in, v) rc_decref_value((in)->m.heap, (v))
#define OREF(v) rc_incref_obj(v)
#define OUNREF(in, v) rc_decref_obj((in)->m.heap, (v))
#define ONEWREF(v) (OREF(v), (v))
#define HAS_KIND(in, v, k) mem_has_kind(&(in)->m, (v), (k))
#else
#define IS_INT(v) (((uintptr_t)(v)&1u) != 0)
#define MKINT(n) ((V)(uintptr_t)(((uint64_t)(n) << 1) | 1u))
#define INTVAL(v) ((int64_t)(intptr_t)(v) >> 1)
#define REF(v) ((void)(v))
#define NEWREF(v) (v)
#define UNREF(in, v) ((void)(in), (void)(v))
#define VREF(v) ((void)(v))
#define VNEWREF(v) (v)
#define VUNREF(in, v) ((void)(in), (void)(v))
#define OREF(v) ((void)(v))
#define OUNREF(in, v) ((void)(in), (void)(v))
#define ONEWREF(v) (v)
#define HAS_KIND(in, v, k) ((void)(in), !IS_INT(v) && (v)->kind == (uint32_t)(k))
#endif

/* The immortal constants ('(), #t, #f, the unspecified value) are handed out uncounted,
 * as CPython 3.12 hands out None: an immortal object's count means nothing and releasing
 * it, as any code may, is harmless (rc_make_immortal). So a predicate's answer costs no
 * count operation. The other direction is not free: an immortal object takes only 2^30
 * increments that are never released, so the evaluator drops every value it owns, the
 * constants included (counted, eval.c), and never skips the release of a value that a
 * variable or a pair handed out counted. */
#define CONSTANT(v) (v)

/* The interpreter's part of the memory layer, filled by mem_init. */
typedef struct mem {
#ifdef SCM_RCGC
    rc_heap *heap;
    const rc_type *types[K_COUNT]; /* by kind; K_INT is rcgc's int, K_STRING its str */
    uint32_t index[K_COUNT];       /* their indexes, for the inline type test */
    uint8_t kind[64];              /* and back: kind by type index (K_COUNT: none of ours) */
    V symbols;                     /* dict: name (str) -> symbol; a named root the heap holds */
    bool sites;                    /* allocation sites are recorded (--sites) */
#else
    V symbols; /* a list of every symbol */
#endif
} mem;

/* The kind of any value (the printer's question; a test for one kind is HAS_KIND, inline). */
static inline enum kind mem_kind_of(const mem *m, V v);

bool mem_init(mem *m, bool record_sites);
void mem_fini(mem *m);
/* A zero-filled object of kind k and `bytes` (its struct plus any trailing array), count 1.
 * NULL when out of memory. */
V mem_new(mem *m, enum kind k, size_t bytes);
/* An immortal object of kind k ('(), #t, #f, builtins): counting never frees it
 * (rc_make_immortal). */
V mem_new_immortal(mem *m, enum kind k, size_t bytes);
/* Objects made from now on come from the script's file (mem_set_file) at this line (rcgc
 * with sites recorded; otherwise nothing). */
static inline void mem_set_site(mem *m, int line);
/* The script file that sites name (copied by rcgc). */
void mem_set_file(mem *m, const char *file);
/* Strings. */
V mem_string_new(mem *m, const char *bytes, size_t len);
const char *mem_string_data(mem *m, V s);
size_t mem_string_len(mem *m, V s);
/* The symbol named name[0..len), made on first use; a new reference. */
V mem_intern(mem *m, const char *name, size_t len);

#ifdef SCM_RCGC
/* The inline type test. NULL is never a value (above): saying so lets the compiler drop
 * rc_type_index's NULL test. */
static inline bool mem_has_kind(const mem *m, V v, enum kind k)
{
#if defined(__GNUC__)
    if (v == NULL)
        __builtin_unreachable();
#endif
    return rc_is_type(v, m->index[k]);
}
#endif

static inline enum kind mem_kind_of(const mem *m, V v)
{
    if (IS_INT(v))
        return K_INT;
#ifdef SCM_RCGC
    uint32_t i = rc_type_index(v);
    return i < sizeof m->kind ? (enum kind)m->kind[i] : K_COUNT;
#else
    (void)m;
    return (enum kind)v->kind;
#endif
}

static inline void mem_set_site(mem *m, int line)
{
#ifdef SCM_RCGC
    if (m->sites)
        rc_origin_set_line(m->heap, line);
#else
    (void)m, (void)line;
#endif
}

#endif
