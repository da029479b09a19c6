# ctest's version_agrees: rcgc.h's RC_VERSION_* (read here on their own, not through the
# project's version) against the version the build gave the shared library, rcgc.pc and
# rcgcConfigVersion.cmake. Arguments: -DHEADER= -DLIBRARY= -DPC= -DCONFIG_VERSION=.
file(STRINGS ${HEADER} lines REGEX "^#define RC_VERSION_(MAJOR|MINOR|PATCH) ")
set(parts)
foreach(part MAJOR MINOR PATCH)
  if(NOT lines MATCHES "#define RC_VERSION_${part} ([0-9]+)")
    message(FATAL_ERROR "${HEADER}: no RC_VERSION_${part}")
  endif()
  list(APPEND parts ${CMAKE_MATCH_1})
endforeach()
list(JOIN parts "." header)

get_filename_component(lib_name ${LIBRARY} NAME)
if(NOT lib_name MATCHES "\\.so\\.${header}$")
  message(FATAL_ERROR "shared library ${lib_name}: not version ${header} of rcgc.h")
endif()

file(STRINGS ${PC} pc_version REGEX "^Version: ")
if(NOT pc_version STREQUAL "Version: ${header}")
  message(FATAL_ERROR "${PC}: '${pc_version}', rcgc.h says ${header}")
endif()

file(STRINGS ${CONFIG_VERSION} cv REGEX "set\\(PACKAGE_VERSION \"")
if(NOT cv MATCHES "set\\(PACKAGE_VERSION \"${header}\"\\)")
  message(FATAL_ERROR "${CONFIG_VERSION}: '${cv}', rcgc.h says ${header}")
endif()
message(STATUS "version_agrees: rcgc.h, librcgc, rcgc.pc and rcgcConfigVersion.cmake say ${header}")
