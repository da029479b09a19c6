/*
 * page.c -- object memory: size classes, pages, slots, large objects (owned buffers are
 * mem.c's; the system allocator is the OS layer's).
 *
 * Objects of up to RCI_MAX_CLASS_BYTES live in slots of RC_PAGE_BYTES pages aligned to
 * their size, so an object's page is its address with the low bits cleared (rci_page_of).
 * Each size class has two pools, one for container objects (types that can hold
 * references) and one for atomic objects, so a collection walks only container pages.
 * A larger object gets a page of its own, RC_PAGE_BYTES-aligned too, holding one slot.
 *
 * PAGE: slots [0, bump) have been handed out at least once; each is either live (its
 *   header's _tinfo is not 0), pending (RCI_PENDING), or free (_tinfo == 0 and on the
 *   page's free list, linked through the slot's second word). n_used counts live and
 *   pending slots. Slots [bump, n_slots) are untouched.
 * POOL: cur is the page allocations come from; every other page of the pool with at
 *   least a quarter of its slots free is on avail (rci_page_worth_reusing; a page may stay on
 *   avail after refilling past that); a page with n_used == 0 other than cur is returned at once (kept as
 *   a spare, or given back to the allocator), except while
 *   defer_page_release is set, or it is on the generation-1 list while the collector's
 *   candidate buffer holds entries (gc.c, section 5), when it waits on heap->pages.emptied.
 * NO-PAGE: a pool with no page to allocate from (none yet, or none left) has
 *   &heap->pages.no_page as cur: no slots (bump == n_slots == 0, no free list), no pool, on
 *   no list, never linked, emptied or returned. The allocation paths then need no test for
 *   a missing cur: a full cur sends them to pool_refill, which treats no_page as none.
 * SPARES: after every page is returned, heap->pages.spare holds at most max(1, L / RC_PAGE_BYTES)
 *   empty pages, L being the bytes of live and pending objects' slots (live_bytes -
 *   buffer_bytes); spares are taken before any page is mapped. So a program that frees a
 *   structure and builds another one like it (binary-trees: half the heap, over and over)
 *   reuses pages that are mapped and resident instead of paying for an unmap, a map and 16
 *   page faults per page each time, while the memory kept beyond what objects use is at
 *   most what they use, and a heap whose objects are all freed keeps one spare page: freed
 *   memory goes back. Spares never raise the peak: a page is mapped only when none is
 *   spare. L also falls without a page being returned (objects freed on pages that stay);
 *   the excess is trimmed at the next returned page and after every collection
 *   (rci_pages_release_empty). Rejected: a fixed number of spares (64 kept 4 MiB after
 *   every structure was freed), and MADV_DONTNEED on kept pages (the faults come back on
 *   reuse, which is the cost spares avoid).
 */
#include "internal.h"

#include <string.h>

_Static_assert(sizeof(rci_page) <= RCI_PAGE_HEADER_BYTES, "page header too large");
_Static_assert(RCI_PAGE_HEADER_BYTES % 8 == 0, "slots must be 8-byte aligned");

/* ---- list helpers -------------------------------------------------------------------- */

#define LINK(head, page, NEXT, PREV)                                                               \
    do {                                                                                           \
        (page)->PREV = NULL;                                                                       \
        (page)->NEXT = (head);                                                                     \
        if (head)                                                                                  \
            (head)->PREV = (page);                                                                 \
        (head) = (page);                                                                           \
    } while (0)

#define UNLINK(head, page, NEXT, PREV)                                                             \
    do {                                                                                           \
        if ((page)->PREV)                                                                          \
            (page)->PREV->NEXT = (page)->NEXT;                                                     \
        else                                                                                       \
            (head) = (page)->NEXT;                                                                 \
        if ((page)->NEXT)                                                                          \
            (page)->NEXT->PREV = (page)->PREV;                                                     \
        (page)->NEXT = (page)->PREV = NULL;                                                        \
    } while (0)

/* GENLISTS: only container pages are ever on heap->pages.young and heap->pages.gen1 (tracked objects
 * hold references, so they live on container pages: check.c), and a page's RCI_IN_YOUNG
 * and RCI_IN_GEN1 bits say whether it is on that list. */
void rci_page_note_gen(rc_heap *heap, rci_page *page, unsigned gen)
{
    rc_assert(heap, gen <= 1 && page->container);
    if (gen == 0 && !(page->lists & RCI_IN_YOUNG)) {
        LINK(heap->pages.young, page, ynext, yprev);
        page->lists |= RCI_IN_YOUNG;
    } else if (gen == 1 && !(page->lists & RCI_IN_GEN1)) {
        LINK(heap->pages.gen1, page, onext, oprev);
        page->lists |= RCI_IN_GEN1;
    }
}

