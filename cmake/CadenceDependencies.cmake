# Third-party packages, all from Debian 12 (scripts/bootstrap.sh installs them).
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS json url)
find_package(fmt REQUIRED)
# hiredis (libhiredis-dev) for its RESP reader only. Linked by name (-lhiredis), not through an
# imported target: its headers stay private to src/redis, and pkg-config's -I.../hiredis (which
# holds files named read.h and alloc.h) must not reach programs that use Cadence.
find_package(PkgConfig REQUIRED)
pkg_check_modules(hiredis REQUIRED hiredis)
