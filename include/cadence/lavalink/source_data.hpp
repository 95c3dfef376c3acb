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

/// Which LavaSrc wrote the bytes. LavaSrc 4 (Lavalink v4) writes the album, artist and preview
/// block; LavaSrc 3 (Lavalink v3, version-2 tracks) wrote the ISRC and artwork URL there, which
/// version 2 had no field for (yandexmusic the artwork URL alone).
enum class LavaSrcLayout {
  v4,          ///< album_name .. is_preview
  v3,          ///< isrc, artwork_url
  v3_artwork,  ///< artwork_url
};

/// LavaSrc's sources (spotify, applemusic, deezer, ...): the fields of `layout` are set, the
/// others stay empty.
struct LavaSrcInfo {
  std::optional<std::string> album_name;
  std::optional<std::string> album_url;
  std::optional<std::string> artist_url;
  std::optional<std::string> artist_artwork_url;
  std::optional<std::string> preview_url;
  bool is_preview = false;
  LavaSrcLayout layout = LavaSrcLayout::v4;
  std::optional<std::string> isrc;         ///< v3 only
  std::optional<std::string> artwork_url;  ///< v3 and v3_artwork only
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
/// these fields). Bytes after isPreview are allowed, for fields a later LavaSrc may add. Bytes
/// too short for LavaSrc 4's block that are exactly LavaSrc 3's (two nullable texts, or one)
/// read as that layout; the two cannot be confused, since LavaSrc 4's block needs four more
/// bytes after its first two fields. (So a damaged LavaSrc 4 block that ends exactly after its
/// first or second field reads as LavaSrc 3's layout: the bytes alone cannot tell.) Throws
/// TrackDecodeError (LavaSrc 4's reading, offsets within `bytes`) when they are neither.
[[nodiscard]] std::optional<LavaSrcInfo> read_lavasrc_info(std::span<const std::byte> bytes);

/// The bytes for DecodedTrack::source_data. Throw std::invalid_argument for text that is not
/// valid UTF-8 or too long.
[[nodiscard]] std::vector<std::byte> write_probe_info(const ProbeInfo& info);
/// Writes the fields of info.layout (and only those: a v3 layout drops album_name .. is_preview).
[[nodiscard]] std::vector<std::byte> write_lavasrc_info(const LavaSrcInfo& info);

}  // namespace cadence::lavalink
