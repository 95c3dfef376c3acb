#include "cadence/lavalink/base64.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "lavalink/base64_paths.hpp"

namespace base64 = cadence::lavalink::base64;

namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n, std::mt19937& rng) {
  std::vector<std::uint8_t> out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

std::vector<std::uint8_t> decode_ok(std::string_view text) {
  std::vector<std::uint8_t> out(base64::max_decoded_size(text.size()));
  const auto r = base64::decode(text, out.data());
  EXPECT_TRUE(r.ok()) << "error at " << r.error_offset;
  out.resize(r.size);
  return out;
}

}  // namespace

TEST(Base64, EncodesRfc4648Examples) {
  const auto enc = [](std::string_view s) {
    return base64::encode(
        std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  };
  EXPECT_EQ(enc(""), "");
  EXPECT_EQ(enc("f"), "Zg==");
  EXPECT_EQ(enc("fo"), "Zm8=");
  EXPECT_EQ(enc("foo"), "Zm9v");
  EXPECT_EQ(enc("foob"), "Zm9vYg==");
  EXPECT_EQ(enc("fooba"), "Zm9vYmE=");
  EXPECT_EQ(enc("foobar"), "Zm9vYmFy");
}

TEST(Base64, DecodesWithAndWithoutPadding) {
  const std::vector<std::uint8_t> fo{'f', 'o'};
  EXPECT_EQ(decode_ok("Zm8="), fo);
  EXPECT_EQ(decode_ok("Zm8"), fo);
}

TEST(Base64, RoundTripsEveryLengthOnBothPaths) {
  // Lengths around the 32-character vector step and its tail handling.
  std::mt19937 rng(42);
  for (std::size_t n = 0; n < 400; ++n) {
    const auto bytes = random_bytes(n, rng);
    const std::string text = base64::encode(bytes);
    EXPECT_EQ(decode_ok(text), bytes) << n;
    std::vector<std::uint8_t> out(base64::max_decoded_size(text.size()));
    const auto r = base64::detail::decode_scalar(text, out.data());
    ASSERT_TRUE(r.ok());
    out.resize(r.size);
    EXPECT_EQ(out, bytes) << n;
  }
}

TEST(Base64, NamesEveryBadCharacterPosition) {
  std::mt19937 rng(7);
  const std::string text = base64::encode(random_bytes(150, rng));  // 200 characters
  for (const char bad : {'*', '-', '_', ' ', '\n', '\0', '\x80', '\xFF', '=', '@', '[', '`', '{'}) {
    for (std::size_t at = 0; at + 4 < text.size(); ++at) {
      std::string copy = text;
      copy[at] = bad;
      std::vector<std::uint8_t> out(base64::max_decoded_size(copy.size()));
      const auto r = base64::decode(copy, out.data());
      ASSERT_FALSE(r.ok()) << int(bad) << " at " << at;
      EXPECT_EQ(r.error_offset, at) << int(bad);
    }
  }
}

TEST(Base64, AcceptsEveryAlphabetCharacterOnTheVectorPath) {
  std::string text;
  for (int round = 0; round < 3; ++round) {
    text += "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  }
  std::vector<std::uint8_t> fast(base64::max_decoded_size(text.size()));
  std::vector<std::uint8_t> slow(fast.size());
  const auto a = base64::decode(text, fast.data());
  const auto b = base64::detail::decode_scalar(text, slow.data());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(fast, slow);
}

TEST(Base64, RejectsSingleDanglingCharacter) {
  std::vector<std::uint8_t> out(8);
  const auto r = base64::decode("Zm9vY", out.data());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error_offset, 4u);
}

TEST(Base64, RejectsPaddingInTheMiddle) {
  std::vector<std::uint8_t> out(16);
  const auto r = base64::decode("Zg==Zm9v", out.data());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error_offset, 2u);
}

TEST(Base64, RejectsThreePaddingCharacters) {
  std::vector<std::uint8_t> out(8);
  EXPECT_FALSE(base64::decode("Z===", out.data()).ok());
}

TEST(Base64, NeverWritesPastTheBound) {
  std::mt19937 rng(3);
  for (std::size_t n = 0; n < 200; ++n) {
    const std::string text = base64::encode(random_bytes(n, rng));
    std::vector<std::uint8_t> out(base64::max_decoded_size(text.size()) + 32, 0xAB);
    (void)base64::decode(text, out.data());
    for (std::size_t i = base64::max_decoded_size(text.size()); i < out.size(); ++i) {
      ASSERT_EQ(out[i], 0xAB) << n;
    }
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
namespace {
// XGETBV with ECX=1 reports which state components are in use; bit 2 is the upper halves of the
// ymm registers. It exists when CPUID.(EAX=0DH,ECX=1):EAX bit 2 is set.
bool xinuse_supported() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
  if (a < 0xD) return false;
  __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xD), "c"(1));
  return (a & 4) != 0;
}
unsigned long long xinuse() {
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
}
}  // namespace

// A missing vzeroupper costs nothing on AMD and 2-3x on Intel (every later SSE instruction
// pays the AVX-SSE transition), so a timing check on one vendor would not catch it; the
// processor's own record of dirty upper halves does, on either.
TEST(Base64, Avx2PathReturnsWithCleanUpperState) {
  if (!cadence::lavalink::base64::detail::vector_path_available()) GTEST_SKIP() << "no AVX2";
  if (!xinuse_supported()) GTEST_SKIP() << "XGETBV(1) is not available";
  const std::string text(4000, 'A');
  std::vector<std::uint8_t> out(cadence::lavalink::base64::max_decoded_size(text.size()));
  for (int i = 0; i < 3; ++i) {
    const auto r = cadence::lavalink::base64::decode(text, out.data());
    const unsigned long long state = xinuse();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(state & 4, 0u) << "ymm upper halves still in use after the AVX2 decoder";
  }
}
#endif
