/*
 * eval.c -- runs code. scm_eval loops instead of recursing wherever the result of a
 * sub-expression is the result of the whole (if's branches, a body's last expression, the
 * body of a called closure or of a let): those are Scheme's tail positions, so tail calls
 * run in constant C stack and constant memory. Only operands and tests recurse.
 *
 * References: env is borrowed. While the loop runs in a frame it made (a call's or a let's),
 * it owns that frame (own_env) and the closure being run (own_fn, which keeps its code
 * alive even if the program drops the closure meanwhile), and drops both when it moves on.
 * Where a reference the loop is about to drop is the one the next step needs, it is moved
 * instead of counted up and down (enter_frame, the self tail call).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

V scm_error(interp *in, const char *fmt, ...)
{
    if (in->failed)
        return NULL; /* the first message is the one that explains */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(in->error, sizeof in->error, fmt, ap);
    va_end(ap);
    in->failed = true;
    return NULL;
}

/* Prefixes the pending message with the line of the expression that raised it. */
static V at_line(interp *in, int line)
{
    if (strncmp(in->error, "line ", 5) != 0) {
        char msg[sizeof in->error + 32];
        snprintf(msg, sizeof msg, "line %d: %s", line, in->error);
        msg[sizeof in->error - 1] = '\0';
        memcpy(in->error, msg, sizeof in->error);
    }
    return NULL;
}

static inline V eval_operand(interp *in, V code, V env);

/* False for values whose reference needs no dropping: small ints, and everything in the
 * builds that count nothing. The immortal constants are dropped like any object: a value
 * read from a variable or a pair was counted up, and an immortal object tolerates any
 * number of unmatched releases but only 2^30 unmatched increments (rc_make_immortal), so
 * skipping their drops would let a loop testing a variable holding #t overflow #t's
 * count. */
static inline bool counted(interp *in, V v)
{
#ifdef SCM_RCGC
    (void)in;
    return !IS_INT(v);
#else
    (void)in, (void)v;
    return false;
#endif
}

/* Drops a value the evaluator owns: a test's answer, an expression's value in a sequence. */
static inline void drop_value(interp *in, V v)
{
    if (counted(in, v))
        OUNREF(in, v);
}

#if defined(__GNUC__)
#define NOINLINE __attribute__((noinline))
/* Tells the compiler that v is an object (not NULL, not a small int), so that the tests of
 * rcgc.h's inline functions for any reference (rc_refcount) fold away. */
#define KNOWN_OBJECT(v) ((((uintptr_t)(v)&1u) || (v) == NULL) ? __builtin_unreachable() : (void)0)
#else
#define NOINLINE
#define KNOWN_OBJECT(v) ((void)0)
#endif

/* A frame's parent (a frame, or NULL at the top level), counted up or dropped. */
static inline V parent_ref(V p)
{
    if (p != NULL)
        OREF(p);
    return p;
}

/* Frame reuse (rcgc only): f, owned, is a frame whose activation ended. If its count is 1,
 * nothing else holds it (no closure captured it), so instead of freeing it the evaluator
 * empties it and keeps it (up to SPARE_DEPTH of each size) for the next call: with
 * reference counts a tail-calling loop runs in two frames and a call that captures nothing
 * costs no allocation. A tracing collector cannot know that a frame is unshared; its builds
 * always allocate. reuse_frame is the second half, for a frame whose count is known to be 1. */
static inline void reuse_frame(interp *in, V f)
{
#ifdef SCM_RCGC
    frame *fr = AS(frame, f);
    size_t n = fr->n;
    if (n < SPARE_FRAMES && in->n_spare[n] < SPARE_DEPTH) {
        V p = fr->parent;
        fr->parent = NULL;
        if (p != NULL)
            OUNREF(in, p);
        for (size_t i = 0; i < n; i++) {
            V x = fr->slots[i];
            fr->slots[i] = NULL;
            VUNREF(in, x);
        }
        in->spare[n][in->n_spare[n]++] = f; /* the releases ran no Scheme code */
        return;
    }
#endif
    OUNREF(in, f);
}

