#include "cadence/lavalink/load_result.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {

namespace detail {
Exception read_exception(const json::value& v, const Path& path);

namespace {
std::vector<Track> read_tracks(const ObjectReader& r, std::string_view key) {
  return r.array<Track>(key, [](const json::value& v, const Path& p) { return read_track(v, p); });
}

json::array write_tracks(const std::vector<Track>& tracks) {
  json::array out;
  out.reserve(tracks.size());
  for (const Track& t : tracks) out.push_back(json::value_from(t));
  return out;
}

}  // namespace

Playlist read_playlist(const json::value& v, const Path& path) {
  const ObjectReader r(v, path);
  Playlist p;
  const Path info_path = path.field("info");
  const ObjectReader info(r.require("info"), info_path);
  p.info.name = info.string("name");
  p.info.selected_track = info.integer("selectedTrack");
  p.plugin_info = r.raw_object("pluginInfo");
  p.tracks = read_tracks(r, "tracks");
  return p;
}
}  // namespace detail

std::string_view load_type(const LoadResult& result) noexcept {
  struct Name {
    std::string_view operator()(const Track&) const { return "track"; }
    std::string_view operator()(const Playlist&) const { return "playlist"; }
    std::string_view operator()(const SearchResult&) const { return "search"; }
    std::string_view operator()(const EmptyResult&) const { return "empty"; }
    std::string_view operator()(const Exception&) const { return "error"; }
    std::string_view operator()(const UnknownLoadResult& u) const { return u.load_type; }
  };
  return std::visit(Name{}, result);
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const Playlist& p) {
  boost::json::object o;
  o.emplace("info", boost::json::value_from(p.info));
  o.emplace("pluginInfo", p.plugin_info);
  o.emplace("tracks", detail::write_tracks(p.tracks));
  jv = std::move(o);
}

Playlist tag_invoke(const boost::json::value_to_tag<Playlist>&, const boost::json::value& jv) {
  return detail::read_playlist(jv, detail::Path{});
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const LoadResult& result) {
  struct Data {
    boost::json::value operator()(const Track& t) const { return boost::json::value_from(t); }
    boost::json::value operator()(const Playlist& p) const { return boost::json::value_from(p); }
    boost::json::value operator()(const SearchResult& s) const {
      return detail::write_tracks(s.tracks);
    }
    boost::json::value operator()(const EmptyResult&) const { return boost::json::object(); }
    boost::json::value operator()(const Exception& e) const { return boost::json::value_from(e); }
    boost::json::value operator()(const UnknownLoadResult& u) const { return u.data; }
  };
  boost::json::object o;
  o.emplace("loadType", load_type(result));
  o.emplace("data", std::visit(Data{}, result));
  jv = std::move(o);
}

void tag_invoke(const boost::json::value_from_tag& tag, boost::json::value& jv,
                LoadResult&& result) {
  tag_invoke(tag, jv, static_cast<const LoadResult&>(result));
}

LoadResult tag_invoke(const boost::json::value_to_tag<LoadResult>&, const boost::json::value& jv) {
  using namespace detail;
  const Path root;
  const ObjectReader r(jv, root);
  const std::string type = r.string("loadType");
  const Path data_path = root.field("data");
  if (type == "track") return read_track(r.require("data"), data_path);
  if (type == "playlist") return read_playlist(r.require("data"), data_path);
  if (type == "search") {
    const json::array& arr = as_array(r.require("data"), data_path);
    SearchResult s;
    s.tracks.reserve(arr.size());
    for (std::size_t i = 0; i < arr.size(); ++i) {
      s.tracks.push_back(read_track(arr[i], data_path.at(i)));
    }
    return s;
  }
  if (type == "empty") return EmptyResult{};
  if (type == "error") return read_exception(r.require("data"), data_path);
  const json::value* data = r.find("data");
  return UnknownLoadResult{type, data ? *data : json::value()};
}

}  // namespace cadence::lavalink
