/*
 * float.c -- the float type: a boxed IEEE double (NaN and infinities included). Equality
 * and hashing with ints live in hash.c, formatting in repr.c.
 */
#include "builtins.h"

rc_type *rci_float_register(rc_heap *heap)
{
    rc_type_spec spec = {
        .size = sizeof(rc_type_spec),
        .name = "float",
        .instance_bytes = sizeof(rci_float),
    };
    return rci_type_register(heap, &spec);
}

rc_object *rc_float_new(rc_heap *heap, double value)
{
    rci_float *f = (rci_float *)rci_object_new(heap, heap->types.t_float, sizeof(rci_float));
    if (f == NULL)
        return NULL;
    f->value = value;
    return &f->hdr;
}

double rc_float_value(rc_heap *heap, const rc_object *obj)
{
    if (rci_builtin_is(obj, RCI_INDEX_FLOAT))
        return ((const rci_float *)obj)->value;
    obj = rci_builtin_unproxy(heap, obj, RCI_INDEX_FLOAT, "rc_float_value", "a float");
    if (obj != NULL)
        return ((const rci_float *)obj)->value;
    return 0.0;
}
