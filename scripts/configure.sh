#!/usr/bin/env bash
# Configures a build directory with CMake when it needs it; the Makefile's `configure`.
# Usage: scripts/configure.sh BUILD_DIR CMAKE_ARGS...
#
# Invariant CONFIGURED: BUILD_DIR/rcgc-configure.stamp exists only after a configure that
# succeeded, and holds the CMake arguments it was given and which optional parts were
# there then (cmocka through pkg-config, Graphviz's dot). The directory is configured again, from a new cache, when the
# stamp is missing (never configured, or the last configure failed: a failed configure
# leaves a CMakeCache.txt behind that must not be trusted), when the arguments differ
# (CMAKE_FLAGS changed: a removed -D must not survive in the old cache), when an optional
# package came or went (libcmocka-dev installed by `make check` after `make demo`
# configured without it), or when the generated build files are gone. Object files are
# kept, so a new configure rebuilds only what its flags change.
set -euo pipefail
build=${1:?usage: configure.sh BUILD_DIR CMAKE_ARGS...}
shift
stamp=$build/rcgc-configure.stamp

found() { pkg-config --exists "$@" 2>/dev/null && echo yes || echo no; }
want=$(printf '%s\n' "cmake arguments: $*" \
  "cmocka: $(found cmocka)" "dot: $(command -v dot || echo none)")

why=
if [ ! -f "$build/CMakeCache.txt" ]; then
  why=
elif [ ! -f "$stamp" ]; then
  why="the last configure of $build did not finish"
elif [ "$(cat "$stamp")" != "$want" ]; then
  now=$( (diff "$stamp" - <<<"$want" || true) | sed -n 's/^> //p' | paste -sd ';' -)
  why="the configuration changed (now $now)"
elif [ ! -f "$build/Makefile" ] && [ ! -f "$build/build.ninja" ]; then
  why="the build files of $build are missing"
else
  exit 0
fi
[ -z "$why" ] || echo "configure: $why: configuring again" >&2

rm -f "$stamp" "$build/CMakeCache.txt"
if ! cmake -S . -B "$build" "$@"; then
  echo "configure: cmake failed (see above); the next make configures $build again" >&2
  exit 1
fi
printf '%s\n' "$want" > "$stamp"
