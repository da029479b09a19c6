#!/usr/bin/env bash
# Installs a built rcgc into a temporary prefix, then builds and runs
# examples/install-check against that prefix twice: through CMake's find_package(rcgc)
# and through pkg-config. Exits 0 only if both programs build and print "ok".
#
# usage: tests/install/run.sh <build-dir>
# (ctest: add_test(NAME install_check COMMAND bash ${PROJECT_SOURCE_DIR}/tests/install/run.sh ${PROJECT_BINARY_DIR}))
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/CMakeCache.txt" ]; then
    echo "usage: $0 <configured-and-built-rcgc-build-dir>" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rcgc-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

echo "== cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" > "$tmp/install.log"

echo "== find_package(rcgc) build of examples/install-check"
cmake -S "$src/examples/install-check" -B "$tmp/cmake-build" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release > "$tmp/configure.log"
cmake --build "$tmp/cmake-build" > "$tmp/build.log"
"$tmp/cmake-build/install-check"

echo "== pkg-config build of examples/install-check"
pcfile=$(find "$prefix" -name rcgc.pc | head -n 1)
if [ -z "$pcfile" ]; then
    echo "run.sh: no rcgc.pc under $prefix" >&2
    exit 1
fi
# rcgc.pc records the prefix given at configure time; --define-prefix derives it from the
# file's own place instead, which is what an install with --prefix needs.
export PKG_CONFIG_PATH=$(dirname "$pcfile")
export PKG_CONFIG="pkg-config --define-prefix"
libdir=$($PKG_CONFIG --variable=libdir rcgc)
sh "$src/examples/install-check/pkgconfig.sh" "$tmp/install-check-pc"
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/install-check-pc"
echo "install: ok"
