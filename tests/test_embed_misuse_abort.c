/* The exported print-and-abort misuse hook (issue 17, item 8): a release-library client
 * installs rc_misuse_hook_abort; misuse then prints one line on stderr and aborts. Run in a
 * child process. */
#define _POSIX_C_SOURCE 200809L
#include "rctest.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void misuse_prints_and_aborts(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        rc_heap *a = rc_heap_new(NULL), *b = rc_heap_new(NULL);
        rc_heap_set_misuse_hook(a, rc_misuse_hook_abort, NULL);
        const rc_type *list_of_b = rc_heap_builtin_list(b);
        (void)rc_new(a, list_of_b); /* a type of another heap: misuse */
        _exit(0);                   /* not reached */
    }
    close(fds[1]);
    char buf[512] = "";
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1 && (n = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)n;
    buf[got] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(buf, "rcgc: misuse at "));
    assert_non_null(strstr(buf, "rc_new: type 'list' belongs to another heap"));
    assert_non_null(strstr(buf, "(object (nil), type ?)\n"));
}

/* Without it (a release build's default, or after removing it) the call only fails. */
static void without_hook_the_call_fails(void **state)
{
    (void)state;
    rc_heap *a = rt_heap_new(), *b = rt_heap_new();
    rc_heap_set_misuse_hook(a, rc_misuse_hook_abort, NULL);
    rc_heap_set_misuse_hook(a, NULL, NULL);
    assert_null(rc_new(a, rc_heap_builtin_list(b)));
    assert_int_equal(rc_heap_last_error(a), RC_EMISUSE);
    rc_heap_clear_error(a);
    rt_heap_finish(b);
    rt_heap_finish(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(misuse_prints_and_aborts),
        cmocka_unit_test(without_hook_the_call_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
