/*
 * eval.c -- runs code. scm_eval loops instead of recursing wherever the result of a
 * sub-expression is the result of the whole (if's branches, a body's last expression, the
 * body of a called closure or of a let): those are Scheme's tail positions, so tail calls
 * run in constant C stack and constant memory. Only operands and tests recurse.
 *
 * References: env is borrowed. While the loop runs in a frame it made (a call's or a let's),
 * it owns that frame (own_env) and the closure being run (own_fn, which keeps its code
 * alive even if the program drops the closure meanwhile), and drops both when it moves on.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

V scm_error(interp *in, const char *fmt, ...)
{
    if (in->failed) return NULL; /* the first message is the one that explains */
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

static V new_frame(interp *in, V parent, size_t slots)
{
    frame *f = AS(frame, mem_new(&in->m, K_FRAME, sizeof(frame) + slots * sizeof(V)));
    if (f == NULL) return scm_error(in, "out of memory");
    f->parent = NEWREF(parent);
    f->n = slots;
    return &f->hdr;
}

/* Operands that need no loop: variables and constants, else the full evaluator. */
static inline V eval_operand(interp *in, V code, V env)
{
    node *n = AS(node, code);
    if (n->op == N_LOCAL) {
        V f = env;
        for (int d = n->depth; d > 0; d--) f = AS(frame, f)->parent;
        return NEWREF(AS(frame, f)->slots[n->index]);
    }
    if (n->op == N_CONST) return NEWREF(n->a);
    return scm_eval(in, code, env);
}

/* Fills a new frame for closure fn from the argument expressions of call (evaluated in
 * env) or from argv (borrowed). NULL with the error set. */
static V bind_args(interp *in, V fn, node *call, V env, int argc, V *argv)
{
    node *lam = AS(node, AS(closure, fn)->code);
    int fixed = lam->index;
    if (argc < fixed || (argc > fixed && !lam->depth))
        return scm_error(in, "%s%s expects %d argument%s, got %d", "procedure ",
                         lam->b != in->nil ? mem_string_data(&in->m, AS(symbol, lam->b)->name) : "anonymous",
                         fixed, fixed == 1 ? "" : "s", argc);
    V f = new_frame(in, AS(closure, fn)->env, (size_t)lam->slots);
    if (f == NULL) return NULL;
    V *slots = AS(frame, f)->slots;
    for (int i = 0; i < fixed; i++) {
        slots[i] = call ? eval_operand(in, call->kids[i], env) : NEWREF(argv[i]);
        if (slots[i] == NULL) {
            UNREF(in, f);
            return NULL;
        }
    }
    int filled = fixed;
    if (lam->depth) {
        V rest = NEWREF(in->nil);
        for (int i = argc - 1; rest != NULL && i >= fixed; i--) {
            V a = call ? eval_operand(in, call->kids[i], env) : NEWREF(argv[i]);
            rest = a ? scm_cons_steal(in, a, rest) : (UNREF(in, rest), NULL);
        }
        if (rest == NULL) {
            UNREF(in, f);
            return NULL;
        }
        slots[filled++] = rest;
    }
    for (int i = filled; i < lam->slots; i++) slots[i] = NEWREF(in->unspec);
    return f;
}

