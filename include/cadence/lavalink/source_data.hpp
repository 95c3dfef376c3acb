// Typed readings of the source-specific bytes that well-known source managers put between a
// track's sourceName and its position. The codec keeps those bytes opaque; these functions
// interpret them on request, and build them for tracks made by hand.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cadence::lavalink {

/// lavaplayer's probing sources (`http`, `local`): the container probe that found the format,
/// written as one text "name" or "name|parameters". Lavalink cannot play such a track without it.
struct ProbeInfo {
  std::string name;                       ///< e.g. "mp3"
  std::optional<std::string> parameters;  ///< what follows the first '|'
  friend bool operator==(const ProbeInfo&, const ProbeInfo&) = default;
};

/// LavaSrc's sources (spotify, applemusic, deezer, ...): album, artist and preview fields.
struct LavaSrcInfo {
  std::optional<std::string> album_name;
  std::optional<std::string> album_url;
  std::optional<std::string> artist_url;
  std::optional<std::string> artist_artwork_url;
  std::optional<std::string> preview_url;
  bool is_preview = false;
  friend bool operator==(const LavaSrcInfo&, const LavaSrcInfo&) = default;
};

/// Whether `source_name` is one whose bytes are ProbeInfo.
[[nodiscard]] bool is_probing_source(std::string_view source_name) noexcept;
/// Whether `source_name` is a LavaSrc source known to write LavaSrcInfo.
[[nodiscard]] bool is_lavasrc_source(std::string_view source_name) noexcept;

/// Reads ProbeInfo; std::nullopt when `bytes` is empty. Throws TrackDecodeError (offsets count
/// within `bytes`) when they are not exactly one modified UTF-8 text.
[[nodiscard]] std::optional<ProbeInfo> read_probe_info(std::span<const std::byte> bytes);
/// Reads LavaSrcInfo; std::nullopt when `bytes` is empty (tracks from before LavaSrc wrote
/// these fields). Bytes after isPreview are allowed, for fields a later LavaSrc may add.
[[nodiscard]] std::optional<LavaSrcInfo> read_lavasrc_info(std::span<const std::byte> bytes);

/// The bytes for DecodedTrack::source_data. Throw std::invalid_argument for text that is not
/// valid UTF-8 or too long.
[[nodiscard]] std::vector<std::byte> write_probe_info(const ProbeInfo& info);
[[nodiscard]] std::vector<std::byte> write_lavasrc_info(const LavaSrcInfo& info);

}  // namespace cadence::lavalink
