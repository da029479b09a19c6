/*
 * main.c -- the interpreter's driver: reads a script (or standard input) form by form,
 * compiles each form and runs it. A failing form prints "file:line: message" on stderr and
 * the script goes on; the exit status is 1 if any form failed.
 *
 * usage: scheme [--sites] [--check] [FILE]
 *   --sites  record allocation sites (script file:line) for the leak tools (rcgc build)
 *   --check  abort on rcgc misuse (rc_misuse_hook_abort); at exit, drop every global,
 *            collect, and report objects still alive: the interpreter's own reference
 *            counting is then checked by every test program
 */
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>

#include "interp.h"

static bool intern_specials(interp *in)
{
    static const char *const names[] = {"quote",
                                        "lambda",
                                        "define",
                                        "if",
                                        "set!",
                                        "begin",
                                        "let",
                                        "let*",
                                        "letrec",
                                        "cond",
                                        "else",
                                        "and",
                                        "or",
                                        "when",
                                        "unless",
                                        "do",
                                        "quasiquote",
                                        "unquote",
                                        "unquote-splicing",
                                        "=>",
                                        "case"};
    V *slots[] = {&in->sym_quote,
                  &in->sym_lambda,
                  &in->sym_define,
                  &in->sym_if,
                  &in->sym_set,
                  &in->sym_begin,
                  &in->sym_let,
                  &in->sym_letstar,
                  &in->sym_letrec,
                  &in->sym_cond,
                  &in->sym_else,
                  &in->sym_and,
                  &in->sym_or,
                  &in->sym_when,
                  &in->sym_unless,
                  &in->sym_do,
                  &in->sym_quasiquote,
                  &in->sym_unquote,
                  &in->sym_unquote_splicing,
                  &in->sym_arrow,
                  &in->sym_case};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        /* The symbol table keeps each symbol alive: a borrowed pointer is enough. */
        V s = scm_symbol(in, names[i]);
        if (s == NULL)
            return false;
        *slots[i] = s;
        UNREF(in, s);
    }
    return true;
}

bool scm_init(interp *in, bool record_sites, const char *stack_base)
{
    memset(in, 0, sizeof *in);
    in->stack_base = stack_base;
    struct rlimit rl;
    size_t stack =
        getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur : 8u << 20;
    in->stack_limit = stack > (1u << 20) ? stack - (512u << 10) : stack / 2;
    in->out = stdout;
    in->file = "<stdin>";
    if (!mem_init(&in->m, record_sites))
        return false;
#ifdef SCM_RCGC
    in->peaks.size = sizeof in->peaks;
#endif
    in->nil = mem_new_immortal(&in->m, K_NIL, sizeof(obj));
    in->t = mem_new_immortal(&in->m, K_BOOL, sizeof(obj));
    in->f = mem_new_immortal(&in->m, K_BOOL, sizeof(obj));
    in->unspec = mem_new_immortal(&in->m, K_UNSPEC, sizeof(obj));
    return in->nil && in->t && in->f && in->unspec && intern_specials(in) &&
           scm_define_builtins(in) && scm_define_gc_builtins(in);
}

/* Objects still alive once the program's globals are gone: all of them leaked. */
static int64_t leaked_objects(interp *in)
{
#ifdef SCM_RCGC
    rc_heap *h = in->m.heap;
    scm_drop_spare_frames(in);
    size_t pos = 0;
    rc_object *key, *sym;
    while (rc_dict_next(h, in->m.symbols, &pos, &key, &sym)) {
        V old = AS(symbol, sym)->value;
        AS(symbol, sym)->value = NULL;
        UNREF(in, old);
    }
    rc_root_unname(h, in->m.symbols);
    in->m.symbols = NULL;
    rc_collect(h, 2);
    rc_heap_stats st = {.size = sizeof st};
    rc_heap_get_stats(h, &st);
    if (rc_heap_check(h) != RC_OK)
        fprintf(stderr, "scheme: %s\n", rc_heap_errmsg(h));
    /* The immortal constants, and the immortal builtins with their names. */
    return (int64_t)st.live_objects - 4 - 2 * (int64_t)rc_type_live_count(in->m.types[K_PRIM]);
#else
    (void)in;
    return 0;
#endif
}

void scm_fini(interp *in)
{
#ifdef SCM_RCGC
    rc_objgraph_peaks_free(in->m.heap, &in->peaks);
#endif
    mem_fini(&in->m);
}

bool scm_run(interp *in, const char *file, const char *text, size_t len)
{
    reader r = {.text = text, .len = len, .line = 1};
    bool ok = true;
    in->file = file;
    mem_set_file(&in->m, file);
    for (;;) {
        V form = scm_read(in, &r);
        V code = form ? scm_compile(in, &r, form) : NULL;
        reader_forget(in, &r);
        UNREF(in, form);
        V v = code ? scm_eval(in, code, NULL) : NULL;
        UNREF(in, code);
        UNREF(in, v);
        fflush(in->out);
        if (in->failed) {
            bool lined = strncmp(in->error, "line ", 5) == 0;
            fprintf(stderr, "%s:%s%s\n", file, lined ? "" : " ", lined ? in->error + 5 : in->error);
            in->failed = false;
            in->error[0] = '\0';
            ok = false;
            if (form == NULL)
                break; /* a reader error: the rest cannot be trusted */
        } else if (form == NULL) {
            break;
        }
    }
    free(r.lines);
    return ok;
}

static char *slurp(FILE *f, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *p = realloc(buf, cap *= 2);
        if (p == NULL)
            free(buf);
        buf = p;
    }
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    bool sites = false, check = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sites") == 0)
            sites = true;
        else if (strcmp(argv[i], "--check") == 0)
            check = true;
        else
            path = argv[i];
    }
    FILE *f = path ? fopen(path, "r") : stdin;
    if (f == NULL) {
        perror(path);
        return 2;
    }
    size_t len;
    char *text = slurp(f, &len);
    if (f != stdin)
        fclose(f);
    interp in;
    char base;
    if (text == NULL || !scm_init(&in, sites, &base)) {
        fprintf(stderr, "scheme: cannot start: out of memory\n");
        return 2;
    }
#ifdef SCM_RCGC
    /* --check: a reference-count mistake (a release too many, a freed object) stops the run
     * with rcgc's message instead of being only recorded, also with the release library. */
    if (check)
        rc_heap_set_misuse_hook(in.m.heap, rc_misuse_hook_abort, NULL);
#endif
    bool ok = scm_run(&in, path ? path : "<stdin>", text, len);
    if (check) {
        int64_t leaked = leaked_objects(&in);
        if (leaked != 0) {
            fprintf(stderr, "scheme: %lld objects leaked\n", (long long)leaked);
            ok = false;
        }
    }
    scm_fini(&in);
    free(text);
    return ok ? 0 : 1;
}
