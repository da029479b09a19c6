/*
 * builtins.c -- the constructors every file uses and the standard procedures. A builtin
 * gets borrowed arguments (the evaluator checked their count) and returns a new reference,
 * or NULL with the error set.
 */
#include <stdlib.h>
#include <string.h>

#include "interp.h"

V scm_cons_steal(interp *in, V car, V cdr)
{
    pair *p = car && cdr ? AS(pair, mem_new(&in->m, K_PAIR, sizeof(pair))) : NULL;
    if (p == NULL) {
        UNREF(in, car);
        UNREF(in, cdr);
        return in->failed ? NULL : scm_error(in, "out of memory");
    }
    p->car = car;
    p->cdr = cdr;
    return &p->hdr;
}

V scm_cons(interp *in, V car, V cdr)
{
    return scm_cons_steal(in, NEWREF(car), NEWREF(cdr));
}

V scm_int(interp *in, int64_t n)
{
    if (n < SCM_INT_MIN || n > SCM_INT_MAX)
        return scm_error(in, "integer overflow");
    return MKINT(n);
}

V scm_string(interp *in, const char *bytes, size_t len)
{
    V s = mem_string_new(&in->m, bytes, len);
    return s != NULL ? s : scm_error(in, "cannot make a string of %zu bytes", len);
}

V scm_symbol(interp *in, const char *name)
{
    V s = mem_intern(&in->m, name, strlen(name));
    return s != NULL ? s : scm_error(in, "out of memory");
}

V scm_vector(interp *in, size_t n, V fill)
{
    vector *v = AS(vector, mem_new(&in->m, K_VECTOR, sizeof(vector) + n * sizeof(V)));
    if (v == NULL)
        return scm_error(in, "out of memory");
    v->n = n;
    for (size_t i = 0; i < n; i++)
        v->items[i] = NEWREF(fill);
    return &v->hdr;
}

V scm_bool(interp *in, bool b)
{
    return CONSTANT(b ? in->t : in->f);
}

/* ---- argument checks ---- */

#define ARG(i, k, what)                                                                            \
    do {                                                                                           \
        if (!IS(in, argv[i], k))                                                                   \
            return scm_error(in, "argument %d is not %s", i + 1, what);                            \
    } while (0)
#define INT_ARG(i)                                                                                 \
    do {                                                                                           \
        if (!IS_INT(argv[i]))                                                                      \
            return scm_error(in, "argument %d is not an integer", i + 1);                          \
    } while (0)

/* ---- numbers ---- */

static V p_add(interp *in, int argc, V *argv)
{
    int64_t sum = 0;
    for (int i = 0; i < argc; i++) {
        INT_ARG(i);
        if (__builtin_add_overflow(sum, INTVAL(argv[i]), &sum))
            return scm_error(in, "integer overflow");
    }
    return scm_int(in, sum);
}
static V p_sub(interp *in, int argc, V *argv)
{
    INT_ARG(0);
    int64_t r = INTVAL(argv[0]);
    if (argc == 1)
        return scm_int(in, -r);
    for (int i = 1; i < argc; i++) {
        INT_ARG(i);
        if (__builtin_sub_overflow(r, INTVAL(argv[i]), &r))
            return scm_error(in, "integer overflow");
    }
    return scm_int(in, r);
}
static V p_mul(interp *in, int argc, V *argv)
{
    int64_t r = 1;
    for (int i = 0; i < argc; i++) {
        INT_ARG(i);
        if (__builtin_mul_overflow(r, INTVAL(argv[i]), &r))
            return scm_error(in, "integer overflow");
    }
    return scm_int(in, r);
}
static V divide(interp *in, int argc, V *argv, int how)
{
    (void)argc;
    INT_ARG(0);
    INT_ARG(1);
    int64_t a = INTVAL(argv[0]), b = INTVAL(argv[1]);
    if (b == 0)
        return scm_error(in, "division by zero");
    int64_t q = a / b, r = a % b;
    if (how == 0)
        return scm_int(in, q);
    if (how == 1 || r == 0 || (r < 0) == (b < 0))
        return scm_int(in, r);
    return scm_int(in, r + b); /* modulo takes the divisor's sign */
}
static V p_quotient(interp *in, int argc, V *argv)
{
    return divide(in, argc, argv, 0);
}
static V p_remainder(interp *in, int argc, V *argv)
{
    return divide(in, argc, argv, 1);
}
static V p_modulo(interp *in, int argc, V *argv)
{
    return divide(in, argc, argv, 2);
}

