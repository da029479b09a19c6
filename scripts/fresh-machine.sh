#!/usr/bin/env bash
# Proves the README's first run on a pristine Debian 12: builds a minbase root with
# Debian's own tools, clones this checkout into it and, as root inside it, runs what the
# README says, in the README's order.
#
#   first:  a pristine minbase root with a fresh clone; the README's prerequisite line
#           (online). Both runs start from a copy of this root, where a user stands then.
#   run 1:  `make demo`, `make check` (online).
#   run 2:  `make demo` without network (a network namespace of its own): it must fail,
#           naming the missing packages and showing apt's own error; `make demo` online in
#           the same checkout: it must recover; a configure that fails (CMAKE_FLAGS naming
#           no compiler), then `make demo`: it must configure again and succeed.
#
# Usage: scripts/fresh-machine.sh        (as root; .ci/run calls it)
# Exit status: 0 passed, 1 failed, 77 skipped: not root, no namespaces, no mmdebstrap or
# debootstrap to be had, or no Debian mirror; the reason is printed in one line.
#
# Caching, outside the checkout (RCGC_FRESH_CACHE, default /var/cache/rcgc-fresh): the
# minbase root as a tarball named by ISO week (rebuilt weekly, the old one removed), and
# apt's downloaded .debs, bind-mounted into each root as /var/cache/apt/archives. The
# package lists are not cached: a pristine root has none, which is part of the proof.
# The mirror is RCGC_FRESH_MIRROR (default http://deb.debian.org/debian); http_proxy and
# https_proxy are passed on. The checkout's committed state plus its uncommitted changes
# to tracked files is what gets tested (untracked files are not).
#
# Mounts are made only inside mount namespaces (private propagation): a tmpfs for the
# roots in the script's own, /proc, /dev and the .deb cache in one per command (with a PID
# namespace), so they all vanish with them on every exit path, and nothing is deleted
# through a mount. The host's mounts are never touched.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${RCGC_FRESH_CACHE:-/var/cache/rcgc-fresh}
mirror=${RCGC_FRESH_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
t0=$(date +%s)

say() { echo "fresh-machine: $* ($(($(date +%s) - t0)) s)" >&2; }
skip() {
  echo "fresh-machine: SKIPPED: $*" >&2
  exit 77
}
die() {
  echo "fresh-machine: FAILED: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || skip "needs root (chroot, mounts, network namespaces)"
unshare --mount --pid --net --fork true 2>/dev/null ||
  skip "cannot create mount, PID and network namespaces here (unshare failed)"

# The roots live in a tmpfs mounted in a mount namespace of this script's own: no disk
# traffic for dpkg and the build, and nothing to delete, on any exit path, once the
# namespace is gone. The script runs itself again inside it.
if [ -z "${RCGC_FRESH_INSIDE:-}" ]; then
  RCGC_FRESH_INSIDE=1 exec unshare --mount -- bash "$0" "$@"
fi
prereq=$(grep -m1 '^apt-get update && apt-get install' "$top/README.md") ||
  die "README.md has no prerequisite line starting with 'apt-get update && apt-get install'"

mkdir -p "$cache/archives/partial"
exec 9> "$cache/lock"
flock -w 1200 9 || skip "another fresh-machine run holds $cache/lock"

work=$cache/work
mkdir -p "$work"
mount -t tmpfs -o size=${RCGC_FRESH_TMPFS:-6g},mode=0700 rcgc-fresh "$work"

# --- the pristine root, cached by week -------------------------------------------------
bootstrap_tool() {
  if command -v mmdebstrap > /dev/null; then echo mmdebstrap; return; fi
  if command -v debootstrap > /dev/null; then echo debootstrap; return; fi
  DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 install -y \
    --no-install-recommends mmdebstrap > "$work/tool.log" 2>&1 || return 1
  echo mmdebstrap
}

tarball=$cache/debian12-minbase-$(date -u +%G-W%V).tar
if [ ! -f "$tarball" ]; then
  tool=$(bootstrap_tool) || skip "neither mmdebstrap nor debootstrap, and apt-get could not install mmdebstrap: $(grep -E '^E:' "$work/tool.log" | head -n 1)"
  say "building a Debian 12 minbase root with $tool"
  if [ "$tool" = mmdebstrap ]; then
    mmdebstrap --quiet --mode=root --variant=minbase "$suite" "$work/root.tar" "$mirror" \
      > "$work/bootstrap.log" 2>&1 || skip "cannot build a root from $mirror: $(tail -n 1 "$work/bootstrap.log")"
  else
    debootstrap --variant=minbase "$suite" "$work/boot" "$mirror" > "$work/bootstrap.log" 2>&1 ||
      skip "cannot build a root from $mirror: $(tail -n 1 "$work/bootstrap.log")"
    rm -rf "$work/boot/var/lib/apt/lists/"* "$work/boot/var/cache/apt/archives/"*.deb
    tar -C "$work/boot" -cf "$work/root.tar" .
    rm -rf --one-file-system "$work/boot"
  fi
  mv "$work/root.tar" "$tarball"
  find "$cache" -maxdepth 1 -name 'debian12-minbase-*.tar' ! -path "$tarball" -delete
fi

# The checkout as it is now: HEAD plus uncommitted changes to tracked files.
rev=$(git -C "$top" stash create 2> /dev/null || true)
rev=${rev:-$(git -C "$top" rev-parse HEAD)}

# new_root NAME: a fresh root from the tarball with the checkout in /root/rcgc.
new_root() {
  local root=$work/$1
  mkdir "$root"
  tar -C "$root" -xf "$tarball"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2> /dev/null || true
  # dpkg without fsync, as mmdebstrap itself builds roots: the same packages installed,
  # without waiting for a disk the root does not outlive.
  echo force-unsafe-io > "$root/etc/dpkg/dpkg.cfg.d/rcgc-fresh-unsafe-io"
  git clone -q --no-hardlinks "$top" "$root/root/rcgc"
  git -C "$root/root/rcgc" -c advice.detachedHead=false checkout -q "$rev"
}

# in_root NAME online|offline LOG COMMAND: runs COMMAND as root in /root/rcgc of the root,
# in namespaces of its own (offline: with a network namespace that has no interface up).
in_root() {
  local root=$work/$1 net=$2 log=$3 cmd=$4
  local ns=(--mount --pid --fork)
  local debs=$cache/archives
  # Offline, the .debs cached by earlier runs must not stand in for the network.
  [ "$net" = online ] || { ns+=(--net); debs=$work/no-debs; mkdir -p "$debs/partial"; }
  local env=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    LANG=C.UTF-8 TERM=dumb)
  local v
  for v in http_proxy https_proxy no_proxy; do
    [ -z "${!v:-}" ] || env+=("$v=${!v}")
  done
  unshare "${ns[@]}" -- bash -c '
    set -e
    root=$1 debs=$2
    shift 2
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --bind "$debs" "$root/var/cache/apt/archives"
    exec chroot "$root" /usr/bin/env -i "$@"
  ' in_root "$root" "$debs" "${env[@]}" sh -c "cd /root/rcgc && $cmd" > "$log" 2>&1
}

# step NAME online|offline WANT COMMAND: in_root, expecting success (WANT ok) or failure.
step() {
  local name=$1 net=$2 want=$3 cmd=$4 log rc=0
  log=$work/$(echo "$1 $cmd $net" | tr -c 'a-zA-Z0-9\n' '_').log
  in_root "$name" "$net" "$log" "$cmd" || rc=$?
  if [ "$want" = ok ] && [ $rc -ne 0 ]; then
    tail -n 60 "$log" >&2
    die "$name: '$cmd' ($net) exited with $rc (output above)"
  fi
  if [ "$want" = fail ] && [ $rc -eq 0 ]; then
    tail -n 30 "$log" >&2
    die "$name: '$cmd' ($net) succeeded but must fail"
  fi
  say "$name: '$cmd' ($net): exit $rc, as expected"
  last_log=$log
}

# The README's prerequisite line; a mirror that cannot be reached is a skip, not a failure.
prerequisites() {
  local log=$work/$1-prereq.log
  if ! in_root "$1" online "$log" "$prereq"; then
    if grep -qE "Temporary failure resolving|Could not (resolve|connect)|Failed to fetch|Unable to connect" "$log"; then
      skip "no Debian mirror reachable from the root: $(grep -m1 -E '^(E|W|Err):' "$log")"
    fi
    tail -n 30 "$log" >&2
    die "$1: the README's prerequisite line failed: $prereq"
  fi
  say "$1: '$prereq': ok"
}

# Both runs start where a user stands after the prerequisite line: a pristine root with
# make and git, fresh package lists and a fresh clone. It is made once and copied.
say "a pristine root, a clone of the checkout, the prerequisite line"
new_root base
prerequisites base
cp -a "$work/base" "$work/run1"

say "run 1: online"
step run1 online ok "make demo"
[ -n "$(ls "$work/run1/root/rcgc/demo-out" 2> /dev/null)" ] || die "run1: make demo wrote nothing into demo-out/"
step run1 online ok "make check"
grep -q '100% tests passed' "$last_log" || die "run1: make check did not report '100% tests passed'"
rm -rf "$work/run1"

say "run 2: the first make demo offline, then online in the same checkout"
mv "$work/base" "$work/run2"
step run2 offline fail "make demo"
sed 's/^/    | /' "$last_log" >&2 # what the user saw
grep -q '^ensure-deps: missing Debian packages: ' "$last_log" ||
  die "run2: the offline make demo did not name the missing packages: $(tail -n 5 "$last_log")"
grep -qE '^    (E|W|Err):' "$last_log" ||
  die "run2: the offline make demo did not show apt's own error: $(tail -n 5 "$last_log")"
if grep -q 'optional libgraphviz-dev is missing' "$last_log"; then
  die "run2: the offline make demo printed the misleading optional-package line"
fi
step run2 online ok "make demo"
step run2 online fail "make all CMAKE_FLAGS=-DCMAKE_C_COMPILER=/nonexistent/cc"
step run2 online ok "make demo"
grep -q '^configure: .*configuring again' "$last_log" ||
  die "run2: make demo after a failed configure did not configure again"
say "passed"
