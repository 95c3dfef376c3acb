#include "sim/lavalink_catalogue.hpp"

#include <charconv>
#include <limits>
#include <stdexcept>

namespace cadence::sim::detail {
namespace {

namespace json = boost::json;

constexpr std::size_t big_playlist_limit = 100000;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool contains_ci(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    bool match = true;
    for (std::size_t k = 0; match && k < needle.size(); ++k)
      match = lower(haystack[i + k]) == lower(needle[k]);
    if (match) return true;
  }
  return false;
}

std::optional<std::size_t> parse_index(std::string_view text) {
  std::size_t n = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

json::value nullable(const std::optional<std::string>& text) {
  return text ? json::value(*text) : json::value(nullptr);
}

CatalogueTrack synthetic(std::string name, LavalinkTrackData data) {
  auto encoded = LavalinkTrackCodec::encode(data);
  return {std::move(name), std::move(encoded), std::move(data)};
}

}  // namespace

json::object track_json(const LavalinkTrackData& d, std::string encoded, json::object user_data) {
  json::object info{
      {"identifier", d.identifier},
      {"isSeekable", !d.is_stream},
      {"author", d.author},
      {"length", d.length},
      {"isStream", d.is_stream},
      {"position", d.position},
      {"title", d.title},
      {"uri", nullable(d.uri)},
      {"sourceName", d.source_name},
      {"artworkUrl", nullable(d.artwork_url)},
      {"isrc", nullable(d.isrc)},
  };
  return {{"encoded", std::move(encoded)},
          {"info", std::move(info)},
          {"pluginInfo", json::object{}},
          {"userData", std::move(user_data)}};
}

LavalinkCatalogue::LavalinkCatalogue() {
  for (const auto& entry : catalogue_entries()) {
    auto data = LavalinkTrackCodec::decode(entry.encoded);
    if (!data)
      throw std::logic_error("a catalogue track does not decode: " + std::string(entry.name));
    tracks_.push_back({std::string(entry.name), std::string(entry.encoded), std::move(*data)});
  }
  LavalinkTrackData short_track;
  short_track.title = "Cadence Sim: Short Track";
  short_track.author = "cadence-sim";
  short_track.length = 300;
  short_track.identifier = "sim-short";
  short_track.uri = "https://example.invalid/sim/short";
  short_track.source_name = "http";
  short_track.source_data = std::string("\x00\x03mp3", 5);
  tracks_.push_back(synthetic("short", std::move(short_track)));
  LavalinkTrackData stream;
  stream.title = "Cadence Sim: Live Stream";
  stream.author = "cadence-sim";
  stream.length = std::numeric_limits<std::int64_t>::max();
  stream.identifier = "sim-stream";
  stream.is_stream = true;
  stream.uri = "https://example.invalid/sim/stream";
  stream.source_name = "http";
  stream.source_data = std::string("\x00\x03mp3", 5);
  tracks_.push_back(synthetic("stream", std::move(stream)));
}

const CatalogueTrack* LavalinkCatalogue::find(std::string_view name) const {
  for (const auto& t : tracks_)
    if (t.name == name) return &t;
  if (const auto index = parse_index(name); index && *index < tracks_.size())
    return &tracks_[*index];
  return nullptr;
}

std::vector<const CatalogueTrack*> LavalinkCatalogue::search(std::string_view query,
                                                             std::string_view source) const {
  std::vector<const CatalogueTrack*> found;
  for (const auto& t : tracks_) {
    if (!source.empty() && t.data.source_name != source) continue;
    if (t.data.is_stream || t.name == "short") continue;
    if (contains_ci(t.data.title, query) || contains_ci(t.data.author, query)) found.push_back(&t);
  }
  return found;
}

LavalinkCatalogue::Loaded LavalinkCatalogue::load(std::string_view id) const {
  Loaded out;
  const auto starts = [&](std::string_view prefix) {
    if (!id.starts_with(prefix)) return false;
    id.remove_prefix(prefix.size());
    return true;
  };
  if (starts("sim:track:")) {
    if (const auto* t = find(id)) {
      out.kind = Kind::track;
      out.tracks.push_back(t);
    }
    return out;
  }
  if (starts("sim:playlist:")) {
    const auto real = catalogue_entries().size();
    if (id == "all" || id == "selected") {
      for (std::size_t i = 0; i < real; ++i) out.tracks.push_back(&tracks_[i]);
      out.kind = Kind::playlist;
      out.playlist_name = id == "all" ? "Cadence Sim: Every Track" : "Cadence Sim: Selected";
      out.selected_track = id == "all" ? -1 : 1;
    } else if (id.starts_with("big:")) {
      const auto n = parse_index(id.substr(4));
      if (!n || *n == 0 || *n > big_playlist_limit) return out;
      for (std::size_t i = 0; i < *n; ++i) out.tracks.push_back(&tracks_[i % real]);
      out.kind = Kind::playlist;
      out.playlist_name = "Cadence Sim: Big Playlist (" + std::to_string(*n) + ")";
    }
    return out;
  }
  std::string_view source;
  bool is_search = false;
  if (starts("sim:search:")) {
    is_search = true;
  } else if (starts("ytsearch:") || starts("ytmsearch:")) {
    is_search = true;
    source = "youtube";
  } else if (starts("scsearch:")) {
    is_search = true;
    source = "soundcloud";
  }
  if (is_search) {
    out.tracks = search(id, source);
    out.kind = out.tracks.empty() ? Kind::empty : Kind::search;
    return out;
  }
  if (id == "sim:empty") return out;
  if (id == "sim:unknown-type") {
    out.kind = Kind::unknown_type;
    return out;
  }
  if (id == "sim:error" || id.starts_with("sim:error:")) {
    out.kind = Kind::error;
    const auto severity = id == "sim:error" ? std::string_view("fault") : id.substr(10);
    out.severity = std::string(severity);
    if (severity == "common") {
      out.error_message = "This video is unavailable";
    } else if (severity == "suspicious") {
      out.error_message = "Received unexpected response from YouTube.";
    } else {
      out.severity = "fault";
      out.error_message = "Something broke when playing the track.";
    }
    return out;
  }
  // A URL or source identifier of a catalogue track loads it, as a link would on a real server.
  for (const auto& t : tracks_) {
    if ((t.data.uri && *t.data.uri == id) || t.data.identifier == id) {
      out.kind = Kind::track;
      out.tracks.push_back(&t);
      return out;
    }
  }
  return out;
}

json::object LavalinkCatalogue::result_json(const Loaded& loaded) {
  const auto array = [&] {
    json::array tracks;
    tracks.reserve(loaded.tracks.size());
    for (const auto* t : loaded.tracks) tracks.push_back(track_json(t->data, t->encoded));
    return tracks;
  };
  switch (loaded.kind) {
    case Kind::track:
      return {{"loadType", "track"},
              {"data", track_json(loaded.tracks.front()->data, loaded.tracks.front()->encoded)}};
    case Kind::playlist:
      return {
          {"loadType", "playlist"},
          {"data", json::object{{"info", json::object{{"name", loaded.playlist_name},
                                                      {"selectedTrack", loaded.selected_track}}},
                                {"pluginInfo", json::object{}},
                                {"tracks", array()}}}};
    case Kind::search:
      return {{"loadType", "search"}, {"data", array()}};
    case Kind::error: {
      const std::string cause =
          loaded.severity == "common"
              ? "com.sedmelluq.discord.lavaplayer.tools.FriendlyException: " + loaded.error_message
              : "java.lang.IllegalStateException: simulated load failure";
      return {
          {"loadType", "error"},
          {"data", json::object{
                       {"message", loaded.error_message},
                       {"severity", loaded.severity},
                       {"cause", cause},
                       {"causeStackTrace",
                        cause + "\n\tat cadence.sim.Catalogue.load(Catalogue.java:42)\n\tat "
                                "com.sedmelluq.discord.lavaplayer.player.DefaultAudioPlayerManager"
                                ".loadItemSync(DefaultAudioPlayerManager.java:410)\n"},
                   }}};
    }
    case Kind::empty:
    case Kind::unknown_type:
      break;
  }
  return {{"loadType", "empty"}, {"data", json::object{}}};
}

}  // namespace cadence::sim::detail
