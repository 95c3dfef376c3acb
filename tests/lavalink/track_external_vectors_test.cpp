// Tracks that neither Cadence nor its simulator wrote: gathered from other projects' test suites,
// docs, plugin READMEs, issue threads and a client library's test data of real playlists
// (tests/lavalink/data/external-track-vectors.json names the repository and the path and commit, or
// the issue, of each, and where its decoded fields come from: the source itself, or an outside
// decoder run by tests/lavalink/data/decode_with_npm.mjs). Both codecs must read every field.
#include "cadence/lavalink/track_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cadence/lavalink/base64.hpp"
#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/source_data.hpp"
#include "cadence/sim/lavalink_track_codec.hpp"

namespace lavalink = cadence::lavalink;
using lavalink::DecodedTrack;
using lavalink::TrackCodec;
using lavalink::TrackDecodeError;
using std::chrono::milliseconds;

namespace {

const boost::json::array& external_vectors() {
  static const boost::json::array vectors = [] {
    std::ifstream in(CADENCE_SOURCE_DIR "/tests/lavalink/data/external-track-vectors.json");
    std::stringstream text;
    text << in.rdbuf();
    return boost::json::parse(text.str()).as_array();
  }();
  return vectors;
}

std::optional<std::string> opt(const boost::json::value& v) {
  if (v.is_null()) return std::nullopt;
  return std::string(v.as_string());
}

std::string hex(std::span<const std::byte> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const std::byte b : bytes) {
    out += digits[std::to_integer<unsigned>(b) >> 4];
    out += digits[std::to_integer<unsigned>(b) & 15];
  }
  return out;
}

std::string hex(std::string_view text) { return hex(std::as_bytes(std::span(text))); }

// LavaSrc 3.x's source-specific bytes (DataFormatTools.writeNullableText twice), for ASCII text.
std::string lavasrc3_bytes_hex(const std::optional<std::string>& isrc,
                               const std::optional<std::string>& artwork_url) {
  std::string bytes;
  for (const auto* text : {&isrc, &artwork_url}) {
    bytes += static_cast<char>(text->has_value() ? 1 : 0);
    if (!text->has_value()) continue;
    bytes += static_cast<char>((*text)->size() >> 8);
    bytes += static_cast<char>((*text)->size() & 0xFF);
    bytes += **text;
  }
  return hex(bytes);
}

bool is_ascii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Counts the vectors for which `pred` holds, so the file keeps covering what it was gathered for.
template <typename Pred>
std::size_t count_vectors(Pred pred) {
  std::size_t n = 0;
  for (const auto& v : external_vectors()) n += pred(v.as_object()) ? 1 : 0;
  return n;
}

class ExternalTrackVectors : public ::testing::TestWithParam<std::size_t> {
 protected:
  const boost::json::object& vec() const { return external_vectors().at(GetParam()).as_object(); }
  std::string encoded() const { return std::string(vec().at("encoded").as_string()); }
  std::string where() const {
    const auto& s = vec().at("source").as_object();
    if (const auto* url = s.if_contains("url")) return std::string(url->as_string());
    return std::string(s.at("repo").as_string()) + ":" + std::string(s.at("path").as_string());
  }
  // False only for a track written in a form the encoder does not produce (the file says so).
  bool canonical() const {
    const auto* c = vec().if_contains("canonical");
    return c == nullptr || c->as_bool();
  }
};

}  // namespace

TEST(ExternalTrackVectorsFile, HasAtLeastTwelveVectorsEachWithItsSource) {
  ASSERT_GE(external_vectors().size(), 12u);
  for (const auto& v : external_vectors()) {
    const auto& s = v.at("source").as_object();
    EXPECT_FALSE(s.at("repo").as_string().empty());
    // A file at a commit, or an issue thread (which has no commit).
    if (const auto* url = s.if_contains("url")) {
      EXPECT_TRUE(url->as_string().starts_with("https://github.com/"));
      EXPECT_GT(s.at("issue").as_int64(), 0);
    } else {
      EXPECT_EQ(s.at("commit").as_string().size(), 40u);
      EXPECT_FALSE(s.at("path").as_string().empty());
    }
    EXPECT_FALSE(v.at("fieldsFrom").as_string().empty());
  }
}

