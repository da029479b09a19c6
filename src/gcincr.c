/*
 * gcincr.c -- incremental collection (issue 12): the filter that runs in increments
 * between allocations, its side tables, and the pause statistics. src/gc.c section 9 is
 * the account (invariant INCREMENTAL and why it is safe); this file implements it.
 *
 * SIDE (the run's tables): each container page that existed when the run began has an
 * entry in an open-addressing map keyed by the page's address, with one 32-bit side word
 * per slot (16 bits; all words in one block, zeroed per page on first use). A side word
 * holds the references the slot's object receives from members the run has scanned
 * (SIDE_COUNT) and four flags. A page released during the run is marked gone (rci_gcincr_page_gone, called
 * by page.c before the memory goes): its slots stop being members, and no pointer into it
 * is ever dereferenced again. A member is a tracked, not pending, non-permanent object in
 * a slot of a page of the map that is not gone; the header is read only after the map says
 * the page is there, so the work list and the suspected list may hold pointers to objects
 * freed meanwhile (the slot then reads free or holds a newer object, which is harmless:
 * nothing here frees or changes an object).
 */
#include "builtins.h"
#include "gcmodule.h"
#include "util.h"

#include <string.h>

#define SIDE_LIVE 0x8000u    /* live for this run: reachable from outside, or touched */
#define SIDE_SCANNED 0x4000u /* its references were counted (state SCAN) */
#define SIDE_PUSHED 0x2000u  /* put on the work list: its references are followed */
#define SIDE_MEMBER 0x1000u  /* a neighbourhood run: reached from the seeds */
#define SIDE_COUNT                                                                                 \
    0x0fffu /* references received from scanned members; saturated (4095
                                or more), the member is taken as live (precision only) */
typedef uint16_t side_t;

/* WORK: an increment's work is counted in units, one per object handled and one per
 * REFS_PER_UNIT references followed, and the clock is read every CHUNK units: at most about
 * a microsecond of work between looks, whatever the objects' sizes. */
#define CHUNK 64u
#define REFS_PER_UNIT 4u
/* PIECES: an object with more than PIECE_REFS references (a list, tuple or dict, or a type
 * with a trailing array) has them followed PIECE_REFS at a time, with a resume index kept
 * in the run, so that one increment stays within its budget even for a 10M-item list. A
 * type with its own traverse function has no resumable form: its references are followed
 * in one piece. */
#define PIECE_REFS 256u
/* SKIPS: a neighbourhood run's sweeps pass over the slots of its pages that hold no member;
 * SKIPS_PER_UNIT of them cost a unit, a page's side words zeroed cost a unit per
 * SKIPS_PER_UNIT of them, and one look for the next member passes at most SKIPS_YIELD
 * slots before it returns (SLOT_YIELD) so that the clock is read: a run whose members are
 * sparse in full pages stays within its budget. */
#define SKIPS_PER_UNIT 16u
#define SKIPS_YIELD 1024u
#define SLOT_YIELD ((rc_object *)(uintptr_t)1)

enum { ST_SCAN, ST_MARK, ST_LIST, ST_FINAL };

typedef struct incr_page {
    uintptr_t key; /* the page's address; 0: an empty map slot */
    side_t *side;  /* its side words, n_slots of them, inside the block */
    uint32_t n_slots;
    bool ready;       /* side words zeroed */
    bool has_members; /* a neighbourhood run marked members here */
    bool gone;        /* released during the run: its slots are no members */
} incr_page;

struct rci_incr {
    unsigned state;
    incr_page **pages; /* the map entries in page order (the cursor walks them) */
    size_t n_pages, pages_cap;
    incr_page *map;
    size_t map_cap; /* a power of two */
    unsigned map_shift;
    side_t *block; /* every page's side words */
    size_t block_len;
    size_t pi;             /* cursor: entry in pages */
    uint32_t si;           /* cursor: slot */
    uint32_t big_ti;       /* PIECES: big's type index when taken (its slot may be reused) */
    rc_object *big;        /* PIECES: the object whose references are being followed */
    size_t big_at;         /* the index of its next reference to follow; 0: no such object */
    rc_visit_fn big_visit; /* visit_count (SCAN) or visit_mark (MARK) */
    size_t refs;           /* references followed since the last unit was charged (WORK) */
    rc_object **stack;     /* MARK's work list */
    size_t stack_len, stack_cap;
    rc_object **w; /* the suspected garbage (LIST), joined by the final step */
    size_t w_len, w_cap;
    bool touched;    /* rci_gcincr_touched made a member live after MARK's sweep began */
    unsigned sweeps; /* MARK sweeps so far */
    bool joined;     /* rci_gcincr_join ran */
    bool nb;         /* a neighbourhood run: the members are what the seeds reach, marked
                     SIDE_MEMBER and found depth first through the work list in SCAN */
    size_t members;  /* nb: members marked */
    bool failed;     /* a side structure could not grow: the run is abandoned */
};