/* =, <, >, <=, >= over any number of arguments. */
static V compare(interp *in, int argc, V *argv, int how)
{
    for (int i = 0; i < argc; i++)
        INT_ARG(i);
    for (int i = 0; i + 1 < argc; i++) {
        int64_t a = INTVAL(argv[i]), b = INTVAL(argv[i + 1]);
        bool ok = how == 0   ? a == b
                  : how == 1 ? a < b
                  : how == 2 ? a > b
                  : how == 3 ? a <= b
                             : a >= b;
        if (!ok)
            return CONSTANT(in->f);
    }
    return CONSTANT(in->t);
}
static V p_num_eq(interp *in, int argc, V *argv)
{
    return compare(in, argc, argv, 0);
}
static V p_lt(interp *in, int argc, V *argv)
{
    return compare(in, argc, argv, 1);
}
static V p_gt(interp *in, int argc, V *argv)
{
    return compare(in, argc, argv, 2);
}
static V p_le(interp *in, int argc, V *argv)
{
    return compare(in, argc, argv, 3);
}
static V p_ge(interp *in, int argc, V *argv)
{
    return compare(in, argc, argv, 4);
}
static V p_numberp(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_bool(in, IS_INT(argv[0]));
}
static V p_zerop(interp *in, int argc, V *argv)
{
    (void)argc;
    INT_ARG(0);
    return scm_bool(in, INTVAL(argv[0]) == 0);
}
static V p_evenp(interp *in, int argc, V *argv)
{
    (void)argc;
    INT_ARG(0);
    return scm_bool(in, INTVAL(argv[0]) % 2 == 0);
}
static V p_oddp(interp *in, int argc, V *argv)
{
    (void)argc;
    INT_ARG(0);
    return scm_bool(in, INTVAL(argv[0]) % 2 != 0);
}
static V p_abs(interp *in, int argc, V *argv)
{
    (void)argc;
    INT_ARG(0);
    int64_t a = INTVAL(argv[0]);
    return scm_int(in, a < 0 ? -a : a);
}
static V p_min(interp *in, int argc, V *argv)
{
    int64_t m = 0;
    for (int i = 0; i < argc; i++) {
        INT_ARG(i);
        if (i == 0 || INTVAL(argv[i]) < m)
            m = INTVAL(argv[i]);
    }
    return scm_int(in, m);
}
static V p_max(interp *in, int argc, V *argv)
{
    int64_t m = 0;
    for (int i = 0; i < argc; i++) {
        INT_ARG(i);
        if (i == 0 || INTVAL(argv[i]) > m)
            m = INTVAL(argv[i]);
    }
    return scm_int(in, m);
}

/* ---- equivalence ---- */

static bool equal(interp *in, V a, V b)
{
    while (a != b) {
        if (IS(in, a, K_PAIR) && IS(in, b, K_PAIR)) {
            if (!equal(in, CAR(a), CAR(b)))
                return false;
            a = CDR(a), b = CDR(b);
        } else if (IS(in, a, K_STRING) && IS(in, b, K_STRING)) {
            size_t n = mem_string_len(&in->m, a);
            return n == mem_string_len(&in->m, b) &&
                   memcmp(mem_string_data(&in->m, a), mem_string_data(&in->m, b), n) == 0;
        } else if (IS(in, a, K_VECTOR) && IS(in, b, K_VECTOR)) {
            if (AS(vector, a)->n != AS(vector, b)->n)
                return false;
            for (size_t i = 0; i < AS(vector, a)->n; i++)
                if (!equal(in, AS(vector, a)->items[i], AS(vector, b)->items[i]))
                    return false;
            return true;
        } else {
            return false;
        }
    }
    return true;
}
static V p_eq(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_bool(in, argv[0] == argv[1]);
}
static V p_equal(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_bool(in, equal(in, argv[0], argv[1]));
}
static V p_not(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_bool(in, argv[0] == in->f);
}
static V p_booleanp(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_bool(in, IS(in, argv[0], K_BOOL));
}