TEST(ExternalTrackVectorsFile, CoversWhatItWasGatheredFor) {
  const auto title_has = [](std::string_view utf8) {
    return [utf8](const boost::json::object& v) {
      return std::string_view(v.at("info").at("title").as_string()).find(utf8) !=
             std::string_view::npos;
    };
  };
  const auto by_npm = [](const boost::json::object& v) {
    return v.at("fieldsFrom").as_string().starts_with("decoded by @lavalink/encoding");
  };
  EXPECT_GE(count_vectors(by_npm), 10u);
  EXPECT_GE(count_vectors(title_has("\xE3\x82")), 2u);      // katakana
  EXPECT_GE(count_vectors(title_has("\xE6\xAD\x8C")), 2u);  // a kanji (歌)
  EXPECT_GE(count_vectors(title_has("\xEB\xAA\x85")), 1u);  // hangul (명)
  EXPECT_GE(count_vectors(title_has("\xEF\xBD\x9E")), 2u);  // U+FF5E, full-width tilde
  EXPECT_GE(count_vectors(title_has("\xC3\xB1")), 1u);      // ñ
  EXPECT_GE(count_vectors(title_has("\xF0\x9F")), 2u);      // an emoji: 4 bytes in UTF-8
  EXPECT_GE(count_vectors([](const boost::json::object& v) {
              return v.at("info").at("position").as_int64() != 0;
            }),
            4u);
  EXPECT_GE(count_vectors([](const boost::json::object& v) {
              return v.at("source").at("repo").as_string() == "lavalink-devs/youtube-source";
            }),
            1u);
}

TEST_P(ExternalTrackVectors, DecodesToTheListedFields) {
  const DecodedTrack t = TrackCodec::decode(encoded());
  const auto& info = vec().at("info").as_object();
  const auto& enc = vec().at("encoding").as_object();
  SCOPED_TRACE(where());
  EXPECT_EQ(t.version, enc.at("version").as_int64());
  EXPECT_EQ(t.info.title, info.at("title").as_string());
  EXPECT_EQ(t.info.author, info.at("author").as_string());
  EXPECT_EQ(t.info.length, milliseconds(info.at("length").as_int64()));
  EXPECT_EQ(t.info.identifier, info.at("identifier").as_string());
  EXPECT_EQ(t.info.is_stream, info.at("isStream").as_bool());
  EXPECT_EQ(t.info.uri, opt(info.at("uri")));
  EXPECT_EQ(t.info.artwork_url, opt(info.at("artworkUrl")));
  EXPECT_EQ(t.info.isrc, opt(info.at("isrc")));
  EXPECT_EQ(t.info.source_name, info.at("sourceName").as_string());
  EXPECT_EQ(t.info.position, milliseconds(info.at("position").as_int64()));
  EXPECT_EQ(hex(t.source_data), enc.at("sourceSpecificBytesHex").as_string());
}

TEST_P(ExternalTrackVectors, EncodingBlockMatchesTheHeaderBytes) {
  // Guards the file itself: a transcription slip here would make the other checks misleading.
  const std::string text = encoded();
  std::vector<std::uint8_t> m(lavalink::base64::max_decoded_size(text.size()));
  const auto r = lavalink::base64::decode(text, m.data());
  ASSERT_TRUE(r.ok());
  ASSERT_GE(r.size, 5u);
  const auto& enc = vec().at("encoding").as_object();
  const std::uint32_t header = std::uint32_t{m[0]} << 24 | std::uint32_t{m[1]} << 16 |
                               std::uint32_t{m[2]} << 8 | std::uint32_t{m[3]};
  EXPECT_EQ(header >> 30, enc.at("flags").as_int64());
  EXPECT_EQ(header & 0x3FFFFFFF, enc.at("messageSize").as_int64());
  EXPECT_EQ(r.size - 4, enc.at("messageSize").as_int64());
  EXPECT_EQ((header >> 30 & 1) ? m[4] : 1, enc.at("version").as_int64());
}

