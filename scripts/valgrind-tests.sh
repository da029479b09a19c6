#!/usr/bin/env bash
# Runs every engine test program of a build under Valgrind memcheck; fails on any error or
# leak. Usage: valgrind-tests.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: valgrind-tests.sh BUILD_DIR}
supp=$(cd "$(dirname "$0")/.." && pwd)/tests/valgrind.supp
cd "$build"
tests=$(ctest -N -L engine | awk '/Test +#/ {print $3}')
fail=0
for t in $tests; do
  exe=$(find tests -maxdepth 2 -type f -name "$t" -perm -u+x | head -n 1)
  [ -n "$exe" ] || continue
  log="${TMPDIR:-/tmp}/valgrind-$t.log"
  if RCGC_ITERATIONS=${RCGC_VALGRIND_ITERATIONS:-50} RCGC_NO_USS_CHECKS=1 valgrind -q --error-exitcode=99 \
       --leak-check=full --errors-for-leak-kinds=definite,indirect --suppressions="$supp" \
       "$exe" >"$log" 2>&1; then
    echo "valgrind ok: $t"
  else
    echo "valgrind FAILED: $t"; tail -n 40 "$log"; fail=1
  fi
done
exit $fail
