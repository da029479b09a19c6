/*
 * repr.c -- Python's repr for every object (rc_repr, rc_repr_into) and the rc_strbuf that
 * type repr functions append to.
 *
 * Nested lists, tuples and dicts are written by a loop over an explicit stack of frames
 * (builtins.h, STACK), never by C recursion, so depth is bounded by memory only. Each frame
 * holds a reference to its container, which carries RCI_REPR_BUSY while on the stack.
 * Invariant REPR-BUSY: a container has RCI_REPR_BUSY set exactly while a frame for it is on
 * some repr's stack; every exit path (done, truncated, error) pops all frames, clearing the
 * flag. A container met while busy is written as [...], (...) or {...}, as Python does.
 *
 * rc_repr_into writes straight into the caller's buffer and stops walking as soon as it is
 * full, so a huge structure costs only what fits.
 */
#include "builtins.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rc_strbuf {
    rc_heap *heap;  /* errors and memory */
    rci_text text;  /* the bytes (util.h): rci_mem memory, or the caller's buffer if fixed */
    size_t limit;   /* bytes kept at most; later bytes are dropped and truncated set */
    bool fixed;     /* text.data is the caller's and never grows */
    bool truncated; /* bytes were dropped at limit */
};

#define STRBUF_FIRST_BYTES 64u /* a growable buffer's first capacity */

rc_status rc_strbuf_append(rc_strbuf *sb, const char *bytes, size_t n)
{
    if (sb == NULL) /* no heap to write a message on */
        return RC_EINVAL;
    if (bytes == NULL && n > 0)
        return rci_error(sb->heap, RC_EINVAL, "rc_strbuf_append: NULL bytes with length %zu", n);
    if (sb->truncated || n == 0)
        return RC_OK;
    rci_text *t = &sb->text;
    if (n > sb->limit - t->len) {
        n = sb->limit - t->len;
        sb->truncated = true;
    }
    if (!sb->fixed && !rci_util_text_reserve(sb->heap, t, t->len + n, STRBUF_FIRST_BYTES))
        return rci_error(sb->heap, RC_ENOMEM, "rc_repr: out of memory for %zu bytes of text",
                         t->len + n);
    memcpy(t->data + t->len, bytes, n);
    t->len += n;
    return RC_OK;
}

static rc_status strbuf_puts(rc_strbuf *sb, const char *s)
{
    return rc_strbuf_append(sb, s, strlen(s));
}

rc_status rc_strbuf_printf(rc_strbuf *sb, const char *fmt, ...)
{
    if (sb == NULL) /* no heap to write a message on */
        return RC_EINVAL;
    if (fmt == NULL)
        return rci_error(sb->heap, RC_EINVAL, "rc_strbuf_printf: fmt is NULL");
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return rci_error(sb->heap, RC_EINVAL, "rc_strbuf_printf: bad format \"%s\"", fmt);
    if ((size_t)n < sizeof small)
        return rc_strbuf_append(sb, small, (size_t)n);
    char *big = rci_mem_alloc(sb->heap, (size_t)n + 1);
    if (big == NULL)
        return rci_error(sb->heap, RC_ENOMEM, "rc_strbuf_printf: out of memory for %d bytes", n);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rc_status st = rc_strbuf_append(sb, big, (size_t)n);
    rci_mem_free(sb->heap, big, (size_t)n + 1);
    return st;
}

/* The shortest decimal digits that read back as v (finite, not NaN): *ndigits significant
 * digits in digits[] and the decimal exponent of the first one. Tries %.0e to %.16e, the
 * first that round-trips through strtod wins (17 digits always do). */
static void float_digits(double v, char digits[24], int *ndigits, int *exp10)
{
    char sci[40];
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec, v);
        if (strtod(sci, NULL) == v)
            break;
    }
    const char *p = sci;
    int n = 0;
    for (; *p != 'e' && *p != '\0'; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    *ndigits = n;
    *exp10 = *p == 'e' ? atoi(p + 1) : 0;
}

/* Python's float repr: shortest round-trip digits, positional notation for exponents
 * -4..15 (with ".0" when integral), else d.ddde+XX with at least two exponent digits. */