void rci_page_unlist_gen(rc_heap *heap, rci_page *page, unsigned gen)
{
    rc_assert(heap, gen <= 1);
    if (gen == 0 && (page->lists & RCI_IN_YOUNG)) {
        UNLINK(heap->pages.young, page, ynext, yprev);
        page->lists &= (uint8_t)~RCI_IN_YOUNG;
    } else if (gen == 1 && (page->lists & RCI_IN_GEN1)) {
        UNLINK(heap->pages.gen1, page, onext, oprev);
        page->lists &= (uint8_t)~RCI_IN_GEN1;
    }
}

/* ---- pages --------------------------------------------------------------------------- */

/* PAGE's counters: untouched slots are the tail, used ones were handed out. A macro: it
 * is only read by rc_assert, which compiles it away below debug level 2. */
#define PAGE_COUNTS_OK(page) ((page)->n_used <= (page)->bump && (page)->bump <= (page)->n_slots)

static size_t large_map_bytes(size_t slot_bytes)
{
    return (RCI_PAGE_HEADER_BYTES + slot_bytes + 4095) & ~(size_t)4095;
}

static size_t page_map_bytes(const rci_page *page)
{
    return page->pool ? RC_PAGE_BYTES : large_map_bytes(page->slot_bytes);
}

/* Pages must lie below 2^47: the pending-free list packs addresses into 44 bits
 * (object.c, HEADER). User-space addresses on x86-64 and 48-bit arm64 Linux do. */
static void *page_obtain(rc_heap *heap, size_t bytes)
{
    void *block = heap->alloc.alloc(heap->alloc.user, bytes, RC_PAGE_BYTES);
    if (block != NULL && ((uintptr_t)block >> 47) != 0) {
        heap->alloc.free(heap->alloc.user, block, bytes, RC_PAGE_BYTES);
        return NULL;
    }
    return block;
}

static void page_init(rci_page *page, rci_pool *pool, uint32_t slot_bytes, uint32_t n_slots,
                      bool container)
{
    memset(page, 0, sizeof *page);
    page->pool = pool;
    page->slots = (char *)page + RCI_PAGE_HEADER_BYTES;
    page->slot_bytes = slot_bytes;
    page->n_slots = n_slots;
    page->container = container;
}

/* SPARES: the most spare pages the heap keeps now. */
static size_t spare_limit(const rc_heap *heap)
{
    size_t slot_bytes = heap->mem.live_bytes - heap->mem.buffer_bytes;
    size_t n = slot_bytes / RC_PAGE_BYTES;
    return n > 1 ? n : 1;
}

/* Gives spare pages back to the allocator until at most limit are left. */
static void spares_trim(rc_heap *heap, size_t limit)
{
    while (heap->pages.n_spare > limit) {
        rci_page *page = heap->pages.spare;
        heap->pages.spare = page->next;
        heap->pages.n_spare--;
        heap->pages.page_bytes -= RC_PAGE_BYTES;
        heap->alloc.free(heap->alloc.user, page, RC_PAGE_BYTES, RC_PAGE_BYTES);
    }
}

static rci_page *page_new(rc_heap *heap, rci_pool *pool)
{
    rci_page *page = heap->pages.spare;
    if (page != NULL) {
        heap->pages.spare = page->next;
        heap->pages.n_spare--;
    } else {
        page = page_obtain(heap, RC_PAGE_BYTES);
        if (page == NULL)
            return NULL;
        heap->pages.page_bytes += RC_PAGE_BYTES;
    }
    uint32_t n_slots = (uint32_t)((RC_PAGE_BYTES - RCI_PAGE_HEADER_BYTES) / pool->slot_bytes);
    page_init(page, pool, pool->slot_bytes, n_slots, pool->container);
    /* An object's page is its address with the low bits cleared (rci_page_of). */
    rc_assert(heap, rci_page_of(page->slots) == page && n_slots > 0);
    LINK(pool->pages, page, next, prev);
    return page;
}

static void page_give_back(rc_heap *heap, rci_page *page)
{
    size_t bytes = page_map_bytes(page);
    if (page->pool != NULL) {
        size_t limit = spare_limit(heap);
        if (heap->pages.n_spare < limit) {
            page->next = heap->pages.spare;
            heap->pages.spare = page;
            heap->pages.n_spare++;
            return;
        }
        heap->pages.page_bytes -= bytes;
        heap->alloc.free(heap->alloc.user, page, bytes, RC_PAGE_BYTES);
        spares_trim(heap, limit);
        return;
    }
    heap->pages.large_bytes -= bytes;
    heap->alloc.free(heap->alloc.user, page, bytes, RC_PAGE_BYTES);
}

