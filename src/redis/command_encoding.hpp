// RESP encoding of a command: an array of bulk strings, appended to an output buffer so that
// pipelined commands share one write.
#pragma once

#include <charconv>
#include <string>
#include <string_view>
#include <vector>

namespace cadence::redis::detail {

inline void append_length(std::string& out, char marker, std::size_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out.push_back(marker);
  out.append(digits, end);
  out.append("\r\n");
}

inline void append_command(std::string& out, const std::vector<std::string>& args) {
  append_length(out, '*', args.size());
  for (const auto& arg : args) {
    append_length(out, '$', arg.size());
    out.append(arg);
    out.append("\r\n");
  }
}

}  // namespace cadence::redis::detail