static size_t float_format(double v, char out[48])
{
    if (isnan(v))
        return (size_t)snprintf(out, 48, "nan");
    if (isinf(v))
        return (size_t)snprintf(out, 48, v > 0 ? "inf" : "-inf");
    char d[24];
    int n, e;
    float_digits(v, d, &n, &e);
    size_t len = 0;
    if (signbit(v))
        out[len++] = '-';
    if (e < -4 || e >= 16) {
        out[len++] = d[0];
        if (n > 1) {
            out[len++] = '.';
            memcpy(out + len, d + 1, (size_t)n - 1);
            len += (size_t)n - 1;
        }
        len += (size_t)snprintf(out + len, 48 - len, "e%c%02d", e < 0 ? '-' : '+', abs(e));
        return len;
    }
    if (e < 0) {
        out[len++] = '0';
        out[len++] = '.';
        for (int i = 0; i < -e - 1; i++)
            out[len++] = '0';
        memcpy(out + len, d, (size_t)n);
        return len + (size_t)n;
    }
    for (int i = 0; i <= e; i++)
        out[len++] = i < n ? d[i] : '0';
    out[len++] = '.';
    if (n > e + 1) {
        memcpy(out + len, d + e + 1, (size_t)(n - e - 1));
        len += (size_t)(n - e - 1);
    } else {
        out[len++] = '0';
    }
    return len;
}

/* Bytes of the escape for s[i] into esc (0 if the byte is written as is). C0 and C1
 * controls, DEL, no-break space and soft hyphen become \xNN as in Python; other non-ASCII
 * text is kept as is (Python would also escape a few rarer unprintable code points). */
static size_t str_escape(const unsigned char *s, size_t i, char quote, char esc[8], size_t *used)
{
    unsigned c = s[i];
    *used = 1;
    if (c == (unsigned char)quote || c == '\\')
        return (size_t)snprintf(esc, 8, "\\%c", c);
    if (c == '\n')
        return (size_t)snprintf(esc, 8, "\\n");
    if (c == '\t')
        return (size_t)snprintf(esc, 8, "\\t");
    if (c == '\r')
        return (size_t)snprintf(esc, 8, "\\r");
    if (c < 0x20 || c == 0x7f)
        return (size_t)snprintf(esc, 8, "\\x%02x", c);
    if (c == 0xC2 && (s[i + 1] <= 0xA0 || s[i + 1] == 0xAD)) { /* U+0080..U+00A0, U+00AD */
        *used = 2;
        return (size_t)snprintf(esc, 8, "\\x%02x", s[i + 1]);
    }
    return 0;
}

/* Python's str repr: single quotes, or double quotes if the text has ' and no ". Runs of
 * plain bytes are appended whole. */
static rc_status str_repr(rc_strbuf *sb, const rci_str *str)
{
    const unsigned char *s = (const unsigned char *)str->data;
    bool has_single = memchr(s, '\'', str->len) != NULL;
    bool has_double = memchr(s, '"', str->len) != NULL;
    char quote = has_single && !has_double ? '"' : '\'';
    rc_status st = rc_strbuf_append(sb, &quote, 1);
    size_t run = 0, i = 0;
    while (st == RC_OK && i < str->len && !sb->truncated) {
        char esc[8];
        size_t used;
        size_t n = str_escape(s, i, quote, esc, &used);
        if (n == 0) {
            i++;
            continue;
        }
        st = rc_strbuf_append(sb, (const char *)s + run, i - run);
        if (st == RC_OK)
            st = rc_strbuf_append(sb, esc, n);
        i += used;
        run = i;
    }
    if (st == RC_OK)
        st = rc_strbuf_append(sb, (const char *)s + run, i - run);
    if (st == RC_OK)
        st = rc_strbuf_append(sb, &quote, 1);
    return st;
}

/* Decimal digits of v into out (no NUL); the length. Faster than snprintf, which
 * dominated the repr of large lists of ints. */
