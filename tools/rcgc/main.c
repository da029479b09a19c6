/* Entry point of the rcgc command-line tool: dispatches to subcommands.
 * Each subcommand parses its own options and returns the exit status. */
#include <stdio.h>
#include <string.h>

#include "rcgc_tool.h"
#include "snapshot/snap.h"

static void usage(FILE *f)
{
    fputs("usage: rcgc <command> [options]\n"
          "\n"
          "commands:\n"
          "  unreachable   print the nodes of a graph that no root reaches\n"
          "  snapshot      analyse heap snapshots (.heapsnapshot files)\n"
          "\n"
          "Run 'rcgc <command> --help' for the options of a command.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("rcgc: missing command\n", stderr);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        out_flush();
        return 0;
    }
    if (strcmp(argv[1], "unreachable") == 0) return cmd_unreachable(argc - 1, argv + 1);
    if (strcmp(argv[1], "snapshot") == 0) return cmd_snapshot(argc - 1, argv + 1);
    fprintf(stderr, "rcgc: %s: unknown command\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
