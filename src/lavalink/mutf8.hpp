// Java's "modified UTF-8" (DataOutput.writeUTF) <-> standard UTF-8.
//
// Modified UTF-8 differs from UTF-8 in two ways: U+0000 is written C0 80, and characters above
// U+FFFF are written as two 3-byte surrogates (6 bytes). The writer here only ever produces that
// canonical form. The reader accepts what Java's DataInput.readUTF accepts, because that is what
// decides which tracks a Lavalink node hands out and takes back: any 1-, 2- or 3-byte form with
// proper continuation bytes, so also a raw 00 byte, overlong forms (C0 80 is one of them) and
// unpaired surrogates (a title cut inside an emoji). UTF-16 has room for the last, UTF-8 does
// not, so an unpaired surrogate becomes U+FFFD. 4-byte sequences, stray continuation bytes and
// cut sequences are errors, as they are for readUTF. Every form shrinks or keeps its size when
// turned into UTF-8, so decoding works in place.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace cadence::lavalink::detail {

inline constexpr std::size_t mutf8_ok = static_cast<std::size_t>(-1);

/// Length of the run of ASCII at the start of in[0, n), which reads the same in modified UTF-8
/// and UTF-8 and needs no conversion. Reads 8 bytes at a time, and may read (but never uses)
/// bytes past n as long as they are before `readable` (>= n): a message always has more fields
/// after a string, so nearly every string is checked in whole words.
inline std::size_t ascii_prefix(const std::uint8_t* in, std::size_t n,
                                std::size_t readable) noexcept {
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  std::size_t i = 0;
#if defined(__SSE2__)
  // 16 bytes per step: the sign bits are exactly the non-ASCII bytes, one movemask away.
  while (i < n && i + 16 <= readable) {
    auto mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i))));
    const std::size_t left = n - i;
    if (left < 16) mask &= (1u << left) - 1;
    if (mask) return i + static_cast<std::size_t>(__builtin_ctz(mask));
    i += left < 16 ? left : 16;
  }
#endif
  while (i < n && i + 8 <= readable) {
    std::uint64_t word;
    std::memcpy(&word, in + i, 8);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    std::uint64_t high = word & highs;
    const std::size_t left = n - i;
    if (left < 8) high &= (std::uint64_t{1} << (8 * left)) - 1;
    if (high) return i + static_cast<std::size_t>(std::countr_zero(high)) / 8;
    i += left < 8 ? left : 8;
  }
  while (i < n && in[i] < 0x80) ++i;
  return i;
}

/// Writes code point `cp` (below U+10000, not a surrogate) as UTF-8; returns the bytes written.
inline std::size_t put_utf8_bmp(std::uint8_t* out, std::uint32_t cp) noexcept {
  if (cp < 0x80) {
    out[0] = static_cast<std::uint8_t>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<std::uint8_t>(0xC0 | (cp >> 6));
    out[1] = static_cast<std::uint8_t>(0x80 | (cp & 0x3F));
    return 2;
  }
  out[0] = static_cast<std::uint8_t>(0xE0 | (cp >> 12));
  out[1] = static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F));
  out[2] = static_cast<std::uint8_t>(0x80 | (cp & 0x3F));
  return 3;
}