/* True if nothing but the evaluator holds frame f. */
static inline bool unshared(V f)
{
#ifdef SCM_RCGC
    KNOWN_OBJECT(f);
    return rc_refcount(f) == 1;
#else
    (void)f;
    return false;
#endif
}

static inline void drop_frame(interp *in, V f)
{
    if (unshared(f))
        reuse_frame(in, f);
    else
        OUNREF(in, f);
}

/* A frame of that many slots, all NULL, with no parent yet: the caller sets it (enter_frame)
 * once the frame's arguments are evaluated, which it must do before any slot is read. */
static V new_frame(interp *in, size_t slots)
{
    if (slots < SPARE_FRAMES && in->n_spare[slots] > 0)
        return in->spare[slots][--in->n_spare[slots]];
    frame *f = AS(frame, mem_new(&in->m, K_FRAME, sizeof(frame) + slots * sizeof(V)));
    if (f == NULL)
        return scm_error(in, "out of memory");
    f->n = slots;
    return &f->hdr;
}

/* The loop leaves frame old (owned, or NULL) for a new frame whose parent is p: ends old and
 * returns p with the reference the new frame keeps. Moved, not counted up and down, when old
 * holds one it no longer needs: old is p itself (a let, or a call of a closure made in this
 * frame: old lives on as the parent), or old is unshared and p is its parent too (a tail call
 * of the running procedure, or of another closure of the same scope). Besides the two count
 * operations this saves, a frame whose count went down but not to zero would be buffered as
 * a possible cycle root (rcgc's rc_decref). */
static inline V enter_frame(interp *in, V old, V p)
{
#ifdef SCM_RCGC
    if (old == p)
        return p;
    if (old == NULL)
        return parent_ref(p);
    if (unshared(old)) {
        bool moved = AS(frame, old)->parent == p;
        if (moved)
            AS(frame, old)->parent = NULL;
        reuse_frame(in, old);
        return moved ? p : parent_ref(p);
    }
    OUNREF(in, old);
    return parent_ref(p);
#else
    (void)in, (void)old;
    return p;
#endif
}

/* Fills a new frame for closure fn from the argument expressions of call (evaluated in
 * env) or from argv (borrowed). Its parent is left to the caller (enter_frame). NULL with
 * the error set. */
static V bind_args(interp *in, V fn, node *call, V env, int argc, V *argv)
{
    node *lam = AS(node, AS(closure, fn)->code);
    int fixed = lam->index;
    if (argc < fixed || (argc > fixed && !lam->depth))
        return scm_error(in, "%s%s expects %d argument%s, got %d", "procedure ",
                         lam->b != in->nil ? mem_string_data(&in->m, AS(symbol, lam->b)->name)
                                           : "anonymous",
                         fixed, fixed == 1 ? "" : "s", argc);
    V f = new_frame(in, (size_t)lam->slots);
    if (f == NULL)
        return NULL;
    V *slots = AS(frame, f)->slots;
    for (int i = 0; i < fixed; i++) {
        slots[i] = call ? eval_operand(in, call->kids[i], env) : VNEWREF(argv[i]);
        if (slots[i] == NULL) {
            OUNREF(in, f);
            return NULL;
        }
    }
    int filled = fixed;
    if (lam->depth) {
        V rest = CONSTANT(in->nil);
        for (int i = argc - 1; rest != NULL && i >= fixed; i--) {
            V a = call ? eval_operand(in, call->kids[i], env) : VNEWREF(argv[i]);
            rest = a ? scm_cons_steal(in, a, rest) : (UNREF(in, rest), NULL);
        }
        if (rest == NULL) {
            OUNREF(in, f);
            return NULL;
        }
        slots[filled++] = rest;
    }
    for (int i = filled; i < lam->slots; i++)
        slots[i] = CONSTANT(in->unspec);
    return f;
}

static V call_prim(interp *in, V fn, node *call, V env);

