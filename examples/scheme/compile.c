/*
 * compile.c -- data to code. Each expression becomes a node (interp.h, enum op); variables
 * are resolved once, here: a local becomes (frames up, slot), anything else a global (the
 * symbol, whose value field holds it). A lambda's or let's frame has a slot per parameter
 * and per internal define (letrec* semantics). Derived forms (let*, named let, cond, case,
 * when, unless, do, quasiquote) are rewritten to core forms first.
 */
#include <string.h>

#include "interp.h"

#define MAX_SLOTS 256

typedef struct scope {
    struct scope *up;
    V names[MAX_SLOTS]; /* borrowed symbols: parameters, then internal defines */
    int n;
} scope;

typedef struct ctx {
    interp *in;
    reader *r;
} ctx;

static V compile(ctx *c, V x, scope *sc, int line);

static V mk_node(interp *in, int op, int line, size_t n_kids)
{
    mem_set_site(&in->m, line);
    node *n = AS(node, mem_new(&in->m, K_NODE, sizeof(node) + n_kids * sizeof(V)));
    if (n == NULL)
        return scm_error(in, "out of memory");
    n->op = op;
    n->line = line;
    n->n = n_kids;
    n->a = CONSTANT(in->nil);
    n->b = CONSTANT(in->nil);
    n->c = CONSTANT(in->nil);
    for (size_t i = 0; i < n_kids; i++)
        n->kids[i] = CONSTANT(in->nil);
    return &n->hdr;
}

/* Stores an owned reference into a node field, replacing the placeholder. */
static void put(interp *in, V *field, V value)
{
    UNREF(in, *field);
    *field = value;
}

static size_t list_len(interp *in, V l)
{
    size_t n = 0;
    for (; IS(in, l, K_PAIR); l = CDR(l))
        n++;
    return n;
}

static V nth(V l, size_t i)
{
    while (i-- > 0)
        l = CDR(l);
    return CAR(l);
}

/* A new list of n borrowed items (used to rewrite derived forms). */
static V list_of(interp *in, size_t n, V *items)
{
    V l = CONSTANT(in->nil);
    while (l != NULL && n-- > 0)
        l = scm_cons_steal(in, NEWREF(items[n]), l);
    return l;
}

static bool lookup(scope *sc, V sym, int *depth, int *index)
{
    for (int d = 0; sc != NULL; sc = sc->up, d++)
        for (int i = sc->n - 1; i >= 0; i--)
            if (sc->names[i] == sym) {
                *depth = d;
                *index = i;
                return true;
            }
    return false;
}

static bool add_name(interp *in, scope *sc, V sym)
{
    if (!IS(in, sym, K_SYMBOL))
        return scm_error(in, "a variable must be a symbol"), false;
    if (sc->n == MAX_SLOTS)
        return scm_error(in, "more than %d variables in one frame", MAX_SLOTS), false;
    sc->names[sc->n++] = sym;
    return true;
}

static V compile_var(ctx *c, V sym, scope *sc, int line)
{
    int d, i;
    if (!lookup(sc, sym, &d, &i)) {
        V n = mk_node(c->in, N_GLOBAL, line, 0);
        if (n != NULL)
            put(c->in, &AS(node, n)->a, NEWREF(sym));
        return n;
    }
    V n = mk_node(c->in, N_LOCAL, line, 0);
    if (n != NULL)
        AS(node, n)->depth = d, AS(node, n)->index = i;
    return n;
}

/* Compiles each item of list into kids[first..]. */
static bool compile_into(ctx *c, V node_v, size_t first, V list, scope *sc, int line)
{
    for (size_t i = first; IS(c->in, list, K_PAIR); list = CDR(list), i++) {
        V k = compile(c, CAR(list), sc, line);
        if (k == NULL)
            return false;
        put(c->in, &AS(node, node_v)->kids[i], k);
    }
    return true;
}

static V compile_seq(ctx *c, int op, V body, scope *sc, int line)
{
    size_t n = list_len(c->in, body);
    if (op == N_SEQ && n == 1)
        return compile(c, CAR(body), sc, line);
    if (op == N_SEQ && n == 0)
        return scm_error(c->in, "line %d: empty body", line);
    V s = mk_node(c->in, op, line, n);
    if (s != NULL && !compile_into(c, s, 0, body, sc, line)) {
        UNREF(c->in, s);
        return NULL;
    }
    return s;
}

