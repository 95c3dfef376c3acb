# The Debian package end to end, without root: `cpack -G DEB` in the build under test, the .deb
# unpacked with `dpkg -x` into a scratch root, the find_package consumer built against that root
# only, and the unpacked `cadence --version` run.
#   cmake -DBUILD=<build dir> -DSCRATCH=<dir> -DCONSUMER=<tests/consumer> -DVERSION=<x.y.z>
#         -DGENERATOR=<gen> -DCXX=<compiler> -DCXXFLAGS=<flags> -DLDFLAGS=<flags> -P deb_check.cmake
# The consumer gets the build's compiler and flags: a sanitizer build's archives need the
# sanitizer's runtime at link time.
cmake_minimum_required(VERSION 3.25)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${SCRATCH})
file(MAKE_DIRECTORY ${SCRATCH})
run("cpack -G DEB" ${CMAKE_CPACK_COMMAND} -G DEB --config ${BUILD}/CPackConfig.cmake
    -B ${SCRATCH}/deb)
file(GLOB debs ${SCRATCH}/deb/*.deb)
list(LENGTH debs count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected one .deb in ${SCRATCH}/deb, found: ${debs}")
endif()
run("dpkg -x" dpkg -x ${debs} ${SCRATCH}/root)
set(prefix ${SCRATCH}/root/usr)

run("cadence --version from the package" ${prefix}/bin/cadence --version)
if(NOT output MATCHES "^cadence ${VERSION}\n$")
  message(FATAL_ERROR "the packaged cadence --version printed: ${output}")
endif()

# Only the unpacked root may satisfy find_package (not the build tree, not /usr/local).
run("configuring the consumer" ${CMAKE_COMMAND} -S ${CONSUMER} -B ${SCRATCH}/consumer
    -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_CXX_COMPILER=${CXX}
    "-DCMAKE_CXX_FLAGS=${CXXFLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LDFLAGS}")
file(STRINGS ${SCRATCH}/consumer/CMakeCache.txt found REGEX "^cadence_DIR:")
if(NOT found STREQUAL "cadence_DIR:PATH=${prefix}/lib/cmake/cadence")
  message(FATAL_ERROR "find_package(cadence) did not use the package: ${found}")
endif()
run("building the consumer" ${CMAKE_COMMAND} --build ${SCRATCH}/consumer)
run("running the consumer" ${SCRATCH}/consumer/consumer)
message(STATUS "${debs}: unpacked, consumer built and run: ${output}")