/// Converts n bytes at `in` to UTF-8 at `out` (out may equal in; out never needs more than n
/// bytes). Returns mutf8_ok and sets `size`, or the offset of the first byte readUTF would
/// reject.
inline std::size_t mutf8_to_utf8(const std::uint8_t* in, std::size_t n, std::uint8_t* out,
                                 std::size_t& size) noexcept {
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < n) {
    // Runs of ASCII (almost all of a track's text) move 8 bytes at a time.
    if (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, in + i, 8);
      if ((word & highs) == 0) {
        if (out + j != in + i) std::memmove(out + j, &word, 8);
        i += 8;
        j += 8;
        continue;
      }
    }
    const std::uint8_t b = in[i];
    if (b < 0x80) {
      out[j++] = b;
      ++i;
      continue;
    }
    if ((b & 0xE0) == 0xC0) {
      if (i + 1 >= n) return i;
      if ((in[i + 1] & 0xC0) != 0x80) return i + 1;
      // Canonical or overlong (C0 80 is U+0000): the value decides the UTF-8 form.
      j += put_utf8_bmp(out + j, (std::uint32_t{b} & 0x1F) << 6 | (in[i + 1] & 0x3F));
      i += 2;
      continue;
    }
    if ((b & 0xF0) == 0xE0) {
      if (i + 2 >= n) return i;
      const std::uint8_t b1 = in[i + 1];
      const std::uint8_t b2 = in[i + 2];
      if ((b1 & 0xC0) != 0x80) return i + 1;
      if ((b2 & 0xC0) != 0x80) return i + 2;
      const std::uint32_t unit =
          (std::uint32_t{b} & 0x0F) << 12 | (std::uint32_t{b1} & 0x3F) << 6 | (b2 & 0x3F);
      if (unit < 0xD800 || unit > 0xDFFF) {
        j += put_utf8_bmp(out + j, unit);
        i += 3;
        continue;
      }
      // A surrogate: a high one directly followed by a low one is one character.
      if (unit < 0xDC00 && i + 5 < n && in[i + 3] == 0xED && (in[i + 4] & 0xF0) == 0xB0 &&
          (in[i + 5] & 0xC0) == 0x80) {
        const std::uint32_t low = (std::uint32_t{in[i + 4]} & 0x0F) << 6 | (in[i + 5] & 0x3F);
        const std::uint32_t cp = 0x10000 + ((unit & 0x3FF) << 10) + low;
        out[j] = static_cast<std::uint8_t>(0xF0 | (cp >> 18));
        out[j + 1] = static_cast<std::uint8_t>(0x80 | ((cp >> 12) & 0x3F));
        out[j + 2] = static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F));
        out[j + 3] = static_cast<std::uint8_t>(0x80 | (cp & 0x3F));
        j += 4;
        i += 6;
        continue;
      }
      // Unpaired: UTF-8 cannot carry it, so it becomes U+REPLACEMENT CHARACTER (same 3 bytes).
      out[j] = 0xEF;
      out[j + 1] = 0xBF;
      out[j + 2] = 0xBD;
      j += 3;
      i += 3;
      continue;
    }
    return i;  // a continuation byte in lead position, or a 4-byte lead
  }
  size = j;
  return mutf8_ok;
}

/// The modified UTF-8 length of valid UTF-8 `text`; mutf8_ok-style failure: returns false and
/// sets `bad` to the offset of the first byte that is not valid UTF-8.
inline bool mutf8_size(std::string_view text, std::size_t& size, std::size_t& bad) noexcept {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t n = text.size();
  std::size_t out = 0;
  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t b = p[i];
    if (b < 0x80) {
      out += b == 0 ? 2 : 1;
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      cp = b & 0x07;
    } else {
      bad = i;
      return false;
    }
    if (i + len > n) {
      bad = i;
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        bad = i + k;
        return false;
      }
      cp = cp << 6 | (p[i + k] & 0x3F);
    }
    const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      bad = i;
      return false;
    }
    out += len == 4 ? 6 : len;
    i += len;
  }
  size = out;
  return true;
}

/// Writes valid UTF-8 `text` (checked with mutf8_size) as modified UTF-8; returns the end.
inline std::uint8_t* utf8_to_mutf8(std::string_view text, std::uint8_t* out) noexcept {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t b = p[i];
    if (b == 0) {
      *out++ = 0xC0;
      *out++ = 0x80;
      ++i;
    } else if (b < 0xF0) {
      const std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : 3;
      std::memcpy(out, p + i, len);
      out += len;
      i += len;
    } else {
      const std::uint32_t cp = (std::uint32_t{b} & 0x07) << 18 |
                               (std::uint32_t{p[i + 1]} & 0x3F) << 12 |
                               (std::uint32_t{p[i + 2]} & 0x3F) << 6 | (p[i + 3] & 0x3F);
      const std::uint32_t v = cp - 0x10000;
      const std::uint32_t high = 0xD800 + (v >> 10);
      const std::uint32_t low = 0xDC00 + (v & 0x3FF);
      for (const std::uint32_t unit : {high, low}) {
        *out++ = static_cast<std::uint8_t>(0xE0 | (unit >> 12));
        *out++ = static_cast<std::uint8_t>(0x80 | ((unit >> 6) & 0x3F));
        *out++ = static_cast<std::uint8_t>(0x80 | (unit & 0x3F));
      }
      i += 4;
    }
  }
  return out;
}

}  // namespace cadence::lavalink::detail
