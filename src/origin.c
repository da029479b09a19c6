/*
 * origin.c -- allocation sites: the opt-in record of the source file and line that made
 * each object (rcgc.h, "allocation sites"), kept in a side table so that objects pay
 * nothing in their header and allocations nothing on their path.
 *
 * AT: the RC_RECORD_ORIGINS macros call rc__X_at wrappers instead of the constructors X.
 *   A wrapper calls X, then, if the heap records and X made the object it returns (the
 *   heap's allocation count moved and the object has no site yet), records (file, line)
 *   for that object only. Objects X makes on the way (a finalizer run by a collection the
 *   allocation triggered, say) are not charged to the call, and nothing is left behind for
 *   a later call to inherit. The allocation and free paths of heaps and programs that do
 *   not record pay nothing beyond one flag test when an object dies.
 * SITES: a site is (file pointer, line, type index); sites[] only grows while the heap
 *   lives, so an index names one site for good. Each site counts its live objects, the
 *   objects in `objs` whose value is its index.
 * OBJS: objs maps the address of each live object with a recorded site (RCI_ORIGIN set) to
 *   its site index; rci_origin_forget removes an address when its object dies: in
 *   object.c's object_leaving for objects whose count reached zero (before marking them
 *   PENDING overwrites the flag bits), in gc.c's free_garbage_and_promote* for those a
 *   collection frees. Open
 *   addressing with linear probing, load at most 1/2, deletion by backward shift so that
 *   no tombstones accumulate.
 * CURRENT: while a caller-supplied site is set (rc_origin_set) and recording is on,
 *   heap->origins.origin_now holds its file and every object made (by any constructor, annotated or
 *   not) gets that site as it is made, before any AT wrapper sees it: the caller's site
 *   wins over the C one. File names are copied once into origin_files (interned: equal
 *   names share one copy), so sites compare files by pointer as for __FILE__ literals, and
 *   the copies live until the heap is freed.
 * Memory for both tables comes from the heap's allocator. When it runs out the object is
 *   still made and its site is not recorded (counted in heap->origins.origins_lost).
 */
#include "util.h"

#include <string.h>

struct rci_site {
    const char *file;
    uint32_t line;
    uint32_t type;
    size_t live;
};

static size_t mix(uint64_t h)
{
    h *= UINT64_C(0x9E3779B97F4A7C15);
    return (size_t)(h ^ (h >> 29));
}

static size_t site_hash(const char *file, uint32_t line, uint32_t type)
{
    return mix((uint64_t)(uintptr_t)file ^ ((uint64_t)line << 20) ^ ((uint64_t)type << 44));
}

/* ---- the site table -------------------------------------------------------------------- */

static bool site_index_grow(rc_heap *heap)
{
    size_t cap = heap->origins.site_idx_cap ? heap->origins.site_idx_cap * 2 : 64;
    uint32_t *idx = rci_mem_alloc(heap, cap * sizeof *idx);
    if (idx == NULL)
        return false;
    memset(idx, 0xFF, cap * sizeof *idx);
    for (uint32_t s = 0; s < heap->origins.n_sites; s++) {
        const struct rci_site *site = &heap->origins.sites[s];
        size_t i = site_hash(site->file, site->line, site->type) & (cap - 1);
        while (idx[i] != UINT32_MAX)
            i = (i + 1) & (cap - 1);
        idx[i] = s;
    }
    rci_mem_free(heap, heap->origins.site_idx, heap->origins.site_idx_cap * sizeof *idx);
    heap->origins.site_idx = idx;
    heap->origins.site_idx_cap = cap;
    return true;
}

/* The index of site (file, line, type), made if new; UINT32_MAX if memory ran out. */
static uint32_t site_get(rc_heap *heap, const char *file, uint32_t line, uint32_t type)
{
    size_t cap = heap->origins.site_idx_cap;
    if (cap != 0) {
        for (size_t i = site_hash(file, line, type) & (cap - 1);; i = (i + 1) & (cap - 1)) {
            uint32_t s = heap->origins.site_idx[i];
            if (s == UINT32_MAX)
                break;
            const struct rci_site *site = &heap->origins.sites[s];
            if (site->file == file && site->line == line && site->type == type)
                return s;
        }
    }
    if (heap->origins.n_sites == UINT32_MAX - 1)
        return UINT32_MAX;
    if (((size_t)heap->origins.n_sites + 1) * 2 > cap && !site_index_grow(heap))
        return UINT32_MAX;
    if (!rci_util_vec_reserve(heap, &heap->origins.sites, &heap->origins.sites_cap,
                              (size_t)heap->origins.n_sites + 1, sizeof(struct rci_site), 32))
        return UINT32_MAX;
    uint32_t s = heap->origins.n_sites++;
    heap->origins.sites[s] = (struct rci_site){file, line, type, 0};
    cap = heap->origins.site_idx_cap;
    size_t i = site_hash(file, line, type) & (cap - 1);
    while (heap->origins.site_idx[i] != UINT32_MAX)
        i = (i + 1) & (cap - 1);
    heap->origins.site_idx[i] = s;
    return s;
}

