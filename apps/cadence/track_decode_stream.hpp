// `cadence track decode` over a stream of lines: every core decodes, the output keeps input
// order, and a bad line is reported on stderr at its place in the output.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string_view>

namespace cadence::app {

/// A track line without surrounding blanks (and without a Windows line's '\r').
std::string_view trim_track_line(std::string_view line);

struct StreamOutcome {
  bool bad_lines = false;     ///< some line did not decode (each was reported)
  bool write_failed = false;  ///< `out` refused some output
  int write_error = 0;        ///< the errno of the first refusal, when it set one
};

/// Decodes the lines of `fd` into JSON lines on `out`. A regular file is mapped and cut into
/// chunks; anything else is read. `report(line, what)` is called for each bad line, in order,
/// after `out` has been flushed up to it. Throws std::system_error if `fd` cannot be read.
StreamOutcome decode_track_stream(int fd, std::FILE* out,
                                  void (*report)(std::size_t line, std::string_view what));

}  // namespace cadence::app