TEST_P(ExternalTrackVectors, NonAsciiTextIsTheOutsideDecodersExactUtf8) {
  // Byte for byte, so that no editor or JSON parser can have normalised the expectation into a
  // match: the file also gives the expected text's UTF-8 (the outside decoder's output, or the
  // source's own text) as hex.
  const DecodedTrack t = TrackCodec::decode(encoded());
  const auto& info = vec().at("info").as_object();
  const auto* utf8 = vec().if_contains("utf8Hex");
  SCOPED_TRACE(where());
  if (utf8 == nullptr) {
    EXPECT_TRUE(is_ascii(info.at("title").as_string()) && is_ascii(info.at("author").as_string()))
        << "a vector with non-ASCII text must give its UTF-8 as utf8Hex";
    return;
  }
  EXPECT_EQ(hex(t.info.title), utf8->at("title").as_string());
  EXPECT_EQ(hex(t.info.author), utf8->at("author").as_string());
  EXPECT_EQ(hex(std::string_view(info.at("title").as_string())), utf8->at("title").as_string());
  TrackCodec codec;
  const lavalink::TrackView view = codec.view(encoded());
  EXPECT_EQ(hex(view.title), utf8->at("title").as_string());
  EXPECT_EQ(hex(view.author), utf8->at("author").as_string());
}

TEST_P(ExternalTrackVectors, SimulatorCodecDecodesToTheListedFields) {
  // The second, independently written codec must read the outside fields too, not only agree with
  // the first.
  const auto t = cadence::sim::LavalinkTrackCodec::decode(encoded());
  ASSERT_TRUE(t.has_value());
  const auto& info = vec().at("info").as_object();
  const auto& enc = vec().at("encoding").as_object();
  SCOPED_TRACE(where());
  EXPECT_EQ(t->version, enc.at("version").as_int64());
  EXPECT_EQ(t->title, info.at("title").as_string());
  EXPECT_EQ(t->author, info.at("author").as_string());
  EXPECT_EQ(t->length, info.at("length").as_int64());
  EXPECT_EQ(t->identifier, info.at("identifier").as_string());
  EXPECT_EQ(t->is_stream, info.at("isStream").as_bool());
  EXPECT_EQ(t->uri, opt(info.at("uri")));
  EXPECT_EQ(t->artwork_url, opt(info.at("artworkUrl")));
  EXPECT_EQ(t->isrc, opt(info.at("isrc")));
  EXPECT_EQ(t->source_name, info.at("sourceName").as_string());
  EXPECT_EQ(t->position, info.at("position").as_int64());
  EXPECT_EQ(hex(std::string_view(t->source_data)), enc.at("sourceSpecificBytesHex").as_string());
  if (canonical()) {
    EXPECT_EQ(cadence::sim::LavalinkTrackCodec::encode(*t), encoded());
  }
}

TEST_P(ExternalTrackVectors, ViewDecoderAgreesWithOwningDecoder) {
  const DecodedTrack owning = TrackCodec::decode(encoded());
  TrackCodec codec;
  DecodedTrack viewed = lavalink::to_decoded_track(codec.view(encoded()));
  viewed.encoded = owning.encoded;
  EXPECT_EQ(viewed, owning);
}

TEST_P(ExternalTrackVectors, UnchangedTrackKeepsItsOriginalString) {
  EXPECT_EQ(TrackCodec::encode(TrackCodec::decode(encoded())), encoded());
}

