/*
 * test_gc_validate.c -- white-box checks of the collector's phase validators
 * (src/gcvalidate.c; the invariants GC-SET to GC-PROMOTED of src/gc.c's header, section
 * 4): for each, a set S whose headers keep the phase's promise passes without a report,
 * and one broken bit is reported as misuse of kind RC_MISUSE_ASSERT naming the invariant.
 * The validators are called directly on a set of one page, so these tests run in every
 * build; at debug level 2 and up the library calls them after each phase, which the last
 * test shows on a real collection.
 */
#include "rctest.h"

#include <string.h>

#include "internal.h"

typedef struct report_log {
    int count;
    int asserts;
    rc_misuse_kind kind;
    char first_assert[256]; /* the first RC_MISUSE_ASSERT message */
} report_log;

static void record(rc_heap *heap, const rc_misuse *m, void *user)
{
    (void)heap;
    report_log *log = user;
    log->count++;
    log->kind = m->kind;
    if (m->kind == RC_MISUSE_ASSERT && log->asserts++ == 0)
        snprintf(log->first_assert, sizeof log->first_assert, "%s", m->message);
}

typedef struct fixture {
    rc_heap *heap;
    report_log log;
    rc_object *obj; /* a tracked pair of generation 0, count 1 */
    rci_gcvalidate_set set;
} fixture;

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->heap = rt_heap_new_exact();
    rc_heap_set_misuse_hook(f->heap, record, &f->log);
    f->obj = rt_pair_new(f->heap, rt_pair_type(f->heap), 1);
    rci_page *page = rci_page_of(f->obj);
    page->cnext = NULL; /* S is this page alone */
    f->set.pages = page;
    f->set.members = NULL;
    f->set.lo = 0;
    f->set.span = 2;
    f->set.rites = false;
}

static void finish(fixture *f)
{
    f->obj->_tinfo &=
        ~(RCI_REACHABLE | RCI_SCANNED | RCI_EXTREFS | RCI_GARBAGE | RCI_UNCOLLECTABLE);
    f->obj->_refcnt = 1;
    rc_heap_clear_error(f->heap);
    rc_decref(f->heap, f->obj);
    rt_heap_finish(f->heap);
}

/* check passes on obj's header as it is now: no report. */
static void assert_holds(fixture *f, rci_gcvalidate_check check)
{
    int before = f->log.count;
    rci_gcvalidate(f->heap, &f->set, check);
    if (f->log.count != before)
        fail_msg("unexpected report: %s", f->log.first_assert);
}

/* check reports exactly one broken invariant, named name, saying why. */
static void assert_broken(fixture *f, rci_gcvalidate_check check, const char *name, const char *why)
{
    f->log.asserts = 0;
    int before = f->log.count;
    rci_gcvalidate(f->heap, &f->set, check);
    assert_int_equal(f->log.count, before + 1);
    assert_int_equal(f->log.kind, RC_MISUSE_ASSERT);
    char want[128];
    snprintf(want, sizeof want, "internal assertion failed: %s after its phase: ", name);
    if (strncmp(f->log.first_assert, want, strlen(want)) != 0 ||
        strstr(f->log.first_assert, why) == NULL)
        fail_msg("report \"%s\" is not \"%s%s...\"", f->log.first_assert, want, why);
    assert_int_equal(rc_heap_last_error(f->heap), RC_EMISUSE);
}

static void gc_set_needs_clean_bits_container_pages_and_members_in_s(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    assert_holds(&f, RCI_GCV_SET);
    f.obj->_tinfo |= RCI_SCANNED;
    assert_broken(&f, RCI_GCV_SET, "GC-SET", "carries a collection bit");
    f.obj->_tinfo &= ~RCI_SCANNED;
    /* A page listed twice would loop. */
    f.set.pages->cnext = f.set.pages;
    assert_broken(&f, RCI_GCV_SET, "GC-SET", "listed twice");
    f.set.pages->cnext = NULL;
    /* An atomic page. */
    rc_object *x = rc_float_new(f.heap, 2.5);
    rci_page *atomic = rci_page_of(x);
    atomic->cnext = NULL;
    f.set.pages = atomic;
    assert_broken(&f, RCI_GCV_SET, "GC-SET", "atomic page");
    rc_decref(f.heap, x);
    /* A partial run's members are generation 1: a generation-0 member is not in S. */
    rci_page pseudo;
    memset(&pseudo, 0, sizeof pseudo);
    pseudo.bump = 1;
    rc_object *members[1] = {f.obj};
    f.set.pages = &pseudo;
    f.set.members = members;
    f.set.lo = 1;
    f.set.span = 0;
    assert_broken(&f, RCI_GCV_SET, "GC-SET", "not in S");
    f.obj->_tinfo |= 1u; /* generation 1 */
    assert_holds(&f, RCI_GCV_SET);
    f.obj->_tinfo &= ~RCI_GEN_MASK;
    finish(&f);
}

static void gc_subtracted_allows_extrefs_only(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    f.obj->_tinfo |= RCI_EXTREFS;
    f.obj->_refcnt = 0;
    assert_holds(&f, RCI_GCV_SUBTRACTED);
    f.obj->_tinfo |= RCI_REACHABLE;
    assert_broken(&f, RCI_GCV_SUBTRACTED, "GC-SUBTRACTED", "other than EXTREFS");
    finish(&f);
}