/* ---- pairs and lists ---- */

/* cons, list and vector steal their arguments (prim.steals): what they store is what the
 * evaluator hands over, with no count to add and drop. */
static V p_cons(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_cons_steal(in, argv[0], argv[1]);
}
static V p_car(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_PAIR, "a pair");
    return VNEWREF(CAR(argv[0]));
}
static V p_cdr(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_PAIR, "a pair");
    return VNEWREF(CDR(argv[0]));
}
static V p_cadr(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_PAIR, "a list of two");
    if (!IS(in, CDR(argv[0]), K_PAIR))
        return scm_error(in, "list too short");
    return NEWREF(CAR(CDR(argv[0])));
}
static V p_cddr(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_PAIR, "a list of two");
    if (!IS(in, CDR(argv[0]), K_PAIR))
        return scm_error(in, "list too short");
    return NEWREF(CDR(CDR(argv[0])));
}
static V set_field(interp *in, V *field, V value)
{
    V old = *field;
    *field = NEWREF(value);
    UNREF(in, old);
    return CONSTANT(in->unspec);
}
static V p_set_car(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_PAIR, "a pair");
    return set_field(in, &CAR(argv[0]), argv[1]);
}
static V p_set_cdr(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_PAIR, "a pair");
    return set_field(in, &CDR(argv[0]), argv[1]);
}
static V p_nullp(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_bool(in, argv[0] == in->nil);
}
static V p_pairp(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_bool(in, IS(in, argv[0], K_PAIR));
}
static V p_listp(interp *in, int argc, V *argv)
{
    (void)argc;
    V l = argv[0];
    while (IS(in, l, K_PAIR))
        l = CDR(l);
    return scm_bool(in, l == in->nil);
}
static V list_steal(interp *in, int argc, V *argv)
{
    V l = CONSTANT(in->nil);
    int i = argc - 1;
    for (; l != NULL && i >= 0; i--)
        l = scm_cons_steal(in, argv[i], l);
    for (; i >= 0; i--)
        UNREF(in, argv[i]);
    return l;
}
static V p_list(interp *in, int argc, V *argv)
{
    return list_steal(in, argc, argv);
}
/* A list of borrowed items. */
static V list_of(interp *in, int argc, V *argv)
{
    V l = CONSTANT(in->nil);
    for (int i = argc - 1; l != NULL && i >= 0; i--)
        l = scm_cons_steal(in, NEWREF(argv[i]), l);
    return l;
}
static V p_length(interp *in, int argc, V *argv)
{
    (void)argc;
    int64_t n = 0;
    V l = argv[0];
    for (; IS(in, l, K_PAIR); l = CDR(l))
        n++;
    if (l != in->nil)
        return scm_error(in, "not a proper list");
    return scm_int(in, n);
}
static V p_reverse(interp *in, int argc, V *argv)
{
    (void)argc;
    V r = CONSTANT(in->nil);
    for (V l = argv[0]; r != NULL && IS(in, l, K_PAIR); l = CDR(l))
        r = scm_cons_steal(in, NEWREF(CAR(l)), r);
    return r;
}
/* (append l ... last): copies every list but the last, which is shared. */
static V p_append(interp *in, int argc, V *argv)
{
    if (argc == 0)
        return CONSTANT(in->nil);
    V head = NEWREF(argv[argc - 1]), *tail = &head;
    for (int i = 0; i < argc - 1; i++) {
        for (V l = argv[i]; IS(in, l, K_PAIR); l = CDR(l)) {
            V cell = scm_cons(in, CAR(l), *tail);
            if (cell == NULL) {
                UNREF(in, head);
                return NULL;
            }
            UNREF(in, *tail);
            *tail = cell;
            tail = &CDR(cell);
        }
    }
    return head;
}
static V p_list_tail(interp *in, int argc, V *argv)
{
    (void)argc;
    INT_ARG(1);
    V l = argv[0];
    for (int64_t k = INTVAL(argv[1]); k > 0; k--) {
        if (!IS(in, l, K_PAIR))
            return scm_error(in, "list too short");
        l = CDR(l);
    }
    return NEWREF(l);
}
static V p_list_ref(interp *in, int argc, V *argv)
{
    V tail = p_list_tail(in, argc, argv);
    if (tail == NULL)
        return NULL;
    V r = IS(in, tail, K_PAIR) ? NEWREF(CAR(tail)) : scm_error(in, "index out of range");
    UNREF(in, tail);
    return r;
}
/* memq/memv/member and assq/assv/assoc. */
static V find(interp *in, V x, V l, bool assoc, bool deep)
{
    for (; IS(in, l, K_PAIR); l = CDR(l)) {
        V item = CAR(l);
        if (assoc && !IS(in, item, K_PAIR))
            return scm_error(in, "not an association list");
        V key = assoc ? CAR(item) : item;
        if (key == x || (deep && equal(in, key, x)))
            return NEWREF(assoc ? item : l);
    }
    return CONSTANT(in->f);
}
static V p_memq(interp *in, int argc, V *argv)
{
    (void)argc;
    return find(in, argv[0], argv[1], false, false);
}
static V p_member(interp *in, int argc, V *argv)
{
    (void)argc;
    return find(in, argv[0], argv[1], false, true);
}
static V p_assq(interp *in, int argc, V *argv)
{
    (void)argc;
    return find(in, argv[0], argv[1], true, false);
}
static V p_assoc(interp *in, int argc, V *argv)
{
    (void)argc;
    return find(in, argv[0], argv[1], true, true);
}