/* Unlinks an empty page from every list and returns its memory. */
static void page_release(rc_heap *heap, rci_page *page)
{
    rci_pool *pool = page->pool;
    /* POOL: only an empty page other than cur is returned, and never while it is still
     * threaded on heap->pages.emptied (its enext link would be lost). */
    rc_assert(heap, page->n_used == 0 && PAGE_COUNTS_OK(page));
    rc_assert(heap, pool == NULL || page != pool->cur);
    rc_assert(heap, !(page->lists & RCI_IN_EMPTIED));
    rc_assert_inv(heap, "NO-PAGE", page != &heap->pages.no_page);
    if (heap->gcincr.run != NULL)
        rci_gcincr_page_gone(heap, page); /* gc.c section 9: before its memory can go */
    rci_page_unlist_gen(heap, page, 0);
    rci_page_unlist_gen(heap, page, 1);
    if (pool != NULL) {
        if (page->lists & RCI_IN_AVAIL)
            UNLINK(pool->avail, page, anext, aprev);
        UNLINK(pool->pages, page, next, prev);
    } else {
        UNLINK(heap->pages.large, page, next, prev);
    }
    page->lists = 0;
    page_give_back(heap, page);
}

static void page_emptied(rc_heap *heap, rci_page *page)
{
    rc_assert_inv(heap, "PAGE", page->n_used == 0);
    if (page->pool != NULL && page == page->pool->cur)
        return;
    /* The candidate buffer (gc.c) may point into a page on the generation-1 list: such a
     * page waits, like during a collection, until the next run empties the buffer; while
     * the rest of a chunked partial run waits (gc.c section 9, CHUNKS), every page does. */
    bool held = ((page->lists & RCI_IN_GEN1) && heap->gc.cand_len > 0) || heap->gc.rest_len > 0;
    if (!heap->pages.defer_page_release && !held) {
        page_release(heap, page);
    } else if (!(page->lists & RCI_IN_EMPTIED)) {
        page->lists |= RCI_IN_EMPTIED;
        page->enext = heap->pages.emptied;
        heap->pages.emptied = page;
    }
}

void rci_pages_release_empty(rc_heap *heap)
{
    rci_page *list = heap->pages.emptied; /* pages still held go back on a fresh list */
    heap->pages.emptied = NULL;
    while (list != NULL) {
        rci_page *page = list;
        list = page->enext;
        page->lists &= (uint8_t)~RCI_IN_EMPTIED;
        if (page->n_used == 0)
            page_emptied(heap, page);
    }
    spares_trim(heap, spare_limit(heap));
}

/* Makes pool->cur a page with a free slot; false if no page can be had. */
static bool pool_refill(rc_heap *heap, rci_pool *pool)
{
    const rci_page *none = &heap->pages.no_page;
    rc_assert_inv(heap, "NO-PAGE",
                  none->free == NULL && none->bump == 0 && none->n_slots == 0 &&
                      none->n_used == 0 && none->pool == NULL && none->lists == 0);
    rci_page *old = pool->cur == none ? NULL : pool->cur;
    rci_page *page = pool->avail;
    /* POOL: cur is never on avail; a page on avail is its pool's and has a free slot (no
     * allocation is taken from it while it is there). */
    rc_assert(heap, old == NULL || (old->pool == pool && !(old->lists & RCI_IN_AVAIL)));
    if (page != NULL) {
        rc_assert(heap, page->pool == pool && (page->lists & RCI_IN_AVAIL));
        UNLINK(pool->avail, page, anext, aprev);
        page->lists &= (uint8_t)~RCI_IN_AVAIL;
    } else {
        page = page_new(heap, pool);
        if (page == NULL)
            return false;
    }
    rc_assert(heap, PAGE_COUNTS_OK(page) && (page->free != NULL || page->bump < page->n_slots));
    pool->cur = page;
    if (old != NULL && old->n_used == 0)
        page_emptied(heap, old);
    return true;
}

static rc_object *large_alloc(rc_heap *heap, size_t bytes, bool container)
{
    size_t slot = (bytes + 7) & ~(size_t)7;
    if (slot > UINT32_MAX - RC_PAGE_BYTES)
        return NULL;
    size_t map = large_map_bytes(slot);
    rci_page *page = page_obtain(heap, map);
    if (page == NULL)
        return NULL;
    page_init(page, NULL, (uint32_t)slot, 1, container);
    page->bump = 1;
    page->n_used = 1;
    rc_assert(heap, rci_page_of(page->slots) == page);
    LINK(heap->pages.large, page, next, prev);
    heap->pages.large_bytes += map;
    memset(page->slots, 0, slot);
    return (rc_object *)page->slots;
}

/* The allocation path when pool->cur has no slot to give (or the object is large): out of
 * line so that rci_page_slot_alloc's inline path needs no stack frame. */
