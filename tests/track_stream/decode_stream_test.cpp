// `cadence track decode`'s stream decoder on its own (apps/cadence/track_decode_stream.cpp), so
// that the tsan preset, which builds no apps, checks its threads: a mapped file and a pipe of
// several chunks, bad lines among good ones, output and reports in input order.
#include "track_decode_stream.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cadence/lavalink/track_codec.hpp"
#include "track_json.hpp"

namespace {

namespace lavalink = cadence::lavalink;

std::vector<std::string> encoded_vectors() {
  std::ifstream in(CADENCE_SOURCE_DIR "/tests/lavalink/data/track-vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  const boost::json::value parsed = boost::json::parse(text.str());
  std::vector<std::string> out;
  for (const auto& v : parsed.as_array()) {
    out.emplace_back(v.at("encoded").as_string());
  }
  return out;
}

// One line's JSON as the decoder writes it, made one line at a time on this thread.
std::string json_of(const std::string& encoded) {
  std::vector<std::byte> buffer(lavalink::TrackCodec::view_buffer_size(encoded.size()));
  const auto t = lavalink::TrackCodec::decode_view(encoded, buffer);
  std::string out(cadence::app::track_json_bound(t), '\0');
  out.resize(static_cast<std::size_t>(cadence::app::write_track_json(t, out.data()) - out.data()));
  return out;
}

// About 3 MB of lines (three of the decoder's 1 MiB chunks and a part), a bad line every 997th,
// and what a correct decoder writes for them.
struct Stream {
  std::string input;
  std::string output;
  std::vector<std::size_t> bad;

  Stream() {
    const auto vectors = encoded_vectors();
    std::vector<std::string> json;
    for (const auto& v : vectors) json.push_back(json_of(v));
    for (std::size_t n = 1; n <= 15000; ++n) {
      if (n % 997 == 0) {
        input += "QAAA!\n";
        bad.push_back(n);
        continue;
      }
      input += vectors[n % vectors.size()] + "\n";
      output += json[n % vectors.size()];
    }
  }
};

std::vector<std::size_t> reported;
void record(std::size_t line, std::string_view /*what*/) { reported.push_back(line); }

std::string read_all(std::FILE* f) {
  std::string out;
  std::rewind(f);
  char block[65536];
  std::size_t got = 0;
  while ((got = std::fread(block, 1, sizeof block, f)) > 0) out.append(block, got);
  return out;
}

TEST(TrackDecodeStream, MappedFileInInputOrder) {
  const Stream s;
  const auto path = std::filesystem::temp_directory_path() /
                    ("cadence_decode_stream_" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary) << s.input;
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::FILE* out = std::tmpfile();
  reported.clear();
  const auto outcome = cadence::app::decode_track_stream(fd, out, record);
  ::close(fd);
  std::filesystem::remove(path);
  EXPECT_TRUE(outcome.bad_lines);
  EXPECT_FALSE(outcome.write_failed);
  EXPECT_EQ(reported, s.bad);
  EXPECT_TRUE(read_all(out) == s.output) << "output differs";
  std::fclose(out);
}

struct PipeRun {
  cadence::app::StreamOutcome outcome;
  std::string output;
};

// Decodes `input` fed through a pipe by another thread in odd-sized writes (so chunk ends fall
// anywhere); the writer is joined on every path, and a reader that gave up makes it stop with
// EPIPE rather than SIGPIPE.
PipeRun decode_through_pipe(const std::string& input) {
  std::signal(SIGPIPE, SIG_IGN);
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  std::thread writer([&] {
    for (std::size_t at = 0; at < input.size();) {
      const auto n = std::min<std::size_t>(7919, input.size() - at);
      const auto w = ::write(fds[1], input.data() + at, n);
      if (w <= 0) break;
      at += static_cast<std::size_t>(w);
    }
    ::close(fds[1]);
  });
  std::FILE* out = std::tmpfile();
  PipeRun run;
  try {
    run.outcome = cadence::app::decode_track_stream(fds[0], out, record);
  } catch (...) {
    ::close(fds[0]);
    writer.join();
    std::fclose(out);
    throw;
  }
  ::close(fds[0]);
  writer.join();
  run.output = read_all(out);
  std::fclose(out);
  return run;
}

TEST(TrackDecodeStream, PipeInInputOrder) {
  const Stream s;
  reported.clear();
  const auto run = decode_through_pipe(s.input);
  EXPECT_TRUE(run.outcome.bad_lines);
  EXPECT_EQ(reported, s.bad);
  EXPECT_TRUE(run.output == s.output) << "output differs";
}

TEST(TrackDecodeStream, GoodInputReportsNothing) {
  std::string input;
  std::string expected;
  for (const auto& v : encoded_vectors()) {
    input += v + "\n";
    expected += json_of(v);
  }
  reported.clear();
  const auto run = decode_through_pipe(input);
  EXPECT_FALSE(run.outcome.bad_lines);
  EXPECT_TRUE(reported.empty());
  EXPECT_EQ(run.output, expected);
}

TEST(TrackDecodeStream, ALineFedAloneThroughAPipeIsAnsweredAtOnce) {
  // `producer | cadence track decode -` one line at a time: each JSON line must come out before
  // the next input line goes in, not when a 1 MiB chunk has filled or the input ended.
  std::signal(SIGPIPE, SIG_IGN);
  int in[2];
  int out[2];
  ASSERT_EQ(::pipe(in), 0);
  ASSERT_EQ(::pipe(out), 0);
  std::FILE* out_file = ::fdopen(out[1], "w");
  ASSERT_NE(out_file, nullptr);
  reported.clear();
  std::thread decoder([&] { (void)cadence::app::decode_track_stream(in[0], out_file, record); });
  const auto vectors = encoded_vectors();
  std::string got;
  for (std::size_t i = 0; i < 3; ++i) {
    const std::string line = vectors[i] + "\n";
    ASSERT_EQ(::write(in[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
    // Bounded: an answer that waits for more input never comes, and the test fails here.
    while (std::count(got.begin(), got.end(), '\n') < static_cast<std::ptrdiff_t>(i + 1)) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 5000) != 1) break;
      char block[4096];
      const auto n = ::read(out[0], block, sizeof block);
      if (n <= 0) break;
      got.append(block, static_cast<std::size_t>(n));
    }
    EXPECT_EQ(got.find(json_of(vectors[i])), got.size() - json_of(vectors[i]).size())
        << "no answer to line " << i + 1 << " before the next one";
  }
  ::close(in[1]);
  decoder.join();
  std::fclose(out_file);
  ::close(in[0]);
  ::close(out[0]);
}

}  // namespace
