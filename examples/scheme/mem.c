/*
 * mem.c -- the memory layer's three implementations (see mem.h). The rcgc part registers
 * one rcgc type per kind; the other two hand out memory that is never freed by hand.
 */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef SCM_RCGC

/* ---- rcgc ---- */

/* Labels in pictures: a symbol shows its name, a pair its first item. */
static rc_status symbol_repr(rc_heap *h, rc_object *self, rc_strbuf *out)
{
    const symbol *s = (const symbol *)(void *)self;
    return rc_strbuf_append(out, rc_str_data(h, s->name), rc_str_len(h, s->name));
}
static rc_status pair_repr(rc_heap *h, rc_object *self, rc_strbuf *out)
{
    char car[48];
    rc_repr_into(h, ((pair *)(void *)self)->car, car, sizeof car);
    return rc_strbuf_printf(out, "(%s ...)", car);
}
static rc_status closure_repr(rc_heap *h, rc_object *self, rc_strbuf *out)
{
    const node *code = (const node *)(void *)((closure *)(void *)self)->code;
    char name[48] = "anonymous";
    if (code != NULL && code->b != NULL)
        rc_repr_into(h, code->b, name, sizeof name);
    return rc_strbuf_printf(out, "#<procedure %s>", name);
}

static rc_status frame_repr(rc_heap *h, rc_object *self, rc_strbuf *out)
{
    (void)h;
    return rc_strbuf_printf(out, "#<frame of %zu>", ((frame *)(void *)self)->n);
}
static rc_status node_repr(rc_heap *h, rc_object *self, rc_strbuf *out)
{
    static const char *const ops[] = {"constant", "local", "global", "set! local", "set! global",
                                      "define",   "if",    "lambda", "begin",      "and",
                                      "or",       "let",   "call"};
    const node *n = (const node *)(void *)self;
    (void)h;
    return rc_strbuf_printf(
        out, "#<code %s, line %d>",
        n->op >= 0 && n->op < (int)(sizeof ops / sizeof ops[0]) ? ops[n->op] : "?", n->line);
}

static const size_t pair_refs[] = {offsetof(pair, car), offsetof(pair, cdr)};
static const char *const pair_names[] = {"car", "cdr"};
static const size_t symbol_refs[] = {offsetof(symbol, name), offsetof(symbol, value)};
static const char *const symbol_names[] = {"name", "value"};
static const size_t closure_refs[] = {offsetof(closure, code), offsetof(closure, env)};
static const char *const closure_names[] = {"code", "env"};
static const size_t frame_refs[] = {offsetof(frame, parent)};
static const char *const frame_names[] = {"parent"};
static const size_t node_refs[] = {offsetof(node, a), offsetof(node, b), offsetof(node, c)};
static const char *const node_names[] = {"a", "b", "c"};
static const size_t prim_refs[] = {offsetof(prim, name)};
static const char *const prim_names[] = {"name"};

static const rc_type *add_type(rc_heap *h, rc_type_spec spec)
{
    spec.size = sizeof spec;
    return rc_type_new(h, &spec);
}

bool mem_init(mem *m, bool record_sites)
{
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.record_origins = record_sites;
    memset(m, 0, sizeof *m);
    m->heap = rc_heap_new(&cfg);
    if (m->heap == NULL)
        return false;
    m->sites = record_sites;
    rc_heap *h = m->heap;
    m->types[K_INT] = rc_heap_builtin_int(h);
    m->types[K_STRING] = rc_heap_builtin_str(h);
    m->types[K_NIL] = add_type(h, (rc_type_spec){.name = "nil", .instance_bytes = sizeof(obj)});
    m->types[K_BOOL] =
        add_type(h, (rc_type_spec){.name = "boolean", .instance_bytes = sizeof(obj)});
    m->types[K_UNSPEC] =
        add_type(h, (rc_type_spec){.name = "unspecified", .instance_bytes = sizeof(obj)});
    m->types[K_PAIR] = add_type(h, (rc_type_spec){.name = "pair",
                                                  .instance_bytes = sizeof(pair),
                                                  .ref_offsets = pair_refs,
                                                  .n_ref_offsets = 2,
                                                  .ref_names = pair_names,
                                                  .repr = pair_repr});
    m->types[K_SYMBOL] = add_type(h, (rc_type_spec){.name = "symbol",
                                                    .instance_bytes = sizeof(symbol),
                                                    .ref_offsets = symbol_refs,
                                                    .n_ref_offsets = 2,
                                                    .ref_names = symbol_names,
                                                    .repr = symbol_repr});
    m->types[K_VECTOR] = add_type(h, (rc_type_spec){.name = "vector",
                                                    .instance_bytes = sizeof(vector),
                                                    .ref_array_count_offset = offsetof(vector, n),
                                                    .ref_array_offset = offsetof(vector, items)});
    m->types[K_CLOSURE] = add_type(h, (rc_type_spec){.name = "procedure",
                                                     .instance_bytes = sizeof(closure),
                                                     .ref_offsets = closure_refs,
                                                     .n_ref_offsets = 2,
                                                     .ref_names = closure_names,
                                                     .repr = closure_repr});
    m->types[K_PRIM] = add_type(h, (rc_type_spec){.name = "builtin",
                                                  .instance_bytes = sizeof(prim),
                                                  .ref_offsets = prim_refs,
                                                  .n_ref_offsets = 1,
                                                  .ref_names = prim_names});
    m->types[K_FRAME] = add_type(h, (rc_type_spec){.name = "frame",
                                                   .instance_bytes = sizeof(frame),
                                                   .ref_offsets = frame_refs,
                                                   .n_ref_offsets = 1,
                                                   .ref_names = frame_names,
                                                   .ref_array_count_offset = offsetof(frame, n),
                                                   .ref_array_offset = offsetof(frame, slots),
                                                   .ref_array_name = "slot",
                                                   .repr = frame_repr});
    m->types[K_NODE] = add_type(h, (rc_type_spec){.name = "code",
                                                  .instance_bytes = sizeof(node),
                                                  .ref_offsets = node_refs,
                                                  .n_ref_offsets = 3,
                                                  .ref_names = node_names,
                                                  .repr = node_repr,
                                                  .ref_array_count_offset = offsetof(node, n),
                                                  .ref_array_offset = offsetof(node, kids),
                                                  .ref_array_name = "kids"});
    memset(m->kind, K_COUNT, sizeof m->kind);
    for (int k = 0; k < K_COUNT; k++) {
        m->index[k] = rc_type_index_of_type(m->types[k]);
        if (m->index[k] == RC_TYPE_INDEX_NONE || m->index[k] >= sizeof m->kind)
            return false;
        m->kind[m->index[k]] = (uint8_t)k;
    }
    /* The symbol table (through the symbols, every global variable) is the program's root:
     * named, it is where the leak tools' chains and pictures start. The heap keeps it. */
    m->symbols = rc_dict_new(h);
    if (m->symbols == NULL || rc_root_name(h, m->symbols, "global variables") != RC_OK)
        return false;
    rc_decref(h, m->symbols);
    return true;
}