static bool is_form(interp *in, V x, V sym)
{
    return IS(in, x, K_PAIR) && CAR(x) == sym;
}

/* (define name e) or (define (name . params) body...): the name, and the value's expression
 * as new data in *value. */
static V define_parts(interp *in, V x, V *value)
{
    if (list_len(in, x) < 2)
        return scm_error(in, "bad define");
    V target = nth(x, 1);
    if (IS(in, target, K_PAIR)) {
        V lam = scm_cons_steal(in, NEWREF(in->sym_lambda), scm_cons(in, CDR(target), CDR(CDR(x))));
        V fn = lam ? scm_cons_steal(in, lam, CONSTANT(in->nil)) : NULL;
        *value = fn ? scm_cons_steal(in, NEWREF(CAR(target)), fn) : NULL; /* (name (lambda ...)) */
        if (*value == NULL)
            return NULL;
        V name = CAR(*value), expr = NEWREF(CAR(CDR(*value)));
        UNREF(in, *value);
        *value = expr;
        return name;
    }
    *value = list_len(in, x) > 2 ? NEWREF(nth(x, 2)) : CONSTANT(in->unspec);
    return target;
}

/* A body: internal defines get slots of sc first, then every form is compiled. */
static V compile_body(ctx *c, V body, scope *sc, int line)
{
    interp *in = c->in;
    for (V l = body; IS(in, l, K_PAIR); l = CDR(l))
        if (is_form(in, CAR(l), in->sym_define)) {
            V x = CAR(l), target = list_len(in, x) > 1 ? nth(x, 1) : NULL;
            if (target != NULL && IS(in, target, K_PAIR))
                target = CAR(target);
            if (target == NULL || !add_name(in, sc, target))
                return in->failed ? NULL : scm_error(in, "bad define");
        }
    return compile_seq(c, N_SEQ, body, sc, line);
}

static V compile_lambda(ctx *c, V params, V body, V name, scope *sc, int line)
{
    interp *in = c->in;
    scope inner = {.up = sc};
    int rest = 0;
    V p = params;
    for (; IS(in, p, K_PAIR); p = CDR(p))
        if (!add_name(in, &inner, CAR(p)))
            return NULL;
    if (p != in->nil) {
        if (!add_name(in, &inner, p))
            return NULL;
        rest = 1;
    }
    int n_params = inner.n;
    V b = compile_body(c, body, &inner, line);
    V n = b ? mk_node(in, N_LAMBDA, line, 0) : NULL;
    if (n == NULL) {
        UNREF(in, b);
        return NULL;
    }
    node *nd = AS(node, n);
    put(in, &nd->a, b);
    put(in, &nd->b, NEWREF(name != NULL ? name : in->nil));
    nd->index = n_params - rest;
    nd->depth = rest;
    nd->slots = inner.n;
    return n;
}

/* (let ((v e) ...) body...) and letrec: a frame of its own, no closure. */
static V compile_let(ctx *c, V x, scope *sc, int line, bool rec)
{
    interp *in = c->in;
    if (list_len(in, x) < 3)
        return scm_error(in, "line %d: bad let", line);
    V bindings = nth(x, 1);
    scope inner = {.up = sc};
    size_t n = list_len(in, bindings);
    for (V l = bindings; IS(in, l, K_PAIR); l = CDR(l))
        if (!IS(in, CAR(l), K_PAIR) || !add_name(in, &inner, CAR(CAR(l))))
            return in->failed ? NULL : scm_error(in, "line %d: bad let binding", line);
    V let = mk_node(in, N_LET, line, n);
    if (let == NULL)
        return NULL;
    size_t i = 0;
    for (V l = bindings; IS(in, l, K_PAIR); l = CDR(l), i++) {
        V b = CAR(l);
        V e = IS(in, CDR(b), K_PAIR) ? compile(c, CAR(CDR(b)), rec ? &inner : sc, line)
                                     : CONSTANT(in->unspec);
        if (e != NULL && !IS(in, CDR(b), K_PAIR)) {
            V k = mk_node(in, N_CONST, line, 0);
            if (k != NULL)
                put(in, &AS(node, k)->a, e);
            e = k;
        }
        if (e == NULL) {
            UNREF(in, let);
            return NULL;
        }
        put(in, &AS(node, let)->kids[i], e);
    }
    V body = compile_body(c, CDR(CDR(x)), &inner, line);
    if (body == NULL) {
        UNREF(in, let);
        return NULL;
    }
    node *nd = AS(node, let);
    put(in, &nd->a, body);
    nd->index = (int32_t)n;
    nd->slots = inner.n;
    nd->depth = rec;
    return let;
}

