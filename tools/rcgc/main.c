/* Entry point of the rcgc command-line tool: dispatches to subcommands.
 * Each subcommand parses its own options and returns the exit status; a new
 * one is a row of `commands` and a function `int cmd_x(int argc, char **argv)`
 * that gets argv[0] == its name, with its help text and the options that
 * take the next argument (for finding --help and --version anywhere, which
 * is done here for all commands). Shared helpers (errors located as
 * FILE:LINE:COLUMN, usage errors, warnings) are in cli.c; progress on a
 * terminal in progress.c; buffered output and name quoting in output.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rcgc.h>

#include "rcgc_tool.h"
#include "snapshot/snap.h"

struct command {
    const char *name;                  /* as typed after `rcgc` */
    const char *summary;               /* one line for `rcgc --help` */
    int (*run)(int argc, char **argv); /* argv[0] is the name */
    const char *help;                  /* `rcgc NAME --help` */
    const char *const *value_options;  /* options taking the next argument */
};

static const struct command commands[] = {
    {"unreachable", "print the nodes of a graph that no root reaches", cmd_unreachable,
     unreachable_help, unreachable_value_options},
    {"snapshot", "analyse heap snapshots (.heapsnapshot files)", cmd_snapshot, snapshot_help,
     snapshot_value_options},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* The tool's version is the library's: they are built together. The
 * library's own figure comes from the library (rc_version_number), so a
 * mismatch with the header the tool was built against would show. */
static void print_version(void)
{
    int lib = rc_version_number();
    printf("rcgc %d.%d.%d (library %d.%d.%d)\n", RC_VERSION_MAJOR, RC_VERSION_MINOR,
           RC_VERSION_PATCH, lib / 1000000, lib / 1000 % 1000, lib % 1000);
}

static void usage(FILE *f)
{
    fputs("usage: rcgc <command> [options]\n"
          "       rcgc --help | --version\n"
          "\n"
          "commands:\n",
          f);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "Run 'rcgc <command> --help' for the options of a command.\n",
          f);
}

/* Status after writing help or a version with stdio: 0, or 1 after saying
 * why standard output could not take it (a full disk, /dev/full). */
static int stdout_status(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    fprintf(stderr, "rcgc: standard output: %s\n", strerror(errno ? errno : EIO));
    return EXIT_BAD_INPUT;
}

/* --help and --version anywhere in a command's arguments print and end it
 * with status 0 (1 if standard output cannot be written); nothing runs. */
static int run_command(const struct command *c, int argc, char **argv)
{
    switch (cli_scan_help_version(argc, argv, c->value_options)) {
    case CLI_HELP:
        fputs(c->help, stdout);
        break;
    case CLI_VERSION:
        print_version();
        break;
    default:
        return c->run(argc, argv);
    }
    return stdout_status();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("rcgc: missing command\n", stderr);
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *a = argv[1];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0 || strcmp(a, "help") == 0) {
        print_version();
        putchar('\n');
        usage(stdout);
        return stdout_status();
    }
    if (strcmp(a, "--version") == 0) {
        print_version();
        return stdout_status();
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(a, commands[i].name) == 0)
            return run_command(&commands[i], argc - 1, argv + 1);
    fprintf(stderr, "rcgc: %s: unknown command\n", a);
    usage(stderr);
    return EXIT_USAGE;
}
