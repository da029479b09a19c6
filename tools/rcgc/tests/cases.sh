#!/bin/bash
# One behaviour of `rcgc unreachable` per case; ctest runs each case as its
# own test: `cases.sh RCGC CASE`. Every case asserts the exact standard
# output and exit status, and for errors that standard output stays empty
# and standard error starts with "rcgc: ".
set -u
RCGC=$1
CASE=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1

fail() {
    echo "FAIL $CASE: $*" >&2
    exit 1
}

# expect STATUS EXPECTED_STDOUT INPUT ARGS...: input "" means none (stdin closed).
expect() {
    local want_rc=$1 want_out=$2 input=$3
    shift 3
    printf '%b' "$input" > in.txt
    "$RCGC" unreachable "$@" < in.txt > out.txt 2> err.txt
    local rc=$?
    [ "$rc" -eq "$want_rc" ] || fail "exit status $rc, expected $want_rc ($(cat err.txt))"
    printf '%b' "$want_out" > want.txt
    cmp -s out.txt want.txt || fail "stdout differs: got [$(cat -A out.txt)] want [$(cat -A want.txt)]"
    if [ "$want_rc" -ne 0 ]; then
        grep -q '^rcgc: ' err.txt || fail "stderr lacks 'rcgc: ': $(cat err.txt)"
    else
        [ ! -s err.txt ] || fail "unexpected stderr: $(cat err.txt)"
    fi
}

# split_agrees WANT_FILE GRAPH_FILE ARGS...: with RCGC_THREADS=1..8 the
# input is cut into that many ranges, whatever its size; every run must
# print WANT_FILE exactly.
split_agrees() {
    local want=$1 graph=$2
    shift 2
    for t in 1 2 3 4 5 6 7 8; do
        RCGC_THREADS=$t "$RCGC" unreachable "$@" "$graph" > out.txt 2> err.txt
        local rc=$?
        [ "$rc" -eq 0 ] || fail "RCGC_THREADS=$t: exit status $rc ($(cat err.txt))"
        cmp -s out.txt "$want" || fail "RCGC_THREADS=$t: stdout differs: got [$(head -c 300 out.txt | cat -A)]"
    done
}

# expect_error STATUS STDERR_LINE INPUT ARGS...: fails with exactly that first
# line on standard error and nothing on standard output.
expect_error() {
    local want_err=$2
    expect "$1" '' "$3" "${@:4}"
    [ "$(head -n 1 err.txt)" = "$want_err" ] || fail "stderr: got [$(head -n 1 err.txt)] want [$want_err]"
}

# shrinks INPUT_FILE FORMAT_ARGS...: the file is cut to 4096 bytes as soon as the
# tool has mapped it (shrink_on_map.c); the run must fail with status 1, say so,
# and print nothing.
shrinks() {
    local file=$1
    shift
    [ -n "${RCGC_TEST_SHRINK_LIB:-}" ] || fail "RCGC_TEST_SHRINK_LIB is not set (run it through ctest)"
    LD_PRELOAD=$RCGC_TEST_SHRINK_LIB RCGC_TEST_SHRINK_PATH=$file RCGC_TEST_SHRINK_BYTES=4096 \
        ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
        "$RCGC" unreachable "$@" "$file" > out.txt 2> err.txt
    local rc=$?
    [ "$rc" -eq 1 ] || fail "$file: exit status $rc, expected 1 ($(head -c 300 err.txt))"
    [ ! -s out.txt ] || fail "$file: stdout not empty"
    [ "$(cat err.txt)" = "rcgc: $file: the file shrank while it was read (truncated by another program?)" ] ||
        fail "$file: stderr: $(head -c 300 err.txt)"
    [ "$(stat -c %s "$file")" -eq 4096 ] || fail "$file was not cut: the test did not test"
}

LESSON_EDGES='A B\nA C\nB A\nB E\nC E\nD F\nF D\n'
LESSON_JSON='{"A":["B","C"],"B":["A","D","E"],"C":["A","F"],"D":["B"],"E":["B","F"],"F":["C","E"],"G":["H"],"H":["G"]}'

