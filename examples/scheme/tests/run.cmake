# Runs one Scheme test program in its own directory (pictures land there) and diffs its
# output against the expected file.
file(REMOVE_RECURSE ${WORKDIR})
file(MAKE_DIRECTORY ${WORKDIR})
get_filename_component(script_name ${SCRIPT} NAME)
configure_file(${SCRIPT} ${WORKDIR}/${script_name} COPYONLY)
# A first line ";; flags: --sites" adds interpreter flags.
file(READ ${SCRIPT} head LIMIT 120)
set(flags "")
if(head MATCHES "^;; flags: ([^\n]*)")
  separate_arguments(flags UNIX_COMMAND "${CMAKE_MATCH_1}")
endif()
execute_process(COMMAND ${SCHEME} --check ${flags} ${script_name} WORKING_DIRECTORY ${WORKDIR}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
set(actual "${out}${err}")
file(READ ${EXPECTED} expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${WORKDIR}/actual.out "${actual}")
  execute_process(COMMAND diff -u ${EXPECTED} ${WORKDIR}/actual.out)
  message(FATAL_ERROR "output differs from ${EXPECTED}")
endif()