/* ---- symbols and strings ---- */

static V p_symbolp(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_bool(in, IS(in, argv[0], K_SYMBOL));
}
static V p_stringp(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_bool(in, IS(in, argv[0], K_STRING));
}
static V p_symbol_to_string(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_SYMBOL, "a symbol");
    return NEWREF(AS(symbol, argv[0])->name);
}
static V p_string_to_symbol(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_STRING, "a string");
    V s = mem_intern(&in->m, mem_string_data(&in->m, argv[0]), mem_string_len(&in->m, argv[0]));
    return s != NULL ? s : scm_error(in, "out of memory");
}
static V p_string_length(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_STRING, "a string");
    return scm_int(in, (int64_t)mem_string_len(&in->m, argv[0]));
}
static V p_string_append(interp *in, int argc, V *argv)
{
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        ARG(i, K_STRING, "a string");
        n += mem_string_len(&in->m, argv[i]);
    }
    char *buf = malloc(n + 1);
    if (buf == NULL)
        return scm_error(in, "out of memory");
    size_t at = 0;
    for (int i = 0; i < argc; i++) {
        size_t k = mem_string_len(&in->m, argv[i]);
        memcpy(buf + at, mem_string_data(&in->m, argv[i]), k);
        at += k;
    }
    V s = scm_string(in, buf, n);
    free(buf);
    return s;
}
static V p_string_eq(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_STRING, "a string");
    ARG(1, K_STRING, "a string");
    return scm_bool(in, equal(in, argv[0], argv[1]));
}
static V p_number_to_string(interp *in, int argc, V *argv)
{
    (void)argc;
    INT_ARG(0);
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)INTVAL(argv[0]));
    return scm_string(in, buf, (size_t)n);
}
static V p_substring(interp *in, int argc, V *argv)
{
    ARG(0, K_STRING, "a string");
    INT_ARG(1);
    size_t len = mem_string_len(&in->m, argv[0]);
    int64_t from = INTVAL(argv[1]), to = (int64_t)len;
    if (argc > 2) {
        INT_ARG(2);
        to = INTVAL(argv[2]);
    }
    if (from < 0 || to < from || (size_t)to > len)
        return scm_error(in, "range out of bounds");
    return scm_string(in, mem_string_data(&in->m, argv[0]) + from, (size_t)(to - from));
}

