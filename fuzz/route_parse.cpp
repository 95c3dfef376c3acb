// Route parsing and audit-log reason encoding on arbitrary bytes: either std::invalid_argument
// or a route whose path is safe to send and whose key never holds a token.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "cadence/discord/audit_log_reason.hpp"
#include "cadence/discord/route.hpp"
#include "fuzz_check.hpp"

using cadence::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cadence::discord;
  if (size == 0) return 0;
  const auto method = static_cast<Method>(data[0] % 7);
  const std::string_view path(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    const auto route = Route::parse(method, path);
    // What is sent has no characters that could end the request line or smuggle a query.
    for (const char c : route.path()) {
      const auto u = static_cast<unsigned char>(c);
      check(u > 0x20 && u < 0x7f && c != '?' && c != '#' && c != '\\');
    }
    check(!route.key().empty() && route.key().find('\n') == std::string::npos);
    // Parsing what we send gives the same route: encoding is idempotent.
    const auto again = Route::parse(method, route.path());
    check(again.path() == route.path());
    check(again.key() == route.key());
  } catch (const std::invalid_argument&) {
  }
  try {
    const auto encoded = encode_audit_log_reason(path);
    for (const char c : encoded) {
      const auto u = static_cast<unsigned char>(c);
      check(u > 0x20 && u < 0x7f);
    }
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