static size_t int_format(int64_t v, char out[24])
{
    char rev[24];
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = 0, len = 0;
    do {
        rev[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag != 0);
    if (v < 0)
        out[len++] = '-';
    while (n > 0)
        out[len++] = rev[--n];
    return len;
}

/* The repr of anything that is not a built-in container. User repr functions run with a
 * reference held, in case they drop the caller's; a failure they did not record on the
 * heap is recorded here. */
static rc_status leaf_repr(rc_heap *heap, rc_strbuf *sb, rc_object *obj)
{
    char text[48];
    if (obj == NULL)
        return strbuf_puts(sb, "None");
    if (rci_int_is_ref(obj))
        return rc_strbuf_append(sb, text, int_format(rci_int_get(obj), text));
    uint32_t index = rci_type_index(obj);
    if (index == RCI_INDEX_FLOAT)
        return rc_strbuf_append(sb, text, float_format(((rci_float *)obj)->value, text));
    if (index == RCI_INDEX_STR)
        return str_repr(sb, (rci_str *)obj);
    rc_type *type = rci_type_of(heap, obj);
    if (type->repr == NULL)
        return rc_strbuf_printf(sb, "<%s object at 0x%" PRIxPTR ">", type->name, (uintptr_t)obj);
    rc_incref(obj);
    rc_status st = type->repr(heap, obj, sb);
    rc_decref(heap, obj);
    if (st != RC_OK && rc_heap_last_error(heap) != st)
        rci_error(heap, st, "rc_repr: the repr function of type %s failed: %s", type->name,
                  rc_status_str(st));
    return st;
}

typedef struct repr_frame {
    rc_object *obj; /* the container being written: a held reference, RCI_REPR_BUSY set */
    size_t pos;     /* list, tuple: next item; dict: entry << 2 | wrote-one << 1 | in-value */
} repr_frame;

static bool is_container(const rc_object *obj)
{
    if (obj == NULL || !rc_is_heap_object(obj))
        return false;
    uint32_t idx = rci_type_index(obj);
    return idx >= RCI_INDEX_TUPLE && idx <= RCI_INDEX_DICT;
}

static const char *brackets(const rc_object *obj)
{
    switch (rci_type_index(obj)) {
    case RCI_INDEX_TUPLE:
        return "()";
    case RCI_INDEX_LIST:
        return "[]";
    default:
        return "{}";
    }
}

/* Writes obj, or opens it: pushes its frame (REPR-BUSY) and writes its opening bracket. */
static rc_status repr_emit(rc_heap *heap, rci_stack *st, rc_strbuf *sb, rc_object *obj)
{
    if (!is_container(obj))
        return leaf_repr(heap, sb, obj);
    const char *br = brackets(obj);
    if (obj->_tinfo & RCI_REPR_BUSY) {
        char busy[6] = {br[0], '.', '.', '.', br[1], '\0'};
        return rc_strbuf_append(sb, busy, 5);
    }
    repr_frame *f = rci_util_stack_push(st);
    if (f == NULL)
        return RC_ENOMEM;
    f->obj = rc_newref(obj);
    obj->_tinfo |= RCI_REPR_BUSY;
    return rc_strbuf_append(sb, br, 1);
}

/* Pops the top frame, clearing REPR-BUSY before the reference goes. */
static void repr_pop(rc_heap *heap, rci_stack *st)
{
    repr_frame *f = rci_util_stack_top(st);
    rc_object *obj = f->obj;
    rci_util_stack_pop(st);
    obj->_tinfo &= ~(uint32_t)RCI_REPR_BUSY;
    rc_decref(heap, obj);
}

/* One step of a list or tuple: the next item, or the closing bracket. Lengths are re-read
 * each step, so a user repr that changes the list cannot make the walk overrun. */
static rc_status repr_step_seq(rc_heap *heap, rci_stack *st, rc_strbuf *sb, repr_frame *f)
{
    bool is_tuple = rci_type_index(f->obj) == RCI_INDEX_TUPLE;
    size_t len = is_tuple ? ((rci_tuple *)f->obj)->len : ((rci_list *)f->obj)->len;
    if (f->pos >= len) {
        const char *close = !is_tuple ? "]" : len == 1 ? ",)" : ")";
        repr_pop(heap, st);
        return strbuf_puts(sb, close);
    }
    rc_object *item =
        is_tuple ? ((rci_tuple *)f->obj)->items[f->pos] : ((rci_list *)f->obj)->items[f->pos];
    rc_status s = f->pos > 0 ? rc_strbuf_append(sb, ", ", 2) : RC_OK;
    f->pos++;
    return s != RC_OK ? s : repr_emit(heap, st, sb, item);
}

/* One step of a dict: the next key, the value after a key, or the closing brace. */
static rc_status repr_step_dict(rc_heap *heap, rci_stack *st, rc_strbuf *sb, repr_frame *f)
{
    const rci_dict *d = (const rci_dict *)f->obj;
    const rci_dict_entry *e = rci_dict_entries(d);
    size_t i = f->pos >> 2;
    if (f->pos & 1u) {
        rc_object *value = i < d->n_entries && e[i].key != RCI_DICT_HOLE ? e[i].value : NULL;
        f->pos = (i + 1) << 2 | 2u;
        rc_status s = rc_strbuf_append(sb, ": ", 2);
        return s != RC_OK ? s : repr_emit(heap, st, sb, value);
    }
    while (i < d->n_entries && e[i].key == RCI_DICT_HOLE)
        i++;
    if (i >= d->n_entries) {
        repr_pop(heap, st);
        return strbuf_puts(sb, "}");
    }
    rc_status s = (f->pos & 2u) ? rc_strbuf_append(sb, ", ", 2) : RC_OK;
    f->pos = i << 2 | 3u;
    return s != RC_OK ? s : repr_emit(heap, st, sb, e[i].key);
}

/* Writes obj's repr into sb until done, sb is full, or an error; leaves no frame behind. */
static rc_status repr_write(rc_heap *heap, rc_object *obj, rc_strbuf *sb, const char *call)
{
    repr_frame inline_frames[32];
    rci_stack st;
    rci_util_stack_init(&st, heap, inline_frames, 32, sizeof(repr_frame), call);
    rc_status status = repr_emit(heap, &st, sb, obj);
    while (status == RC_OK && st.n > 0 && !sb->truncated) {
        repr_frame *f = rci_util_stack_top(&st);
        if (rci_type_index(f->obj) == RCI_INDEX_DICT)
            status = repr_step_dict(heap, &st, sb, f);
        else
            status = repr_step_seq(heap, &st, sb, f);
    }
    while (st.n > 0)
        repr_pop(heap, &st);
    rci_util_stack_free(&st);
    return status;
}

rc_object *rc_repr(rc_heap *heap, rc_object *obj)
{
    rc_strbuf sb = {.heap = heap, .limit = SIZE_MAX};
    rc_status st = repr_write(heap, obj, &sb, "rc_repr");
    rc_object *result = NULL;
    if (st == RC_OK) {
        result = rc_str_new(heap, sb.text.data != NULL ? sb.text.data : "", sb.text.len);
        if (result == NULL && rc_heap_last_error(heap) == RC_EINVAL)
            rci_error(heap, RC_EINVAL, "rc_repr: a type's repr function wrote invalid UTF-8");
    }
    rci_util_text_free(heap, &sb.text);
    return result;
}

/* Ends a cut text with "...", backing off to a UTF-8 character boundary. */
static size_t mark_truncated(char *buf, size_t len)
{
    if (len < 3) {
        memset(buf, '.', len);
        return len;
    }
    size_t p = len - 3;
    while (p > 0 && ((unsigned char)buf[p] & 0xC0u) == 0x80u)
        p--;
    /* NOLINTNEXTLINE(bugprone-not-null-terminated-result): the caller terminates */
    memcpy(buf + p, "...", 3);
    return p + 3;
}

/* On an error the text written so far is kept (NUL-terminated) and its length returned. */
size_t rc_repr_into(rc_heap *heap, rc_object *obj, char *buf, size_t cap)
{
    if (buf == NULL || cap == 0) {
        if (cap > 0)
            rci_error(heap, RC_EINVAL, "rc_repr_into: NULL buffer with capacity %zu", cap);
        return 0;
    }
    rc_strbuf sb = {
        .heap = heap, .text = {.data = buf, .cap = cap}, .limit = cap - 1, .fixed = true};
    repr_write(heap, obj, &sb, "rc_repr_into");
    size_t len = sb.truncated ? mark_truncated(buf, sb.text.len) : sb.text.len;
    buf[len] = '\0';
    return len;
}