/* ---- the page map ------------------------------------------------------------------------ */

static size_t map_home(const struct rci_incr *x, uintptr_t key)
{
    return (size_t)(((uint64_t)(key >> 16) * 0x9e3779b97f4a7c15ull) >> x->map_shift);
}

static incr_page *map_find(const struct rci_incr *x, const rci_page *page)
{
    uintptr_t key = (uintptr_t)page;
    for (size_t i = map_home(x, key);; i = (i + 1) & (x->map_cap - 1)) {
        incr_page *e = &x->map[i];
        if (e->key == key)
            return e;
        if (e->key == 0)
            return NULL;
    }
}

static void side_ready(incr_page *e)
{
    if (!e->ready) {
        memset(e->side, 0, (size_t)e->n_slots * sizeof(side_t));
        e->ready = true;
    }
}

static bool member_ti(uint32_t ti)
{
    return (ti & (RCI_PENDING | RCI_TRACKED)) == RCI_TRACKED &&
           (ti & RCI_GEN_MASK) != RCI_PERMANENT_GEN;
}

/* o's side word if o could be a member (tracked, in a page of the map), else NULL. The
 * map is asked before o is read. */
static side_t *side_word(const struct rci_incr *x, const rc_object *o)
{
    if (!rc_is_heap_object(o))
        return NULL;
    rci_page *pg = rci_page_of(o);
    incr_page *e = map_find(x, pg);
    if (e == NULL || e->gone || !member_ti(o->_tinfo))
        return NULL;
    side_ready(e);
    return &e->side[(size_t)((const char *)o - pg->slots) / pg->slot_bytes];
}

/* o's side word if o is a member, else NULL: a neighbourhood run's members are marked. */
static side_t *member_word(const struct rci_incr *x, const rc_object *o)
{
    side_t *w = side_word(x, o);
    return w == NULL || (x->nb && !(*w & SIDE_MEMBER)) ? NULL : w;
}

/* ---- start and end ----------------------------------------------------------------------- */

typedef struct start_ctx {
    struct rci_incr *x;
    size_t pages, slots;
} start_ctx;

static int count_page(rc_heap *heap, rci_page *page, void *user)
{
    (void)heap;
    start_ctx *c = user;
    if (page->container) {
        c->pages++;
        c->slots += page->n_slots;
    }
    return 0;
}

static int add_page(rc_heap *heap, rci_page *page, void *user)
{
    (void)heap;
    start_ctx *c = user;
    struct rci_incr *x = c->x;
    if (!page->container)
        return 0;
    uintptr_t key = (uintptr_t)page;
    size_t i = map_home(x, key);
    while (x->map[i].key != 0)
        i = (i + 1) & (x->map_cap - 1);
    incr_page *e = &x->map[i];
    e->key = key;
    e->side = x->block + c->slots;
    e->n_slots = page->n_slots;
    c->slots += page->n_slots;
    x->pages[x->n_pages++] = e;
    return 0;
}

static void incr_free(rc_heap *heap)
{
    struct rci_incr *x = heap->gcincr.run;
    heap->gcincr.run = NULL;
    heap->gc.cand_incr = false; /* gc.c, CAND-FAST */
    rci_mem_free(heap, x->pages, x->pages_cap * sizeof(incr_page *));
    rci_mem_free(heap, x->map, x->map_cap * sizeof *x->map);
    rci_mem_free(heap, x->block, x->block_len * sizeof *x->block);
    rci_mem_free(heap, x->stack, x->stack_cap * sizeof(rc_object *));
    rci_mem_free(heap, x->w, x->w_cap * sizeof(rc_object *));
    rci_mem_free(heap, x, sizeof *x);
}

/* A run over every container page: false if its tables cannot be had (nothing changed).
 * Cost: O(pages); the side words are zeroed page by page as the run reaches them. */
static bool incr_start(rc_heap *heap)
{
    start_ctx c = {NULL, 0, 0};
    rci_pages_each(heap, true, count_page, &c);
    struct rci_incr *x = rci_mem_alloc(heap, sizeof *x);
    if (x == NULL)
        return false;
    memset(x, 0, sizeof *x);
    heap->gcincr.run = x;
    heap->gc.cand_incr = true; /* gc.c, CAND-FAST */
    x->map_cap = 16;
    while (x->map_cap < 2 * c.pages)
        x->map_cap *= 2;
    x->map_shift = 64u - (unsigned)__builtin_ctzll((unsigned long long)x->map_cap);
    x->pages_cap = c.pages;
    x->block_len = c.slots;
    x->map = rci_mem_alloc(heap, x->map_cap * sizeof *x->map);
    x->pages = rci_mem_alloc(heap, x->pages_cap * sizeof(incr_page *));
    x->block = rci_mem_alloc(heap, x->block_len * sizeof *x->block);
    if (x->map == NULL || x->pages == NULL || x->block == NULL) {
        incr_free(heap);
        return false;
    }
    memset(x->map, 0, x->map_cap * sizeof *x->map);
    c.x = x;
    c.slots = 0;
    rci_pages_each(heap, true, add_page, &c);
    return true;
}

