/*
 * read.c -- the reader: Scheme text to data. Lists become pairs ending in the empty list;
 * the line where each list opened is kept in the reader's line table (keyed by the list's
 * first pair) for the compiler, which copies it into the code so that errors and
 * allocation sites can name script lines.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

static int peek(reader *r)
{
    return r->pos < r->len ? (unsigned char)r->text[r->pos] : -1;
}

static void skip_space(reader *r)
{
    for (;;) {
        int c = peek(r);
        if (c == '\n')
            r->line++;
        if (c == ';') {
            while (peek(r) != -1 && peek(r) != '\n')
                r->pos++;
        } else if (c != -1 && isspace(c)) {
            r->pos++;
        } else {
            return;
        }
    }
}

static bool remember_line(interp *in, reader *r, V list, int line)
{
    if (r->n_lines == r->cap_lines) {
        size_t cap = r->cap_lines ? 2 * r->cap_lines : 64;
        void *p = realloc(r->lines, cap * sizeof r->lines[0]);
        if (p == NULL)
            return scm_error(in, "out of memory"), false;
        r->lines = p;
        r->cap_lines = cap;
    }
    r->lines[r->n_lines].pair = list;
    r->lines[r->n_lines++].line = line;
    return true;
}

int reader_line_of(const reader *r, V list, int fallback)
{
    for (size_t i = r->n_lines; i-- > 0;)
        if (r->lines[i].pair == list)
            return r->lines[i].line;
    return fallback;
}

void reader_forget(interp *in, reader *r)
{
    (void)in;
    r->n_lines = 0;
}

static V read_list(interp *in, reader *r, int close)
{
    int line = r->line;
    V head = CONSTANT(in->nil), *tail = &head;
    for (;;) {
        skip_space(r);
        int c = peek(r);
        if (c == -1) {
            UNREF(in, head);
            return scm_error(in, "unterminated list opened on line %d", line);
        }
        if (c == close) {
            r->pos++;
            break;
        }
        if (c == '.' && r->pos + 1 < r->len && strchr(" \t\n()", r->text[r->pos + 1]) != NULL &&
            head != in->nil) {
            r->pos++;
            V rest = scm_read(in, r);
            skip_space(r);
            if (rest == NULL || peek(r) != close) {
                UNREF(in, rest);
                UNREF(in, head);
                return in->failed ? NULL : scm_error(in, "bad dotted list on line %d", line);
            }
            r->pos++;
            UNREF(in, *tail);
            *tail = rest;
            break;
        }
        V item = scm_read(in, r);
        if (item == NULL) {
            UNREF(in, head);
            return in->failed ? NULL : scm_error(in, "unterminated list opened on line %d", line);
        }
        V cell = scm_cons_steal(in, item, CONSTANT(in->nil));
        if (cell == NULL) {
            UNREF(in, head);
            return NULL;
        }
        UNREF(in, *tail);
        *tail = cell;
        tail = &CDR(cell);
    }
    if (head != in->nil && !remember_line(in, r, head, line)) {
        UNREF(in, head);
        return NULL;
    }
    return head;
}

static V read_string(interp *in, reader *r)
{
    size_t cap = 64, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        return scm_error(in, "out of memory");
    r->pos++;
    for (;;) {
        int c = peek(r);
        if (c == -1) {
            free(buf);
            return scm_error(in, "unterminated string");
        }
        r->pos++;
        if (c == '"')
            break;
        if (c == '\n')
            r->line++;
        if (c == '\\') {
            c = peek(r);
            r->pos++;
            c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
        }
        if (n + 1 >= cap) {
            char *p = realloc(buf, cap *= 2);
            if (p == NULL) {
                free(buf);
                return scm_error(in, "out of memory");
            }
            buf = p;
        }
        buf[n++] = (char)c;
    }
    V s = scm_string(in, buf, n);
    free(buf);
    return s;
}

static V read_quoted(interp *in, reader *r, V sym)
{
    int line = r->line;
    V datum = scm_read(in, r);
    if (datum == NULL)
        return in->failed ? NULL : scm_error(in, "nothing after a quote");
    V tail = scm_cons_steal(in, datum, CONSTANT(in->nil));
    V form = tail ? scm_cons_steal(in, NEWREF(sym), tail) : NULL;
    if (form != NULL && !remember_line(in, r, form, line)) {
        UNREF(in, form);
        return NULL;
    }
    return form;
}

static V read_atom(interp *in, reader *r)
{
    size_t start = r->pos;
    while (peek(r) != -1 && !isspace(peek(r)) && strchr("()\";'`,", peek(r)) == NULL)
        r->pos++;
    const char *s = r->text + start;
    size_t n = r->pos - start;
    char buf[128];
    if (n >= sizeof buf)
        return scm_error(in, "token too long on line %d", r->line);
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (strcmp(buf, "#t") == 0 || strcmp(buf, "#true") == 0)
        return CONSTANT(in->t);
    if (strcmp(buf, "#f") == 0 || strcmp(buf, "#false") == 0)
        return CONSTANT(in->f);
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (*end == '\0' && (isdigit((unsigned char)buf[0]) || (n > 1 && strchr("+-", buf[0]) != NULL)))
        return scm_int(in, v);
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)tolower((unsigned char)buf[i]);
    V sym = mem_intern(&in->m, buf, n);
    return sym != NULL ? sym : scm_error(in, "out of memory");
}

V scm_read(interp *in, reader *r)
{
    skip_space(r);
    mem_set_site(&in->m, r->line);
    int c = peek(r);
    switch (c) {
    case -1:
        return NULL;
    case '(':
    case '[':
        r->pos++;
        return read_list(in, r, c == '(' ? ')' : ']');
    case ')':
    case ']':
        r->pos++;
        return scm_error(in, "unexpected '%c' on line %d", c, r->line);
    case '"':
        return read_string(in, r);
    case '\'':
        r->pos++;
        return read_quoted(in, r, in->sym_quote);
    case '`':
        r->pos++;
        return read_quoted(in, r, in->sym_quasiquote);
    case ',':
        r->pos++;
        if (peek(r) == '@') {
            r->pos++;
            return read_quoted(in, r, in->sym_unquote_splicing);
        }
        return read_quoted(in, r, in->sym_unquote);
    case '#':
        if (r->pos + 1 < r->len && r->text[r->pos + 1] == '(') {
            r->pos += 2;
            V items = read_list(in, r, ')');
            if (items == NULL)
                return NULL;
            size_t n = 0;
            for (V l = items; l != in->nil; l = CDR(l))
                n++;
            V vec = scm_vector(in, n, in->f);
            size_t i = 0;
            for (V l = items; vec != NULL && l != in->nil; l = CDR(l), i++) {
                UNREF(in, AS(vector, vec)->items[i]);
                AS(vector, vec)->items[i] = NEWREF(CAR(l));
            }
            UNREF(in, items);
            return vec;
        }
        return read_atom(in, r);
    default:
        return read_atom(in, r);
    }
}
