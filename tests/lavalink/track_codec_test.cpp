#include "cadence/lavalink/track_codec.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/json.hpp>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cadence/lavalink/base64.hpp"

namespace lavalink = cadence::lavalink;
using lavalink::DecodedTrack;
using lavalink::TrackCodec;
using lavalink::TrackDecodeError;
using std::chrono::milliseconds;

namespace {

boost::json::array load_vectors() {
  std::ifstream in(CADENCE_SOURCE_DIR "/tests/lavalink/data/track-vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str()).as_array();
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

std::vector<std::byte> bytes_of(std::string_view text) {
  std::vector<std::byte> out(text.size());
  std::memcpy(out.data(), text.data(), text.size());
  return out;
}

// A track with every v3 field set, built by hand.
DecodedTrack sample_track() {
  DecodedTrack t;
  t.info.title = "Title";
  t.info.author = "Author";
  t.info.length = milliseconds(212000);
  t.info.identifier = "abc123";
  t.info.is_stream = false;
  t.info.is_seekable = true;
  t.info.uri = "https://example.com/abc123";
  t.info.artwork_url = "https://example.com/abc123.jpg";
  t.info.isrc = "USRC17607839";
  t.info.source_name = "youtube";
  t.info.position = milliseconds(0);
  return t;
}

// The same without the fields version 1 cannot carry.
DecodedTrack sample_track_v1() {
  DecodedTrack t = sample_track();
  t.info.uri.reset();
  t.info.artwork_url.reset();
  t.info.isrc.reset();
  return t;
}

// Rewrites the 30-bit size in a message's header so that it matches the message length.
void fix_header(std::vector<std::byte>& message) {
  const auto size = static_cast<std::uint32_t>(message.size() - 4);
  const auto flags = std::to_integer<std::uint32_t>(message[0]) >> 6;
  const std::uint32_t header = size | flags << 30;
  for (int i = 0; i < 4; ++i) message[i] = std::byte(header >> (24 - 8 * i) & 0xFF);
}

TrackDecodeError decode_error(std::string_view encoded) {
  try {
    (void)TrackCodec::decode(encoded);
  } catch (const TrackDecodeError& e) {
    return e;
  }
  ADD_FAILURE() << "decoding succeeded";
  return TrackDecodeError(TrackDecodeError::Stage::message, 999999, "none");
}

TrackDecodeError message_error(const std::vector<std::byte>& message) {
  try {
    (void)TrackCodec::decode_message(message);
  } catch (const TrackDecodeError& e) {
    return e;
  }
  ADD_FAILURE() << "decoding succeeded";
  return TrackDecodeError(TrackDecodeError::Stage::message, 999999, "none");
}

std::optional<std::string> opt(const boost::json::value& v) {
  if (v.is_null()) return std::nullopt;
  return std::string(v.as_string());
}

}  // namespace

// ---- every vector from the reference ----

class TrackVectors : public ::testing::TestWithParam<std::size_t> {
 protected:
  static const boost::json::array& vectors() {
    static const boost::json::array v = load_vectors();
    return v;
  }
  const boost::json::object& vec() const { return vectors().at(GetParam()).as_object(); }
  std::string encoded() const { return std::string(vec().at("encoded").as_string()); }
};

TEST_P(TrackVectors, DecodesToTheListedFields) {
  const auto& info = vec().at("info").as_object();
  const auto& enc = vec().at("encoding").as_object();
  const DecodedTrack t = TrackCodec::decode(encoded());
  EXPECT_EQ(t.version, enc.at("version").as_int64());
  EXPECT_EQ(t.info.title, info.at("title").as_string());
  EXPECT_EQ(t.info.author, info.at("author").as_string());
  EXPECT_EQ(t.info.length.count(), info.at("length").as_int64());
  EXPECT_EQ(t.info.identifier, info.at("identifier").as_string());
  EXPECT_EQ(t.info.is_stream, info.at("isStream").as_bool());
  EXPECT_EQ(t.info.uri, opt(info.at("uri")));
  EXPECT_EQ(t.info.artwork_url, opt(info.at("artworkUrl")));
  EXPECT_EQ(t.info.isrc, opt(info.at("isrc")));
  EXPECT_EQ(t.info.source_name, info.at("sourceName").as_string());
  EXPECT_EQ(t.info.position.count(), info.at("position").as_int64());
  EXPECT_EQ(hex(t.source_data), enc.at("sourceSpecificBytesHex").as_string());
}

TEST_P(TrackVectors, ReencodesFromFieldsToTheIdenticalString) {
  DecodedTrack t = TrackCodec::decode(encoded());
  const int version = t.version;
  t.encoded.clear();  // force a real encode, not the kept original
  EXPECT_EQ(TrackCodec::encode(t, version), encoded());
}

TEST_P(TrackVectors, UnchangedTrackKeepsItsOriginalString) {
  const DecodedTrack t = TrackCodec::decode(encoded());
  EXPECT_EQ(TrackCodec::encode(t), encoded());
}

TEST_P(TrackVectors, MessageSizeMatchesTheHeaderField) {
  std::vector<std::uint8_t> buffer(lavalink::base64::max_decoded_size(encoded().size()));
  const auto r = lavalink::base64::decode(encoded(), buffer.data());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(static_cast<std::int64_t>(r.size - 4),
            vec().at("encoding").as_object().at("messageSize").as_int64());
}

TEST_P(TrackVectors, ViewDecoderAgreesWithOwningDecoder) {
  const std::string text = encoded();
  std::vector<std::byte> buffer(TrackCodec::view_buffer_size(text.size()));
  const lavalink::TrackView view = TrackCodec::decode_view(text, buffer);
  DecodedTrack expected = TrackCodec::decode(text);
  expected.encoded.clear();
  EXPECT_EQ(lavalink::to_decoded_track(view), expected);
}

TEST_P(TrackVectors, RejectsEveryTruncationOfTheText) {
  const std::string text = encoded();
  for (std::size_t n = 0; n < text.size(); ++n) {
    // Dropping only '=' padding leaves the same bytes; Java's decoder accepts that too.
    if (text.find_first_not_of('=', n) == std::string::npos) continue;
    lavalink::TrackView view;
    std::vector<std::byte> buffer(TrackCodec::view_buffer_size(n));
    EXPECT_FALSE(TrackCodec::try_decode_view(std::string_view(text).substr(0, n), buffer, view))
        << "prefix of " << n << " characters decoded";
  }
}

TEST_P(TrackVectors, RejectsEveryTruncationWithAMatchingHeader) {
  // The header is rewritten to the shorter size, so the reader must find the missing bytes
  // inside the fields. Cuts within the source-specific bytes still leave a valid track.
  const DecodedTrack original = TrackCodec::decode(encoded());
  const std::vector<std::byte> full = TrackCodec::encode_message(original, original.version);
  for (std::size_t cut = 1; cut + 4 < full.size(); ++cut) {
    std::vector<std::byte> message(full.begin(), full.end() - static_cast<std::ptrdiff_t>(cut));
    fix_header(message);
    if (cut <= original.source_data.size()) {
      EXPECT_EQ(TrackCodec::decode_message(message).source_data.size(),
                original.source_data.size() - cut);
    } else {
      EXPECT_THROW((void)TrackCodec::decode_message(message), TrackDecodeError) << "cut " << cut;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Reference, TrackVectors, ::testing::Range<std::size_t>(0, 13));

TEST(TrackVectorsFile, HasThirteenVectors) { EXPECT_EQ(load_vectors().size(), 13u); }

// ---- header, version and length checks ----

TEST(TrackCodec, RejectsEmptyText) {
  const auto e = decode_error("");
  EXPECT_EQ(e.stage(), TrackDecodeError::Stage::message);
  EXPECT_EQ(e.offset(), 0u);
}

TEST(TrackCodec, NamesTheBadBase64Character) {
  std::string text = TrackCodec::encode(sample_track());
  text[57] = '*';
  const auto e = decode_error(text);
  EXPECT_EQ(e.stage(), TrackDecodeError::Stage::base64);
  EXPECT_EQ(e.offset(), 57u);
  EXPECT_NE(std::string(e.what()).find("57"), std::string::npos);
}

TEST(TrackCodec, RejectsVersion99AtItsByte) {
  auto message = TrackCodec::encode_message(sample_track());
  message[4] = std::byte{99};
  const auto e = message_error(message);
  EXPECT_EQ(e.offset(), 4u);
  EXPECT_NE(std::string(e.what()).find("version"), std::string::npos);
}

TEST(TrackCodec, RejectsVersionZero) {
  auto message = TrackCodec::encode_message(sample_track());
  message[4] = std::byte{0};
  EXPECT_EQ(message_error(message).offset(), 4u);
}

TEST(TrackCodec, IgnoresHeaderFlagBitsOtherThanBitZero) {
  // lavaplayer reads only TRACK_INFO_VERSIONED (bit 0) of the two flag bits.
  auto message = TrackCodec::encode_message(sample_track());
  message[0] |= std::byte{0x80};
  const DecodedTrack t = TrackCodec::decode_message(message);
  EXPECT_EQ(t.version, 3);
  EXPECT_EQ(t.info, sample_track().info);
}

TEST(TrackCodec, FlagBitOneAloneMeansVersion1) {
  auto message = TrackCodec::encode_message(sample_track_v1(), 1);
  message[0] |= std::byte{0x80};
  EXPECT_EQ(TrackCodec::decode_message(message).version, 1);
}

TEST(TrackCodec, TrackWithFlagBitOneReencodesUnchangedToItsOwnText) {
  auto message = TrackCodec::encode_message(sample_track());
  message[0] |= std::byte{0x80};
  const std::string text = lavalink::base64::encode(message);
  const DecodedTrack t = TrackCodec::decode(text);
  EXPECT_EQ(TrackCodec::encode(t), text);
  DecodedTrack changed = t;
  changed.info.position = milliseconds(1);
  const auto canonical = TrackCodec::encode_message(changed);
  EXPECT_EQ(std::to_integer<int>(canonical[0]) >> 6, 1);  // only "versioned" is written
}

TEST(TrackCodec, RejectsHeaderClaimingMoreBytes) {
  auto message = TrackCodec::encode_message(sample_track());
  message[3] = std::byte(std::to_integer<int>(message[3]) + 1);
  EXPECT_EQ(message_error(message).offset(), 0u);
}

TEST(TrackCodec, RejectsBytesAfterTheMessage) {
  auto message = TrackCodec::encode_message(sample_track());
  const std::size_t end = message.size();
  message.push_back(std::byte{0});
  EXPECT_EQ(message_error(message).offset(), end);
}

TEST(TrackCodec, RejectsTheEndMarker) {
  const std::vector<std::byte> message(4, std::byte{0});
  EXPECT_EQ(message_error(message).offset(), 0u);
}

TEST(TrackCodec, RejectsTitleLengthRunningPastTheEnd) {
  auto message = TrackCodec::encode_message(sample_track());
  message[5] = std::byte{0xFF};  // title length field is at bytes 5-6 in version 3
  message[6] = std::byte{0xFF};
  const auto e = message_error(message);
  EXPECT_EQ(e.offset(), 5u);
  EXPECT_NE(std::string(e.what()).find("runs past"), std::string::npos);
}

TEST(TrackCodec, RejectsEveryLyingStringLength) {
  // Every u16 length field, set to every value that is too large, must fail cleanly.
  const DecodedTrack t = sample_track();
  const auto message = TrackCodec::encode_message(t);
  const std::size_t title_at = 5;
  std::vector<std::byte> copy = message;
  for (unsigned extra = 1; extra < 300; ++extra) {
    copy = message;
    const unsigned len = static_cast<unsigned>(t.info.title.size()) + extra;
    copy[title_at] = std::byte(len >> 8);
    copy[title_at + 1] = std::byte(len & 0xFF);
    // Longer strings swallow later fields; the decoder may fail anywhere after, never crash.
    EXPECT_THROW((void)TrackCodec::decode_message(copy), TrackDecodeError) << extra;
  }
}

TEST(TrackCodec, ReadsEveryNonZeroBooleanByteAsTrue) {
  // DataInput.readBoolean: any byte but 0 is true.
  const DecodedTrack t = sample_track();
  const auto message = TrackCodec::encode_message(t);
  // isStream follows title, author, length and identifier; uri's presence byte follows it.
  const std::size_t at =
      5 + 2 + t.info.title.size() + 2 + t.info.author.size() + 8 + 2 + t.info.identifier.size();
  for (int b = 1; b < 256; ++b) {
    auto copy = message;
    copy[at] = std::byte(b);
    copy[at + 1] = std::byte(b);
    const DecodedTrack d = TrackCodec::decode_message(copy);
    EXPECT_TRUE(d.info.is_stream) << b;
    EXPECT_EQ(d.info.uri, t.info.uri) << b;
  }
}

TEST(TrackCodec, TrackWithBooleanByte2KeepsItsTextAndWritesOneWhenChanged) {
  const DecodedTrack t = sample_track();
  auto message = TrackCodec::encode_message(t);
  const std::size_t at =
      5 + 2 + t.info.title.size() + 2 + t.info.author.size() + 8 + 2 + t.info.identifier.size();
  message[at] = std::byte{2};
  const std::string text = lavalink::base64::encode(message);
  DecodedTrack d = TrackCodec::decode(text);
  EXPECT_EQ(TrackCodec::encode(d), text);
  d.info.position = milliseconds(5);
  EXPECT_EQ(TrackCodec::encode_message(d)[at], std::byte{1});
}

TEST(TrackCodec, RejectsMissingRoomForPosition) {
  auto message = TrackCodec::encode_message(sample_track());
  message.pop_back();
  fix_header(message);
  EXPECT_THROW((void)TrackCodec::decode_message(message), TrackDecodeError);
}

// ---- modified UTF-8 ----

namespace {
// A version-3 message whose title bytes are `raw` (already modified UTF-8).
std::vector<std::byte> with_raw_title(std::string_view raw) {
  DecodedTrack t = sample_track();
  t.info.title = "T";
  auto message = TrackCodec::encode_message(t);
  std::vector<std::byte> out(message.begin(), message.begin() + 5);
  out.push_back(std::byte(raw.size() >> 8));
  out.push_back(std::byte(raw.size() & 0xFF));
  for (char c : raw) out.push_back(std::byte(static_cast<unsigned char>(c)));
  out.insert(out.end(), message.begin() + 8, message.end());
  fix_header(out);
  return out;
}
}  // namespace

TEST(TrackCodec, DecodesSurrogatePairToFourByteUtf8) {
  const auto t = TrackCodec::decode_message(with_raw_title("Leaf \xED\xA0\xBC\xED\xBC\xBF"));
  EXPECT_EQ(t.info.title, "Leaf \xF0\x9F\x8C\xBF");
}

TEST(TrackCodec, EncodesEmojiAsTwoSurrogates) {
  DecodedTrack t = sample_track();
  t.info.title = "Leaf \xF0\x9F\x8C\xBF";
  const auto message = TrackCodec::encode_message(t);
  const std::string bytes(reinterpret_cast<const char*>(message.data()), message.size());
  EXPECT_NE(bytes.find("\x00\x0BLeaf \xED\xA0\xBC\xED\xBC\xBF", 0, 13), std::string::npos);
  EXPECT_EQ(TrackCodec::decode(TrackCodec::encode(t)).info.title, t.info.title);
}

TEST(TrackCodec, EncodesNulAsC080) {
  DecodedTrack t = sample_track();
  t.info.title = std::string("a\0b", 3);
  const auto message = TrackCodec::encode_message(t);
  const std::string bytes(reinterpret_cast<const char*>(message.data()), message.size());
  EXPECT_NE(bytes.find(std::string("\x00\x04"
                                   "a\xC0\x80"
                                   "b",
                                   6)),
            std::string::npos);
  EXPECT_EQ(TrackCodec::decode(TrackCodec::encode(t)).info.title, t.info.title);
}

TEST(TrackCodec, KeepsTwoAndThreeByteCharacters) {
  DecodedTrack t = sample_track();
  t.info.title = "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xEF\xBF\xBF";
  EXPECT_EQ(TrackCodec::decode(TrackCodec::encode(t)).info.title, t.info.title);
}

struct BadText {
  const char* name;
  std::string raw;
  std::size_t bad_at;  // within the title text
};

class InvalidModifiedUtf8 : public ::testing::TestWithParam<BadText> {};

TEST_P(InvalidModifiedUtf8, IsRejectedAtTheBadByte) {
  const auto e = message_error(with_raw_title(GetParam().raw));
  EXPECT_EQ(e.offset(), 7 + GetParam().bad_at);  // title text starts at byte 7
  EXPECT_NE(std::string(e.what()).find("UTF-8"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(TrackCodec, InvalidModifiedUtf8,
                         ::testing::Values(BadText{"FourByteSequence", "x\xF0\x9F\x8C\xBF", 1},
                                           BadText{"ContinuationFirst", "\x80", 0},
                                           BadText{"TruncatedSequence", "ab\xE6\x97", 2},
                                           BadText{"BadContinuation", "\xC3(", 1},
                                           BadText{"LongAsciiThenBad",
                                                   "abcdefghijklmnopqrstuvwxyz\xFF", 26}),
                         [](const auto& info) { return std::string(info.param.name); });

// What readUTF accepts although the canonical writer never produces it.
struct LenientText {
  const char* name;
  std::string raw;   // modified UTF-8 as a Java node may hold it
  std::string utf8;  // what the UTF-8 fields carry
};

class LenientModifiedUtf8 : public ::testing::TestWithParam<LenientText> {};

TEST_P(LenientModifiedUtf8, DecodesLikeReadUtf) {
  const auto message = with_raw_title(GetParam().raw);
  EXPECT_EQ(TrackCodec::decode_message(message).info.title, GetParam().utf8);
}

TEST_P(LenientModifiedUtf8, ViewDecoderAgrees) {
  auto message = with_raw_title(GetParam().raw);
  lavalink::TrackView v;
  ASSERT_TRUE(TrackCodec::try_decode_view_message(message, v));
  EXPECT_EQ(v.title, GetParam().utf8);
}

TEST_P(LenientModifiedUtf8, UnchangedTrackReencodesToItsOwnText) {
  const std::string text = lavalink::base64::encode(with_raw_title(GetParam().raw));
  EXPECT_EQ(TrackCodec::encode(TrackCodec::decode(text)), text);
}

TEST_P(LenientModifiedUtf8, ChangedTrackIsWrittenCanonically) {
  DecodedTrack t = TrackCodec::decode(lavalink::base64::encode(with_raw_title(GetParam().raw)));
  t.info.position = milliseconds(1);
  const DecodedTrack again = TrackCodec::decode(TrackCodec::encode(t));
  EXPECT_EQ(again.info.title, GetParam().utf8);
  // Canonical: re-encoding from the fields gives the same text as the encoder's own output.
  DecodedTrack fresh = again;
  fresh.encoded.clear();
  EXPECT_EQ(TrackCodec::encode(fresh), TrackCodec::encode(again));
}

INSTANTIATE_TEST_SUITE_P(
    TrackCodec, LenientModifiedUtf8,
    ::testing::Values(LenientText{"RawNul", std::string("ab\0", 3), std::string("ab\0", 3)},
                      LenientText{"RawNulInALongRun", std::string("abcdefgh\0ijklmnop", 17),
                                  std::string("abcdefgh\0ijklmnop", 17)},
                      LenientText{"LoneHighSurrogate", "x\xED\xA0\xBCy", "x\xEF\xBF\xBDy"},
                      LenientText{"LoneHighSurrogateAtEnd", "x\xED\xA0\xBC", "x\xEF\xBF\xBD"},
                      LenientText{"LoneLowSurrogate", "\xED\xBC\xBF", "\xEF\xBF\xBD"},
                      LenientText{"LowThenHigh", "\xED\xBC\xBF\xED\xA0\xBC",
                                  "\xEF\xBF\xBD\xEF\xBF\xBD"},
                      LenientText{"TwoHighsThenLow", "\xED\xA0\xBC\xED\xA0\xBC\xED\xBC\xBF",
                                  "\xEF\xBF\xBD\xF0\x9F\x8C\xBF"},
                      LenientText{"OverlongTwoByte", "\xC1\x81", "A"},
                      LenientText{"OverlongTwoByteNul", "\xC0\x80", std::string("\0", 1)},
                      LenientText{"OverlongThreeByte", "\xE0\x81\x81", "A"},
                      LenientText{"OverlongThreeByteTwoByteValue", "\xE0\x83\xA9", "\xC3\xA9"}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- versions 1 and 2 ----

TEST(TrackCodec, WritesVersion1WithoutVersionByte) {
  DecodedTrack t = sample_track();
  t.info.uri.reset();
  t.info.artwork_url.reset();
  t.info.isrc.reset();
  const auto message = TrackCodec::encode_message(t, 1);
  EXPECT_EQ(std::to_integer<int>(message[0]) >> 6, 0);  // no "versioned" flag
  const DecodedTrack back = TrackCodec::decode_message(message);
  EXPECT_EQ(back.version, 1);
  EXPECT_EQ(back.info.title, "Title");
  EXPECT_EQ(back.info.source_name, "youtube");
  EXPECT_FALSE(back.info.uri);
}

TEST(TrackCodec, Version1RoundTripsThroughText) {
  DecodedTrack t = sample_track();
  t.info.uri.reset();
  t.info.artwork_url.reset();
  t.info.isrc.reset();
  const std::string text = TrackCodec::encode(t, 1);
  DecodedTrack back = TrackCodec::decode(text);
  back.encoded.clear();
  EXPECT_EQ(TrackCodec::encode(back, 1), text);
}

TEST(TrackCodec, Version1CannotCarryUri) {
  DecodedTrack t = sample_track();
  t.info.artwork_url.reset();
  t.info.isrc.reset();
  EXPECT_THROW((void)TrackCodec::encode(t, 1), std::invalid_argument);
}

TEST(TrackCodec, Version2CannotCarryArtworkUrl) {
  DecodedTrack t = sample_track();
  t.info.isrc.reset();
  EXPECT_THROW((void)TrackCodec::encode(t, 2), std::invalid_argument);
}

TEST(TrackCodec, Version2KeepsNullUri) {
  DecodedTrack t = sample_track();
  t.info.uri.reset();
  t.info.artwork_url.reset();
  t.info.isrc.reset();
  const DecodedTrack back = TrackCodec::decode(TrackCodec::encode(t, 2));
  EXPECT_EQ(back.version, 2);
  EXPECT_FALSE(back.info.uri);
}

TEST(TrackCodec, RejectsVersion4ForEncoding) {
  EXPECT_THROW((void)TrackCodec::encode(sample_track(), 4), std::invalid_argument);
}

// ---- encode behaviour ----

TEST(TrackCodec, ChangedTrackIsWrittenAsVersion3) {
  const auto vectors = load_vectors();
  const std::string v2(vectors.at(5).at("encoded").as_string());
  DecodedTrack t = TrackCodec::decode(v2);
  ASSERT_EQ(t.version, 2);
  t.info.position = milliseconds(30000);
  const std::string text = TrackCodec::encode(t);
  EXPECT_NE(text, v2);
  const DecodedTrack back = TrackCodec::decode(text);
  EXPECT_EQ(back.version, 3);
  EXPECT_EQ(back.info.position, milliseconds(30000));
  EXPECT_EQ(back.info.title, t.info.title);
}

TEST(TrackCodec, PositionIsTheLastEightBytes) {
  DecodedTrack t = sample_track();
  t.info.position = milliseconds(0x0102030405060708LL);
  t.source_data = bytes_of("\x01\x02opaque");
  const auto message = TrackCodec::encode_message(t);
  EXPECT_EQ(hex(std::span(message).last(8)), "0102030405060708");
  const DecodedTrack back = TrackCodec::decode_message(message);
  EXPECT_EQ(back.info.position, t.info.position);
  EXPECT_EQ(back.source_data, t.source_data);
}

TEST(TrackCodec, UnknownSourceBytesRoundTrip) {
  DecodedTrack t = sample_track();
  t.info.source_name = "someplugin";
  t.source_data = bytes_of(std::string("\x00\xFF\x10 whatever the plugin wrote\x00", 30));
  const std::string text = TrackCodec::encode(t);
  DecodedTrack back = TrackCodec::decode(text);
  EXPECT_EQ(back.source_data, t.source_data);
  back.encoded.clear();
  EXPECT_EQ(TrackCodec::encode(back), text);
}

TEST(TrackCodec, UnknownLengthRoundTrips) {
  DecodedTrack t = sample_track();
  t.info.is_stream = true;
  t.info.length = milliseconds::max();
  const DecodedTrack back = TrackCodec::decode(TrackCodec::encode(t));
  EXPECT_EQ(back.info.length, milliseconds::max());
  EXPECT_TRUE(back.info.is_stream);
  EXPECT_FALSE(back.info.is_seekable);
}

TEST(TrackCodec, RejectsTextLongerThan65535Bytes) {
  DecodedTrack t = sample_track();
  t.info.title = std::string(65536, 'a');
  EXPECT_THROW((void)TrackCodec::encode(t), std::invalid_argument);
}

TEST(TrackCodec, Accepts65535ByteText) {
  DecodedTrack t = sample_track();
  t.info.title = std::string(65535, 'a');
  EXPECT_EQ(TrackCodec::decode(TrackCodec::encode(t)).info.title.size(), 65535u);
}

TEST(TrackCodec, CountsModifiedUtf8BytesTowardTheLimit) {
  DecodedTrack t = sample_track();
  t.info.title = std::string(32768, '\0');  // 65536 bytes as C0 80 pairs
  EXPECT_THROW((void)TrackCodec::encode(t), std::invalid_argument);
}

TEST(TrackCodec, RejectsInvalidUtf8NamingTheField) {
  DecodedTrack t = sample_track();
  t.info.author = "ok\xFF";
  try {
    (void)TrackCodec::encode(t);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("author"), std::string::npos);
  }
}

TEST(TrackCodec, EncodeToTriesEveryBufferSize) {
  DecodedTrack t = sample_track();
  t.source_data = bytes_of("blob");
  const std::string expected = TrackCodec::encode(t);
  for (std::size_t size = 0; size <= expected.size() + 8; ++size) {
    std::vector<char> buffer(size + 16, '#');  // the 16 extra bytes are a canary
    const auto r = TrackCodec::encode_to(t, std::span<char>(buffer.data(), size));
    EXPECT_EQ(r.size, expected.size());
    EXPECT_EQ(r.written, size >= expected.size()) << size;
    if (r.written) {
      EXPECT_EQ(std::string(buffer.data(), r.size), expected);
    }
    for (std::size_t i = size; i < buffer.size(); ++i) ASSERT_EQ(buffer[i], '#') << size;
    if (!r.written) {
      for (std::size_t i = 0; i < size; ++i) ASSERT_EQ(buffer[i], '#') << size;
    }
  }
}

TEST(TrackCodec, EncodeToReturnsTheOriginalOfAnUnchangedTrack) {
  const auto vectors = load_vectors();
  const std::string v2(vectors.at(6).at("encoded").as_string());
  const DecodedTrack t = TrackCodec::decode(v2);
  std::vector<char> small(v2.size() - 1);
  EXPECT_FALSE(TrackCodec::encode_to(t, small, 2).written);
  std::vector<char> buffer(v2.size());
  const auto r = TrackCodec::encode_to(t, buffer, 2);
  ASSERT_TRUE(r.written);
  EXPECT_EQ(std::string(buffer.data(), r.size), v2);
}

TEST(TrackCodec, EncodedFieldThatDoesNotDecodeIsIgnored) {
  DecodedTrack t = sample_track();
  t.encoded = "not a track";
  EXPECT_EQ(TrackCodec::decode(TrackCodec::encode(t)).info.title, "Title");
}

// ---- view decoder ----

TEST(TrackCodec, ViewFailsWithTooSmallBuffer) {
  const std::string text = TrackCodec::encode(sample_track());
  std::vector<std::byte> buffer(TrackCodec::view_buffer_size(text.size()) - 1);
  lavalink::TrackView view;
  lavalink::DecodeFailure failure;
  EXPECT_FALSE(TrackCodec::try_decode_view(text, buffer, view, &failure));
  EXPECT_NE(std::string(failure.problem).find("too small"), std::string::npos);
}

TEST(TrackCodec, ViewPointsIntoTheBuffer) {
  const std::string text = TrackCodec::encode(sample_track());
  std::vector<std::byte> buffer(TrackCodec::view_buffer_size(text.size()));
  const auto view = TrackCodec::decode_view(text, buffer);
  const auto* begin = reinterpret_cast<const char*>(buffer.data());
  EXPECT_GE(view.title.data(), begin);
  EXPECT_LT(view.title.data(), begin + buffer.size());
  EXPECT_EQ(view.title, "Title");
}

TEST(TrackCodec, InstanceViewReusesItsBuffer) {
  TrackCodec codec;
  DecodedTrack a = sample_track();
  DecodedTrack b = sample_track();
  b.info.title = "Second";
  EXPECT_EQ(codec.view(TrackCodec::encode(a)).title, "Title");
  EXPECT_EQ(codec.view(TrackCodec::encode(b)).title, "Second");
}

TEST(TrackCodec, ViewThrowingFormReportsOffset) {
  std::vector<std::byte> buffer(64);
  try {
    (void)TrackCodec::decode_view("QUFB*", buffer);
    FAIL() << "no error";
  } catch (const TrackDecodeError& e) {
    EXPECT_EQ(e.stage(), TrackDecodeError::Stage::base64);
    EXPECT_EQ(e.offset(), 4u);
  }
}
