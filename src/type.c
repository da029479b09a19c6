/*
 * type.c -- type descriptors: registration, the heap's type table, and generic traversal
 * and clearing for types declared by reference offsets.
 *
 * TYPES: heap->types.table[0] is NULL (index 0 marks a free slot); types[i]->index == i for
 * every registered type; a type lives until its heap is freed.
 */
#include "internal.h"

#include <string.h>

static char *dup_str(rc_heap *heap, const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = rci_mem_alloc(heap, n);
    if (copy != NULL)
        memcpy(copy, s, n);
    return copy;
}

/* The trailing array's offsets (ARRAY). */
static rc_status check_array(rc_heap *heap, const rc_type_spec *spec)
{
    size_t count = spec->ref_array_count_offset, arr = spec->ref_array_offset;
    if (count == 0 && arr == 0)
        return RC_OK;
    if (count == 0 || arr == 0)
        return rci_error(heap, RC_EINVAL,
                         "rc_type_new: type '%s' gives only one of ref_array_count_offset (%zu) "
                         "and ref_array_offset (%zu)",
                         spec->name, count, arr);
    if (spec->traverse != NULL)
        return rci_error(heap, RC_EINVAL,
                         "rc_type_new: type '%s' gives both a trailing array and traverse",
                         spec->name);
    if (arr % sizeof(void *) != 0 || arr < sizeof(rc_object) || arr > spec->instance_bytes)
        return rci_error(heap, RC_EINVAL,
                         "rc_type_new: type '%s' ref_array_offset %zu is not an aligned offset "
                         "within the instance (%zu bytes)",
                         spec->name, arr, spec->instance_bytes);
    if (count % sizeof(size_t) != 0 || count < sizeof(rc_object) || count + sizeof(size_t) > arr)
        return rci_error(heap, RC_EINVAL,
                         "rc_type_new: type '%s' ref_array_count_offset %zu is not an aligned "
                         "size_t field before the array (offset %zu)",
                         spec->name, count, arr);
    for (size_t i = 0; i < spec->n_ref_offsets; i++)
        if (spec->ref_offsets[i] + sizeof(rc_object *) > arr ||
            (spec->ref_offsets[i] < count + sizeof(size_t) &&
             spec->ref_offsets[i] + sizeof(rc_object *) > count))
            return rci_error(heap, RC_EINVAL,
                             "rc_type_new: type '%s' reference offset %zu overlaps the array's "
                             "count (offset %zu) or entries (from offset %zu)",
                             spec->name, spec->ref_offsets[i], count, arr);
    return RC_OK;
}

static rc_status check_spec(rc_heap *heap, const rc_type_spec *spec)
{
    if (spec == NULL ||
        (spec->size != sizeof(rc_type_spec) && spec->size != RC_TYPE_SPEC_V1_BYTES &&
         spec->size != RC_TYPE_SPEC_V2_BYTES))
        return rci_error(heap, RC_EINVAL,
                         "rc_type_new: spec is NULL or its size field is not sizeof(rc_type_spec) "
                         "(%zu), RC_TYPE_SPEC_V2_BYTES (%zu) or RC_TYPE_SPEC_V1_BYTES (%zu)",
                         sizeof(rc_type_spec), RC_TYPE_SPEC_V2_BYTES, RC_TYPE_SPEC_V1_BYTES);
    if (spec->name == NULL)
        return rci_error(heap, RC_EINVAL, "rc_type_new: the type needs a name");
    if (spec->instance_bytes < sizeof(rc_object))
        return rci_error(heap, RC_EINVAL,
                         "rc_type_new: instance_bytes %zu is below the header's %zu",
                         spec->instance_bytes, sizeof(rc_object));
    if (spec->n_ref_offsets > 0 && spec->traverse != NULL)
        return rci_error(heap, RC_EINVAL,
                         "rc_type_new: type '%s' gives both ref_offsets and traverse", spec->name);
    if ((spec->traverse != NULL) != (spec->clear != NULL))
        return rci_error(heap, RC_EINVAL, "rc_type_new: type '%s' needs both traverse and clear",
                         spec->name);
    if (spec->n_ref_offsets > 0 && spec->ref_offsets == NULL)
        return rci_error(heap, RC_EINVAL, "rc_type_new: type '%s' has n_ref_offsets but no offsets",
                         spec->name);
    for (size_t i = 0; i < spec->n_ref_offsets; i++) {
        size_t off = spec->ref_offsets[i];
        if (off < sizeof(rc_object) || off % sizeof(void *) != 0 ||
            off + sizeof(rc_object *) > spec->instance_bytes)
            return rci_error(heap, RC_EINVAL,
                             "rc_type_new: type '%s' offset %zu is not an aligned pointer field "
                             "inside the instance (%zu bytes)",
                             spec->name, off, spec->instance_bytes);
    }
    if (spec->size == sizeof(rc_type_spec)) {
        rc_status st = check_array(heap, spec);
        if (st != RC_OK)
            return st;
    }
    if (heap->types.n_types >= RCI_MAX_TYPES)
        return rci_error(heap, RC_ELIMIT, "rc_type_new: a heap holds at most %u types",
                         (unsigned)RCI_MAX_TYPES - 1);
    return RC_OK;
}

