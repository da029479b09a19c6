/*
 * demo.c -- the lesson on Python's memory management, reenacted with rcgc.
 *
 * The lesson (a Chinese course chapter on Python's garbage collection) builds a list of ten
 * million ints inside a function, keeps it through a global or a return value, counts
 * references with sys.getrefcount, frees a list by hand with del + gc.collect(), and shows
 * two big lists in a cycle surviving until gc.collect(). This program does each step with
 * rcgc's public API and prints the process's USS as the kernel counts it beside the figure
 * the lesson printed for CPython, so both systems can be read side by side. The rcgc
 * figures are measured on every run; the Python figures are the lesson's, quoted.
 *
 * Run: make demo   (or build/examples/rcgc-demo [N], N = list length, default 10000000)
 */
#include <rcgc.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_N 10000000u

/* The scenario "global a": a list that outlives the function that built it. */
static rc_object *global_a;

static double mib(size_t bytes)
{
    return (double)bytes / (1024.0 * 1024.0);
}

/* USS in MiB, as the lesson's show_memory_info prints (psutil's uss / 1024 / 1024). */
static double uss_mib(rc_heap *heap)
{
    rc_process_memory m;
    memset(&m, 0, sizeof m);
    m.size = sizeof m;
    if (rc_process_memory_get(heap, &m) != RC_OK) {
        fprintf(stderr, "rcgc-demo: rc_process_memory_get: %s\n", rc_heap_errmsg(heap));
        exit(1);
    }
    return mib(m.uss_bytes);
}

static void die(rc_heap *heap, const char *what)
{
    fprintf(stderr, "rcgc-demo: %s: %s\n", what, rc_heap_errmsg(heap));
    exit(1);
}

static void heading(const char *title, const char *python)
{
    printf("\n== %s\n", title);
    printf("   Python: %s\n", python);
    printf("   %-36s %14s %18s\n", "", "rcgc (measured)", "Python (lesson)");
}

/* One line of USS: our figure now beside the lesson's. */
static void show_memory(rc_heap *heap, const char *hint, double lesson_mib)
{
    char label[64];
    snprintf(label, sizeof label, "%s memory used", hint);
    printf("   %-36s %11.2f MB %15.2f MB\n", label, uss_mib(heap), lesson_mib);
}

/* [i for i in range(n)]: small ints live in the reference itself, so the list's buffer is
 * the whole cost (8 bytes an item). */
static rc_object *make_int_list(rc_heap *heap, size_t n)
{
    rc_object *list = rc_list_new(heap, 0);
    if (list == NULL)
        die(heap, "rc_list_new");
    for (size_t i = 0; i < n; i++) {
        if (rc_list_append_steal(heap, list, rc_int_new(heap, (int64_t)i)) != RC_OK)
            die(heap, "rc_list_append_steal");
    }
    return list;
}

/* Lesson: def func(): a = [...]; the local dies with the call. */
static void func_local(rc_heap *heap, size_t n, const double lesson[3])
{
    show_memory(heap, "initial", lesson[0]);
    rc_object *a = make_int_list(heap, n);
    show_memory(heap, "after a created", lesson[1]);
    rc_decref(heap, a); /* the end of the function's scope: the last reference goes */
}

/* Lesson: global a; a = [...]. */
static void func_global(rc_heap *heap, size_t n, const double lesson[3])
{
    show_memory(heap, "initial", lesson[0]);
    global_a = make_int_list(heap, n);
    show_memory(heap, "after a created", lesson[1]);
}

/* Lesson: a = [...]; return a. */
static rc_object *func_return(rc_heap *heap, size_t n, const double lesson[3])
{
    show_memory(heap, "initial", lesson[0]);
    rc_object *a = make_int_list(heap, n);
    show_memory(heap, "after a created", lesson[1]);
    return a; /* the caller now owns the reference */
}

static void scenarios_lifetime(rc_heap *heap, size_t n)
{
    static const double local[3] = {47.19140625, 433.91015625, 48.109375};
    static const double global[3] = {48.88671875, 433.94921875, 433.94921875};
    static const double returned[3] = {47.96484375, 434.515625, 434.515625};

    heading("1. a list built inside a function is freed when the function returns",
            "def func(): a = [i for i in range(10000000)]");
    func_local(heap, n, local);
    show_memory(heap, "finished", local[2]);

    heading("2. a global keeps it alive after the function returns",
            "def func(): global a; a = [i for i in range(10000000)]");
    func_global(heap, n, global);
    show_memory(heap, "finished", global[2]);
    rc_decref(heap, global_a);
    global_a = NULL;

    heading("3. a returned list stays alive in the caller's variable",
            "def func(): a = [...]; return a     a = func()");
    rc_object *a = func_return(heap, n, returned);
    show_memory(heap, "finished", returned[2]);
    rc_decref(heap, a);
}

static void refcount_line(const char *what, int64_t ours, int python)
{
    printf("   %-44s %6" PRId64 " %18d\n", what, ours, python);
}

/* Lesson: def func(a): print(sys.getrefcount(a)). The argument is borrowed, as every
 * rcgc function's is: the call itself adds no reference. */
