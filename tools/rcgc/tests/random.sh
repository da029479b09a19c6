#!/bin/bash
# Differential test: random graphs from randgraph (which knows its own
# answer from a plain search) must give exactly that answer.
# usage: random.sh RCGC RANDGRAPH MODE FIRST_SEED LAST_SEED NODES EDGES [vary]
# NODES and EDGES of 0 pick small random sizes per seed. With "vary", seed s
# runs with RCGC_THREADS=1 + s % 8, so even small inputs are read in up to 8
# ranges cut at varying places. A failure names the seed (and thread count),
# and rerunning with them replays it.
set -u
RCGC=$1 GEN=$2 MODE=$3 FIRST=$4 LAST=$5 NODES=$6 EDGES=$7 VARY=${8:-}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for seed in $(seq "$FIRST" "$LAST"); do
    n=$NODES m=$EDGES
    if [ "$n" -eq 0 ]; then
        n=$((1 + seed * 7 % 97)) m=$((1 + seed * 13 % 251))
    fi
    "$GEN" "$seed" "$n" "$m" "$MODE" "$TMP/g" "$TMP/want" "$TMP/roots" || exit 1
    mapfile -t roots < "$TMP/roots"
    args=()
    for r in "${roots[@]}"; do args+=(-r "$r"); done
    if [ "$VARY" = vary ]; then
        export RCGC_THREADS=$((1 + seed % 8))
    fi
    "$RCGC" unreachable "${args[@]}" "$TMP/g" > "$TMP/got" || {
        echo "FAIL: mode $MODE seed $seed nodes $n edges $m threads ${RCGC_THREADS:-default}: exit status $?" >&2
        exit 1
    }
    if ! cmp -s "$TMP/got" "$TMP/want"; then
        echo "FAIL: mode $MODE seed $seed nodes $n edges $m threads ${RCGC_THREADS:-default}: output differs" >&2
        diff "$TMP/got" "$TMP/want" | head -5 >&2
        exit 1
    fi
done
exit 0
