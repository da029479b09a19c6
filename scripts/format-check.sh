#!/usr/bin/env bash
# Checks that every tracked C source and header is formatted as .clang-format says.
# Usage: scripts/format-check.sh          fail (exit 1) and list the files that differ
#        scripts/format-check.sh --fix    reformat them in place (make format)
#        scripts/format-check.sh --count  print how many lines formatting would change
# The formatter is clang-format 14 (Debian's clang-format package); another major version
# may lay out the same code differently, so a different one is named in the output.
# CLANG_FORMAT=path overrides the choice.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-check}

cf=${CLANG_FORMAT:-}
if [ -z "$cf" ]; then
  for c in clang-format-14 clang-format; do
    if command -v "$c" >/dev/null; then cf=$c; break; fi
  done
fi
if [ -z "$cf" ]; then
  echo "format-check: clang-format not found (apt-get install clang-format)" >&2
  exit 2
fi
version=$("$cf" --version | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p')
if [ "$version" != 14 ]; then
  echo "format-check: note: $cf is version ${version:-unknown}; .clang-format was chosen with 14" >&2
fi

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- '*.c' '*.h')
else
  mapfile -t files < <(find include src tests tools bench examples -name '*.[ch]' | sort)
fi

case "$mode" in
  check|--check)
    bad=()
    for f in "${files[@]}"; do
      "$cf" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done
    if [ ${#bad[@]} -gt 0 ]; then
      printf 'format-check: not formatted: %s\n' "${bad[@]}" >&2
      echo "format-check: ${#bad[@]} of ${#files[@]} files differ (run: make format)" >&2
      exit 1
    fi
    echo "format-check: ${#files[@]} files formatted"
    ;;
  --fix)
    "$cf" -i "${files[@]}"
    ;;
  --count)
    n=0
    for f in "${files[@]}"; do
      c=$("$cf" "$f" | diff "$f" - | grep -c '^<' || true)
      n=$((n + c))
    done
    echo "$n lines of ${#files[@]} files would change"
    ;;
  *)
    echo "usage: scripts/format-check.sh [--fix|--count]" >&2
    exit 2
    ;;
esac
