/*
 * int.c -- the int type: 64-bit integers. Values in [RC_SMALL_INT_MIN, RC_SMALL_INT_MAX]
 * are never allocated: the reference itself is (value << 1) | 1 (rcgc.h); the rest are
 * boxed rci_int objects. Invariant INT-CANON: rc_int_new boxes only values outside the
 * small range (rc_new may still make a boxed 0, so value comparisons never rely on it).
 * rc_type_of for tagged references lives in type.c.
 */
#include "builtins.h"

rc_type *rci_int_register(rc_heap *heap)
{
    rc_type_spec spec = {
        .size = sizeof(rc_type_spec),
        .name = "int",
        .instance_bytes = sizeof(rci_int),
    };
    return rci_type_register(heap, &spec);
}

rc_object *rc__int_new_boxed(rc_heap *heap, int64_t value)
{
    if (value >= RC_SMALL_INT_MIN && value <= RC_SMALL_INT_MAX)
        return (rc_object *)(uintptr_t)(((uint64_t)value << 1) | 1u);
    rci_int *boxed = (rci_int *)rci_object_new(heap, heap->types.t_int, sizeof(rci_int));
    if (boxed == NULL)
        return NULL;
    boxed->value = value;
    return &boxed->hdr;
}

int64_t rc__int_value_slow(rc_heap *heap, const rc_object *obj)
{
    if (rci_int_is_ref(obj))
        return rci_int_get(obj);
    obj = rci_builtin_unproxy(heap, obj, RCI_INDEX_INT, "rc_int_value", "an int");
    if (obj != NULL)
        return rci_int_get(obj);
    return 0;
}

/* The header's inline type tests hard-code the built-in indexes and the header layout. */
_Static_assert(RC_TYPE_INDEX_INT == RCI_INDEX_INT && RC_TYPE_INDEX_FLOAT == RCI_INDEX_FLOAT &&
                   RC_TYPE_INDEX_STR == RCI_INDEX_STR && RC_TYPE_INDEX_TUPLE == RCI_INDEX_TUPLE &&
                   RC_TYPE_INDEX_LIST == RCI_INDEX_LIST && RC_TYPE_INDEX_DICT == RCI_INDEX_DICT,
               "rcgc.h's RC_TYPE_INDEX_* match the registration order");
_Static_assert(RC__TYPE_SHIFT == RCI_TYPE_SHIFT, "rcgc.h's RC__TYPE_SHIFT matches the header");