static void push_fail(struct rci_incr *x)
{
    x->failed = true;
}

/* One more slot in a full side array (*cap full): doubles from 256. */
static bool grow(rc_heap *heap, rc_object ***buf, size_t *cap)
{
    return rci_util_vec_grow(heap, buf, cap, *cap + 1, sizeof(rc_object *), 256);
}

static void push(rc_heap *heap, struct rci_incr *x, rc_object *o)
{
    if (x->stack_len == x->stack_cap && !grow(heap, &x->stack, &x->stack_cap)) {
        push_fail(x);
        return;
    }
    x->stack[x->stack_len++] = o;
}

/* ---- the filter (gc.c section 9) ---------------------------------------------------------- */

/* A neighbourhood run reaches o (side word w): a member, to be scanned. */
static void add_member(rc_heap *heap, struct rci_incr *x, side_t *w, rc_object *o)
{
    *w |= SIDE_MEMBER;
    x->members++;
    map_find(x, rci_page_of(o))->has_members = true;
    push(heap, x, o);
}

static int visit_count(rc_heap *heap, rc_object *ref, void *arg)
{
    struct rci_incr *x = arg;
    x->refs++;
    side_t *w = side_word(x, ref);
    if (w == NULL)
        return 0;
    if (x->nb && !(*w & SIDE_MEMBER))
        add_member(heap, x, w, ref); /* breadth first from the seeds */
    if ((*w & SIDE_COUNT) < SIDE_COUNT)
        (*w)++;
    else
        *w |= SIDE_LIVE; /* saturated: taken as live (only precision depends on it) */
    return 0;
}

static int visit_mark(rc_heap *heap, rc_object *ref, void *arg)
{
    struct rci_incr *x = arg;
    x->refs++;
    side_t *w = member_word(x, ref);
    if (w == NULL || (*w & SIDE_PUSHED))
        return 0;
    *w |= SIDE_LIVE | SIDE_PUSHED;
    push(heap, x, ref);
    return 0;
}

/* PIECES: how many references o has, in follow_piece's order, if its type has a resumable
 * form (a list's or tuple's items; a dict's entries, key then value; a trailing-array
 * type's offset fields, then its array), else 0. */
static size_t piece_refs(const rc_heap *heap, const rc_object *o)
{
    const rc_type *t = rci_type_of(heap, o);
    if (t == heap->types.t_list)
        return ((const rci_list *)o)->len;
    if (t == heap->types.t_tuple)
        return ((const rci_tuple *)o)->len;
    if (t == heap->types.t_dict)
        return 2 * ((const rci_dict *)o)->n_entries;
    if (t->has_array)
        return t->n_ref_offsets + rci_type_array_count(t, o);
    return 0;
}

/* Follows o's references from index at (piece_refs' order), at most PIECE_REFS of them, and
 * returns the index to resume from, or 0 when o is done. The lengths are read afresh: the
 * program may have changed o since the last piece, which only precision depends on. */
static size_t follow_piece(rc_heap *heap, rc_object *o, size_t at, rc_visit_fn visit, void *arg)
{
    size_t n = piece_refs(heap, o);
    if (at >= n)
        return 0;
    size_t end = n - at > PIECE_REFS ? at + PIECE_REFS : n;
    const rc_type *t = rci_type_of(heap, o);
    if (t == heap->types.t_list || t == heap->types.t_tuple) {
        rc_object **items =
            t == heap->types.t_list ? ((rci_list *)o)->items : ((rci_tuple *)o)->items;
        for (size_t i = at; i < end; i++)
            visit(heap, items[i], arg);
    } else if (t == heap->types.t_dict) {
        rci_dict_entry *e = rci_dict_entries((rci_dict *)o);
        /* at and end are even (PIECE_REFS is): whole entries */
        for (size_t i = at / 2; i < end / 2; i++) {
            if (e[i].key == RCI_DICT_HOLE)
                continue;
            visit(heap, e[i].key, arg);
            visit(heap, e[i].value, arg);
        }
    } else {
        rc_object **items = rci_type_array_items(t, o);
        for (size_t i = at; i < end; i++) {
            rc_object *ref;
            if (i < t->n_ref_offsets) /* NOLINTNEXTLINE(bugprone-sizeof-expression) */
                memcpy(&ref, (char *)o + t->ref_offsets[i], sizeof ref);
            else
                ref = items[i - t->n_ref_offsets];
            visit(heap, ref, arg);
        }
    }
    return end < n ? end : 0;
}

