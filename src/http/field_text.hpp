// Text helpers shared by the hand-written request and response heads.
#pragma once

#include <string_view>

namespace cadence::http::detail {

/// A field value without the optional whitespace (spaces and tabs) HTTP allows around it.
inline std::string_view trim_ows(std::string_view v) noexcept {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace cadence::http::detail
