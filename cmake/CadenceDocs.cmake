# The API reference: `cmake --build <dir> --target docs` runs Doxygen over the public headers
# (include/cadence and the generated version.hpp) into <dir>/docs/html. A warning there (a
# broken reference, a misnamed \param, bad markup) fails the target. Parameters without docs are
# not warnings (WARN_NO_PARAMDOC stays off): most are named well enough. Without Doxygen (Debian:
# doxygen) there is no docs target and nothing else changes.
find_package(Doxygen QUIET)
if(NOT DOXYGEN_FOUND)
  message(STATUS "Doxygen not found: no docs target (apt-get install doxygen)")
  return()
endif()

set(DOXYGEN_PROJECT_NAME "Cadence")
set(DOXYGEN_PROJECT_NUMBER ${PROJECT_VERSION})
set(DOXYGEN_PROJECT_BRIEF "${PROJECT_DESCRIPTION}")
set(DOXYGEN_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/docs)
set(DOXYGEN_GENERATE_HTML YES)
set(DOXYGEN_GENERATE_LATEX NO)
# Undocumented members are listed (their names and types are often all there is to say); what
# is written must be right.
set(DOXYGEN_EXTRACT_ALL YES)
set(DOXYGEN_WARN_IF_UNDOCUMENTED NO)
set(DOXYGEN_WARN_NO_PARAMDOC NO)
set(DOXYGEN_WARN_AS_ERROR FAIL_ON_WARNINGS)
set(DOXYGEN_WARN_LOGFILE ${PROJECT_BINARY_DIR}/docs/warnings.log)
# Doxygen opens the log before it makes its output directory: a fresh build tree's test run
# would fail to write it.
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/docs)
set(DOXYGEN_QUIET YES)
set(DOXYGEN_FULL_PATH_NAMES YES)
set(DOXYGEN_STRIP_FROM_PATH ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include)
set(DOXYGEN_STRIP_FROM_INC_PATH ${PROJECT_SOURCE_DIR}/include ${PROJECT_BINARY_DIR}/include)
set(DOXYGEN_EXCLUDE_SYMBOLS "detail" "*::detail::*")
set(DOXYGEN_RECURSIVE YES)
set(DOXYGEN_FILE_PATTERNS "*.hpp")
# The headers' first comment is plain // text (what the file holds, whether its calls may come
# from several threads); JAVADOC_AUTOBRIEF makes each /// comment's first sentence its brief.
set(DOXYGEN_JAVADOC_AUTOBRIEF YES)
set(DOXYGEN_MARKDOWN_SUPPORT YES)
set(DOXYGEN_USE_MDFILE_AS_MAINPAGE ${PROJECT_SOURCE_DIR}/docs/api.md)
set(DOXYGEN_PREDEFINED "CADENCE_DOXYGEN")

doxygen_add_docs(docs ${PROJECT_SOURCE_DIR}/include/cadence
                 ${PROJECT_BINARY_DIR}/include/cadence/version.hpp ${PROJECT_SOURCE_DIR}/docs/api.md
                 COMMENT "API reference (Doxygen) in ${PROJECT_BINARY_DIR}/docs/html")

# CI builds the reference too (Doxygen takes about a second), so that a header change cannot
# break it unseen.
if(CADENCE_BUILD_TESTS)
  add_test(NAME docs.api_reference COMMAND ${DOXYGEN_EXECUTABLE} ${PROJECT_BINARY_DIR}/Doxyfile.docs
           WORKING_DIRECTORY ${PROJECT_BINARY_DIR})
  set_tests_properties(docs.api_reference PROPERTIES LABELS docs TIMEOUT 120)
endif()