/* Follows o's references with visit: all at once, or (PIECES) the first piece now and the
 * rest from x->big before any other work. */
static void follow(rc_heap *heap, struct rci_incr *x, rc_object *o, rc_visit_fn visit)
{
    if (piece_refs(heap, o) <= PIECE_REFS) {
        rc_traverse(heap, o, visit, x);
        return;
    }
    x->big_at = follow_piece(heap, o, 0, visit, x);
    x->big = o;
    x->big_ti = o->_tinfo >> RCI_TYPE_SHIFT;
    x->big_visit = visit;
}

/* PIECES: the next piece of x->big, unless it is gone (its page released, its slot freed
 * or holding an object of another type: nothing more to follow). */
static void follow_big(rc_heap *heap, struct rci_incr *x)
{
    rc_object *o = x->big;
    if (side_word(x, o) != NULL && o->_tinfo >> RCI_TYPE_SHIFT == x->big_ti)
        x->big_at = follow_piece(heap, o, x->big_at, x->big_visit, x);
    else
        x->big_at = 0;
}

/* The next slot of the cursor, or NULL at the end of the pages (*w gets its side word); a
 * neighbourhood run's next member still there. */
static rc_object *next_slot(struct rci_incr *x, side_t **w)
{
    size_t skipped = 0;
    while (x->pi < x->n_pages) {
        incr_page *e = x->pages[x->pi];
        rci_page *pg = (rci_page *)e->key;
        if (e->gone || x->si >= pg->bump || (x->nb && !e->has_members)) {
            x->pi++;
            x->si = 0;
            continue;
        }
        if (!e->ready)
            skipped += e->n_slots; /* SKIPS: the zeroing is paid too */
        side_ready(e);
        *w = &e->side[x->si];
        rc_object *o = (rc_object *)(pg->slots + (size_t)x->si++ * pg->slot_bytes);
        if (!x->nb || (**w & SIDE_MEMBER)) {
            x->refs += skipped * REFS_PER_UNIT / SKIPS_PER_UNIT;
            return o;
        }
        if (++skipped >= SKIPS_YIELD) {
            x->refs += skipped * REFS_PER_UNIT / SKIPS_PER_UNIT;
            return SLOT_YIELD;
        }
    }
    x->refs += skipped * REFS_PER_UNIT / SKIPS_PER_UNIT;
    return NULL;
}

static void rewind_cursor(struct rci_incr *x, unsigned state)
{
    x->state = state;
    x->pi = 0;
    x->si = 0;
}

/* W-RESERVED: LIST's list of suspected garbage gets its room before LIST starts, while it
 * is empty (no copy): as many entries as there can be members (a neighbourhood run's
 * members, or every tracked object), so that no increment of LIST pays for doubling and
 * copying a long list. Room the program never fills is memory the system has not given
 * yet (a large allocation is mapped lazily). If it cannot be had, LIST grows the list as
 * it goes, as before. */
static void reserve_w(rc_heap *heap, struct rci_incr *x)
{
    size_t n =
        x->nb ? x->members : heap->gc.gen_size[0] + heap->gc.gen_size[1] + heap->gc.gen_size[2];
    if (x->w_len == 0 && n > x->w_cap)
        (void)rci_util_vec_reserve(heap, &x->w, &x->w_cap, n, sizeof(rc_object *), 256);
}

/* MARK: a member is live if it was not scanned (made since, or freed and its slot
 * reused), was touched, or has more references than the scanned members hold. */
static bool live_root(const rc_object *o, side_t w)
{
    return !(w & SIDE_SCANNED) || (w & SIDE_LIVE) || o->_refcnt > (int32_t)(w & SIDE_COUNT);
}

/* WORK: the units left once the references followed since the last charge are paid. */
static unsigned charge(struct rci_incr *x, unsigned units)
{
    size_t paid = x->refs / REFS_PER_UNIT;
    x->refs %= REFS_PER_UNIT;
    return paid >= units ? 0 : units - (unsigned)paid;
}