/* ---- the object table ------------------------------------------------------------------ */

static bool objs_grow(rc_heap *heap)
{
    size_t cap = heap->origins.origin_cap ? heap->origins.origin_cap * 2 : 1024;
    uintptr_t *keys = rci_mem_alloc(heap, cap * sizeof *keys);
    uint32_t *vals = keys == NULL ? NULL : rci_mem_alloc(heap, cap * sizeof *vals);
    if (vals == NULL) {
        rci_mem_free(heap, keys, cap * sizeof *keys);
        return false;
    }
    memset(keys, 0, cap * sizeof *keys);
    for (size_t j = 0; j < heap->origins.origin_cap; j++) {
        uintptr_t k = heap->origins.origin_keys[j];
        if (k == 0)
            continue;
        size_t i = mix(k) & (cap - 1);
        while (keys[i] != 0)
            i = (i + 1) & (cap - 1);
        keys[i] = k;
        vals[i] = heap->origins.origin_vals[j];
    }
    rci_mem_free(heap, heap->origins.origin_keys, heap->origins.origin_cap * sizeof *keys);
    rci_mem_free(heap, heap->origins.origin_vals, heap->origins.origin_cap * sizeof *vals);
    heap->origins.origin_keys = keys;
    heap->origins.origin_vals = vals;
    heap->origins.origin_cap = cap;
    return true;
}

/* The slot of obj's address in the object table, or SIZE_MAX. */
static size_t objs_find(const rc_heap *heap, const rc_object *obj)
{
    uintptr_t k = (uintptr_t)obj;
    size_t cap = heap->origins.origin_cap;
    if (cap == 0)
        return SIZE_MAX;
    for (size_t i = mix(k) & (cap - 1);; i = (i + 1) & (cap - 1)) {
        if (heap->origins.origin_keys[i] == k)
            return i;
        if (heap->origins.origin_keys[i] == 0)
            return SIZE_MAX;
    }
}

void rci_origin_note(rc_heap *heap, rc_object *obj, const char *file, int line)
{
    uint32_t s = site_get(heap, file, line < 0 ? 0u : (uint32_t)line, rci_type_index(obj));
    if (s == UINT32_MAX ||
        ((heap->origins.origin_len + 1) * 2 > heap->origins.origin_cap && !objs_grow(heap))) {
        heap->origins.origins_lost++;
        return;
    }
    size_t cap = heap->origins.origin_cap;
    size_t i = mix((uintptr_t)obj) & (cap - 1);
    while (heap->origins.origin_keys[i] != 0)
        i = (i + 1) & (cap - 1);
    heap->origins.origin_keys[i] = (uintptr_t)obj;
    heap->origins.origin_vals[i] = s;
    heap->origins.origin_len++;
    heap->origins.sites[s].live++;
    obj->_tinfo |= RCI_ORIGIN;
}

void rci_origin_forget(rc_heap *heap, rc_object *obj)
{
    obj->_tinfo &= ~RCI_ORIGIN;
    if (heap->snap.snap_len != 0)
        rci_snapshot_forget(heap, obj); /* RCI_ORIGIN also means an id */
    size_t i = objs_find(heap, obj);
    if (i == SIZE_MAX)
        return;
    heap->origins.sites[heap->origins.origin_vals[i]].live--;
    heap->origins.origin_len--;
    /* Backward shift (util.h, rci_util_shift_fills). */
    size_t mask = heap->origins.origin_cap - 1;
    size_t hole = i;
    for (size_t j = (i + 1) & mask; heap->origins.origin_keys[j] != 0; j = (j + 1) & mask) {
        size_t home = mix(heap->origins.origin_keys[j]) & mask;
        if (!rci_util_shift_fills(hole, j, home, mask))
            continue;
        heap->origins.origin_keys[hole] = heap->origins.origin_keys[j];
        heap->origins.origin_vals[hole] = heap->origins.origin_vals[j];
        hole = j;
    }
    heap->origins.origin_keys[hole] = 0;
}

