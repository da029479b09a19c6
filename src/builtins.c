/*
 * builtins.c -- registers the built-in types in their fixed order (builtins.h gives the
 * indexes the other files rely on), the type-error helpers they share, and the frame stack
 * (invariant STACK in builtins.h) that hash.c and repr.c use to walk nested containers
 * without C recursion.
 */
#include "builtins.h"
#include "weakref.h"

#include <string.h>

/* The registration functions in index order (a constant table). */
typedef rc_type *(*register_fn)(rc_heap *heap);
static const register_fn REGISTER[] = {rci_int_register,   rci_float_register, rci_str_register,
                                       rci_tuple_register, rci_list_register,  rci_dict_register};
#define N_BUILTINS (sizeof REGISTER / sizeof REGISTER[0])

rc_status rci_builtins_register(rc_heap *heap)
{
    rc_type **const slots[N_BUILTINS] = {&heap->types.t_int,  &heap->types.t_float,
                                         &heap->types.t_str,  &heap->types.t_tuple,
                                         &heap->types.t_list, &heap->types.t_dict};
    for (size_t i = 0; i < N_BUILTINS; i++) {
        rc_type *t = REGISTER[i](heap);
        if (t == NULL)
            return heap->err.last_error != RC_OK ? heap->err.last_error : RC_ENOMEM;
        if (t->index != RCI_INDEX_INT + i)
            return rci_error(heap, RC_ESTATE,
                             "rci_builtins_register: built-in type %s got index %u, expected %zu",
                             t->name, (unsigned)t->index, RCI_INDEX_INT + i);
        *slots[i] = t;
    }
    return RC_OK;
}

const char *rci_builtins_type_name(const rc_heap *heap, const rc_object *ref)
{
    if (ref == NULL)
        return "None";
    if (rci_int_is_small(ref))
        return "int";
    uint32_t index = rci_type_index(ref);
    if (index == 0 || index >= heap->types.n_types || heap->types.table[index] == NULL)
        return "<invalid object>";
    return heap->types.table[index]->name;
}

rc_status rci_builtins_type_error(rc_heap *heap, const char *call, const char *what,
                                  const rc_object *ref)
{
    return rci_error(heap, RC_ETYPE, "%s: expected %s, got %s", call, what,
                     rci_builtins_type_name(heap, ref));
}

rc_object *rci_builtin_unproxy(rc_heap *heap, const rc_object *ref, uint32_t index,
                               const char *call, const char *what)
{
    rc_object *target = NULL;
    if (!rci_weakref_proxy_unwrap(heap, ref, &target)) {
        rci_builtins_type_error(heap, call, what, ref);
        return NULL;
    }
    if (target == NULL) {
        rci_error(heap, RC_EREFERENCE, "%s: weakly-referenced object no longer exists", call);
        return NULL;
    }
    if (rci_type_index(target) != index) {
        rci_builtins_type_error(heap, call, what, target);
        return NULL;
    }
    return target;
}