/* Up to `units` units of filter work (WORK); returns false once the filter is done (ST_FINAL). */
static bool advance(rc_heap *heap, struct rci_incr *x, unsigned units)
{
    side_t *w = NULL;
    while (units > 0 && !x->failed) {
        if (x->big_at != 0) {
            follow_big(heap, x); /* PIECES: before anything else */
            units = charge(x, units);
            continue;
        }
        switch (x->state) {
        case ST_SCAN: {
            if (x->nb) {
                /* depth first from the seeds: the work list holds the members to scan */
                if (x->stack_len == 0) {
                    rewind_cursor(x, ST_MARK);
                    x->touched = false;
                    x->sweeps = 1;
                    break;
                }
                rc_object *o = x->stack[--x->stack_len];
                units--;
                w = member_word(x, o);
                if (w != NULL && !(*w & SIDE_SCANNED)) {
                    *w |= SIDE_SCANNED;
                    follow(heap, x, o, visit_count);
                }
                break;
            }
            rc_object *o = next_slot(x, &w);
            if (o == SLOT_YIELD)
                break; /* SKIPS: charged, the clock is read */
            if (o == NULL) {
                rewind_cursor(x, ST_MARK);
                x->touched = false;
                x->sweeps = 1;
                break;
            }
            units--;
            if (!member_ti(o->_tinfo))
                break;
            *w |= SIDE_SCANNED;
            follow(heap, x, o, visit_count);
            break;
        }
        case ST_MARK: {
            if (x->stack_len > 0) {
                rc_object *o = x->stack[--x->stack_len];
                units--;
                if (member_word(x, o) != NULL) /* still there (section 9, SIDE) */
                    follow(heap, x, o, visit_mark);
                break;
            }
            rc_object *o = next_slot(x, &w);
            if (o == SLOT_YIELD)
                break; /* SKIPS: charged, the clock is read */
            if (o == NULL) {
                if (x->touched && x->sweeps < 3) {
                    /* members touched behind the sweep: once more for them */
                    rewind_cursor(x, ST_MARK);
                    x->touched = false;
                    x->sweeps++;
                } else {
                    rewind_cursor(x, ST_LIST);
                    reserve_w(heap, x);
                }
                break;
            }
            units--;
            if (member_ti(o->_tinfo) && !(*w & SIDE_PUSHED) && live_root(o, *w)) {
                *w |= SIDE_LIVE | SIDE_PUSHED;
                push(heap, x, o);
            }
            break;
        }
        case ST_LIST: {
            rc_object *o = next_slot(x, &w);
            if (o == SLOT_YIELD)
                break; /* SKIPS: charged, the clock is read */
            if (o == NULL) {
                rewind_cursor(x, ST_FINAL);
                return false;
            }
            units--;
            uint32_t ti = o->_tinfo;
            /* generation 1 is in the candidate buffer: the final step takes it anyway */
            if (member_ti(ti) && (ti & RCI_GEN_MASK) != 1 && !live_root(o, *w)) {
                if (x->w_len == x->w_cap && !grow(heap, &x->w, &x->w_cap))
                    push_fail(x);
                else
                    x->w[x->w_len++] = o;
            }
            break;
        }
        default:
            return false;
        }
        units = charge(x, units);
    }
    return x->state != ST_FINAL;
}

/* The final step: one stop-the-world trial deletion over the suspected garbage, the
 * candidates and their neighbourhood (gc.c section 9). Then the run's tables go, and the
 * figures of a full collection are those of one. */
static void incr_finish(rc_heap *heap)
{
    struct rci_incr *x = heap->gcincr.run;
    size_t suspected = x->w_len, members = x->members;
    bool nb = x->nb;
    size_t found = rci_gc_collect_final(heap, nb ? 1u : 2u);
    if (heap->gcincr.run == x) {
        incr_free(heap);
        heap->gcincr.pause.incremental++;
        heap->gcincr.pause.suspected += suspected;
    }
    if (nb) {
        /* Yield-adaptive: a neighbourhood run that found little makes the next wait for
         * four times its members' worth of allocations. */
        heap->gcincr.nb_after =
            heap->objs.total_allocated + (found * 4 >= members ? 0 : 4 * members);
        return;
    }
    heap->gc.full_due = false;
    heap->gc.cand_truncated = 0;
    heap->gc.long_lived_pending = 0;
    heap->gc.long_lived_total = heap->gc.gen_size[2];
}

/* The run failed for want of memory: abandoned, and a stop-the-world collection (which
 * needs none to finish) does its work. */
static void incr_fall_back(rc_heap *heap)
{
    rci_gcincr_abandon(heap);
    rci_gc_collect_full(heap);
}

/* One increment of about budget ns (at least CHUNK objects). Returns whether work
 * remains. Traverse functions run meanwhile, so the slice holds collecting (rc_collect
 * returns 0, no automatic collection) and defers page release. */
static bool incr_slice(rc_heap *heap, uint64_t budget)
{
    struct rci_incr *x = heap->gcincr.run;
    if (x->state == ST_FINAL) {
        incr_finish(heap);
        return false;
    }
    uint64_t t0 = rci_os_now_ns();
    bool deferred = heap->pages.defer_page_release;
    heap->gc.collecting = true;
    heap->pages.defer_page_release = true;
    while (advance(heap, x, CHUNK) && !x->failed && rci_os_now_ns() - t0 < budget) {
    }
    heap->gc.collecting = false;
    heap->pages.defer_page_release = deferred;
    if (!deferred)
        rci_pages_release_empty(heap);
    heap->gcincr.pause.increments++;
    if (x->failed) {
        incr_fall_back(heap);
        return false;
    }
    return true;
}

