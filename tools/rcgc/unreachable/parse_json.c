/* JSON reading: exactly one object whose values are arrays of strings,
 * `{"A": ["B", "C"], "D": []}`, with JSON whitespace around the tokens.
 * Each key becomes a pair (key, successor) per array element, in document
 * order, or (key, TOK_NONE) for an empty array, so the order of first
 * appearance is the document order over keys and their arrays.
 *
 * The grammar has a fixed depth of two, so the parser is a plain loop and
 * never recurses. Strings without escapes point into the input; strings
 * with escapes are decoded into an arena as large as the input (decoding
 * never lengthens a string), which the chunk owns. \u escapes become UTF-8;
 * an unpaired surrogate is kept as its three-byte form, since names are
 * bytes and need not be valid UTF-8. A UTF-8 byte order mark is skipped
 * (input.c). Errors give the line and column (cli_error_at). */
#include <stdio.h>
#include <string.h>

#include "../rcgc_tool.h"

struct json {
    const unsigned char *d; /* input */
    size_t n, i;            /* input length, read position */
    unsigned char *arena;   /* decoded strings */
    size_t used;            /* bytes of arena in use */
    const char *error;      /* first error, NULL if none */
};

static void skip_ws(struct json *j)
{
    while (j->i < j->n &&
           (j->d[j->i] == ' ' || j->d[j->i] == '\t' || j->d[j->i] == '\n' || j->d[j->i] == '\r'))
        j->i++;
}

static bool fail(struct json *j, const char *what)
{
    if (!j->error)
        j->error = j->i >= j->n ? "unexpected end of input" : what;
    return false;
}

/* Skips whitespace, then consumes byte c if it is next. */
static bool accept(struct json *j, unsigned char c)
{
    skip_ws(j);
    if (j->i < j->n && j->d[j->i] == c) {
        j->i++;
        return true;
    }
    return false;
}

static int hex4(const unsigned char *p)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        int c = p[k], d = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

static size_t put_utf8(unsigned char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xe0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (unsigned char)(0xf0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    o[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decodes the \u escape at d[i] ('u' already checked) into o; bytes written or 0. */
static size_t unicode_escape(struct json *j, unsigned char *o)
{
    if (j->n - j->i < 5 || hex4(j->d + j->i + 1) < 0)
        return 0;
    unsigned long cp = (unsigned long)hex4(j->d + j->i + 1);
    j->i += 5;
    if (cp >= 0xd800 && cp < 0xdc00 && j->n - j->i >= 6 && j->d[j->i] == '\\' &&
        j->d[j->i + 1] == 'u') {
        int lo = hex4(j->d + j->i + 2);
        if (lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (unsigned long)(lo - 0xdc00);
            j->i += 6;
        }
    }
    return put_utf8(o, cp);
}

static bool simple_escape(unsigned char c, unsigned char *out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *at = c ? strchr(from, c) : NULL;
    if (!at)
        return false;
    *out = (unsigned char)to[at - from];
    return true;
}

/* Decodes the rest of a string with escapes, from d[i] (a backslash). */
static bool decode_string(struct json *j, size_t begin, struct name *out)
{
    unsigned char *o = j->arena + j->used, *start = o;
    memcpy(o, j->d + begin, j->i - begin);
    o += j->i - begin;
    while (j->i < j->n && j->d[j->i] != '"') {
        unsigned char c = j->d[j->i];
        if (c < 0x20)
            return fail(j, "control character in a string");
        if (c != '\\') {
            *o++ = c;
            j->i++;
            continue;
        }
        if (++j->i >= j->n)
            return fail(j, "");
        if (j->d[j->i] == 'u') {
            size_t k = unicode_escape(j, o);
            if (k == 0)
                return fail(j, "bad \\u escape in a string");
            o += k;
        } else if (simple_escape(j->d[j->i], o)) {
            o++;
            j->i++;
        } else {
            return fail(j, "bad escape in a string");
        }
    }
    if (j->i >= j->n)
        return fail(j, "");
    j->i++;
    out->bytes = start;
    out->len = (size_t)(o - start);
    j->used += out->len;
    return true;
}

/* Reads a string token (after whitespace) into a chunk token. */
static bool string_token(struct json *j, struct chunk *c, uint32_t *tok, const char *what)
{
    if (!accept(j, '"'))
        return fail(j, what);
    size_t begin = j->i;
    while (j->i < j->n && j->d[j->i] != '"' && j->d[j->i] != '\\' && j->d[j->i] >= 0x20)
        j->i++;
    struct name nm = {j->d + begin, j->i - begin};
    if (j->i < j->n && j->d[j->i] == '"')
        j->i++;
    else if (j->i < j->n && j->d[j->i] == '\\') {
        if (!decode_string(j, begin, &nm))
            return false;
    } else
        return fail(j, "control character in a string");
    *tok = token_of_int_name(nm.bytes, nm.len);
    if (*tok == TOK_OTHER)
        *tok = chunk_intern(c, nm.bytes, nm.len);
    else {
        c->any_int = true;
        c->max_int = *tok > c->max_int ? *tok : c->max_int;
    }
    return true;
}

/* Reads `"key": [ ... ]` and pushes its pairs. */
static bool member(struct json *j, struct chunk *c)
{
    uint32_t key, succ;
    if (!string_token(j, c, &key, "expected a string key"))
        return false;
    if (!accept(j, ':'))
        return fail(j, "expected ':' after a key");
    if (!accept(j, '['))
        return fail(j, "the value of a key is not an array");
    if (accept(j, ']')) {
        chunk_push_pair(c, key, TOK_NONE);
        return true;
    }
    do {
        if (!string_token(j, c, &succ, "an array element is not a string"))
            return false;
        chunk_push_pair(c, key, succ);
    } while (accept(j, ','));
    if (!accept(j, ']'))
        return fail(j, "expected ',' or ']' in an array");
    return true;
}

static bool document(struct json *j, struct chunk *c)
{
    if (accept(j, '[')) {
        j->i--;
        return fail(j, "the top level is an array; expected an object mapping each node to the "
                       "array of its successors");
    }
    if (!accept(j, '{'))
        return fail(j, "expected '{'");
    if (!accept(j, '}')) {
        do {
            if (!member(j, c))
                return false;
        } while (accept(j, ','));
        if (!accept(j, '}'))
            return fail(j, "expected ',' or '}' after a member");
    }
    skip_ws(j);
    if (j->i < j->n)
        return fail(j, "trailing data after the object");
    return true;
}

int parse_json(const struct input *in, struct chunk **chunks, size_t *n_chunks)
{
    struct chunk *c = xcalloc(1, sizeof *c);
    struct json j = {.d = in->data, .n = in->size};
    j.arena = xmalloc(in->size + 1);
    c->owned = j.arena;
    chunk_reserve(c, in->size / 2 + 2);
    c->begin = in->data;
    c->end = in->data + in->size;
    bool ok = document(&j, c);
    progress_add(in->size);
    *chunks = c;
    *n_chunks = 1;
    if (ok)
        return 0;
    cli_error_at(in, j.i, "malformed JSON: %s", j.error);
    return 1;
}
