/*
 * test_assertions.c -- white-box checks of the executable invariants (debug.h): a failed
 * rc_assert is reported as misuse of its own kind, RC_MISUSE_ASSERT, naming the file, the
 * line and the expression; and page.c's assertions on page and pool transitions catch a
 * broken transition in a library built at debug level 2 or more (the stress build of CI),
 * while a release build does not look.
 */
#include "rctest.h"

#include <string.h>

/* The library's debug level. This file then raises its own to 2, so that rc_assert is
 * compiled here whatever the build; the library's assertions follow the library's level. */
enum { LIB_DEBUG = RCGC_DEBUG };
#undef RCGC_DEBUG
#define RCGC_DEBUG 2
#include "internal.h"
#include "weakref.h"

typedef struct assert_log {
    int count;
    rc_misuse_kind kind;
    char file[256];
    int line;
    char message[256];
} assert_log;

static void record(rc_heap *heap, const rc_misuse *m, void *user)
{
    (void)heap;
    assert_log *log = user;
    log->count++;
    log->kind = m->kind;
    snprintf(log->file, sizeof log->file, "%s", m->file ? m->file : "");
    log->line = m->line;
    snprintf(log->message, sizeof log->message, "%s", m->message ? m->message : "");
}

static void failed_assertion_is_misuse_of_its_own_kind_with_file_line_and_expression(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_log log = {0};
    rc_heap_set_misuse_hook(heap, record, &log);
    int two = 2;
    rc_assert(heap, two + 1 == 2);
    int line = __LINE__ - 1;
    assert_int_equal(log.count, 1);
    assert_int_equal(log.kind, RC_MISUSE_ASSERT);
    assert_int_equal(log.line, line);
    assert_non_null(strstr(log.file, "test_assertions.c"));
    char want[256];
    snprintf(want, sizeof want, "internal assertion failed at test_assertions.c:%d: two + 1 == 2",
             line);
    assert_string_equal(log.message, want);
    assert_string_equal(rc_heap_errmsg(heap), want);
    assert_int_equal(rc_heap_last_error(heap), RC_EMISUSE);
    rc_heap_clear_error(heap);
    rc_assert(heap, two + 1 == 3); /* holds: nothing reported */
    assert_int_equal(log.count, 1);
    assert_int_equal(rc_heap_last_error(heap), RC_OK);
    rt_heap_finish(heap);
}

/* GENLISTS (page.c): only container pages go on the young list. */
static void atomic_page_on_the_young_list_is_caught_at_debug_level_2(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_log log = {0};
    rc_heap_set_misuse_hook(heap, record, &log);
    rc_object *f = rc_float_new(heap, 1.5);
    assert_non_null(f);
    rci_page *page = rci_page_of(f);
    assert_false(page->container);
    rci_page_note_gen(heap, page, 0);
    if (LIB_DEBUG >= 2) {
        assert_int_equal(log.count, 1);
        assert_int_equal(log.kind, RC_MISUSE_ASSERT);
        assert_non_null(strstr(log.file, "page.c"));
        assert_non_null(strstr(log.message, "page->container"));
    } else {
        assert_int_equal(log.count, 0);
    }
    rci_page_unlist_gen(heap, page, 0); /* repaired */
    assert_false(page->lists & RCI_IN_YOUNG);
    rc_heap_clear_error(heap);
    rc_decref(heap, f);
    rt_heap_finish(heap);
}

/* POOL (page.c): a large object's page has one slot; freeing it checks that. */
static void large_page_with_wrong_slot_count_is_caught_when_freed(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_log log = {0};
    rc_heap_set_misuse_hook(heap, record, &log);
    enum { N = 3 * RCI_MAX_CLASS_BYTES };
    static char text[N];
    memset(text, 'x', sizeof text);
    rc_object *s = rc_str_new(heap, text, sizeof text);
    assert_non_null(s);
    rci_page *page = rci_page_of(s);
    assert_null(page->pool);
    assert_int_equal(page->n_slots, 1);
    page->n_slots = 2; /* broken: the release path must notice */
    rc_decref(heap, s);
    if (LIB_DEBUG >= 2) {
        assert_int_equal(log.count, 1);
        assert_int_equal(log.kind, RC_MISUSE_ASSERT);
        assert_non_null(strstr(log.file, "page.c"));
        assert_non_null(strstr(log.message, "page->n_slots == 1"));
    } else {
        assert_int_equal(log.count, 0);
    }
    rc_heap_clear_error(heap);
    rt_heap_finish(heap);
}

/* WEAKLIST (weakref.c): a listed weakref's pprev points at the pointer that points at it;
 * a weakref dying with a broken link is caught before it unlinks itself. */
static void weakref_with_a_broken_list_link_is_caught_when_it_dies(void **state)
{
    (void)state;
    rc_heap *heap = rt_heap_new_exact();
    assert_log log = {0};
    rc_heap_set_misuse_hook(heap, record, &log);
    rc_object *obj = rt_list(heap);
    rc_object *wr = rc_weakref_new(heap, obj, NULL, NULL);
    assert_non_null(wr);
    rci_weakref *w = (rci_weakref *)wr;
    rci_weakref **real = w->pprev, *dummy = NULL;
    assert_ptr_equal(*real, w);
    w->pprev = &dummy; /* broken: the unlink must notice */
    rci_weakref *next = w->next;
    rc_decref(heap, wr);
    if (LIB_DEBUG >= 2) {
        assert_int_equal(log.count, 1);
        assert_int_equal(log.kind, RC_MISUSE_ASSERT);
        assert_non_null(strstr(log.message, "WEAKLIST: "));
    } else {
        assert_int_equal(log.count, 0);
    }
    *real = next; /* repaired: the list no longer holds the freed weakref */
    rc_heap_clear_error(heap);
    rc_decref(heap, obj);
    rt_heap_finish(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(failed_assertion_is_misuse_of_its_own_kind_with_file_line_and_expression),
        cmocka_unit_test(atomic_page_on_the_young_list_is_caught_at_debug_level_2),
        cmocka_unit_test(large_page_with_wrong_slot_count_is_caught_when_freed),
        cmocka_unit_test(weakref_with_a_broken_list_link_is_caught_when_it_dies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