/* ---- derived forms, rewritten to core forms ---- */

/* (let name ((v e)...) body...) => ((letrec ((name (lambda (v...) body...))) name) e...) */
static V rewrite_named_let(interp *in, V x)
{
    V name = nth(x, 1), bindings = nth(x, 2), body = CDR(CDR(CDR(x)));
    V vars = CONSTANT(in->nil), inits = CONSTANT(in->nil);
    for (size_t i = list_len(in, bindings); i-- > 0;) {
        V b = nth(bindings, i);
        vars = scm_cons_steal(in, NEWREF(CAR(b)), vars);
        inits = scm_cons_steal(in, NEWREF(CAR(CDR(b))), inits);
    }
    V lam = scm_cons_steal(in, NEWREF(in->sym_lambda), scm_cons_steal(in, vars, NEWREF(body)));
    V binding = list_of(in, 2, (V[]){name, lam});
    V bl = scm_cons_steal(in, binding, CONSTANT(in->nil));
    V letrec = list_of(in, 3, (V[]){in->sym_letrec, bl, name});
    V out = scm_cons_steal(in, letrec, inits);
    UNREF(in, lam);
    UNREF(in, bl);
    return out;
}

/* (let* ((a 1) (b a)) body...) => (let ((a 1)) (let* ((b a)) body...)) */
static V rewrite_letstar(interp *in, V x)
{
    V bindings = nth(x, 1), body = CDR(CDR(x));
    if (!IS(in, bindings, K_PAIR) || CDR(bindings) == in->nil)
        return scm_cons_steal(in, NEWREF(in->sym_let), NEWREF(CDR(x)));
    V first = scm_cons_steal(in, NEWREF(CAR(bindings)), CONSTANT(in->nil));
    V inner = scm_cons_steal(in, NEWREF(in->sym_letstar),
                             scm_cons_steal(in, NEWREF(CDR(bindings)), NEWREF(body)));
    V out = list_of(in, 3, (V[]){in->sym_let, first, inner});
    UNREF(in, first);
    UNREF(in, inner);
    return out;
}

/* (cond (t e...) ... (else e...)) => nested ifs; (t) alone => (or t rest). */
static V rewrite_cond(interp *in, V clauses)
{
    if (!IS(in, clauses, K_PAIR))
        return CONSTANT(in->unspec);
    V cl = CAR(clauses), rest = rewrite_cond(in, CDR(clauses)), out;
    if (CAR(cl) == in->sym_else) {
        out = scm_cons_steal(in, NEWREF(in->sym_begin), NEWREF(CDR(cl)));
    } else if (IS(in, CDR(cl), K_PAIR) && CAR(CDR(cl)) == in->sym_arrow &&
               IS(in, CDR(CDR(cl)), K_PAIR)) {
        /* (t => f) => (let ((" t" t)) (if " t" (f " t") rest)) */
        V tmp = scm_symbol(in, " cond-test");
        V call = list_of(in, 2, (V[]){CAR(CDR(CDR(cl))), tmp});
        V test = list_of(in, 4, (V[]){in->sym_if, tmp, call, rest});
        V binding = list_of(in, 2, (V[]){tmp, CAR(cl)});
        V bl = scm_cons_steal(in, binding, CONSTANT(in->nil));
        out = list_of(in, 3, (V[]){in->sym_let, bl, test});
        UNREF(in, tmp);
        UNREF(in, call);
        UNREF(in, test);
        UNREF(in, bl);
    } else if (CDR(cl) == in->nil) {
        out = list_of(in, 3, (V[]){in->sym_or, CAR(cl), rest});
    } else {
        V then = scm_cons_steal(in, NEWREF(in->sym_begin), NEWREF(CDR(cl)));
        out = list_of(in, 4, (V[]){in->sym_if, CAR(cl), then, rest});
        UNREF(in, then);
    }
    UNREF(in, rest);
    return out;
}

