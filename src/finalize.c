/*
 * finalize.c -- finalize handles (Python's weakref.finalize) and their registry, on
 * weakrefs made by weakref.c (rci_weakref_make).
 *
 * FINREG: heap->fin.fin_recs holds every alive finalize handle, oldest first, with one
 * reference each (CPython's finalize._registry); a slot is NULL once its handle died, and
 * registration compacts the NULLs away (updating each handle's slot). An alive handle's
 * weakref owns the handle as its callable (payload), as CPython's finalize is its weakref's
 * callback: handle and weakref hold each other until the handle dies (its function runs,
 * it is detached, or rc_heap_free passes it over), which drops both links. Order: at an
 * object's death its handles run newest first (their weakrefs follow WEAKLIST's order), and
 * so do the atexit ones at rc_heap_free, those registered meanwhile included (CPython's
 * finalize._exitfunc).
 */
#include "builtins.h"
#include "weakref.h"

#include <string.h>

typedef struct rci_finalize {
    rc_object hdr;
    rc_object *wr;       /* strong: the weakref to the object; calls back fin_died */
    rc_object *callable; /* strong: rc_finalize_new_obj's callable (also user), or NULL */
    rc_finalize_fn fn;   /* what runs, with user */
    void *user;
    rc_release_fn release; /* called with user after fn ran, or when it never will; or NULL */
    size_t slot;           /* index in heap->fin.fin_recs while alive, else SIZE_MAX */
    bool alive;            /* fn has not run and the handle was not detached */
    bool atexit;           /* run at rc_heap_free if still alive (default true) */
} rci_finalize;

static const size_t fin_offsets[2] = {offsetof(rci_finalize, wr), offsetof(rci_finalize, callable)};
static const char *const fin_names[2] = {"weakref", "callable"};

static rc_type *finalize_type(rc_heap *heap)
{
    if (heap->fin.t_finalize != NULL)
        return heap->fin.t_finalize;
    rc_type_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.size = sizeof spec;
    spec.name = "finalize";
    spec.instance_bytes = sizeof(rci_finalize);
    spec.ref_offsets = fin_offsets;
    spec.ref_names = fin_names;
    spec.n_ref_offsets = 2;
    heap->fin.t_finalize = rci_type_register(heap, &spec);
    return heap->fin.t_finalize;
}

bool rc_is_finalize(const rc_heap *heap, const rc_object *ref)
{
    return rc_is_heap_object(ref) && heap->fin.t_finalize != NULL &&
           rci_type_index(ref) == heap->fin.t_finalize->index;
}

static rci_finalize *finalize_of(rc_heap *heap, const rc_object *f, const char *call)
{
    if (!rc_is_finalize(heap, f)) {
        rci_error(heap, RC_ETYPE, "%s: expected a finalize handle, got %s", call,
                  rci_builtins_type_name(heap, f));
        return NULL;
    }
    return (rci_finalize *)f;
}

/* Marks f dead: its weakref is disarmed and lets go of f, and the registry drops its
 * reference. Either may free f: the caller takes what it needs from f first, or holds a
 * reference. */
static void fin_kill(rc_heap *heap, rci_finalize *f)
{
    f->alive = false;
    rci_weakref *w = (rci_weakref *)f->wr;
    rc_object *owned = w->payload;
    w->callback = NULL;
    w->payload = NULL;
    w->user = NULL;
    if (f->slot != SIZE_MAX) {
        heap->fin.fin_recs[f->slot] = NULL;
        f->slot = SIZE_MAX;
        rc_decref(heap, &f->hdr);
    }
    rc_decref(heap, owned);
}

/* Runs alive f's function (call) or lets it go unrun, then its release function. */
static void fin_end(rc_heap *heap, rci_finalize *f, bool call)
{
    rc_finalize_fn fn = f->fn;
    void *user = f->user;
    rc_release_fn release = f->release;
    rc_object *callable = f->callable;
    f->callable = NULL; /* its reference is ours now */
    fin_kill(heap, f);
    if (call)
        fn(heap, user);
    if (release != NULL)
        release(heap, user);
    rc_decref(heap, callable);
}

