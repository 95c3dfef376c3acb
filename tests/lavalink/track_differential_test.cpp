// lavalink::TrackCodec against the simulator's independently written sim::LavalinkTrackCodec:
// on every input they must both reject, or both accept with every field equal. Inputs are the
// reference and external vectors, every truncation of them (with the header left as it was and
// with it fixed to match), Java-lenient forms, and seeded random mutations.
#include "cadence/lavalink/track_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cadence/lavalink/base64.hpp"
#include "cadence/sim/lavalink_track_codec.hpp"

namespace lavalink = cadence::lavalink;
using lavalink::TrackCodec;
using Sim = cadence::sim::LavalinkTrackCodec;

namespace {

std::vector<std::string> all_vectors() {
  std::vector<std::string> out;
  for (const char* file : {"track-vectors.json", "external-track-vectors.json"}) {
    std::ifstream in(std::string(CADENCE_SOURCE_DIR "/tests/lavalink/data/") + file);
    std::stringstream text;
    text << in.rdbuf();
    const boost::json::value parsed = boost::json::parse(text.str());
    for (const auto& v : parsed.as_array()) {
      out.emplace_back(v.at("encoded").as_string());
    }
  }
  return out;
}

std::vector<std::uint8_t> message_of(const std::string& text) {
  std::vector<std::uint8_t> out(lavalink::base64::max_decoded_size(text.size()));
  const auto r = lavalink::base64::decode(text, out.data());
  EXPECT_TRUE(r.ok());
  out.resize(r.size);
  return out;
}

void fix_header(std::vector<std::uint8_t>& m) {
  if (m.size() < 4) return;
  const auto size = static_cast<std::uint32_t>(m.size() - 4);
  const std::uint32_t header = (size & 0x3FFFFFFF) | (std::uint32_t{m[0]} >> 6) << 30;
  for (int i = 0; i < 4; ++i) m[i] = static_cast<std::uint8_t>(header >> (24 - 8 * i));
}

// Returns an empty string when they agree, else what differs.
std::string disagreement(std::string_view text) {
  std::vector<std::byte> buffer(TrackCodec::view_buffer_size(text.size()) + 1);
  lavalink::TrackView v;
  lavalink::DecodeFailure failure;
  const bool ours = TrackCodec::try_decode_view(text, buffer, v, &failure);
  const auto sim = Sim::decode(text);
  if (ours != sim.has_value()) {
    return ours ? "Cadence accepts, the simulator rejects"
                : std::string("the simulator accepts, Cadence rejects: ") + failure.problem +
                      " at " + std::to_string(failure.offset);
  }
  if (!ours) return {};
  const auto same = [](const std::optional<std::string_view>& a,
                       const std::optional<std::string>& b) {
    return a.has_value() == b.has_value() && (!a || *a == *b);
  };
  std::string diff;
  if (v.version != sim->version) diff += " version";
  if (v.title != sim->title) diff += " title";
  if (v.author != sim->author) diff += " author";
  if (v.length.count() != sim->length) diff += " length";
  if (v.identifier != sim->identifier) diff += " identifier";
  if (v.is_stream != sim->is_stream) diff += " isStream";
  if (!same(v.uri, sim->uri)) diff += " uri";
  if (!same(v.artwork_url, sim->artwork_url)) diff += " artworkUrl";
  if (!same(v.isrc, sim->isrc)) diff += " isrc";
  if (v.source_name != sim->source_name) diff += " sourceName";
  if (std::string_view(reinterpret_cast<const char*>(v.source_data.data()), v.source_data.size()) !=
      sim->source_data) {
    diff += " sourceData";
  }
  if (v.position.count() != sim->position) diff += " position";
  return diff.empty() ? diff : "fields differ:" + diff;
}

std::string text_of(const std::vector<std::uint8_t>& m) {
  return lavalink::base64::encode(std::span<const std::uint8_t>(m));
}

}  // namespace

TEST(TrackDifferential, AgreeOnEveryVector) {
  const auto vectors = all_vectors();
  ASSERT_GE(vectors.size(), 25u);
  for (const auto& text : vectors) {
    EXPECT_EQ(disagreement(text), "") << text;
    EXPECT_TRUE(Sim::decode(text).has_value()) << text;
  }
}

