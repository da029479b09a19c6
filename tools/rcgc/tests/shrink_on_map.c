/* LD_PRELOAD helper of the CLI test shrinking_input_is_an_error: once the
 * tool has mapped the file named by RCGC_TEST_SHRINK_PATH, that file is cut
 * to RCGC_TEST_SHRINK_BYTES, as when another program truncates it while the
 * tool reads it. Reading the mapping past the new end then raises SIGBUS,
 * every time, with no timing involved. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef void *mmap_fn(void *, size_t, int, int, int, off_t);

static void shrink_if_watched(int fd)
{
    const char *path = getenv("RCGC_TEST_SHRINK_PATH");
    const char *bytes = getenv("RCGC_TEST_SHRINK_BYTES");
    struct stat a, b;
    if (fd < 0 || !path || fstat(fd, &a) != 0 || stat(path, &b) != 0)
        return;
    if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        return;
    if (truncate(path, bytes ? atoll(bytes) : 0) != 0)
        abort();
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    mmap_fn *real = (mmap_fn *)dlsym(RTLD_NEXT, "mmap");
    void *p = real(addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED)
        shrink_if_watched(fd);
    return p;
}
