# Warnings every Cadence target is built with; CADENCE_WERROR turns them into errors (CI does).
add_library(cadence_warnings INTERFACE)
target_compile_options(cadence_warnings INTERFACE -Wall -Wextra -Wpedantic)
if(CADENCE_WERROR)
  target_compile_options(cadence_warnings INTERFACE -Werror)
endif()