int32_t rci_origin_site(const rc_heap *heap, const rc_object *obj)
{
    if (!rc_is_heap_object(obj) || !(obj->_tinfo & RCI_ORIGIN))
        return -1;
    size_t i = objs_find(heap, obj);
    return i == SIZE_MAX ? -1 : (int32_t)heap->origins.origin_vals[i];
}

bool rci_origin_site_info(const rc_heap *heap, uint32_t site, rc_site_count *out)
{
    if (site >= heap->origins.n_sites)
        return false;
    const struct rci_site *s = &heap->origins.sites[site];
    *out = (rc_site_count){s->file, (int)s->line, heap->types.table[s->type]->name, s->live, 0};
    return true;
}

void rci_origin_note_current(rc_heap *heap, rc_object *obj)
{
    rci_origin_note(heap, obj, heap->origins.origin_now, heap->origins.origin_set_line);
}

static size_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603u;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return mix(h);
}

static bool files_grow(rc_heap *heap)
{
    size_t cap = heap->origins.origin_files_cap ? heap->origins.origin_files_cap * 2 : 16;
    char **files = rci_mem_alloc(heap, cap * sizeof *files);
    if (files == NULL)
        return false;
    memset(files, 0, cap * sizeof *files);
    for (size_t j = 0; j < heap->origins.origin_files_cap; j++) {
        char *f = heap->origins.origin_files[j];
        if (f == NULL)
            continue;
        size_t i = str_hash(f) & (cap - 1);
        while (files[i] != NULL)
            i = (i + 1) & (cap - 1);
        files[i] = f;
    }
    rci_mem_free(heap, heap->origins.origin_files, heap->origins.origin_files_cap * sizeof *files);
    heap->origins.origin_files = files;
    heap->origins.origin_files_cap = cap;
    return true;
}

/* The heap's copy of file, made if new; NULL if memory ran out. */
static const char *file_intern(rc_heap *heap, const char *file)
{
    if (file == heap->origins.origin_set_file)
        return file; /* already the heap's copy */
    size_t cap = heap->origins.origin_files_cap;
    if (cap != 0) {
        for (size_t i = str_hash(file) & (cap - 1); heap->origins.origin_files[i] != NULL;
             i = (i + 1) & (cap - 1))
            if (strcmp(heap->origins.origin_files[i], file) == 0)
                return heap->origins.origin_files[i];
    }
    if ((heap->origins.origin_files_len + 1) * 2 > cap && !files_grow(heap))
        return NULL;
    size_t n = strlen(file) + 1;
    char *copy = rci_mem_alloc(heap, n);
    if (copy == NULL)
        return NULL;
    memcpy(copy, file, n);
    cap = heap->origins.origin_files_cap;
    size_t i = str_hash(copy) & (cap - 1);
    while (heap->origins.origin_files[i] != NULL)
        i = (i + 1) & (cap - 1);
    heap->origins.origin_files[i] = copy;
    heap->origins.origin_files_len++;
    return copy;
}

static void origin_now_update(rc_heap *heap)
{
    heap->origins.origin_now = heap->origins.record_origins ? heap->origins.origin_set_file : NULL;
    rci_weakref_fast_update(heap);
}

rc_status rc_origin_set(rc_heap *heap, const char *file, int line)
{
    if (line < 0)
        return rci_error(heap, RC_EINVAL, "rc_origin_set: line %d is negative", line);
    const char *interned = NULL;
    if (file != NULL) {
        interned = file_intern(heap, file);
        if (interned == NULL)
            return rci_error(heap, RC_ENOMEM, "rc_origin_set: out of memory copying file name '%s'",
                             file);
    }
    heap->origins.origin_set_file = interned;
    heap->origins.origin_set_line = interned != NULL ? line : 0;
    origin_now_update(heap);
    return RC_OK;
}

void rc_origin_set_line(rc_heap *heap, int line)
{
    if (heap->origins.origin_set_file != NULL && line >= 0)
        heap->origins.origin_set_line = line;
}

