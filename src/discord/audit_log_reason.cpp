#include "cadence/discord/audit_log_reason.hpp"

#include <fmt/format.h>
#include <stdexcept>

#include "discord/text.hpp"

namespace cadence::discord {
namespace {

/// Length in bytes of the UTF-8 sequence starting at s[i], or 0 if it is not well-formed
/// (overlong forms, surrogates and values past U+10FFFF are rejected).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

}  // namespace

std::string encode_audit_log_reason(std::string_view reason) {
  if (reason.empty()) {
    throw std::invalid_argument("audit-log reason is empty: give 1-512 characters or none");
  }
  std::size_t chars = 0;
  for (std::size_t i = 0; i < reason.size();) {
    const auto n = utf8_sequence(reason, i);
    if (n == 0) {
      throw std::invalid_argument(fmt::format("audit-log reason is not valid UTF-8 (byte {})", i));
    }
    const auto c = static_cast<unsigned char>(reason[i]);
    if (n == 1 && ((c < 0x20 && c != '\t') || c == 0x7f)) {
      throw std::invalid_argument(
          "audit-log reason holds a control character (CR, LF, NUL, ...); remove it");
    }
    i += n;
    ++chars;
  }
  if (chars > max_audit_log_reason_length) {
    throw std::invalid_argument(
        fmt::format("audit-log reason has {} characters; Discord accepts at most 512", chars));
  }
  std::string out;
  out.reserve(reason.size() * 3);
  for (const char ch : reason) {
    const auto c = static_cast<unsigned char>(ch);
    if (detail::is_unreserved(c)) {
      out += ch;
    } else {
      detail::append_pct(out, c);
    }
  }
  return out;
}

}  // namespace cadence::discord
