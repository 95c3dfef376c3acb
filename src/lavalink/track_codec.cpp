#include "cadence/lavalink/track_codec.hpp"

#include <array>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "cadence/lavalink/base64.hpp"
#include "lavalink/mutf8.hpp"

namespace cadence::lavalink {
namespace {

using Stage = TrackDecodeError::Stage;

constexpr std::uint32_t flag_versioned = 1;
constexpr std::size_t max_message_size = 0x3FFFFFFF;
constexpr std::size_t max_utf_bytes = 0xFFFF;

inline std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
inline std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
inline std::int64_t be64(const std::uint8_t* p) {
  return static_cast<std::int64_t>(std::uint64_t{be32(p)} << 32 | be32(p + 4));
}

// Reads the message in place. Every read checks the bytes left first, so a lying length can
// only produce an error, never a read past `end`.
class Reader {
 public:
  Reader(std::uint8_t* data, std::size_t size, DecodeFailure* failure)
      : data_(data), end_(size), failure_(failure) {}

  bool fail(std::size_t offset, const char* problem) {
    if (failure_) *failure_ = DecodeFailure{Stage::message, offset, problem};
    return false;
  }

  bool utf(std::string_view& out) {
    if (end_ - pos_ < 2) return fail(pos_, "text length runs past the end of the message");
    const std::size_t len = be16(data_ + pos_);
    const std::size_t start = pos_ + 2;
    if (end_ - start < len) return fail(pos_, "text runs past the end of the message");
    std::size_t size = detail::ascii_prefix(data_ + start, len, end_ - start);
    if (size != len) {
      // Convert in place from the first byte that is not plain ASCII.
      std::size_t rest = 0;
      const std::size_t bad =
          detail::mutf8_to_utf8(data_ + start + size, len - size, data_ + start + size, rest);
      if (bad != detail::mutf8_ok) return fail(start + size + bad, "invalid modified UTF-8");
      size += rest;
    }
    out = std::string_view(reinterpret_cast<const char*>(data_ + start), size);
    pos_ = start + len;
    return true;
  }

  bool boolean(bool& out) {
    if (pos_ >= end_) return fail(pos_, "boolean runs past the end of the message");
    // DataInput.readBoolean: any byte but 0 is true. An unchanged track still re-encodes to
    // its own bytes because TrackCodec::encode returns the original text.
    out = data_[pos_] != 0;
    ++pos_;
    return true;
  }

  bool nullable_utf(std::optional<std::string_view>& out) {
    bool present = false;
    if (!boolean(present)) return false;
    if (!present) {
      out.reset();
      return true;
    }
    std::string_view text;
    if (!utf(text)) return false;
    out = text;
    return true;
  }

  bool int64(std::chrono::milliseconds& out) {
    if (end_ - pos_ < 8) return fail(pos_, "number runs past the end of the message");
    out = std::chrono::milliseconds(be64(data_ + pos_));
    pos_ += 8;
    return true;
  }