/* (case k ((d...) e...) (else e...)) => (let ((" key" k)) (cond ((memv " key" '(d...)) e...))) */
static V rewrite_case(interp *in, V x)
{
    V key = scm_symbol(in, " case-key");
    V clauses = CONSTANT(in->nil);
    for (size_t i = list_len(in, CDR(CDR(x))); i-- > 0;) {
        V cl = nth(CDR(CDR(x)), i), test;
        if (CAR(cl) == in->sym_else) {
            test = NEWREF(in->sym_else);
        } else {
            V q = list_of(in, 2, (V[]){in->sym_quote, CAR(cl)});
            V memv = scm_symbol(in, "memv");
            test = list_of(in, 3, (V[]){memv, key, q});
            UNREF(in, q);
            UNREF(in, memv);
        }
        clauses = scm_cons_steal(in, scm_cons_steal(in, test, NEWREF(CDR(cl))), clauses);
    }
    V cond = scm_cons_steal(in, NEWREF(in->sym_cond), clauses);
    V binding = list_of(in, 2, (V[]){key, nth(x, 1)});
    V bl = scm_cons_steal(in, binding, CONSTANT(in->nil));
    V out = list_of(in, 3, (V[]){in->sym_let, bl, cond});
    UNREF(in, key);
    UNREF(in, cond);
    UNREF(in, bl);
    return out;
}

/* (do ((v init step)...) (test res...) body...) =>
 * (let " do" ((v init)...) (if test (begin res...) (begin body... (" do" step...)))) */
static V rewrite_do(interp *in, V x)
{
    V loop = scm_symbol(in, " do-loop");
    V specs = nth(x, 1), exit = nth(x, 2), body = CDR(CDR(CDR(x)));
    V bindings = CONSTANT(in->nil), steps = CONSTANT(in->nil);
    for (size_t i = list_len(in, specs); i-- > 0;) {
        V s = nth(specs, i);
        bindings = scm_cons_steal(in, list_of(in, 2, (V[]){CAR(s), nth(s, 1)}), bindings);
        steps = scm_cons_steal(in, NEWREF(list_len(in, s) > 2 ? nth(s, 2) : CAR(s)), steps);
    }
    V again = scm_cons_steal(in, NEWREF(loop), steps);
    V tail = scm_cons_steal(in, again, CONSTANT(in->nil));
    V stmts = NEWREF(tail);
    for (size_t i = list_len(in, body); i-- > 0;)
        stmts = scm_cons_steal(in, NEWREF(nth(body, i)), stmts);
    V step = scm_cons_steal(in, NEWREF(in->sym_begin), stmts);
    V done = scm_cons_steal(in, NEWREF(in->sym_begin), NEWREF(CDR(exit)));
    V test = list_of(in, 4, (V[]){in->sym_if, CAR(exit), done, step});
    V out = list_of(in, 4, (V[]){in->sym_let, loop, bindings, test});
    UNREF(in, loop);
    UNREF(in, bindings);
    UNREF(in, tail);
    UNREF(in, step);
    UNREF(in, done);
    UNREF(in, test);
    return out;
}

