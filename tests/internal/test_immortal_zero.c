/* White-box: a release that takes an immortal object's count to zero puts it back at
 * RC_IMMORTAL_REFCNT instead of freeing it (src/immortal.c, IMMORTAL). Reaching zero from
 * the public API takes 2^30 unmatched releases; here the count is set close to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"

static void release_to_zero_restores(void **state)
{
    (void)state;
    rc_heap *h = rc_heap_new(NULL);
    rc_object *nil = rc_str_from_cstr(h, "nil");
    assert_int_equal(rc_make_immortal(h, nil), RC_OK);
    rc_heap_stats st = {.size = sizeof st};
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    uint64_t freed = st.total_freed;
    nil->_refcnt = 2;
    rc_decref(h, nil);
    rc_decref(h, nil); /* zero: restored, not freed */
    assert_int_equal(rc_refcount(nil), RC_IMMORTAL_REFCNT);
    rc_decref(h, nil);
    assert_int_equal(rc_refcount(nil), RC_IMMORTAL_REFCNT - 1);
    assert_int_equal(rc_heap_get_stats(h, &st), RC_OK);
    assert_int_equal(st.total_freed, freed);
    assert_string_equal(rc_str_data(h, nil), "nil");
    assert_int_equal(rc_heap_last_error(h), RC_OK);
    assert_int_equal(rc_heap_check(h), RC_OK);
    rc_heap_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(release_to_zero_restores),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
