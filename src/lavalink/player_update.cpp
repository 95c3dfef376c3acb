#include "cadence/lavalink/player_update.hpp"

#include <stdexcept>
#include <string>

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

void PlayerUpdate::validate() const {
  if (track && track->encoded.is_set() && track->identifier) {
    throw std::invalid_argument("PlayerUpdate: set track.encoded or track.identifier, not both");
  }
  const bool deprecated_set = encoded_track.is_set() || identifier;
  if (track && deprecated_set) {
    throw std::invalid_argument(
        "PlayerUpdate: set track, or the deprecated encoded_track/identifier, not both");
  }
  if (encoded_track.is_set() && identifier) {
    throw std::invalid_argument("PlayerUpdate: set encoded_track or identifier, not both");
  }
  if (end_time.has_value() && end_time.value().count() <= 0) {
    throw std::invalid_argument("PlayerUpdate: end_time must be greater than 0 ms");
  }
  // Lavalink clamps these and NodeLink answers 400; either way the caller asked for something
  // that cannot happen, and a clamp would hide the mistake.
  if (volume && (*volume < 0 || *volume > 1000)) {
    throw std::invalid_argument("PlayerUpdate: volume must be from 0 to 1000, not " +
                                std::to_string(*volume));
  }
  if (position && position->count() < 0) {
    throw std::invalid_argument("PlayerUpdate: position must not be negative (" +
                                std::to_string(position->count()) + " ms)");
  }
  const bool track_set =
      track && (track->encoded.is_set() || track->identifier || track->user_data);
  if (!track_set && !deprecated_set && !position && end_time.is_unset() && !volume && !paused &&
      !filters && !voice) {
    throw std::invalid_argument("PlayerUpdate: nothing is set; set at least one field");
  }
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const PlayerUpdate& u) {
  boost::json::object o;
  if (u.track) {
    boost::json::object t;
    if (u.track->encoded.has_value()) {
      t.emplace("encoded", u.track->encoded.value());
    } else if (u.track->encoded.is_null()) {
      t.emplace("encoded", nullptr);
    }
    if (u.track->identifier) t.emplace("identifier", *u.track->identifier);
    if (u.track->user_data) t.emplace("userData", *u.track->user_data);
    o.emplace("track", std::move(t));
  }
  if (u.encoded_track.has_value()) {
    o.emplace("encodedTrack", u.encoded_track.value());
  } else if (u.encoded_track.is_null()) {
    o.emplace("encodedTrack", nullptr);
  }
  if (u.identifier) o.emplace("identifier", *u.identifier);
  if (u.position) o.emplace("position", u.position->count());
  if (u.end_time.has_value()) {
    o.emplace("endTime", u.end_time.value().count());
  } else if (u.end_time.is_null()) {
    o.emplace("endTime", nullptr);
  }
  if (u.volume) o.emplace("volume", *u.volume);
  if (u.paused) o.emplace("paused", *u.paused);
  if (u.filters) o.emplace("filters", boost::json::value_from(*u.filters));
  if (u.voice) o.emplace("voice", boost::json::value_from(*u.voice));
  jv = std::move(o);
}

PlayerUpdate tag_invoke(const boost::json::value_to_tag<PlayerUpdate>&,
                        const boost::json::value& jv) {
  using namespace detail;
  const Path root;
  const ObjectReader r(jv, root);
  PlayerUpdate u;
  if (const json::value* t = r.optional("track")) {
    const Path track_path = root.field("track");
    const ObjectReader tr(*t, track_path);
    PlayerUpdate::TrackUpdate track;
    if (const json::value* e = tr.find("encoded")) {
      if (e->is_null()) {
        track.encoded = nullptr;
      } else {
        track.encoded = as_string(*e, track_path.field("encoded"));
      }
    }
    track.identifier = tr.opt_string("identifier");
    if (const json::value* d = tr.optional("userData")) {
      as_object(*d, track_path.field("userData"));
      track.user_data = *d;
    }
    u.track = std::move(track);
  }
  if (const json::value* e = r.find("encodedTrack")) {
    if (e->is_null()) {
      u.encoded_track = nullptr;
    } else {
      u.encoded_track = as_string(*e, root.field("encodedTrack"));
    }
  }
  u.identifier = r.opt_string("identifier");
  if (const auto p = r.opt_int64("position")) u.position = std::chrono::milliseconds(*p);
  if (const json::value* e = r.find("endTime")) {
    if (e->is_null()) {
      u.end_time = nullptr;
    } else {
      u.end_time = std::chrono::milliseconds(as_int64(*e, root.field("endTime")));
    }
  }
  u.volume = r.opt_int("volume");
  u.paused = r.opt_bool("paused");
  if (const json::value* f = r.optional("filters")) {
    u.filters = read_filters(*f, root.field("filters"));
  }
  if (const json::value* v = r.optional("voice")) {
    u.voice = read_voice_state(*v, root.field("voice"));
  }
  return u;
}

}  // namespace cadence::lavalink
