// The simulator's own reader and writer of Lavalink's base64 track format (lavaplayer's
// MessageOutput, versions 1 to 3). It is written apart from the client's lavalink::TrackCodec on
// purpose: sim/ does not use client code, and two independent codecs check each other.
// Strings come out as standard UTF-8 (modified UTF-8's surrogate pairs and C0 80 converted).
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cadence::sim {

struct LavalinkTrackData {
  int version = 3;
  std::string title;
  std::string author;
  std::int64_t length = 0;
  std::string identifier;
  bool is_stream = false;
  std::optional<std::string> uri;
  std::optional<std::string> artwork_url;
  std::optional<std::string> isrc;
  std::string source_name;
  /// The source manager's own bytes between sourceName and position, kept as they are.
  std::string source_data;
  std::int64_t position = 0;
};

class LavalinkTrackCodec {
 public:
  /// Nullopt for anything the real server could not decode (bad base64, short or lying sizes,
  /// text Java's readUTF rejects, an unknown version) and for bytes after the message. Reads
  /// like lavaplayer otherwise: any non-zero boolean is true, flag bit 1 is ignored, raw 00,
  /// overlong forms and unpaired surrogates (as U+FFFD) are accepted.
  [[nodiscard]] static std::optional<LavalinkTrackData> decode(std::string_view base64);
  /// Version 3 (what the server writes) unless `track.version` asks for 1 or 2.
  [[nodiscard]] static std::string encode(const LavalinkTrackData& track);
};

}  // namespace cadence::sim
