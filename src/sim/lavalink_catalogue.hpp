// What the simulated Lavalink can load: the real tracks of the reference vectors, two synthetic
// ones (a short track that finishes quickly, a stream), playlists and searches over them, and
// the empty, error and unknown-type results. Immutable after construction, so shared freely.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/sim/lavalink_track_codec.hpp"

namespace cadence::sim::detail {

struct CatalogueEntry {
  std::string_view name;
  std::string_view encoded;
};

/// The real encoded tracks (lavalink_catalogue_data.cpp).
const std::vector<CatalogueEntry>& catalogue_entries();

struct CatalogueTrack {
  std::string name;
  std::string encoded;
  LavalinkTrackData data;
};

/// A track as the REST API shows it: {encoded, info, pluginInfo, userData}.
[[nodiscard]] boost::json::object track_json(const LavalinkTrackData& data, std::string encoded,
                                             boost::json::object user_data = {});

class LavalinkCatalogue {
 public:
  enum class Kind { track, playlist, search, empty, error, unknown_type };

  struct Loaded {
    Kind kind = Kind::empty;
    std::vector<const CatalogueTrack*> tracks;
    std::string playlist_name;
    int selected_track = -1;
    std::string error_message;
    std::string severity = "fault";
  };

  LavalinkCatalogue();

  [[nodiscard]] Loaded load(std::string_view identifier) const;
  /// The LoadResult JSON ({loadType, data}) for what load() found; not for unknown_type.
  [[nodiscard]] static boost::json::object result_json(const Loaded& loaded);

  /// By name, index or "short"/"stream"; nullptr when there is none.
  [[nodiscard]] const CatalogueTrack* find(std::string_view name) const;
  /// Tracks whose title or author contains `query` (ASCII case-insensitive), optionally only
  /// from one source; every track for an empty query.
  [[nodiscard]] std::vector<const CatalogueTrack*> search(std::string_view query,
                                                          std::string_view source = {}) const;
  [[nodiscard]] const std::vector<CatalogueTrack>& tracks() const noexcept { return tracks_; }

 private:
  std::vector<CatalogueTrack> tracks_;
};

}  // namespace cadence::sim::detail
