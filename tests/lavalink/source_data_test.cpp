#include "cadence/lavalink/source_data.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "cadence/lavalink/error.hpp"
#include "cadence/lavalink/track_codec.hpp"

namespace lavalink = cadence::lavalink;

namespace {
std::vector<std::byte> bytes_of(std::string_view text) {
  std::vector<std::byte> out(text.size());
  std::memcpy(out.data(), text.data(), text.size());
  return out;
}
}  // namespace

TEST(SourceData, ReadsProbeInfoOfTheHttpVector) {
  // From track-vectors.json: an http track whose source bytes are the probe info "mp3".
  const auto t = lavalink::TrackCodec::decode(
      "QAAAiwIAC0RlYXRoIG9mIE1lAApTQUlOVCBQSE5YAAAAAAAAdVgAKGh0dHBzOi8vd3d3Lm1ib3hkcml2ZS5jb20vc3Rh"
      "cnRtdXNpYy5tcDMAAQAoaHR0cHM6Ly93d3cubWJveGRyaXZlLmNvbS9zdGFydG11c2ljLm1wMwAEaHR0cAADbXAzAAAA"
      "AAAAAAA=");
  ASSERT_TRUE(lavalink::is_probing_source(t.info.source_name));
  const auto probe = lavalink::read_probe_info(t.source_data);
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->name, "mp3");
  EXPECT_FALSE(probe->parameters);
}

TEST(SourceData, ProbeInfoSplitsParameters) {
  const lavalink::ProbeInfo info{"mpegts", std::string("hls")};
  const auto bytes = lavalink::write_probe_info(info);
  EXPECT_EQ(bytes, bytes_of(std::string("\x00\x0Ampegts|hls", 12)));
  EXPECT_EQ(lavalink::read_probe_info(bytes), info);
}

TEST(SourceData, EmptyBytesHaveNoProbeInfo) { EXPECT_FALSE(lavalink::read_probe_info({})); }

TEST(SourceData, ProbeInfoWithTrailingBytesIsAnError) {
  EXPECT_THROW((void)lavalink::read_probe_info(bytes_of(std::string("\x00\x01"
                                                                    "ax",
                                                                    4))),
               lavalink::TrackDecodeError);
}

TEST(SourceData, LavaSrcInfoRoundTrips) {
  lavalink::LavaSrcInfo info;
  info.album_name = "Album";
  info.album_url = "https://open.spotify.com/album/1";
  info.artist_url = "https://open.spotify.com/artist/2";
  info.artist_artwork_url = std::nullopt;
  info.preview_url = "https://p.scdn.co/mp3-preview/3";
  info.is_preview = true;
  const auto bytes = lavalink::write_lavasrc_info(info);
  EXPECT_EQ(lavalink::read_lavasrc_info(bytes), info);
}

TEST(SourceData, LavaSrcInfoThroughATrack) {
  lavalink::DecodedTrack t;
  t.info.title = "Song";
  t.info.author = "Artist";
  t.info.identifier = "4uLU6hMCjMI75M1A2tKUQC";
  t.info.source_name = "spotify";
  t.info.isrc = "USUM71703861";
  lavalink::LavaSrcInfo info;
  info.album_name = "Album \xF0\x9F\x8E\xB5";
  t.source_data = lavalink::write_lavasrc_info(info);
  const auto back = lavalink::TrackCodec::decode(lavalink::TrackCodec::encode(t));
  ASSERT_TRUE(lavalink::is_lavasrc_source(back.info.source_name));
  EXPECT_EQ(lavalink::read_lavasrc_info(back.source_data), info);
}

TEST(SourceData, LavaSrcInfoAllowsLaterFields) {
  auto bytes = lavalink::write_lavasrc_info({});
  bytes.push_back(std::byte{1});
  EXPECT_TRUE(lavalink::read_lavasrc_info(bytes));
}

TEST(SourceData, TruncatedLavaSrcInfoNamesOffset) {
  auto bytes = lavalink::write_lavasrc_info({std::string("Album"), {}, {}, {}, {}, false});
  bytes.resize(4);  // present flag, length, 1 byte of text
  try {
    (void)lavalink::read_lavasrc_info(bytes);
    FAIL() << "no error";
  } catch (const lavalink::TrackDecodeError& e) {
    EXPECT_EQ(e.offset(), 1u);
  }
}

TEST(SourceData, LavaSrc3LayoutsRoundTrip) {
  lavalink::LavaSrcInfo both;
  both.layout = lavalink::LavaSrcLayout::v3;
  both.isrc = "USUM71703861";
  both.artwork_url = "https://i.scdn.co/image/ab67616d0000b273";
  lavalink::LavaSrcInfo artwork_only;
  artwork_only.layout = lavalink::LavaSrcLayout::v3_artwork;
  artwork_only.artwork_url = "https://avatars.yandex.net/get-music-content/1/400x400";
  lavalink::LavaSrcInfo nothing;
  nothing.layout = lavalink::LavaSrcLayout::v3;
  for (const auto& info : {both, artwork_only, nothing}) {
    const auto bytes = lavalink::write_lavasrc_info(info);
    EXPECT_EQ(lavalink::read_lavasrc_info(bytes), info) << bytes.size() << " bytes";
  }
  EXPECT_EQ(lavalink::write_lavasrc_info(nothing).size(), 2u);  // two absent flags
}

TEST(SourceData, LavaSrc3BytesWithSomethingAfterThemAreAnError) {
  // Neither LavaSrc 4's block (too short) nor exactly LavaSrc 3's (a byte left over): the
  // error is LavaSrc 4's reading, at the end.
  lavalink::LavaSrcInfo info;
  info.layout = lavalink::LavaSrcLayout::v3;
  info.isrc = "X";
  auto bytes = lavalink::write_lavasrc_info(info);
  bytes.push_back(std::byte{1});
  const auto size = bytes.size();
  try {
    (void)lavalink::read_lavasrc_info(bytes);
    FAIL() << "no error";
  } catch (const lavalink::TrackDecodeError& e) {
    EXPECT_EQ(e.offset(), size);
  }
}

TEST(SourceData, KnowsSourceNames) {
  EXPECT_TRUE(lavalink::is_probing_source("local"));
  EXPECT_FALSE(lavalink::is_probing_source("youtube"));
  EXPECT_TRUE(lavalink::is_lavasrc_source("deezer"));
  EXPECT_FALSE(lavalink::is_lavasrc_source("soundcloud"));
}
