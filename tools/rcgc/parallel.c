/* A fork-join helper over POSIX threads: the only concurrency in the tool.
 * Tasks share nothing writable except what their argument points to. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "rcgc_tool.h"

struct task {
    void (*fn)(void *);
    void *arg;
};

static void *task_main(void *p)
{
    struct task *t = p;
    t->fn(t->arg);
    return NULL;
}

/* RCGC_THREADS as a count in [1, MAX_THREADS], or 0 if unset or invalid
 * (parallel_check_env warns about the latter). Read at each use, so that
 * the fuzz target can change it between inputs. */
static size_t forced_threads(void)
{
    const char *s = getenv("RCGC_THREADS");
    if (!s || s[0] < '1' || s[0] > '0' + MAX_THREADS || s[1] != '\0')
        return 0;
    return (size_t)(s[0] - '0');
}

void parallel_check_env(void)
{
    const char *s = getenv("RCGC_THREADS");
    if (s && forced_threads() == 0)
        cli_warn("RCGC_THREADS='%s' ignored: not a whole number from 1 to %d (using one thread "
                 "per processor, up to %d)",
                 s, MAX_THREADS, MAX_THREADS);
}

bool parallel_threads_forced(void)
{
    return forced_threads() != 0;
}

size_t parallel_threads(void)
{
    size_t forced = forced_threads();
    if (forced)
        return forced;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > MAX_THREADS ? MAX_THREADS : (size_t)n;
}

/* RCGC_SERIAL_TASKS (defined by the fuzz build) runs the tasks one after
 * another on the caller: the same splits, without thread start-up costs
 * that would dominate a fuzzer's tiny inputs. */
void parallel_run(void (*fn)(void *), void *arg, size_t stride, size_t n)
{
#ifdef RCGC_SERIAL_TASKS
    for (size_t i = 0; i < n; i++)
        fn((char *)arg + i * stride);
    return;
#endif
    pthread_t tid[MAX_THREADS];
    struct task task[MAX_THREADS];
    bool started[MAX_THREADS] = {false};
    char *base = arg;
    for (size_t i = 1; i < n && i < MAX_THREADS; i++) {
        task[i].fn = fn;
        task[i].arg = base + i * stride;
        started[i] = pthread_create(&tid[i], NULL, task_main, &task[i]) == 0;
    }
    if (n > 0)
        fn(base);
    for (size_t i = 1; i < n; i++) {
        if (i < MAX_THREADS && started[i])
            pthread_join(tid[i], NULL);
        else
            fn(base + i * stride);
    }
}
