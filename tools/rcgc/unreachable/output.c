/* Buffered standard output. Names are written through one large buffer
 * with write(2); SIGPIPE is ignored by the caller, so a reader that went
 * away (`| head`) shows up here as EPIPE, and the tool then ends quietly
 * with status 0: the reader has all it asked for. Other write errors end
 * it with a message and status 1.
 *
 * Invariant NAME_QUOTING: one output line is one name. A name holding a
 * control byte (below 0x20, or 0x7f), which JSON escapes can give, or
 * starting with '"', is written as a JSON string: in double quotes, with
 * \" \\ \b \f \n \r \t and \u00XX for the other control bytes; bytes
 * from 0x80 are written as they are (names need not be UTF-8). Any other
 * name is written as it is, so a line that starts with '"' is always a
 * quoted name. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../rcgc_tool.h"

#define OUT_BYTES (1u << 20)

static unsigned char out_buf[OUT_BYTES];
static size_t out_len;

static void write_all(const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EPIPE)
            _exit(0);
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
    if (out_len == OUT_BYTES)
        out_flush();
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

static bool needs_quoting(const unsigned char *b, size_t len)
{
    if (len > 0 && b[0] == '"')
        return true;
    for (size_t i = 0; i < len; i++)
        if (b[i] < 0x20 || b[i] == 0x7f)
            return true;
    return false;
}

static void out_quoted(const unsigned char *b, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    out_char('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = b[i];
        const char *esc = c == '"'    ? "\\\""
                          : c == '\\' ? "\\\\"
                          : c == '\b' ? "\\b"
                          : c == '\f' ? "\\f"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t"
                                      : NULL;
        if (esc) {
            out_bytes(esc, 2);
        } else if (c < 0x20 || c == 0x7f) {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out_bytes(u, sizeof u);
        } else {
            out_char((char)c);
        }
    }
    out_char('"');
}

void out_name(const unsigned char *bytes, size_t len)
{
    if (needs_quoting(bytes, len))
        out_quoted(bytes, len);
    else
        out_bytes(bytes, len);
}