static int64_t func_arg(rc_object *a)
{
    return rc_refcount(a);
}

static void scenario_refcounts(rc_heap *heap)
{
    printf("\n== 4. reference counts: one object through a call and through aliases\n");
    printf("   rc_refcount(x) is the stored count. sys.getrefcount(x) adds one for its own\n");
    printf("   argument, and inside a call CPython also counts the caller's stack slot and\n");
    printf("   the parameter; a C argument is a borrowed pointer and adds nothing.\n");
    printf("   %-44s %6s %18s\n", "", "rcgc", "sys.getrefcount");

    rc_object *a = rc_list_new(heap, 0);
    if (a == NULL)
        die(heap, "rc_list_new");
    refcount_line("a = []", rc_refcount(a), 2);
    refcount_line("inside func(a)", func_arg(a), 4);
    refcount_line("after func(a) returned", rc_refcount(a), 2);

    rc_object *alias[7];
    alias[0] = a;
    alias[1] = rc_newref(alias[0]); /* b = a */
    refcount_line("b = a", rc_refcount(a), 3);
    alias[2] = rc_newref(alias[1]); /* c = b */
    alias[3] = rc_newref(alias[1]); /* d = b */
    alias[4] = rc_newref(alias[2]); /* e = c */
    alias[5] = rc_newref(alias[4]); /* f = e */
    alias[6] = rc_newref(alias[3]); /* g = d */
    refcount_line("c = b; d = b; e = c; f = e; g = d (7 names)", rc_refcount(a), 8);
    for (size_t i = 6; i > 0; i--) {
        rc_decref(heap, alias[i]);
    }
    refcount_line("six aliases dropped", rc_refcount(a), 2);
    rc_decref(heap, a);
}

static void scenario_explicit_release(rc_heap *heap, size_t n)
{
    static const double lesson[3] = {48.1015625, 434.3828125, 48.33203125};
    heading("5. explicit release: del a; gc.collect()",
            "a = [...]; del a; gc.collect()   (C: rc_decref + rc_collect(heap, 2))");
    show_memory(heap, "initial", lesson[0]);
    rc_object *a = make_int_list(heap, n);
    show_memory(heap, "after a created", lesson[1]);
    rc_decref(heap, a);
    a = NULL;
    int64_t found = rc_collect(heap, 2);
    show_memory(heap, "finish", lesson[2]);
    printf("   the list was freed by rc_decref; rc_collect found %" PRId64 " unreachable objects\n",
           found);
}

static void show_generations(rc_heap *heap, const char *when)
{
    size_t count[3], threshold[3], sizes[3];
    rc_gc_get_count(heap, count);
    rc_gc_get_threshold(heap, threshold);
    rc_gc_get_generation_sizes(heap, sizes);
    printf("   %-30s count (%zu, %zu, %zu)  threshold (%zu, %zu, %zu)  sizes (%zu, %zu, %zu)\n",
           when, count[0], count[1], count[2], threshold[0], threshold[1], threshold[2], sizes[0],
           sizes[1], sizes[2]);
}

/* Lesson: a and b hold each other; the names die with func() but the lists do not. */
static void func_cycle(rc_heap *heap, size_t n, const double lesson[2])
{
    show_memory(heap, "initial", lesson[0]);
    rc_object *a = make_int_list(heap, n);
    rc_object *b = make_int_list(heap, n);
    show_memory(heap, "after a, b created", lesson[1]);
    if (rc_list_append(heap, a, b) != RC_OK || rc_list_append(heap, b, a) != RC_OK)
        die(heap, "rc_list_append");
    show_generations(heap, "a <-> b linked:");
    rc_decref(heap, a); /* the function's locals go; each list still holds the other */
    rc_decref(heap, b);
}

static void scenario_cycle(rc_heap *heap, size_t n)
{
    static const double without[3] = {47.984375, 822.73828125, 821.73046875};
    static const double with[3] = {49.51171875, 824.1328125, 49.98046875};

    heading("6. two lists in a cycle outlive their names",
            "def func(): a = [...]; b = [...]; a.append(b); b.append(a)   func()");
    show_generations(heap, "before:");
    func_cycle(heap, n, without);
    show_generations(heap, "names dropped:");
    show_memory(heap, "finished", without[2]);

    heading("7. ... until the cycle collector runs",
            "func(); gc.collect()   (C: rc_collect(heap, 2))");
    printf("   (the cycle left by scenario 6 is still there; the lesson's second run built a\n"
           "    new one, whose figures are quoted here)\n");
    show_memory(heap, "before gc.collect()", with[1]);
    int64_t found = rc_collect(heap, 2);
    show_generations(heap, "after rc_collect(heap, 2):");
    show_memory(heap, "finished", with[2]);
    printf("   rc_collect found %" PRId64 " unreachable objects (the two lists)\n", found);
}

