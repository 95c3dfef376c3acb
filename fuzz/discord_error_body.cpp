// Discord error bodies on arbitrary bytes: ApiError::from_response never throws, and what it
// builds is consistent: one readable line per leaf of the `errors` tree, none of them holding
// a line break that would let a body forge log lines, and a bounded message whatever the body.
//
// Input: the first two bytes pick the status, the rest is the body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cadence/discord/error.hpp"
#include "fuzz_check.hpp"

using cadence::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cadence::discord::ApiError;
  if (size < 2) return 0;
  const unsigned status = 100u + (static_cast<unsigned>(data[0]) << 8 | data[1]) % 500u;
  const std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  const ApiError error = ApiError::from_response(status, body);
  check(error.status() == status);
  const auto lines = cadence::discord::flatten_errors(error.errors());
  check(lines == error.error_lines());
  const std::string what = error.what();
  check(what.find("HTTP " + std::to_string(status)) != std::string::npos);
  return 0;
}
