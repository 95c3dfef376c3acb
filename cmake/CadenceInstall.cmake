# Install rules: headers, the per-layer static libraries, a CMake package (find_package(cadence)
# gives cadence::cadence) and a pkg-config file beside it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CADENCE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cadence)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/cadence DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/cadence/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/cadence)
install(TARGETS ${CADENCE_LAYERS} cadence EXPORT cadence-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# `cmake --install --strip` (and cpack, which strips) also drops the archives' debug sections,
# as dh_strip does for a Debian -dev package; install(TARGETS) strips executables only.
foreach(layer ${CADENCE_LAYERS})
  get_target_property(type ${layer} TYPE)
  if(type STREQUAL "STATIC_LIBRARY")
    set(archive "${CMAKE_INSTALL_LIBDIR}/$<TARGET_FILE_NAME:${layer}>")
    install(CODE "if(CMAKE_INSTALL_DO_STRIP AND NOT \"${CMAKE_STRIP}\" STREQUAL \"\")
  execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug
                          \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${archive}\")
endif()")
  endif()
endforeach()
install(EXPORT cadence-targets NAMESPACE cadence:: DESTINATION ${CADENCE_CMAKE_DIR})
# Consumers of the build tree (no install) get the same targets.
export(EXPORT cadence-targets NAMESPACE cadence::
       FILE ${PROJECT_BINARY_DIR}/cadence-targets.cmake)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cadence-config.cmake.in
  ${PROJECT_BINARY_DIR}/cadence-config.cmake INSTALL_DESTINATION ${CADENCE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cadence-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cadence-config.cmake
              ${PROJECT_BINARY_DIR}/cadence-config-version.cmake
        DESTINATION ${CADENCE_CMAKE_DIR})

# Only layers that are real archives appear on the link line, most dependent first. The
# simulators are not on it (as they are not in cadence::cadence): -lcadence_sim by hand.
set(CADENCE_PC_LIBS "")
foreach(layer proxy shared_limits discord lavalink redis http core)
  get_target_property(type cadence_${layer} TYPE)
  if(type STREQUAL "STATIC_LIBRARY")
    string(APPEND CADENCE_PC_LIBS " -lcadence_${layer}")
  endif()
endforeach()
# The prefix is found from the file's own place, so the same file is right under /usr (the
# .deb), /usr/local or a staging directory.
file(RELATIVE_PATH CADENCE_PC_UP /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" CADENCE_PC_UP "${CADENCE_PC_UP}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/cadence.pc.in ${PROJECT_BINARY_DIR}/cadence.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cadence.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(TARGET cadence_app)
  install(TARGETS cadence_app RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
