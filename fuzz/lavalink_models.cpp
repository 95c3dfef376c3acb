// Every Lavalink model conversion on arbitrary JSON: each type either converts or throws
// BuildError (never anything else, never a crash), and what converts writes JSON that converts
// back to an equal value, so nothing a node sends is silently changed by a read-write cycle
// (a NodePool moving a player relies on that).
//
// Input: JSON text. Every model type is tried on it, so one seed of any kind feeds them all.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/exception.hpp"
#include "cadence/lavalink/filters.hpp"
#include "cadence/lavalink/info.hpp"
#include "cadence/lavalink/lava_search.hpp"
#include "cadence/lavalink/load_result.hpp"
#include "cadence/lavalink/lyrics.hpp"
#include "cadence/lavalink/player.hpp"
#include "cadence/lavalink/player_state.hpp"
#include "cadence/lavalink/player_update.hpp"
#include "cadence/lavalink/playlist_info.hpp"
#include "cadence/lavalink/route_planner.hpp"
#include "cadence/lavalink/session.hpp"
#include "cadence/lavalink/stats.hpp"
#include "cadence/lavalink/track.hpp"
#include "cadence/lavalink/track_info.hpp"
#include "cadence/lavalink/voice_state.hpp"
#include "fuzz_check.hpp"

namespace json = boost::json;
namespace lavalink = cadence::lavalink;
using cadence::fuzz::check;

namespace {

template <class T>
void round_trip(const json::value& input) {
  std::optional<T> first;
  try {
    first.emplace(json::value_to<T>(input));
  } catch (const lavalink::BuildError&) {
    return;  // the documented refusal of a body with the wrong shape
  }
  // From here on nothing may throw: what Cadence wrote, Cadence must read.
  const json::value written = json::value_from(T(*first));
  const T again = json::value_to<T>(written);
  check(again == *first);
  check(json::value_from(T(again)) == written);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  boost::system::error_code ec;
  const json::value input = json::parse(text, ec);
  if (ec) return 0;
  round_trip<lavalink::LoadResult>(input);
  round_trip<lavalink::Track>(input);
  round_trip<lavalink::TrackInfo>(input);
  round_trip<lavalink::Playlist>(input);
  round_trip<lavalink::PlaylistInfo>(input);
  round_trip<lavalink::Exception>(input);
  round_trip<lavalink::Player>(input);
  round_trip<lavalink::PlayerState>(input);
  round_trip<lavalink::PlayerUpdate>(input);
  round_trip<lavalink::VoiceState>(input);
  round_trip<lavalink::Filters>(input);
  round_trip<lavalink::Stats>(input);
  round_trip<lavalink::Info>(input);
  round_trip<lavalink::RoutePlannerStatus>(input);
  round_trip<lavalink::SessionUpdate>(input);
  round_trip<lavalink::SessionState>(input);
  round_trip<lavalink::Lyrics>(input);
  round_trip<lavalink::LyricsLine>(input);
  round_trip<lavalink::LavaSearchResult>(input);
  return 0;
}