static inline bool is_simple(const node *n)
{
    return n->op == N_LOCAL || n->op == N_CONST || n->op == N_GLOBAL;
}

/* A variable's or constant's value, borrowed; NULL if unbound. */
static inline V simple_operand(interp *in, node *n, V env)
{
    if (n->op == N_LOCAL) {
        V f = env;
        for (int d = n->depth; d > 0; d--)
            f = AS(frame, f)->parent;
        return AS(frame, f)->slots[n->index];
    }
    if (n->op == N_CONST)
        return n->a;
    V v = AS(symbol, n->a)->value;
    return v != NULL ? v
                     : scm_error(in, "line %d: unbound variable %s", n->line,
                                 mem_string_data(&in->m, AS(symbol, n->a)->name));
}

/* A closure of lambda n over env; NULL with the error set. */
static V make_closure(interp *in, node *n, V env)
{
    mem_set_site(&in->m, n->line);
    closure *c = AS(closure, mem_new(&in->m, K_CLOSURE, sizeof(closure)));
    if (c == NULL)
        return scm_error(in, "out of memory");
    c->code = ONEWREF(&n->hdr);
    c->env = parent_ref(env); /* a frame, or NULL at the top level */
    return &c->hdr;
}

/* set!, define and an internal define (one compare: their ops are consecutive). */
static inline bool is_assignment(const node *n)
{
    return (unsigned)(n->op - N_SETLOCAL) <= (unsigned)(N_DEFINE - N_SETLOCAL);
}

/* set!, define and an internal define: stores the value of n->b. False with the error set.
 * The expression's value is the unspecified value, uncounted (CONSTANT), so a sequence
 * that runs an assignment for its effect has nothing to drop. */
static bool assign(interp *in, node *n, V env)
{
    node *e = AS(node, n->b); /* (define (f ...) ...) is common: made here, not in scm_eval */
    V v = e->op == N_LAMBDA ? make_closure(in, e, env) : eval_operand(in, &e->hdr, env);
    if (v == NULL)
        return false;
    if (n->op == N_SETLOCAL) {
        V f = env;
        for (int d = n->depth; d > 0; d--)
            f = AS(frame, f)->parent;
        V old = AS(frame, f)->slots[n->index];
        AS(frame, f)->slots[n->index] = v;
        VUNREF(in, old); /* a slot is never NULL; its uncounted unspecified value is dropped
                            too, as any value is (CONSTANT, mem.h) */
        return true;
    }
    V *slot = &AS(symbol, n->a)->value;
    if (n->op == N_SETGLOBAL && *slot == NULL) {
        UNREF(in, v);
        scm_error(in, "line %d: set! of unbound variable %s", n->line,
                  mem_string_data(&in->m, AS(symbol, n->a)->name));
        return false;
    }
    V old = *slot;
    *slot = v;
    UNREF(in, old); /* NULL: a new global */
    return true;
}

/* An operand's value, owned. Variables, constants and calls of a global builtin need no
 * evaluator frame of their own: a builtin's call runs here, without scm_eval's loop and its
 * frame bookkeeping. Nested builtin calls recurse through call_prim, so their depth is
 * checked here as scm_eval checks its own. */
static inline V eval_operand(interp *in, V code, V env)
{
    node *n = AS(node, code);
    if (is_simple(n)) {
        V v = simple_operand(in, n, env);
        if (v != NULL)
            VREF(v);
        return v;
    }
    if (n->op == N_CALL && AS(node, n->a)->op == N_GLOBAL) {
        V fn = AS(symbol, AS(node, n->a)->a)->value; /* borrowed: builtins are immortal */
        if (fn != NULL && IS(in, fn, K_PRIM) && !AS(prim, fn)->owned_args) {
            char here;
            if (!(n->flags & NODE_SIMPLE_ARGS) &&
                (size_t)(in->stack_base - &here) > in->stack_limit)
                return scm_error(in, "line %d: recursion too deep", n->line);
            V r = call_prim(in, fn, n, env);
            if (r == NULL)
                at_line(in, n->line);
            return r;
        }
    }
    return scm_eval(in, code, env);
}

