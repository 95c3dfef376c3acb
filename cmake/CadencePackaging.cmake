# `cpack -G DEB` (from the build directory) makes one Debian package of what `cmake --install`
# installs: the static libraries, the headers, the CMake package, the pkg-config file and the
# `cadence` tool, under /usr. As Debian's own tools do, the tool is stripped and the archives
# lose their debug sections (a RelWithDebInfo build's are hundreds of MB); the build tree keeps
# them. Depends lists what a program built against the package needs to compile and link.
set(CPACK_PACKAGE_NAME cadence)
set(CPACK_PACKAGE_VENDOR "Cadence")
set(CPACK_PACKAGE_CONTACT "Cadence maintainers <cadence@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "Cadence is a C++20 library and the `cadence` command-line tool for Discord's REST API "
  "(exact rate limits) and Lavalink v4 nodes. This package holds the static libraries, the "
  "headers, the CMake package (find_package(cadence)), a pkg-config file and the tool.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libboost1.81-dev, libboost-json1.81-dev, libboost-url1.81-dev, libssl-dev, libfmt-dev, libhiredis-dev")
set(CPACK_GENERATOR DEB)
include(CPack)
