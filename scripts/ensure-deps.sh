#!/usr/bin/env bash
# Installs the Debian packages a make target needs, when they are missing and we are root.
# Usage: scripts/ensure-deps.sh build|demo|check|ci|bench
#
# - Nothing missing: silent, exit 0 (one dpkg-query per package, no network).
# - Root with apt-get: installs what is missing (without recommended packages). A fresh
#   image has empty package lists, so `apt-get update` runs first when the lists are
#   empty, and again once when an install fails (stale lists). When apt fails, its own
#   error lines are shown, not a guess.
# - Required packages still missing: one line with the command to run, exit 1.
# - Optional packages missing: one line each saying what is built or tested without them
#   (only when nothing required is missing, since nothing is built then).
# - Not a Debian system (no dpkg-query): says so in one line and checks nothing.
set -euo pipefail
profile=${1:-build}

# libc6-dev: gcc only recommends it, and recommended packages are not installed.
required=(cmake make gcc libc6-dev pkg-config)
optional=()
case "$profile" in
  build) ;;
  demo) optional+=(graphviz) ;;
  check) required+=(libcmocka-dev); optional+=(graphviz python3-networkx) ;;
  ci) required+=(libcmocka-dev clang clang-format clang-tidy cppcheck libclang-rt-14-dev valgrind); optional+=(graphviz python3-networkx) ;;
  bench) required+=(python3 libgc-dev php-cli lua5.4 gnuplot-nox valgrind time) ;;
  *) echo "ensure-deps: unknown profile '$profile' (build, demo, check, ci or bench)" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null; then
  echo "ensure-deps: not a Debian system: not checking packages (this target needs: ${required[*]})" >&2
  exit 0
fi

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

log=$(mktemp "${TMPDIR:-/tmp}/ensure-deps.XXXXXX")
trap 'rm -f "$log"' EXIT
updated=no
apt_opts=(-q -o DPkg::Lock::Timeout=300 -o Acquire::Retries=1 -o Acquire::http::Timeout=30)

# apt's own complaints from the last command, indented: its E: lines, or else its W:
# lines (apt-get update only warns when it cannot fetch), or else its Err: lines; the
# first three, then how many more there were.
apt_errors() {
  local kind lines
  for kind in E W Err; do
    lines=$(grep -E "^$kind:" "$log" || true)
    [ -n "$lines" ] && break
  done
  [ -n "$lines" ] || lines=$(tail -n 3 "$log")
  head -n 3 <<<"$lines" | sed 's/^/    /' >&2
  local more=$(($(wc -l <<<"$lines") - 3))
  [ "$more" -le 0 ] || echo "    (and $more more like these)" >&2
}

# Runs once per call of this script; false if it already ran or failed.
apt_update() {
  [ "$updated" = no ] || return 1
  updated=yes
  echo "ensure-deps: apt-get update" >&2
  if ! apt-get "${apt_opts[@]}" update >"$log" 2>&1; then
    echo "ensure-deps: apt-get update failed; apt said:" >&2
    apt_errors
    return 1
  fi
  # apt-get update exits 0 even when no source could be fetched; its W:/E: lines tell.
  if grep -qE '^(E|W):' "$log"; then
    echo "ensure-deps: apt-get update reported problems:" >&2
    apt_errors
  fi
  return 0
}

apt_install() {
  [ $# -gt 0 ] || return 0
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends "$@" >"$log" 2>&1
}

lists_empty() {
  ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ensure-deps: installing ${all[*]}" >&2
  if lists_empty; then apt_update || true; fi
  if ! apt_install "${all[@]}"; then
    apt_update || true
    # Again, then the required and the optional ones apart: an optional package that
    # cannot be had must not keep the required ones out.
    apt_install "${all[@]}" ||
      { apt_install "${need[@]+"${need[@]}"}" && apt_install "${want[@]+"${want[@]}"}"; } || true
  fi
  mapfile -t need < <(missing "${required[@]}")
  mapfile -t want < <(missing "${optional[@]+"${optional[@]}"}")
  if [ $(( ${#need[@]} + ${#want[@]} )) -gt 0 ] && [ -s "$log" ]; then
    echo "ensure-deps: apt-get install failed; apt said:" >&2
    apt_errors
  fi
fi

if [ ${#need[@]} -gt 0 ]; then
  how="apt-get update && apt-get install ${need[*]}"
  [ "$(id -u)" = 0 ] || how="sudo sh -c '$how'"
  echo "ensure-deps: missing Debian packages: ${need[*]} (to install them, with network access: $how)" >&2
  exit 1
fi
for p in "${want[@]+"${want[@]}"}"; do
  case "$p" in
    graphviz) echo "ensure-deps: graphviz (its dot program) is missing: graphs are written as DOT text only, no SVG/PNG/PDF" >&2 ;;
    python3-networkx) echo "ensure-deps: optional python3-networkx is missing: the CLI's cross-check against networkx is skipped" >&2 ;;
    *) echo "ensure-deps: optional package $p is missing: the tests that use it are skipped" >&2 ;;
  esac
done
exit 0