/* Tracked allocations between automatic increments. */
static size_t increment_interval(const rc_heap *heap)
{
    size_t n = heap->gc.gen[0].threshold / 8;
    return n > 0 ? n : 1;
}

void rci_gcincr_alloc_check(rc_heap *heap, bool on)
{
    struct rci_incr *x = heap->gcincr.run;
    bool active = x != NULL && (on || heap->gc.stress);
    bool partial_due = on && rci_gc_partial_due(heap);
    /* The common case while a run is in progress: no clock read, no call. */
    if (active && !heap->gc.stress && !partial_due && !heap->gc.cand_overflow &&
        x->state != ST_FINAL && heap->gcincr.countdown > 1) {
        heap->gcincr.countdown--;
        return;
    }
    uint64_t t0 = rci_os_now_ns();
    bool worked = true;
    if (on && heap->gc.cand_overflow) {
        /* candidates are missing from the buffer: only a full collection finds them all */
        rci_gcincr_abandon(heap);
        rci_gc_collect_full(heap);
    } else if (active && x->state == ST_FINAL) {
        incr_finish(heap);
    } else if (heap->gc.stress) {
        /* An increment at every allocation, then the partial run, unless the increment
         * had to fall back on a full collection: one collection per allocation. */
        uint64_t full = heap->gc.gen[2].stats.collections;
        if (x != NULL)
            incr_slice(heap, 0);
        else
            incr_start(heap);
        if (heap->gc.gen[2].stats.collections == full)
            rci_gc_collect_partial(heap);
    } else if (partial_due) {
        rci_gc_collect_partial(heap);
    } else if (active) {
        heap->gcincr.countdown = increment_interval(heap);
        incr_slice(heap, heap->gcincr.pause_budget);
    } else if (on && heap->gc.full_due) {
        if (incr_start(heap)) {
            heap->gcincr.countdown = increment_interval(heap);
            incr_slice(heap, heap->gcincr.pause_budget);
        } else {
            rci_gc_collect_full(heap);
        }
    } else {
        worked = false;
    }
    rci_gc_trigger_update(heap);
    if (worked)
        rci_gcincr_pause_record(heap, rci_os_now_ns() - t0);
}

/* ---- hooks -------------------------------------------------------------------------------- */

void rci_gcincr_touched(rc_heap *heap, rc_object *obj)
{
    struct rci_incr *x = heap->gcincr.run;
    side_t *w = member_word(x, obj);
    if (w == NULL || (*w & SIDE_LIVE))
        return;
    *w |= SIDE_LIVE;
    if (x->state == ST_MARK)
        x->touched = true;
}

void rci_gcincr_page_gone(rc_heap *heap, rci_page *page)
{
    incr_page *e = map_find(heap->gcincr.run, page);
    if (e != NULL)
        e->gone = true;
}

/* Writes the entries of W still members and not candidates to dst (at most limit; dst
 * may be x->w itself: it never overtakes the entry read), moves them to generation 1 and
 * returns how many. W is in page order (LIST walks the pages), so the page map is asked
 * once per page; a listed slot keeps its SIDE_MEMBER mark for the whole run, so an entry
 * is still a member when its page is there and its header is a member's (member_word's
 * test without the side word). */
static size_t join_filter(rc_heap *heap, struct rci_incr *x, rc_object **dst, size_t limit)
{
    rci_page *page = NULL;
    bool there = false, noted = false;
    size_t k = 0, from[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < x->w_len && k < limit; i++) {
        rc_object *o = x->w[i];
        if (rci_page_of(o) != page) {
            page = rci_page_of(o);
            const incr_page *e = map_find(x, page);
            there = e != NULL && !e->gone; /* else freed with its page */
            noted = false;
        }
        if (!there)
            continue;
        uint32_t ti = o->_tinfo;
        unsigned g = ti & RCI_GEN_MASK;
        if (!member_ti(ti) || g == 1) /* no member now; or a candidate, in the buffer */
            continue;
        dst[k++] = o;
        from[g]++;
        o->_tinfo = (ti & ~RCI_GEN_MASK) | 1u;
        if (!noted) {
            noted = true;
            if (!(page->lists & RCI_IN_GEN1))
                rci_page_note_gen(heap, page, 1);
        }
    }
    heap->gc.gen_size[0] -= from[0];
    heap->gc.gen_size[2] -= from[2];
    heap->gc.gen_size[1] += from[0] + from[2];
    return k;
}