static V rewrite_quasi(interp *in, V x, int depth)
{
    if (!IS(in, x, K_PAIR)) {
        if (IS(in, x, K_SYMBOL) || x == in->nil)
            return list_of(in, 2, (V[]){in->sym_quote, x});
        return NEWREF(x);
    }
    if (CAR(x) == in->sym_unquote && depth == 0)
        return NEWREF(nth(x, 1));
    V head = CAR(x), rest = rewrite_quasi(in, CDR(x), depth), out;
    if (is_form(in, head, in->sym_unquote_splicing) && depth == 0) {
        V append = scm_symbol(in, "append");
        out = list_of(in, 3, (V[]){append, nth(head, 1), rest});
        UNREF(in, append);
    } else {
        V h = rewrite_quasi(in, head, depth), cons = scm_symbol(in, "cons");
        out = list_of(in, 3, (V[]){cons, h, rest});
        UNREF(in, h);
        UNREF(in, cons);
    }
    UNREF(in, rest);
    return out;
}

/* Compiles a rewritten form and drops it. */
static V compile_rewritten(ctx *c, V x, scope *sc, int line)
{
    if (x == NULL)
        return c->in->failed ? NULL : scm_error(c->in, "out of memory");
    V n = compile(c, x, sc, line);
    UNREF(c->in, x);
    return n;
}

static V compile_if(ctx *c, V x, scope *sc, int line)
{
    interp *in = c->in;
    size_t len = list_len(in, x);
    if (len < 3 || len > 4)
        return scm_error(in, "line %d: bad if", line);
    V n = mk_node(in, N_IF, line, 0);
    if (n == NULL)
        return NULL;
    V fields[3] = {nth(x, 1), nth(x, 2), len == 4 ? nth(x, 3) : NULL};
    V *dst[3] = {&AS(node, n)->a, &AS(node, n)->b, &AS(node, n)->c};
    for (int i = 0; i < 3; i++) {
        V k;
        if (fields[i] == NULL) {
            k = mk_node(in, N_CONST, line, 0);
            if (k != NULL)
                put(in, &AS(node, k)->a, CONSTANT(in->unspec));
        } else {
            k = compile(c, fields[i], sc, line);
        }
        if (k == NULL) {
            UNREF(in, n);
            return NULL;
        }
        put(in, dst[i], k);
    }
    return n;
}

static V compile_assign(ctx *c, V x, scope *sc, int line, bool define)
{
    interp *in = c->in;
    V value = NULL, name;
    if (define) {
        name = define_parts(in, x, &value);
        if (name == NULL)
            return NULL;
    } else {
        if (list_len(in, x) != 3)
            return scm_error(in, "line %d: bad set!", line);
        name = nth(x, 1);
        value = NEWREF(nth(x, 2));
    }
    if (!IS(in, name, K_SYMBOL)) {
        UNREF(in, value);
        return scm_error(in, "line %d: cannot assign to a non-symbol", line);
    }
    V e = compile(c, value, sc, line);
    UNREF(in, value);
    if (e == NULL)
        return NULL;
    if (AS(node, e)->op == N_LAMBDA && AS(node, e)->b == in->nil)
        put(in, &AS(node, e)->b, NEWREF(name));
    int d, i;
    bool local = lookup(sc, name, &d, &i);
    V n = mk_node(in, local ? N_SETLOCAL : define ? N_DEFINE : N_SETGLOBAL, line, 0);
    if (n == NULL) {
        UNREF(in, e);
        return NULL;
    }
    put(in, &AS(node, n)->b, e);
    if (local) {
        AS(node, n)->depth = d;
        AS(node, n)->index = i;
    } else {
        put(in, &AS(node, n)->a, NEWREF(name));
    }
    return n;
}

static V compile_call(ctx *c, V x, scope *sc, int line)
{
    interp *in = c->in;
    V n = mk_node(in, N_CALL, line, list_len(in, CDR(x)));
    V f = n ? compile(c, CAR(x), sc, line) : NULL;
    if (f == NULL || !compile_into(c, n, 0, CDR(x), sc, line)) {
        UNREF(in, f);
        UNREF(in, n);
        return NULL;
    }
    put(in, &AS(node, n)->a, f);
    int simple = NODE_SIMPLE_ARGS;
    for (size_t i = 0; i < AS(node, n)->n; i++) {
        int op = AS(node, AS(node, n)->kids[i])->op;
        if (op != N_LOCAL && op != N_CONST && op != N_GLOBAL)
            simple = 0;
    }
    AS(node, n)->flags = simple;
    return n;
}

