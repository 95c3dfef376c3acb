// Lavalink's audio filters. Every field is optional so that what is sent is exactly what was
// set (the server replaces all filters with each update, and echoes defaults back since 4.1).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <optional>
#include <vector>

namespace cadence::lavalink {

/// One of 15 bands (0-14: 25 Hz ... 16 kHz); gain -0.25 (mute) to 1.0 (double), 0 = unchanged.
struct EqualizerBand {
  int band = 0;
  double gain = 0.0;
  friend bool operator==(const EqualizerBand&, const EqualizerBand&) = default;
};

/// Removes a band of frequencies (usually the voice).
struct Karaoke {
  std::optional<double> level;        ///< 0..1
  std::optional<double> mono_level;   ///< 0..1
  std::optional<double> filter_band;  ///< Hz
  std::optional<double> filter_width;
  friend bool operator==(const Karaoke&, const Karaoke&) = default;
};

/// Speed, pitch and rate; each >= 0, 1.0 = unchanged.
struct Timescale {
  std::optional<double> speed;
  std::optional<double> pitch;
  std::optional<double> rate;
  friend bool operator==(const Timescale&, const Timescale&) = default;
};

/// Wavering volume: frequency > 0, depth in (0, 1].
struct Tremolo {
  std::optional<double> frequency;
  std::optional<double> depth;
  friend bool operator==(const Tremolo&, const Tremolo&) = default;
};

/// Wavering pitch: frequency in (0, 14], depth in (0, 1].
struct Vibrato {
  std::optional<double> frequency;
  std::optional<double> depth;
  friend bool operator==(const Vibrato&, const Vibrato&) = default;
};

/// Audio panning around the head; 0.2 is the "8D audio" effect.
struct Rotation {
  std::optional<double> rotation_hz;
  friend bool operator==(const Rotation&, const Rotation&) = default;
};

struct Distortion {
  std::optional<double> sin_offset;
  std::optional<double> sin_scale;
  std::optional<double> cos_offset;
  std::optional<double> cos_scale;
  std::optional<double> tan_offset;
  std::optional<double> tan_scale;
  std::optional<double> offset;
  std::optional<double> scale;
  friend bool operator==(const Distortion&, const Distortion&) = default;
};

/// Mixes the channels; each 0..1; defaults 1, 0, 0, 1; all 0.5 gives mono.
struct ChannelMix {
  std::optional<double> left_to_left;
  std::optional<double> left_to_right;
  std::optional<double> right_to_left;
  std::optional<double> right_to_right;
  friend bool operator==(const ChannelMix&, const ChannelMix&) = default;
};

/// Suppresses high frequencies; smoothing > 1.0 enables it.
struct LowPass {
  std::optional<double> smoothing;
  friend bool operator==(const LowPass&, const LowPass&) = default;
};

struct Filters {
  /// 0.0-5.0, 1.0 = 100%.
  std::optional<double> volume;
  std::optional<std::vector<EqualizerBand>> equalizer;
  std::optional<Karaoke> karaoke;
  std::optional<Timescale> timescale;
  std::optional<Tremolo> tremolo;
  std::optional<Vibrato> vibrato;
  std::optional<Rotation> rotation;
  std::optional<Distortion> distortion;
  std::optional<ChannelMix> channel_mix;
  std::optional<LowPass> low_pass;
  /// Plugin name -> that plugin's own filter object, sent as is.
  std::optional<boost::json::object> plugin_filters;
  friend bool operator==(const Filters&, const Filters&) = default;
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Filters& f);
Filters tag_invoke(const boost::json::value_to_tag<Filters>&, const boost::json::value& jv);

}  // namespace cadence::lavalink
