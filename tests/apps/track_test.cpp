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
using cadence::test::run_shell;

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

namespace {

// About 6 MB of lines (several of the decoder's 1 MiB chunks) with bad, blank and CRLF lines
// among the tracks and no newline after the last one, and the merged stdout+stderr a correct
// decoder writes for it: each JSON line, and "line N" for each bad line, in input order.
struct LongStream {
  std::filesystem::path file;
  std::vector<std::string> merged;  // JSON lines, or "line N" for an error
  std::size_t bad = 0;

  LongStream() {
    const CliResult each = run_cli("track decode -", all_encoded());
    const auto json_of = lines(each.out);
    file = std::filesystem::temp_directory_path() /
           ("cadence_track_stream_" + std::to_string(::getpid()));
    std::ofstream out(file, std::ios::binary);
    constexpr std::size_t count = 30000;
    for (std::size_t n = 1; n <= count; ++n) {
      const std::size_t v = n % vectors().size();
      if (n % 4999 == 0) {
        out << "not*base64";
        merged.push_back("line " + std::to_string(n));
        ++bad;
      } else if (n % 7919 != 0) {  // otherwise blank: no output at all
        out << std::string_view(vectors()[v].at("encoded").as_string())
            << (n % 5003 == 0 ? "\r" : "");
        merged.push_back(json_of.at(v));
      }
      if (n != count) out << '\n';
    }
  }
  ~LongStream() { std::filesystem::remove(file); }
  LongStream(const LongStream&) = delete;
  LongStream& operator=(const LongStream&) = delete;

  // Compares a run's merged output with `merged`.
  void expect(const CliResult& run) const {
    EXPECT_EQ(run.status, 1);
    const auto got = lines(run.out);
    ASSERT_EQ(got.size(), merged.size());
    std::size_t errors = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (merged[i].starts_with("line ")) {
        ++errors;
        ASSERT_EQ(got[i].rfind("cadence: track decode: " + merged[i] + ": ", 0), 0u)
            << "output line " << i << ": " << got[i];
      } else {
        ASSERT_EQ(got[i], merged[i]) << "output line " << i;
      }
    }
    EXPECT_EQ(errors, bad);
  }
};

}  // namespace

TEST(TrackCli, LongFileDecodesInInputOrderWithErrorsInPlace) {
  const LongStream stream;
  stream.expect(run_shell(CADENCE_BINARY_DIR "/bin/cadence track decode - < " +
                          stream.file.string() + " 2>&1"));
}

TEST(TrackCli, LongPipeDecodesInInputOrderWithErrorsInPlace) {
  const LongStream stream;
  stream.expect(run_shell("cat " + stream.file.string() +
                          " | " CADENCE_BINARY_DIR "/bin/cadence track decode - 2>&1"));
}

TEST(TrackCli, LineLongerThanAReadIsOneBadLineThroughAPipe) {
  const std::string good(vectors()[0].at("encoded").as_string());
  const std::string input = std::string(3 << 20, 'A') + "\n" + good + "\n";
  const auto file = std::filesystem::temp_directory_path() /
                    ("cadence_track_long_line_" + std::to_string(::getpid()));
  std::ofstream(file, std::ios::binary) << input;
  const CliResult run = run_shell("cat " + file.string() +
                                  " | " CADENCE_BINARY_DIR "/bin/cadence track decode - 2>&1");
  std::filesystem::remove(file);
  EXPECT_EQ(run.status, 1);
  const auto out = lines(run.out);
  ASSERT_EQ(out.size(), 2u) << run.out.substr(0, 300);
  EXPECT_EQ(out[0].rfind("cadence: track decode: line 1: ", 0), 0u) << out[0];
  EXPECT_EQ(json::parse(out[1]).at("identifier"), vectors()[0].at("info").at("identifier"));
}

TEST(TrackCli, DecodeOutputThatCannotBeWrittenIsAnError) {
  const CliResult run = run_cli("track decode - > /dev/full", all_encoded());
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("cannot write the output"), std::string::npos) << run.err;
}

TEST(TrackCli, DecodeStartsAtStdinsOffsetAndLeavesItAtTheEnd) {
  // A shell that read the first line leaves the offset after it; decode must start there (the
  // file is mapped, not read) and leave nothing for the next reader, as a filter that reads would.
  const auto file = std::filesystem::temp_directory_path() /
                    ("cadence_track_offset_" + std::to_string(::getpid()));
  std::ofstream(file, std::ios::binary) << "header line\n" << all_encoded();
  const CliResult run = run_shell("( read -r skipped; " CADENCE_BINARY_DIR
                                  "/bin/cadence track decode - | wc -l; echo rest; cat ) < " +
                                  file.string());
  std::filesystem::remove(file);
  EXPECT_EQ(run.status, 0);
  const auto out = lines(run.out);
  ASSERT_EQ(out.size(), 2u) << run.out;
  EXPECT_EQ(std::stoul(out[0]), vectors().size());
  EXPECT_EQ(out[1], "rest");
}