/* Calls a builtin with the call's arguments evaluated in env. */
static V call_prim(interp *in, V fn, node *call, V env)
{
    prim *p = AS(prim, fn);
    int argc = (int)call->n;
    if (argc < p->min_args || (p->max_args >= 0 && argc > p->max_args))
        return scm_error(in, "%s: wrong number of arguments (%d)", mem_string_data(&in->m, p->name), argc);
    V small[8], *argv = argc <= 8 ? small : malloc((size_t)argc * sizeof(V));
    if (argv == NULL) return scm_error(in, "out of memory");
    int got = 0;
    for (; got < argc; got++)
        if ((argv[got] = eval_operand(in, call->kids[got], env)) == NULL) break;
    V result = NULL;
    if (got == argc) {
        mem_set_site(&in->m, in->file, call->line);
        result = p->fn(in, argc, argv);
        if (result == NULL && strncmp(in->error, "line ", 5) != 0) {
            char msg[sizeof in->error + 64];
            snprintf(msg, sizeof msg, "%s: %s", mem_string_data(&in->m, p->name), in->error);
            msg[sizeof in->error - 1] = '\0';
            memcpy(in->error, msg, sizeof in->error);
        }
    }
    for (int i = 0; i < got; i++) UNREF(in, argv[i]);
    if (argv != small) free(argv);
    return result;
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
        case N_DEFINE: {
            if ((v = scm_eval(in, n->b, env)) == NULL) goto done;
            V *slot;
            if (n->op == N_SETLOCAL) {
                V f = env;
                for (int d = n->depth; d > 0; d--) f = AS(frame, f)->parent;
                slot = &AS(frame, f)->slots[n->index];
            } else {
                slot = &AS(symbol, n->a)->value;
                if (n->op == N_SETGLOBAL && *slot == NULL) {
                    UNREF(in, v);
                    scm_error(in, "line %d: set! of unbound variable %s", n->line,
                              mem_string_data(&in->m, AS(symbol, n->a)->name));
                    goto done;
                }
            }
            V old = *slot;
            *slot = v;
            UNREF(in, old);
            result = NEWREF(in->unspec);
            goto done;
        }
        case N_IF:
            if ((v = scm_eval(in, n->a, env)) == NULL) goto done;
            n = AS(node, v != in->f ? n->b : n->c);
            UNREF(in, v);
            continue;
        case N_SEQ:
        case N_AND:
        case N_OR: {
            size_t i = 0;
            for (; i + 1 < n->n; i++) {
                if ((v = scm_eval(in, n->kids[i], env)) == NULL) goto done;
                if ((n->op == N_AND && v == in->f) || (n->op == N_OR && v != in->f)) {
                    result = v;
                    goto done;
                }
                UNREF(in, v);
            }
            n = AS(node, n->kids[i]);
            continue;
        }
        case N_LAMBDA: {
            mem_set_site(&in->m, in->file, n->line);
            closure *c = AS(closure, mem_new(&in->m, K_CLOSURE, sizeof(closure)));
            if (c == NULL) {
                scm_error(in, "out of memory");
                goto done;
            }
            c->code = NEWREF(&n->hdr);
            c->env = NEWREF(env);
            result = &c->hdr;
            goto done;
        }
        case N_LET: {
            mem_set_site(&in->m, in->file, n->line);
            V f = new_frame(in, env, (size_t)n->slots);
            if (f == NULL) goto done;
            V *slots = AS(frame, f)->slots;
            for (int i = 0; i < n->slots; i++) slots[i] = NEWREF(in->unspec);
            for (int i = 0; i < n->index; i++) {
                if ((v = eval_operand(in, n->kids[i], n->depth ? f : env)) == NULL) {
                    UNREF(in, f);
                    goto done;
                }
                UNREF(in, slots[i]);
                slots[i] = v;
            }
            UNREF(in, own_env);
            env = own_env = f;
            n = AS(node, n->a);
            continue;
        }
        case N_CALL: {
            V fn = eval_operand(in, n->a, env);
            if (fn == NULL) goto done;
            if (IS(in, fn, K_CLOSURE)) {
                mem_set_site(&in->m, in->file, n->line);
                V f = bind_args(in, fn, n, env, (int)n->n, NULL);
                if (f == NULL) {
                    UNREF(in, fn);
                    at_line(in, n->line);
                    goto done;
                }
                UNREF(in, own_env);
                env = own_env = f;
                UNREF(in, own_fn);
                own_fn = fn;
                n = AS(node, AS(node, AS(closure, fn)->code)->a);
                continue;
            }
            if (IS(in, fn, K_PRIM)) {
                result = call_prim(in, fn, n, env);
                if (result == NULL) at_line(in, n->line);
            } else {
                result = scm_error(in, "line %d: not a procedure", n->line);
            }
            UNREF(in, fn);
            goto done;
        }
        default:
            result = scm_error(in, "bad code");
            goto done;
        }
    }
done:
    UNREF(in, own_env);
    UNREF(in, own_fn);
    return result;
}

V scm_apply(interp *in, V fn, int argc, V *argv)
{
    if (IS(in, fn, K_PRIM)) {
        prim *p = AS(prim, fn);
        if (argc < p->min_args || (p->max_args >= 0 && argc > p->max_args))
            return scm_error(in, "%s: wrong number of arguments (%d)", mem_string_data(&in->m, p->name), argc);
        return p->fn(in, argc, argv);
    }
    if (!IS(in, fn, K_CLOSURE)) return scm_error(in, "not a procedure");
    V f = bind_args(in, fn, NULL, NULL, argc, argv);
    if (f == NULL) return NULL;
    V result = scm_eval(in, AS(node, AS(closure, fn)->code)->a, f);
    UNREF(in, f);
    return result;
}