case $CASE in
lesson_edges_prints_D_then_F) expect 0 'D\nF\n' "$LESSON_EDGES" -r A ;;
lesson_json_prints_G_then_H) expect 0 'G\nH\n' "$LESSON_JSON" -r A ;;
file_argument_is_read)
    printf 'A B\nC D\n' > g.txt
    expect 0 'C\nD\n' '' -r A g.txt ;;
dash_reads_stdin) expect 0 'C\nD\n' 'A B\nC D\n' -r A - ;;
no_file_reads_stdin) expect 0 'C\nD\n' 'A B\nC D\n' -r A ;;
long_root_option_and_equals_forms)
    expect 0 'E\n' 'A B\nC D\nE\n' --root A --root=C ;;
several_roots_all_start_the_search) expect 0 'E\n' 'A B\nC D\nE\n' -r A -r C ;;
attached_short_root_value) expect 0 'C\n' 'A B\nC\n' -rA ;;
single_token_line_declares_node) expect 0 'Z\n' 'Z\nA B\n' -r A ;;
hash_and_percent_lines_are_comments)
    expect 0 'C\n' '# A C\n%% A C\n  # indented\n\t%% tab\nA B\nC\n' -r A ;;
blank_lines_are_ignored) expect 0 'C\n' '\n   \nA B\n\t\n\nC\n\n' -r A ;;
spaces_and_tabs_separate) expect 0 'D\nE\n' 'A \t B\n\tB\tC  \nD E\n' -r A ;;
tokens_after_the_second_are_ignored) expect 0 'C\n' 'A B 0.5 C\nC\n' -r A ;;
crlf_line_ends_are_accepted) expect 0 'C\nD\n' 'A B\r\nC D\r\nB\r\n' -r A ;;
final_line_without_newline) expect 0 'C\nD\n' 'A B\nC D' -r A ;;
leading_zero_names_are_distinct) expect 0 '01\n001\n' '1 2\n01 001\n' -r 1 ;;
integer_and_text_names_compare_as_bytes)
    expect 0 '+1\n1.0\n4294967296\n18446744073709551616\n' \
        '1 2\n+1 1.0\n4294967296 18446744073709551616\n2147483647 2147483648\n' -r 1 -r 2147483647 ;;
names_need_not_be_utf8) expect 0 '\xff\xfe\n\xc3\n' 'a \xc3\xa9\n\xff\xfe \xc3\n' -r a ;;
names_sharing_a_prefix_or_differing_in_one_byte_differ)
    expect 0 'abcdefgh2\nx\na\xff\nz\na\nw\nabcdefgh\nabcdefg\n\xff\n\xff\xff\n' \
        'r abcdefgh1\nabcdefgh2 x\nabcdefgh1 y\na\xff z\na w\nabcdefgh abcdefg\n\xff \xff\xff\n' -r r ;;
very_long_name_is_kept)
    long=$(head -c 200000 /dev/zero | tr '\0' 'x')
    printf 'a b\n%s c\n' "$long" > g.txt
    printf '%s\nc\n' "$long" > want2.txt
    "$RCGC" unreachable -r a g.txt > out2.txt || fail "status $?"
    cmp -s out2.txt want2.txt || fail "long name not printed back" ;;
order_is_first_appearance) expect 0 'Y\nX\nW\n' 'Y A\nA B\nX Y\nW X\n' -r A ;;
each_unreachable_node_printed_once) expect 0 'C\nD\n' 'A B\nC D\nD C\nC D\nC C\n' -r A ;;
nothing_unreachable_prints_nothing) expect 0 '' 'A B\nB A\n' -r A ;;
count_prints_only_the_number) expect 0 '2\n' "$LESSON_EDGES" -r A --count ;;
count_of_nothing_is_zero) expect 0 '0\n' 'A B\n' -r A --count ;;
matrix_market_file_works)
    expect 0 '3\n' '%%MatrixMarket matrix coordinate real general\n% comment\n4 4 3\n1 2 0.5\n2 4 1.0\n3 1 2\n' -r 1 ;;
snap_file_works)
    expect 0 '30\n40\n' '# Directed graph: x.txt\n# Nodes: 4 Edges: 3\n# FromNodeId\tToNodeId\n10\t20\n30\t40\n20\t10\n' -r 10 ;;