TEST(TrackDifferential, AgreeOnEveryTruncationOfTheText) {
  for (const auto& text : all_vectors()) {
    for (std::size_t n = 0; n < text.size(); ++n) {
      EXPECT_EQ(disagreement(std::string_view(text).substr(0, n)), "") << text << " cut at " << n;
    }
  }
}

TEST(TrackDifferential, AgreeOnEveryTruncationOfTheMessageWithAFixedHeader) {
  for (const auto& text : all_vectors()) {
    const auto message = message_of(text);
    for (std::size_t n = 0; n < message.size(); ++n) {
      auto cut = std::vector<std::uint8_t>(message.begin(), message.begin() + n);
      fix_header(cut);
      EXPECT_EQ(disagreement(text_of(cut)), "") << text << " cut at byte " << n;
    }
  }
}

TEST(TrackDifferential, AgreeOnJavaLenientForms) {
  const auto message = message_of(all_vectors().front());
  // The title's bytes start at 7 in a version-3 message; its length is at 5-6.
  const std::vector<std::string> titles = {std::string("a\0b", 3),
                                           "\xC0\x80",
                                           "\xC1\x81",
                                           "\xE0\x81\x81",
                                           "\xED\xA0\xBC",
                                           "\xED\xBC\xBF",
                                           "x\xED\xA0\xBC\xED\xBC\xBFy",
                                           "\xED\xA0\xBC\xED\xA0\xBC\xED\xBC\xBF",
                                           "\xF0\x9F\x8C\xBF",
                                           "\x80",
                                           "\xC3",
                                           "\xE6\x97"};
  const std::size_t old_len = std::size_t{message[5]} << 8 | message[6];
  for (const auto& title : titles) {
    std::vector<std::uint8_t> m(message.begin(), message.begin() + 5);
    m.push_back(static_cast<std::uint8_t>(title.size() >> 8));
    m.push_back(static_cast<std::uint8_t>(title.size()));
    m.insert(m.end(), title.begin(), title.end());
    m.insert(m.end(), message.begin() + 7 + static_cast<std::ptrdiff_t>(old_len), message.end());
    fix_header(m);
    EXPECT_EQ(disagreement(text_of(m)), "") << "title bytes of size " << title.size();
    auto flagged = m;
    flagged[0] |= 0x80;
    EXPECT_EQ(disagreement(text_of(flagged)), "");
  }
}

TEST(TrackDifferential, AgreeOnSeededRandomMutations) {
  std::mt19937_64 rng(20240611);
  const auto vectors = all_vectors();
  int accepted = 0;
  int total = 0;
  for (const auto& text : vectors) {
    const auto message = message_of(text);
    for (int round = 0; round < 400; ++round) {
      auto m = message;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        const std::size_t at = rng() % m.size();
        switch (rng() % 5) {
          case 0:
            m[at] = static_cast<std::uint8_t>(rng());
            break;  // any byte
          case 1:
            m[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
            break;  // one bit
          case 2:
            m[at] = static_cast<std::uint8_t>(0x80 | (rng() % 0x80));
            break;
          case 3:
            m.erase(m.begin() + static_cast<std::ptrdiff_t>(at));
            break;
          default:
            m.insert(m.begin() + static_cast<std::ptrdiff_t>(at), static_cast<std::uint8_t>(rng()));
        }
        if (m.size() < 5) break;
      }
      if (rng() % 2) fix_header(m);
      const std::string mutated = text_of(m);
      const std::string diff = disagreement(mutated);
      EXPECT_EQ(diff, "") << mutated;
      accepted += Sim::decode(mutated).has_value();
      ++total;
    }
  }
  // Enough of the mutations must decode for the field comparison to mean something.
  EXPECT_GT(accepted, total / 10);
}

TEST(TrackDifferential, AgreeOnBase64Padding) {
  const std::string text = all_vectors().front();
  const std::string bare = text.substr(0, text.find('='));
  for (const std::string& t : {bare, bare + "=", bare + "==", bare + "===", text + "=", text + "A",
                               std::string("=") + text}) {
    EXPECT_EQ(disagreement(t), "") << t;
  }
}