rc_object *rci_page_slot_alloc_slow(rc_heap *heap, size_t bytes, bool container)
{
    if (bytes > RCI_MAX_CLASS_BYTES)
        return large_alloc(heap, bytes, container);
    rci_pool *pool = &heap->pages.pools[container][rci_page_class_index(bytes)];
    if (!pool_refill(heap, pool))
        return NULL;
    return rci_page_take_slot(pool->cur);
}

void rci_page_slot_free_slow(rc_heap *heap, rci_page *page)
{
    rci_pool *pool = page->pool;
    /* PAGE: the slot just freed was counted in n_used; POOL: a pool page has its pool's slot
     * size, a large object's page its one slot. */
    rc_assert(heap, PAGE_COUNTS_OK(page) && page->n_used < page->bump);
    rc_assert(heap, pool == NULL ? page->n_slots == 1 : pool->slot_bytes == page->slot_bytes);
    if (pool == NULL) {
        page_emptied(heap, page);
        return;
    }
    if (page == pool->cur)
        return;
    if (!(page->lists & RCI_IN_AVAIL) && rci_page_worth_reusing(page)) {
        LINK(pool->avail, page, anext, aprev);
        page->lists |= RCI_IN_AVAIL;
    }
    if (page->n_used == 0)
        page_emptied(heap, page);
}

void rci_page_pools_init(rc_heap *heap)
{
    memset(&heap->pages.no_page, 0, sizeof heap->pages.no_page); /* NO-PAGE */
    for (unsigned c = 0; c < 2; c++) {
        for (unsigned i = 0; i < RCI_N_CLASSES; i++) {
            heap->pages.pools[c][i].slot_bytes = rci_page_class_bytes(i);
            heap->pages.pools[c][i].container = c != 0;
            heap->pages.pools[c][i].cur = &heap->pages.no_page;
        }
    }
    /* Every class's size is a multiple of 8: bytes and bytes rounded up to 8 share one, and
     * class i takes the entries up to its size / 8. One memset per class. */
    size_t from = 0;
    for (unsigned i = 0; i < RCI_N_CLASSES; i++) {
        size_t to = rci_page_class_bytes(i) / 8;
        memset(&heap->pages.class_of[from], (int)i, to + 1 - from);
        from = to + 1;
    }
    rc_assert(heap, from == sizeof heap->pages.class_of);
    for (unsigned c = 0; c < 2; c++)
        for (size_t i = 0; i <= RCI_ZERO_INLINE_BYTES / 8; i++)
            heap->pages.small_pool_of[c][i] = &heap->pages.pools[c][heap->pages.class_of[i]];
    for (size_t i = 1; i < sizeof heap->pages.class_of; i++)
        rc_assert(heap, heap->pages.class_of[i] == rci_page_class_index(i * 8) &&
                            heap->pages.class_of[i] == rci_page_class_index(i * 8 - 7));
}

int rci_pages_each(rc_heap *heap, bool containers_only, rci_page_fn fn, void *user)
{
    for (unsigned c = 2; c-- > (containers_only ? 1u : 0u);) {
        for (unsigned i = 0; i < RCI_N_CLASSES; i++) {
            rci_page *next;
            for (rci_page *page = heap->pages.pools[c][i].pages; page != NULL; page = next) {
                next = page->next;
                int rc = fn(heap, page, user);
                if (rc != 0)
                    return rc;
            }
        }
    }
    rci_page *next;
    for (rci_page *page = heap->pages.large; page != NULL; page = next) {
        next = page->next;
        if (containers_only && !page->container)
            continue;
        int rc = fn(heap, page, user);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Returns every page to the allocator (rc_heap_free, after all objects were freed). */
void rci_pages_free_all(rc_heap *heap)
{
    heap->pages.emptied = NULL;
    for (unsigned c = 0; c < 2; c++) {
        for (unsigned i = 0; i < RCI_N_CLASSES; i++) {
            rci_pool *pool = &heap->pages.pools[c][i];
            while (pool->pages != NULL) {
                rci_page *page = pool->pages;
                pool->pages = page->next;
                heap->alloc.free(heap->alloc.user, page, RC_PAGE_BYTES, RC_PAGE_BYTES);
            }
            pool->cur = &heap->pages.no_page; /* NO-PAGE */
            pool->avail = NULL;
        }
    }
    while (heap->pages.large != NULL) {
        rci_page *page = heap->pages.large;
        heap->pages.large = page->next;
        heap->alloc.free(heap->alloc.user, page, large_map_bytes(page->slot_bytes), RC_PAGE_BYTES);
    }
    spares_trim(heap, 0);
    heap->pages.young = heap->pages.gen1 = NULL;
    heap->pages.page_bytes = heap->pages.large_bytes = 0;
}