/* Keeps made lists in keep until `made` reaches each step, printing the generations. */
static void keep_lists(rc_heap *heap, rc_object *keep, const size_t *steps, size_t n_steps)
{
    size_t made = 0;
    for (size_t s = 0; s < n_steps; s++) {
        while (made < steps[s]) {
            rc_object *item = rc_list_new(heap, 0);
            if (item == NULL || rc_list_append(heap, keep, item) != RC_OK)
                die(heap, "rc_list_append");
            /* Python's `item = []; keep.append(item)`, the name dropped afterwards: the
             * list's count goes from 2 to 1. */
            rc_decref(heap, item);
            made++;
        }
        char label[48];
        snprintf(label, sizeof label, "%zu lists kept:", made);
        show_generations(heap, label);
    }
}

/* Automatic collection, the lesson's way (CPython's schedule, an rcgc heap option) and
 * rcgc's default way (the candidate schedule, src/gc.c section 5). */
static void scenario_generations(rc_heap *heap)
{
    printf("\n== 8. generations: counts, thresholds and sizes as objects are made\n");
    printf("   Python: gc.get_count(), gc.get_threshold() (700, 10, 10 in 3.11; 2000, 10, 10\n"
           "   in 3.13); the lesson prints no figures here.\n");

    printf("   8a. CPython's schedule (rc_heap_config.schedule = RC_GC_SCHEDULE_GENERATIONAL):\n"
           "   count[0] counts container allocations; past threshold[0] generation 0 is\n"
           "   collected and its survivors move to generation 1, and so on.\n");
    rc_heap_config cfg;
    rc_heap_config_init(&cfg);
    cfg.schedule = RC_GC_SCHEDULE_GENERATIONAL;
    rc_heap *gh = rc_heap_new(&cfg);
    if (gh == NULL)
        die(NULL, "rc_heap_new");
    rc_object *keep = rc_list_new(gh, 0);
    if (keep == NULL)
        die(gh, "rc_list_new");
    show_generations(gh, "start:");
    size_t threshold[3];
    rc_gc_get_threshold(gh, threshold);
    size_t steps[] = {threshold[0] / 2, threshold[0], threshold[0] * threshold[1]};
    keep_lists(gh, keep, steps, 3);
    rc_gc_stats st = {.size = sizeof st};
    uint64_t runs = 0;
    for (int g = 0; g < 3; g++)
        if (rc_gc_get_stats(gh, g, &st) == RC_OK)
            runs += st.collections;
    printf("   %" PRIu64 " automatic collections examined the kept lists again and again;"
           " none found garbage.\n",
           runs);
    rc_decref(gh, keep);
    if (rc_heap_check(gh) != RC_OK)
        die(gh, "rc_heap_check");
    rc_heap_free(gh);

    printf("   8b. rcgc's default (RC_GC_SCHEDULE_CANDIDATES): a cycle only becomes garbage when\n"
           "   a reference to it is dropped, so automatic runs examine only objects rc_decref\n"
           "   left at a non-zero count (candidates, generation 1; count[0] counts them) and\n"
           "   a few objects around them. Generation 0 is never-examined objects, 2 examined\n"
           "   ones. A candidate that holds no container (these empty lists) cannot be on a\n"
           "   cycle: one look, then generation 2, and the trigger (rc_gc_get_trigger) backs\n"
           "   off while runs find nothing. Why: CPython's work grows with what a program\n"
           "   allocates and keeps; this grows with what it drops.\n");
    keep = rc_list_new(heap, 0);
    if (keep == NULL)
        die(heap, "rc_list_new");
    show_generations(heap, "start:");
    keep_lists(heap, keep, steps, 3);
    printf("   trigger now %zu (threshold[0] %zu)\n", rc_gc_get_trigger(heap), threshold[0]);
    rc_collect(heap, 2);
    show_generations(heap, "after rc_collect(heap, 2):");
    rc_decref(heap, keep);
    show_generations(heap, "all dropped:");
}

int main(int argc, char **argv)
{
    size_t n = DEFAULT_N;
    if (argc > 1) {
        char *end;
        unsigned long long v = strtoull(argv[1], &end, 10);
        if (*end != '\0' || v == 0) {
            fprintf(stderr, "usage: rcgc-demo [list-length]\n");
            return 2;
        }
        n = (size_t)v;
    }
    rc_heap *heap = rc_heap_new(NULL);
    if (heap == NULL) {
        fprintf(stderr, "rcgc-demo: rc_heap_new failed\n");
        return 1;
    }
    printf("rcgc %d.%d.%d demo: the lesson on Python's memory management, in C\n", RC_VERSION_MAJOR,
           RC_VERSION_MINOR, RC_VERSION_PATCH);
    printf("USS (unique set size, from /proc/self/smaps_rollup) in MiB, as psutil's\n"
           "memory_full_info().uss / 1024 / 1024. Lists hold %zu small ints.\n"
           "The Python column quotes the lesson's CPython output; rcgc's is measured now.\n",
           n);

    scenarios_lifetime(heap, n);
    scenario_refcounts(heap);
    scenario_explicit_release(heap, n);
    scenario_cycle(heap, n);
    scenario_generations(heap);

    rc_status st = rc_heap_check(heap);
    rc_heap_free(heap);
    if (st != RC_OK) {
        fprintf(stderr, "rcgc-demo: rc_heap_check failed\n");
        return 1;
    }
    return 0;
}
