#include "cadence/sim/lavalink_track_codec.hpp"

#include <gtest/gtest.h>

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace cadence::sim {
namespace {

namespace json = boost::json;

json::array vectors() {
  std::ifstream file(CADENCE_SOURCE_DIR "/tests/lavalink/data/track-vectors.json");
  std::stringstream text;
  text << file.rdbuf();
  return json::parse(text.str()).as_array();
}

std::string bytes_of(std::string_view base64) {
  std::string out(boost::beast::detail::base64::decoded_size(base64.size()), '\0');
  const auto [written, read] =
      boost::beast::detail::base64::decode(out.data(), base64.data(), base64.size());
  out.resize(written);
  return out;
}

std::string base64_of(std::string_view bytes) {
  std::string out(boost::beast::detail::base64::encoded_size(bytes.size()), '\0');
  out.resize(boost::beast::detail::base64::encode(out.data(), bytes.data(), bytes.size()));
  return out;
}

std::optional<std::string> nullable(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  return std::string(v.as_string());
}

TEST(LavalinkTrackCodec, EveryVectorDecodesToItsFieldsAndReencodesIdentically) {
  const auto all = vectors();
  ASSERT_FALSE(all.empty());
  for (const auto& v : all) {
    const auto& encoded = v.at("encoded").as_string();
    const auto& info = v.at("info").as_object();
    const auto track = LavalinkTrackCodec::decode(encoded);
    ASSERT_TRUE(track) << encoded;
    EXPECT_EQ(track->version, v.at("encoding").at("version").to_number<int>());
    EXPECT_EQ(track->title, info.at("title").as_string());
    EXPECT_EQ(track->author, info.at("author").as_string());
    EXPECT_EQ(track->length, info.at("length").to_number<std::int64_t>());
    EXPECT_EQ(track->identifier, info.at("identifier").as_string());
    EXPECT_EQ(track->is_stream, info.at("isStream").as_bool());
    EXPECT_EQ(track->uri, nullable(info.at("uri")));
    if (track->version >= 3) {
      EXPECT_EQ(track->artwork_url, nullable(info.at("artworkUrl")));
      EXPECT_EQ(track->isrc, nullable(info.at("isrc")));
    }
    EXPECT_EQ(track->source_name, info.at("sourceName").as_string());
    EXPECT_EQ(track->position, info.at("position").to_number<std::int64_t>());
    std::string hex;
    for (const unsigned char c : track->source_data) {
      constexpr char digits[] = "0123456789abcdef";
      hex += digits[c >> 4];
      hex += digits[c & 15];
    }
    EXPECT_EQ(hex, v.at("encoding").at("sourceSpecificBytesHex").as_string());
    EXPECT_EQ(LavalinkTrackCodec::encode(*track), encoded);
  }
}

TEST(LavalinkTrackCodec, EmojiAndNulTravelAsModifiedUtf8) {
  LavalinkTrackData t;
  t.title = std::string("leaf \xF0\x9F\x8C\xBF and nul ") + '\0' + "!";
  t.author = "a";
  t.identifier = "id";
  t.source_name = "youtube";
  t.position = 1234;
  const auto encoded = LavalinkTrackCodec::encode(t);
  const auto back = LavalinkTrackCodec::decode(encoded);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->title, t.title);
  EXPECT_EQ(back->position, 1234);
  // The surrogate pair ED A0 BC ED BC BF and C0 80 are in the bytes, no 4-byte form.
  const auto bytes = bytes_of(encoded);
  EXPECT_NE(bytes.find("\xED\xA0\xBC\xED\xBC\xBF"), std::string::npos);
  EXPECT_NE(bytes.find("\xC0\x80"), std::string::npos);
  EXPECT_EQ(bytes.find('\xF0'), std::string::npos);
}

TEST(LavalinkTrackCodec, VersionOneAndTwoRoundTrip) {
  for (const int version : {1, 2}) {
    LavalinkTrackData t;
    t.version = version;
    t.title = "T";
    t.author = "A";
    t.length = 1000;
    t.identifier = "x";
    t.uri = version >= 2 ? std::optional<std::string>("https://example.invalid") : std::nullopt;
    t.source_name = "plugin-never-heard-of";
    t.source_data = std::string("\x01\x02\x03", 3);
    t.position = 77;
    const auto back = LavalinkTrackCodec::decode(LavalinkTrackCodec::encode(t));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->version, version);
    EXPECT_EQ(back->uri, t.uri);
    EXPECT_EQ(back->source_data, t.source_data);
    EXPECT_EQ(back->position, 77);
  }
}

TEST(LavalinkTrackCodec, RejectsCorruptInput) {
  const std::string good = std::string(vectors().front().at("encoded").as_string());
  EXPECT_FALSE(LavalinkTrackCodec::decode(""));
  EXPECT_FALSE(LavalinkTrackCodec::decode("not base64!"));
  // Every truncation of the base64 text (4-character steps keep it valid base64).
  for (std::size_t n = 0; n + 4 < good.size(); n += 4)
    EXPECT_FALSE(LavalinkTrackCodec::decode(good.substr(0, n))) << n;
  auto bytes = bytes_of(good);
  ASSERT_EQ(bytes[4], '\x03');
  bytes[4] = 99;
  EXPECT_FALSE(LavalinkTrackCodec::decode(base64_of(bytes)));
  // A size that claims more than there is.
  bytes = bytes_of(good);
  bytes[3] = static_cast<char>(bytes[3] + 1);
  EXPECT_FALSE(LavalinkTrackCodec::decode(base64_of(bytes)));
  // A 4-byte UTF-8 sequence inside the title (Java's readUTF refuses it).
  bytes = bytes_of(good);
  bytes[8] = '\xF0';
  EXPECT_FALSE(LavalinkTrackCodec::decode(base64_of(bytes)));
}

TEST(LavalinkTrackCodec, ReadsLikeLavaplayer) {
  const std::string good = std::string(vectors().front().at("encoded").as_string());
  auto bytes = bytes_of(good);
  bytes[0] = static_cast<char>(bytes[0] | 0x80);  // flag bit 1: ignored
  EXPECT_TRUE(LavalinkTrackCodec::decode(base64_of(bytes)));
  LavalinkTrackData t;
  t.title = "x";
  t.source_name = "youtube";
  auto message = bytes_of(LavalinkTrackCodec::encode(t));
  // The title "x" is at byte 7 of a version-3 message; a lone high surrogate takes 3 bytes.
  message.replace(5, 3, std::string("\x00\x03\xED\xA0\xBC", 5));
  const auto size = static_cast<std::uint32_t>(message.size() - 4);
  message[2] = static_cast<char>(size >> 8);
  message[3] = static_cast<char>(size);
  const auto lone = LavalinkTrackCodec::decode(base64_of(message));
  ASSERT_TRUE(lone);
  EXPECT_EQ(lone->title, "\xEF\xBF\xBD");
}

TEST(LavalinkTrackCodec, RejectsBytesAfterTheMessageAndBadPadding) {
  const std::string good = std::string(vectors().front().at("encoded").as_string());
  auto bytes = bytes_of(good);
  bytes += '\0';
  EXPECT_FALSE(LavalinkTrackCodec::decode(base64_of(bytes)));
  const std::string bare = good.substr(0, good.find('='));
  EXPECT_TRUE(LavalinkTrackCodec::decode(bare));
  if (bare.size() % 4 == 2) {
    EXPECT_FALSE(LavalinkTrackCodec::decode(bare + "="));
  }
  EXPECT_FALSE(LavalinkTrackCodec::decode(bare + "==="));
}

}  // namespace
}  // namespace cadence::sim
