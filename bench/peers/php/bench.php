<?php
/*
 * PHP's side of rcgc's benchmark workloads (see docs/BENCHMARKS.md).
 *
 * usage: php -d memory_limit=-1 bench.php intlist N | cycles N LIVE | bintrees DEPTH |
 *            pauses LIVE SECONDS | bytes N object|array | rctraffic N | weakref N
 *
 * Prints "key value" lines for bench/bench.py. gc_disable() while building, then
 * gc_enable() + gc_collect_cycles() (PHP keeps buffering possible roots while disabled, so
 * one call finds all the garbage). PHP 8.2 has no collection callbacks: pauses times
 * every loop iteration and counts as a pause each one during which gc_status()['runs']
 * grew.
 */

final class Node
{
    public $next = null;
    public $other = null;
}

function uss_bytes(): int
{
    $total = 0;
    foreach (file('/proc/self/smaps_rollup') as $line) {
        if (strncmp($line, 'Private_Clean:', 14) === 0 || strncmp($line, 'Private_Dirty:', 14) === 0) {
            $total += (int)preg_split('/\s+/', trim($line))[1] * 1024;
        }
    }
    return $total;
}

function mib(float $b): float { return $b / (1024.0 * 1024.0); }
function report(string $k, float $v): void { printf("%s %.9g\n", $k, $v); }
function now(): float { return hrtime(true) * 1e-9; }
function count_arg(string $s): int
{
    $m = ['k' => 1000, 'K' => 1000, 'M' => 1000000, 'm' => 1000000];
    $last = substr($s, -1);
    return isset($m[$last]) ? (int)substr($s, 0, -1) * $m[$last] : (int)$s;
}

function intlist(int $n): void
{
    gc_disable();
    $uss0 = uss_bytes();
    $t0 = now();
    $a = [];
    for ($i = 0; $i < $n; $i++) {
        $a[] = $i;
    }
    $t1 = now();
    $uss1 = uss_bytes();
    $t2 = now();
    unset($a);
    gc_enable();
    gc_collect_cycles();
    $t3 = now();
    $uss2 = uss_bytes();
    report('build_s', $t1 - $t0);
    report('drop_s', $t3 - $t2);
    report('uss_start_mb', mib($uss0));
    report('uss_built_mb', mib($uss1) - mib($uss0));
    report('uss_dropped_mb', mib($uss2) - mib($uss0));
}

function build(int $n): array
{
    $objs = [];
    for ($i = 0; $i < $n; $i++) {
        $objs[] = new Node();
    }
    for ($i = 0; $i < $n; $i++) {
        $o = $objs[$i];
        $o->next = $objs[($i + 1) % $n];
        $o->other = $objs[($i * 2654435761 + 12345) % $n];
    }
    return $objs;
}

function cycles(int $n, bool $live): void
{
    gc_disable();
    $kept = $live ? build($n) : null;
    $garbage = build($n);
    unset($garbage);
    gc_enable();
    $t0 = now();
    $freed = gc_collect_cycles();
    $t1 = now();
    report('collect_s', $t1 - $t0);
    report('freed', $freed);
    report('ns_per_obj', ($t1 - $t0) * 1e9 / max($freed, 1));
    if ($kept !== null && $kept[0] === null) {
        exit(1);
    }
    // Not measured: releasing $kept on return. With the collector on, PHP 8.2 runs a
    // collection over the live ring again and again while releasing it (superlinear: 6 of
    // the 9.5 s of a 2M run), which made this peer's 10M runs take 100 s.
    gc_disable();
}

function make_tree(int $d): array
{
    return $d > 0 ? [make_tree($d - 1), make_tree($d - 1)] : [null, null];
}

function check_tree(array $t): int
{
    return $t[0] === null ? 1 : 1 + check_tree($t[0]) + check_tree($t[1]);
}

function bintrees(int $max_depth): void
{
    $min_depth = 4;
    $max_depth = max($min_depth + 2, $max_depth);
    $t0 = now();
    $total = check_tree(make_tree($max_depth + 1));
    $long_lived = make_tree($max_depth);
    for ($d = $min_depth; $d <= $max_depth; $d += 2) {
        $iterations = 1 << ($max_depth - $d + $min_depth);
        for ($i = 0; $i < $iterations; $i++) {
            $total += check_tree(make_tree($d));
        }
    }
    $total += check_tree($long_lived);
    report('check', $total);
    report('time_s', now() - $t0);
}

