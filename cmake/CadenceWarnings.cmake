# Warnings every Cadence target is built with; CADENCE_WERROR turns them into errors (CI does).
# -Wmissing-field-initializers is off: g++ 12 reports it for C++20 designated initializers that
# rely on default member initializers, which is how Cadence's option structs are meant to be used.
set(CADENCE_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
if(CADENCE_WERROR)
  list(APPEND CADENCE_WARNING_FLAGS -Werror)
endif()

# For targets that are never installed (tests, apps, examples, benchmarks).
add_library(cadence_warnings INTERFACE)
target_compile_options(cadence_warnings INTERFACE ${CADENCE_WARNING_FLAGS})
