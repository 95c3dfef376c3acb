// Fuzzes the track codec with both base64 text and raw binary messages. Besides "no crash, no
// over-read" (ASan), it checks the codec's promise: every message the strict decoder accepts
// re-encodes to canonical bytes that are a fixed point (the same bytes when it was canonical),
// and the view and owning decoders agree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/lavalink/base64.hpp"
#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/source_data.hpp"
#include "cadence/lavalink/track_codec.hpp"
#include "fuzz_check.hpp"

namespace lavalink = cadence::lavalink;
using cadence::fuzz::check;

namespace {

// A message in binary form; checks the round trip when it decodes.
void message_round_trip(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> message(size);
  if (size != 0) std::memcpy(message.data(), data, size);
  std::vector<std::byte> work = message;  // decoded in place
  lavalink::TrackView view;
  if (!lavalink::TrackCodec::try_decode_view_message(work, view)) {
    bool threw = false;
    try {
      (void)lavalink::TrackCodec::decode_message(message);
    } catch (const lavalink::TrackDecodeError&) {
      threw = true;
    }
    check(threw);
    return;
  }
  const lavalink::DecodedTrack track = lavalink::to_decoded_track(view);
  check(lavalink::TrackCodec::decode_message(message) == track);
  const auto again = lavalink::TrackCodec::encode_message(track, track.version);
  // A message may be lenient (what Java's readUTF and readBoolean accept but no encoder writes:
  // a raw NUL, an overlong form, a lone surrogate, a boolean byte of 2, flag bits besides bit
  // 0): it re-encodes to the canonical bytes, which decode to the same track and are a fixed
  // point of decode + encode.
  check(lavalink::TrackCodec::decode_message(again) == track);
  check(lavalink::TrackCodec::encode_message(lavalink::TrackCodec::decode_message(again),
                                             track.version) == again);
  try {
    (void)lavalink::read_probe_info(track.source_data);
  } catch (const lavalink::TrackDecodeError&) {
  }
  try {
    (void)lavalink::read_lavasrc_info(track.source_data);
  } catch (const lavalink::TrackDecodeError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::byte> buffer(lavalink::TrackCodec::view_buffer_size(size));
  lavalink::TrackView view;
  if (lavalink::TrackCodec::try_decode_view(text, buffer, view)) {
    const lavalink::DecodedTrack track = lavalink::TrackCodec::decode(text);
    check(track.info.title == view.title);
    check(track.encoded == text);
    check(lavalink::TrackCodec::encode(track) == text);  // unchanged: the kept original text
    // Re-encode from the fields alone (a track built by hand has no text to fall back on):
    // the same version gives the same message, and decoding it gives the same track.
    lavalink::DecodedTrack fields = track;
    fields.encoded.clear();
    const std::string again = lavalink::TrackCodec::encode(fields, track.version);
    lavalink::DecodedTrack reread = lavalink::TrackCodec::decode(again);
    check(reread.encoded == again);
    reread.encoded.clear();
    check(reread == fields);
    // The text may differ from the input only where base64 allows two spellings of the same
    // bytes (padding is optional) or the input spelled a version-1 message with its version
    // byte; otherwise it is the input, character for character.
    std::vector<std::byte> bytes(lavalink::base64::max_decoded_size(text.size()));
    const auto decoded =
        lavalink::base64::decode(text, reinterpret_cast<std::uint8_t*>(bytes.data()));
    check(decoded.ok());
    bytes.resize(decoded.size);
    const bool canonical = lavalink::base64::encode(bytes) == text;
    const bool versioned_v1 =
        track.version == 1 && !bytes.empty() && (std::to_integer<unsigned>(bytes[0]) & 0x40u) != 0;
    // Lenient messages re-encode to canonical bytes (see message_round_trip); canonical ones
    // re-encode to themselves, and then so does their text.
    const auto message_again = lavalink::TrackCodec::encode_message(fields, track.version);
    check(lavalink::TrackCodec::encode_message(lavalink::TrackCodec::decode_message(message_again),
                                               track.version) == message_again);
    if (canonical && !versioned_v1 && message_again == bytes) check(again == text);
  } else {
    bool threw = false;
    try {
      (void)lavalink::TrackCodec::decode(text);
    } catch (const lavalink::TrackDecodeError&) {
      threw = true;
    }
    check(threw);
  }
  message_round_trip(data, size);
  return 0;
}
