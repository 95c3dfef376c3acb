#include "cadence/sim/lavalink_track_codec.hpp"

#include <array>

namespace cadence::sim {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Like java.util.Base64's basic decoder: padding optional, but when present it completes the
// last group of four ("xx==" or "xxx="; "xx=" is an error), and nothing outside the alphabet.
std::optional<std::string> base64_decode(std::string_view in) {
  std::size_t padding = 0;
  while (padding < in.size() && in[in.size() - 1 - padding] == '=') ++padding;
  if (padding > 0 && (padding > 2 || in.size() % 4 != 0)) return std::nullopt;
  in.remove_suffix(padding);
  if (in.size() % 4 == 1) return std::nullopt;
  std::array<int, 256> value{};
  value.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    value[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : in) {
    const int v = value[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8) |
                   static_cast<unsigned char>(in[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(n >> shift) & 63];
  }
  if (const auto rest = in.size() - i; rest > 0) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
    if (rest == 2) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += rest == 2 ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Java's DataInput.readUTF rules: 1-, 2- and 3-byte forms only. UTF-16 units are collected and
// surrogate pairs joined, so the result is standard UTF-8 (a lone surrogate becomes U+FFFD).
std::optional<std::string> from_modified_utf8(std::string_view in) {
  std::u16string units;
  for (std::size_t i = 0; i < in.size();) {
    const auto b = static_cast<unsigned char>(in[i]);
    const auto cont = [&](std::size_t k) {
      return i + k < in.size() && (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
    };
    const auto at = [&](std::size_t k) {
      return static_cast<char16_t>(static_cast<unsigned char>(in[i + k]) & 0x3F);
    };
    if (b < 0x80) {
      units += static_cast<char16_t>(b);
      i += 1;
    } else if ((b & 0xE0) == 0xC0 && cont(1)) {
      units += static_cast<char16_t>(((b & 0x1F) << 6) | at(1));
      i += 2;
    } else if ((b & 0xF0) == 0xE0 && cont(1) && cont(2)) {
      units += static_cast<char16_t>(((b & 0x0F) << 12) | (at(1) << 6) | at(2));
      i += 3;
    } else {
      return std::nullopt;
    }
  }
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < units.size(); ++i) {
    const std::uint32_t u = units[i];
    if (u >= 0xD800 && u < 0xDC00 && i + 1 < units.size() && units[i + 1] >= 0xDC00 &&
        units[i + 1] < 0xE000) {
      append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00));
      ++i;
    } else if (u >= 0xD800 && u < 0xE000) {
      append_utf8(out, 0xFFFD);
    } else {
      append_utf8(out, u);
    }
  }
  return out;
}

// DataOutput.writeUTF: U+0000 as C0 80, characters above U+FFFF as two 3-byte surrogates.
// Invalid UTF-8 input bytes are carried over as U+FFFD.
std::string to_modified_utf8(std::string_view in) {
  std::string out;
  const auto put = [&](std::uint32_t unit) {
    if (unit != 0 && unit < 0x80) {
      out += static_cast<char>(unit);
    } else if (unit < 0x800) {
      out += static_cast<char>(0xC0 | (unit >> 6));
      out += static_cast<char>(0x80 | (unit & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (unit >> 12));
      out += static_cast<char>(0x80 | ((unit >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (unit & 0x3F));
    }
  };
  for (std::size_t i = 0; i < in.size();) {
    const auto b = static_cast<unsigned char>(in[i]);
    std::uint32_t cp = 0xFFFD;
    std::size_t n = 1;
    if (b < 0x80) {
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      n = 2;
    } else if ((b & 0xF0) == 0xE0) {
      n = 3;
    } else if ((b & 0xF8) == 0xF0) {
      n = 4;
    }
    if (n > 1) {
      bool ok = i + n <= in.size();
      std::uint32_t v = b & (0x7F >> n);
      for (std::size_t k = 1; ok && k < n; ++k) {
        const auto c = static_cast<unsigned char>(in[i + k]);
        ok = (c & 0xC0) == 0x80;
        v = (v << 6) | (c & 0x3F);
      }
      if (ok) {
        cp = v;
      } else {
        n = 1;
      }
    }
    i += n;
    if (cp >= 0x10000) {
      put(0xD800 + ((cp - 0x10000) >> 10));
      put(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      put(cp);
    }
  }
  return out;
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool ok() const { return ok_; }
  std::size_t offset() const { return pos_; }

  std::uint64_t number(std::size_t width) {
    if (!ok_ || bytes_.size() - pos_ < width) {
      ok_ = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i)
      v = (v << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
    pos_ += width;
    return v;
  }
  bool boolean() { return number(1) != 0; }
  std::string utf() {
    const auto size = static_cast<std::size_t>(number(2));
    if (!ok_ || bytes_.size() - pos_ < size) {
      ok_ = false;
      return {};
    }
    auto text = from_modified_utf8(bytes_.substr(pos_, size));
    pos_ += size;
    if (!text) ok_ = false;
    return text.value_or("");
  }
  std::optional<std::string> nullable_utf() {
    if (!boolean()) return std::nullopt;
    return utf();
  }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

void put_number(std::string& out, std::uint64_t v, int width) {
  for (int shift = (width - 1) * 8; shift >= 0; shift -= 8)
    out += static_cast<char>((v >> shift) & 0xFF);
}

void put_utf(std::string& out, std::string_view text) {
  auto bytes = to_modified_utf8(text);
  // Java throws above 65535 bytes; the simulator cuts instead (its own titles never come close).
  if (bytes.size() > 0xFFFF) bytes.resize(0xFFFF);
  put_number(out, bytes.size(), 2);
  out += bytes;
}

void put_nullable(std::string& out, const std::optional<std::string>& text) {
  out += static_cast<char>(text ? 1 : 0);
  if (text) put_utf(out, *text);
}

}  // namespace

std::optional<LavalinkTrackData> LavalinkTrackCodec::decode(std::string_view base64) {
  const auto bytes = base64_decode(base64);
  if (!bytes || bytes->size() < 4) return std::nullopt;
  Reader header(*bytes);
  const auto value = static_cast<std::uint32_t>(header.number(4));
  const std::size_t size = value & 0x3FFFFFFF;
  const unsigned flags = value >> 30;
  // The size must account for every byte: a shorter claim is a lying length, as a longer one is.
  // Flag bit 1 means nothing to lavaplayer and is ignored.
  if (size == 0 || size != bytes->size() - 4) return std::nullopt;
  const std::string_view message = std::string_view(*bytes).substr(4, size);
  if (message.size() < 8) return std::nullopt;

  Reader in(message);
  LavalinkTrackData t;
  t.version = (flags & 1) != 0 ? static_cast<int>(in.number(1)) : 1;
  if (t.version < 1 || t.version > 3) return std::nullopt;
  t.title = in.utf();
  t.author = in.utf();
  t.length = static_cast<std::int64_t>(in.number(8));
  t.identifier = in.utf();
  t.is_stream = in.boolean();
  if (t.version >= 2) t.uri = in.nullable_utf();
  if (t.version >= 3) {
    t.artwork_url = in.nullable_utf();
    t.isrc = in.nullable_utf();
  }
  t.source_name = in.utf();
  if (!in.ok() || message.size() - in.offset() < 8) return std::nullopt;
  const auto tail = message.size() - 8;
  t.source_data = std::string(message.substr(in.offset(), tail - in.offset()));
  Reader position(message.substr(tail));
  t.position = static_cast<std::int64_t>(position.number(8));
  return t;
}

std::string LavalinkTrackCodec::encode(const LavalinkTrackData& t) {
  const int version = t.version >= 1 && t.version <= 3 ? t.version : 3;
  std::string body;
  if (version > 1) body += static_cast<char>(version);
  put_utf(body, t.title);
  put_utf(body, t.author);
  put_number(body, static_cast<std::uint64_t>(t.length), 8);
  put_utf(body, t.identifier);
  body += static_cast<char>(t.is_stream ? 1 : 0);
  if (version >= 2) put_nullable(body, t.uri);
  if (version >= 3) {
    put_nullable(body, t.artwork_url);
    put_nullable(body, t.isrc);
  }
  put_utf(body, t.source_name);
  body += t.source_data;
  put_number(body, static_cast<std::uint64_t>(t.position), 8);
  std::string message;
  const std::uint32_t flags = version > 1 ? 1u : 0u;
  put_number(message, (flags << 30) | static_cast<std::uint32_t>(body.size()), 4);
  message += body;
  return base64_encode(message);
}

}  // namespace cadence::sim
