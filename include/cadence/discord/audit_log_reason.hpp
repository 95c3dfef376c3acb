// The X-Audit-Log-Reason header: Discord wants 1-512 URL-encoded UTF-8 characters.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <string>
#include <string_view>

namespace cadence::discord {

/// The longest reason Discord accepts, in characters (code points) before encoding.
inline constexpr std::size_t max_audit_log_reason_length = 512;

/// Checks `reason` (valid UTF-8, 1-512 code points, no control characters other than tab) and
/// percent-encodes every byte outside RFC 3986's unreserved set, as encodeURIComponent does
/// (space -> %20, '/' -> %2F), ready for the X-Audit-Log-Reason header.
///
/// Throws std::invalid_argument when the reason is empty, too long, not UTF-8 or holds CR, LF,
/// NUL or another control character.
///
/// Example: encode_audit_log_reason("spam / ads") == "spam%20%2F%20ads"
[[nodiscard]] std::string encode_audit_log_reason(std::string_view reason);

}  // namespace cadence::discord