static V compile(ctx *c, V x, scope *sc, int parent_line)
{
    interp *in = c->in;
    if (IS(in, x, K_SYMBOL))
        return compile_var(c, x, sc, parent_line);
    if (!IS(in, x, K_PAIR)) {
        V n = mk_node(in, N_CONST, parent_line, 0);
        if (n != NULL)
            put(in, &AS(node, n)->a, NEWREF(x));
        return n;
    }
    int line = reader_line_of(c->r, x, parent_line);
    V head = CAR(x);
    if (list_len(in, x) == 0 || CDR(x) != in->nil) {
        V l = x;
        while (IS(in, l, K_PAIR))
            l = CDR(l);
        if (l != in->nil)
            return scm_error(in, "line %d: a form must be a proper list", line);
    }
    if (head == in->sym_quote) {
        V n = list_len(in, x) == 2 ? mk_node(in, N_CONST, line, 0)
                                   : scm_error(in, "line %d: bad quote", line);
        if (n != NULL)
            put(in, &AS(node, n)->a, NEWREF(nth(x, 1)));
        return n;
    }
    if (head == in->sym_if)
        return compile_if(c, x, sc, line);
    if (head == in->sym_define || head == in->sym_set)
        return compile_assign(c, x, sc, line, head == in->sym_define);
    if (head == in->sym_lambda) {
        if (list_len(in, x) < 3)
            return scm_error(in, "line %d: bad lambda", line);
        return compile_lambda(c, nth(x, 1), CDR(CDR(x)), NULL, sc, line);
    }
    if (head == in->sym_begin) {
        if (CDR(x) == in->nil)
            return compile(c, in->unspec, sc, line);
        return compile_seq(c, N_SEQ, CDR(x), sc, line);
    }
    if (head == in->sym_and || head == in->sym_or) {
        if (CDR(x) == in->nil)
            return compile(c, head == in->sym_and ? in->t : in->f, sc, line);
        return compile_seq(c, head == in->sym_and ? N_AND : N_OR, CDR(x), sc, line);
    }
    if (head == in->sym_let) {
        if (list_len(in, x) >= 3 && IS(in, nth(x, 1), K_SYMBOL))
            return compile_rewritten(c, rewrite_named_let(in, x), sc, line);
        return compile_let(c, x, sc, line, false);
    }
    if (head == in->sym_letrec)
        return compile_let(c, x, sc, line, true);
    if (head == in->sym_letstar) {
        if (list_len(in, x) < 3)
            return scm_error(in, "line %d: bad let*", line);
        return compile_rewritten(c, rewrite_letstar(in, x), sc, line);
    }
    if (head == in->sym_cond)
        return compile_rewritten(c, rewrite_cond(in, CDR(x)), sc, line);
    if (head == in->sym_case) {
        if (list_len(in, x) < 2)
            return scm_error(in, "line %d: bad case", line);
        return compile_rewritten(c, rewrite_case(in, x), sc, line);
    }
    if (head == in->sym_when || head == in->sym_unless) {
        if (list_len(in, x) < 3)
            return scm_error(in, "line %d: bad when/unless", line);
        V body = scm_cons_steal(in, NEWREF(in->sym_begin), NEWREF(CDR(CDR(x))));
        V form = head == in->sym_when
                     ? list_of(in, 3, (V[]){in->sym_if, nth(x, 1), body})
                     : list_of(in, 4, (V[]){in->sym_if, nth(x, 1), in->unspec, body});
        UNREF(in, body);
        return compile_rewritten(c, form, sc, line);
    }
    if (head == in->sym_do) {
        if (list_len(in, x) < 3)
            return scm_error(in, "line %d: bad do", line);
        return compile_rewritten(c, rewrite_do(in, x), sc, line);
    }
    if (head == in->sym_quasiquote) {
        if (list_len(in, x) != 2)
            return scm_error(in, "line %d: bad quasiquote", line);
        return compile_rewritten(c, rewrite_quasi(in, nth(x, 1), 0), sc, line);
    }
    return compile_call(c, x, sc, line);
}

V scm_compile(interp *in, reader *r, V form)
{
    ctx c = {in, r};
    return compile(&c, form, NULL, r->line);
}