function pauses(int $live, float $seconds): void
{
    gc_disable();
    $first = new Node();
    $prev = $first;
    for ($i = 1; $i < $live; $i++) {
        $x = new Node();
        $prev->next = $x;
        $prev = $x;
    }
    $prev->next = $first;
    unset($prev, $x);
    gc_enable();
    gc_collect_cycles();
    $pauses = [];
    $peak = uss_bytes();
    $runs = gc_status()['runs'];
    $end = now() + $seconds;
    $iterations = 0;
    while (now() < $end) {
        for ($k = 0; $k < 1000; $k++) {
            $t0 = hrtime(true);
            $a = new Node();
            $b = new Node();
            $a->next = $b;
            $b->next = $a;
            unset($a, $b);
            $t1 = hrtime(true);
            $r = gc_status()['runs'];
            if ($r !== $runs) {
                $pauses[] = ($t1 - $t0) * 1e-6;
                $runs = $r;
            }
        }
        $iterations += 1000;
        if ($iterations % 65536 < 1000) {
            $peak = max($peak, uss_bytes());
        }
    }
    $peak = max($peak, uss_bytes());
    foreach ($pauses as $p) {
        report('pause_ms', $p);
    }
    report('n_pauses', count($pauses));
    report('loop_iterations', $iterations);
    report('peak_uss_mb', mib($peak));
}

function bytes_per(int $n, string $kind): void
{
    gc_disable();
    $objs = array_fill(0, $n, null);
    $xs = [];
    $ys = [];
    $made = 0;
    for ($s = 0; $s < 5; $s++) {
        $target = $s === 4 ? $n : intdiv($n, 4) * $s;
        if ($kind === 'object') {
            for ($i = $made; $i < $target; $i++) {
                $objs[$i] = new Node();
            }
        } else {
            for ($i = $made; $i < $target; $i++) {
                $objs[$i] = [null, $i];
            }
        }
        $made = $target;
        $xs[] = $made;
        $ys[] = uss_bytes();
    }
    $mx = array_sum($xs) / 5;
    $my = array_sum($ys) / 5;
    $sxy = 0;
    $sxx = 0;
    for ($s = 0; $s < 5; $s++) {
        $sxy += ($xs[$s] - $mx) * ($ys[$s] - $my);
        $sxx += ($xs[$s] - $mx) ** 2;
    }
    report('bytes_per_obj', $sxy / $sxx);
    report('uss_total_mb', mib($ys[4] - $ys[0]));
}

function rctraffic(int $n): void
{
    $pool = [];
    for ($i = 0; $i < 64; $i++) {
        $pool[] = new Node();
    }
    $slots = [];
    for ($i = 0; $i < 1024; $i++) {
        $slots[] = $pool[$i & 63];
    }
    $t0 = now();
    for ($i = 0; $i < $n; $i++) {
        $slots[$i & 1023] = $pool[($i * 7) & 63];
    }
    $t1 = now();
    $n_alloc = max(intdiv($n, 10), 1);
    $anchor = $pool[0];
    $t2 = now();
    for ($i = 0; $i < $n_alloc; $i++) {
        $x = new Node();
        $x->next = $anchor;
        unset($x);
    }
    $t3 = now();
    report('store_ns', ($t1 - $t0) * 1e9 / $n);
    report('alloc_ns', ($t3 - $t2) * 1e9 / $n_alloc);
}

function weakrefs(int $n): void
{
    $targets = [];
    for ($i = 0; $i < 1024; $i++) {
        $targets[] = new Node();
    }
    $alive = 0;
    $t0 = now();
    for ($i = 0; $i < $n; $i++) {
        $w = WeakReference::create($targets[$i & 1023]);
        if ($w->get() !== null) {
            $alive++;
        }
        unset($w);
    }
    $t1 = now();
    report('weak_ns', ($t1 - $t0) * 1e9 / $n);
    if ($alive !== $n) {
        exit(1);
    }
}

$w = $argv[1] ?? '';
switch ($w) {
    case 'intlist': intlist(count_arg($argv[2])); break;
    case 'cycles': cycles(count_arg($argv[2]), $argv[3] === '1'); break;
    case 'bintrees': bintrees((int)$argv[2]); break;
    case 'pauses': pauses(count_arg($argv[2]), (float)$argv[3]); break;
    case 'bytes': bytes_per(count_arg($argv[2]), $argv[3]); break;
    case 'rctraffic': rctraffic(count_arg($argv[2])); break;
    case 'weakref': weakrefs(count_arg($argv[2])); break;
    default:
        fwrite(STDERR, "usage: bench.php intlist|cycles|bintrees|pauses|bytes|rctraffic|weakref ...\n");
        exit(2);
}