/* A test's answer (if, and): 1 true, 0 false, -1 an error. It counts nothing it need not:
 * a variable's value is read borrowed, and a builtin predicate's answer (prim.predicate: #t
 * or #f, handed out uncounted) is not dropped; every other value is owned and dropped as
 * eval_operand's would be. The balance the immortal constants need (CONSTANT, mem.h)
 * holds: each skipped drop matches a skipped increment or none was made. The builtin's
 * path repeats eval_operand's: sharing it through helpers cost both builds 1-5%. */
static inline int eval_test(interp *in, V code, V env)
{
    node *n = AS(node, code);
    if (is_simple(n)) {
        V v = simple_operand(in, n, env);
        return v == NULL ? -1 : v != in->f;
    }
    V v;
    bool drop = true;
    if (n->op == N_CALL && AS(node, n->a)->op == N_GLOBAL) {
        V fn = AS(symbol, AS(node, n->a)->a)->value; /* borrowed: builtins are immortal */
        if (fn != NULL && IS(in, fn, K_PRIM) && !AS(prim, fn)->owned_args) {
            char here;
            if (!(n->flags & NODE_SIMPLE_ARGS) &&
                (size_t)(in->stack_base - &here) > in->stack_limit)
                return scm_error(in, "line %d: recursion too deep", n->line), -1;
            v = call_prim(in, fn, n, env);
            if (v == NULL)
                return at_line(in, n->line), -1;
            drop = !AS(prim, fn)->predicate;
        } else {
            v = scm_eval(in, code, env);
        }
    } else {
        v = scm_eval(in, code, env);
    }
    if (v == NULL)
        return -1;
    int t = v != in->f;
    if (drop)
        drop_value(in, v);
    return t;
}

/* Runs the builtin and names it in its error message. */
static inline V run_prim(interp *in, prim *p, node *call, int argc, V *argv)
{
    mem_set_site(&in->m, call->line);
    V result = p->fn(in, argc, argv);
    if (result == NULL && strncmp(in->error, "line ", 5) != 0) {
        char msg[sizeof in->error + 64];
        snprintf(msg, sizeof msg, "%s: %s", mem_string_data(&in->m, p->name), in->error);
        msg[sizeof in->error - 1] = '\0';
        memcpy(in->error, msg, sizeof in->error);
    }
    return result;
}

/* A builtin with owned arguments: any number of them, each counted (prim.owned_args). Kept
 * out of line: inlined into call_prim, its argument arrays made call_prim's stack frame and
 * register pressure larger on every builtin call, for the few builtins that need it. */
NOINLINE static V call_prim_owned(interp *in, prim *p, node *call, V env)
{
    int argc = (int)call->n, got = 0;
    V small[8], *argv = argc <= 8 ? small : malloc((size_t)argc * sizeof(V));
    if (argv == NULL)
        return scm_error(in, "out of memory");
    for (; got < argc; got++)
        if ((argv[got] = eval_operand(in, call->kids[got], env)) == NULL)
            break;
    V result = got == argc ? run_prim(in, p, call, argc, argv) : NULL;
    if (!p->steals || got < argc)
        while (got > 0)
            VUNREF(in, argv[--got]);
    if (argv != small)
        free(argv);
    return result;
}

/* Calls a builtin with the call's arguments evaluated in env. Operands that can run code
 * are evaluated first, into owned references; variables and constants last, borrowed from
 * their frames (Scheme leaves the order of operands unspecified). Nothing runs between
 * those reads and the call, so they stay valid, unless the builtin itself runs Scheme code
 * or looks at counts (owned_args): then every argument is owned. A builtin that steals
 * (cons, list, vector) takes over its arguments, so borrowed ones are counted for it.
 * Results that need no dropping (counted: small ints, most builtins' arguments) are not
 * kept in owned at all. */