static void fin_died(rc_heap *heap, rc_object *wr, void *user)
{
    (void)wr;
    rci_finalize *f = user;
    if (f->alive && !heap->fin.fin_exited)
        fin_end(heap, f, true);
}

/* Room for one more registry slot, compacting NULL slots away first. */
static bool fin_recs_reserve(rc_heap *heap)
{
    size_t kept = 0;
    for (size_t i = 0; i < heap->fin.fin_recs_len; i++) {
        rc_object *h = heap->fin.fin_recs[i];
        if (h != NULL) {
            ((rci_finalize *)h)->slot = kept;
            heap->fin.fin_recs[kept++] = h;
        }
    }
    heap->fin.fin_recs_len = kept;
    return rci_util_vec_reserve(heap, &heap->fin.fin_recs, &heap->fin.fin_recs_cap, kept + 1,
                                sizeof(rc_object *), 8);
}

static rc_object *finalize_make(rc_heap *heap, const char *call, rc_object *obj, rc_finalize_fn fn,
                                void *user, rc_release_fn release, rc_object *callable)
{
    if (fn == NULL) {
        rci_error(heap, RC_EINVAL, "%s: fn is NULL", call);
        return NULL;
    }
    if (!rc_is_heap_object(obj)) {
        rci_error(heap, RC_EINVAL, "%s: %p is None or a small int", call, (void *)obj);
        return NULL;
    }
    rc_type *t = finalize_type(heap);
    if (t == NULL) {
        rci_error(heap, RC_ENOMEM, "%s: out of memory registering the finalize type", call);
        return NULL;
    }
    /* Both allocations may collect and run user code (which may register finalizers): the
     * registry slot is taken last, by a call that runs none. */
    obj->_refcnt++;
    rc_object *self = rci_object_new(heap, t, t->instance_bytes);
    rci_finalize *f = (rci_finalize *)self;
    if (self != NULL) {
        f->fn = fn;
        f->user = user;
        f->release = release;
        f->callable = rc_newref(callable);
        f->slot = SIZE_MAX;
        f->atexit = true;
        f->wr = rci_weakref_make(heap, call, false, obj, fin_died, f, NULL, self);
    }
    rc_decref(heap, obj); /* the caller's reference keeps it */
    if (self == NULL || f->wr == NULL || !fin_recs_reserve(heap)) {
        if (self != NULL && f->wr != NULL) {
            fin_kill(heap, f); /* breaks the handle-weakref link */
            rci_error(heap, RC_ENOMEM, "%s: out of memory growing the finalize registry", call);
        } else if (self == NULL) {
            rci_error(heap, RC_ENOMEM, "%s: out of memory allocating the handle", call);
        } /* else rci_weakref_make said why, naming call */
        f = NULL;
        rc_decref(heap, self); /* release not called: the caller keeps user */
        return NULL;
    }
    f->alive = true;
    f->slot = heap->fin.fin_recs_len;
    heap->fin.fin_recs[heap->fin.fin_recs_len++] = rc_newref(self);
    return self;
}

rc_object *rc_finalize_new(rc_heap *heap, rc_object *obj, rc_finalize_fn fn, void *user,
                           rc_release_fn release)
{
    return finalize_make(heap, "rc_finalize_new", obj, fn, user, release, NULL);
}

rc_object *rc_finalize_new_obj(rc_heap *heap, rc_object *obj, rc_finalize_fn fn,
                               rc_object *callable)
{
    if (!rc_is_heap_object(callable)) {
        rci_error(heap, RC_EINVAL, "rc_finalize_new_obj: the callable is None or a small int");
        return NULL;
    }
    return finalize_make(heap, "rc_finalize_new_obj", obj, fn, callable, NULL, callable);
}

rc_status rc_finalize_register(rc_heap *heap, rc_object *obj, rc_finalize_fn fn, void *user)
{
    rc_object *f = finalize_make(heap, "rc_finalize_register", obj, fn, user, NULL, NULL);
    if (f == NULL)
        return rc_heap_last_error(heap);
    rc_decref(heap, f); /* the registry keeps it while alive */
    return RC_OK;
}

bool rc_finalize_alive(rc_heap *heap, const rc_object *f)
{
    rci_finalize *fin = finalize_of(heap, f, "rc_finalize_alive");
    return fin != NULL && fin->alive;
}

