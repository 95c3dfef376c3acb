#include "cadence/lavalink/filters.hpp"

#include <initializer_list>
#include <string_view>
#include <utility>

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {
namespace {

using detail::ObjectReader;
using detail::Path;
using detail::json::object;
using detail::json::value;

// Most filters are a handful of optional numbers; one table per filter drives both directions.
template <class T>
using Fields = std::initializer_list<std::pair<std::string_view, std::optional<double> T::*>>;

template <class T>
T read_numbers(const value& v, const Path& path, Fields<T> fields) {
  const ObjectReader r(v, path);
  T out{};
  for (const auto& [name, member] : fields) out.*member = r.opt_number(name);
  return out;
}

template <class T>
value write_numbers(const T& in, Fields<T> fields) {
  object o;
  for (const auto& [name, member] : fields) {
    if (in.*member) o.emplace(name, *(in.*member));
  }
  return o;
}

const Fields<Karaoke> karaoke_fields = {{"level", &Karaoke::level},
                                        {"monoLevel", &Karaoke::mono_level},
                                        {"filterBand", &Karaoke::filter_band},
                                        {"filterWidth", &Karaoke::filter_width}};
const Fields<Timescale> timescale_fields = {
    {"speed", &Timescale::speed}, {"pitch", &Timescale::pitch}, {"rate", &Timescale::rate}};
const Fields<Tremolo> tremolo_fields = {{"frequency", &Tremolo::frequency},
                                        {"depth", &Tremolo::depth}};
const Fields<Vibrato> vibrato_fields = {{"frequency", &Vibrato::frequency},
                                        {"depth", &Vibrato::depth}};
const Fields<Rotation> rotation_fields = {{"rotationHz", &Rotation::rotation_hz}};
const Fields<Distortion> distortion_fields = {
    {"sinOffset", &Distortion::sin_offset}, {"sinScale", &Distortion::sin_scale},
    {"cosOffset", &Distortion::cos_offset}, {"cosScale", &Distortion::cos_scale},
    {"tanOffset", &Distortion::tan_offset}, {"tanScale", &Distortion::tan_scale},
    {"offset", &Distortion::offset},        {"scale", &Distortion::scale}};
const Fields<ChannelMix> channel_mix_fields = {{"leftToLeft", &ChannelMix::left_to_left},
                                               {"leftToRight", &ChannelMix::left_to_right},
                                               {"rightToLeft", &ChannelMix::right_to_left},
                                               {"rightToRight", &ChannelMix::right_to_right}};
const Fields<LowPass> low_pass_fields = {{"smoothing", &LowPass::smoothing}};

template <class T>
std::optional<T> read_filter(const ObjectReader& r, std::string_view key, Fields<T> fields) {
  const value* v = r.optional(key);
  if (!v) return std::nullopt;
  return read_numbers<T>(*v, r.path().field(key), fields);
}

}  // namespace

namespace detail {
Filters read_filters(const json::value& v, const Path& path) {
  const ObjectReader r(v, path);
  Filters f;
  f.volume = r.opt_number("volume");
  if (r.optional("equalizer")) {
    f.equalizer = r.array<EqualizerBand>("equalizer", [](const value& b, const Path& p) {
      const ObjectReader band(b, p);
      return EqualizerBand{band.integer("band"), band.number("gain")};
    });
  }
  f.karaoke = read_filter(r, "karaoke", karaoke_fields);
  f.timescale = read_filter(r, "timescale", timescale_fields);
  f.tremolo = read_filter(r, "tremolo", tremolo_fields);
  f.vibrato = read_filter(r, "vibrato", vibrato_fields);
  f.rotation = read_filter(r, "rotation", rotation_fields);
  f.distortion = read_filter(r, "distortion", distortion_fields);
  f.channel_mix = read_filter(r, "channelMix", channel_mix_fields);
  f.low_pass = read_filter(r, "lowPass", low_pass_fields);
  if (const value* plugins = r.optional("pluginFilters")) {
    f.plugin_filters = as_object(*plugins, path.field("pluginFilters"));
  }
  return f;
}
}  // namespace detail

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Filters& f) {
  object o;
  if (f.volume) o.emplace("volume", *f.volume);
  if (f.equalizer) {
    boost::json::array bands;
    for (const auto& b : *f.equalizer) bands.push_back(object{{"band", b.band}, {"gain", b.gain}});
    o.emplace("equalizer", std::move(bands));
  }
  if (f.karaoke) o.emplace("karaoke", write_numbers(*f.karaoke, karaoke_fields));
  if (f.timescale) o.emplace("timescale", write_numbers(*f.timescale, timescale_fields));
  if (f.tremolo) o.emplace("tremolo", write_numbers(*f.tremolo, tremolo_fields));
  if (f.vibrato) o.emplace("vibrato", write_numbers(*f.vibrato, vibrato_fields));
  if (f.rotation) o.emplace("rotation", write_numbers(*f.rotation, rotation_fields));
  if (f.distortion) o.emplace("distortion", write_numbers(*f.distortion, distortion_fields));
  if (f.channel_mix) o.emplace("channelMix", write_numbers(*f.channel_mix, channel_mix_fields));
  if (f.low_pass) o.emplace("lowPass", write_numbers(*f.low_pass, low_pass_fields));
  if (f.plugin_filters) o.emplace("pluginFilters", *f.plugin_filters);
  jv = std::move(o);
}

Filters tag_invoke(const boost::json::value_to_tag<Filters>&, const boost::json::value& jv) {
  return detail::read_filters(jv, Path{});
}

}  // namespace cadence::lavalink
