#!/usr/bin/env bash
# Installs a built rcgc into a temporary prefix, then builds and runs
# examples/install-check against that prefix twice: through CMake's find_package(rcgc)
# and through pkg-config (no LD_LIBRARY_PATH: rcgc.pc's rpath). Checks
# that `make install` in a fresh build directory builds no test,
# bench or example. Exits 0 only if all of that holds.
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
# rcgc.pc derives its prefix from its own place, and its Libs carry an rpath to libdir: a
# private prefix needs only PKG_CONFIG_PATH, no --define-prefix and no LD_LIBRARY_PATH.
export PKG_CONFIG_PATH=$(dirname "$pcfile")
unset PKG_CONFIG LD_LIBRARY_PATH
sh "$src/examples/install-check/pkgconfig.sh" "$tmp/install-check-pc"
"$tmp/install-check-pc"

echo "== make install builds only what it installs"
# A fresh build directory, configured and built by the Makefile's install target alone.
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -C "$src" install \
    BUILD="$tmp/make-build" PREFIX="$tmp/make-prefix" JOBS=2 > "$tmp/make-install.log" 2>&1 ||
    { tail -n 30 "$tmp/make-install.log" >&2; exit 1; }
for f in lib/librcgc.a include/rcgc.h bin/rcgc; do
    found=$(find "$tmp/make-prefix" -path "*/$f" | head -n 1)
    [ -n "$found" ] || { echo "run.sh: make install did not install $f" >&2; exit 1; }
done
extra=$(find "$tmp/make-build/tests" "$tmp/make-build/bench" "$tmp/make-build/examples" \
    -type f -perm -u+x \( -name 'test_*' -o -name 'rcgc-*' -o -name 'peer-*' \) 2>/dev/null | head -n 5)
if [ -n "$extra" ]; then
    echo "run.sh: make install built programs it does not install:" >&2
    echo "$extra" >&2
    exit 1
fi
echo "install: ok"
