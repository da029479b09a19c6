#!/bin/sh
# Builds main.c against an installed rcgc through pkg-config alone, as a Makefile user would:
#   PKG_CONFIG_PATH=<prefix>/lib/pkgconfig sh pkgconfig.sh <output-binary>
# PKG_CONFIG may name another command. rcgc.pc finds its prefix from its own place and
# links with an rpath to its libdir, so the program runs without LD_LIBRARY_PATH.
# The compile line is the one documented for users:
#   cc -std=c11 main.c $(pkg-config --cflags --libs rcgc) -o install-check
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-install-check-pc}
# shellcheck disable=SC2046
${CC:-cc} -std=c11 -Wall -Wextra -Werror "$here/main.c" $(${PKG_CONFIG:-pkg-config} --cflags --libs rcgc) -o "$out"
