/*
 * print.c -- display and write. Lists are walked along their cdrs in a loop; only cars
 * nest, bounded by how deeply the data itself nests.
 */
#include <inttypes.h>

#include "interp.h"

static void print_string(interp *in, FILE *f, V s, bool write)
{
    const char *p = mem_string_data(&in->m, s);
    size_t n = mem_string_len(&in->m, s);
    if (!write) {
        fwrite(p, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\')
            fputc('\\', f);
        if (p[i] == '\n')
            fputs("\\n", f);
        else
            fputc(p[i], f);
    }
    fputc('"', f);
}

void scm_print(interp *in, FILE *f, V v, bool write)
{
    switch (mem_kind_of(&in->m, v)) {
    case K_INT:
        fprintf(f, "%" PRId64, (int64_t)INTVAL(v));
        break;
    case K_NIL:
        fputs("()", f);
        break;
    case K_BOOL:
        fputs(v == in->t ? "#t" : "#f", f);
        break;
    case K_UNSPEC:
        break;
    case K_PAIR:
        fputc('(', f);
        for (;;) {
            scm_print(in, f, CAR(v), write);
            v = CDR(v);
            if (!IS(in, v, K_PAIR))
                break;
            fputc(' ', f);
        }
        if (v != in->nil) {
            fputs(" . ", f);
            scm_print(in, f, v, write);
        }
        fputc(')', f);
        break;
    case K_SYMBOL:
        print_string(in, f, AS(symbol, v)->name, false);
        break;
    case K_STRING:
        print_string(in, f, v, write);
        break;
    case K_VECTOR:
        fputs("#(", f);
        for (size_t i = 0; i < AS(vector, v)->n; i++) {
            if (i > 0)
                fputc(' ', f);
            scm_print(in, f, AS(vector, v)->items[i], write);
        }
        fputc(')', f);
        break;
    case K_CLOSURE: {
        V name = AS(node, AS(closure, v)->code)->b;
        fputs("#<procedure", f);
        if (name != in->nil) {
            fputc(' ', f);
            scm_print(in, f, name, false);
        }
        fputc('>', f);
        break;
    }
    case K_PRIM:
        fprintf(f, "#<builtin %s>", mem_string_data(&in->m, AS(prim, v)->name));
        break;
    default:
        fputs("#<object>", f);
        break;
    }
}