TEST_P(ExternalTrackVectors, ReencodesFromFieldsInItsOwnVersionToTheIdenticalString) {
  // A canonically written track (all of these so far) must come back byte for byte.
  if (!canonical()) GTEST_SKIP() << "written in a form the encoder does not produce";
  DecodedTrack t = TrackCodec::decode(encoded());
  const int version = t.version;
  t.encoded.clear();
  EXPECT_EQ(TrackCodec::encode(t, version), encoded());
}

TEST_P(ExternalTrackVectors, RejectsEveryTruncationWithStageAndOffset) {
  const std::string text = encoded();
  for (std::size_t n = 0; n < text.size(); ++n) {
    // Cuts that only drop padding still carry every byte; they are not truncations.
    const std::string_view cut(text.data(), n);
    if (text.substr(n).find_first_not_of('=') == std::string::npos) continue;
    try {
      (void)TrackCodec::decode(cut);
      ADD_FAILURE() << "prefix of " << n << " characters decoded";
    } catch (const TrackDecodeError& e) {
      EXPECT_LE(e.offset(), text.size()) << n;
    }
  }
}

TEST_P(ExternalTrackVectors, LavaSrcBytesReadAsTheListedFields) {
  const auto* expected = vec().if_contains("lavaSrc");
  const DecodedTrack t = TrackCodec::decode(encoded());
  if (const auto* v3 = vec().if_contains("lavaSrc3")) {
    // LavaSrc 3.x wrote another layout: nullable ISRC, nullable artwork URL. The bytes must be
    // exactly that (built here from the listed fields, not by Cadence)...
    const auto& e = v3->as_object();
    ASSERT_EQ(hex(t.source_data), lavasrc3_bytes_hex(opt(e.at("isrc")), opt(e.at("artworkUrl"))));
    // ...and they read as that layout, and write back to the same bytes.
    const auto info = lavalink::read_lavasrc_info(t.source_data);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->layout, lavalink::LavaSrcLayout::v3);
    EXPECT_EQ(info->isrc, opt(e.at("isrc")));
    EXPECT_EQ(info->artwork_url, opt(e.at("artworkUrl")));
    EXPECT_EQ(info->album_name, std::nullopt);
    EXPECT_EQ(lavalink::write_lavasrc_info(*info),
              std::vector<std::byte>(t.source_data.begin(), t.source_data.end()));
    return;
  }
  if (expected == nullptr) {
    // A spotify track from the plugin before LavaSrc carries no bytes, and reads as nothing.
    if (lavalink::is_lavasrc_source(t.info.source_name)) {
      EXPECT_EQ(lavalink::read_lavasrc_info(t.source_data), std::nullopt);
    }
    return;
  }
  ASSERT_TRUE(lavalink::is_lavasrc_source(t.info.source_name));
  const auto info = lavalink::read_lavasrc_info(t.source_data);
  ASSERT_TRUE(info);
  const auto& e = expected->as_object();
  EXPECT_EQ(info->album_name, opt(e.at("albumName")));
  EXPECT_EQ(info->album_url, opt(e.at("albumUrl")));
  EXPECT_EQ(info->artist_url, opt(e.at("artistUrl")));
  EXPECT_EQ(info->artist_artwork_url, opt(e.at("artistArtworkUrl")));
  EXPECT_EQ(info->preview_url, opt(e.at("previewUrl")));
  EXPECT_EQ(info->is_preview, e.at("isPreview").as_bool());
  // And Cadence's writer produces LavaSrc's bytes exactly.
  EXPECT_EQ(hex(lavalink::write_lavasrc_info(*info)), hex(t.source_data));
}

TEST_P(ExternalTrackVectors, ProbeInfoOfHttpTracksReads) {
  const DecodedTrack t = TrackCodec::decode(encoded());
  if (!lavalink::is_probing_source(t.info.source_name)) return;  // nothing to read
  const auto probe = lavalink::read_probe_info(t.source_data);
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->name, "mp3");
}

INSTANTIATE_TEST_SUITE_P(External, ExternalTrackVectors,
                         ::testing::Range<std::size_t>(0, external_vectors().size()));
