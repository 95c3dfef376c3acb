#include "cadence/lavalink/lava_search.hpp"

#include "lavalink/json_io.hpp"

namespace cadence::lavalink {
namespace {

using namespace detail;

// LavaSearch always sends all five lists; an absent or null one reads as empty so that a
// plugin version which drops an unused list still parses.
template <class T, class Read>
std::vector<T> list(const ObjectReader& r, std::string_view key, Read read) {
  if (!r.optional(key)) return {};
  return r.array<T>(key, read);
}

template <class T>
json::array write_list(const std::vector<T>& items) {
  json::array out;
  out.reserve(items.size());
  for (const auto& item : items) out.push_back(json::value_from(item));
  return out;
}

}  // namespace

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const LavaSearchResult& r) {
  json::array texts;
  for (const auto& t : r.texts)
    texts.push_back(json::object{{"text", t.text}, {"plugin", t.plugin}});
  jv = json::object{{"tracks", write_list(r.tracks)},   {"albums", write_list(r.albums)},
                    {"artists", write_list(r.artists)}, {"playlists", write_list(r.playlists)},
                    {"texts", std::move(texts)},        {"plugin", r.plugin}};
}

LavaSearchResult tag_invoke(const boost::json::value_to_tag<LavaSearchResult>&,
                            const boost::json::value& jv) {
  const Path root;
  const ObjectReader r(jv, root);
  LavaSearchResult out;
  out.tracks = list<Track>(r, "tracks", read_track);
  out.albums = list<Playlist>(r, "albums", read_playlist);
  out.artists = list<Playlist>(r, "artists", read_playlist);
  out.playlists = list<Playlist>(r, "playlists", read_playlist);
  out.texts = list<SearchText>(r, "texts", [](const json::value& v, const Path& p) {
    const ObjectReader t(v, p);
    return SearchText{t.string("text"), t.raw_object("plugin")};
  });
  out.plugin = r.raw_object("plugin");
  return out;
}

}  // namespace cadence::lavalink
