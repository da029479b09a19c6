# Tests of the rcgc tool, all labelled "cli". Included from
# tools/rcgc/CMakeLists.txt when BUILD_TESTING is on.
set(RCGC_TESTS ${CMAKE_CURRENT_LIST_DIR})

# Preloaded by the case shrinking_input_is_an_error: truncates the input once the
# tool has mapped it. Built without sanitizers, which would insist on coming first.
add_library(rcgc_shrink_on_map MODULE ${RCGC_TESTS}/shrink_on_map.c)
target_compile_options(rcgc_shrink_on_map PRIVATE -fno-sanitize=all)
target_link_options(rcgc_shrink_on_map PRIVATE -fno-sanitize=all)
target_link_libraries(rcgc_shrink_on_map PRIVATE ${CMAKE_DL_LIBS})

# One ctest test per contract rule, each a case of cases.sh. Only the case labels are
# matched out of the file: read as a list of lines, an unbalanced '[' in a case's input
# would join the lines after it into one list element and hide their cases.
file(READ ${RCGC_TESTS}/cases.sh rcgc_cases_text)
string(REGEX MATCHALL "\n[a-zA-Z0-9_]+\\)" rcgc_case_lines "${rcgc_cases_text}")
foreach(line IN LISTS rcgc_case_lines)
  string(REGEX REPLACE "[\n)]" "" case "${line}")
  add_test(NAME rcgc_unreachable.${case}
    COMMAND bash ${RCGC_TESTS}/cases.sh $<TARGET_FILE:rcgc> ${case})
  set_tests_properties(rcgc_unreachable.${case} PROPERTIES LABELS cli
    ENVIRONMENT "RCGC_TEST_SHRINK_LIB=$<TARGET_FILE:rcgc_shrink_on_map>")
endforeach()

# Differential tests against randgraph's own plain search.
add_executable(rcgc_randgraph ${RCGC_TESTS}/randgraph.c)
set(rcgc_random_runs
  "small_int_graphs|int|1|40|0|0"
  "small_deep_path_graphs|deep|1|40|0|0"
  "deep_path_graphs_in_1_to_8_ranges|deep|41|80|0|0|vary"
  "deep_path_graph_3000_nodes|deep|110|112|3000|12000|vary"
  "small_sparse_integer_graphs|sparse|1|40|0|0"
  "small_string_graphs|str|1|40|0|0"
  "small_mixed_name_graphs|mixed|1|40|0|0"
  "small_json_graphs|json|1|40|0|0"
  "million_edge_int_graph|int|101|101|300000|1000000"
  "million_edge_mixed_graph|mixed|102|102|300000|1000000"
  "million_edge_json_graph|json|103|103|300000|1000000"
  "string_graph_200k_edges|str|104|104|60000|200000"
  "small_int_graphs_in_1_to_8_ranges|int|41|120|0|0|vary"
  "small_sparse_graphs_in_1_to_8_ranges|sparse|41|80|0|0|vary"
  "small_mixed_graphs_in_1_to_8_ranges|mixed|41|80|0|0|vary"
  "int_graph_100k_edges_in_1_to_8_ranges|int|200|207|30000|100000|vary"
  "million_edge_int_graph_in_6_ranges|int|109|109|300000|1000000|vary")
foreach(run IN LISTS rcgc_random_runs)
  string(REPLACE "|" ";" f "${run}")
  list(GET f 0 name)
  list(GET f 1 mode)
  list(GET f 2 first)
  list(GET f 3 last)
  list(GET f 4 nodes)
  list(GET f 5 edges)
  set(vary "")
  list(LENGTH f n_fields)
  if(n_fields GREATER 6)
    list(GET f 6 vary)
  endif()
  add_test(NAME rcgc_unreachable.random_${name}_match_oracle
    COMMAND bash ${RCGC_TESTS}/random.sh $<TARGET_FILE:rcgc> $<TARGET_FILE:rcgc_randgraph>
      ${mode} ${first} ${last} ${nodes} ${edges} ${vary})
  set_tests_properties(rcgc_unreachable.random_${name}_match_oracle PROPERTIES LABELS cli)
endforeach()

# Differential test against networkx, skipped when it is not installed.
add_test(NAME rcgc_unreachable.random_graphs_match_networkx
  COMMAND /usr/bin/python3 ${RCGC_TESTS}/networkx_check.py $<TARGET_FILE:rcgc> 7 200000)
set_tests_properties(rcgc_unreachable.random_graphs_match_networkx PROPERTIES
  LABELS cli SKIP_RETURN_CODE 77)

# `rcgc snapshot`: round trips through the library, dominators against a brute-force
# oracle, real node snapshots, malformed files (snapshot.sh; one ctest test per case).
if(TARGET rcgc_static)
  add_executable(rcgc_snapgen ${RCGC_TESTS}/snapgen.c)
  target_link_libraries(rcgc_snapgen PRIVATE rcgc_static)
  add_executable(rcgc_snapdom ${RCGC_TESTS}/snapdom.c ${RCGC_TESTS}/../snapshot/load.c
    ${RCGC_TESTS}/../snapshot/analyze.c ${RCGC_TESTS}/../unreachable/input.c ${RCGC_TESTS}/../unreachable/reach.c
    ${RCGC_TESTS}/../unreachable/sweep.c ${RCGC_TESTS}/../xalloc.c ${RCGC_TESTS}/../parallel.c
    ${RCGC_TESTS}/../progress.c ${RCGC_TESTS}/../unreachable/output.c ${RCGC_TESTS}/../unreachable/chunk.c
    ${RCGC_TESTS}/../unreachable/intern.c ${RCGC_TESTS}/../unreachable/keys.c ${RCGC_TESTS}/../unreachable/graph.c
    ${RCGC_TESTS}/../unreachable/direct.c ${RCGC_TESTS}/../unreachable/parse_edges.c ${RCGC_TESTS}/../unreachable/parse_json.c
    ${RCGC_TESTS}/../cli.c)
  target_link_libraries(rcgc_snapdom PRIVATE Threads::Threads)
  file(STRINGS ${RCGC_TESTS}/snapshot.sh rcgc_snap_lines REGEX "^[a-z0-9_]+\\)$")
  foreach(line IN LISTS rcgc_snap_lines)
    string(REGEX REPLACE "\\)$" "" case "${line}")
    add_test(NAME rcgc_snapshot.${case}
      COMMAND bash ${RCGC_TESTS}/snapshot.sh $<TARGET_FILE:rcgc> $<TARGET_FILE:rcgc_snapgen> ${case})
    set_tests_properties(rcgc_snapshot.${case} PROPERTIES LABELS cli SKIP_RETURN_CODE 77)
  endforeach()
endif()

# Real clients (memlab, Chrome DevTools) load rcgc's snapshots and agree with `rcgc snapshot`;
# skipped with one line when their packages are not installed (.ci/run installs them).
if(TARGET rcgc_snapgen)
  foreach(client memlab devtools)
    add_test(NAME rcgc_snapshot_clients.${client}_agrees_with_rcgc_snapshot
      COMMAND bash ${RCGC_TESTS}/clients.sh $<TARGET_FILE:rcgc> $<TARGET_FILE:rcgc_snapgen> ${client})
    set_tests_properties(rcgc_snapshot_clients.${client}_agrees_with_rcgc_snapshot PROPERTIES
      LABELS clients SKIP_RETURN_CODE 77)
  endforeach()
endif()
