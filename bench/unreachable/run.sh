#!/bin/bash
# Benchmark of `rcgc unreachable` against its peers, side by side in one run.
# usage: bench/unreachable/run.sh [--quick] [--runs N]
#   --quick  scale 20 only; the Python peers run once, networkx is skipped
# Graphs: Graph500-style R-MAT (gen_rmat.c), edge factor 16, integer names
# and the same graph with a letter before each name; root: the node with the
# highest out-degree. Data go to bench/data/ (gitignored), results to
# bench/out/unreachable.md. Runs are interleaved (A B A B ...) and each tool
# writes its answer to a file; answers are checked to agree.
set -eu
cd "$(dirname "$0")/../.."
quick=0 runs=5
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --runs) runs=$2; shift ;;
    *) echo "usage: $0 [--quick] [--runs N]" >&2; exit 2 ;;
    esac
    shift
done
data=bench/data out=bench/out
mkdir -p "$data" "$out"
[ -x /usr/bin/time ] || apt-get install -y time > /dev/null
py=/usr/bin/python3
cc=${CC:-cc}
"$cc" -O2 -std=c11 -o "$out/gen_rmat" bench/unreachable/gen_rmat.c
rcgc=${RCGC:-$out/rcgc}
if [ -z "${RCGC:-}" ]; then
    "$cc" -O2 -std=c11 -pthread -o "$rcgc" tools/rcgc/*.c
fi
scales=20
[ $quick -eq 1 ] || scales="20 23"

# make_graph SCALE PREFIX NAME: writes data/NAME.txt and data/NAME.root once.
make_graph() {
    [ -s "$data/$3.txt" ] && [ -s "$data/$3.root" ] && return 0
    "$out/gen_rmat" "$1" 16 "$2" > "$data/$3.txt" 2> "$data/$3.root.tmp"
    sed 's/^root //' "$data/$3.root.tmp" > "$data/$3.root"
    rm -f "$data/$3.root.tmp"
}

# measure LABEL CMD...: one timed run, stdout to $out/answer.LABEL.
measure() {
    local label=$1
    shift
    /usr/bin/time -f "%e %M %U %S" -o "$out/time.tmp" "$@" > "$out/answer.$label"
    echo "$label $(cat "$out/time.tmp")" >> "$out/times.txt"
}

# median: the median of the numbers on standard input.
median() {
    sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}

# stats LABEL: "median min max rss_median_kb cpu_median_s" over the recorded runs.
stats() {
    local t
    t=$(awk -v l="$1" '$1 == l {print $2}' "$out/times.txt" | sort -g)
    [ -n "$t" ] || { echo "- - - - -"; return; }
    echo "$(echo "$t" | median) $(echo "$t" | head -1) $(echo "$t" | tail -1) \
$(awk -v l="$1" '$1 == l {print $3}' "$out/times.txt" | median) \
$(awk -v l="$1" '$1 == l {print $4 + $5}' "$out/times.txt" | median)"
}

report=$out/unreachable.md.tmp
{
    echo "## rcgc unreachable"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GB RAM; $(date -u +%Y-%m-%d)."
    echo "Command: \`bash bench/unreachable/run.sh$([ $quick -eq 1 ] && echo ' --quick')\`; $runs runs per tool, interleaved, files in the page cache;"
    echo "time and peak RSS from \`/usr/bin/time -f '%e %M'\`; each tool writes its answer to a file."
    echo "RSS of rcgc includes the pages of the mapped input file; \"beyond file\" subtracts the file size."
    echo
} > "$report"

for s in $scales; do
    make_graph "$s" "" "rmat$s"
    make_graph "$s" v "rmat${s}s"
    f=$data/rmat$s.txt fs=$data/rmat${s}s.txt
    root=$(cat "$data/rmat$s.root") sroot=$(cat "$data/rmat${s}s.root")
    cat "$f" "$fs" > /dev/null
    : > "$out/times.txt"
    rm -f "$out"/answer.*
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    edges=$(wc -l < "$f")
    pyruns=$runs
    [ $quick -eq 1 ] && pyruns=1
    [ "$s" -gt 20 ] && pyruns=0
    for r in $(seq 1 "$runs"); do
        measure wc wc -l "$f"
        measure rcgc "$rcgc" unreachable -r "$root" "$f"
        measure rcgc_str "$rcgc" unreachable -r "$sroot" "$fs"
        if [ "$r" -le "$pyruns" ]; then
            measure py_dict "$py" bench/unreachable/peer_dict.py "$root" "$f"
        fi
    done
    nx_note="skipped (--quick; about 250 s and 4 GB per run at scale 20)"
    if [ $quick -eq 0 ] && [ "$s" -eq 20 ] && $py -c 'import networkx' 2> /dev/null; then
        measure networkx "$py" bench/unreachable/peer_networkx.py "$root" "$f"
        nx_note="1 run"
    fi
    agree="string-named answer and peers' answers identical to rcgc's"
    sed 's/^v//' "$out/answer.rcgc_str" | cmp -s - "$out/answer.rcgc" || agree="ANSWERS DIFFER: rcgc_str"
    for p in py_dict networkx; do
        if [ -e "$out/answer.$p" ] && ! cmp -s "$out/answer.$p" "$out/answer.rcgc"; then
            agree="ANSWERS DIFFER: $p"
        fi
    done
    echo "$agree" >&2
    size=$(stat -c %s "$f") ssize=$(stat -c %s "$fs")
    read -r rmed _ _ _ _ <<< "$(stats rcgc)"
    {
        echo "### Scale $s: $edges edges, $((size / 1000000)) MB ($((ssize / 1000000)) MB string-named), $(wc -l < "$out/answer.rcgc") unreachable from root $root"
        echo
        echo "Load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)."
        echo
        echo "| tool | median s | min-max s | vs rcgc | CPU s (user+sys) | peak RSS MB | beyond file, bytes/edge | runs |"
        echo "|---|---|---|---|---|---|---|---|"
        for t in rcgc rcgc_str wc py_dict networkx; do
            read -r med lo hi rss cpu <<< "$(stats $t)"
            [ "$med" = "-" ] && continue
            n=$(awk -v l="$t" '$1 == l' "$out/times.txt" | wc -l)
            fsz=$size
            [ $t = rcgc_str ] && fsz=$ssize
            beyond="-"
            case $t in rcgc*) beyond=$(awk -v r="$rss" -v f="$fsz" -v e="$edges" 'BEGIN {printf "%.1f", (r * 1024 - f) / e}') ;; esac
            ratio=$(awk -v a="$med" -v b="$rmed" 'BEGIN {printf "%.2fx", a / b}')
            name=$t
            case $t in
            rcgc) name="rcgc unreachable" ;;
            rcgc_str) name="rcgc unreachable, string names" ;;
            wc) name="wc -l (floor)" ;;
            py_dict) name="Python dict + stack" ;;
            esac
            echo "| $name | $med | $lo-$hi | $ratio | $cpu | $((rss / 1024)) | $beyond | $n |"
        done
        echo
        echo "Check: $agree."
        [ "$s" -eq 20 ] && echo "networkx: $nx_note."
        [ "$s" -gt 20 ] && echo "Python peers not run at this scale (minutes per run and over 10 GB)."
        echo
    } >> "$report"
done
rm -f "$out"/answer.* "$out/time.tmp"
mv "$report" "$out/unreachable.md"
cat "$out/unreachable.md"