/* ---- vectors ---- */

static V p_vectorp(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_bool(in, IS(in, argv[0], K_VECTOR));
}
static V p_make_vector(interp *in, int argc, V *argv)
{
    INT_ARG(0);
    if (INTVAL(argv[0]) < 0 || INTVAL(argv[0]) > (1 << 28))
        return scm_error(in, "bad length");
    return scm_vector(in, (size_t)INTVAL(argv[0]), argc > 1 ? argv[1] : in->f);
}
static V p_vector(interp *in, int argc, V *argv)
{
    vector *v = AS(vector, mem_new(&in->m, K_VECTOR, sizeof(vector) + (size_t)argc * sizeof(V)));
    if (v == NULL) {
        for (int i = 0; i < argc; i++)
            UNREF(in, argv[i]);
        return scm_error(in, "out of memory");
    }
    v->n = (size_t)argc;
    memcpy(v->items, argv, (size_t)argc * sizeof(V)); /* the references it stole */
    return &v->hdr;
}
static V vector_slot(interp *in, V *argv, V **slot)
{
    ARG(0, K_VECTOR, "a vector");
    INT_ARG(1);
    int64_t i = INTVAL(argv[1]);
    if (i < 0 || (size_t)i >= AS(vector, argv[0])->n)
        return scm_error(in, "vector index %lld out of range (length %zu)", (long long)i,
                         AS(vector, argv[0])->n);
    *slot = &AS(vector, argv[0])->items[i];
    return argv[0];
}
static V p_vector_ref(interp *in, int argc, V *argv)
{
    (void)argc;
    V *slot = NULL;
    return vector_slot(in, argv, &slot) ? NEWREF(*slot) : NULL;
}
static V p_vector_set(interp *in, int argc, V *argv)
{
    (void)argc;
    V *slot = NULL;
    return vector_slot(in, argv, &slot) ? set_field(in, slot, argv[2]) : NULL;
}
static V p_vector_length(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_VECTOR, "a vector");
    return scm_int(in, (int64_t)AS(vector, argv[0])->n);
}
static V p_vector_to_list(interp *in, int argc, V *argv)
{
    (void)argc;
    ARG(0, K_VECTOR, "a vector");
    return list_of(in, (int)AS(vector, argv[0])->n, AS(vector, argv[0])->items);
}
static V p_list_to_vector(interp *in, int argc, V *argv)
{
    V n = p_length(in, argc, argv);
    V v = n ? scm_vector(in, (size_t)INTVAL(n), in->f) : NULL;
    size_t i = 0;
    for (V l = argv[0]; v != NULL && IS(in, l, K_PAIR); l = CDR(l))
        set_field(in, &AS(vector, v)->items[i++], CAR(l));
    return v;
}

/* ---- procedures ---- */