static void type_free(rc_heap *heap, rc_type *t)
{
    if (t->ref_names != NULL) {
        for (size_t i = 0; i < t->n_ref_offsets; i++)
            if (t->ref_names[i] != NULL)
                rci_mem_free(heap, t->ref_names[i], strlen(t->ref_names[i]) + 1);
        rci_mem_free(heap, t->ref_names, t->n_ref_offsets * sizeof(char *));
    }
    rci_mem_free(heap, t->ref_offsets, t->n_ref_offsets * sizeof(size_t));
    if (t->array_name != NULL)
        rci_mem_free(heap, t->array_name, strlen(t->array_name) + 1);
    if (t->name != NULL)
        rci_mem_free(heap, t->name, strlen(t->name) + 1);
    rci_mem_free(heap, t, sizeof *t);
}

/* Copies offsets and names; false on allocation failure (t is freed by the caller). */
static bool copy_offsets(rc_heap *heap, rc_type *t, const rc_type_spec *spec)
{
    size_t n = spec->n_ref_offsets;
    if (n == 0)
        return true;
    t->n_ref_offsets = n;
    t->ref_offsets = rci_mem_alloc(heap, n * sizeof(size_t));
    if (t->ref_offsets == NULL)
        return false;
    memcpy(t->ref_offsets, spec->ref_offsets, n * sizeof(size_t));
    if (spec->ref_names == NULL)
        return true;
    t->ref_names = rci_mem_alloc(heap, n * sizeof(char *));
    if (t->ref_names == NULL)
        return false;
    memset(t->ref_names, 0, n * sizeof(char *));
    for (size_t i = 0; i < n; i++)
        if (spec->ref_names[i] != NULL &&
            (t->ref_names[i] = dup_str(heap, spec->ref_names[i])) == NULL)
            return false;
    return true;
}

/* ARRAY: the traverse and clear of a type with a trailing array: its offset fields, then
 * entries 0 to count-1. The count is read once, before any visit or release: clear's
 * releases cannot reach obj (PENDING), and a traverse's visitor does not change it. */