json_successors_not_keys_are_nodes) expect 0 'X\nY\n' '{"A":["B"],"X":["Y"]}' -r A ;;
json_order_is_document_order) expect 0 'Q\nP\nR\n' '{"A":[],"Q":["P","A"],"R":["Q"]}' -r A ;;
json_chosen_after_leading_whitespace) expect 0 'C\n' ' \n\t{"A": ["B"], "C": []}\n' -r A ;;
format_edges_forces_edge_list) expect 0 '{"A":\n["B"]}\n' '{"A": ["B"]}\nx y\n' -r x --format edges ;;
format_json_forces_json) expect 0 'C\n' '{"A":["B"],"C":[]}' --format=json -r A ;;
json_escapes_are_decoded)
    expect 0 'a"b\n\xc3\xa9\xf0\x9f\x98\x80\n' '{"\\u0041":["B"],"a\\"b":["\\u00e9\\ud83d\\ude00"]}' -r A ;;
json_numeric_strings_keep_bytes) expect 0 '01\n' '{"1":["2"],"01":["1"]}' -r 1 ;;
json_empty_object_has_no_nodes) expect 1 '' '{}' -r A ;;
help_documents_the_contract)
    "$RCGC" unreachable --help > out.txt 2> err.txt || fail "status $?"
    for w in --root --format --count edges json '#' CRLF 'first appearance' 'Exit status'; do
        grep -q -- "$w" out.txt || fail "--help does not mention $w"
    done ;;
output_into_closed_pipe_is_quiet)
    seq 1 400000 | sed 's/.*/& &x/' > g.txt
    set -o pipefail
    "$RCGC" unreachable -r 1 g.txt 2> err.txt | head -n 2 > out.txt
    rc=$?
    [ "$rc" -eq 0 ] || fail "pipeline status $rc"
    [ ! -s err.txt ] || fail "stderr: $(cat err.txt)"
    printf '2\n2x\n' | cmp -s - out.txt || fail "head got $(cat out.txt)" ;;
integer_names_follow_the_edge_list_rules)
    expect 0 '5\n6\n7\n9\n12\n' \
        '# 1 5\n  % 1 6\n\n1\t\t2 0.5 x\r\n 2  3\r\n5 6\n\t7\n3\r\n\r\n  \r\n9\t 12 1\n' -r 1 ;;
integer_fast_path_leaves_odd_tokens_to_bytes)
    expect 0 '3\n2#\n4\n5+6\n' '1 #2\n3 2#\n4 5+6\n1 7\n' -r 1 ;;
integer_names_at_the_limits)
    expect 0 '0\n99999999\n100000000\n2147483646\n2147483647\n' \
        '1 2\n0 99999999\n100000000 2147483646\n2147483647 1\n' -r 1 ;;
integer_zero_and_leading_zeros)
    expect 0 '00\n01\n' '0 1\n00 01\n1 0\n' -r 0 ;;
text_name_after_many_integer_lines)
    seq 1 50000 | awk '{print $1, $1 + 1}' > g.txt
    printf '70000 x\n' >> g.txt
    printf '70000\nx\n' > want.txt
    split_agrees want.txt g.txt -r 1 ;;
integer_too_large_for_direct_keys_on_the_last_line)
    expect 0 '3\n4\n5\n99999999\n' '1 2\n3 4\n5 99999999\n' -r 1
    expect 0 '3\n4\n99999999\n5\n' '1 2\n3 4\n99999999 5' -r 1 ;;
sparse_integers_keep_first_appearance_order)
    expect 0 '4000000000\n3000000000\n7\n' '1 2\n4000000000 3000000000\n7 1\n' -r 1 ;;
ranges_cut_inside_lines_keep_order)
    seq 1 30000 | awk '{print $1, $1 + 1; print 100000 + 7 * $1 % 30011, $1}' > g.txt
    seq 1 30001 > all.txt
    awk '{print 100000 + 7 * $1 % 30011}' all.txt | head -30000 > want.txt
    split_agrees want.txt g.txt -r 1 ;;
ranges_cut_inside_crlf_and_comments)
    for i in $(seq 1 400); do
        printf '%d %d\r\n# comment %0200d\r\n%% another\r\n' "$i" "$((i + 1))" 0
        printf '%d %d\r\n' "$((1000 + i))" "$i"
    done > g.txt
    seq 1001 1400 > want.txt
    split_agrees want.txt g.txt -r 1 ;;
