#!/usr/bin/env bash
# Instruction counts (valgrind --tool=callgrind, deterministic) of rcgc's hot paths on
# small sizes, for "no hot path slower" checks across a refactoring: run it on a Release
# build of each side and compare the columns. Wall-clock figures belong to make bench.
# usage: bash bench/callgrind-hot.sh BUILD_DIR   (a Release build with the bench targets)
set -euo pipefail
b=${1:?usage: bench/callgrind-hot.sh BUILD_DIR}/bench
command -v valgrind > /dev/null || { echo "rcgc: callgrind-hot: valgrind is not installed" >&2; exit 1; }
run() { # label, valgrind option or "", program and arguments
  local label=$1 opt=$2
  shift 2
  local ir
  ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null ${opt:+"$opt"} "$@" 2>&1 > /dev/null |
       sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
  printf '%-42s %14s   %s\n' "$label" "$ir" "${opt:+$opt }${*#"$b/"}"
}
run "cycles 100k node, rc_collect only" --toggle-collect=rc_collect "$b/rcgc-bench-cycles" 100k node 0
run "cycles 100k list, rc_collect only" --toggle-collect=rc_collect "$b/rcgc-bench-cycles" 100k list 0
run "binary-trees depth 12" "" "$b/rcgc-bench-bintrees" 12
run "binary-trees depth 12, sites on" "" "$b/rcgc-bench-bintrees-sites" 12 on
run "rctraffic 1M" "" "$b/rcgc-bench-rctraffic" 1M
run "intlist 100k" "" "$b/rcgc-bench-intlist" 100k
run "weakrefs 100k" "" "$b/rcgc-bench-weakrefs" 100k
run "bytes 100k tuple" "" "$b/rcgc-bench-bytes" 100k tuple
run "autogc 100k on" "" "$b/rcgc-bench-autogc" 100k on
