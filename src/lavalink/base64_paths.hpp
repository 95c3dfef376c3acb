// The two decoding paths behind base64::decode(), for the tests that compare them and the
// benchmark that times them; not part of the public header.
#pragma once

#include <cstdint>
#include <string_view>

#include "cadence/lavalink/base64.hpp"

namespace cadence::lavalink::base64::detail {

/// The scalar decoder alone.
[[nodiscard]] DecodeResult decode_scalar(std::string_view text, std::uint8_t* out) noexcept;
/// Whether decode() uses a vector path on this CPU.
[[nodiscard]] bool vector_path_available() noexcept;

}  // namespace cadence::lavalink::base64::detail