/* The final step's set: the suspected garbage still there joins generation 1 and the
 * candidate buffer. Part of the final step's pause, so one pass with no call per object,
 * and no copy of W: the candidates are appended to W's array, which becomes the buffer
 * (the old buffer goes with the run's tables). Without room for that, W's members are
 * appended to the buffer, as many as fit: one left outside the set is sound (section 9). */
static void incr_join(rc_heap *heap)
{
    struct rci_incr *x = heap->gcincr.run;
    if (x->state != ST_FINAL || x->joined)
        return;
    x->joined = true;
    if (x->w_len == 0)
        return;
    size_t need = x->w_len + heap->gc.cand_len;
    if (rci_util_vec_reserve(heap, &x->w, &x->w_cap, need, sizeof(rc_object *), 256)) {
        size_t k = join_filter(heap, x, x->w, SIZE_MAX);
        if (heap->gc.cand_len > 0)
            memcpy(x->w + k, heap->gc.cand, heap->gc.cand_len * sizeof(rc_object *));
        rc_object **buf = heap->gc.cand;
        size_t cap = heap->gc.cand_cap;
        heap->gc.cand = x->w;
        heap->gc.cand_cap = x->w_cap;
        heap->gc.cand_len += k;
        x->w = buf;
        x->w_cap = cap;
        x->w_len = 0;
        return;
    }
    (void)rci_util_vec_reserve(heap, &heap->gc.cand, &heap->gc.cand_cap, need, sizeof(rc_object *),
                               256);
    if (heap->gc.cand != NULL)
        heap->gc.cand_len += join_filter(heap, x, heap->gc.cand + heap->gc.cand_len,
                                         heap->gc.cand_cap - heap->gc.cand_len);
}

/* A neighbourhood run seeded with the candidates and neighbourhood of a partial run whose
 * budget ran out: what lies beyond the budget is examined in increments. */
static void incr_start_nb(rc_heap *heap)
{
    if (!incr_start(heap))
        return;
    struct rci_incr *x = heap->gcincr.run;
    x->nb = true;
    for (size_t i = 0; i < heap->gc.cand_len && !x->failed; i++) {
        side_t *w = side_word(x, heap->gc.cand[i]);
        if (w != NULL && !(*w & SIDE_MEMBER))
            add_member(heap, x, w, heap->gc.cand[i]);
    }
    if (x->failed) {
        incr_free(heap); /* optional work: nothing to fall back on */
        return;
    }
    heap->gcincr.countdown = increment_interval(heap);
}

bool rci_gcincr_joins(const rc_heap *heap)
{
    const struct rci_incr *x = heap->gcincr.run;
    return x != NULL && x->state == ST_FINAL && !x->joined && x->w_len > 0;
}

void rci_gcincr_partial(rc_heap *heap, bool truncated)
{
    if (heap->gcincr.run != NULL)
        incr_join(heap);
    else if (truncated && !heap->gcincr.stw && heap->objs.total_allocated >= heap->gcincr.nb_after)
        incr_start_nb(heap);
}

void rci_gcincr_abandon(rc_heap *heap)
{
    if (heap->gcincr.run == NULL)
        return;
    incr_free(heap);
    heap->gcincr.pause.abandoned++;
    rci_gc_trigger_update(heap);
}

/* ---- pauses ------------------------------------------------------------------------------- */

static unsigned pause_bucket(uint64_t ns)
{
    if (ns < 1000)
        return 0;
    uint64_t u = ns / 250; /* >= 4 */
    unsigned e = 63u - (unsigned)__builtin_clzll((unsigned long long)u);
    unsigned b = 1u + (e - 2u) * 4u + (unsigned)((u >> (e - 2u)) & 3u);
    return b < RC_GC_PAUSE_BUCKETS ? b : RC_GC_PAUSE_BUCKETS - 1u;
}

uint64_t rc_gc_pause_bucket_ns(unsigned b)
{
    if (b == 0)
        return 0;
    if (b >= RC_GC_PAUSE_BUCKETS)
        b = RC_GC_PAUSE_BUCKETS - 1u;
    unsigned e = (b - 1u) / 4u + 2u, m = (b - 1u) % 4u;
    return ((uint64_t)(4u + m) << (e - 2u)) * 250u;
}

void rci_gcincr_pause_record(rc_heap *heap, uint64_t ns)
{
    heap->gcincr.pause.pauses++;
    heap->gcincr.pause.total_ns += ns;
    if (ns > heap->gcincr.pause.max_ns)
        heap->gcincr.pause.max_ns = ns;
    heap->gcincr.pause.histogram[pause_bucket(ns)]++;
}

/* The upper bound of the bucket holding the num/den-quantile of the pauses, capped at the
 * longest pause. */
