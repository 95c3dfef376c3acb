// Lavalink's encoded tracks (lavaplayer's MessageOutput format, base64), versions 1 to 3,
// without a server.
// Threading: values and functions of them, with no shared state: any thread may use its own objects
// (one object from one thread at a time, as with std types).
//
// Layout of the binary message (big-endian): a 4-byte header (2 flag bits, 30 bits of size),
// a version byte when flag 1 is set (else version 1), title, author, length, identifier,
// isStream, uri (v2+, nullable), artworkUrl and isrc (v3, nullable), sourceName, then bytes that
// only the source manager understands, and the start position in the last 8 bytes. Strings are
// Java's modified UTF-8. The source-specific bytes are kept as an opaque blob and written back
// unchanged, which is what makes every track round-trip whatever plugin produced it.
//
// Example:
//   auto track = cadence::lavalink::TrackCodec::decode(encoded);
//   track.info.position = std::chrono::seconds(30);
//   std::string again = cadence::lavalink::TrackCodec::encode(track);  // version 3
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/track_info.hpp"

namespace cadence::lavalink {

/// A decoded track with everything the binary form carries.
struct DecodedTrack {
  /// The version it was decoded from (1-3); the encoder writes 3 unless told otherwise.
  int version = 3;
  TrackInfo info;
  /// The source manager's own bytes (between sourceName and position), kept verbatim.
  std::vector<std::byte> source_data;
  /// The text this track was decoded from. TrackCodec::encode returns it unchanged while the
  /// other fields still match it, so decoding and re-encoding never rewrites a track (an older
  /// version stays as it was). Empty for a track built by hand.
  std::string encoded;

  friend bool operator==(const DecodedTrack&, const DecodedTrack&) = default;
};

/// A decoded track whose text fields are views into a caller-owned buffer: no allocation per
/// field. Valid as long as that buffer is. Text is UTF-8 (converted in place).
struct TrackView {
  int version = 3;
  std::string_view title;
  std::string_view author;
  std::chrono::milliseconds length{0};
  std::string_view identifier;
  bool is_stream = false;
  std::optional<std::string_view> uri;
  std::optional<std::string_view> artwork_url;
  std::optional<std::string_view> isrc;
  std::string_view source_name;
  std::span<const std::byte> source_data;
  std::chrono::milliseconds position{0};
};

/// Why a non-throwing decode failed; `problem` is a static string.
struct DecodeFailure {
  TrackDecodeError::Stage stage = TrackDecodeError::Stage::message;
  std::size_t offset = 0;
  const char* problem = "";
  [[nodiscard]] TrackDecodeError to_error() const { return {stage, offset, problem}; }
};

/// What encode_to did: the text's size, whether it fit, and so was written.
struct EncodeResult {
  std::size_t size = 0;  ///< characters written, or needed when !written
  bool written = false;
};

class TrackCodec {
 public:
  /// Versions the codec reads and writes.
  static constexpr int min_version = 1;
  static constexpr int max_version = 3;

  // ---- owning decode ----

  /// Decodes base64 text. Accepts what lavaplayer's reader accepts: any non-zero boolean byte
  /// is true, header flag bits other than bit 0 are ignored, and text is read like Java's
  /// readUTF (raw 00 bytes, overlong forms, unpaired surrogates; an unpaired surrogate becomes
  /// U+FFFD in the UTF-8 fields). Throws TrackDecodeError (naming the stage and offset) for bad
  /// base64, a header whose size does not match the bytes, a version other than 1-3, a field
  /// that runs past the message, or text readUTF rejects (4-byte sequences, stray continuation
  /// bytes, cut sequences). Re-encoding such a track unchanged returns its original text;
  /// encoding it after a change writes the canonical form.
  [[nodiscard]] static DecodedTrack decode(std::string_view encoded);
  /// Decodes a binary message (header included); `encoded` stays empty.
  [[nodiscard]] static DecodedTrack decode_message(std::span<const std::byte> message);

  // ---- encode ----

  /// The track's text: `track.encoded` while the fields still match it, else version 3.
  [[nodiscard]] static std::string encode(const DecodedTrack& track);
  /// The track's text in a chosen version (1-3); `track.encoded` only when it has that version
  /// and the fields still match it. Version 1 cannot carry uri, artworkUrl or
  /// isrc, version 2 not artworkUrl or isrc: those throw std::invalid_argument, as do text
  /// fields that are not valid UTF-8 or longer than 65535 bytes of modified UTF-8.
  [[nodiscard]] static std::string encode(const DecodedTrack& track, int version);
  /// Writes the text into `out` when it fits; never writes past out.size(). Otherwise reports
  /// the size needed and writes nothing. Without a version, the same text as encode(track);
  /// with one, as encode(track, version), with the same errors.
  static EncodeResult encode_to(const DecodedTrack& track, std::span<char> out,
                                std::optional<int> version = std::nullopt);
  /// The binary message (header included) in a chosen version.
  [[nodiscard]] static std::vector<std::byte> encode_message(const DecodedTrack& track,
                                                             int version = 3);

  // ---- view decode (bulk) ----

  /// Bytes of buffer a view decode of `encoded_chars` characters needs.
  [[nodiscard]] static constexpr std::size_t view_buffer_size(std::size_t encoded_chars) {
    return (encoded_chars + 3) / 4 * 3;
  }
  /// Decodes into `buffer` (at least view_buffer_size(encoded.size()) bytes; otherwise this
  /// fails with offset 0). Never throws and never allocates.
  static bool try_decode_view(std::string_view encoded, std::span<std::byte> buffer, TrackView& out,
                              DecodeFailure* failure = nullptr) noexcept;
  /// The same over an already decoded binary message, converted in place (so `message` is
  /// modified and the views point into it).
  static bool try_decode_view_message(std::span<std::byte> message, TrackView& out,
                                      DecodeFailure* failure = nullptr) noexcept;
  /// Throwing form of try_decode_view.
  [[nodiscard]] static TrackView decode_view(std::string_view encoded, std::span<std::byte> buffer);

  /// Owns a growing buffer for view(); each call invalidates the previous view.
  [[nodiscard]] TrackView view(std::string_view encoded);

 private:
  std::vector<std::byte> buffer_;
};

/// Copies a view into an owning track (`encoded` is left empty).
[[nodiscard]] DecodedTrack to_decoded_track(const TrackView& view);

}  // namespace cadence::lavalink