  std::size_t pos_ = 0;
  std::uint8_t* data_;
  std::size_t end_;
  DecodeFailure* failure_;
};

bool parse_message(std::uint8_t* data, std::size_t size, TrackView& out,
                   DecodeFailure* failure) noexcept {
  Reader r(data, size, failure);
  if (size < 4) return r.fail(0, "message is shorter than its 4-byte header");
  const std::uint32_t header = be32(data);
  const std::uint32_t flags = header >> 30;
  const std::size_t body = header & max_message_size;
  // lavaplayer reads bit 0 only (TRACK_INFO_VERSIONED); bit 1 means nothing to it, so it
  // means nothing here either.
  if (body == 0) return r.fail(0, "message is empty (a stream end marker)");
  if (body > size - 4) return r.fail(0, "header claims more bytes than the message has");
  if (body < size - 4) return r.fail(4 + body, "bytes follow the end of the message");
  r.pos_ = 4;
  TrackView v;
  if (flags & flag_versioned) {
    v.version = data[4];
    if (v.version < TrackCodec::min_version || v.version > TrackCodec::max_version) {
      return r.fail(4, "unsupported track version");
    }
    r.pos_ = 5;
  } else {
    v.version = 1;
  }
  if (!r.utf(v.title) || !r.utf(v.author) || !r.int64(v.length) || !r.utf(v.identifier) ||
      !r.boolean(v.is_stream)) {
    return false;
  }
  if (v.version >= 2 && !r.nullable_utf(v.uri)) return false;
  if (v.version >= 3 && (!r.nullable_utf(v.artwork_url) || !r.nullable_utf(v.isrc))) {
    return false;
  }
  if (!r.utf(v.source_name)) return false;
  if (r.end_ - r.pos_ < 8) return r.fail(r.pos_, "no room for the position in the last 8 bytes");
  const std::size_t position_at = r.end_ - 8;
  v.source_data = std::span<const std::byte>(reinterpret_cast<const std::byte*>(data + r.pos_),
                                             position_at - r.pos_);
  v.position = std::chrono::milliseconds(be64(data + position_at));
  out = v;
  return true;
}

// ---- encoding ----

// Computes the modified UTF-8 size of a text field, throwing for what Java could not write.
std::size_t utf_size(const char* name, std::string_view text) {
  std::size_t size = 0;
  std::size_t bad = 0;
  if (!detail::mutf8_size(text, size, bad)) {
    throw std::invalid_argument(std::string("track field ") + name +
                                " is not valid UTF-8 at byte " + std::to_string(bad));
  }
  if (size > max_utf_bytes) {
    throw std::invalid_argument(std::string("track field ") + name + " is " + std::to_string(size) +
                                " bytes in modified UTF-8; the format allows at most 65535");
  }
  return size;
}

struct Plan {
  int version;
  std::size_t sizes[7];  // title, author, identifier, uri, artwork, isrc, source
  std::size_t message;   // bytes including the header
};

Plan plan(const DecodedTrack& t, int version) {
  if (version < TrackCodec::min_version || version > TrackCodec::max_version) {
    throw std::invalid_argument("track version must be 1, 2 or 3, not " + std::to_string(version));
  }
  const TrackInfo& i = t.info;
  if (version < 2 && i.uri) {
    throw std::invalid_argument("track version 1 cannot carry uri; use version 2 or 3");
  }
  if (version < 3 && (i.artwork_url || i.isrc)) {
    throw std::invalid_argument("track version " + std::to_string(version) +
                                " cannot carry artworkUrl or isrc; use version 3");
  }
  Plan p{};
  p.version = version;
  p.sizes[0] = utf_size("title", i.title);
  p.sizes[1] = utf_size("author", i.author);
  p.sizes[2] = utf_size("identifier", i.identifier);
  p.sizes[3] = i.uri ? utf_size("uri", *i.uri) : 0;
  p.sizes[4] = i.artwork_url ? utf_size("artworkUrl", *i.artwork_url) : 0;
  p.sizes[5] = i.isrc ? utf_size("isrc", *i.isrc) : 0;
  p.sizes[6] = utf_size("sourceName", i.source_name);
  std::size_t n = 4;
  if (version > 1) n += 1;                                    // version byte
  n += 2 + p.sizes[0] + 2 + p.sizes[1] + 8 + 2 + p.sizes[2];  // title, author, length, id
  n += 1;                                                     // isStream
  if (version >= 2) n += 1 + (i.uri ? 2 + p.sizes[3] : 0);
  if (version >= 3) {
    n += 1 + (i.artwork_url ? 2 + p.sizes[4] : 0);
    n += 1 + (i.isrc ? 2 + p.sizes[5] : 0);
  }
  n += 2 + p.sizes[6] + t.source_data.size() + 8;
  if (n - 4 > max_message_size) throw std::invalid_argument("track is too large to encode");
  p.message = n;
  return p;
}

std::uint8_t* put32(std::uint8_t* out, std::uint32_t v) {
  out[0] = static_cast<std::uint8_t>(v >> 24);
  out[1] = static_cast<std::uint8_t>(v >> 16);
  out[2] = static_cast<std::uint8_t>(v >> 8);
  out[3] = static_cast<std::uint8_t>(v);
  return out + 4;
}
std::uint8_t* put64(std::uint8_t* out, std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  return put32(put32(out, static_cast<std::uint32_t>(u >> 32)), static_cast<std::uint32_t>(u));
}
std::uint8_t* put_utf(std::uint8_t* out, std::string_view text, std::size_t size) {
  out[0] = static_cast<std::uint8_t>(size >> 8);
  out[1] = static_cast<std::uint8_t>(size);
  return detail::utf8_to_mutf8(text, out + 2);
}
std::uint8_t* put_nullable(std::uint8_t* out, const std::optional<std::string>& text,
                           std::size_t size) {
  *out++ = text ? 1 : 0;
  return text ? put_utf(out, *text, size) : out;
}

// Writes exactly plan.message bytes.
void write_message(const DecodedTrack& t, const Plan& p, std::uint8_t* out) {
  const TrackInfo& i = t.info;
  // Version 1 is written without the version byte (flags 0), as lavaplayer read it.
  const std::uint32_t flags = p.version > 1 ? flag_versioned : 0;
  out = put32(out, static_cast<std::uint32_t>(p.message - 4) | flags << 30);
  if (p.version > 1) *out++ = static_cast<std::uint8_t>(p.version);
  out = put_utf(out, i.title, p.sizes[0]);
  out = put_utf(out, i.author, p.sizes[1]);
  out = put64(out, i.length.count());
  out = put_utf(out, i.identifier, p.sizes[2]);
  *out++ = i.is_stream ? 1 : 0;
  if (p.version >= 2) out = put_nullable(out, i.uri, p.sizes[3]);
  if (p.version >= 3) {
    out = put_nullable(out, i.artwork_url, p.sizes[4]);
    out = put_nullable(out, i.isrc, p.sizes[5]);
  }
  out = put_utf(out, i.source_name, p.sizes[6]);
  if (!t.source_data.empty()) {
    std::memcpy(out, t.source_data.data(), t.source_data.size());
    out += t.source_data.size();
  }
  put64(out, i.position.count());
}

// The fields that the binary form carries, compared with what `encoded` decodes to.
bool matches_original(const DecodedTrack& t, int version) {
  if (t.encoded.empty() || t.version != version) return false;
  std::array<std::byte, 1024> stack;
  std::vector<std::byte> heap;
  std::span<std::byte> buffer(stack);
  const std::size_t need = TrackCodec::view_buffer_size(t.encoded.size());
  if (need > stack.size()) {
    heap.resize(need);
    buffer = heap;
  }
  TrackView v;
  if (!TrackCodec::try_decode_view(t.encoded, buffer, v)) return false;
  const TrackInfo& i = t.info;
  const auto same = [](const std::optional<std::string>& a, std::optional<std::string_view> b) {
    return a.has_value() == b.has_value() && (!a || *a == *b);
  };
  return v.version == t.version && v.title == i.title && v.author == i.author &&
         v.length == i.length && v.identifier == i.identifier && v.is_stream == i.is_stream &&
         same(i.uri, v.uri) && same(i.artwork_url, v.artwork_url) && same(i.isrc, v.isrc) &&
         v.source_name == i.source_name && v.position == i.position &&
         v.source_data.size() == t.source_data.size() &&
         std::equal(v.source_data.begin(), v.source_data.end(), t.source_data.begin());
}

template <class Fn>
decltype(auto) with_message(const DecodedTrack& t, const Plan& p, Fn&& fn) {
  std::array<std::uint8_t, 1024> stack;
  std::vector<std::uint8_t> heap;
  std::uint8_t* bytes = stack.data();
  if (p.message > stack.size()) {
    heap.resize(p.message);
    bytes = heap.data();
  }
  write_message(t, p, bytes);
  return fn(std::span<const std::uint8_t>(bytes, p.message));
}

}  // namespace

bool TrackCodec::try_decode_view_message(std::span<std::byte> message, TrackView& out,
                                         DecodeFailure* failure) noexcept {
  return parse_message(reinterpret_cast<std::uint8_t*>(message.data()), message.size(), out,
                       failure);
}

bool TrackCodec::try_decode_view(std::string_view encoded, std::span<std::byte> buffer,
                                 TrackView& out, DecodeFailure* failure) noexcept {
  if (buffer.size() < view_buffer_size(encoded.size())) {
    if (failure) *failure = {Stage::base64, 0, "decode buffer is too small"};
    return false;
  }
  auto* bytes = reinterpret_cast<std::uint8_t*>(buffer.data());
  const base64::DecodeResult r = base64::decode(encoded, bytes);
  if (!r.ok()) {
    if (failure) *failure = {Stage::base64, r.error_offset, "not valid base64"};
    return false;
  }
  return parse_message(bytes, r.size, out, failure);
}

TrackView TrackCodec::decode_view(std::string_view encoded, std::span<std::byte> buffer) {
  TrackView view;
  DecodeFailure failure;
  if (!try_decode_view(encoded, buffer, view, &failure)) throw failure.to_error();
  return view;
}

TrackView TrackCodec::view(std::string_view encoded) {
  const std::size_t need = view_buffer_size(encoded.size());
  if (buffer_.size() < need) buffer_.resize(need);
  return decode_view(encoded, buffer_);
}

DecodedTrack to_decoded_track(const TrackView& v) {
  DecodedTrack t;
  t.version = v.version;
  t.info.title = std::string(v.title);
  t.info.author = std::string(v.author);
  t.info.length = v.length;
  t.info.identifier = std::string(v.identifier);
  t.info.is_stream = v.is_stream;
  t.info.is_seekable = !v.is_stream;
  if (v.uri) t.info.uri = std::string(*v.uri);
  if (v.artwork_url) t.info.artwork_url = std::string(*v.artwork_url);
  if (v.isrc) t.info.isrc = std::string(*v.isrc);
  t.info.source_name = std::string(v.source_name);
  t.info.position = v.position;
  t.source_data.assign(v.source_data.begin(), v.source_data.end());
  return t;
}

DecodedTrack TrackCodec::decode(std::string_view encoded) {
  std::array<std::byte, 1024> stack;
  std::vector<std::byte> heap;
  std::span<std::byte> buffer(stack);
  const std::size_t need = view_buffer_size(encoded.size());
  if (need > stack.size()) {
    heap.resize(need);
    buffer = heap;
  }
  DecodedTrack t = to_decoded_track(decode_view(encoded, buffer));
  t.encoded = std::string(encoded);
  return t;
}

DecodedTrack TrackCodec::decode_message(std::span<const std::byte> message) {
  std::vector<std::byte> copy(message.begin(), message.end());
  TrackView view;
  DecodeFailure failure;
  if (!try_decode_view_message(copy, view, &failure)) throw failure.to_error();
  return to_decoded_track(view);
}

std::string TrackCodec::encode(const DecodedTrack& track) {
  if (matches_original(track, track.version)) return track.encoded;
  return encode(track, max_version);
}

std::string TrackCodec::encode(const DecodedTrack& track, int version) {
  const Plan p = plan(track, version);
  if (matches_original(track, version)) return track.encoded;
  return with_message(track, p,
                      [](std::span<const std::uint8_t> bytes) { return base64::encode(bytes); });
}

EncodeResult TrackCodec::encode_to(const DecodedTrack& track, std::span<char> out,
                                   std::optional<int> chosen) {
  const int version = chosen.value_or(max_version);
  // An explicit version is checked even when the original is kept, so errors do not depend
  // on whether the track was decoded.
  if (chosen) (void)plan(track, version);
  if (matches_original(track, chosen.value_or(track.version))) {
    if (out.size() < track.encoded.size()) return {track.encoded.size(), false};
    std::memcpy(out.data(), track.encoded.data(), track.encoded.size());
    return {track.encoded.size(), true};
  }
  const Plan p = plan(track, version);
  const std::size_t size = base64::encoded_size(p.message);
  if (out.size() < size) return {size, false};
  with_message(track, p, [&](std::span<const std::uint8_t> bytes) {
    base64::encode(bytes, out.data());
    return 0;
  });
  return {size, true};
}

std::vector<std::byte> TrackCodec::encode_message(const DecodedTrack& track, int version) {
  const Plan p = plan(track, version);
  std::vector<std::byte> bytes(p.message);
  write_message(track, p, reinterpret_cast<std::uint8_t*>(bytes.data()));
  return bytes;
}

}  // namespace cadence::lavalink
