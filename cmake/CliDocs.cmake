# Writes docs/cli.md from the `cadence` binary's own help: `cadence --help`, then every
# subcommand's --help, found by reading the "Subcommands:" section of its parent's help.
#   cmake -DCADENCE=<bin/cadence> -DOUT=<file.md> [-DCHECK=<docs/cli.md>] -P CliDocs.cmake
# The cli_docs target writes the checked-in page; the cli_docs_current test writes a copy in the
# build tree and compares the two, so a help text change without the page fails CI.
cmake_minimum_required(VERSION 3.25)
if(NOT CADENCE OR NOT OUT)
  message(FATAL_ERROR "usage: cmake -DCADENCE=<cadence binary> -DOUT=<file> -P CliDocs.cmake")
endif()

set(page "# The `cadence` command line

Generated from the help text of `cadence` and of each of its subcommands by
`cmake --build build/ci --target cli_docs` (cmake/CliDocs.cmake); do not edit it by hand: the
`cli_docs_current` test fails when it differs from what the binary prints. Shell completion:
`source <(cadence completion bash)` (or `zsh`).
")

function(document path)
  string(STRIP "cadence ${path}" title)
  separate_arguments(words UNIX_COMMAND "${path}")
  execute_process(COMMAND ${CADENCE} ${words} --help RESULT_VARIABLE status OUTPUT_VARIABLE help
                  ERROR_VARIABLE error)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "`${title} --help` failed (${status}): ${error}")
  endif()
  # CLI11 pads blank lines at the ends; the page keeps the text between them.
  string(STRIP "${help}" help)
  string(APPEND page "\n## ${title}\n\n```text\n${help}\n```\n")
  set(page "${page}" PARENT_SCOPE)

  string(FIND "${help}" "\nSubcommands:\n" at)
  if(at EQUAL -1)
    return()
  endif()
  string(SUBSTRING "${help}" ${at} -1 rest)
  # Only the names are read: the descriptions' own semicolons must not split the list.
  string(REPLACE ";" "," rest "${rest}")
  string(REPLACE "\n" ";" lines "${rest}")
  list(REMOVE_AT lines 0 1)  # the empty string before the first newline, then "Subcommands:"
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "^  ([a-z][a-z0-9-]*)( |$)")
      break()  # the blank line (or footer) after the list
    endif()
    string(STRIP "${path} ${CMAKE_MATCH_1}" child)
    document("${child}")
  endforeach()
  set(page "${page}" PARENT_SCOPE)
endfunction()

document("")
file(WRITE "${OUT}" "${page}")

if(CHECK)
  file(READ "${CHECK}" checked_in)
  if(NOT checked_in STREQUAL page)
    message(FATAL_ERROR "${CHECK} is not what `cadence` prints (compare it with ${OUT}); "
                        "run `cmake --build <build dir> --target cli_docs` and commit the page")
  endif()
endif()
