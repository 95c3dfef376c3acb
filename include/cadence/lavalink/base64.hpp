// Standard base64 (RFC 4648 alphabet, '=' padding), the form Lavalink's encoded tracks use.
// Decoding is the hot part of bulk track decoding, so it has a vectorised path (AVX2, chosen at
// run time) next to a table-driven scalar one; both give the same answers.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cadence::lavalink::base64 {

/// Characters that encode(bytes) writes.
[[nodiscard]] constexpr std::size_t encoded_size(std::size_t bytes) noexcept {
  return (bytes + 2) / 3 * 4;
}

/// An upper bound on the bytes decode() writes for `chars` characters.
[[nodiscard]] constexpr std::size_t max_decoded_size(std::size_t chars) noexcept {
  return (chars + 3) / 4 * 3;
}

struct DecodeResult {
  static constexpr std::size_t no_error = static_cast<std::size_t>(-1);
  std::size_t size = 0;                 ///< bytes written (valid only when ok())
  std::size_t error_offset = no_error;  ///< the first character that is wrong
  [[nodiscard]] bool ok() const noexcept { return error_offset == no_error; }
};

/// Decodes `text` into `out`, which must hold max_decoded_size(text.size()) bytes; nothing is
/// written past that. Padding is optional (as for Java's decoder, which Lavalink uses), but
/// when present it must complete the last group of four and end the text. Whitespace and the
/// URL-safe alphabet are errors.
[[nodiscard]] DecodeResult decode(std::string_view text, std::uint8_t* out) noexcept;

/// Writes encoded_size(bytes.size()) characters, padded, to `out`.
void encode(std::span<const std::uint8_t> bytes, char* out) noexcept;

/// Convenience forms.
[[nodiscard]] std::string encode(std::span<const std::uint8_t> bytes);
[[nodiscard]] std::string encode(std::span<const std::byte> bytes);

}  // namespace cadence::lavalink::base64
