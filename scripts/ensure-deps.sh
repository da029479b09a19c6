#!/usr/bin/env bash
# Installs the Debian packages a make target needs, when they are missing and we are root.
# Usage: scripts/ensure-deps.sh build|check|ci|bench
# Required packages missing without root: print the apt-get line and fail.
# Optional packages missing: say in one line what is built without them.
set -euo pipefail
profile=${1:-build}

required=(cmake make gcc pkg-config)
optional=()
case "$profile" in
  build) ;;
  demo) optional+=(graphviz) ;;
  check) required+=(libcmocka-dev); optional+=(graphviz python3-networkx) ;;
  ci) required+=(libcmocka-dev clang clang-tidy cppcheck libclang-rt-14-dev valgrind); optional+=(graphviz python3-networkx) ;;
  bench) required+=(python3 libgc-dev php-cli lua5.4 gnuplot-nox valgrind time) ;;
  *) echo "ensure-deps: unknown profile '$profile'" >&2; exit 2 ;;
esac

missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

mapfile -t need < <(missing "${required[@]}")
mapfile -t want < <(missing "${optional[@]+"${optional[@]}"}")
all=("${need[@]+"${need[@]}"}" "${want[@]+"${want[@]}"}")
[ ${#all[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-deps: installing ${all[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq "${all[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq "${need[@]+"${need[@]}"}" >/dev/null 2>&1 || true
    apt-get install -y -qq "${want[@]+"${want[@]}"}" >/dev/null 2>&1 || true
  fi
  mapfile -t need < <(missing "${required[@]}")
  mapfile -t want < <(missing "${optional[@]+"${optional[@]}"}")
fi
for p in "${want[@]+"${want[@]}"}"; do
  case "$p" in
    graphviz) echo "ensure-deps: graphviz (its dot program) is missing: graphs are written as DOT text only, no SVG/PNG/PDF" >&2 ;;
    *) echo "ensure-deps: optional package $p is missing: the tests that use it are skipped" >&2 ;;
  esac
done
if [ ${#need[@]} -gt 0 ]; then
  echo "ensure-deps: missing Debian packages: ${need[*]} (run: apt-get install ${need[*]})" >&2
  exit 1
fi
