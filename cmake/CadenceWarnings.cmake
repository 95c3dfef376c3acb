# Warnings every Cadence target is built with; CADENCE_WERROR turns them into errors (CI does).
# -Wmissing-field-initializers is off: g++ 12 reports it for C++20 designated initializers that
# rely on default member initializers, which is how Cadence's option structs are meant to be used.
set(CADENCE_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
# With ASan, g++ 12 reports -Wmismatched-new-delete where a coroutine frame is freed (seen on
# Asio's awaitable frames): it does not pair the frame's class-specific operator new and delete,
# which are Asio's own and do match (a known g++ false positive, GCC bug 109224). ASan itself
# checks every new/delete pair at run time in that build.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_FLAGS MATCHES "-fsanitize=[^ ]*address")
  list(APPEND CADENCE_WARNING_FLAGS -Wno-mismatched-new-delete)
endif()
if(CADENCE_WERROR)
  list(APPEND CADENCE_WARNING_FLAGS -Werror)
endif()

# For targets that are never installed (tests, apps, examples, benchmarks).
add_library(cadence_warnings INTERFACE)
target_compile_options(cadence_warnings INTERFACE ${CADENCE_WARNING_FLAGS})