static V call_prim(interp *in, V fn, node *call, V env)
{
    prim *p = AS(prim, fn);
    int argc = (int)call->n;
    if (argc < p->min_args || (p->max_args >= 0 && argc > p->max_args))
        return scm_error(in, "%s: wrong number of arguments (%d)", mem_string_data(&in->m, p->name),
                         argc);
    if (argc > 8 || p->owned_args)
        return call_prim_owned(in, p, call, env);
    V argv[8], owned[8];
    int n_owned = 0, i;
    for (i = 0; i < argc; i++) {
        node *k = AS(node, call->kids[i]);
        if (is_simple(k))
            continue;
        if ((argv[i] = eval_operand(in, &k->hdr, env)) == NULL)
            goto fail;
        if (counted(in, argv[i]))
            owned[n_owned++] = argv[i];
    }
    for (i = 0; i < argc; i++) {
        node *k = AS(node, call->kids[i]);
        if (!is_simple(k))
            continue;
        if ((argv[i] = simple_operand(in, k, env)) == NULL)
            goto fail;
        if (p->steals)
            owned[n_owned++] = VNEWREF(argv[i]);
    }
    V result = run_prim(in, p, call, argc, argv);
    if (n_owned > 0 && !p->steals)
        do
            OUNREF(in, owned[--n_owned]);
        while (n_owned > 0);
    return result;
fail:
    while (n_owned > 0)
        VUNREF(in, owned[--n_owned]);
    return NULL;
}

/* A call's procedure computed by an expression, ((car o) 1): owned. Out of line, so that
 * scm_eval's loop holds one inline copy of eval_operand fewer (its register pressure costs
 * every activation), while a builtin's call here still needs no scm_eval activation. */
NOINLINE static V eval_operator(interp *in, V code, V env)
{
    return eval_operand(in, code, env);
}

