#include "cadence/lavalink/base64.hpp"

#include "lavalink/base64_paths.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CADENCE_BASE64_X86 1
#endif

namespace cadence::lavalink::base64 {
namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint32_t bad = 0x01000000;  // above every 24-bit group, so one test finds it

constexpr int sextet(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// One table per position in a group of four, each already shifted into place: a group decodes
// with four loads and three ORs, and any bad character leaves `bad` set in the sum.
constexpr std::array<std::uint32_t, 256> make_table(int shift) {
  std::array<std::uint32_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    const int v = sextet(static_cast<unsigned char>(c));
    table[static_cast<std::size_t>(c)] = v < 0 ? bad : static_cast<std::uint32_t>(v) << shift;
  }
  return table;
}
constexpr auto table0 = make_table(18);
constexpr auto table1 = make_table(12);
constexpr auto table2 = make_table(6);
constexpr auto table3 = make_table(0);

inline std::uint32_t group(const unsigned char* p) {
  return table0[p[0]] | table1[p[1]] | table2[p[2]] | table3[p[3]];
}

std::size_t first_bad(std::string_view text, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    if (sextet(static_cast<unsigned char>(text[i])) < 0) return i;
  }
  return to;
}

// Decodes text[i..] with the scalar tables, handling padding and the short last group.
DecodeResult decode_tail(std::string_view text, std::size_t i, std::uint8_t* out,
                         std::size_t written) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  // Every group but the last cannot hold padding.
  while (i + 4 < n) {
    const std::uint32_t g = group(p + i);
    if (g & bad) return {0, first_bad(text, i, i + 4)};
    out[written] = static_cast<std::uint8_t>(g >> 16);
    out[written + 1] = static_cast<std::uint8_t>(g >> 8);
    out[written + 2] = static_cast<std::uint8_t>(g);
    written += 3;
    i += 4;
  }
  const std::size_t rest = n - i;  // 0..4 characters, the last group
  if (rest == 0) return {written};
  // Strip padding: only in a full last group, at most two, and nothing after it.
  std::size_t data = rest;
  if (rest == 4) {
    if (p[i + 3] == '=') {
      data = 3;
      if (p[i + 2] == '=') data = 2;
    }
  }
  if (data == 1) return {0, i};  // one character cannot carry a whole byte
  std::uint32_t g = 0;
  for (std::size_t k = 0; k < data; ++k) {
    const int v = sextet(p[i + k]);
    if (v < 0) return {0, i + k};
    g |= static_cast<std::uint32_t>(v) << (18 - 6 * k);
  }
  out[written++] = static_cast<std::uint8_t>(g >> 16);
  if (data >= 3) out[written++] = static_cast<std::uint8_t>(g >> 8);
  if (data == 4) out[written++] = static_cast<std::uint8_t>(g);
  return {written};
}

#ifdef CADENCE_BASE64_X86
// 32 characters -> 24 bytes per step. Characters are classified by their high and low nibble
// (a character is bad when the two lookups share a bit), mapped to sextets by adding an offset
// chosen by the high nibble ('/' shares its nibble with '+', so it is moved to its own slot),
// then packed with two multiply-adds and a byte shuffle.
//
// It stops before the last group and returns how far it got instead of calling the scalar tail
// itself, and clears the upper halves of the ymm registers (vzeroupper) on the way out: a tail
// call from here once skipped GCC's automatic vzeroupper, and on Intel every SSE instruction
// after that paid the AVX-SSE transition penalty (view decode 2-3x slower). The
// Base64.Avx2PathReturnsWithCleanUpperState test checks the state with XGETBV.
struct VectorProgress {
  std::size_t consumed;
  std::size_t written;
};

__attribute__((target("avx2"), noinline)) VectorProgress decode_avx2_body(
    std::string_view text, std::uint8_t* out) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  const __m256i lut_lo =
      _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B,
                       0x1B, 0x1B, 0x1A, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                       0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
  const __m256i lut_hi =
      _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10,
                       0x10, 0x10, 0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10,
                       0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
  const __m256i lut_roll =
      _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 19, 4, -65,
                       -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i slash = _mm256_set1_epi8('/');
  const __m256i pack1 = _mm256_set1_epi32(0x01400140);
  const __m256i pack2 = _mm256_set1_epi32(0x00011000);
  const __m256i order = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, 2,
                                         1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);

  std::size_t i = 0;
  std::size_t written = 0;
  // Keep the last group of four (which may hold padding) for the scalar tail.
  while (i + 32 + 4 <= n) {
    const __m256i in = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi32(in, 4), nibble);
    const __m256i lo = _mm256_and_si256(in, nibble);
    const __m256i check =
        _mm256_and_si256(_mm256_shuffle_epi8(lut_lo, lo), _mm256_shuffle_epi8(lut_hi, hi));
    if (!_mm256_testz_si256(check, check)) break;  // the scalar code names the character
    const __m256i roll =
        _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(_mm256_cmpeq_epi8(in, slash), hi));
    const __m256i values = _mm256_add_epi8(in, roll);
    const __m256i merged = _mm256_madd_epi16(_mm256_maddubs_epi16(values, pack1), pack2);
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(merged, order), lanes);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + written), _mm256_castsi256_si128(bytes));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + written + 16),
                     _mm256_extracti128_si256(bytes, 1));
    written += 24;
    i += 32;
  }
  _mm256_zeroupper();
  return {i, written};
}

DecodeResult decode_avx2(std::string_view text, std::uint8_t* out) noexcept {
  const VectorProgress done = decode_avx2_body(text, out);
  return decode_tail(text, done.consumed, out, done.written);
}

bool cpu_has_avx2() noexcept {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}
#endif

}  // namespace

namespace detail {

DecodeResult decode_scalar(std::string_view text, std::uint8_t* out) noexcept {
  return decode_tail(text, 0, out, 0);
}

bool vector_path_available() noexcept {
#ifdef CADENCE_BASE64_X86
  return cpu_has_avx2();
#else
  return false;
#endif
}

}  // namespace detail

DecodeResult decode(std::string_view text, std::uint8_t* out) noexcept {
#ifdef CADENCE_BASE64_X86
  if (cpu_has_avx2()) return decode_avx2(text, out);
#endif
  return decode_tail(text, 0, out, 0);
}

void encode(std::span<const std::uint8_t> bytes, char* out) noexcept {
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t g =
        (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out[0] = alphabet[(g >> 18) & 63];
    out[1] = alphabet[(g >> 12) & 63];
    out[2] = alphabet[(g >> 6) & 63];
    out[3] = alphabet[g & 63];
    out += 4;
  }
  if (i < n) {
    std::uint32_t g = std::uint32_t{bytes[i]} << 16;
    if (i + 1 < n) g |= std::uint32_t{bytes[i + 1]} << 8;
    out[0] = alphabet[(g >> 18) & 63];
    out[1] = alphabet[(g >> 12) & 63];
    out[2] = i + 1 < n ? alphabet[(g >> 6) & 63] : '=';
    out[3] = '=';
  }
}

std::string encode(std::span<const std::uint8_t> bytes) {
  std::string text(encoded_size(bytes.size()), '\0');
  encode(bytes, text.data());
  return text;
}

std::string encode(std::span<const std::byte> bytes) {
  return encode(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                              bytes.size()));
}

}  // namespace cadence::lavalink::base64