ranges_with_final_line_without_newline)
    printf '1 2\n3 4\n5 6\n7 8' > g.txt
    printf '3\n4\n5\n6\n7\n8\n' > want.txt
    split_agrees want.txt g.txt -r 1
    printf 'a b\nc d\ne f\ng h' > g.txt
    printf 'c\nd\ne\nf\ng\nh\n' > want.txt
    split_agrees want.txt g.txt -r a ;;
single_line_file_in_any_number_of_ranges)
    printf '1 2' > g.txt
    printf '1\n' > want.txt
    split_agrees want.txt g.txt -r 2
    printf '1 2\r\n' > g.txt
    split_agrees want.txt g.txt -r 2
    printf '\n' > g.txt
    RCGC_THREADS=4 "$RCGC" unreachable -r 1 g.txt > out.txt 2> err.txt
    [ $? -eq 1 ] || fail "empty graph in 4 ranges: status not 1" ;;
name_longer_than_a_range)
    long=$(head -c 100000 /dev/zero | tr '\0' '7')
    printf '1 2\n%s 3\n4 %s\n5 6\n' "$long" "$long" > g.txt
    printf '%s\n3\n4\n5\n6\n' "$long" > want.txt
    split_agrees want.txt g.txt -r 1
    long=$(head -c 100000 /dev/zero | tr '\0' '1')
    printf '1 2\n%s 3\n' "$long" > g.txt
    printf '%s\n3\n' "$long" > want.txt
    split_agrees want.txt g.txt -r 1 ;;
one_thread_reads_a_big_input)
    seq 1 200000 | awk '{print $1, $1 + 1; print 300000 + $1, $1}' > g.txt
    seq 300001 500000 > want.txt
    RCGC_THREADS=1 "$RCGC" unreachable -r 1 g.txt > out.txt || fail "status $?"
    cmp -s out.txt want.txt || fail "RCGC_THREADS=1 output differs" ;;
names_settled_while_read_are_still_nodes)
    printf 'lonely\n' > g.txt
    seq 1 50000 | awk '{print "r n" $1}' >> g.txt
    printf 'x y\n7 r\nn5 z\nq 7\n' >> g.txt
    printf 'lonely\nx\ny\n7\nq\n' > want.txt
    split_agrees want.txt g.txt -r r ;;
wide_search_levels_mark_every_node)
    seq 0 99999 | awk '{print 0, $1 + 1; print $1 + 1, 200000 + $1; print 400000 + $1, $1}' > g.txt
    seq 400000 499999 > want.txt
    split_agrees want.txt g.txt -r 0 ;;
output_into_closed_pipe_is_quiet_with_integer_names)
    seq 1 400000 | awk '{print $1, $1 + 1; print 500000 + $1, $1}' > g.txt
    set -o pipefail
    "$RCGC" unreachable -r 1 g.txt 2> err.txt | head -n 2 > out.txt
    rc=$?
    [ "$rc" -eq 0 ] || fail "pipeline status $rc"
    [ ! -s err.txt ] || fail "stderr: $(cat err.txt)"
    printf '500001\n500002\n' | cmp -s - out.txt || fail "head got $(cat out.txt)" ;;
error_no_root_is_usage) expect 2 '' 'A B\n' ;;
error_unknown_option_is_usage) expect 2 '' 'A B\n' -r A --bogus ;;
error_missing_root_value_is_usage) expect 2 '' 'A B\n' -r ;;
error_missing_format_value_is_usage) expect 2 '' 'A B\n' -r A --format ;;
error_unknown_format_is_usage) expect 2 '' 'A B\n' -r A --format xml ;;
error_two_files_is_usage) expect 2 '' '' -r A a.txt b.txt ;;
error_root_not_a_node) expect 1 '' 'A B\n' -r Z ;;
error_empty_input_has_no_root) expect 1 '' '' -r A ;;
error_missing_file) expect 1 '' '' -r A does-not-exist.txt ;;
error_directory) mkdir d && expect 1 '' '' -r A d ;;
error_unreadable_file)
    if [ "$(id -u)" -eq 0 ]; then
        expect 1 '' '' -r A /proc/self/mem
    else
        printf 'A B\n' > g.txt && chmod 000 g.txt && expect 1 '' '' -r A g.txt
    fi ;;