static uint64_t pause_quantile_ns(const rc_gc_pause_stats *p, uint64_t num, uint64_t den)
{
    uint64_t want = p->pauses / den * num + p->pauses % den * num / den, seen = 0;
    if (want >= p->pauses)
        want = p->pauses - 1;
    for (unsigned b = 0; b + 1 < RC_GC_PAUSE_BUCKETS; b++) {
        seen += p->histogram[b];
        if (seen > want) {
            uint64_t hi = rc_gc_pause_bucket_ns(b + 1);
            return hi < p->max_ns ? hi : p->max_ns;
        }
    }
    return p->max_ns;
}

void rc_gc_pause_stats_print(rc_heap *heap)
{
    const rc_gc_pause_stats *p = &heap->gcincr.pause;
    if (p->pauses == 0) {
        rci_gcmodule_out(heap, "gc: pauses: 0");
        return;
    }
    rci_gcmodule_out(
        heap, "gc: pauses: %llu, total %.3f ms, max %.3f ms, p50 <= %.3f ms, p99 <= %.3f ms",
        (unsigned long long)p->pauses, (double)p->total_ns * 1e-6, (double)p->max_ns * 1e-6,
        (double)pause_quantile_ns(p, 1, 2) * 1e-6, (double)pause_quantile_ns(p, 99, 100) * 1e-6);
    for (unsigned b = 0; b < RC_GC_PAUSE_BUCKETS; b++) {
        unsigned long long n = (unsigned long long)p->histogram[b];
        if (n == 0)
            continue;
        double lo = (double)rc_gc_pause_bucket_ns(b) * 1e-3;
        if (b == 0)
            rci_gcmodule_out(heap, "gc: pauses under 1 us: %llu", n);
        else if (b + 1 == RC_GC_PAUSE_BUCKETS)
            rci_gcmodule_out(heap, "gc: pauses of %.2f us or more: %llu", lo, n);
        else
            rci_gcmodule_out(heap, "gc: pauses of %.2f to %.2f us: %llu", lo,
                             (double)rc_gc_pause_bucket_ns(b + 1) * 1e-3, n);
    }
    rci_gcmodule_out(
        heap, "gc: increments %llu, incremental collections %llu, abandoned %llu, suspected %llu",
        (unsigned long long)p->increments, (unsigned long long)p->incremental,
        (unsigned long long)p->abandoned, (unsigned long long)p->suspected);
}

rc_status rc_gc_get_pause_stats(const rc_heap *heap, rc_gc_pause_stats *out)
{
    rc_status st =
        rci_error_size_check(heap, "rc_gc_get_pause_stats", "out", out, sizeof(size_t), SIZE_MAX);
    if (st != RC_OK)
        return st;
    rc_gc_pause_stats s = heap->gcincr.pause;
    s.size = out->size < sizeof s ? out->size : sizeof s;
    memcpy(out, &s, s.size);
    return RC_OK;
}

/* ---- the API ------------------------------------------------------------------------------ */

bool rc_collect_step(rc_heap *heap, uint64_t budget_ns)
{
    if (heap->gc.collecting || heap->objs.freeing)
        return heap->gcincr.run != NULL || heap->gc.doomed != NULL;
    uint64_t t0 = rci_os_now_ns();
    bool more = false;
    /* gc.c section 9, DOOMED: garbage already confirmed is released first; if that was all
     * the work left (no collection in progress), the step ends with it */
    if (heap->gc.doomed != NULL) {
        bool left = rci_doomed_step(heap, &budget_ns);
        if (left || heap->gcincr.run == NULL) {
            rci_gcincr_pause_record(heap, rci_os_now_ns() - t0);
            return left;
        }
    }
    if (heap->gcincr.run != NULL && heap->gcincr.run->nb)
        rci_gcincr_abandon(heap); /* a step advances a full collection: a neighbourhood run
                                   gives way */
    if (heap->gc.schedule != RC_GC_SCHEDULE_CANDIDATES ||
        (heap->gcincr.run == NULL && !incr_start(heap))) {
        rci_gc_collect_full(heap);
    } else {
        more = incr_slice(heap, budget_ns);
    }
    rci_gc_trigger_update(heap);
    rci_gcincr_pause_record(heap, rci_os_now_ns() - t0);
    return more || heap->gc.doomed != NULL; /* the final step's garbage, released in slices */
}

void rc_gc_set_pause_budget(rc_heap *heap, uint64_t budget_ns)
{
    heap->gcincr.pause_budget = budget_ns ? budget_ns : RC_GC_DEFAULT_PAUSE_BUDGET_NS;
}

uint64_t rc_gc_get_pause_budget(const rc_heap *heap)
{
    return heap->gcincr.pause_budget;
}

bool rc_gc_is_incremental_running(const rc_heap *heap)
{
    return heap->gcincr.run != NULL;
}
