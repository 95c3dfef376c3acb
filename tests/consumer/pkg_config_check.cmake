# Compiles tests/consumer/main.cpp with the flags pkg-config gives for the staged install, using
# the compiler and flags of the build under test (CXX, CXXFLAGS: a sanitizer build's archives
# need the sanitizer's runtime at link time).
set(ENV{PKG_CONFIG_PATH} "${STAGE}/lib/pkgconfig:${STAGE}/lib/x86_64-linux-gnu/pkgconfig")
execute_process(COMMAND pkg-config --define-prefix --cflags --libs cadence
                OUTPUT_VARIABLE flags RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config does not know cadence")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
if(NOT CXX)
  set(CXX c++)
endif()
separate_arguments(extra UNIX_COMMAND "${CXXFLAGS}")
execute_process(COMMAND ${CXX} ${extra} ${SOURCE} -o ${OUT} ${flags} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building against pkg-config flags failed")
endif()
execute_process(COMMAND ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the pkg-config consumer failed")
endif()
