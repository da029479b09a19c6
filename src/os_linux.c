/*
 * os_linux.c -- the one file that talks to the kernel: page mappings for the system
 * allocator and the process's memory figures (USS/PSS/RSS). Another OS gets another file
 * behind the same three functions of internal.h.
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Maps bytes aligned to align (a power of two) by mapping align extra bytes and unmapping
 * the slack on both sides; the kernel then holds exactly the pages asked for. */
void *rci_os_map(size_t bytes, size_t align)
{
    size_t span = bytes + align;
    if (span < bytes)
        return NULL;
    char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1);
    size_t head = start - (uintptr_t)raw;
    size_t tail = span - head - bytes;
    if (head > 0)
        munmap(raw, head);
    if (tail > 0)
        munmap((char *)start + bytes, tail);
    return (void *)start;
}

void rci_os_unmap(void *block, size_t bytes)
{
    munmap(block, bytes);
}

uint64_t rci_os_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static size_t round_pages(size_t bytes)
{
    return (bytes + 4095) & ~(size_t)4095;
}

/* Big buffers. From 2 MiB on they are mapped in whole, 2 MiB-aligned units, so that a
 * system running transparent huge pages for everything ("always") can back each unit with
 * one huge page and keep it so when the buffer grows: growth is done in place when the
 * addresses after it are free, and otherwise by moving the page tables to a new aligned
 * range, which moves huge pages whole instead of splitting them. rcgc does not ask for
 * huge pages itself (MADV_HUGEPAGE): on virtual machines that return freed memory to the
 * host, a huge-page fault can cost ten times the 4 KiB faults it replaces (a 10M-item
 * list took 0.2 s instead of 0.035 s in bench/ on this project's VMs), so the choice stays
 * with the system's setting. The mapped length is a function of the byte count alone, so
 * map, remap and unmap agree. */
#define HUGE_BYTES ((size_t)2 << 20)

static size_t big_len(size_t bytes)
{
    return bytes >= HUGE_BYTES ? (bytes + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1) : round_pages(bytes);
}

void *rci_os_map_big(size_t bytes)
{
    size_t len = big_len(bytes);
    void *block = len >= HUGE_BYTES
                      ? rci_os_map(len, HUGE_BYTES)
                      : mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (block == MAP_FAILED || block == NULL)
        return NULL;
    return block;
}

void *rci_os_remap_big(void *block, size_t old_bytes, size_t new_bytes)
{
    size_t old_len = big_len(old_bytes), new_len = big_len(new_bytes);
    if (old_len == new_len)
        return block;
    if (new_len < HUGE_BYTES || new_len < old_len) {
        void *moved = mremap(block, old_len, new_len, MREMAP_MAYMOVE);
        return moved == MAP_FAILED ? NULL : moved;
    }
    /* Growing to huge units: in place if the kernel can, else into a fresh aligned range
     * (mremap with MREMAP_FIXED replaces the reservation's pages). */
    if (mremap(block, old_len, new_len, 0) != MAP_FAILED)
        return block;
    void *dest = rci_os_map(new_len, HUGE_BYTES);
    if (dest == NULL)
        return NULL;
    void *moved = mremap(block, old_len, new_len, MREMAP_MAYMOVE | MREMAP_FIXED, dest);
    if (moved == MAP_FAILED) {
        munmap(dest, new_len);
        return NULL;
    }
    return moved;
}

void rci_os_unmap_big(void *block, size_t bytes)
{
    munmap(block, big_len(bytes));
}

/* Reads "Name:   N kB" lines of /proc/self/smaps_rollup, which sums every mapping. */
static size_t field_kib(const char *text, const char *name)
{
    size_t total = 0;
    size_t name_len = strlen(name);
    for (const char *p = text; p != NULL && *p != '\0';) {
        if (strncmp(p, name, name_len) == 0 && p[name_len] == ':')
            total += strtoull(p + name_len + 1, NULL, 10);
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return total;
}

rc_status rci_os_memory(rc_process_memory *out, char *why, size_t why_cap)
{
    int fd = open("/proc/self/smaps_rollup", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_cap, "cannot open /proc/self/smaps_rollup: %s", strerror(errno));
        return RC_EOS;
    }
    char text[4096];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(fd, text + used, sizeof text - 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    text[used] = '\0';
    if (used == 0) {
        snprintf(why, why_cap, "/proc/self/smaps_rollup is empty");
        return RC_EOS;
    }
    out->rss_bytes = field_kib(text, "Rss") * 1024;
    out->pss_bytes = field_kib(text, "Pss") * 1024;
    out->uss_bytes = (field_kib(text, "Private_Clean") + field_kib(text, "Private_Dirty")) * 1024;
    return RC_OK;
}