void mem_fini(mem *m)
{
    rc_heap_free(m->heap);
    m->heap = NULL;
}

V mem_new(mem *m, enum kind k, size_t bytes)
{
    return rc_new_var(m->heap, m->types[k], bytes);
}

V mem_new_immortal(mem *m, enum kind k, size_t bytes)
{
    V v = mem_new(m, k, bytes);
    if (v != NULL && rc_make_immortal(m->heap, v) != RC_OK)
        return NULL;
    return v;
}

void mem_set_file(mem *m, const char *file)
{
    if (m->sites)
        rc_origin_set(m->heap, file, 0);
}

V mem_string_new(mem *m, const char *bytes, size_t len)
{
    return rc_str_new(m->heap, bytes, len);
}
const char *mem_string_data(mem *m, V s)
{
    return rc_str_data(m->heap, s);
}
size_t mem_string_len(mem *m, V s)
{
    return rc_str_len(m->heap, s);
}

V mem_intern(mem *m, const char *name, size_t len)
{
    V sym = rc_dict_get_cstr(m->heap, m->symbols, name, len);
    if (sym != NULL)
        return rc_newref(sym);
    V key = rc_str_new(m->heap, name, len);
    sym = key ? mem_new(m, K_SYMBOL, sizeof(symbol)) : NULL;
    if (sym != NULL) {
        ((symbol *)(void *)sym)->name = rc_newref(key);
        if (rc_dict_set(m->heap, m->symbols, key, sym) != RC_OK) {
            rc_decref(m->heap, sym);
            sym = NULL;
        }
    }
    rc_decref(m->heap, key);
    return sym;
}

#else

/* ---- Boehm GC and malloc-that-never-frees ---- */

#ifdef SCM_BOEHM
#include <gc.h>
#define RAW_ALLOC(n) GC_MALLOC(n)
#define RAW_ALLOC_ATOMIC(n) GC_MALLOC_ATOMIC(n)
#else
#define RAW_ALLOC(n) calloc(1, n)
#define RAW_ALLOC_ATOMIC(n) calloc(1, n)
#endif

bool mem_init(mem *m, bool record_sites)
{
    (void)record_sites;
#ifdef SCM_BOEHM
    GC_INIT();
#endif
    m->symbols = NULL;
    return true;
}

void mem_fini(mem *m)
{
    (void)m;
}

V mem_new(mem *m, enum kind k, size_t bytes)
{
    (void)m;
    V v = RAW_ALLOC(bytes);
    if (v != NULL)
        v->kind = (uint32_t)k;
    return v;
}

V mem_new_immortal(mem *m, enum kind k, size_t bytes)
{
    return mem_new(m, k, bytes);
}

void mem_set_file(mem *m, const char *file)
{
    (void)m, (void)file;
}

V mem_string_new(mem *m, const char *bytes, size_t len)
{
    (void)m;
    string *s = RAW_ALLOC_ATOMIC(sizeof(string) + len + 1);
    if (s == NULL)
        return NULL;
    s->hdr.kind = K_STRING;
    s->len = len;
    memcpy(s->data, bytes, len);
    s->data[len] = '\0';
    return &s->hdr;
}
const char *mem_string_data(mem *m, V s)
{
    (void)m;
    return ((string *)(void *)s)->data;
}
size_t mem_string_len(mem *m, V s)
{
    (void)m;
    return ((string *)(void *)s)->len;
}

/* Symbols are read once each, at parse time: a list searched from the front will do. */
V mem_intern(mem *m, const char *name, size_t len)
{
    for (V l = m->symbols; l != NULL; l = ((pair *)(void *)l)->cdr) {
        symbol *s = (symbol *)(void *)((pair *)(void *)l)->car;
        if (mem_string_len(m, s->name) == len &&
            memcmp(mem_string_data(m, s->name), name, len) == 0)
            return &s->hdr;
    }
    symbol *s = (symbol *)(void *)mem_new(m, K_SYMBOL, sizeof(symbol));
    pair *cell = (pair *)(void *)mem_new(m, K_PAIR, sizeof(pair));
    if (s == NULL || cell == NULL || (s->name = mem_string_new(m, name, len)) == NULL)
        return NULL;
    cell->car = &s->hdr;
    cell->cdr = m->symbols;
    m->symbols = &cell->hdr;
    return &s->hdr;
}

#endif