rc_status rc_finalize_call(rc_heap *heap, rc_object *f, bool *ran)
{
    if (ran != NULL)
        *ran = false;
    rci_finalize *fin = finalize_of(heap, f, "rc_finalize_call");
    if (fin == NULL)
        return RC_ETYPE;
    if (!fin->alive || heap->fin.fin_exited)
        return RC_OK;
    if (ran != NULL)
        *ran = true;
    fin_end(heap, fin, true); /* the caller's reference keeps fin */
    return RC_OK;
}

/* Fills out from alive fin whose object lives (new references); false otherwise (out
 * zeroed). */
static bool fin_info(rci_finalize *fin, rc_finalize_info *out)
{
    size_t size = out->size;
    memset(out, 0, sizeof *out);
    out->size = size;
    rc_object *obj = fin->alive ? ((rci_weakref *)fin->wr)->referent : NULL;
    if (obj == NULL) /* dead, or dying with its callback queued: CPython's peek gives None */
        return false;
    out->obj = rc_newref(obj);
    out->fn = fin->fn;
    out->user = fin->user;
    out->release = fin->release;
    out->callable = rc_newref(fin->callable);
    return true;
}

static rc_status fin_info_args(rc_heap *heap, const rc_object *f, rc_finalize_info *out,
                               const char *call, rci_finalize **fin)
{
    rc_status st = rci_error_size_check(heap, call, "out", out, sizeof *out, sizeof *out);
    if (st != RC_OK)
        return st;
    *fin = finalize_of(heap, f, call);
    return *fin != NULL ? RC_OK : RC_ETYPE;
}

rc_status rc_finalize_peek(rc_heap *heap, const rc_object *f, rc_finalize_info *out)
{
    rci_finalize *fin = NULL;
    rc_status st = fin_info_args(heap, f, out, "rc_finalize_peek", &fin);
    if (st == RC_OK)
        fin_info(fin, out);
    return st;
}

rc_status rc_finalize_detach(rc_heap *heap, rc_object *f, rc_finalize_info *out)
{
    rci_finalize *fin = NULL;
    rc_status st = fin_info_args(heap, f, out, "rc_finalize_detach", &fin);
    if (st == RC_OK && fin_info(fin, out)) {
        rc_object *callable = fin->callable;
        fin->callable = NULL; /* its reference went to out (fin_info took another) */
        fin_kill(heap, fin);  /* the caller's reference keeps fin */
        rc_decref(heap, callable);
    }
    return st;
}

bool rc_finalize_atexit(rc_heap *heap, const rc_object *f)
{
    rci_finalize *fin = finalize_of(heap, f, "rc_finalize_atexit");
    return fin != NULL && fin->alive && fin->atexit;
}

rc_status rc_finalize_set_atexit(rc_heap *heap, rc_object *f, bool atexit)
{
    rci_finalize *fin = finalize_of(heap, f, "rc_finalize_set_atexit");
    if (fin == NULL)
        return RC_ETYPE;
    if (fin->alive)
        fin->atexit = atexit;
    return RC_OK;
}

size_t rc_finalize_pending(const rc_heap *heap)
{
    size_t n = 0;
    for (size_t i = 0; i < heap->fin.fin_recs_len; i++)
        n += heap->fin.fin_recs[i] != NULL;
    return n;
}

void rci_finalize_shutdown(rc_heap *heap)
{
    /* Newest first; functions that register more put them at the end, to run next. */
    while (heap->fin.fin_recs_len > 0) {
        rc_object *h = heap->fin.fin_recs[--heap->fin.fin_recs_len];
        if (h == NULL)
            continue;
        rci_finalize *f = (rci_finalize *)h;
        f->slot = SIZE_MAX; /* the registry's reference is ours now */
        fin_end(heap, f, f->atexit);
        rc_decref(heap, h);
    }
    heap->fin.fin_exited = true;
    rci_mem_free(heap, heap->fin.fin_recs, heap->fin.fin_recs_cap * sizeof(rc_object *));
    heap->fin.fin_recs = NULL;
    heap->fin.fin_recs_len = heap->fin.fin_recs_cap = 0;
}
