# Runs one example and checks that it exited 0 and printed what it should: CTest's
# PASS_REGULAR_EXPRESSION alone would ignore the exit code.
#   cmake "-DRUN=<program>;<arg>..." "-DEXPECT=<regex>;<regex>..." -P run_example.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT RUN OR NOT EXPECT)
  message(FATAL_ERROR "usage: cmake -DRUN=<program;args> -DEXPECT=<regexes> -P run_example.cmake")
endif()
# The examples bound their own waits; this is the backstop, below CTest's TIMEOUT.
execute_process(COMMAND ${RUN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err
                TIMEOUT 30)
message("${out}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "exited with ${status}\n${err}")
endif()
foreach(pattern IN LISTS EXPECT)
  if(NOT out MATCHES "${pattern}")
    message(FATAL_ERROR "output lacks /${pattern}/\n${err}")
  endif()
endforeach()