V scm_eval(interp *in, V code, V env)
{
    char here; /* the C stack is the limit on non-tail recursion: measure it */
    if ((size_t)(in->stack_base - &here) > in->stack_limit)
        return scm_error(in, "line %d: recursion too deep", AS(node, code)->line);
    V own_env = NULL, own_fn = NULL, result = NULL, v;
    node *n = AS(node, code);
    for (;;) {
        switch (n->op) {
        case N_CONST:
        case N_LOCAL:
            result = eval_operand(in, &n->hdr, env);
            goto done;
        case N_GLOBAL:
            result = AS(symbol, n->a)->value;
            if (result == NULL)
                result = scm_error(in, "line %d: unbound variable %s", n->line,
                                   mem_string_data(&in->m, AS(symbol, n->a)->name));
            REF(result);
            goto done;
        case N_SETLOCAL:
        case N_SETGLOBAL:
        case N_DEFINE:
            if (assign(in, n, env))
                result = CONSTANT(in->unspec);
            goto done;
        case N_IF: {
            int t = eval_test(in, n->a, env);
            if (t < 0)
                goto done;
            n = AS(node, t ? n->b : n->c);
            continue;
        }
        case N_SEQ: {
            size_t i = 0;
            for (; i + 1 < n->n; i++) {
                node *k = AS(node, n->kids[i]);
                if (is_assignment(k)) { /* its value: the uncounted unspecified value */
                    if (!assign(in, k, env))
                        goto done;
                } else if ((v = eval_operand(in, &k->hdr, env)) != NULL) {
                    drop_value(in, v);
                } else {
                    goto done;
                }
            }
            n = AS(node, n->kids[i]);
            continue;
        }
        case N_AND: {
            size_t i = 0;
            for (; i + 1 < n->n; i++) {
                int t = eval_test(in, n->kids[i], env);
                if (t <= 0) {
                    if (t == 0)
                        result = CONSTANT(in->f);
                    goto done;
                }
            }
            n = AS(node, n->kids[i]);
            continue;
        }
        case N_OR: {
            size_t i = 0;
            for (; i + 1 < n->n; i++) {
                if ((v = eval_operand(in, n->kids[i], env)) == NULL)
                    goto done;
                if (v != in->f) {
                    result = v;
                    goto done;
                }
                drop_value(in, v);
            }
            n = AS(node, n->kids[i]);
            continue;
        }
        case N_LAMBDA:
            result = make_closure(in, n, env);
            goto done;
        case N_LET: {
            mem_set_site(&in->m, n->line);
            V f = new_frame(in, (size_t)n->slots);
            if (f == NULL)
                goto done;
            V *slots = AS(frame, f)->slots;
            for (int i = 0; i < n->slots; i++)
                slots[i] = CONSTANT(in->unspec);
            /* The loop's frame, if it has one, is env: it becomes the parent, with our
             * reference. */
            AS(frame, f)->parent = enter_frame(in, own_env, env);
            own_env = f;
            for (int i = 0; i < n->index; i++) {
                if ((v = eval_operand(in, n->kids[i], n->depth ? f : env)) == NULL)
                    goto done;
                slots[i] = v; /* over the uncounted unspecified value */
            }
            env = f;
            n = AS(node, n->a);
            continue;
        }
        case N_CALL: {
            /* A procedure named by a variable is borrowed until it must be kept. */
            node *fnode = AS(node, n->a);
            bool fn_owned = fnode->op != N_LOCAL && fnode->op != N_GLOBAL;
            V fn = fn_owned ? eval_operator(in, &fnode->hdr, env) : simple_operand(in, fnode, env);
            if (fn == NULL)
                goto done;
            if (IS(in, fn, K_CLOSURE)) {
                /* Owned while its arguments run; in a tail call of the running closure,
                 * own_fn's reference is that. */
                bool self = fn == own_fn;
                if (!fn_owned && !self)
                    OREF(fn);
                mem_set_site(&in->m, n->line);
                V f = bind_args(in, fn, n, env, (int)n->n, NULL);
                if (f == NULL) {
                    if (fn_owned || !self)
                        OUNREF(in, fn);
                    at_line(in, n->line);
                    goto done;
                }
                AS(frame, f)->parent = enter_frame(in, own_env, AS(closure, fn)->env);
                env = own_env = f;
                if (!self) {
                    if (own_fn != NULL)
                        OUNREF(in, own_fn);
                    own_fn = fn;
                } else if (fn_owned) {
                    OUNREF(in, fn);
                }
                n = AS(node, AS(node, AS(closure, fn)->code)->a);
                continue;
            }
            if (IS(in, fn, K_PRIM)) { /* immortal (scm_define_prim): borrowed throughout */
                result = call_prim(in, fn, n, env);
                if (result == NULL)
                    at_line(in, n->line);
            } else {
                result = scm_error(in, "line %d: not a procedure", n->line);
            }
            if (fn_owned)
                VUNREF(in, fn); /* not a procedure: maybe a small int */
            goto done;
        }
        default:
            result = scm_error(in, "bad code");
            goto done;
        }
    }
done:
    if (own_env != NULL) {
        drop_frame(in, own_env);
        if (own_fn != NULL)
            OUNREF(in, own_fn);
    }
    return result;
}

V scm_apply(interp *in, V fn, int argc, V *argv)
{
    if (IS(in, fn, K_PRIM)) {
        prim *p = AS(prim, fn);
        if (argc < p->min_args || (p->max_args >= 0 && argc > p->max_args))
            return scm_error(in, "%s: wrong number of arguments (%d)",
                             mem_string_data(&in->m, p->name), argc);
        return p->fn(in, argc, argv);
    }
    if (!IS(in, fn, K_CLOSURE))
        return scm_error(in, "not a procedure");
    V f = bind_args(in, fn, NULL, NULL, argc, argv);
    if (f == NULL)
        return NULL;
    AS(frame, f)->parent = NEWREF(AS(closure, fn)->env);
    V result = scm_eval(in, AS(node, AS(closure, fn)->code)->a, f);
    drop_frame(in, f);
    return result;
}

void scm_drop_spare_frames(interp *in)
{
    for (int i = 0; i < SPARE_FRAMES; i++)
        while (in->n_spare[i] > 0)
            UNREF(in, in->spare[i][--in->n_spare[i]]);
}
