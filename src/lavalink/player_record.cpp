#include "cadence/lavalink/player_record.hpp"

#include <algorithm>

namespace cadence::lavalink {

std::chrono::milliseconds PlayerRecord::position_at(Clock::time_point now) const {
  if (!track) return position;
  auto p = position;
  if (!paused && now > observed_at)
    p += std::chrono::duration_cast<std::chrono::milliseconds>(now - observed_at);
  if (!track->info.is_stream && track->info.length.count() > 0) p = std::min(p, track->info.length);
  if (end_time) p = std::min(p, *end_time);
  return p;
}

PlayerRecord::Clock::time_point PlayerRecord::observed_time(Timestamp server_time,
                                                            Clock::time_point now) {
  if (server_time.time_since_epoch().count() <= 0) return now;
  const auto age = std::chrono::system_clock::now() - server_time;
  return now - std::clamp<std::chrono::system_clock::duration>(age, std::chrono::seconds(0),
                                                               std::chrono::seconds(10));
}

void PlayerRecord::apply(const Player& answer, const PlayerUpdate* sent, Clock::time_point now) {
  const bool new_track =
      sent && ((sent->track && (sent->track->encoded.is_set() || sent->track->identifier)) ||
               sent->encoded_track.is_set() || sent->identifier);
  track = answer.track;
  position = answer.track ? answer.state.position : std::chrono::milliseconds(0);
  observed_at = observed_time(answer.state.time, now);
  state_time = answer.state.time;
  paused = answer.paused;
  volume = answer.volume;
  filters = answer.filters;
  if (!answer.track || new_track) end_time.reset();
  if (sent && sent->end_time.has_value() && answer.track)
    end_time = std::chrono::milliseconds(*sent->end_time);
  if (sent && sent->voice) {
    voice = sent->voice;
  } else if (!answer.voice.token.empty() && !answer.voice.endpoint.empty()) {
    // The server's echo; keep the channel id we know when it has none.
    auto channel = voice ? voice->channel_id : std::nullopt;
    voice = answer.voice;
    if (!voice->channel_id) voice->channel_id = channel;
  }
}

PlayerUpdate PlayerRecord::restore_update(Clock::time_point now) const {
  PlayerUpdate u;
  if (track) {
    PlayerUpdate::TrackUpdate t;
    t.encoded = track->encoded;
    if (track->user_data.is_object() && !track->user_data.get_object().empty())
      t.user_data = track->user_data;
    u.track = std::move(t);
    u.position = position_at(now);
    if (end_time) u.end_time = *end_time;
  }
  u.paused = paused;
  u.volume = volume;
  u.filters = filters;
  if (voice && !voice->token.empty()) u.voice = voice;
  return u;
}

}  // namespace cadence::lavalink