bool rc_origin_current(const rc_heap *heap, rc_origin *out)
{
    if (heap->origins.origin_set_file == NULL)
        return false;
    if (out != NULL)
        *out = (rc_origin){heap->origins.origin_set_file, heap->origins.origin_set_line};
    return true;
}

void rci_origins_free(rc_heap *heap)
{
    for (size_t i = 0; i < heap->origins.origin_files_cap; i++)
        if (heap->origins.origin_files[i] != NULL)
            rci_mem_free(heap, heap->origins.origin_files[i],
                         strlen(heap->origins.origin_files[i]) + 1);
    rci_mem_free(heap, heap->origins.origin_files,
                 heap->origins.origin_files_cap * sizeof *heap->origins.origin_files);
    heap->origins.origin_files = NULL;
    heap->origins.origin_files_cap = heap->origins.origin_files_len = 0;
    heap->origins.origin_now = heap->origins.origin_set_file = NULL;
    rci_mem_free(heap, heap->origins.origin_keys,
                 heap->origins.origin_cap * sizeof *heap->origins.origin_keys);
    rci_mem_free(heap, heap->origins.origin_vals,
                 heap->origins.origin_cap * sizeof *heap->origins.origin_vals);
    rci_mem_free(heap, heap->origins.site_idx,
                 heap->origins.site_idx_cap * sizeof *heap->origins.site_idx);
    rci_mem_free(heap, heap->origins.sites, heap->origins.sites_cap * sizeof *heap->origins.sites);
    heap->origins.origin_keys = NULL;
    heap->origins.origin_vals = NULL;
    heap->origins.site_idx = NULL;
    heap->origins.sites = NULL;
    heap->origins.origin_cap = heap->origins.origin_len = heap->origins.site_idx_cap =
        heap->origins.sites_cap = 0;
    heap->origins.n_sites = 0;
}

const char *rci_origin_check_object(const rc_heap *heap, const rc_object *obj)
{
    size_t i = objs_find(heap, obj);
    if (i == SIZE_MAX && rci_snapshot_has_id(heap, obj))
        return NULL;
    if (i == SIZE_MAX)
        return "object marked RCI_ORIGIN has no allocation-site record nor snapshot id";
    uint32_t s = heap->origins.origin_vals[i];
    if (s >= heap->origins.n_sites)
        return "allocation-site record names no site";
    if (heap->origins.sites[s].type != rci_type_index(obj))
        return "allocation-site record names a site of another type";
    return NULL;
}

const char *rci_origins_check(const rc_heap *heap)
{
    size_t live = 0, keys = 0;
    for (uint32_t s = 0; s < heap->origins.n_sites; s++)
        live += heap->origins.sites[s].live;
    for (size_t i = 0; i < heap->origins.origin_cap; i++)
        keys += heap->origins.origin_keys[i] != 0;
    if (live != heap->origins.origin_len || keys != heap->origins.origin_len)
        return "allocation sites' live counts or table entries differ from the table's length";
    return NULL;
}

/* ---- the public calls ------------------------------------------------------------------ */

/* AT: records the site of obj if the call that returned it made it. */
static rc_object *made_at(rc_heap *heap, rc_object *obj, uint64_t allocated_before,
                          const char *file, int line)
{
    if (heap != NULL && heap->origins.record_origins && file != NULL && rc_is_heap_object(obj) &&
        heap->objs.total_allocated != allocated_before && !(obj->_tinfo & RCI_ORIGIN))
        rci_origin_note(heap, obj, file, line);
    return obj;
}

#define ALLOCATED(heap) ((heap) != NULL ? (heap)->objs.total_allocated : 0)
#define AT_WRAPPER(ret_call)                                                                       \
    uint64_t before = ALLOCATED(heap);                                                             \
    rc_object *obj = ret_call;                                                                     \
    return made_at(heap, obj, before, file, line)

