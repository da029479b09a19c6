/* Functions an interpreter's inner loop is made of, built only from rcgc.h's inline type
 * tests and small-int decode. tests/inline/run.sh compiles this file at -O2 and fails if the
 * object code calls anything: the promise that these tests cost no call. */
#include "rcgc.h"

#define PAIR_INDEX_PARAM 9u

/* "is this a pair?" with a type index the embedder cached. */
bool probe_is_pair(const rc_object *ref, uint32_t pair_index)
{
    return rc_is_type(ref, pair_index);
}

/* The same with a constant index (a built-in). */
bool probe_is_list(const rc_object *ref)
{
    return rc_is_type(ref, RC_TYPE_INDEX_LIST);
}

uint32_t probe_type_index(const rc_object *ref)
{
    return rc_type_index(ref);
}

bool probe_is_int(rc_heap *heap, const rc_object *ref)
{
    return rc_is_int(heap, ref);
}

/* A fixnum add's fast path: both small, decoded and re-encoded without a call. */
rc_object *probe_add_small(rc_heap *heap, const rc_object *a, const rc_object *b)
{
    if (rc_is_small_int(a) && rc_is_small_int(b)) {
        int64_t x = rc_int_value(heap, a), y = rc_int_value(heap, b);
        /* Two 62-bit values: the sum fits int64_t; re-encode if small, else give up. */
        int64_t s = x + y;
        if (s >= RC_SMALL_INT_MIN && s <= RC_SMALL_INT_MAX)
            return (rc_object *)(uintptr_t)(((uint64_t)s << 1) | 1u);
    }
    return NULL;
}

/* The evaluator's decode after its own tag test: a shift. */
int64_t probe_small_int_value(const rc_object *ref)
{
    return rc_small_int_value(ref);
}

/* Counting a value (never NULL) and an object: an increment, no call. */
void probe_incref_value(rc_object *ref)
{
    rc_incref_value(ref);
}

rc_object *probe_incref_obj(rc_object *obj)
{
    rc_incref_obj(obj);
    return obj;
}
