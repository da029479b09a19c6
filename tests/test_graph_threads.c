/*
 * test_graph_threads.c -- graph drawing from several threads at once, each with its own
 * heap (the use rcgc.h promises). Rendering images must not share state between the
 * threads: with Graphviz's libgvc called in the process, two threads crashed it (its
 * layout plugins and error state are process-wide). Four threads each draw several SVG,
 * PNG and PDF pictures and DOT text of their own heap's objects; every call succeeds and
 * every file holds what was asked, with no temporary file left behind.
 */
#define _POSIX_C_SOURCE 200809L
#include "rctest.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_THREADS 4
#define N_RENDERS 6

typedef struct job {
    int index;
    const char *dir;
    int ok;         /* renders that succeeded as asked */
    int unrendered; /* image requests answered with DOT text (built without Graphviz) */
    char failure[700];
} job;

static bool file_starts_with(const char *path, const char *magic, size_t n)
{
    char buf[16] = {0};
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    return got == n && memcmp(buf, magic, n) == 0;
}

/* No cmocka assertions here: they are not thread-safe; the main thread checks the jobs. */
static void *draw(void *arg)
{
    job *j = arg;
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.gc_disabled = true;
    cfg.stress = false;
    rc_heap *heap = rc_heap_new(&cfg);
    if (heap == NULL) {
        snprintf(j->failure, sizeof j->failure, "rc_heap_new failed");
        return NULL;
    }
    /* a small cycle with a dict hanging off it, different in each thread */
    rc_object *a = rc_list_new(heap, 0), *b = rc_dict_new(heap);
    rc_list_append(heap, a, b);
    rc_dict_set(heap, b, rc_int_new(heap, j->index), a);
    static const char *const exts[] = {"svg", "png", "pdf", "dot"};
    static const char *const magic[] = {"<?xml", "\x89PNG", "%PDF", "digraph"};
    static const size_t magic_len[] = {5, 4, 4, 7};
    for (int r = 0; r < N_RENDERS && j->failure[0] == '\0'; r++) {
        int e = (r + j->index) % 4;
        char path[256];
        snprintf(path, sizeof path, "%s/t%d-%d.%s", j->dir, j->index, r, exts[e]);
        rc_graph_options opt;
        rc_graph_options_init(&opt);
        rc_graph_result res;
        memset(&res, 0, sizeof res);
        res.size = sizeof res;
        opt.output_path = path;
        opt.result = &res;
        opt.refcounts = true;
        rc_status st = r % 2 ? rc_graph_show_backrefs(heap, &b, 1, &opt)
                             : rc_graph_show_refs(heap, &a, 1, &opt);
        if (st != RC_OK) {
            snprintf(j->failure, sizeof j->failure, "%s: %s", path, rc_heap_errmsg(heap));
            break;
        }
        if (e != 3 && !res.rendered) {
            j->unrendered++;
            remove(res.path);
            continue;
        }
        if (strcmp(res.path, path) != 0 || !file_starts_with(path, magic[e], magic_len[e])) {
            snprintf(j->failure, sizeof j->failure, "%s: not a %s file", path, exts[e]);
            break;
        }
        remove(path);
        j->ok++;
    }
    rc_decref(heap, a);
    rc_decref(heap, b);
    rc_collect(heap, 2);
    if (rc_heap_check(heap) != RC_OK && j->failure[0] == '\0')
        snprintf(j->failure, sizeof j->failure, "rc_heap_check: %s", rc_heap_errmsg(heap));
    rc_heap_free(heap);
    return NULL;
}

static void four_threads_draw_pictures_of_their_own_heaps(void **state)
{
    (void)state;
    char dir[] = "/tmp/rcgc-threads-XXXXXX";
    assert_non_null(mkdtemp(dir));
    job jobs[N_THREADS];
    pthread_t threads[N_THREADS];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < N_THREADS; i++) {
            memset(&jobs[i], 0, sizeof jobs[i]);
            jobs[i].index = i;
            jobs[i].dir = dir;
            assert_int_equal(pthread_create(&threads[i], NULL, draw, &jobs[i]), 0);
        }
        for (int i = 0; i < N_THREADS; i++)
            assert_int_equal(pthread_join(threads[i], NULL), 0);
        for (int i = 0; i < N_THREADS; i++) {
            if (jobs[i].failure[0] != '\0')
                fail_msg("thread %d: %s", i, jobs[i].failure);
            assert_int_equal(jobs[i].ok + jobs[i].unrendered, N_RENDERS);
        }
    }
    assert_int_equal(rmdir(dir), 0); /* every file removed, no temporary left */
}

/* A program that ignores SIGCHLD has its children reaped by the kernel: the renderer
 * cannot learn dot's exit status, and judges by the picture written. */
static void rendering_works_with_sigchld_ignored(void **state)
{
    (void)state;
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    assert_int_equal(sigaction(SIGCHLD, &ign, &old), 0);
    char dir[] = "/tmp/rcgc-sigchld-XXXXXX";
    assert_non_null(mkdtemp(dir));
    job j;
    memset(&j, 0, sizeof j);
    j.dir = dir;
    draw(&j);
    assert_int_equal(sigaction(SIGCHLD, &old, NULL), 0);
    if (j.failure[0] != '\0')
        fail_msg("%s", j.failure);
    assert_int_equal(j.ok + j.unrendered, N_RENDERS);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(four_threads_draw_pictures_of_their_own_heaps),
        cmocka_unit_test(rendering_works_with_sigchld_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