static V p_procedurep(interp *in, int argc, V *argv)
{
    (void)argc;
    return scm_bool(in, IS(in, argv[0], K_CLOSURE) || IS(in, argv[0], K_PRIM));
}
/* (apply f a ... list) */
static V p_apply(interp *in, int argc, V *argv)
{
    V last = argv[argc - 1];
    int n = argc - 2;
    for (V l = last; IS(in, l, K_PAIR); l = CDR(l))
        n++;
    V *args = malloc((size_t)(n > 0 ? n : 1) * sizeof(V));
    if (args == NULL)
        return scm_error(in, "out of memory");
    int k = 0;
    for (int i = 1; i < argc - 1; i++)
        args[k++] = argv[i];
    for (V l = last; IS(in, l, K_PAIR); l = CDR(l))
        args[k++] = CAR(l);
    V r = scm_apply(in, argv[0], n, args);
    free(args);
    return r;
}
/* (map f l1 l2 ...) and (for-each f l1 l2 ...), up to 8 lists, stopping at the shortest. */
static V map_each(interp *in, int argc, V *argv, bool collect)
{
    V lists[8], args[8];
    int nl = argc - 1;
    if (nl > 8)
        return scm_error(in, "more than 8 lists");
    for (int i = 0; i < nl; i++)
        lists[i] = argv[i + 1];
    V head = CONSTANT(in->nil), *tail = &head;
    for (;;) {
        for (int i = 0; i < nl; i++) {
            if (!IS(in, lists[i], K_PAIR))
                return collect ? head : (UNREF(in, head), CONSTANT(in->unspec));
            args[i] = CAR(lists[i]);
            lists[i] = CDR(lists[i]);
        }
        V r = scm_apply(in, argv[0], nl, args);
        V cell = r && collect ? scm_cons_steal(in, r, CONSTANT(in->nil)) : r;
        if (cell == NULL) {
            UNREF(in, head);
            return NULL;
        }
        if (!collect) {
            UNREF(in, cell);
            continue;
        }
        UNREF(in, *tail);
        *tail = cell;
        tail = &CDR(cell);
    }
}
static V p_map(interp *in, int argc, V *argv)
{
    return map_each(in, argc, argv, true);
}
static V p_for_each(interp *in, int argc, V *argv)
{
    return map_each(in, argc, argv, false);
}

/* ---- output and errors ---- */

static V p_display(interp *in, int argc, V *argv)
{
    (void)argc;
    scm_print(in, in->out, argv[0], false);
    return CONSTANT(in->unspec);
}
static V p_write(interp *in, int argc, V *argv)
{
    (void)argc;
    scm_print(in, in->out, argv[0], true);
    return CONSTANT(in->unspec);
}
static V p_newline(interp *in, int argc, V *argv)
{
    (void)argc, (void)argv;
    fputc('\n', in->out);
    return CONSTANT(in->unspec);
}
static V p_error(interp *in, int argc, V *argv)
{
    char buf[256] = "";
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    for (int i = 0; f != NULL && i < argc; i++) {
        if (i > 0)
            fputc(' ', f);
        scm_print(in, f, argv[i], i > 0);
    }
    if (f != NULL)
        fclose(f);
    return scm_error(in, "%s", buf);
}

/* Builtins are immortal, like the constants (mem_new_immortal): they live as long as the
 * interpreter, so the evaluator calls one it borrowed from a variable without counting it,
 * even if the call redefines that variable. Redefining a builtin leaves its object. */
bool scm_define_prim(interp *in, const char *name, prim_fn fn, int min_args, int max_args)
{
    V sym = scm_symbol(in, name);
    prim *p = sym ? AS(prim, mem_new_immortal(&in->m, K_PRIM, sizeof(prim))) : NULL;
    if (p == NULL || (p->name = scm_string(in, name, strlen(name))) == NULL) {
        UNREF(in, sym);
        UNREF(in, p ? &p->hdr : NULL);
        return false;
    }
    p->fn = fn;
    p->min_args = (int16_t)min_args;
    p->max_args = (int16_t)max_args;
    p->owned_args = fn == p_apply || fn == p_map || fn == p_for_each;
    p->steals = fn == p_cons || fn == p_list || fn == p_vector;
    p->predicate = fn == p_num_eq || fn == p_lt || fn == p_gt || fn == p_le || fn == p_ge ||
                   fn == p_numberp || fn == p_zerop || fn == p_evenp || fn == p_oddp ||
                   fn == p_eq || fn == p_equal || fn == p_not || fn == p_booleanp ||
                   fn == p_nullp || fn == p_pairp || fn == p_listp || fn == p_symbolp ||
                   fn == p_stringp || fn == p_string_eq || fn == p_vectorp || fn == p_procedurep;
    UNREF(in, AS(symbol, sym)->value);
    AS(symbol, sym)->value = &p->hdr;
    UNREF(in, sym);
    return true;
}

