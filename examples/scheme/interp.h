/*
 * interp.h -- the Scheme interpreter's shared declarations: the interpreter state, the
 * compiled-code operations, and the entry points of each file.
 *
 *   read.c     text -> data (pairs, symbols, numbers, strings), with source lines
 *   compile.c  data -> nodes, variables resolved to (frames up, slot) or a global symbol
 *   eval.c     nodes -> values, with proper tail calls
 *   print.c    display and write
 *   builtins.c the standard procedures;  gcprims.c the collector's and leak tools' ones
 *   main.c     runs a file (or standard input) form by form
 *
 * Errors: a failing function records a message (scm_error) and returns NULL (or false);
 * every caller drops what it owns and passes the failure up, so a Scheme error leaks
 * nothing. The top level prints the message and goes on with the next form.
 */
#ifndef SCM_INTERP_H
#define SCM_INTERP_H

#include <stdio.h>

#include "mem.h"

enum op {
    N_CONST,     /* a: the constant */
    N_LOCAL,     /* depth, index */
    N_GLOBAL,    /* a: the symbol */
    N_SETLOCAL,  /* depth, index; b: the value's expression */
    N_SETGLOBAL, /* a: symbol; b: expression (set!) */
    N_DEFINE,    /* a: symbol; b: expression (top-level define) */
    N_IF,        /* a: test, b: then, c: else */
    N_LAMBDA,    /* a: body; b: name symbol or NULL; index: parameters; depth: rest list */
    N_SEQ,       /* kids, the last in tail position */
    N_AND,       /* kids */
    N_OR,        /* kids */
    N_LET,       /* kids: initial values (index of them); a: body; slots: frame size;
                    depth 1: letrec (values computed in the new frame) */
    N_CALL       /* a: the procedure's expression; kids: arguments */
};

#define SPARE_FRAMES 8 /* frames of 0 to 7 slots are reused */
#define SPARE_DEPTH 16 /* at most this many of each size wait */

typedef struct interp {
    mem m;
    V nil, t, f, unspec; /* the immortal constants */
    V sym_quote, sym_lambda, sym_define, sym_if, sym_set, sym_begin, sym_let, sym_letstar,
        sym_letrec, sym_cond, sym_else, sym_and, sym_or, sym_when, sym_unless, sym_do,
        sym_quasiquote, sym_unquote, sym_unquote_splicing, sym_arrow, sym_case;
    char error[512];        /* the pending error's message */
    bool failed;            /* an error is pending */
    const char *stack_base; /* an address near the bottom of the C stack (main's frame) */
    size_t stack_limit;     /* bytes of C stack non-tail recursion may use */
    const char *file;       /* the script's name, for sites and messages */
    int line;               /* the line of the expression being evaluated (errors) */
    FILE *out;              /* where display and write go */
    V spare[SPARE_FRAMES][SPARE_DEPTH]; /* emptied frames kept for reuse, by size (eval.c) */
    size_t n_spare[SPARE_FRAMES];
#ifdef SCM_RCGC
    rc_objgraph_peaks peaks; /* growth between (show-growth) calls */
#endif
} interp;

/* Records "file:line: message" and returns NULL; the *_false form returns false. */
V scm_error(interp *in, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#define AS(type, v) ((type *)(void *)(v))
#define CAR(v) (AS(pair, v)->car)
#define CDR(v) (AS(pair, v)->cdr)
#define IS(in, v, k) HAS_KIND(in, v, k)

/* Constructors (new references; NULL with the error set when memory runs out). */
V scm_cons(interp *in, V car, V cdr);
V scm_cons_steal(interp *in, V car, V cdr); /* takes over both references */
V scm_int(interp *in, int64_t n);           /* error outside the small-int range */
V scm_string(interp *in, const char *bytes, size_t len);
V scm_symbol(interp *in, const char *name);
V scm_vector(interp *in, size_t n, V fill);
V scm_bool(interp *in, bool b);

/* read.c: the next datum of text at *pos, or NULL at the end (in->failed says which).
 * *line counts lines; every list read is given its line in the line table. */
typedef struct reader {
    const char *text;
    size_t pos, len;
    int line;
    struct {
        V pair;
        int line;
    } * lines; /* where each list began (borrowed pairs) */
    size_t n_lines, cap_lines;
} reader;
V scm_read(interp *in, reader *r);
int reader_line_of(const reader *r, V pair, int fallback);
void reader_forget(interp *in, reader *r);

/* compile.c: a top-level form to code (a node), or NULL. */
V scm_compile(interp *in, reader *r, V form);

/* eval.c */
V scm_eval(interp *in, V code, V env);
void scm_drop_spare_frames(interp *in);
V scm_apply(interp *in, V proc, int argc, V *argv);

/* print.c */
void scm_print(interp *in, FILE *f, V v, bool write);

/* builtins.c, gcprims.c */
bool scm_define_builtins(interp *in);
bool scm_define_gc_builtins(interp *in);
bool scm_define_prim(interp *in, const char *name, prim_fn fn, int min_args, int max_args);
/* Marks a builtin as one whose arguments the evaluator must own (prim.owned_args). */
bool scm_prim_owns_args(interp *in, const char *name);

bool scm_init(interp *in, bool record_sites, const char *stack_base);
void scm_fini(interp *in);
/* Runs every form of text; false if one failed (the message went to stderr). */
bool scm_run(interp *in, const char *file, const char *text, size_t len);

#endif
