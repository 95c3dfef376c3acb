// RESP bytes, as a Redis server (or something posing as one) could send them, through the
// client's reply reader (hiredis's reader and the guards around it): no crash, no unbounded
// allocation, and the same replies whether the bytes come at once or in pieces (the first
// byte of the input chooses where they are cut).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "redis/reply_reader.hpp"

namespace {

using cadence::redis::Reply;
using cadence::redis::detail::ProtocolError;
using cadence::redis::detail::ReplyReader;

struct Outcome {
  std::vector<Reply> replies;
  bool refused = false;
};

Outcome read_all(std::string_view bytes, std::size_t piece) {
  Outcome out;
  ReplyReader reader;
  try {
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
      const auto n = std::min(piece, bytes.size() - at);
      reader.feed(bytes.data() + at, n);
      while (auto r = reader.next()) out.replies.push_back(std::move(*r));
    }
  } catch (const ProtocolError&) {
    out.refused = true;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 7;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto whole = read_all(bytes, bytes.size() + 1);
  const auto pieces = read_all(bytes, piece);
  cadence::fuzz::check(whole.refused == pieces.refused);
  if (!whole.refused) cadence::fuzz::check(whole.replies == pieces.replies);
  return 0;
}