static void gc_marked_needs_reachable_on_every_positive_count(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    assert_broken(&f, RCI_GCV_MARKED, "GC-MARKED", "outside references is not REACHABLE");
    f.obj->_tinfo |= RCI_REACHABLE | RCI_SCANNED;
    assert_holds(&f, RCI_GCV_MARKED);
    f.obj->_tinfo &= ~RCI_SCANNED;
    assert_broken(&f, RCI_GCV_MARKED, "GC-MARKED", "REACHABLE without SCANNED");
    f.obj->_tinfo &= ~RCI_REACHABLE;
    f.obj->_refcnt = 0;
    assert_holds(&f, RCI_GCV_MARKED); /* unreachable, count 0 */
    f.obj->_tinfo |= RCI_GARBAGE;
    assert_broken(&f, RCI_GCV_MARKED, "GC-MARKED", "GARBAGE or UNCOLLECTABLE before phase 3");
    finish(&f);
}

static void gc_garbage_recorded_needs_exactly_one_of_reachable_and_garbage(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    assert_broken(&f, RCI_GCV_GARBAGE_RECORDED, "GC-GARBAGE-RECORDED", "not exactly one");
    f.obj->_tinfo |= RCI_GARBAGE;
    assert_holds(&f, RCI_GCV_GARBAGE_RECORDED);
    f.obj->_tinfo |= RCI_REACHABLE;
    assert_broken(&f, RCI_GCV_GARBAGE_RECORDED, "GC-GARBAGE-RECORDED", "not exactly one");
    finish(&f);
}

static void gc_legacy_needs_uncollectable_reachable_and_not_garbage(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    f.obj->_tinfo |= RCI_UNCOLLECTABLE | RCI_REACHABLE;
    assert_holds(&f, RCI_GCV_LEGACY);
    f.obj->_tinfo &= ~RCI_REACHABLE;
    assert_broken(&f, RCI_GCV_LEGACY, "GC-LEGACY", "UNCOLLECTABLE without REACHABLE");
    f.obj->_tinfo = (f.obj->_tinfo & ~RCI_UNCOLLECTABLE) | RCI_GARBAGE | RCI_REACHABLE;
    assert_broken(&f, RCI_GCV_LEGACY, "GC-LEGACY", "both REACHABLE and GARBAGE");
    finish(&f);
}

static void gc_resurrected_needs_garbage_with_references_reachable(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    f.set.rites = true;
    f.obj->_tinfo |= RCI_GARBAGE;
    assert_broken(&f, RCI_GCV_RESURRECTED, "GC-RESURRECTED", "is not REACHABLE");
    f.obj->_refcnt = 0;
    assert_holds(&f, RCI_GCV_RESURRECTED); /* still garbage */
    f.obj->_tinfo |= RCI_REACHABLE;
    assert_broken(&f, RCI_GCV_RESURRECTED, "GC-RESURRECTED", "resurrected object has a count");
    f.obj->_refcnt = 1;
    assert_holds(&f, RCI_GCV_RESURRECTED); /* resurrected */
    finish(&f);
}

static void gc_released_needs_garbage_at_zero_and_survivors_above(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    assert_broken(&f, RCI_GCV_RELEASED, "GC-RELEASED", "garbage has a count above 0");
    f.set.rites = true; /* after phase 3, an object with neither bit is user code's */
    assert_holds(&f, RCI_GCV_RELEASED);
    f.obj->_tinfo |= RCI_GARBAGE;
    assert_broken(&f, RCI_GCV_RELEASED, "GC-RELEASED", "garbage has a count above 0");
    f.obj->_tinfo = (f.obj->_tinfo & ~RCI_GARBAGE) | RCI_REACHABLE;
    assert_holds(&f, RCI_GCV_RELEASED);
    f.obj->_refcnt = 0;
    assert_broken(&f, RCI_GCV_RELEASED, "GC-RELEASED", "survivor has a count below 1");
    finish(&f);
}

static void gc_promoted_needs_every_collection_bit_gone(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    assert_holds(&f, RCI_GCV_PROMOTED);
    f.obj->_tinfo |= RCI_EXTREFS;
    assert_broken(&f, RCI_GCV_PROMOTED, "GC-PROMOTED", "survived phase 5");
    finish(&f);
}

/* At debug level 2 and up a collection validates S after each phase: a collection bit
 * left on an object between collections is caught by GC-SET before phase 1 runs. */
static void collection_validates_its_set_at_debug_level_2(void **state)
{
    (void)state;
    fixture f;
    setup(&f);
    f.obj->_tinfo |= RCI_SCANNED;
    rc_collect(f.heap, 0);
    if (RCGC_DEBUG >= 2) {
        assert_true(f.log.asserts >= 1);
        assert_non_null(strstr(f.log.first_assert, "GC-SET after its phase"));
    } else {
        assert_int_equal(f.log.asserts, 0);
    }
    f.log.asserts = 0;
    int before = f.log.count;
    rc_collect(f.heap, 2); /* phase 5 cleared the bit: a clean collection reports nothing */
    assert_int_equal(f.log.count, before);
    finish(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gc_set_needs_clean_bits_container_pages_and_members_in_s),
        cmocka_unit_test(gc_subtracted_allows_extrefs_only),
        cmocka_unit_test(gc_marked_needs_reachable_on_every_positive_count),
        cmocka_unit_test(gc_garbage_recorded_needs_exactly_one_of_reachable_and_garbage),
        cmocka_unit_test(gc_legacy_needs_uncollectable_reachable_and_not_garbage),
        cmocka_unit_test(gc_resurrected_needs_garbage_with_references_reachable),
        cmocka_unit_test(gc_released_needs_garbage_at_zero_and_survivors_above),
        cmocka_unit_test(gc_promoted_needs_every_collection_bit_gone),
        cmocka_unit_test(collection_validates_its_set_at_debug_level_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
