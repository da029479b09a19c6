/* Loading the input: a regular file is mapped read-only (its pages stay in
 * the page cache and cost no copy); standard input, pipes and other files
 * are read into one heap buffer. A UTF-8 byte order mark at the start is
 * skipped. Errors are reported here, as `rcgc: <file>: <why>`, and return 1.
 *
 * Invariant SHRINK: a mapped file that another program truncates while it
 * is read must not kill the tool with SIGBUS. The SIGBUS handler, for a
 * fault inside the mapping, puts pages of '\n' in place of the pages past
 * the file's new end (built aside, then moved in with one mremap, so no
 * thread ever sees them half filled) and notes the shrink. Blank lines are
 * harmless to every reader (LF_END still holds), and the run then fails
 * with input_report_shrink before it prints anything. A fault elsewhere
 * gets the default action. Reading with read() instead would double the
 * memory of a multi-gigabyte input, and mapping is what keeps it small. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../rcgc_tool.h"

/* Pages replaced per fault: a file cut to nothing then takes few faults. */
#define SHRINK_FILL_BYTES ((size_t)1 << 20)

/* The one guarded mapping (the tool maps one input per run). */
static struct {
    unsigned char *base; /* first byte of the mapping, or NULL */
    size_t bytes;        /* its length, whole pages */
    size_t page;         /* page size in bytes */
    int shrank;          /* SHRINK noted; read and written atomically */
} guard;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    unsigned char *a = si->si_addr;
    if (!guard.base || a < guard.base || a >= guard.base + guard.bytes) {
        signal(sig, SIG_DFL); /* not ours: the fault repeats and ends the process */
        return;
    }
    unsigned char *at = guard.base + (size_t)(a - guard.base) / guard.page * guard.page;
    size_t n = (size_t)(guard.base + guard.bytes - at);
    n = n < SHRINK_FILL_BYTES ? n : SHRINK_FILL_BYTES;
    void *fill = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (fill == MAP_FAILED) {
        signal(sig, SIG_DFL);
        return;
    }
    memset(fill, '\n', n);
    if (mremap(fill, n, n, MREMAP_MAYMOVE | MREMAP_FIXED, at) == MAP_FAILED) {
        munmap(fill, n);
        signal(sig, SIG_DFL);
        return;
    }
    __atomic_store_n(&guard.shrank, 1, __ATOMIC_RELAXED);
}

static void guard_mapping(void *base, size_t size)
{
    guard.page = (size_t)sysconf(_SC_PAGESIZE);
    guard.bytes = (size + guard.page - 1) / guard.page * guard.page;
    guard.base = base;
    __atomic_store_n(&guard.shrank, 0, __ATOMIC_RELAXED);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, NULL);
}

bool input_shrank(const struct input *in)
{
    (void)in; /* one input per run: the guard is its */
    return __atomic_load_n(&guard.shrank, __ATOMIC_RELAXED);
}

int input_report_shrink(const struct input *in)
{
    if (!input_shrank(in))
        return 0;
    fprintf(stderr, "rcgc: %s: the file shrank while it was read (truncated by another program?)\n",
            in->label);
    return 1;
}

static int fail(const char *label, int err)
{
    fprintf(stderr, "rcgc: %s: %s\n", label, strerror(err));
    return 1;
}

static int read_all(struct input *in, int fd)
{
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = xmalloc(cap);
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t got = read(fd, buf + len, cap - len);
        if (got == 0)
            break;
        if (got < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            free(buf);
            return fail(in->label, err);
        }
        len += (size_t)got;
    }
    in->data = buf;
    in->size = len;
    in->mapped = false;
    in->block = buf;
    in->block_bytes = cap;
    return 0;
}

static int map_file(struct input *in, int fd, size_t size)
{
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return read_all(in, fd);
    guard_mapping(p, size);
    posix_madvise(p, size, POSIX_MADV_SEQUENTIAL);
    in->data = p;
    in->size = size;
    in->mapped = true;
    in->block = p;
    in->block_bytes = size;
    return 0;
}

static void skip_bom(struct input *in)
{
    if (in->size >= 3 && in->data[0] == 0xef && in->data[1] == 0xbb && in->data[2] == 0xbf) {
        in->data += 3;
        in->size -= 3;
    }
}

int input_load(struct input *in, const char *path)
{
    bool is_stdin = path == NULL || strcmp(path, "-") == 0;
    memset(in, 0, sizeof *in);
    in->label = is_stdin ? "<stdin>" : path;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0)
        return fail(in->label, errno);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        if (!is_stdin)
            close(fd);
        return fail(in->label, err);
    }
    int rc;
    if (S_ISDIR(st.st_mode))
        rc = fail(in->label, EISDIR);
    else if (S_ISREG(st.st_mode) && st.st_size > 0)
        rc = map_file(in, fd, (size_t)st.st_size);
    else
        rc = read_all(in, fd);
    if (!is_stdin)
        close(fd);
    if (rc == 0)
        skip_bom(in);
    return rc;
}

/* Whether the first line (up to the first LF) holds a CR not before LF. */
static bool first_line_has_lone_cr(const struct input *in)
{
    const unsigned char *d = in->data, *nl = memchr(d, '\n', in->size);
    size_t n = nl ? (size_t)(nl - d) : in->size;
    const unsigned char *cr = memchr(d, '\r', n);
    while (cr) {
        if (cr + 1 == d + in->size || cr[1] != '\n')
            return true;
        cr = memchr(cr + 1, '\r', n - (size_t)(cr + 1 - d));
    }
    return false;
}

void input_lone_cr_to_lf(struct input *in)
{
    if (!first_line_has_lone_cr(in))
        return;
    unsigned char *copy = xmalloc(in->size + 1);
    for (size_t i = 0; i < in->size; i++) {
        unsigned char c = in->data[i];
        copy[i] = c == '\r' && (i + 1 == in->size || in->data[i + 1] != '\n') ? '\n' : c;
    }
    input_release(in);
    in->data = copy;
    in->block = copy;
    in->block_bytes = in->size + 1;
    in->mapped = false;
}

void input_release(struct input *in)
{
    if (in->mapped) {
        munmap(in->block, in->block_bytes);
        guard.base = NULL;
    } else {
        free(in->block);
    }
    in->block = NULL;
    in->data = NULL;
}
