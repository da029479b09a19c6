/* Loading the input: a regular file is mapped read-only (its pages stay in
 * the page cache and cost no copy); standard input, pipes and other files
 * are read into one heap buffer. Errors are reported here, as
 * `rcgc: <file>: <why>`, and return 1. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rcgc_tool.h"

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
        if (got == 0) break;
        if (got < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            free(buf);
            return fail(in->label, err);
        }
        len += (size_t)got;
    }
    in->data = buf;
    in->size = len;
    in->mapped = false;
    return 0;
}

static int map_file(struct input *in, int fd, size_t size)
{
    void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) return read_all(in, fd);
    posix_madvise(p, size, POSIX_MADV_SEQUENTIAL);
    in->data = p;
    in->size = size;
    in->mapped = true;
    return 0;
}

int input_load(struct input *in, const char *path)
{
    bool is_stdin = path == NULL || strcmp(path, "-") == 0;
    in->label = is_stdin ? "-" : path;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY);
    if (fd < 0) return fail(in->label, errno);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        if (!is_stdin) close(fd);
        return fail(in->label, err);
    }
    int rc;
    if (S_ISDIR(st.st_mode))
        rc = fail(in->label, EISDIR);
    else if (S_ISREG(st.st_mode) && st.st_size > 0)
        rc = map_file(in, fd, (size_t)st.st_size);
    else
        rc = read_all(in, fd);
    if (!is_stdin) close(fd);
    return rc;
}

void input_release(struct input *in)
{
    if (in->mapped)
        munmap((void *)in->data, in->size);
    else
        free((void *)in->data);
    in->data = NULL;
}
