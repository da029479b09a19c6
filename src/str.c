/*
 * str.c -- the str type: immutable UTF-8 text (invariant STR-UTF8 in builtins.h). Text is
 * validated strictly on creation: overlong forms, surrogates (U+D800..U+DFFF) and code
 * points above U+10FFFF are rejected, as Python's decoder does. NUL bytes inside the text
 * are allowed (the length counts). The hash is seeded with heap->hash_seed and computed
 * once, on first use (a str that is never a key or compared never pays for it).
 */
#include "builtins.h"

#include <string.h>

rc_type *rci_str_register(rc_heap *heap)
{
    rc_type_spec spec = {
        .size = sizeof(rc_type_spec),
        .name = "str",
        .instance_bytes = sizeof(rci_str) + 1,
    };
    return rci_type_register(heap, &spec);
}

/* Bytes [lo, hi] allowed as the second byte after a lead byte b of a 3- or 4-byte form;
 * these ranges are what exclude overlongs, surrogates and values above U+10FFFF. */
static void second_byte_range(unsigned b, unsigned *lo, unsigned *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (b == 0xE0)
        *lo = 0xA0;
    else if (b == 0xED)
        *hi = 0x9F;
    else if (b == 0xF0)
        *lo = 0x90;
    else if (b == 0xF4)
        *hi = 0x8F;
}

/* Length of the valid sequence at s[0..left), or 0 if it is not valid UTF-8. */
static size_t utf8_sequence(const unsigned char *s, size_t left)
{
    unsigned b = s[0];
    size_t n;
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        n = 2;
    else if (b >= 0xE0 && b <= 0xEF)
        n = 3;
    else if (b >= 0xF0 && b <= 0xF4)
        n = 4;
    else
        return 0;
    if (left < n)
        return 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (n > 2)
        second_byte_range(b, &lo, &hi);
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if ((s[i] & 0xC0u) != 0x80u)
            return 0;
    return n;
}

/* The offset of the first invalid byte, or len if all of s is valid UTF-8. */
static size_t utf8_invalid_at(const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t word;
            memcpy(&word, s + i, 8);
            if ((word & 0x8080808080808080u) == 0) {
                i += 8;
                continue;
            }
        }
        size_t n = utf8_sequence(s + i, len - i);
        if (n == 0)
            return i;
        i += n;
    }
    return len;
}

/* Hash of len bytes: 8-byte words folded by multiply-rotate, then finalised. */
static uint64_t bytes_hash(const char *data, size_t len, uint64_t seed)
{
    uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15u);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, data + i, 8);
        h = (h ^ rci_hash_mix64(w)) * 0x9e3779b97f4a7c15u;
        h = (h << 27) | (h >> 37);
    }
    uint64_t tail = 0;
    if (len > i)
        memcpy(&tail, data + i, len - i);
    h ^= rci_hash_mix64(tail ^ 0x2545f4914f6cdd1du);
    h = rci_hash_mix64(h);
    return h != 0 ? h : 1;
}

uint64_t rci_str_hash_bytes(const rc_heap *heap, const char *data, size_t len)
{
    return bytes_hash(data, len, heap->hash_seed);
}

uint64_t rci_str_hash(rc_heap *heap, rci_str *s)
{
    if (s->hash == 0)
        s->hash = bytes_hash(s->data, s->len, heap->hash_seed);
    return s->hash;
}

rc_object *rc_str_new(rc_heap *heap, const char *utf8, size_t len_bytes)
{
    if (utf8 == NULL && len_bytes > 0) {
        rci_error(heap, RC_EINVAL, "rc_str_new: NULL text with length %zu", len_bytes);
        return NULL;
    }
    size_t bad = utf8_invalid_at(utf8, len_bytes);
    if (bad < len_bytes) {
        rci_error(heap, RC_EINVAL, "rc_str_new: invalid UTF-8 at byte %zu (length %zu)", bad,
                  len_bytes);
        return NULL;
    }
    if (len_bytes > SIZE_MAX / 2 - sizeof(rci_str)) {
        rci_error(heap, RC_ELIMIT, "rc_str_new: length %zu too large", len_bytes);
        return NULL;
    }
    rci_str *s =
        (rci_str *)rci_object_new(heap, heap->types.t_str, offsetof(rci_str, data) + len_bytes + 1);
    if (s == NULL)
        return NULL;
    s->len = len_bytes;
    if (len_bytes > 0)
        memcpy(s->data, utf8, len_bytes);
    s->data[len_bytes] = '\0';
    return &s->hdr;
}

rc_object *rc_str_from_cstr(rc_heap *heap, const char *utf8)
{
    if (utf8 == NULL) {
        rci_error(heap, RC_EINVAL, "rc_str_from_cstr: NULL text");
        return NULL;
    }
    return rc_str_new(heap, utf8, strlen(utf8));
}

const char *rc_str_data(rc_heap *heap, const rc_object *obj)
{
    if (rci_builtin_is(obj, RCI_INDEX_STR))
        return ((const rci_str *)obj)->data;
    obj = rci_builtin_unproxy(heap, obj, RCI_INDEX_STR, "rc_str_data", "a str");
    if (obj != NULL)
        return ((const rci_str *)obj)->data;
    return NULL;
}

size_t rc_str_len(rc_heap *heap, const rc_object *obj)
{
    if (rci_builtin_is(obj, RCI_INDEX_STR))
        return ((const rci_str *)obj)->len;
    obj = rci_builtin_unproxy(heap, obj, RCI_INDEX_STR, "rc_str_len", "a str");
    if (obj != NULL)
        return ((const rci_str *)obj)->len;
    return 0;
}
