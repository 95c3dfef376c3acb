// Tracks that neither Cadence nor its simulator wrote: gathered from other projects' test suites,
// docs and plugin READMEs (tests/lavalink/data/external-track-vectors.json names the repository,
// path and commit of each, and where its decoded fields come from).
#include "cadence/lavalink/track_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/source_data.hpp"

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

class ExternalTrackVectors : public ::testing::TestWithParam<std::size_t> {
 protected:
  const boost::json::object& vec() const { return external_vectors().at(GetParam()).as_object(); }
  std::string encoded() const { return std::string(vec().at("encoded").as_string()); }
  std::string where() const {
    const auto& s = vec().at("source").as_object();
    return std::string(s.at("repo").as_string()) + ":" + std::string(s.at("path").as_string());
  }
};

}  // namespace

TEST(ExternalTrackVectorsFile, HasAtLeastTwelveVectorsEachWithItsSource) {
  ASSERT_GE(external_vectors().size(), 12u);
  for (const auto& v : external_vectors()) {
    const auto& s = v.at("source").as_object();
    EXPECT_FALSE(s.at("repo").as_string().empty());
    EXPECT_EQ(s.at("commit").as_string().size(), 40u);
    EXPECT_FALSE(v.at("fieldsFrom").as_string().empty());
  }
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
  // Every one of these was written canonically, so the encoder must reproduce it byte for byte.
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
