// Runs the built `cadence` binary on the reference vectors: `track decode` and `track encode`,
// through arguments and stdin, including bad lines.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli_runner.hpp"

namespace json = boost::json;

namespace {

using cadence::test::CliResult;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `cadence <args>` with `input` on stdin; stdout and stderr are captured separately.
CliResult run_cli(const std::string& args, const std::string& input = "") {
  return cadence::test::run_cadence(args, input);
}

std::vector<std::string> lines(const std::string& text) { return cadence::test::split_lines(text); }

const json::array& vectors() {
  static const json::array v =
      json::parse(read_file(CADENCE_SOURCE_DIR "/tests/lavalink/data/track-vectors.json"))
          .as_array();
  return v;
}

std::string all_encoded() {
  std::string text;
  for (const auto& v : vectors()) {
    text += v.at("encoded").as_string();
    text += '\n';
  }
  return text;
}

}  // namespace

TEST(TrackCli, DecodeWritesLavalinkFieldsForEveryVector) {
  const CliResult run = run_cli("track decode -", all_encoded());
  ASSERT_EQ(run.status, 0) << run.err;
  const auto out = lines(run.out);
  ASSERT_EQ(out.size(), vectors().size());
  for (std::size_t i = 0; i < out.size(); ++i) {
    json::object got = json::parse(out[i]).as_object();
    const auto& vec = vectors()[i].as_object();
    EXPECT_EQ(got.at("version"), vec.at("encoding").at("version")) << i;
    const std::string hex(vec.at("encoding").at("sourceSpecificBytesHex").as_string());
    EXPECT_EQ(got.contains("sourceData"), !hex.empty()) << i;
    got.erase("version");
    got.erase("sourceData");
    EXPECT_EQ(json::value(got), vec.at("info")) << i;
  }
}

TEST(TrackCli, DecodeShowsSourceDataAsBase64) {
  const CliResult run =
      run_cli("track decode " + std::string(vectors()[6].at("encoded").as_string()));
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(json::parse(run.out).at("sourceData"), "AANtcDM=");  // 00 03 "mp3"
}

TEST(TrackCli, DecodeThenEncodeGivesTheIdenticalStrings) {
  const std::string input = all_encoded();
  const CliResult decoded = run_cli("track decode -", input);
  ASSERT_EQ(decoded.status, 0) << decoded.err;
  const CliResult encoded = run_cli("track encode -", decoded.out);
  ASSERT_EQ(encoded.status, 0) << encoded.err;
  EXPECT_EQ(encoded.out, input);
}

TEST(TrackCli, BadLineIsReportedByNumberAndOthersContinue) {
  const std::string first(vectors()[0].at("encoded").as_string());
  const std::string second(vectors()[1].at("encoded").as_string());
  const CliResult run = run_cli("track decode", first + "\nnot*base64\n" + second + "\n");
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(lines(run.out).size(), 2u);
  EXPECT_NE(run.err.find("line 2"), std::string::npos) << run.err;
  EXPECT_EQ(lines(run.err).size(), 1u) << run.err;
}

TEST(TrackCli, TruncatedTrackNamesTheByteOffset) {
  std::string text(vectors()[0].at("encoded").as_string());
  text.resize(40);
  const CliResult run = run_cli("track decode " + text);
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("argument 1"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("byte 0"), std::string::npos) << run.err;
}

TEST(TrackCli, EncodeDefaultsToVersion3) {
  const CliResult run =
      run_cli("track encode",
              R"({"title":"t","author":"a","length":1000,"identifier":"id","isStream":false,)"
              R"("uri":null,"artworkUrl":null,"isrc":null,"sourceName":"youtube","position":0})"
              "\n");
  ASSERT_EQ(run.status, 0) << run.err;
  const CliResult back = run_cli("track decode " + lines(run.out).at(0));
  EXPECT_EQ(json::parse(back.out).at("version"), 3);
}

TEST(TrackCli, EncodeReportsMissingField) {
  const CliResult run = run_cli("track encode", "{\"title\":\"t\"}\n");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("line 1"), std::string::npos);
  EXPECT_NE(run.err.find("author"), std::string::npos) << run.err;
}

TEST(TrackCli, EncodeRejectsVersion1WithUri) {
  const CliResult run = run_cli(
      "track encode", R"({"title":"t","author":"a","length":1,"identifier":"i","isStream":false,)"
                      R"("uri":"https://x","sourceName":"http","position":0,"version":1})"
                      "\n");
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("uri"), std::string::npos) << run.err;
}

TEST(TrackCli, DecodeEscapesControlCharacters) {
  // A title with a quote, a backslash, a newline and U+0001 must come out as valid JSON.
  const CliResult encoded = run_cli(
      "track encode",
      R"({"title":"a\"b\\c\nd\u0001","author":"a","length":1,"identifier":"i","isStream":false,)"
      R"("sourceName":"youtube","position":0})"
      "\n");
  ASSERT_EQ(encoded.status, 0) << encoded.err;
  const CliResult decoded = run_cli("track decode " + lines(encoded.out).at(0));
  ASSERT_EQ(decoded.status, 0) << decoded.err;
  EXPECT_EQ(json::parse(decoded.out).at("title"), "a\"b\\c\nd\x01");
}
