// Differential fuzzing of the two track codecs: lavalink::TrackCodec (the client's) and
// sim::LavalinkTrackCodec (the simulator's, written apart on purpose). For every input, read as
// base64 text and as a binary message, both must reject or both accept with every field equal.
// A disagreement is a bug in one of them, and which one is decided by what lavaplayer does.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/lavalink/base64.hpp"
#include "cadence/lavalink/track_codec.hpp"
#include "cadence/sim/lavalink_track_codec.hpp"
#include "fuzz_check.hpp"

namespace lavalink = cadence::lavalink;
using cadence::fuzz::check;

namespace {

bool same(const std::optional<std::string_view>& a, const std::optional<std::string>& b) {
  return a.has_value() == b.has_value() && (!a || *a == *b);
}

void compare(std::string_view text) {
  std::vector<std::byte> buffer(lavalink::TrackCodec::view_buffer_size(text.size()));
  lavalink::TrackView v;
  const bool ours = lavalink::TrackCodec::try_decode_view(text, buffer, v);
  const auto sim = cadence::sim::LavalinkTrackCodec::decode(text);
  check(ours == sim.has_value());
  if (!ours) return;
  check(v.version == sim->version);
  check(v.title == sim->title);
  check(v.author == sim->author);
  check(v.length.count() == sim->length);
  check(v.identifier == sim->identifier);
  check(v.is_stream == sim->is_stream);
  check(same(v.uri, sim->uri));
  check(same(v.artwork_url, sim->artwork_url));
  check(same(v.isrc, sim->isrc));
  check(v.source_name == sim->source_name);
  check(std::string_view(reinterpret_cast<const char*>(v.source_data.data()),
                         v.source_data.size()) == sim->source_data);
  check(v.position.count() == sim->position);
  // An accepted track re-encodes unchanged to its own text through the owning decoder.
  check(lavalink::TrackCodec::encode(lavalink::TrackCodec::decode(text)) == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  compare(std::string_view(reinterpret_cast<const char*>(data), size));
  // The same bytes as a binary message: base64 is where most random text fails, so this is
  // what reaches the field readers.
  compare(lavalink::base64::encode(std::span<const std::uint8_t>(data, size)));
  return 0;
}