rc_object *rc__new_at(rc_heap *heap, const rc_type *type, const char *file, int line)
{
    AT_WRAPPER(rc_new(heap, type));
}
rc_object *rc__new_var_at(rc_heap *heap, const rc_type *type, size_t bytes, const char *file,
                          int line)
{
    AT_WRAPPER(rc_new_var(heap, type, bytes));
}
rc_object *rc__int_new_at(rc_heap *heap, int64_t value, const char *file, int line)
{
    AT_WRAPPER(rc_int_new(heap, value));
}
rc_object *rc__float_new_at(rc_heap *heap, double value, const char *file, int line)
{
    AT_WRAPPER(rc_float_new(heap, value));
}
rc_object *rc__str_new_at(rc_heap *heap, const char *utf8, size_t len_bytes, const char *file,
                          int line)
{
    AT_WRAPPER(rc_str_new(heap, utf8, len_bytes));
}
rc_object *rc__str_from_cstr_at(rc_heap *heap, const char *utf8, const char *file, int line)
{
    AT_WRAPPER(rc_str_from_cstr(heap, utf8));
}
rc_object *rc__tuple_new_at(rc_heap *heap, size_t n, rc_object *const *items, const char *file,
                            int line)
{
    AT_WRAPPER(rc_tuple_new(heap, n, items));
}
rc_object *rc__list_new_at(rc_heap *heap, size_t capacity_hint, const char *file, int line)
{
    AT_WRAPPER(rc_list_new(heap, capacity_hint));
}
rc_object *rc__dict_new_at(rc_heap *heap, const char *file, int line)
{
    AT_WRAPPER(rc_dict_new(heap));
}
rc_object *rc__repr_at(rc_heap *heap, rc_object *obj_in, const char *file, int line)
{
    AT_WRAPPER(rc_repr(heap, obj_in));
}
rc_object *rc__weakref_new_at(rc_heap *heap, rc_object *referent, rc_weakref_fn callback,
                              void *user, const char *file, int line)
{
    AT_WRAPPER(rc_weakref_new(heap, referent, callback, user));
}
rc_object *rc__weakproxy_new_at(rc_heap *heap, rc_object *referent, rc_weakref_fn callback,
                                void *user, const char *file, int line)
{
    AT_WRAPPER(rc_weakproxy_new(heap, referent, callback, user));
}
rc_object *rc__weakvaluedict_new_at(rc_heap *heap, const char *file, int line)
{
    AT_WRAPPER(rc_weakvaluedict_new(heap));
}
rc_object *rc__weakkeydict_new_at(rc_heap *heap, const char *file, int line)
{
    AT_WRAPPER(rc_weakkeydict_new(heap));
}
rc_object *rc__weakset_new_at(rc_heap *heap, const char *file, int line)
{
    AT_WRAPPER(rc_weakset_new(heap));
}

void rc_origins_enable(rc_heap *heap, bool on)
{
    heap->origins.record_origins = on;
    origin_now_update(heap);
}

bool rc_origins_enabled(const rc_heap *heap)
{
    return heap->origins.record_origins;
}

bool rc_origin_of(const rc_heap *heap, const rc_object *obj, rc_origin *out)
{
    int32_t s = rci_origin_site(heap, obj);
    if (s < 0)
        return false;
    if (out != NULL)
        *out = (rc_origin){heap->origins.sites[s].file, (int)heap->origins.sites[s].line};
    return true;
}

size_t rc_origins_lost(const rc_heap *heap)
{
    return heap->origins.origins_lost;
}

/* True if a ranks before b: more live objects (or a larger delta when *by_delta), then
 * file, line and type name, so that reports are deterministic. */
static bool site_ranks_before(const void *a_, const void *b_, const void *by_delta)
{
    const rc_site_count *a = a_, *b = b_;
    if (*(const bool *)by_delta && a->delta != b->delta)
        return a->delta > b->delta;
    if (a->count != b->count)
        return a->count > b->count;
    int c = strcmp(a->file, b->file);
    if (c != 0)
        return c < 0;
    if (a->line != b->line)
        return a->line < b->line;
    return strcmp(a->type_name, b->type_name) < 0;
}

void rci_origin_site_offer(rc_site_count *out, size_t cap, size_t *n, rc_site_count c,
                           bool by_delta)
{
    rci_util_topn_offer(out, cap, n, &c, sizeof c, site_ranks_before, &by_delta);
}

size_t rc_objgraph_most_common_sites(const rc_heap *heap, rc_site_count *out, size_t cap)
{
    size_t n = 0, kinds = 0;
    if (out == NULL)
        cap = 0;
    for (uint32_t s = 0; s < heap->origins.n_sites; s++) {
        rc_site_count c;
        rci_origin_site_info(heap, s, &c);
        if (c.count == 0)
            continue;
        kinds++;
        rci_origin_site_offer(out, cap, &n, c, false);
    }
    return kinds;
}

const char *rci_origin_basename(const char *file)
{
    const char *slash = strrchr(file, '/');
    return slash != NULL ? slash + 1 : file;
}
