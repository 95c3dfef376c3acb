#include "cadence/lavalink/track_info.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

namespace detail {
TrackInfo read_track_info(const json::value& v, const Path& path) {
  const ObjectReader r(v, path);
  TrackInfo info;
  info.identifier = r.string("identifier");
  info.is_seekable = r.boolean("isSeekable");
  info.author = r.string("author");
  info.length = r.millis("length");
  info.is_stream = r.boolean("isStream");
  info.position = r.millis("position");
  info.title = r.string("title");
  info.uri = r.opt_string("uri");
  info.source_name = r.string("sourceName");
  info.artwork_url = r.opt_string("artworkUrl");
  info.isrc = r.opt_string("isrc");
  return info;
}
}  // namespace detail

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const TrackInfo& info) {
  boost::json::object o;
  o.reserve(11);
  o.emplace("identifier", info.identifier);
  o.emplace("isSeekable", info.is_seekable);
  o.emplace("author", info.author);
  o.emplace("length", info.length.count());
  o.emplace("isStream", info.is_stream);
  o.emplace("position", info.position.count());
  o.emplace("title", info.title);
  o.emplace("uri", detail::optional_string(info.uri));
  o.emplace("sourceName", info.source_name);
  o.emplace("artworkUrl", detail::optional_string(info.artwork_url));
  o.emplace("isrc", detail::optional_string(info.isrc));
  jv = std::move(o);
}

TrackInfo tag_invoke(const boost::json::value_to_tag<TrackInfo>&, const boost::json::value& jv) {
  return detail::read_track_info(jv, detail::Path{});
}

}  // namespace cadence::lavalink