static int array_traverse(rc_heap *heap, rc_object *obj, rc_visit_fn visit, void *arg)
{
    const rc_type *t = rci_type_of(heap, obj);
    for (size_t i = 0; i < t->n_ref_offsets; i++) {
        rc_object *ref;
        memcpy(&ref, (char *)obj + t->ref_offsets[i],
               sizeof ref); /* NOLINT(bugprone-sizeof-expression) */
        int rc = visit(heap, ref, arg);
        if (rc != 0)
            return rc;
    }
    size_t n = rci_type_array_count(t, obj);
    rc_object **items = rci_type_array_items(t, obj);
    for (size_t i = 0; i < n; i++) {
        int rc = visit(heap, items[i], arg);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void array_clear(rc_heap *heap, rc_object *obj)
{
    rci_type_array_clear(heap, rci_type_of(heap, obj), obj);
}

static bool grow_table(rc_heap *heap)
{
    if (heap->types.n_types < heap->types.types_cap)
        return true;
    uint32_t cap = heap->types.types_cap ? heap->types.types_cap * 2 : 16;
    rc_type **grown =
        rci_mem_resize(heap, heap->types.table, heap->types.types_cap * sizeof(rc_type *),
                       cap * sizeof(rc_type *));
    if (grown == NULL)
        return false;
    heap->types.table = grown;
    heap->types.types_cap = cap;
    return true;
}

rc_type *rci_type_register(rc_heap *heap, const rc_type_spec *given)
{
    if (check_spec(heap, given) != RC_OK)
        return NULL;
    /* A shorter spec (RC_TYPE_SPEC_V1_BYTES) lacks the fields appended since: zero. */
    rc_type_spec full;
    memset(&full, 0, sizeof full);
    memcpy(&full, given, given->size);
    const rc_type_spec *spec = &full;
    rc_type *t = rci_mem_alloc(heap, sizeof *t);
    if (t == NULL)
        goto nomem;
    memset(t, 0, sizeof *t);
    t->heap = heap;
    t->instance_bytes = spec->instance_bytes;
    t->traverse = spec->traverse;
    t->clear = spec->clear;
    t->destroy = spec->destroy;
    t->repr = spec->repr;
    t->flags = spec->flags;
    t->finalize = spec->finalize;
    t->legacy_finalize = spec->legacy_finalize;
    t->release_special = t->finalize != NULL || t->legacy_finalize != NULL;
    t->user_traverse = spec->traverse != NULL;
    t->ref_label = spec->ref_label;
    if (spec->ref_array_offset != 0) {
        t->has_array = true;
        t->array_count_off = spec->ref_array_count_offset;
        t->array_off = spec->ref_array_offset;
        t->traverse = array_traverse;
        t->clear = array_clear;
    }
    t->holds_refs = spec->n_ref_offsets > 0 || spec->traverse != NULL || t->has_array;
    /* TREE (object.c). The weakref types set release_special after this, but they have a
     * destroy function. */
    t->tree =
        t->clear == NULL && t->destroy == NULL && !t->release_special && spec->n_ref_offsets > 0;
    t->tracked = t->holds_refs && !(spec->flags & RC_TYPE_UNTRACKED);
    t->pool = t->instance_bytes <= RCI_MAX_CLASS_BYTES
                  ? &heap->pages.pools[t->holds_refs][rci_page_class_index(t->instance_bytes)]
                  : NULL;
    t->pool_small =
        t->pool != NULL && t->pool->slot_bytes <= RCI_ZERO_INLINE_BYTES ? t->pool : NULL;
    if ((t->name = dup_str(heap, spec->name)) == NULL || !copy_offsets(heap, t, spec) ||
        (spec->ref_array_name != NULL && t->has_array &&
         (t->array_name = dup_str(heap, spec->ref_array_name)) == NULL) ||
        !grow_table(heap)) {
        type_free(heap, t);
        goto nomem;
    }
    t->index = heap->types.n_types;
    heap->types.table[heap->types.n_types++] = t;
    /* NEW-FAST (object.c). */
    t->new_tinfo = t->index << RCI_TYPE_SHIFT | (t->tracked ? RCI_TRACKED : 0u);
    t->pools = heap->pages.pools[t->holds_refs];
    t->pool_room = t->pool != NULL ? t->pool->slot_bytes - t->instance_bytes + 1 : 0;
    t->var_room = t->pool != NULL ? RCI_MAX_CLASS_BYTES - t->instance_bytes + 1 : 0;
    t->small_room = t->pool_small != NULL ? t->pool_room : 0;
    t->small_var_room = t->instance_bytes <= RCI_ZERO_INLINE_BYTES
                            ? RCI_ZERO_INLINE_BYTES - t->instance_bytes + 1
                            : 0;
    t->small_pools = heap->pages.small_pool_of[t->holds_refs];
    return t;
nomem:
    rci_error(heap, RC_ENOMEM, "rc_type_new: out of memory registering type '%s'", spec->name);
    return NULL;
}

rc_type *rc_type_new(rc_heap *heap, const rc_type_spec *spec)
{
    return rci_type_register(heap, spec);
}

void rci_types_free(rc_heap *heap)
{
    for (uint32_t i = 1; i < heap->types.n_types; i++)
        type_free(heap, heap->types.table[i]);
    rci_mem_free(heap, heap->types.table, heap->types.types_cap * sizeof(rc_type *));
    heap->types.table = NULL;
    heap->types.n_types = heap->types.types_cap = 0;
}

const char *rc_type_name(const rc_type *type)
{
    return type ? type->name : "NoneType";
}

size_t rc_type_live_count(const rc_type *type)
{
    return type ? type->live_count : 0;
}

size_t rc_type_live_bytes(const rc_type *type)
{
    return type ? type->live_bytes : 0;
}

size_t rc_heap_type_count(const rc_heap *heap)
{
    return heap->types.n_types - 1;
}

const rc_type *rc_heap_type_at(const rc_heap *heap, size_t index)
{
    return index + 1 < heap->types.n_types ? heap->types.table[index + 1] : NULL;
}

const rc_type *rc_type_of(const rc_heap *heap, const rc_object *ref)
{
    if (ref == NULL)
        return NULL;
    if (!rc_is_heap_object(ref))
        return heap->types.t_int;
    return rci_type_of(heap, ref);
}

uint32_t rc_type_index_of_type(const rc_type *type)
{
    return type == NULL ? RC_TYPE_INDEX_NONE : type->index;
}

const rc_type *rc_heap_builtin_int(const rc_heap *heap)
{
    return heap->types.t_int;
}
const rc_type *rc_heap_builtin_float(const rc_heap *heap)
{
    return heap->types.t_float;
}
const rc_type *rc_heap_builtin_str(const rc_heap *heap)
{
    return heap->types.t_str;
}
const rc_type *rc_heap_builtin_tuple(const rc_heap *heap)
{
    return heap->types.t_tuple;
}
const rc_type *rc_heap_builtin_list(const rc_heap *heap)
{
    return heap->types.t_list;
}
const rc_type *rc_heap_builtin_dict(const rc_heap *heap)
{
    return heap->types.t_dict;
}

int rc_traverse(rc_heap *heap, rc_object *obj, rc_visit_fn visit, void *arg)
{
    if (!rc_is_heap_object(obj))
        return 0;
    rc_type *t = rci_type_of(heap, obj);
    if (t->traverse != NULL)
        return t->traverse(heap, obj, visit, arg);
    for (size_t i = 0; i < t->n_ref_offsets; i++) {
        rc_object *ref;
        memcpy(&ref, (char *)obj + t->ref_offsets[i],
               sizeof ref); /* NOLINT(bugprone-sizeof-expression) */
        int rc = visit(heap, ref, arg);
        if (rc != 0)
            return rc;
    }
    return 0;
}
