/* A fork-join helper over POSIX threads: the only concurrency in the tool.
 * Tasks share nothing writable except what their argument points to. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <unistd.h>

#include "rcgc_tool.h"

#define MAX_THREADS 8

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

size_t parallel_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) return 1;
    return n > MAX_THREADS ? MAX_THREADS : (size_t)n;
}

void parallel_run(void (*fn)(void *), void *arg, size_t stride, size_t n)
{
    pthread_t tid[MAX_THREADS];
    struct task task[MAX_THREADS];
    bool started[MAX_THREADS] = {false};
    char *base = arg;
    for (size_t i = 1; i < n && i < MAX_THREADS; i++) {
        task[i].fn = fn;
        task[i].arg = base + i * stride;
        started[i] = pthread_create(&tid[i], NULL, task_main, &task[i]) == 0;
    }
    if (n > 0) fn(base);
    for (size_t i = 1; i < n; i++) {
        if (i < MAX_THREADS && started[i])
            pthread_join(tid[i], NULL);
        else
            fn(base + i * stride);
    }
}
