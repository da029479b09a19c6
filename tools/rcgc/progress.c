/* Progress on standard error for large inputs, only when it is a terminal.
 * Parser threads add the bytes they finished; whichever thread moves the
 * shown percentage prints it. The line is rewritten in place with CR and
 * erased at the end, so nothing of it stays in a terminal's scrollback. */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "rcgc_tool.h"

#define PROGRESS_MIN_BYTES ((size_t)100 << 20)

static bool active;
static size_t total;
static atomic_size_t done;
static atomic_int shown;

void progress_start(size_t total_bytes)
{
    active = total_bytes > PROGRESS_MIN_BYTES && isatty(STDERR_FILENO);
    total = total_bytes;
    atomic_store(&done, 0);
    atomic_store(&shown, -1);
}

void progress_add(size_t bytes)
{
    if (!active)
        return;
    size_t now = atomic_fetch_add(&done, bytes) + bytes;
    int pct = (int)(now * 100 / total);
    int old = atomic_load(&shown);
    if (pct > old && atomic_compare_exchange_strong(&shown, &old, pct)) {
        fprintf(stderr, "\rrcgc: reading %3d%%", pct);
        fflush(stderr);
    }
}

void progress_phase(const char *what)
{
    if (!active)
        return;
    fprintf(stderr, "\r\033[Krcgc: %s", what);
    fflush(stderr);
}

void progress_end(void)
{
    if (!active)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    active = false;
}
