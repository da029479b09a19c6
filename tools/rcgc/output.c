/* Buffered standard output. Names are written through one large buffer
 * with write(2); SIGPIPE is ignored by the caller, so a reader that went
 * away (`| head`) shows up here as EPIPE, and the tool then ends quietly
 * with status 0: the reader has all it asked for. Other write errors end
 * it with a message and status 1. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rcgc_tool.h"

#define OUT_BYTES (1u << 20)

static unsigned char out_buf[OUT_BYTES];
static size_t out_len;

static void write_all(const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EPIPE) _exit(0);
        if (w < 0) {
            fprintf(stderr, "rcgc: standard output: %s\n", strerror(errno));
            exit(EXIT_BAD_INPUT);
        }
        p += w;
        n -= (size_t)w;
    }
}

void out_flush(void)
{
    write_all(out_buf, out_len);
    out_len = 0;
}

void out_bytes(const void *p, size_t n)
{
    if (n > OUT_BYTES - out_len) {
        out_flush();
        if (n > OUT_BYTES) {
            write_all(p, n);
            return;
        }
    }
    memcpy(out_buf + out_len, p, n);
    out_len += n;
}

void out_char(char c)
{
    if (out_len == OUT_BYTES) out_flush();
    out_buf[out_len++] = (unsigned char)c;
}

void out_u64(uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_bytes(tmp + i, sizeof tmp - i);
}