error_json_cut_short) expect 1 '' '{"A":["B"' -r A ;;
error_json_cut_in_string) expect 1 '' '{"A":["B' -r A ;;
error_json_trailing_garbage) expect 1 '' '{"A":["B"]} x' -r A ;;
error_json_value_not_array) expect 1 '' '{"A":"B"}' -r A ;;
error_json_element_not_string) expect 1 '' '{"A":["B",1]}' -r A ;;
error_json_nested_array) expect 1 '' '{"A":[["B"]]}' -r A ;;
error_json_top_level_not_object) expect 1 '' '{' -r A --format json ;;
error_json_bad_escape) expect 1 '' '{"A":["\\x"]}' -r A ;;
error_json_missing_comma) expect 1 '' '{"A":["B"] "C":[]}' -r A ;;
help_anywhere_prints_and_stops)
    for args in "-r A --help" "--help -r A" "-r A -h x.txt" "--bogus --help" "-r A --count --help --format xml"; do
        # shellcheck disable=SC2086
        printf 'A B\nC D\n' | "$RCGC" unreachable $args > out.txt 2> err.txt
        rc=$?
        [ "$rc" -eq 0 ] || fail "[$args]: status $rc"
        [ ! -s err.txt ] || fail "[$args]: stderr: $(cat err.txt)"
        head -n 1 out.txt | grep -q '^usage: rcgc unreachable' || fail "[$args]: no help printed"
        ! grep -qx 'C' out.txt || fail "[$args]: it ran after the help"
    done
    "$RCGC" unreachable -r A -- --help > out.txt 2> err.txt
    [ $? -eq 1 ] || fail "after --, --help is a FILE" ;;
help_is_an_option_value_when_it_follows_root)
    expect 0 'y\n' '--help x\ny\n' -r --help ;;
version_of_rcgc_and_its_library)
    for args in "--version" "unreachable --version" "unreachable -r A --version"; do
        # shellcheck disable=SC2086
        "$RCGC" $args < /dev/null > out.txt 2> err.txt || fail "[$args]: status $?"
        [ ! -s err.txt ] || fail "[$args]: stderr: $(cat err.txt)"
        grep -qxE 'rcgc [0-9]+\.[0-9]+\.[0-9]+ \(library [0-9]+\.[0-9]+\.[0-9]+\)' out.txt ||
            fail "[$args]: printed [$(cat out.txt)]"
        [ "$(wc -l < out.txt)" -eq 1 ] || fail "[$args]: more than the version line"
    done
    "$RCGC" --help > out.txt 2> err.txt || fail "rcgc --help: status $?"
    head -n 1 out.txt | grep -qE '^rcgc [0-9.]+ \(library [0-9.]+\)$' || fail "rcgc --help lacks the versions"
    grep -q '^  unreachable ' out.txt || fail "rcgc --help lacks the commands" ;;
help_and_version_into_a_full_disk_fail)
    [ -w /dev/full ] || fail "no /dev/full here"
    for args in "--help" "--version" "unreachable --help" "unreachable -r A --version"; do
        # shellcheck disable=SC2086
        "$RCGC" $args > /dev/full 2> err.txt < /dev/null
        rc=$?
        [ "$rc" -eq 1 ] || fail "[$args] > /dev/full: status $rc"
        grep -q '^rcgc: standard output: ' err.txt || fail "[$args] > /dev/full: stderr [$(cat err.txt)]"
    done ;;
json_with_utf8_bom_is_json)
    expect 0 'C\n' '\xef\xbb\xbf{"A":["B"],"C":[]}' -r A
    expect 0 'C\n' '\xef\xbb\xbf  {"A":["B"],"C":[]}' -r A --format json ;;
edge_list_with_utf8_bom_loses_the_bom)
    expect 0 'C\n' '\xef\xbb\xbfA B\nC\n' -r A
    expect 0 '3\n' '\xef\xbb\xbf1 2\n3\n' -r 1 ;;
json_top_level_array_is_a_json_error)
    expect_error 1 "rcgc: <stdin>:1:1: malformed JSON: the top level is an array; expected an object mapping each node to the array of its successors" \
        '["A", "B"]' -r A
    expect_error 1 "rcgc: <stdin>:2:3: malformed JSON: the top level is an array; expected an object mapping each node to the array of its successors" \
        ' \n  [{"A": []}]' -r A ;;
