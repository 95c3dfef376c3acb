#include "cadence/lavalink/source_data.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

#include "cadence/lavalink/error.hpp"
#include "lavalink/mutf8.hpp"

namespace cadence::lavalink {
namespace {

using Stage = TrackDecodeError::Stage;

class BlobReader {
 public:
  explicit BlobReader(std::span<const std::byte> bytes)
      : p_(reinterpret_cast<const std::uint8_t*>(bytes.data())), n_(bytes.size()) {}

  std::string utf() {
    if (n_ - pos_ < 2)
      throw TrackDecodeError(Stage::message, pos_, "text length runs past the end");
    const std::size_t len = static_cast<std::size_t>(p_[pos_] << 8 | p_[pos_ + 1]);
    const std::size_t start = pos_ + 2;
    if (n_ - start < len) throw TrackDecodeError(Stage::message, pos_, "text runs past the end");
    std::string out(len, '\0');
    std::size_t size = 0;
    const std::size_t bad =
        detail::mutf8_to_utf8(p_ + start, len, reinterpret_cast<std::uint8_t*>(out.data()), size);
    if (bad != detail::mutf8_ok) {
      throw TrackDecodeError(Stage::message, start + bad, "invalid modified UTF-8");
    }
    out.resize(size);
    pos_ = start + len;
    return out;
  }

  bool boolean() {
    if (pos_ >= n_) throw TrackDecodeError(Stage::message, pos_, "boolean runs past the end");
    // readBoolean, as LavaSrc reads it: any byte but 0 is true.
    return p_[pos_++] != 0;
  }

  std::optional<std::string> nullable_utf() {
    if (!boolean()) return std::nullopt;
    return utf();
  }

  [[nodiscard]] std::size_t pos() const { return pos_; }
  [[nodiscard]] std::size_t size() const { return n_; }

 private:
  const std::uint8_t* p_;
  std::size_t n_;
  std::size_t pos_ = 0;
};

class BlobWriter {
 public:
  void utf(const char* field, std::string_view text) {
    std::size_t size = 0;
    std::size_t bad = 0;
    if (!detail::mutf8_size(text, size, bad)) {
      throw std::invalid_argument(std::string(field) + " is not valid UTF-8 at byte " +
                                  std::to_string(bad));
    }
    if (size > 0xFFFF) {
      throw std::invalid_argument(std::string(field) + " is longer than 65535 bytes");
    }
    const std::size_t at = bytes_.size();
    bytes_.resize(at + 2 + size);
    auto* out = reinterpret_cast<std::uint8_t*>(bytes_.data() + at);
    out[0] = static_cast<std::uint8_t>(size >> 8);
    out[1] = static_cast<std::uint8_t>(size);
    detail::utf8_to_mutf8(text, out + 2);
  }
  void boolean(bool b) { bytes_.push_back(std::byte{static_cast<unsigned char>(b ? 1 : 0)}); }
  void nullable_utf(const char* field, const std::optional<std::string>& text) {
    boolean(text.has_value());
    if (text) utf(field, *text);
  }
  std::vector<std::byte> take() { return std::move(bytes_); }

 private:
  std::vector<std::byte> bytes_;
};

}  // namespace

bool is_probing_source(std::string_view source_name) noexcept {
  return source_name == "http" || source_name == "local";
}

bool is_lavasrc_source(std::string_view source_name) noexcept {
  static constexpr std::array<std::string_view, 9> names = {"spotify", "applemusic",  "deezer",
                                                            "tidal",   "qobuz",       "jiosaavn",
                                                            "vkmusic", "yandexmusic", "ytdlp"};
  return std::find(names.begin(), names.end(), source_name) != names.end();
}

std::optional<ProbeInfo> read_probe_info(std::span<const std::byte> bytes) {
  if (bytes.empty()) return std::nullopt;
  BlobReader r(bytes);
  std::string text = r.utf();
  if (r.pos() != r.size()) {
    throw TrackDecodeError(Stage::message, r.pos(), "bytes follow the probe info");
  }
  ProbeInfo info;
  if (const auto bar = text.find('|'); bar != std::string::npos) {
    info.parameters = text.substr(bar + 1);
    text.resize(bar);
  }
  info.name = std::move(text);
  return info;
}

namespace {

// LavaSrc 3's layouts: exactly `fields` nullable texts, nothing after them.
std::optional<LavaSrcInfo> read_lavasrc3(std::span<const std::byte> bytes, int fields) {
  try {
    BlobReader r(bytes);
    LavaSrcInfo info;
    if (fields == 2) {
      info.layout = LavaSrcLayout::v3;
      info.isrc = r.nullable_utf();
    } else {
      info.layout = LavaSrcLayout::v3_artwork;
    }
    info.artwork_url = r.nullable_utf();
    if (r.pos() != r.size()) return std::nullopt;
    return info;
  } catch (const TrackDecodeError&) {
    return std::nullopt;
  }
}

}  // namespace

std::optional<LavaSrcInfo> read_lavasrc_info(std::span<const std::byte> bytes) {
  if (bytes.empty()) return std::nullopt;
  BlobReader r(bytes);
  LavaSrcInfo info;
  try {
    info.album_name = r.nullable_utf();
    info.album_url = r.nullable_utf();
    info.artist_url = r.nullable_utf();
    info.artist_artwork_url = r.nullable_utf();
    info.preview_url = r.nullable_utf();
    info.is_preview = r.boolean();
  } catch (const TrackDecodeError&) {
    for (const int fields : {2, 1}) {
      if (auto older = read_lavasrc3(bytes, fields)) return older;
    }
    throw;
  }
  return info;
}

std::vector<std::byte> write_probe_info(const ProbeInfo& info) {
  BlobWriter w;
  w.utf("probe info", info.parameters ? info.name + "|" + *info.parameters : info.name);
  return w.take();
}

std::vector<std::byte> write_lavasrc_info(const LavaSrcInfo& info) {
  BlobWriter w;
  if (info.layout != LavaSrcLayout::v4) {
    if (info.layout == LavaSrcLayout::v3) w.nullable_utf("isrc", info.isrc);
    w.nullable_utf("artworkUrl", info.artwork_url);
    return w.take();
  }
  w.nullable_utf("albumName", info.album_name);
  w.nullable_utf("albumUrl", info.album_url);
  w.nullable_utf("artistUrl", info.artist_url);
  w.nullable_utf("artistArtworkUrl", info.artist_artwork_url);
  w.nullable_utf("previewUrl", info.preview_url);
  w.boolean(info.is_preview);
  return w.take();
}

}  // namespace cadence::lavalink
