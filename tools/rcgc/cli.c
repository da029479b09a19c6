/* Helpers every subcommand shares: error lines that locate themselves in
 * the input (`rcgc: FILE:LINE:COLUMN: ...`), warnings, usage errors, and
 * --help/--version handling. Messages follow STYLE 7: `rcgc: <what>: <why>`
 * on standard error; status 1 for bad input, 2 for bad usage. Nothing here
 * is on a hot path: positions are computed only when an error is printed. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rcgc_tool.h"

struct text_pos text_pos_of(const unsigned char *d, size_t n, size_t offset)
{
    struct text_pos pos = {1, 1};
    if (offset > n)
        offset = n;
    for (size_t i = 0; i < offset; i++) {
        if (d[i] == '\n' || (d[i] == '\r' && (i + 1 == n || d[i + 1] != '\n'))) {
            pos.line++;
            pos.column = 1;
        } else if (d[i] != '\r') {
            pos.column++;
        }
    }
    return pos;
}

void cli_error_at(const struct input *in, size_t offset, const char *fmt, ...)
{
    if (input_report_shrink(in))
        return;
    struct text_pos pos = text_pos_of(in->data, in->size, offset);
    fprintf(stderr, "rcgc: %s:%zu:%zu: ", in->label, pos.line, pos.column);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_warn(const char *fmt, ...)
{
    fputs("rcgc: warning: ", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *command, const char *what, const char *arg)
{
    fprintf(stderr, "rcgc: %s: %s%s%s\n", command, what, arg ? " " : "", arg ? arg : "");
    fprintf(stderr, "Try 'rcgc %s --help'.\n", command);
    return EXIT_USAGE;
}

/* Whether argument a is an option of value_options given without its value
 * attached, so that the next argument is that value. */
static bool takes_next(const char *a, const char *const *value_options)
{
    for (const char *const *o = value_options; o && *o; o++) {
        if (strcmp(a, *o) == 0)
            return true;
    }
    return false;
}

int cli_scan_help_version(int argc, char **argv, const char *const *value_options)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0)
            break;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return CLI_HELP;
        if (strcmp(a, "--version") == 0)
            return CLI_VERSION;
        if (takes_next(a, value_options))
            i++;
    }
    return CLI_RUN;
}
