# Warnings every Cadence target is built with; CADENCE_WERROR turns them into errors (CI does).
# -Wmissing-field-initializers is off: g++ 12 reports it for C++20 designated initializers that
# rely on default member initializers, which is how Cadence's option structs are meant to be used.
set(CADENCE_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
# g++ 12 warns about three things in sanitizer builds only; they are off there (the dev, ci and
# release builds keep all of them):
# - -Wmismatched-new-delete where a coroutine frame is freed (seen on Asio's awaitable frames):
#   it does not pair the frame's class-specific operator new and delete, which are Asio's own and
#   match (a known g++ false positive, GCC bug 109224); ASan checks every pair at run time.
# - -Wtsan: TSan does not model std::atomic_thread_fence, which Asio's fenced blocks use around
#   handler calls in addition to the mutexes of its queues (those TSan does see).
# - -Wmaybe-uninitialized at -O1 inside Asio's use_future and co_spawn (the default-constructed
#   value co_spawn passes with an error, e.g. std::optional<LavaSearchResult>): the
#   instrumentation hides from the analysis that the value is always initialized.
# The other middle-end warnings that predict memory errors from the optimizer's view
# (-Wstringop-overflow, -Warray-bounds, -Wfree-nonheap-object, -Wuse-after-free,
# -Wdangling-pointer) are known to misfire on instrumented code; there they are shown but not
# errors, since ASan finds the real memory errors they predict when the code runs.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_FLAGS MATCHES "-fsanitize=")
  list(APPEND CADENCE_WARNING_FLAGS -Wno-mismatched-new-delete -Wno-maybe-uninitialized
       -Wno-error=stringop-overflow -Wno-error=array-bounds -Wno-error=free-nonheap-object
       -Wno-error=use-after-free -Wno-error=dangling-pointer)
  if(CMAKE_CXX_FLAGS MATCHES "-fsanitize=[^ ]*thread")
    list(APPEND CADENCE_WARNING_FLAGS -Wno-tsan)
  endif()
endif()
if(CADENCE_WERROR)
  list(APPEND CADENCE_WARNING_FLAGS -Werror)
endif()

# For targets that are never installed (tests, apps, examples, benchmarks).
add_library(cadence_warnings INTERFACE)
target_compile_options(cadence_warnings INTERFACE ${CADENCE_WARNING_FLAGS})