bool scm_prim_owns_args(interp *in, const char *name)
{
    V sym = scm_symbol(in, name);
    if (sym == NULL || AS(symbol, sym)->value == NULL || !IS(in, AS(symbol, sym)->value, K_PRIM))
        return false;
    AS(prim, AS(symbol, sym)->value)->owned_args = true;
    UNREF(in, sym);
    return true;
}

bool scm_define_builtins(interp *in)
{
    static const struct {
        const char *name;
        prim_fn fn;
        int min_args, max_args;
    } table[] = {
        {"+", p_add, 0, -1},
        {"-", p_sub, 1, -1},
        {"*", p_mul, 0, -1},
        {"quotient", p_quotient, 2, 2},
        {"remainder", p_remainder, 2, 2},
        {"modulo", p_modulo, 2, 2},
        {"=", p_num_eq, 1, -1},
        {"<", p_lt, 1, -1},
        {">", p_gt, 1, -1},
        {"<=", p_le, 1, -1},
        {">=", p_ge, 1, -1},
        {"number?", p_numberp, 1, 1},
        {"integer?", p_numberp, 1, 1},
        {"zero?", p_zerop, 1, 1},
        {"even?", p_evenp, 1, 1},
        {"odd?", p_oddp, 1, 1},
        {"abs", p_abs, 1, 1},
        {"min", p_min, 1, -1},
        {"max", p_max, 1, -1},
        {"eq?", p_eq, 2, 2},
        {"eqv?", p_eq, 2, 2},
        {"equal?", p_equal, 2, 2},
        {"not", p_not, 1, 1},
        {"boolean?", p_booleanp, 1, 1},
        {"cons", p_cons, 2, 2},
        {"car", p_car, 1, 1},
        {"cdr", p_cdr, 1, 1},
        {"cadr", p_cadr, 1, 1},
        {"cddr", p_cddr, 1, 1},
        {"set-car!", p_set_car, 2, 2},
        {"set-cdr!", p_set_cdr, 2, 2},
        {"null?", p_nullp, 1, 1},
        {"pair?", p_pairp, 1, 1},
        {"list?", p_listp, 1, 1},
        {"list", p_list, 0, -1},
        {"length", p_length, 1, 1},
        {"reverse", p_reverse, 1, 1},
        {"append", p_append, 0, -1},
        {"list-tail", p_list_tail, 2, 2},
        {"list-ref", p_list_ref, 2, 2},
        {"memq", p_memq, 2, 2},
        {"memv", p_memq, 2, 2},
        {"member", p_member, 2, 2},
        {"assq", p_assq, 2, 2},
        {"assv", p_assq, 2, 2},
        {"assoc", p_assoc, 2, 2},
        {"symbol?", p_symbolp, 1, 1},
        {"string?", p_stringp, 1, 1},
        {"symbol->string", p_symbol_to_string, 1, 1},
        {"string->symbol", p_string_to_symbol, 1, 1},
        {"string-length", p_string_length, 1, 1},
        {"string-append", p_string_append, 0, -1},
        {"string=?", p_string_eq, 2, 2},
        {"number->string", p_number_to_string, 1, 1},
        {"substring", p_substring, 2, 3},
        {"vector?", p_vectorp, 1, 1},
        {"make-vector", p_make_vector, 1, 2},
        {"vector", p_vector, 0, -1},
        {"vector-ref", p_vector_ref, 2, 2},
        {"vector-set!", p_vector_set, 3, 3},
        {"vector-length", p_vector_length, 1, 1},
        {"vector->list", p_vector_to_list, 1, 1},
        {"list->vector", p_list_to_vector, 1, 1},
        {"procedure?", p_procedurep, 1, 1},
        {"apply", p_apply, 2, -1},
        {"map", p_map, 2, -1},
        {"for-each", p_for_each, 2, -1},
        {"display", p_display, 1, 1},
        {"write", p_write, 1, 1},
        {"newline", p_newline, 0, 0},
        {"error", p_error, 1, -1},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!scm_define_prim(in, table[i].name, table[i].fn, table[i].min_args, table[i].max_args))
            return false;
    return true;
}