json_errors_give_file_line_and_column)
    printf '{"A": ["B"],\n "C": [\n   "D", 1]}\n' > g.json
    expect_error 1 "rcgc: g.json:3:9: malformed JSON: an array element is not a string" '' -r A g.json
    expect_error 1 "rcgc: <stdin>:2:6: malformed JSON: expected ':' after a key" '{"A": [],\r\n "B" ["C"]}' -r A
    expect_error 1 "rcgc: <stdin>:3:1: malformed JSON: unexpected end of input" '{"A": [\r"B"\r' -r A ;;
edge_list_errors_give_file_line_and_column)
    printf 'A B\nC D\n  E\001F G\n' > g.txt
    expect_error 1 "rcgc: g.txt:3:4: control byte 0x01 in a name: the input is not a text edge list" '' -r A g.txt
    expect_error 1 "rcgc: <stdin>:3:4: control byte 0x00 in a name: the input is not a text edge list" \
        '1 2\n3 4 5\n3 \t\0\n' -r 1 ;;
binary_junk_is_rejected)
    head -c 65536 "$RCGC" > junk.bin
    "$RCGC" unreachable -r A junk.bin > out.txt 2> err.txt
    [ $? -eq 1 ] || fail "junk accepted"
    [ ! -s out.txt ] || fail "stdout not empty"
    grep -qE '^rcgc: junk\.bin:[0-9]+:[0-9]+: control byte 0x[0-9a-f]{2} in a name: the input is not a text edge list$' err.txt ||
        fail "stderr: $(cat err.txt)" ;;
cr_only_line_ends_are_line_ends)
    expect 0 'C\nD\n' 'A B\rC D\rB\r' -r A
    expect 0 'C\nD\n' 'A B\rC D\r\r# comment\r  B' -r A
    expect 0 '3\n4\n' '1 2\r3 4\r' -r 1
    expect 0 'C\nD\n' 'A B\rC D\r\nB\r' -r A ;;
cr_line_end_after_lf_lines_is_an_error)
    expect_error 1 "rcgc: <stdin>:3:2: control byte 0x0d in a name: the input is not a text edge list (CR line ends after a first line ending with LF?)" \
        'A B\nC D\nE\rF G\n' -r A ;;
control_character_names_are_quoted)
    expect 0 '"a\\nb"\nc\n"\\"q"\n"t\\u0001\\u007f"\nx\\y\n' \
        '{"a\\nb":["c"],"\\"q":[],"t\\u0001\\u007f":[],"A":[],"x\\\\y":[]}' -r A
    expect 0 '"\\"q"\n' '"q A\n' -r A ;;
invalid_rcgc_threads_warns_and_is_ignored)
    for v in 0 16 abc 9 ''; do
        printf 'A B\nC\n' | RCGC_THREADS=$v "$RCGC" unreachable -r A > out.txt 2> err.txt
        rc=$?
        [ "$rc" -eq 0 ] || fail "RCGC_THREADS='$v': status $rc"
        [ "$(cat out.txt)" = C ] || fail "RCGC_THREADS='$v': stdout $(cat out.txt)"
        [ "$(cat err.txt)" = "rcgc: warning: RCGC_THREADS='$v' ignored: not a whole number from 1 to 8 (using one thread per processor, up to 8)" ] ||
            fail "RCGC_THREADS='$v': stderr [$(cat err.txt)]"
    done
    printf 'A B\nC\n' | RCGC_THREADS=8 "$RCGC" unreachable -r A > out.txt 2> err.txt
    [ ! -s err.txt ] || fail "RCGC_THREADS=8 warned" ;;
shrinking_input_is_an_error)
    seq 1 300000 | awk '{print $1, $1 + 1}' > ints.txt
    shrinks ints.txt -r 1
    seq 1 300000 | awk '{print "n" $1, "n" $1 + 1}' > names.txt
    shrinks names.txt -r n1
    seq 1 300000 | awk 'BEGIN {printf "{"} {printf "%s\"%d\": [\"%d\"]", (NR > 1 ? ", " : ""), $1, $1 + 1} END {print "}"}' > g.json
    shrinks g.json -r 1 ;;
*) fail "unknown case" ;;
esac
exit 0
